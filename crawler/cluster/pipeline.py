"""Push fetched pages to the store machine through Redis, instead of writing SQLite.

Each page is compressed (zlib) and bounded (``digest.cluster.payload_limit``) and pushed
onto one list that the ingest writer empties. When that list holds
``NEWSDESK_CLUSTER_MAX_QUEUED_PAGES`` pages or more (the writer is slower, stopped, or
Redis is short of memory) the pipeline waits, polling, before pushing: pages held here
stop the engine from taking more requests, so the frontier stays in Redis meanwhile.
Compression and Redis calls run in a thread so the reactor keeps serving the downloads.
While Redis is unreachable the page waits here and the push is retried with backoff.
"""

from __future__ import annotations

import logging
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import task
from twisted.internet.threads import deferToThread

from crawler.cluster import keys
from crawler.items import PageItem
from digest.cluster import PAGES, PayloadError, encode_page

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
MAX_RETRY_SECONDS = 10.0


class PushPagesPipeline:
    def __init__(self, crawler: Crawler, redis: Any, limit: int, max_queued: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.redis = redis
        self.limit = limit
        self.max_queued = max_queued
        self.waiting = False
        self.redis_down = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            crawler,
            get_redis_from_settings(settings),
            settings.getint("NEWSDESK_CLUSTER_PAYLOAD_LIMIT"),
            settings.getint("NEWSDESK_CLUSTER_MAX_QUEUED_PAGES"),
        )

    async def process_item(self, item: PageItem) -> PageItem:
        assert self.stats is not None
        try:
            payload = await maybe_deferred_to_future(
                deferToThread(encode_page, item, limit=self.limit)
            )
        except PayloadError as exc:
            self.stats.inc_value("newsdesk/pages/too_large")
            raise DropItem(str(exc)) from None
        await self._deliver(payload)
        self.stats.inc_value("newsdesk/pages/pushed")
        return item

    async def _deliver(self, payload: bytes) -> None:
        """Push once there is room; while Redis is away, retry with backoff (the page
        waits here and its request stays leased, so a kill loses nothing)."""
        slot = getattr(self.crawler.spider, "slot", None)
        name = getattr(self.crawler.spider, "name", "")
        report = keys.report(name, slot) if slot is not None else None
        delay = POLL_SECONDS
        while True:
            try:
                await self._room()
                await maybe_deferred_to_future(deferToThread(self._push, payload, report))
                self.redis_down = False
                return
            except RedisError as exc:
                if not self.redis_down:
                    log.error("Redis unavailable (%s): fetched pages wait for it", exc)
                self.redis_down = True
                await _sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)

    def _push(self, payload: bytes, report: str | None) -> None:
        """The page onto the ingest queue and into its slot's count, in one transaction."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(PAGES, payload)
        if report is not None:
            pipe.hincrby(report, "pages_saved", 1)
            pipe.expire(report, keys.REPORT_TTL)
        pipe.execute()

    async def _room(self) -> None:
        """Wait while the ingest writer's queue is full."""
        while await maybe_deferred_to_future(deferToThread(self.redis.llen, PAGES)) >= (
            self.max_queued
        ):
            if not self.waiting:
                log.warning("%s pages wait for the ingest writer: pausing", self.max_queued)
                self.waiting = True
            assert self.stats is not None
            self.stats.inc_value("newsdesk/pages/backpressure_waits")
            await _sleep(POLL_SECONDS)
        if self.waiting:
            log.warning("the ingest writer caught up: pushing pages again")
            self.waiting = False


async def _sleep(seconds: float) -> None:
    """Wait without holding up the reactor."""
    from twisted.internet import reactor  # the installed one (imported late on purpose)

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))
