"""The survey spider: a small, bounded look at one site for ``newsdesk sources add`` and
``sources check`` (digest/survey.py reads what it records and decides).

It runs through the crawl's own downloader policies (robots.txt, public addresses only
unless the source allows its own, the config's pace). In steps, each started when the
previous one has finished (Scrapy's ``spider_idle``):

1. the start pages (the homepage; for ``check``, the source's sections, feeds and
   sitemaps too), while robots.txt is read for its ``Sitemap:`` lines;
2. the feeds and sitemaps found (or, for ``add`` when none is announced, the usual feed
   and sitemap paths), and the first section pages of the homepage's navigation;
3. a sample of the links found, chosen to cover their URL shapes
   (``digest.urlpatterns.pick_sample``), with two thirds of the requests left;
4. a second sample with the rest of the budget, from the links found so far (the first
   sample's pages link to author, tag and other pages no listing showed).

Every response becomes one record (a dict): pages with their HTML and links, feeds and
sitemaps with their entries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any, Self
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from crawler import parsing
from digest.config import Source
from digest.urlpatterns import pick_sample
from digest.urls import clean_url

FEED_PATHS = ("/feed/", "/rss.xml", "/feed.xml", "/atom.xml", "/rss/", "/index.xml")
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
NAV_LINKS = (
    "//nav//a/@href | //header//a/@href | //*[contains(@class, 'menu') or "
    "contains(@id, 'menu') or contains(@class, 'nav')]//a/@href"
)
MAX_SECTIONS = 6
MAX_CHILD_SITEMAPS = 3
MAX_FEEDS = 3


class SurveySpider(scrapy.Spider):
    name = "survey"

    def __init__(self, source: Source, mode: str, budget: int, **kw: Any) -> None:
        super().__init__(name=f"survey-{source.name}", **kw)
        self.source = source
        self.mode = mode  # "add": discover and learn; "check": the source's own rules
        self.budget = budget  # requests, robots.txt included
        self.allowed_domains = list(source.domains)
        self.fetched: set[str] = set()
        self.links: dict[str, None] = {}  # candidate article links found, in order
        self.nav: dict[str, None] = {}
        self.feeds: dict[str, None] = {}
        self.sitemaps: dict[str, None] = {}
        self.robots_sitemaps: list[str] = []
        self.robots: Any = None  # the site's robots.txt rules, once read
        self.open_source = replace(source, article_patterns=(), deny_patterns=())
        self.step = 1
        self.moved_to: str | None = None  # where the homepage redirected, on another host

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        src = self.source
        yield self.request(src.homepage, self.parse_page, role="home")
        if self.mode == "check":
            for url in src.sections[:MAX_SECTIONS]:
                yield self.request(url, self.parse_page, role="section")
            self.feeds.update(dict.fromkeys(src.feeds))
            self.sitemaps.update(dict.fromkeys(src.sitemaps))

    def request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        url = clean_url(url)
        self.fetched.add(url)
        self.crawler.stats.inc_value("survey/requests")
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            cb_kwargs=cb_kwargs,
            meta={"allow_offsite": True},
            dont_filter=True,
        )

    def left(self) -> int:
        """Requests still allowed: the budget less those made (robots.txt is one)."""
        return self.budget - 1 - int(self.crawler.stats.get_value("survey/requests", 0))

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        if parsing.on_site(request.url, self.source):
            self.robots = robotparser
        rules = getattr(robotparser, "rp", None)
        named = [u for u in getattr(rules, "sitemaps", ()) or () if parsing.on_site(u, self.source)]
        self.sitemaps.update(dict.fromkeys(named))
        self.robots_sitemaps += named

    # --- the steps -----------------------------------------------------------------------

    def idle(self, spider: scrapy.Spider) -> None:
        """Start the next step when the last one has finished; close after the sample."""
        while self.step < 4:
            self.step += 1
            if self.step == 2:
                requests = list(self.listings())
            else:  # two thirds of what is left, then the rest with the links found since
                requests = list(self.sample(self.left() * 2 // 3 if self.step == 3 else None))
            if requests:
                for request in requests:
                    self.crawler.engine.crawl(request)
                raise DontCloseSpider

    def listings(self) -> Iterator[scrapy.Request]:
        """Step 2: the feeds and sitemaps found (or the usual paths, for ``add``), and the
        first section pages of the homepage's navigation."""
        probing = self.mode == "add"
        feeds = list(self.feeds)[:MAX_FEEDS] or (list(FEED_PATHS) if probing else [])
        for url in feeds:
            yield self.request(self.source_url(url), self.parse_feed, probe=url not in self.feeds)
        maps = list(self.sitemaps) or (list(SITEMAP_PATHS) if probing else [])
        for url in maps[:MAX_CHILD_SITEMAPS]:
            probe = url not in self.sitemaps
            yield self.request(self.source_url(url), self.parse_sitemap, probe=probe)
        if probing:
            for url in [u for u in self.nav if u not in self.fetched][:MAX_SECTIONS]:
                yield self.request(url, self.parse_page, role="section")

    def source_url(self, path_or_url: str) -> str:
        return urljoin(self.source.homepage, path_or_url)

    def sample(self, budget: int | None = None) -> Iterator[scrapy.Request]:
        """Steps 3 and 4: pages that cover the shapes of the links found (for ``check``,
        of those the rules keep and of those they drop)."""
        budget = self.left() if budget is None else budget
        links = [u for u in self.links if self.allowed(u)]
        if self.mode == "check":
            kept = {u for u in links if parsing.is_article_candidate(u, self.source)}
            urls = pick_sample([u for u in links if u in kept], budget * 2 // 3, self.fetched)
            dropped = [u for u in links if u not in kept]
            urls += pick_sample(dropped, budget - len(urls), self.fetched)
        else:
            urls = pick_sample(links, budget, self.fetched)
        for url in urls:
            yield self.request(url, self.parse_page, role="sample")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets the crawl fetch ``url`` (a refused one is no sample)."""
        agent = self.crawler.settings.get("USER_AGENT")
        return self.robots is None or bool(self.robots.allowed(url, agent))

    # --- reading what came back ----------------------------------------------------------

    def parse_page(self, response: Response, role: str) -> Iterator[dict[str, Any]]:
        if not isinstance(response, HtmlResponse):
            yield self.record("page", response, role=role, html=None, links=[])
            return
        if role == "home":
            self.follow_redirect(response.url)
        page = parsing.Page(response)
        links = [u for u in parsing.page_links(page) if self.candidate(u)]
        self.links.update(dict.fromkeys(links))
        if role == "home":
            nav = [clean_url(page.urljoin(h)) for h in page.xpath(NAV_LINKS).getall()]
            home = clean_url(self.source.homepage)
            self.nav.update(dict.fromkeys(u for u in nav if self.candidate(u) and u != home))
            feeds = [f for f in parsing.feed_links(page) if parsing.on_site(f, self.source)]
            self.feeds.update(dict.fromkeys(feeds))
        yield self.record("page", response, role=role, html=page.text, links=links)

    def follow_redirect(self, final: str) -> None:
        """The homepage moved to another host (``www.`` added or taken away, another
        domain): the survey, and the table it proposes, go on from where it landed."""
        if parsing.on_site(final, self.source):
            return
        self.source = replace(self.source, homepage=final, allowed_domains=())
        self.open_source = replace(self.open_source, homepage=final, allowed_domains=())
        self.moved_to = final

    def parse_feed(self, response: Response, probe: bool = False) -> Iterator[dict[str, Any]]:
        head = response.body[:2048].lstrip()
        if not isinstance(response, TextResponse) or not any(
            tag in head for tag in (b"<rss", b"<feed", b"<rdf:RDF", b"<?xml")
        ):
            yield self.record("not_feed", response, probe=probe)
            return
        entries = [u for u in parsing.feed_entries(response) if self.candidate(u)]
        if not entries and probe:
            yield self.record("not_feed", response, probe=probe)
            return
        self.links.update(dict.fromkeys(entries))
        yield self.record("feed", response, probe=probe, links=entries)

    def parse_sitemap(self, response: Response, probe: bool = False) -> Iterator[Any]:
        kind, entries = parsing.sitemap_entries(response)
        if kind not in ("urlset", "sitemapindex") or not entries:
            yield self.record("not_sitemap", response, probe=probe)
            return
        urls = [e.url for e in entries]
        if kind == "urlset":
            urls = [u for u in urls if self.candidate(u)]
        news = b"sitemap-news" in response.body[:4096]
        yield self.record(
            "sitemap", response, probe=probe, index=kind == "sitemapindex", news=news, links=urls
        )
        if kind == "sitemapindex":
            newest = sorted(entries, key=lambda e: e.published.timestamp() if e.published else 0)
            newest.reverse()  # the newest sitemaps first: the site's URLs as they are now
            for entry in newest[: min(MAX_CHILD_SITEMAPS, max(self.left() - 20, 0))]:
                yield self.request(entry.url, self.parse_sitemap)
            return
        self.links.update(dict.fromkeys(urls))

    def candidate(self, url: str) -> bool:
        """Whether a link found is one the learning should look at: on the site, not a
        trap or a file. ``check`` looks at every on-site link, the rules' verdict aside."""
        return parsing.is_article_candidate(url, self.open_source)

    def record(self, kind: str, response: Response, **fields: Any) -> dict[str, Any]:
        request = response.request
        url = request.url if request is not None else response.url
        return {"kind": kind, "url": url, "status": response.status, **fields}

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        yield {
            "kind": "failed",
            "url": request.url if request is not None else "",
            "status": response.status if response is not None else None,
            "why": failure.getErrorMessage() or (failure.type.__name__ if failure.type else "?"),
        }
