"""Write fetched pages to the store in small batches, one short write transaction each.

A crawl killed mid-way loses at most one batch, which the next crawl fetches again.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlite_utils import Database

from crawler.items import PageItem
from digest import store

log = logging.getLogger(__name__)


class StorePagesPipeline:
    def __init__(
        self, crawler: Crawler, db_path: str, batch_size: int, batch_seconds: float
    ) -> None:
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.buffer: list[PageItem] = []
        self.flushed_at = time.monotonic()
        self.db: Database | None = None

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
        )

    def open_spider(self) -> None:
        self.db = store.open_db(Path(self.db_path))

    def process_item(self, item: PageItem) -> PageItem:
        self.buffer.append(item)
        waited = time.monotonic() - self.flushed_at
        if len(self.buffer) >= self.batch_size or waited >= self.batch_seconds:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()

    def flush(self) -> None:
        if not self.buffer or self.db is None:
            return
        try:
            saved, unchanged = store.save_pages(self.db, self.buffer)
        except (store.StoreBusy, store.StoreFull) as exc:
            # Rolled back whole; the pages stay buffered for the next flush. Any still
            # unsaved when the crawl ends are unknown to the store, so the next crawl
            # fetches them again: nothing is lost, only fetched twice.
            assert self.stats is not None
            self.stats.inc_value(f"newsdesk/store/{type(exc).__name__}")
            log.warning("%s pages not written yet: %s", len(self.buffer), exc)
            return
        self.buffer.clear()
        self.flushed_at = time.monotonic()
        assert self.stats is not None
        self.stats.inc_value("newsdesk/pages/saved", saved)
        self.stats.inc_value("newsdesk/pages/unchanged", unchanged)
