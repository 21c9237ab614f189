"""Scrapy settings for newsdesk's crawls.

Module-level names are the fixed defaults; ``crawl_settings`` layers the values that come
from the one config object (User-Agent, delay, store path) on top. newsdesk's own
settings start with ``NEWSDESK_`` and are read in ``from_crawler``.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from digest.config import Config, Source

BOT_NAME = "newsdesk"
SPIDER_MODULES = ["crawler.spiders"]

# Politeness: obey robots.txt, adapt the pace to the server, one or two requests at a time.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 1
# A response yields at most one item and Scrapy starts this many tasks for each response's
# output whatever it yields: 100 (the default) cost a tenth of the crawl process's CPU.
CONCURRENT_ITEMS = 4
DEPTH_LIMIT = 12  # a backstop; each source's max_depth bounds pagination first
# Cookies are not needed to read news pages, and Scrapy's cookie middleware asks
# tldextract for the public-suffix list, which it downloads on first use.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control extension runs Python code sent to a local HTTP port and writes
# job files to the user's profile; an unattended crawler must not offer either.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "WARNING"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.PublicAddressMiddleware": 60,
    "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
    "crawler.middlewares.RequestBudgetMiddleware": 120,  # off unless NEWSDESK_REQUEST_BUDGET
}
ITEM_PIPELINES = {"crawler.pipelines.persist.StorePagesPipeline": 800}
EXTENSIONS = {"crawler.progress.CrawlProgress": 500}  # off unless NEWSDESK_PROGRESS_DIR is set

# Listing pages (sections, feeds, sitemaps) are kept in an HTTP cache and revalidated
# with If-None-Match / If-Modified-Since; article pages are never cached.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawler.middlewares.ListingCachePolicy"
HTTPCACHE_STORAGE = "crawler.middlewares.ListingCacheStorage"  # gzip level 1
HTTPCACHE_GZIP = True

# newsdesk's own settings
NEWSDESK_DB_PATH = ""  # the SQLite store the pipeline writes to
NEWSDESK_BATCH_SIZE = 10  # pages written per transaction, at the most
NEWSDESK_BATCH_SECONDS = 2.0  # and at least this often while pages arrive
NEWSDESK_SITEMAP_MAX_AGE_DAYS = 3.0  # sitemap entries older than this are skipped
NEWSDESK_REFRESH = False  # fetch article pages already in the store again
NEWSDESK_PRIVATE_HOSTS: list[str] = []  # hosts of sources that opted in to private addresses
NEWSDESK_PROCESS = False  # extract and summarise pages while the crawl runs
NEWSDESK_CONFIG_PATH = ""  # the config file, which the processing workers read
NEWSDESK_PROGRESS_DIR = ""  # each source's running counts go here (crawler/progress.py)
NEWSDESK_REQUEST_BUDGET = 0  # requests a crawl may send, robots.txt included (0: no limit)


def crawl_settings(
    cfg: Config,
    *,
    refresh: bool = False,
    backfill_days: float | None = None,
    log_level: str | None = None,
    process: bool = False,
    progress_dir: Path | None = None,
) -> Settings:
    """Scrapy settings for one crawl process, from this module and the config."""
    settings = Settings()
    settings.setmodule(__name__, priority="project")
    settings.setdict(
        {
            "USER_AGENT": cfg.user_agent,
            "DOWNLOAD_DELAY": cfg.download_delay,
            "DOWNLOAD_TIMEOUT": cfg.download_timeout_seconds,
            "DOWNLOAD_MAXSIZE": int(cfg.max_page_mib * 1024 * 1024),
            "DOWNLOAD_WARNSIZE": int(cfg.max_page_mib * 1024 * 1024 / 4),
            "AUTOTHROTTLE_START_DELAY": max(cfg.download_delay, 0.1),
            "NEWSDESK_DB_PATH": str(Path(cfg.db_path)),
            "NEWSDESK_REFRESH": refresh,
            "NEWSDESK_PROCESS": process,
            "NEWSDESK_CONFIG_PATH": str(cfg.config_path or ""),
            "NEWSDESK_PROGRESS_DIR": str(progress_dir or ""),
            "NEWSDESK_SITEMAP_MAX_AGE_DAYS": backfill_days or cfg.sitemap_max_age_days,
            "HTTPCACHE_DIR": str(Path(cfg.data_dir) / "httpcache"),
            "NEWSDESK_PRIVATE_HOSTS": sorted(
                {host for s in cfg.sources if s.allow_private_address for host in s.hosts}
            ),
            **({"LOG_LEVEL": log_level} if log_level else {}),
        },
        priority="cmdline",
    )
    return settings


def apply_source_settings(
    settings: Settings, source: Source, queue_dir: Path | None = None
) -> None:
    """Set one source's pace (requests at a time, AutoThrottle) on its crawler's settings:
    each source runs in its own Scrapy crawler, so its pace is its own. Its waiting
    requests are kept on disk in ``queue_dir`` when given (Scrapy's JOBDIR, one per crawler
    and crawl): a sitemap of 20,000 new URLs must not sit in memory as 20,000 requests."""
    if queue_dir is not None:
        settings.set("JOBDIR", str(queue_dir), priority="cmdline")
    settings.setdict(
        {
            "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency,
            "CONCURRENT_REQUESTS": max(settings.getint("CONCURRENT_REQUESTS"), source.concurrency),
            "AUTOTHROTTLE_ENABLED": source.autothrottle,
        },
        priority="cmdline",
    )
