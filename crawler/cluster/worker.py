"""The duties of a cluster worker beyond fetching, one extension per source's crawler.

- **Coordinator**: when a schedule slot begins, every worker tries to claim it with
  ``SET NX``; the one that gets it pushes the slot's seeds. The others only work the queue.
- **Report**: the worker adds what it did (requests, pages, errors) to the slot's counters
  in Redis, so the run's record covers every worker, not just the one that writes it.
- **Staying up**: an idle worker does not close; it waits for the next slot or for
  requests other workers queue. A one-shot crawl (``newsdesk crawl --redis``) instead
  closes once its slot is drained: seeds pushed, queue empty, no request leased to any
  worker, and, when an ingest writer runs, no page left waiting for it. All of that is
  read in one Lua script, so no request or page can move between two reads unseen.

The extension does not run its own timer: the process's heartbeat loop
(``crawler/cluster/beat.py``) calls ``tick`` of every source's extension once a second
and sends their reports in one pipeline.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.connection import get_redis_from_settings

from crawler.cluster import beat, keys
from crawler.cluster.spider import ClusterNewsSpider
from digest.cluster import INGEST_LOCK, PAGES, PROCESSING

log = logging.getLogger(__name__)

# KEYS: the slot's claim, the source's queue, the workers set, the ingest role, the
# ingest queue and its processing list; ARGV: the spider name.
# Returns {claim or '', 1 when nothing is queued, leased or waiting for the writer}.
# The in-flight hashes are named from the workers set, so the script reads keys it was
# not given: fine on one Redis server, the only kind newsdesk supports.
_DRAINED = """
local claim = redis.call('GET', KEYS[1]) or ''
if redis.call('ZCARD', KEYS[2]) > 0 then return {claim, 0} end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', 'newsdesk:' .. ARGV[1] .. ':inflight:' .. worker) > 0 then
    return {claim, 0}
  end
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  if redis.call('LLEN', KEYS[5]) + redis.call('LLEN', KEYS[6]) > 0 then return {claim, 0} end
end
return {claim, 1}
"""
# Counter in the slot's report -> the Scrapy stat it sums (pages_saved is counted by the
# pipeline, in the same transaction as each push, so that it is exact when a crawl ends)
REPORTED_STATS = {
    "requests": "downloader/request_count",
    "listings_read": "newsdesk/listings/read",
    "known_skipped": "newsdesk/articles/known",
}


def worker_id() -> str:
    """host:pid:time, unique to this process; shows in logs who held what."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"


class ClusterWorker:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.once = settings.getbool("NEWSDESK_CLUSTER_ONCE")
        self.worker = settings.get("NEWSDESK_CLUSTER_WORKER_ID")
        self.lease_seconds = settings.getfloat("NEWSDESK_CLUSTER_LEASE_SECONDS")
        self.redis = get_redis_from_settings(settings)
        self.loop: beat.ProcessLoop | None = None
        self.counted: Counter[str] = Counter()  # what the slot's report has from us
        self._pending: Counter[str] | None = None  # what it will have once a tick is sent
        self._drained = self.redis.register_script(_DRAINED)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def spider(self) -> ClusterNewsSpider:
        spider = self.crawler.spider
        assert isinstance(spider, ClusterNewsSpider)
        return spider

    def spider_opened(self, spider: Any) -> None:
        self.loop = beat.process_loop(self.redis, self.worker, self.lease_seconds)
        self.loop.add_duty(self)
        try:
            self.tick(None)  # the first slot now, not a second later
        except RedisError as exc:
            log.error("Redis unavailable (%s): the slot starts when it is back", exc)

    def tick(self, pipe: Any) -> None:
        """Start a new slot when one begins; add this tick's report to ``pipe`` (None: send
        it now). Raises RedisError."""
        spider = self.spider
        slot = spider.current_slot()
        if spider.slot is None or (slot != spider.slot and not self.once):
            self.report()
            spider.begin_slot(slot)
            self.coordinate(spider, slot)
        self.report(pipe)

    def reported(self) -> None:
        """The pipeline with this tick's report was sent."""
        if self._pending is not None:
            self.counted, self._pending = self._pending, None

    def coordinate(self, spider: ClusterNewsSpider, slot: int) -> None:
        """Push the slot's seeds if this worker is the first to claim it."""
        key = keys.slot_claim(spider.name, slot)
        ttl = int(spider.interval) + 3600
        if not self.redis.set(key, f"seeding {self.worker} {time.time():.0f}", nx=True, ex=ttl):
            return
        seeds = spider.seed_requests()
        for request in seeds:
            self.crawler.engine.crawl(request)
        self.redis.set(key, f"seeded {self.worker}", xx=True, keepttl=True)
        spider.seeded_here = True
        log.info("%s: slot %s seeded with %s requests", spider.name, slot, len(seeds))

    def report(self, pipe: Any = None) -> None:
        """Add this worker's counters since the last report to its slot's report, in
        ``pipe`` (the caller sends it, then calls ``reported``) or now."""
        spider = self.spider
        if spider.slot is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        now: Counter[str] = Counter({k: stats.get_value(s, 0) for k, s in REPORTED_STATS.items()})
        now["start_ok"] = spider.start_ok
        now.update({f"errors:{kind}": n for kind, n in spider.errors.items()})
        delta = {k: n - self.counted[k] for k, n in now.items() if n != self.counted[k]}
        if not delta and not spider.first_error:
            return
        key = keys.report(spider.name, spider.slot)
        own = pipe is None
        if own:
            pipe = self.redis.pipeline(transaction=False)
        for name, n in delta.items():
            pipe.hincrby(key, name, n)
        if spider.first_error:
            pipe.hsetnx(key, "first_error", spider.first_error)
        pipe.expire(key, keys.REPORT_TTL)
        self._pending = now
        if own:
            pipe.execute()
            self.reported()

    def spider_idle(self, spider: Any) -> None:
        if not self.once:
            raise DontCloseSpider
        try:
            drained = self.drained()
        except RedisError as exc:
            log.error("Redis unavailable (%s): cannot tell whether the crawl is done", exc)
            drained = False
        if not drained:
            raise DontCloseSpider

    def drained(self) -> bool:
        """Whether this one-shot crawl's slot is done everywhere (see the module doc)."""
        spider = self.spider
        if spider.slot is None:
            return False
        claim, done = self._drained(
            keys=[
                keys.slot_claim(spider.name, spider.slot),
                keys.queue(spider.name),
                keys.WORKERS,
                INGEST_LOCK,
                PAGES,
                PROCESSING,
            ],
            args=[spider.name],
        )
        if claim.startswith(b"seeding ") and not self._stale(claim):
            return False
        return bool(done)

    def _stale(self, claim: bytes) -> bool:
        """A claim whose coordinator died before it had pushed the seeds."""
        try:
            since = float(claim.split()[-1])
        except ValueError:
            return True
        return time.time() - since > self.lease_seconds

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None:
            self.loop.remove_duty(self)
        try:
            self.report()
        except RedisError as exc:
            log.error("the last counters of this worker are lost: %s", exc)
