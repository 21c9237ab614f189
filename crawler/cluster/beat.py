"""The one heartbeat loop of a worker process, whatever the number of sources it crawls.

A worker process runs one Scrapy crawler per source. What must happen every second is
done here once for the whole process, through its one Redis client
(``crawler/cluster/connection.py``), instead of once per source:

- renew the process's heartbeat key (``keys.alive``): one SET;
- for every scheduler of the process, queue what waited for Redis and end the leases of
  finished requests (Redis calls only when there is something to do), then wake the
  engines whose queue has work (one pipeline of ZCARDs);
- for every crawler, the ClusterWorker extension's duties (a new slot, the report): the
  reports of all sources go in one pipeline;
- when Redis is back after failing, requeue the requests a lost reply leased to this
  process without its knowing (``LeasingScheduler.recover``);
- put back the requests of peers whose heartbeat expired (``reclaim_dead``): one SMEMBERS
  and one pipeline of EXISTS, then a script per frontier a dead peer held leases in.

After Redis was unreachable, peers' heartbeats may have expired meanwhile although the
peers are alive: they renew them within a second of Redis coming back. So this process
reclaims nothing until ``lease_seconds`` after it has reached Redis again; otherwise one
outage longer than a lease would make every worker requeue every other's requests.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from redis.exceptions import RedisError
from twisted.internet import task

from crawler.cluster import keys
from crawler.cluster.queue import reclaim

if TYPE_CHECKING:
    from crawler.cluster.scheduler import LeasingScheduler

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0

# KEYS: the workers set, the worker's heartbeat, its holds set; ARGV: the worker id
_FORGET = """
if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('SREM', KEYS[1], ARGV[1])
end
return 0
"""


class Duty(Protocol):
    """What a ClusterWorker extension does each tick (``crawler/cluster/worker.py``)."""

    def tick(self, pipe: Any) -> None: ...

    def reported(self) -> None: ...


class ProcessLoop:
    def __init__(self, redis: Any, worker: str, lease_seconds: float) -> None:
        self.redis = redis
        self.worker = worker
        self.lease_seconds = lease_seconds
        self.schedulers: list[LeasingScheduler] = []
        self.duties: list[Duty] = []
        self.loop: task.LoopingCall | None = None
        self.redis_down = False
        self.reclaim_after = 0.0  # monotonic time before which no peer is reclaimed
        self._forget = redis.register_script(_FORGET)

    # --- who takes part --------------------------------------------------------------------

    def add_scheduler(self, scheduler: LeasingScheduler) -> None:
        self.schedulers.append(scheduler)
        self._start()

    def remove_scheduler(self, scheduler: LeasingScheduler) -> None:
        if scheduler in self.schedulers:
            self.schedulers.remove(scheduler)
        self._stop_if_unused()

    def add_duty(self, duty: Duty) -> None:
        self.duties.append(duty)
        self._start()

    def remove_duty(self, duty: Duty) -> None:
        if duty in self.duties:
            self.duties.remove(duty)
        self._stop_if_unused()

    def _start(self) -> None:
        if self.loop is None:
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(min(TICK_SECONDS, self.lease_seconds / 3), now=False)

    def _stop_if_unused(self) -> None:
        if not self.schedulers and not self.duties and self.loop is not None:
            if self.loop.running:
                self.loop.stop()
            self.loop = None
            try:  # gone for good: no need for peers to wait for the heartbeat to expire
                self.redis.delete(keys.alive(self.worker))
                self._forget(
                    keys=[keys.WORKERS, keys.alive(self.worker), keys.holds(self.worker)],
                    args=[self.worker],
                )
            except RedisError as exc:
                log.warning("could not sign off from Redis (the heartbeat expires): %s", exc)

    # --- each tick -------------------------------------------------------------------------

    def beat(self) -> None:
        self.redis.set(keys.alive(self.worker), "1", px=int(self.lease_seconds * 1000))

    def tick(self) -> None:
        try:
            self.beat()
            for scheduler in list(self.schedulers):
                scheduler.flush()
            self._duties()
            self._wake()
            if self.redis_down:
                log.warning("Redis is back")
                for scheduler in list(self.schedulers):
                    scheduler.recover()
                self.redis_down = False
                self.reclaim_after = time.monotonic() + self.lease_seconds
            if time.monotonic() >= self.reclaim_after:
                self.reclaim_dead()
        except RedisError as exc:
            self.redis_failed(exc)
        except Exception:  # a bug must not stop the heartbeat (peers would reclaim)
            log.exception("the heartbeat loop's tick failed")

    def _duties(self) -> None:
        if not self.duties:
            return
        pipe = self.redis.pipeline(transaction=False)
        for duty in list(self.duties):
            duty.tick(pipe)
        if len(pipe):
            pipe.execute()
        for duty in list(self.duties):
            duty.reported()

    def _wake(self) -> None:
        """Wake the engines that have requests to take (one round trip for all)."""
        schedulers = list(self.schedulers)
        if not schedulers:
            return
        pipe = self.redis.pipeline(transaction=False)
        for scheduler in schedulers:
            pipe.zcard(scheduler.queue.key)
        for scheduler, queued in zip(schedulers, pipe.execute(), strict=True):
            if queued or scheduler.once:  # a one-shot crawl checks soon whether it is done
                scheduler.wake()

    def redis_failed(self, exc: RedisError) -> None:
        if not self.redis_down:
            log.error("Redis unavailable (%s): waiting for it", exc)
        self.redis_down = True

    def reclaim_dead(self) -> int:
        """Requeue the requests of peers whose heartbeat has expired; return how many."""
        peers = [m.decode() for m in self.redis.smembers(keys.WORKERS)]
        peers = [p for p in peers if p != self.worker]
        if not peers:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for peer in peers:
            pipe.exists(keys.alive(peer))
        dead = [p for p, up in zip(peers, pipe.execute(), strict=True) if not up]
        total = 0
        for peer in dead:
            found = 0
            for member in self.redis.smembers(keys.holds(peer)):
                n = reclaim(self.redis, member.decode(), peer)
                found += max(n, 0)
            self._forget(keys=[keys.WORKERS, keys.alive(peer), keys.holds(peer)], args=[peer])
            if found:
                log.warning("worker %s stopped answering: %s requests queued again", peer, found)
            total += found
        return total


_loops: dict[str, ProcessLoop] = {}


def process_loop(redis: Any, worker: str, lease_seconds: float) -> ProcessLoop:
    """This process's loop (one per worker id, which is one per process)."""
    loop = _loops.get(worker)
    if loop is None:
        loop = _loops[worker] = ProcessLoop(redis, worker, lease_seconds)
    return loop
