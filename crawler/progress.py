"""A running count of each source's crawl, for the progress display of the process that
started the crawl (``newsdesk crawl``, ``run --once``, the service's log).

Enabled by ``NEWSDESK_PROGRESS_DIR``: once a second, and when the spider closes, the
source's counts are written to ``<dir>/<source>.json`` (replaced whole, so a reader never
sees half a file). The counts come from the crawl's own stats; nothing else is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

if TYPE_CHECKING:
    from crawler.spiders.news import NewsSpider

INTERVAL_SECONDS = 1.0


def counts(stats: dict[str, Any]) -> dict[str, int]:
    """What the display shows of a crawl's stats: requests, new pages, articles processed."""
    processed = sum(v for k, v in stats.items() if k.startswith("newsdesk/processed/"))
    return {
        "requests": int(stats.get("downloader/request_count", 0)),
        "pages": int(stats.get("newsdesk/pages/saved", 0)),
        "processed": int(processed),
    }


class CrawlProgress:
    """Writes one source's counts to a file in ``NEWSDESK_PROGRESS_DIR`` once a second."""

    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.path: Path | None = None
        self.loop = LoopingCall(self.write)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        folder = crawler.settings.get("NEWSDESK_PROGRESS_DIR")
        if not folder:
            raise NotConfigured("NEWSDESK_PROGRESS_DIR is not set")
        extension = cls(crawler, Path(folder))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: NewsSpider) -> None:
        self.path = self.folder / f"{spider.source.name}.json"
        self.loop.start(INTERVAL_SECONDS, now=True)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop.running:
            self.loop.stop()
        self.write()

    def write(self) -> None:
        if self.path is None or self.crawler.stats is None:
            return
        temporary = self.path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(counts(self.crawler.stats.get_stats())))
            temporary.replace(self.path)
        except OSError:
            pass  # a display, not a record: the crawl goes on without it
