"""The one generic spider: every configured source is crawled by it, driven by its config.

It reads the source's homepage and section pages (and the feeds they announce), its
feeds and sitemaps, and fetches each link that looks like an article. It only emits
requests and page items; the pipeline stores them and ``newsdesk process`` extracts them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from crawler import parsing
from crawler.items import PageItem
from digest import store
from digest.config import Source


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, source: Source, refresh: bool = False, db_path: str = "", **kw: Any) -> None:
        super().__init__(name=f"news-{source.name}", **kw)
        self.source = source
        self.refresh = refresh
        self.allowed_domains = list(source.domains)
        self.known = store.open_readonly(Path(db_path)) if db_path and not refresh else None
        self.scheduled: set[str] = set()  # article URLs requested in this run
        self.start_ok = 0
        self.start_failed = 0
        self.errors: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        kwargs.setdefault("refresh", crawler.settings.getbool("NEWSDESK_REFRESH"))
        kwargs.setdefault("db_path", crawler.settings.get("NEWSDESK_DB_PATH"))
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        src = self.source
        for url in (src.homepage, *src.sections):
            yield self._start_request(url, self.parse_listing)
        for url in src.feeds:
            yield self._start_request(url, self.parse_feed)
        for url in src.sitemaps:
            yield self._start_request(url, self.parse_sitemap)

    def _start_request(self, url: str, callback: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.start_failed_cb,
            cb_kwargs={"start": True},
            meta={"allow_offsite": True},
        )

    def _note_start(self, start: bool) -> None:
        if start:
            self.start_ok += 1

    def start_failed_cb(self, failure: Failure) -> None:
        self.start_failed += 1
        self.fetch_failed(failure)

    def fetch_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        self.errors.append(f"{url}: {failure.getErrorMessage() or failure.type.__name__}")
        self.crawler.stats.inc_value("newsdesk/fetch/failed")

    def parse_listing(self, response: Response, start: bool = False) -> Iterator[scrapy.Request]:
        self._note_start(start)
        if not isinstance(response, HtmlResponse):
            self.errors.append(f"{response.url}: not an HTML page")
            return
        for feed in parsing.feed_links(response):
            if parsing.on_site(feed, self.source):
                yield scrapy.Request(feed, callback=self.parse_feed, errback=self.fetch_failed)
        yield from self.article_requests(parsing.page_links(response))

    def parse_feed(self, response: Response, start: bool = False) -> Iterator[scrapy.Request]:
        self._note_start(start)
        if not isinstance(response, TextResponse):
            self.errors.append(f"{response.url}: not a feed")
            return
        self.crawler.stats.inc_value("newsdesk/feeds/read")
        yield from self.article_requests(parsing.feed_entries(response))

    def parse_sitemap(self, response: Response, start: bool = False) -> Iterator[scrapy.Request]:
        self._note_start(start)
        kind, locs = parsing.sitemap_entries(response)
        if kind == "sitemapindex":
            for loc in locs:
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.fetch_failed)
            return
        yield from self.article_requests(locs)

    def article_requests(self, urls: list[str]) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        for url in urls:
            if url in self.scheduled or not parsing.is_article_candidate(url, self.source):
                continue
            if self.known is not None and store.known_page(self.known, url):
                stats.inc_value("newsdesk/articles/known")
                continue
            if len(self.scheduled) >= self.source.max_pages:
                stats.inc_value("newsdesk/articles/over_cap")
                continue
            self.scheduled.add(url)
            yield scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed)

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        if not isinstance(response, HtmlResponse):
            self.crawler.stats.inc_value("newsdesk/pages/not_html")
            return
        yield PageItem(
            url=response.request.url if response.request else response.url,
            source=self.source.name,
            final_url=response.url,
            http_status=response.status,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
            html=response.text,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def closed(self, reason: str) -> None:
        if self.known is not None:
            self.known.close()

    def report(self) -> dict[str, Any]:
        """This source's outcome, for the run's record."""
        stats = self.crawler.stats.get_stats()
        saved = stats.get("newsdesk/pages/saved", 0)
        status = "failed" if self.start_ok == 0 else ("ok" if saved else "empty")
        report: dict[str, Any] = {
            "status": status,
            "pages_saved": saved,
            "pages_unchanged": stats.get("newsdesk/pages/unchanged", 0),
            "already_known": stats.get("newsdesk/articles/known", 0),
            "requests": stats.get("downloader/request_count", 0),
            "fetch_errors": len(self.errors),
            "finish_reason": stats.get("finish_reason"),
        }
        if self.errors:
            report["error"] = self.errors[0]
            report["errors"] = self.errors[:20]
        return report
