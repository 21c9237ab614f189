"""scrapy-redis's scheduler, keeping the leases of the requests this worker took.

Once a second the process's heartbeat loop (``crawler/cluster/beat.py``, one per worker
process whatever the number of sources) calls ``flush`` on every scheduler of the
process: it queues the requests that could not be queued while Redis was away, ends the
leases of the requests Scrapy has finished with (downloaded, called back, items through
the pipelines, new requests queued), and wakes the engine when its queue has work, which
otherwise looks at an empty queue again only every five seconds.

"Finished" is read from the engine's set of requests in progress, which a request leaves
only after all of that; Scrapy offers no signal at that point (docs/scale-out.md, Limits).

A request is queued with the duplicate filter's check and the push in one Lua script
(``LeasedPriorityQueue.push_new``). While Redis is unreachable the worker keeps running:
requests it cannot queue wait in memory and the same script is run again when Redis is
back (a call that failed did all or nothing, so none is lost as "seen"), and a request
whose callback failed on Redis goes back to the queue instead of being counted as done.
On close, requests still waiting for Redis are retried for up to ``CLOSE_WAIT_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.cluster import beat
from crawler.cluster.dupefilter import DailyDupeFilter
from crawler.cluster.queue import LEASE, LeasedPriorityQueue

log = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 60.0  # on close, how long requests not yet queued wait for Redis


class LeasingScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis has no type hints
    crawler: Crawler
    queue: LeasedPriorityQueue
    df: DailyDupeFilter | None  # None until open()
    worker: str
    lease_seconds: float
    once: bool
    held: dict[str, Request]  # lease -> the request this worker is working on
    again: set[str]  # leases to requeue when finished: their handling failed on Redis
    unsent: list[Request]  # requests that could not be queued while Redis was away
    loop: beat.ProcessLoop | None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        scheduler: Self = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.worker = crawler.settings.get("NEWSDESK_CLUSTER_WORKER_ID")
        scheduler.lease_seconds = crawler.settings.getfloat("NEWSDESK_CLUSTER_LEASE_SECONDS")
        scheduler.once = crawler.settings.getbool("NEWSDESK_CLUSTER_ONCE")
        scheduler.held, scheduler.again, scheduler.unsent = {}, set(), []
        scheduler.loop = None
        # scrapy-redis passes spider= to the stats, which Scrapy 2.19 deprecates; the
        # scheduler's stats are counted here instead (enqueue_request, next_request).
        scheduler.stats = None
        crawler.signals.connect(scheduler.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(scheduler.item_failed, signal=signals.item_error)
        return scheduler

    def open(self, spider: Spider) -> None:
        """scrapy-redis's ``open`` (queue, duplicate filter), without its deprecated
        ``spider.log``; never flushes: the frontier outlives every worker."""
        self.spider = spider
        self.loop = beat.process_loop(self.server, self.worker, self.lease_seconds)
        self.loop.beat()  # alive before the first pop, or a peer could reclaim at once
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if queued := len(self.queue):
            log.info("%s: resuming the shared frontier, %s requests queued", spider.name, queued)
        self.loop.add_scheduler(self)

    # --- the scheduler interface ---------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if self.unsent:  # keep the order: Redis is away, or was a moment ago
            self.unsent.append(request)
            return True
        try:
            queued = self.queue.push_new(request, self.df)
        except RedisError as exc:
            self._redis_failed(exc)
            self.unsent.append(request)
            return True
        self._count(request, queued)
        return queued

    def _redis_failed(self, exc: RedisError) -> None:
        if self.loop is not None:
            self.loop.redis_failed(exc)

    def _count(self, request: Request, queued: bool) -> None:
        stats = self.crawler.stats
        assert stats is not None
        if queued:
            stats.inc_value("scheduler/enqueued/redis")
        else:
            stats.inc_value("dupefilter/filtered")
            assert self.df is not None  # open() set it before any request
            self.df.log(request, self.spider)

    def next_request(self) -> Request | None:
        try:
            request: Request | None = super().next_request()
        except RedisError as exc:
            self._redis_failed(exc)
            return None
        if request is not None:
            self.held[request.meta[LEASE]] = request
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests()) or bool(self.unsent)
        except RedisError as exc:
            self._redis_failed(exc)
            return bool(self.unsent)

    # --- leases (called by the process's heartbeat loop) ---------------------------------

    def flush(self) -> None:
        """Queue what waited for Redis, then end the leases of finished requests. Raises
        RedisError (the loop reports it)."""
        self._send_unsent()
        self._release_finished()

    def recover(self) -> int:
        """After Redis was away: requeue the leases in this worker's in-flight hash that no
        request here holds (a pop whose reply was lost); how many."""
        orphans = [
            lease.decode() for lease in self.server.hkeys(self.queue.inflight_key)
            if lease.decode() not in self.held
        ]  # fmt: skip
        found = self.queue.requeue(orphans)
        if found:
            log.warning("%s requests taken while Redis was failing queued again", found)
        return found

    def wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def callback_failed(self, failure: Failure, response: Any, spider: Spider) -> None:
        """A callback that failed on Redis (a known-set lookup) is done again later."""
        if failure.check(RedisError):
            self._again(response)

    def item_failed(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        if failure.check(RedisError):
            self._again(response)

    def _again(self, response: Any) -> None:
        request = getattr(response, "request", None)
        lease = request.meta.get(LEASE) if request is not None else None
        if lease:
            self.again.add(lease)

    def _send_unsent(self) -> None:
        while self.unsent:
            request = self.unsent[0]
            queued = self.queue.push_new(request, self.df)  # the whole script, again
            self.unsent.pop(0)
            self._count(request, queued)

    def _release_finished(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is None:
            return
        busy = slot.inprogress
        done = [lease for lease in self.held if self.held[lease] not in busy]
        self.queue.requeue([lease for lease in done if lease in self.again])
        self.queue.release([lease for lease in done if lease not in self.again])
        for lease in done:
            del self.held[lease]
            self.again.discard(lease)

    def close(self, reason: str) -> Deferred[None] | None:
        if self.loop is not None:
            self.loop.remove_scheduler(self)
        if self.unsent:
            return deferred_from_coro(self._close_later(reason))
        self._close_now(reason)
        return None

    async def _close_later(self, reason: str) -> None:
        """Retry the requests still waiting for Redis, for a while, before giving up."""
        from twisted.internet import reactor  # the installed one (imported late on purpose)

        deadline = time.monotonic() + CLOSE_WAIT_SECONDS
        while self.unsent and time.monotonic() < deadline:
            try:
                self._send_unsent()
            except RedisError as exc:
                log.warning("%s requests wait for Redis before closing (%s)", len(self.unsent), exc)
                await task.deferLater(reactor, 1.0, lambda: None)
        self._close_now(reason)

    def _close_now(self, reason: str) -> None:
        try:
            self._send_unsent()
            self._release_finished()
            returned = self.queue.give_back()
        except RedisError as exc:  # the leases expire and a peer requeues them
            log.error("could not return this worker's requests to Redis: %s", exc)
            for request in self.unsent:
                log.error("request lost, Redis unreachable at close: %s", request.url)
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value("newsdesk/queue/lost_at_close", len(self.unsent))
        else:
            if returned:
                log.info("%s unfinished requests returned to the queue", returned)
        super().close(reason)
