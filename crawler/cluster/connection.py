"""One Redis client per worker process, shared by all its crawlers.

A worker runs one Scrapy crawler per source, and scrapy-redis makes a client (with its own
connection pool) for each scheduler, duplicate filter, pipeline and extension that asks
for one. ``REDIS_PARAMS["redis_cls"]`` names ``SharedRedis`` (``crawler/cluster/settings.py``),
so every ``get_redis_from_settings`` of the process returns the same client, and the
process holds one pool: as many connections as it uses at once, not five per source.
redis-py clients are thread-safe (the page pipeline calls Redis from threads).
"""

from __future__ import annotations

import threading
from typing import Any

import redis

_lock = threading.Lock()
_clients: dict[tuple[str, str], redis.Redis] = {}


class SharedRedis(redis.Redis):
    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        key = (url, repr(sorted(kwargs.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = redis.Redis.from_url(url, **kwargs)
            return client
