"""Scrapy settings for newsdesk's crawls.

Module-level names are the fixed defaults; ``crawl_settings`` layers the values that come
from the one config object (User-Agent, delay, store path) on top. newsdesk's own
settings start with ``NEWSDESK_`` and are read in ``from_crawler``.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from digest.config import Config

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
# Cookies are not needed to read news pages, and Scrapy's cookie middleware asks
# tldextract for the public-suffix list, which it downloads on first use.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

ITEM_PIPELINES = {"crawler.pipelines.persist.StorePagesPipeline": 800}

# newsdesk's own settings
NEWSDESK_DB_PATH = ""  # the SQLite store the pipeline writes to
NEWSDESK_BATCH_SIZE = 25  # pages written per transaction
NEWSDESK_REFRESH = False  # fetch article pages already in the store again


def crawl_settings(cfg: Config, *, refresh: bool = False, log_level: str | None = None) -> Settings:
    """Scrapy settings for one crawl process, from this module and the config."""
    settings = Settings()
    settings.setmodule(__name__, priority="project")
    settings.setdict(
        {
            "USER_AGENT": cfg.user_agent,
            "DOWNLOAD_DELAY": cfg.download_delay,
            "AUTOTHROTTLE_START_DELAY": max(cfg.download_delay, 0.1),
            "NEWSDESK_DB_PATH": str(Path(cfg.db_path)),
            "NEWSDESK_REFRESH": refresh,
            **({"LOG_LEVEL": log_level} if log_level else {}),
        },
        priority="cmdline",
    )
    return settings
