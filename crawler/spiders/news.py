"""The one generic spider: every configured source is crawled by it, driven by its config.

Listing pages (homepage, sections and their pagination, feeds, sitemaps, and the
sitemaps robots.txt names) are read for links on every run, with conditional requests;
each link that looks like an article and is not in the store yet is fetched once. The
spider only emits requests and page items; the pipeline stores them and
``newsdesk process`` extracts them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from crawler import parsing
from crawler.items import PageItem
from crawler.middlewares import LISTING
from crawler.parsing import SitemapEntry
from crawler.reports import error_kind, source_report
from digest import store
from digest.clock import utc_now
from digest.config import Source
from digest.urls import clean_url

Callback = Callable[..., Any]


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        source: Source,
        refresh: bool = False,
        db_path: str = "",
        max_age_days: float = 3.0,
        **kw: Any,
    ) -> None:
        super().__init__(name=f"news-{source.name}", **kw)
        self.source = source
        self.refresh = refresh
        self.oldest = datetime.now(UTC) - timedelta(days=max_age_days)
        self.allowed_domains = list(source.domains)
        self.store = store.open_readonly(Path(db_path)) if db_path else None
        self.requested: set[str] = set()  # page URLs requested in this run
        # Whether a link may be an article, remembered: the links a site repeats on every
        # page (navigation, sections, tags) are judged once, not once per page.
        self.candidate = lru_cache(maxsize=parsing.LINKS_REMEMBERED)(
            partial(parsing.is_article_candidate, source=source)
        )
        self.start_ok = 0
        self.errors: Counter[str] = Counter()
        self.first_error: str | None = None
        self.started_at = datetime.now(UTC)
        self.clock = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        settings = crawler.settings
        kwargs.setdefault("refresh", settings.getbool("NEWSDESK_REFRESH"))
        kwargs.setdefault("db_path", settings.get("NEWSDESK_DB_PATH"))
        kwargs.setdefault("max_age_days", settings.getfloat("NEWSDESK_SITEMAP_MAX_AGE_DAYS"))
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    # --- where a crawl starts ------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        src = self.source
        for url in (src.homepage, *src.sections):
            yield self.listing(url, self.parse_listing, start=True)
        for url in src.feeds:
            yield self.listing(url, self.parse_feed, start=True)
        for url in src.sitemaps:
            yield self.listing(url, self.parse_sitemap, start=True)

    def listing(
        self, url: str, callback: Callback, *, depth: int = 0, start: bool = False
    ) -> scrapy.Request:
        """A request for a page read for its links; the HTTP cache revalidates it."""
        return scrapy.Request(
            clean_url(url),
            callback=callback,
            errback=self.start_failed if start else self.fetch_failed,
            cb_kwargs={"depth": depth, "start": start},
            meta={LISTING: True, "allow_offsite": start},
        )

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Read the sitemaps that a site's robots.txt names."""
        rules = getattr(robotparser, "rp", None)
        for url in getattr(rules, "sitemaps", ()) if rules is not None else ():
            if parsing.on_site(url, self.source):
                self.crawler.engine.crawl(self.listing(url, self.parse_sitemap))

    # --- listing pages -------------------------------------------------------------------

    def parse_listing(
        self, response: Response, depth: int = 0, start: bool = False
    ) -> Iterator[Any]:
        self._note_start(start)
        if not isinstance(response, HtmlResponse):
            self._error("not_html", f"{response.url}: a listing page that is not HTML")
            return
        self.crawler.stats.inc_value("newsdesk/listings/read")
        page = parsing.Page(response)
        feeds = [f for f in parsing.feed_links(page) if parsing.on_site(f, self.source)]
        found = [self.listing(feed, self.parse_feed) for feed in feeds]
        found += self.follow(page, depth)
        del page  # its tree: not kept while Scrapy holds the response (see parsing.Page)
        yield from found

    def follow(self, page: parsing.Document, depth: int) -> Iterator[scrapy.Request]:
        """A listing's article links, and its next pages while the depth allows."""
        yield from self.page_requests(parsing.page_links(page), depth + 1)
        if depth < self.source.max_depth:
            for url in parsing.pagination_links(page):
                if parsing.on_site(url, self.source):
                    yield self.listing(url, self.parse_listing, depth=depth + 1)

    def parse_feed(self, response: Response, depth: int = 0, start: bool = False) -> Iterator[Any]:
        self._note_start(start)
        if not isinstance(response, TextResponse):
            self._error("not_feed", f"{response.url}: not a feed")
            return
        self.crawler.stats.inc_value("newsdesk/listings/read")
        yield from self.page_requests(parsing.feed_entries(response), 1)

    def parse_sitemap(
        self, response: Response, depth: int = 0, start: bool = False
    ) -> Iterator[Any]:
        self._note_start(start)
        kind, entries = parsing.sitemap_entries(response)
        self.crawler.stats.inc_value("newsdesk/listings/read")
        if kind == "sitemapindex":
            for entry in entries:
                if self._recent(entry):
                    yield self.listing(entry.url, self.parse_sitemap, depth=depth + 1)
            return
        recent = [e.url for e in entries if self._recent(e)]
        self.crawler.stats.inc_value("newsdesk/sitemap/too_old", len(entries) - len(recent))
        yield from self.page_requests(recent, 1)

    def _recent(self, entry: SitemapEntry) -> bool:
        return entry.published is None or entry.published >= self.oldest

    # --- article pages -------------------------------------------------------------------

    def page_requests(self, urls: Iterable[str], depth: int) -> Iterator[scrapy.Request]:
        """Requests for the links that may be articles and are not known yet.

        ``depth`` is the new pages' distance from a start page: the pages of a listing
        ``max_depth`` pages deep are still fetched, the links on those are not.
        """
        if depth > self.source.max_depth + 1:
            return
        fresh = (u for u in urls if u not in self.requested)
        candidates = [u for u in fresh if self.candidate(u)]
        self.prefetch_known(candidates)
        stats = self.crawler.stats
        for url in candidates:
            if url in self.requested:  # twice on the page
                continue
            self.requested.add(url)
            if self._known_listing(url):  # a tag or section page seen before: read for links
                yield self.listing(url, self.parse_listing, depth=depth)
                continue
            if self._known_article(url):
                stats.inc_value("newsdesk/articles/known")
                continue
            if stats.get_value("newsdesk/pages/requested", 0) >= self.source.max_pages:
                stats.inc_value("newsdesk/pages/over_cap")
                continue
            stats.inc_value("newsdesk/pages/requested")
            yield scrapy.Request(
                url, callback=self.parse_page, errback=self.fetch_failed, cb_kwargs={"depth": depth}
            )

    def prefetch_known(self, urls: list[str]) -> None:
        """Look up at once whether ``urls`` are known, before they are asked one by one
        (the cluster spider asks Redis); the store answers each question fast enough."""

    def _known_article(self, url: str) -> bool:
        return self.store is not None and not self.refresh and store.known_page(self.store, url)

    def _known_listing(self, url: str) -> bool:
        return self.store is not None and store.known_listing(self.store, url)

    def parse_page(self, response: Response, depth: int = 1) -> Iterator[Any]:
        if not isinstance(response, HtmlResponse):
            self._error("not_html", f"{response.url}: not HTML")
            return
        text = parsing.page_text(response)
        if not self.source.follow_article_links and parsing.declares_article_or_nothing(text):
            # An article page by its URL, read for nothing here: the workers parse it once.
            yield self.page_item(response, text, None)
            return
        page = parsing.Page(response, text)
        reason = parsing.not_article_reason(page)
        item = self.page_item(response, page.text, reason)
        if reason is not None:  # a listing (a tag or section page): read for its links
            found = list(self.follow(page, depth))
        elif self.source.follow_article_links:  # its related-story links may lead to more
            found = list(self.page_requests(parsing.page_links(page), depth + 1))
        else:
            found = []
        del page  # its tree: not kept while the item waits for the store (parsing.Page)
        yield item
        yield from found

    def page_item(self, response: TextResponse, html: str, not_article: str | None) -> PageItem:
        request = response.request
        return PageItem(
            url=clean_url(request.url if request is not None else response.url),
            source=self.source.name,
            final_url=response.url,
            http_status=response.status,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1"),
            html=html,
            fetched_at=utc_now(),
            not_article=not_article,
        )

    # --- outcome -------------------------------------------------------------------------

    def _note_start(self, start: bool) -> None:
        self.start_ok += int(start)

    def start_failed(self, failure: Failure) -> None:
        self.fetch_failed(failure)

    def fetch_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        why = failure.getErrorMessage() or (failure.type.__name__ if failure.type else "?")
        self._error(error_kind(failure), f"{url}: {why}")

    def _error(self, kind: str, message: str) -> None:
        self.errors[kind] += 1
        self.crawler.stats.inc_value(f"newsdesk/errors/{kind}")
        self.first_error = self.first_error or message

    def closed(self, reason: str) -> None:
        if self.store is not None:
            self.store.close()

    def report(self) -> dict[str, Any]:
        """This source's outcome, for the run's record."""
        return source_report(self, self.crawler.stats.get_stats())
