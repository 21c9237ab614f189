"""Write fetched pages to the store in small batches, one short write transaction each.

A crawl killed mid-way loses at most one batch, which the next crawl fetches again.

With ``NEWSDESK_PROCESS`` (``crawl --process``), each new page also goes to the worker
pool (crawler/pipelines/processing.py) and the outcomes are saved with the next batch, in
the same transaction: pages and articles have this one writer. A page whose outcome is
not saved when the crawl ends stays pending for ``newsdesk process``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from sqlite_utils import Database
from twisted.internet.task import LoopingCall

from crawler.items import PageItem
from crawler.pipelines.processing import CrawlProcessor
from digest import store
from digest.process import Outcome, ProcessResult, save_outcomes

log = logging.getLogger(__name__)


class StorePagesPipeline:
    def __init__(
        self,
        crawler: Crawler,
        db_path: str,
        batch_size: int,
        batch_seconds: float,
        process_config: str | None = None,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.buffer: list[PageItem] = []
        self.flushed_at = time.monotonic()
        self.db: Database | None = None
        self.process_config = process_config  # the config file, when pages are processed
        self.processor: CrawlProcessor | None = None
        self.outcomes: list[Outcome] = []
        self.ticker: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        db_path = crawler.settings.get("NEWSDESK_DB_PATH")
        if not db_path:
            raise NotConfigured("NEWSDESK_DB_PATH is not set")
        settings = crawler.settings
        return cls(
            crawler,
            db_path,
            settings.getint("NEWSDESK_BATCH_SIZE"),
            settings.getfloat("NEWSDESK_BATCH_SECONDS"),
            settings.get("NEWSDESK_CONFIG_PATH") if settings.getbool("NEWSDESK_PROCESS") else None,
        )

    def open_spider(self) -> None:
        self.db = store.open_db(Path(self.db_path))
        if self.process_config:
            assert self.crawler.engine is not None
            self.processor = CrawlProcessor.acquire(self.process_config, self.crawler.engine)
            # Outcomes keep arriving while no page does (the crawl waiting on the pool).
            self.ticker = LoopingCall(self.flush_if_due)
            self.ticker.start(self.batch_seconds, now=False)

    async def process_item(self, item: PageItem) -> PageItem:
        self.buffer.append(item)
        self.flush_if_due()
        if self.processor is not None and item.not_article is None:
            await maybe_deferred_to_future(self.processor.submit(item, self.outcomes.append))
        return item

    async def close_spider(self) -> None:
        if self.processor is not None:
            await maybe_deferred_to_future(self.processor.drained())
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        self.flush()
        if self.buffer:  # the store refused them to the end: the source is not "ok"
            assert self.stats is not None
            self.stats.set_value("newsdesk/pages/unsaved", len(self.buffer))
        if self.processor is not None:
            assert self.crawler.engine is not None and self.stats is not None
            self.stats.set_value("newsdesk/processing/pauses", self.processor.pauses)
            self.stats.set_value("newsdesk/processing/most_waiting", self.processor.most_waiting)
            self.processor.release(self.crawler.engine)
        if self.db is not None:
            self.db.close()

    def flush_if_due(self) -> None:
        waited = time.monotonic() - self.flushed_at
        if len(self.buffer) + len(self.outcomes) >= self.batch_size or waited >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        if not (self.buffer or self.outcomes) or self.db is None:
            return
        result = ProcessResult()
        try:
            with store.write(self.db):
                saved, unchanged = store.save_pages(self.db, self.buffer)
                save_outcomes(self.db, self.outcomes, result)
        except (store.StoreBusy, store.StoreFull, store.StoreCorrupt) as exc:
            # Rolled back whole; pages and outcomes stay buffered for the next flush. Pages
            # still unsaved when the crawl ends are unknown to the store, so the next crawl
            # fetches them again: nothing is lost, only fetched twice. The source's report
            # counts them (not_saved) and is not "ok".
            assert self.stats is not None
            self.stats.inc_value(f"newsdesk/store/{type(exc).__name__}")
            self.stats.set_value("newsdesk/store/last_error", f"{type(exc).__name__}: {exc}")
            log.warning("%s pages not written yet: %s", len(self.buffer), exc)
            return
        self.buffer.clear()
        self.outcomes.clear()
        self.flushed_at = time.monotonic()
        assert self.stats is not None
        self.stats.inc_value("newsdesk/pages/saved", saved)
        self.stats.inc_value("newsdesk/pages/unchanged", unchanged)
        for state, count in result.counts.items():
            self.stats.inc_value(f"newsdesk/processed/{state}", count)
