"""Crawling on several machines: scrapy-redis's shared frontier, with what newsdesk adds.

``newsdesk worker`` (any machine, any number) and ``newsdesk crawl --redis`` run the
ordinary ``NewsSpider`` logic with scrapy-redis's scheduler, queue and duplicate filter,
so every worker takes requests from one Redis frontier. On top of scrapy-redis:

- ``serializer``: JSON instead of pickle for queued requests;
- ``queue``: a lease on every request a worker takes, so a killed worker's requests
  come back;
- ``dupefilter``: fingerprints kept in one Redis set per day, so the filter forgets;
- ``spider``: seeds pushed once per schedule slot by one coordinator, known URLs
  checked in Redis instead of SQLite;
- ``pipeline``: pages pushed (compressed, bounded, with back-pressure) to the store
  machine's ingest writer (``digest/ingest.py``) instead of written to SQLite;
- ``worker``: the coordinator's duty, the report, and a one-shot crawl's end;
- ``beat``: the one heartbeat loop of a worker process (heartbeat, leases, reports,
  reclaiming dead peers' requests), whatever the number of sources;
- ``connection``: the one Redis client of a worker process;
- ``keys``: every Redis key name.

See docs/scale-out.md. Nothing here is imported when no Redis URL is configured.
"""

from digest.cluster import require_cluster_extra

# Without the 'cluster' extra (redis, scrapy-redis) every import from here says so in one
# line (a ConfigError: exit 2) rather than with a traceback.
require_cluster_extra("scrapy_redis")
