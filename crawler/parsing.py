"""Pure functions that read links out of listing pages, feeds and sitemaps.

They take a Scrapy ``Response`` (or text) and return URLs, so tests can feed them a
response built from a fixture.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from digest.config import Source

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def on_site(url: str, source: Source) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in source.domains)


def is_article_candidate(url: str, source: Source) -> bool:
    """Whether ``url`` should be fetched as a possible article of ``source``."""
    if urlsplit(url).scheme not in ("http", "https") or not on_site(url, source):
        return False
    if any(re.search(p, url) for p in source.deny_patterns):
        return False
    return not source.article_patterns or any(re.search(p, url) for p in source.article_patterns)


def page_links(response: Response) -> list[str]:
    """Absolute http(s) links of an HTML page, without fragments, in page order."""
    seen: dict[str, None] = {}
    for href in response.xpath("//a/@href").getall():
        url = urldefrag(response.urljoin(href.strip())).url
        if urlsplit(url).scheme in ("http", "https"):
            seen.setdefault(url, None)
    return list(seen)


def feed_links(response: Response) -> list[str]:
    """Feeds a page announces with <link rel="alternate" type="application/rss+xml">."""
    hrefs = []
    for link in response.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower()
        if "alternate" in rel and kind in FEED_TYPES:
            hrefs.append(response.urljoin(link.attrib["href"].strip()))
    return hrefs


def feed_entries(response: Response) -> list[str]:
    """Entry links of an RSS 2.0, RSS 1.0 or Atom feed."""
    selector = response.selector
    selector.remove_namespaces()
    links = selector.xpath("//item/link/text()").getall()
    links += selector.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
    return [response.urljoin(link.strip()) for link in links if link.strip()]


def sitemap_entries(response: Response) -> tuple[str, list[str]]:
    """(kind, locs) of a sitemap: kind is 'urlset' or 'sitemapindex'; gzip is unpacked."""
    body = response.body
    if body[:2] == gzip_magic_number:
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    sitemap = Sitemap(body)
    return sitemap.type, [entry["loc"] for entry in sitemap if entry.get("loc")]
