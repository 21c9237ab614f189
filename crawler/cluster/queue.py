"""scrapy-redis's priority queue, with a lease on every request a worker takes.

scrapy-redis pops a request from the shared sorted set and forgets it: a worker killed
before it has finished a page loses that page for good. Here the pop moves the request
into the worker's in-flight hash, in the same Lua script; the scheduler
(``crawler/cluster/scheduler.py``) deletes the entry once Scrapy is done with the
request, and the process's heartbeat (``crawler/cluster/beat.py``) keeps a key alive. Any
worker that finds a peer's heartbeat gone puts that peer's in-flight requests back into
the queues (``beat.reclaim_dead``).

A lease is "<score> <n>": the score, so a reclaimed request goes back at its own priority,
and a number this process never gives twice, so a request popped again (requeued, then
taken once more) gets a new lease and the end of one lease never ends another.

A request is pushed with ``push_new``: the duplicate filter's check and the push are one
Lua script, so a failed call (Redis went away) either did both or neither and can simply
be made again; nothing is recorded as seen without being queued.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue

from crawler.cluster import keys, serializer
from crawler.cluster.dupefilter import DailyDupeFilter

log = logging.getLogger(__name__)

LEASE = "newsdesk_lease"  # request meta key: the lease of a request taken from the queue
_tokens = itertools.count(1)  # process-wide: leases are per worker process

# KEYS: queue, this worker's in-flight hash, the workers set, this worker's holds set
# ARGV: worker id, spider name, a token unique in this process
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
local lease = top[2] .. ' ' .. ARGV[3]
redis.call('HSET', KEYS[2], lease, top[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[2])
return {lease, top[1]}
"""
# KEYS: queue, a worker's in-flight hash, its heartbeat, its holds set
# ARGV: the spider name, '1' to requeue even while the heartbeat lives (its own close)
_RECLAIM = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  redis.call('ZADD', KEYS[1], tonumber(string.match(entries[i], '^(%S+)')), entries[i + 1])
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return #entries / 2
"""
# KEYS: queue, this worker's in-flight hash; ARGV: the leases to put back
_REQUEUE = """
local n = 0
for i = 1, #ARGV do
  local data = redis.call('HGET', KEYS[2], ARGV[i])
  if data then
    redis.call('ZADD', KEYS[1], tonumber(string.match(ARGV[i], '^(%S+)')), data)
    redis.call('HDEL', KEYS[2], ARGV[i])
    n = n + 1
  end
end
return n
"""
# KEYS: the duplicate filter's daily sets (today's first; none: no filtering), the queue
# ARGV: fingerprint, seconds to keep today's set, the request, its score
_PUSH_NEW = """
local n = #KEYS - 1
for i = 1, n do
  if redis.call('SISMEMBER', KEYS[i], ARGV[1]) == 1 then return 0 end
end
if n > 0 then
  redis.call('SADD', KEYS[1], ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
redis.call('ZADD', KEYS[#KEYS], ARGV[4], ARGV[3])
return 1
"""


class LeasedPriorityQueue(PriorityQueue):  # type: ignore[misc]  # scrapy-redis has no type hints
    """The shared frontier of one source, as one worker sees it."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.worker: str = spider.settings.get("NEWSDESK_CLUSTER_WORKER_ID")
        if not self.worker:
            raise ValueError("NEWSDESK_CLUSTER_WORKER_ID is not set")
        self.inflight_key = keys.inflight(spider.name, self.worker)
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._push_new = server.register_script(_PUSH_NEW)

    def _encode_request(self, request: Request) -> bytes:
        obj = request.to_dict(spider=self.spider)
        # A request made from a leased one (a redirect, a retry) gets its own lease.
        obj["meta"] = {k: v for k, v in obj["meta"].items() if k != LEASE}
        return self.serializer.dumps(obj)  # type: ignore[no-any-return]

    def _decode_request(self, encoded_request: bytes) -> Request:
        obj, stripped = serializer.load_request(encoded_request)
        if stripped:
            self._stat("newsdesk/queue/meta_stripped", len(stripped))
        return request_from_dict(obj, spider=self.spider)

    def _stat(self, name: str, n: int = 1) -> None:
        stats = getattr(getattr(self.spider, "crawler", None), "stats", None)
        if stats is not None:
            stats.inc_value(name, n)

    def push_new(self, request: Request, dupefilter: DailyDupeFilter | None) -> bool:
        """Queue ``request`` unless the duplicate filter has seen it (in one script, see
        the module doc); whether it was queued."""
        data = self._encode_request(request)
        if request.dont_filter or dupefilter is None:
            day_keys: list[str] = []
            args: list[Any] = ["", 0]
        else:
            day_keys = dupefilter.day_keys()
            args = [dupefilter.request_fingerprint(request), dupefilter.days * 86400]
        found = self._push_new(keys=[*day_keys, self.key], args=[*args, data, -request.priority])
        return bool(found)

    def pop(self, timeout: int = 0) -> Request | None:
        """The highest-priority request, now leased to this worker; None when empty."""
        found = self._pop(
            keys=[self.key, self.inflight_key, keys.WORKERS, keys.holds(self.worker)],
            args=[self.worker, self.spider.name, next(_tokens)],
        )
        if not found:
            return None
        lease, data = found[0].decode("ascii"), found[1]
        try:
            request = self._decode_request(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # Not one of ours (or from an incompatible version): never run it, drop it.
            log.error("dropped an unreadable or refused request from %s: %s", self.key, exc)
            self._stat("newsdesk/queue/refused")
            self.release([lease])
            return None
        request.meta[LEASE] = lease
        return request

    def release(self, leases: list[str]) -> None:
        """Scrapy is done with these requests: end their leases."""
        if leases:
            self.server.hdel(self.inflight_key, *leases)

    def requeue(self, leases: list[str]) -> int:
        """Put these taken requests back into the queue, to be done again."""
        if not leases:
            return 0
        return int(self._requeue(keys=[self.key, self.inflight_key], args=leases))

    def give_back(self) -> int:
        """Put every request this worker still holds back into the queue (on close)."""
        return reclaim(self.server, self.spider.name, self.worker, force=True)


def reclaim(server: Any, spider: str, worker: str, *, force: bool = False) -> int:
    """Put ``worker``'s leased requests of ``spider`` back into its queue; -1 (nothing
    done) when the worker's heartbeat lives, unless ``force``."""
    script = server.register_script(_RECLAIM)
    found = script(
        keys=[keys.queue(spider), keys.inflight(spider, worker), keys.alive(worker),
              keys.holds(worker)],
        args=[spider, "1" if force else "0"],
    )  # fmt: skip
    return int(found)
