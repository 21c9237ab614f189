"""Write the survey spider's records to a JSON Lines file (``NEWSDESK_SURVEY_OUT``), for
digest/survey.py to read; the last line sums the survey up (requests made, the sitemaps
robots.txt named)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class WriteRecordsPipeline:
    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("NEWSDESK_SURVEY_OUT")
        if not path:
            raise NotConfigured("NEWSDESK_SURVEY_OUT is not set")
        return cls(crawler, path)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.file = Path(self.path).open("w", encoding="utf-8")  # noqa: SIM115 (closed at close)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.file is not None
        self.file.write(json.dumps(item) + "\n")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        assert self.file is not None
        stats = self.crawler.stats
        spider = spider or self.crawler.spider
        summary = {
            "kind": "summary",
            "requests": stats.get_value("downloader/request_count", 0),
            "robots_sitemaps": getattr(spider, "robots_sitemaps", []),
            "moved_to": getattr(spider, "moved_to", None),
        }
        self.file.write(json.dumps(summary) + "\n")
        self.file.close()
