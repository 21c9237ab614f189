"""The listing cache's storage: Scrapy's file cache, gzipped at level 1; files written at
gzip's default level 9 (by earlier versions) still read."""

from __future__ import annotations

import gzip
from pathlib import Path

from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.middlewares import ListingCacheStorage


def test_a_listing_is_cached_and_read_back_whatever_its_gzip_level(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(tmp_path), "HTTPCACHE_GZIP": True})
    spider = Spider.from_crawler(crawler, name="s")
    storage = ListingCacheStorage(crawler.settings)
    storage.open_spider(spider)
    request = Request("https://news.example/business/")
    body = b"<html><body>" + b"<a href='/2026/11/a/'>A story</a>" * 200 + b"</body></html>"
    response = HtmlResponse(request.url, body=body, headers={"ETag": '"v1"'})
    storage.store_response(spider, request, response)
    cached = storage.retrieve_response(spider, request)
    assert cached is not None and cached.body == body
    folder = Path(storage._get_request_path(spider, request))
    written = (folder / "response_body").read_bytes()
    assert written[:2] == b"\x1f\x8b" and gzip.decompress(written) == body
    (folder / "response_body").write_bytes(gzip.compress(body, compresslevel=9))
    again = storage.retrieve_response(spider, request)
    assert again is not None and again.body == body
    assert len(written) > len(gzip.compress(body, compresslevel=9))  # level 1, not 9
