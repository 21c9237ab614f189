from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.parsing import (
    Page,
    declares_article_or_nothing,
    feed_entries,
    is_article_candidate,
    not_article_reason,
    page_links,
    pagination_links,
    sitemap_entries,
)
from digest.config import Source
from digest.urls import clean_url

SITE = Source(name="s", homepage="https://news.example/", article_patterns=(r"/\d{4}/\d{2}/",))


def html(body: str, url: str = "https://news.example/business/") -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example:443/a/?utm_source=x&b=2&a=1#top", "https://news.example/a/?a=1&b=2"),
        ("http://news.example:80/a;jsessionid=ABC?sid=9&id=4", "http://news.example/a?id=4"),
        ("http://news.example:8080/a?fbclid=1&gclid=2&mc_cid=3", "http://news.example:8080/a"),
    ],
)
def test_clean_url(url: str, expected: str) -> None:
    assert clean_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/2026/11/copper/", True),
        ("https://sub.news.example/2026/11/copper/", True),
        ("https://other.example/2026/11/copper/", False),
        ("https://news.example/tag/copper/", False),
        ("https://news.example/2026/11/report.pdf", False),
        ("https://news.example/calendar/2026/11/", False),
        ("https://news.example/2026/11/?month=12", False),
        ("mailto:desk@news.example", False),
    ],
)
def test_article_candidates(url: str, expected: bool) -> None:
    assert is_article_candidate(url, SITE) is expected


def test_page_links_are_absolute_clean_and_unique() -> None:
    page = html(
        '<a href="/2026/11/a/?utm_medium=x#c">a</a><a href="/2026/11/a/">again</a>'
        '<a href="mailto:x@y">m</a><a href="https://news.example/b">b</a>'
    )
    assert page_links(page) == ["https://news.example/2026/11/a/", "https://news.example/b"]


def test_pagination_links() -> None:
    page = html(
        '<link rel="next" href="/business/page/2/"><a href="/business/page/3/">3</a>'
        '<a href="/business/?page=4">Older posts »</a><a href="/tag/x/">x</a>'
        '<a href="/business/page/500/">500</a>'
    )
    assert sorted(pagination_links(page)) == [
        "https://news.example/business/?page=4",
        "https://news.example/business/page/2/",
        "https://news.example/business/page/3/",
    ]


def test_rss_and_atom_entries() -> None:
    rss = b"<rss><channel><item><link>https://news.example/2026/11/a/?utm_source=rss</link></item></channel></rss>"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b'<link rel="alternate" href="https://news.example/2026/11/b/"/>'
        b'<link rel="replies" href="https://news.example/c"/></entry></feed>'
    )
    assert feed_entries(XmlResponse("https://news.example/feed", body=rss)) == [
        "https://news.example/2026/11/a/"
    ]
    assert feed_entries(XmlResponse("https://news.example/atom", body=atom)) == [
        "https://news.example/2026/11/b/"
    ]


def test_gzipped_google_news_sitemap_gives_publication_dates() -> None:
    xml = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        b"<loc>https://news.example/2026/11/a/</loc><lastmod>2026-01-01</lastmod>"
        b"<news:news><news:publication_date>2026-11-25T10:00:00+05:00</news:publication_date>"
        b"</news:news></url><url><loc>https://news.example/2026/11/b/</loc></url></urlset>"
    )
    kind, entries = sitemap_entries(
        XmlResponse("https://news.example/s.xml.gz", body=gzip.compress(xml))
    )
    assert kind == "urlset"
    assert [e.url for e in entries] == [
        "https://news.example/2026/11/a/",
        "https://news.example/2026/11/b/",
    ]
    assert entries[0].published == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    assert entries[1].published is None


def test_sitemap_index() -> None:
    xml = (
        b"<sitemapindex><sitemap><loc>https://news.example/s1.xml.gz</loc></sitemap></sitemapindex>"
    )
    kind, entries = sitemap_entries(XmlResponse("https://news.example/s.xml", body=xml))
    assert (kind, [e.url for e in entries]) == ("sitemapindex", ["https://news.example/s1.xml.gz"])


def test_listing_pages_are_told_apart_from_articles() -> None:
    tag = html('<meta property="og:type" content="website"><p>list</p>')
    article = html(
        '<meta property="og:type" content="website">'
        '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    )
    assert not_article_reason(tag) == "listing page (og:type website)"
    assert not_article_reason(article) is None
    assert not_article_reason(html("<p>no metadata</p>")) is None


def test_a_broken_link_does_not_lose_the_others() -> None:
    page = html(
        '<a href="http://[oops">x</a><a href="http://a:port/">y</a><a href="/2026/11/a/">a</a>'
    )
    assert page_links(page) == ["https://news.example/2026/11/a/"]


def test_any_article_type_in_json_ld_beats_a_template_og_type() -> None:
    """One definition of "is it an article" (digest.pagetags): the crawler keeps the
    page for the extractor whatever article type the JSON-LD names, nested or not."""
    for ld in (
        '{"@type": "AnalysisNewsArticle"}',
        '{"@graph": [{"@type": "WebPage"}, {"@type": ["ReportageNewsArticle"]}]}',
        '[{"@type": "BreadcrumbList"}, {"@type": "http://schema.org/OpinionNewsArticle"}]',
        '{"@type": "WebPage", "mainEntity": {"@type": "LiveBlogPosting"}}',
    ):
        page = html(
            '<meta property="og:type" content="website">'
            f'<script type="application/ld+json">{ld}</script>'
        )
        assert not_article_reason(page) is None, ld
    listing = html(
        '<meta property="og:type" content="website">'
        '<script type="application/ld+json">{"@type": "CollectionPage"}</script>'
        '<script type="application/ld+json">{not json</script>'
    )
    assert not_article_reason(listing) == "listing page (og:type website)"


def test_a_page_is_read_once_against_its_base_href() -> None:
    response = html(
        '<html><head><base href="https://cdn.news.example/2026/"></head><body>'
        '<a href="11/a/">A</a><a href="/b">B</a><p>Fran\u00e7ais</p></body></html>',
        url="https://news.example/x/",
    )
    page = Page(response)
    assert page_links(page) == ["https://cdn.news.example/2026/11/a/", "https://cdn.news.example/b"]
    assert "Fran\u00e7ais" in page.text


def test_a_crawled_page_leaves_no_tree_or_text_with_its_response() -> None:
    """Scrapy holds a response until the store and the workers have taken its item; a real
    page's cached tree is 10-40 MB, and held for every page in flight it took the crawl
    process to 360-450 MB on real pages (docs/performance.md, issue #19)."""
    from crawler.spiders.news import NewsSpider

    source = Source(name="n", homepage="https://news.example/", follow_article_links=True)
    spider = NewsSpider(source)
    spider.crawler = get_crawler(NewsSpider)
    spider.crawler.stats.open_spider()
    article = html(
        '<html><head><meta property="og:type" content="article"></head>'
        '<body><p>Text.</p><a href="/2026/11/b/">B</a></body></html>',
        url="https://news.example/2026/11/a/",
    )
    article.request = Request(article.url)
    item, *requests = spider.parse_page(article)
    assert item.html.startswith("<html>") and item.not_article is None
    assert [r.url for r in requests] == ["https://news.example/2026/11/b/"]
    assert article._cached_selector is None and article._cached_ubody is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("", True),
        ('<meta property="og:type" content="article">', True),
        ("<meta content='Article ' property='og:type'>", True),
        ('<meta property="og:type" content="website">', False),
        ('<!-- <meta property="og:type" content="video"> -->', False),  # unsure: parsed
        ("<meta property=og:type content=article>", False),  # unsure: parsed
        ('<meta data-content="article" property="og:type" content="website">', False),
        ('<meta property="og&#58;type" content="website">', False),
        ('<a href="/blog&amp;x">b</a><meta property="og:type" content="article">', True),
    ],
)
def test_an_article_type_or_none_is_seen_without_parsing(head: str, expected: bool) -> None:
    text = f"<html><head>{head}</head><body><p>x</p></body></html>"
    assert declares_article_or_nothing(text) is expected
    if expected:  # never says "nothing to read" where the full test would name a reason
        assert not_article_reason(html(text)) is None


def test_by_default_an_article_page_is_stored_without_reading_it_for_links() -> None:
    from crawler.spiders.news import NewsSpider

    spider = NewsSpider(Source(name="n", homepage="https://news.example/"))
    spider.crawler = get_crawler(NewsSpider)
    spider.crawler.stats.open_spider()
    body = '<html><head></head><body><p>Text.</p><a href="/2026/11/b/">B</a></body></html>'
    article = html(body, url="https://news.example/2026/11/a/")
    article.request = Request(article.url)
    listing = html(
        '<html><head><meta property="og:type" content="website"></head>'
        '<body><a href="/2026/11/c/">C</a></body></html>',
        url="https://news.example/tag/x/",
    )
    listing.request = Request(listing.url)
    (item,) = spider.parse_page(article)
    assert (item.html, item.not_article) == (body, None)
    item, *requests = spider.parse_page(listing)
    assert item.not_article == "listing page (og:type website)"
    assert [r.url for r in requests] == ["https://news.example/2026/11/c/"]


def test_links_without_a_host_resolve_against_the_page() -> None:
    """A remembered resolution must be the page's own: "//" and "http:///" name no host."""
    page = Page(html('<a href="//">x</a><a href="/b">b</a><a href="//cdn.example/c">c</a>'))
    other = Page(html('<a href="//">y</a>', url="https://news.example/2026/11/a/"))
    assert page_links(page) == [
        "https://news.example/business/",
        "https://news.example/b",
        "https://cdn.example/c",
    ]
    assert page_links(other) == ["https://news.example/2026/11/a/"]


def test_pagination_is_found_in_a_page_that_parses_into_two_html_elements() -> None:
    page = Page(html('<html></html><html><body><a href="/business/page/2/">2</a></body></html>'))
    assert pagination_links(page) == ["https://news.example/business/page/2/"]
