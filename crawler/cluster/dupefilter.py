"""scrapy-redis's duplicate filter, in one Redis set per UTC day that expires.

scrapy-redis keeps every fingerprint in one set forever; a crawler that runs for months
would fill Redis. Here a request is a duplicate when its fingerprint is in any of the
last ``NEWSDESK_CLUSTER_DUPEFILTER_DAYS`` daily sets; new ones go into today's set, which
expires after that many days. Articles already stored are kept out for good by the known
sets (``crawler/cluster/spider.py``), not by this filter.

Listing pages (homepage, sections, feeds, sitemaps) must be read again in every schedule
slot, so their fingerprint includes the slot (request meta ``newsdesk_slot``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Self

from scrapy import Request, Spider
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.cluster import keys

SLOT = "newsdesk_slot"  # request meta key: the schedule slot a listing request belongs to
DAY = 86400

# KEYS: the daily sets, today's first; ARGV: fingerprint, seconds to keep today's set
_SEEN = """
for i = 1, #KEYS do
  if redis.call('SISMEMBER', KEYS[i], ARGV[1]) == 1 then return 1 end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0
"""


class DailyDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis has no type hints
    def __init__(self, server: Any, key: str, debug: bool = False, days: int = 7) -> None:
        super().__init__(server, key, debug)
        self.days = days
        self._seen = server.register_script(_SEEN)

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        settings = spider.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY", keys.SEEN) % {"spider": spider.name}
        return cls(
            get_redis_from_settings(settings),
            key,
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            days=settings.getint("NEWSDESK_CLUSTER_DUPEFILTER_DAYS", 7),
        )

    def request_fingerprint(self, request: Request) -> str:
        fingerprint: str = super().request_fingerprint(request)
        slot = request.meta.get(SLOT)
        return fingerprint if slot is None else f"{fingerprint}@{slot}"

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.request_fingerprint(request)
        return bool(self._seen(keys=self.day_keys(), args=[fingerprint, self.days * DAY]))

    def day_keys(self, today: date | None = None) -> list[str]:
        """The daily sets that are checked, today's first."""
        today = today or datetime.now(UTC).date()
        days = (today - timedelta(days=n) for n in range(self.days))
        return [f"{self.key}:{day:%Y%m%d}" for day in days]

    def clear(self) -> None:
        self.server.delete(*self.day_keys())
