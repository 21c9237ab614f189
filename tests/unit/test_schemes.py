"""The URL-scheme sites of bench/schemes.py: deterministic, served whole, as described."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, XmlResponse

from bench.schemes import (
    HTML,
    KINDS,
    SchemeServer,
    SchemeSite,
    scheme_names,
    scheme_site,
    scheme_sites,
    serve,
)
from crawler import parsing

NAMES = [
    "date-paths",
    "numeric-ids",
    "story-id-slug",
    "html-suffix",
    "query-ids",
    "same-prefix",
    "no-feeds",
    "feeds-only",
    "no-discovery",
]
# Each scheme's article URLs, as a regular expression that no other link of the site matches.
ARTICLE = {
    "date-paths": r"/\d{4}/\d\d/\d\d/[a-z0-9]+(-[a-z0-9]+){3,9}/",
    "numeric-ids": r"/news/\d{6,7}",
    "story-id-slug": r"/story/\d{5}/[a-z0-9]+(-[a-z0-9]+){3,9}",
    "html-suffix": r"/[a-z-]+/[a-z0-9]+(-[a-z0-9]+){3,9}-\d{5}\.html",
    "query-ids": r"/article\.php\?id=\d{1,4}",
    "same-prefix": r"/news/[a-z0-9]+(-[a-z0-9]+){3,9}",
    "no-feeds": r"/articles/\d{4}-\d\d-\d\d-[a-z0-9]+(-[a-z0-9]+){3,9}",
    "feeds-only": r"/p/[a-z0-9]+(-[a-z0-9]+){3,9}-[0-9a-f]{6}",
    "no-discovery": r"/[a-z0-9]+(-[a-z0-9]+){3,9}/",
}
# name: (feeds, announced, sitemaps named in robots.txt, every sitemap)
DISCOVERY: dict[str, tuple[tuple[str, ...], bool, list[str], set[str]]] = {
    "date-paths": (
        ("/feed/",),
        True,
        ["/sitemap_index.xml"],
        {"/sitemap_index.xml", "/post-sitemap.xml", "/category-sitemap.xml"},
    ),
    "numeric-ids": (("/atom.xml",), True, ["/sitemap.xml"], {"/sitemap.xml"}),
    "story-id-slug": (("/rss.xml",), False, ["/news-sitemap.xml"], {"/news-sitemap.xml"}),
    "html-suffix": (("/rss/latest.xml",), True, [], {"/sitemap.xml"}),
    "query-ids": (("/rss.php",), True, [], set()),
    "same-prefix": (("/feed.xml",), True, ["/sitemap.xml"], {"/sitemap.xml"}),
    "no-feeds": ((), False, ["/sitemap-index.xml"], set()),  # and its children, below
    "feeds-only": (("/feed",), True, [], set()),
    "no-discovery": ((), False, [], set()),
}
ALTERNATE = re.compile(
    r'<link rel="alternate" type="application/(?:rss|atom)\+xml"[^>]*href="([^"]+)"'
)


@pytest.fixture(scope="module")
def sites() -> dict[str, SchemeSite]:
    return {site.name: site for site in scheme_sites()}


def fetch(server: SchemeServer, keys: list[str], method: str = "GET") -> Iterator[tuple[int, str]]:
    """(status, body) of each key, over one kept-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(server.base).port, timeout=5)
    try:
        for key in keys:
            conn.request(method, key)
            response = conn.getresponse()
            yield response.status, response.read().decode()
    finally:
        conn.close()


def article_words(html: str) -> int:
    body = html.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]
    return sum(len(p.split()) for p in re.findall(r"<p>([^<]+)</p>", body))


def html_pages(site: SchemeSite) -> dict[str, str]:
    return {k: p.body for k, p in site.pages.items() if p.content_type == HTML}


def test_the_named_schemes_exist(sites: dict[str, SchemeSite]) -> None:
    assert list(sites) == NAMES
    assert all(site.description and "\n" not in site.description for site in sites.values())
    assert scheme_site("query-ids") == sites["query-ids"]
    with pytest.raises(KeyError):
        scheme_site("no-such-scheme")


def test_deterministic_for_a_seed() -> None:
    first = scheme_sites(seed=5, n_articles=12)
    assert first == scheme_sites(seed=5, n_articles=12)
    other = scheme_sites(seed=6, n_articles=12)
    assert all(a.articles != b.articles for a, b in zip(first, other, strict=True))
    assert all(len(site.articles) == 12 for site in first)


def test_links_hold_the_articles_and_every_page(sites: dict[str, SchemeSite]) -> None:
    for site in sites.values():
        assert len(site.articles) == 80
        assert site.articles <= site.links
        assert set(site.kinds) == site.links
        assert {k for k, kind in site.kinds.items() if kind == "article"} == site.articles
        others = {site.kinds[k] for k in site.links - site.articles}
        assert len(site.links - site.articles) >= 20, site.name
        assert {"home", "static"} < others and len(others) >= 4, site.name
        assert set(html_pages(site)) == site.links, site.name  # no page unlinked
        assert "/robots.txt" in site.pages and not site.links & {*site.feeds, *site.sitemaps}


def test_article_urls_follow_the_scheme(sites: dict[str, SchemeSite]) -> None:
    for name, site in sites.items():
        pattern = re.compile(ARTICLE[name])
        assert {k for k in site.links if pattern.fullmatch(k)} == site.articles, name


def test_old_articles_lie_beyond_the_first_pages(sites: dict[str, SchemeSite]) -> None:
    """Some articles are on no homepage, feed or first page of a listing: only pagination
    (or archive, tag, author and related links) reaches them."""
    first = {"home", "index", "section"}
    for site in sites.values():
        shallow = {k for k, kind in site.kinds.items() if kind in first} | set(site.feeds)
        text = "".join(site.pages[k].body for k in shallow).replace("&amp;", "&")
        seen = set(re.findall(r'href="(?:__BASE__)?([^"?]+(?:\?id=\d+)?)', text))
        seen |= set(re.findall(r"<link>__BASE__([^<]+)</link>", text))
        deep = site.articles - seen
        assert deep, site.name


def test_every_link_is_served_and_articles_look_like_articles(
    sites: dict[str, SchemeSite],
) -> None:
    for site in sites.values():
        keys = sorted(site.links)
        with serve(site) as server:
            answers = dict(zip(keys, fetch(server, keys), strict=True))
            assert len(server.log) == len(keys)
        assert {status for status, _ in answers.values()} == {200}, site.name
        static = [k for k, kind in site.kinds.items() if kind == "static"]
        for key, (_, html) in answers.items():
            assert "__BASE__" not in html
            if key not in site.articles:
                assert 'content="article"' not in html, key
                continue
            for needle in ('<meta property="og:type" content="article">', "og:title", "<h1"):
                assert needle in html, key
            assert re.search(r'article:published_time" content="\d{4}-\d\d-\d\dT', html), key
            assert '<p class="byline">By ' in html and "<title>" in html
            assert article_words(html) >= 150, key
            related = html.split('<aside class="related">', 1)[1].split("</aside>", 1)[0]
            hrefs = re.findall(r'href="([^"]+)"', related.replace("&amp;", "&"))
            assert len(hrefs) == 3 and all(h.split("&utm")[0] in site.articles for h in hrefs)
            assert all(f'href="{s.replace("&", "&amp;")}"' in html for s in static)


def test_server_answers_as_a_static_site(sites: dict[str, SchemeSite]) -> None:
    site = sites["date-paths"]
    article = min(site.articles)
    with serve(site) as server:
        assert server.base.startswith("http://127.0.0.1:")
        assert server.url(article) == server.base + article
        keys = [article, article + "?", article.rstrip("/"), article + "?utm_source=x", "/nope/"]
        statuses = [status for status, _ in fetch(server, keys)]
        assert statuses == [200, 200, 404, 200, 404]
        (status, body), *_ = fetch(server, ["/robots.txt"], method="HEAD")
        assert (status, body) == (200, "")
        (_, robots), *_ = fetch(server, ["/robots.txt"])
        assert f"Sitemap: {server.base}/sitemap_index.xml" in robots
        assert server.log[-3:] == [("/nope/", 404), ("/robots.txt", 200), ("/robots.txt", 200)]
    query = sites["query-ids"]
    with serve(query) as server:
        section = min(k for k, kind in query.kinds.items() if kind == "pagination")
        cat, page = section.split("?")[1].split("&")
        keys = [f"/list.php?{page}&{cat}", "/article.php?id=1000000"]
        assert [status for status, _ in fetch(server, keys)] == [200, 404]


def test_discovery_matches_each_description(sites: dict[str, SchemeSite]) -> None:
    for name, (feeds, announced, named, sitemaps) in DISCOVERY.items():
        site = sites[name]
        pages = html_pages(site)
        alternates = {href for body in pages.values() for href in ALTERNATE.findall(body)}
        assert site.feeds == feeds, name
        assert alternates == ({f"__BASE__{f}" for f in feeds} if announced else set()), name
        robots = site.pages["/robots.txt"].body
        assert re.findall(r"^Sitemap: __BASE__(\S+)$", robots, re.MULTILINE) == named, name
        if name != "no-feeds":
            assert set(site.sitemaps) == sitemaps, name
        for feed in feeds:
            assert site.pages[feed].content_type.startswith(("application/rss", "application/atom"))
    assert not any("/rss.xml" in body for body in html_pages(sites["story-id-slug"]).values())
    assert "Disallow: /search\n" in sites["query-ids"].pages["/robots.txt"].body
    assert "/sitemap.xml" not in sites["query-ids"].pages


def test_sitemaps_and_feeds_hold_what_the_descriptions_say(sites: dict[str, SchemeSite]) -> None:
    index = sites["date-paths"].pages["/sitemap_index.xml"].body
    assert re.findall(r"<loc>__BASE__([^<]+)</loc>", index) == [
        "/post-sitemap.xml",
        "/category-sitemap.xml",
    ]
    news = sites["story-id-slug"].pages["/news-sitemap.xml"].body
    assert news.count("<news:publication_date>") == 30
    same = sites["same-prefix"]
    locs = set(re.findall(r"<loc>__BASE__([^<]+)</loc>", same.pages["/sitemap.xml"].body))
    assert locs == same.articles | {k for k, kind in same.kinds.items() if kind == "tag"}
    no_feeds = sites["no-feeds"]
    children = re.findall(r"<loc>__BASE__([^<]+)</loc>", no_feeds.pages["/sitemap-index.xml"].body)
    assert set(children) | {"/sitemap-index.xml"} == set(no_feeds.sitemaps)
    feeds_only = sites["feeds-only"]
    assert feeds_only.pages["/feed"].body.count("<item>") == 30
    home = feeds_only.pages["/"].body
    assert sum(f'href="{a}"' in home for a in feeds_only.articles) == 10


@pytest.mark.parametrize("held_out", [False, True])
def test_the_crawlers_readers_find_the_link_set(held_out: bool) -> None:
    """Scrapy responses read by crawler.parsing give back exactly ``links`` (after the
    crawler's own URL cleaning): the ground truth is what a crawl sees. The held-out
    sites too."""
    base = "http://127.0.0.1:8000"
    for site in scheme_sites(seed=1, n_articles=12, held_out=held_out):
        found: set[str] = set()
        for key, page in site.pages.items():
            url, body = base + key, page.body.replace("__BASE__", base).encode()
            headers = {"Content-Type": page.content_type}
            if page.content_type == HTML:
                found |= set(parsing.page_links(HtmlResponse(url, body=body, headers=headers)))
            elif key in site.feeds:
                found |= set(parsing.feed_entries(XmlResponse(url, body=body, headers=headers)))
            elif key in site.sitemaps:
                _, entries = parsing.sitemap_entries(XmlResponse(url, body=body))
                found |= {entry.url for entry in entries}
        on_site = {u.removeprefix(base) for u in found if u.startswith(base + "/")}
        assert on_site - set(site.feeds) - set(site.sitemaps) == site.links, site.name


# --- the held-out sites ----------------------------------------------------------------

HELD_OUT = {
    "id-suffix": r"/news/[a-z]+(-[a-z]+)*-\d{8}",
    "month-names": r"/[a-z]+/\d{4}/(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/\d\d/"
    r"[a-z0-9]+(-[a-z0-9]+){3,9}",
    "slug-date-suffix": r"/[a-z]+(/[a-z]+)?/[a-z0-9]+(-[a-z0-9]+){3,9}-\d{4}-\d\d-\d\d/",
    "date-section-html": r"/\d{4}/\d\d/\d\d/[a-z]+/[a-z0-9]+(-[a-z0-9]+){0,5}\.html",
    "id-then-slug": r"/news/\d{7}/[a-z0-9]+(-[a-z0-9]+){3,9}",
    "mixed-media": r"/article/[a-z0-9]+(-[a-z0-9]+){3,9}-[a-z0-9]{5}",
}
MEDIA = {"video", "gallery", "live"}
MEDIA_OG = {"video": "video.other", "gallery": "website", "live": "website"}


@pytest.fixture(scope="module")
def held_out() -> dict[str, SchemeSite]:
    return {site.name: site for site in scheme_sites(held_out=True)}


def paragraph_words(html: str) -> int:
    """Words of text in the <p> elements of <main>."""
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    texts = re.findall(r"<p\b[^>]*>(.*?)</p>", main, re.DOTALL)
    return sum(len(re.sub(r"<[^>]+>", " ", text).split()) for text in texts)


def test_held_out_sites_stand_apart_and_are_deterministic(
    held_out: dict[str, SchemeSite],
) -> None:
    assert list(held_out) == list(HELD_OUT) == scheme_names(held_out=True)
    assert scheme_names() == NAMES and not set(NAMES) & set(HELD_OUT)
    assert all(site.description and "\n" not in site.description for site in held_out.values())
    assert scheme_site("mixed-media") == held_out["mixed-media"]
    first = scheme_sites(seed=5, n_articles=12, held_out=True)
    assert first == scheme_sites(seed=5, n_articles=12, held_out=True)
    other = scheme_sites(seed=6, n_articles=12, held_out=True)
    assert all(a.articles != b.articles for a, b in zip(first, other, strict=True))
    assert all(len(site.articles) == 12 for site in first)


def test_held_out_links_and_article_urls(held_out: dict[str, SchemeSite]) -> None:
    for name, site in held_out.items():
        assert len(site.articles) == 80 and site.articles <= site.links, name
        assert set(site.kinds) == site.links and set(site.kinds.values()) <= set(KINDS)
        assert {k for k, kind in site.kinds.items() if kind == "article"} == site.articles
        assert set(html_pages(site)) == site.links, name  # no page unlinked
        assert "/robots.txt" in site.pages and not site.links & {*site.feeds, *site.sitemaps}
        pattern = re.compile(HELD_OUT[name])
        assert {k for k in site.links if pattern.fullmatch(k)} == site.articles, name
    kinds = {name: set(site.kinds.values()) for name, site in held_out.items()}
    assert {"section", "tag", "index", "pagination"} < kinds["id-suffix"]
    id_suffix = held_out["id-suffix"].links
    assert {"/news/in_pictures", "/news/science_and_environment", "/news/world/asia"} < id_suffix
    assert any(re.fullmatch(r"/news/topics/c[a-z0-9]{10}", k) for k in id_suffix)
    assert any(re.fullmatch(r"/news/world-asia-\d{8}", k) for k in id_suffix)
    month = held_out["month-names"]
    assert len({k.split("/")[3] for k in month.articles}) >= 2  # two months or more
    assert "/business" in month.links
    assert any(re.fullmatch(r"/profile/[a-z]+-[a-z]+", k) for k in month.links)
    assert any(re.fullmatch(r"/[a-z]+/\d{4}/[a-z]{3}/\d\d/all", k) for k in month.links)
    assert any(re.fullmatch(r"/[a-z]+/[a-z-]+", k) and month.kinds[k] == "tag" for k in month.links)
    suffix = held_out["slug-date-suffix"].articles
    assert any(k.startswith("/business/energy/") for k in suffix)
    assert any(re.fullmatch(r"/business/[a-z0-9-]+-\d{4}-\d\d-\d\d/", k) for k in suffix)
    dated = held_out["date-section-html"]
    assert any(re.fullmatch(r"/\d{4}/\d\d/\d\d/[a-z]+/[a-z0-9]+\.html", k) for k in dated.articles)
    assert any(re.fullmatch(r"/\d{4}/\d\d/\d\d/", k) for k in dated.links)
    assert any(re.fullmatch(r"/authors/\d+/[a-z-]+", k) for k in held_out["id-then-slug"].links)
    assert kinds["mixed-media"] > MEDIA


def test_held_out_pages_are_served_and_look_like_what_they_are(
    held_out: dict[str, SchemeSite],
) -> None:
    for site in held_out.values():
        keys = sorted(site.links)
        with serve(site) as server:
            answers = dict(zip(keys, fetch(server, keys), strict=True))
        assert {status for status, _ in answers.values()} == {200}, site.name
        for key, (_, html) in answers.items():
            assert "__BASE__" not in html
            kind = site.kinds[key]
            if kind != "article":
                assert 'content="article"' not in html, key
            else:
                assert '<meta property="og:type" content="article">' in html, key
                assert "og:title" in html and "<h1" in html and '<p class="byline">By ' in html
                assert re.search(r'article:published_time" content="\d{4}-\d\d-\d\dT', html)
                assert article_words(html) >= 100, key
            if kind in MEDIA:
                assert f'<meta property="og:type" content="{MEDIA_OG[kind]}">' in html, key
                assert paragraph_words(html) < 80, key


def test_held_out_discovery(held_out: dict[str, SchemeSite]) -> None:
    # name: (feeds, sitemaps named in robots.txt)
    expected = {
        "id-suffix": (["/news/rss.xml"], ["/news-sitemap.xml"]),
        "month-names": (
            [f"/{s}/rss" for s in ("business", "world", "technology", "money", "environment")],
            [],
        ),
        "slug-date-suffix": ([], ["/sitemaps/index.xml"]),
        "date-section-html": (
            [
                f"/services/xml/rss/{s}.xml"
                for s in ("business", "world", "technology", "climate", "health")
            ],
            ["/sitemap.xml"],
        ),
        "id-then-slug": (["/feeds/latest-news"], []),
        "mixed-media": (["/rss/articles.xml"], ["/sitemap.xml"]),
    }
    for name, (feeds, named) in expected.items():
        site = held_out[name]
        assert list(site.feeds) == feeds, name
        robots = site.pages["/robots.txt"].body
        assert re.findall(r"^Sitemap: __BASE__(\S+)$", robots, re.MULTILINE) == named, name
        alternates = {
            href for body in html_pages(site).values() for href in ALTERNATE.findall(body)
        }
        assert alternates == {f"__BASE__{f}" for f in feeds}, name  # every feed announced
        for feed in feeds:
            body = site.pages[feed].body
            assert site.pages[feed].content_type.startswith("application/rss"), name
            entries = set(re.findall(r"<link>__BASE__([^<]+)</link>", body)) - {"/"}
            assert entries and entries <= site.articles, name
    month = held_out["month-names"]
    assert ALTERNATE.findall(month.pages["/world"].body) == ["__BASE__/world/rss"]
    daily = held_out["slug-date-suffix"]
    index = re.findall(r"<loc>__BASE__([^<]+)</loc>", daily.pages["/sitemaps/index.xml"].body)
    assert len(index) >= 20 and all(
        re.fullmatch(r"/sitemaps/\d{4}-\d\d-\d\d\.xml", k) for k in index
    )
    days = "".join(daily.pages[k].body for k in index)
    assert set(re.findall(r"<loc>__BASE__([^<]+)</loc>", days)) == daily.articles
    mixed = held_out["mixed-media"]
    locs = set(re.findall(r"<loc>__BASE__([^<]+)</loc>", mixed.pages["/sitemap.xml"].body))
    media = {k for k, kind in mixed.kinds.items() if kind in ("video", "gallery")}
    assert media and locs == mixed.articles | media
