"""``NewsSpider`` as a cluster worker runs it.

The crawling logic is NewsSpider's; what changes is where it starts and what it asks:

- It has no start requests of its own. Time is cut into schedule slots (the source's
  crawl interval, counted from the epoch, so every machine agrees on them); in each slot
  one worker, the coordinator, pushes the seeds (``ClusterWorker.coordinate``).
- Listing requests carry their slot, so the shared duplicate filter lets each slot read
  them once.
- "Is this URL in the store?" is asked of the known sets the ingest writer keeps in
  Redis, one round trip per page of links, since the store is on another machine.
- What it remembers per run (the URLs requested, the page cap, the oldest sitemap date,
  and what robots.txt said) starts again with each slot, so a worker can run for months:
  a robots.txt that failed once (which ``StrictRobotsTxtMiddleware`` takes as "do not
  crawl this site") is fetched again in the next slot, as a new single-machine crawl
  would.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import scrapy
from redis.exceptions import RedisError
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet.defer import Deferred

from crawler import parsing
from crawler.cluster import keys
from crawler.cluster.dupefilter import SLOT
from crawler.middlewares import StrictRobotsTxtMiddleware
from crawler.spiders.news import Callback, NewsSpider
from digest.cluster import KNOWN_ARTICLES, KNOWN_LISTINGS, url_member

ROBOTS_SITEMAPS_DAYS = 30  # a sitemap robots.txt stopped naming is dropped after this


class ClusterNewsSpider(NewsSpider):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slot: int | None = None
        self.seeded_here = False  # whether this process pushed the seeds of a slot
        self.interval = 60.0 * 60
        self.max_age = timedelta(days=3)
        self.redis: Any = None
        self._known: dict[str, tuple[bool, bool]] = {}  # url -> (article, listing), this slot

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.redis = get_redis_from_settings(settings)
        minutes = spider.source.crawl_interval_minutes or settings.getfloat(
            "NEWSDESK_CLUSTER_INTERVAL_MINUTES"
        )
        spider.interval = minutes * 60
        spider.max_age = timedelta(days=settings.getfloat("NEWSDESK_SITEMAP_MAX_AGE_DAYS"))
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Nothing: the slot's coordinator pushes the seeds into the shared queue."""
        return
        yield

    # --- schedule slots ------------------------------------------------------------------

    def current_slot(self, now: float | None = None) -> int:
        return int((time.time() if now is None else now) // self.interval)

    def begin_slot(self, slot: int) -> None:
        """Forget what the previous slot remembered (see the module doc)."""
        self.slot = slot
        self.requested.clear()
        self._known.clear()
        self.oldest = datetime.now(UTC) - self.max_age
        self.first_error = None  # each slot's report names its own first error
        self.crawler.stats.set_value("newsdesk/pages/requested", 0)
        self._forget_robots()

    def _forget_robots(self) -> None:
        """Drop the robots.txt answers of the previous slot (parsers, failures, Crawl-delays)
        so this slot reads each site's robots.txt again; one being fetched is left alone."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        chain = getattr(getattr(downloader, "middleware", None), "middlewares", ())
        for mw in chain:
            if isinstance(mw, StrictRobotsTxtMiddleware):
                for netloc, parser in list(mw._parsers.items()):
                    if not isinstance(parser, Deferred):
                        del mw._parsers[netloc]
                mw._unavailable.clear()
                mw._crawl_delays.clear()

    def seed_requests(self) -> list[scrapy.Request]:
        """The slot's start requests: NewsSpider's, plus the sitemaps robots.txt named."""
        src = self.source
        seeds = [
            self.listing(u, self.parse_listing, start=True) for u in (src.homepage, *src.sections)
        ]
        seeds += [self.listing(u, self.parse_feed, start=True) for u in src.feeds]
        sitemaps = list(src.sitemaps)
        for member in sorted(self.redis.smembers(keys.robots_sitemaps(self.name))):
            url = member.decode("utf-8", "replace")
            if url not in sitemaps and parsing.on_site(url, src):
                sitemaps.append(url)
        seeds += [self.listing(u, self.parse_sitemap, start=True) for u in sitemaps]
        return seeds

    def listing(
        self, url: str, callback: Callback, *, depth: int = 0, start: bool = False
    ) -> scrapy.Request:
        request = super().listing(url, callback, depth=depth, start=start)
        request.meta[SLOT] = self.slot
        return request

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Read the sitemaps robots.txt names now, and seed them in later slots too: only
        the workers that fetch one of the site's pages read its robots.txt."""
        super().robots_parsed(robotparser, request)
        rules = getattr(robotparser, "rp", None)
        found = [u for u in getattr(rules, "sitemaps", ()) if parsing.on_site(u, self.source)]
        if found:
            key = keys.robots_sitemaps(self.name)
            pipe = self.redis.pipeline(transaction=False)
            pipe.sadd(key, *found)
            pipe.expire(key, ROBOTS_SITEMAPS_DAYS * 86400)
            pipe.execute()

    # --- the seen set, from Redis --------------------------------------------------------

    def prefetch_known(self, urls: list[str]) -> None:
        """Look up in one round trip the candidates not looked up yet in this slot."""
        new = [u for u in dict.fromkeys(urls) if u not in self._known]
        if not new:
            return
        members = [url_member(u) for u in new]
        pipe = self.redis.pipeline(transaction=False)
        pipe.smismember(KNOWN_ARTICLES, members)
        pipe.smismember(KNOWN_LISTINGS, members)
        try:
            articles, listings = pipe.execute()
        except RedisError as exc:
            # Taken as not known (and asked again next time): the requests wait for Redis
            # in the scheduler, whose duplicate filter still stops what was fetched in the
            # last days. Failing the callback instead would fetch its page again.
            self.logger.warning("known sets unavailable (%s): links checked later", exc)
            self.crawler.stats.inc_value("newsdesk/known/unavailable")
            return
        for url, article, listing in zip(new, articles, listings, strict=True):
            self._known[url] = (bool(article), bool(listing))

    def _known_article(self, url: str) -> bool:
        return self._known.get(url, (False, False))[0]

    def _known_listing(self, url: str) -> bool:
        return self._known.get(url, (False, False))[1]
