"""Pure functions that read links out of listing pages, feeds and sitemaps, and judge URLs.

They take a Scrapy ``Response`` (or a URL) and return plain values, so tests can feed
them a response built from a fixture.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.gz import gunzip
from w3lib.html import get_base_url

from digest.clock import parse_iso
from digest.config import Source
from digest.pages import GZIP_MAGIC, decode_html
from digest.pagetags import declares_article
from digest.urls import clean_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
SKIPPED_EXTENSIONS = frozenset(f".{ext}" for ext in IGNORED_EXTENSIONS)
# URLs that generate endless pages: calendars, date pickers, deep pagination, print views.
TRAP_PATTERNS = re.compile(
    r"/(calendar|events?/\d{4})/|[?&](month|year|day|week|date|view|print|replytocom)="
    r"|/page/\d{3,}|[?&]page=\d{3,}|/(feed|trackback|wp-json|wp-admin|search)/|[?&]s=",
    re.IGNORECASE,
)
PAGE_LINK = re.compile(r"/page/\d+/?$|[?&](page|paged)=\d+$", re.IGNORECASE)
NEXT_TEXT = re.compile(r"^\s*(next|older|more)\b|[›»→]\s*$", re.IGNORECASE)
# A <meta> tag's content attribute (not data-content), for a test that needs no parse.
CONTENT_ATTR = re.compile(r"\scontent\s*=\s*([\"'])([^\"'<>]*)\1")
MAX_TAG = 2048  # og:type this far into a <meta> tag is not read without a parse
OG_TYPE_ENTITY = re.compile(r"og&(?:#0*58|#[xX]0*3[aA]|colon);?type")
# A link that names its host ("//" alone, or "http:///x", resolves against the page).
NAMES_HOST = re.compile(r"https?://[^/?#\s]")
# Resolved links remembered (``resolve``): a site's pages repeat their navigation, so most
# of a page's links were resolved on an earlier page. About 300 bytes each.
LINKS_REMEMBERED = 8192


class Document(Protocol):
    """What the link and metadata readers need of an HTML page: XPath, and relative links
    resolved as the page's <base href> says. A Scrapy response is one; so is ``Page``."""

    @property
    def url(self) -> str: ...

    @property
    def selector(self) -> Selector: ...

    def xpath(self, query: str) -> SelectorList[Selector]: ...

    def urljoin(self, url: str) -> str: ...


class Page:
    """An HTML page read once for the crawl: its text (decoded as every path of newsdesk
    decodes pages, ``page_text``) and one tree of it. Built beside the response, not in its
    caches: Scrapy keeps a response until everything its callback gave is handled (the
    page's item waits for the store and the workers), and a response's cached tree of a
    real page is 10 to 40 MB. A ``Page`` is dropped as soon as it has been read."""

    def __init__(self, response: TextResponse, text: str | None = None) -> None:
        self.url = response.url
        self.text = page_text(response) if text is None else text
        self.selector = Selector(text=self.text, type="html", base_url=response.url)
        self.base = get_base_url(self.text[:4096], response.url)

    def xpath(self, query: str) -> SelectorList[Selector]:
        return self.selector.xpath(query)

    def urljoin(self, url: str) -> str:
        return urljoin(self.base, url)


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    published: datetime | None  # news:publication_date, else lastmod


def on_site(url: str, source: Source) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in source.domains)


def is_article_candidate(url: str, source: Source) -> bool:
    """Whether ``url`` should be fetched as a possible article of ``source``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not on_site(url, source):
        return False
    if _extension(parts.path) in SKIPPED_EXTENSIONS or TRAP_PATTERNS.search(url):
        return False
    # The user's patterns run on RE2 (linear time), compiled once per config (#15).
    return source.takes_as_article(url)


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[name.rfind(".") :].lower() if "." in name else ""


def absolute(response: Document, href: str) -> str:
    """``href`` made absolute against the page and cleaned; "" when it cannot be parsed."""
    return resolve(response.urljoin(""), href)


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against the page's ``base`` and cleaned (no fragment, no
    tracking parameters); "" when it cannot be parsed. A link that names its host, or
    starts at the site's root, resolves the same on every page of the site: it is
    remembered by the site, not by the page."""
    href = href.strip()
    if NAMES_HOST.match(href):
        return _resolved("", href)
    if href.startswith("/") and not href.startswith("//"):
        return _resolved(_root(base), href)
    return _resolved(base, href)


@lru_cache(maxsize=LINKS_REMEMBERED)
def _resolved(base: str, href: str) -> str:
    try:
        return clean_url(urljoin(base, href))
    except ValueError:
        return ""


@lru_cache(maxsize=256)
def _root(base: str) -> str:
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    return f"{parts.scheme}://{parts.netloc}/" if parts.netloc else base


def strings(response: Document, query: str) -> list[str]:
    """The string results of an XPath query (attribute values, text), read straight from
    the page's tree: no selector object is made for each, as ``xpath().getall()`` does."""
    return [str(v) for v in response.selector.root.xpath(query, smart_strings=False)]


def page_links(response: Document) -> list[str]:
    """Absolute http(s) links of an HTML page, cleaned (no fragment, no tracking
    parameters), in page order, each once."""
    base = response.urljoin("")
    seen: dict[str, None] = {}
    for href in dict.fromkeys(strings(response, "//a/@href")):
        url = resolve(base, href)
        if url.startswith(("http://", "https://")):
            seen.setdefault(url, None)
    return list(seen)


def pagination_links(response: Document) -> list[str]:
    """The next page(s) of a listing: <link rel=next>, <a rel=next>, "Older posts" and
    /page/N/ links."""
    found = strings(response, "//link[@rel='next']/@href | //a[contains(@rel, 'next')]/@href")
    for anchor in response.selector.root.xpath("//a[@href]"):  # the whole document (*)
        href = anchor.get("href")
        if PAGE_LINK.search(href) or NEXT_TEXT.search(" ".join(anchor.xpath(".//text()"))):
            found.append(href)
    # (*) XPath, not the root's iter(): a page may parse into sibling <html> elements.
    current = clean_url(response.url)
    urls = {absolute(response, h): None for h in found}
    return [u for u in urls if u and u != current and not TRAP_PATTERNS.search(u)]


def feed_links(response: Document) -> list[str]:
    """Feeds a page announces with <link rel="alternate" type="application/rss+xml">."""
    hrefs = []
    for link in response.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower()
        if "alternate" in rel and kind in FEED_TYPES:
            hrefs.append(absolute(response, link.attrib["href"]))
    return [h for h in hrefs if h]


def feed_entries(response: TextResponse) -> list[str]:
    """Entry links of an RSS 2.0, RSS 1.0 or Atom feed."""
    selector = response.selector
    selector.remove_namespaces()
    links = selector.xpath("//item/link/text()").getall()
    links += selector.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
    return [url for url in (absolute(response, link) for link in links if link.strip()) if url]


def sitemap_entries(response: Response) -> tuple[str, list[SitemapEntry]]:
    """(kind, entries) of a sitemap, gzipped or not: kind is 'urlset' or 'sitemapindex'.
    Google News sitemaps give each entry its publication date.

    The XML is read as a stream and each entry dropped once read: a sitemap of tens of
    thousands of URLs (megabytes) never stands as a whole tree in memory."""
    body = response.body
    if body[:2] == GZIP_MAGIC:
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    events = etree.iterparse(
        io.BytesIO(body),
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    kind, entries, depth = "unknown", [], 0
    try:
        for event, element in events:
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                kind = etree.QName(element).localname
            elif event == "end" and depth == 1:  # one <url> or <sitemap> read whole
                entry = _sitemap_entry(element)
                if entry is not None:
                    entries.append(entry)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError:  # nothing parseable, or garbage after the entries
        pass
    return kind, entries


def _sitemap_entry(node: etree._Element) -> SitemapEntry | None:
    fields = {
        etree.QName(el).localname: (el.text or "").strip()
        for el in node.iter()
        if isinstance(el.tag, str)
    }
    url = clean_url(fields.get("loc", ""))
    if not url:
        return None
    return SitemapEntry(url, _parse_date(fields.get("publication_date") or fields.get("lastmod")))


def _parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        return None


def page_text(response: TextResponse) -> str:
    """The page as text, decoded as every path of newsdesk decodes pages
    (``digest.pages.decode_html``)."""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    return decode_html(response.body, content_type or None)


def declares_article_or_nothing(text: str) -> bool:
    """Whether the page's text shows, without parsing it, that ``not_article_reason`` has
    nothing to say: no ``og:type`` tag, or only plain ones that say "article". False when
    unsure (the page is then parsed and read). Linear in the page's length: each mention
    of og:type is read within its own tag only. (``not_article_reason`` matches the
    property's value as written, lower case, so other spellings need not be looked for.)"""
    if OG_TYPE_ENTITY.search(text):  # og&#58;type: a value the parser would decode
        return False
    start = text.find("og:type")
    while start >= 0:
        opened = text.rfind("<", max(0, start - MAX_TAG), start)
        closed = text.find(">", start, start + MAX_TAG)
        tag = text[opened : closed + 1].lower() if opened >= 0 and closed >= 0 else ""
        if not tag.startswith("<meta") or "<" in tag[1:]:
            return False
        content = CONTENT_ATTR.search(tag)
        if content is None or content.group(2).strip() != "article":
            return False
        start = text.find("og:type", closed)
    return True


def not_article_reason(response: Document) -> str | None:
    """Why a fetched page is evidently not an article (a section, tag, author or search
    page), from its own metadata (``digest.pagetags.declares_article``, the definition the
    extractor uses too); None when it may be one."""
    og_type = (response.xpath("//meta[@property='og:type']/@content").get() or "").strip().lower()
    if not og_type or og_type == "article":
        return None
    scripts = response.xpath("//script[@type='application/ld+json']/text()").getall()
    if declares_article(og_type, scripts) is False:
        return f"listing page (og:type {og_type})"
    return None
