"""Scrapy settings of a cluster worker: the single-machine settings (``crawl_settings``)
with scrapy-redis's scheduler, queue and duplicate filter, the JSON serializer, and the
Redis page pipeline in place of the SQLite one."""

from __future__ import annotations

from scrapy.settings import Settings

from crawler.cluster import keys
from crawler.settings import crawl_settings
from digest.cluster import payload_limit
from digest.config import Config

REDIS_PARAMS = {
    # every get_redis_from_settings of the process returns one client, one pool
    "redis_cls": "crawler.cluster.connection.SharedRedis",
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
    "retry_on_timeout": True,
    "health_check_interval": 15,
}


def cluster_settings(
    cfg: Config,
    redis_url: str,
    *,
    worker_id: str,
    once: bool,
    log_level: str | None = None,
) -> Settings:
    """Settings for one worker process; ``once``: a one-shot crawl that ends when drained."""
    settings = crawl_settings(cfg, log_level=log_level)
    cluster = cfg.cluster
    settings.setdict(
        {
            "SCHEDULER": "crawler.cluster.scheduler.LeasingScheduler",
            "SCHEDULER_QUEUE_CLASS": "crawler.cluster.queue.LeasedPriorityQueue",
            "SCHEDULER_QUEUE_KEY": keys.QUEUE,
            "DUPEFILTER_CLASS": "crawler.cluster.dupefilter.DailyDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": keys.SEEN,
            "SCHEDULER_SERIALIZER": "crawler.cluster.serializer",
            "SCHEDULER_PERSIST": True,  # a worker that stops leaves the frontier in Redis
            "SCHEDULER_FLUSH_ON_START": False,
            "REDIS_URL": redis_url,
            "REDIS_PARAMS": REDIS_PARAMS,
            "ITEM_PIPELINES": {"crawler.cluster.pipeline.PushPagesPipeline": 800},
            "EXTENSIONS": {"crawler.cluster.worker.ClusterWorker": 500},
            # Several processes would share one cache folder; listings are fetched whole.
            "HTTPCACHE_ENABLED": False,
            "NEWSDESK_DB_PATH": "",  # workers never open the store
            "NEWSDESK_REFRESH": False,
            "NEWSDESK_PROCESS": False,
            "NEWSDESK_CLUSTER_WORKER_ID": worker_id,
            "NEWSDESK_CLUSTER_ONCE": once,
            "NEWSDESK_CLUSTER_INTERVAL_MINUTES": cfg.crawl_interval_minutes,
            "NEWSDESK_CLUSTER_LEASE_SECONDS": cluster.lease_seconds,
            "NEWSDESK_CLUSTER_MAX_QUEUED_PAGES": cluster.max_queued_pages,
            "NEWSDESK_CLUSTER_DUPEFILTER_DAYS": cluster.dupefilter_days,
            "NEWSDESK_CLUSTER_PAYLOAD_LIMIT": payload_limit(cfg.max_page_mib),
        },
        priority="cmdline",
    )
    return settings
