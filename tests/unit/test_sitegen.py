"""The benchmark site generator: complete, self-consistent and deterministic."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bench.site import SiteInfo, generate_site

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone(timedelta(hours=5)))
BASE = "http://127.0.0.1:43210"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
UTM = "?utm_source=related&amp;utm_medium=web"
MISSING = "/2020/01/01/missing-story-0/"


def make(root: Path, n: int = 30, now: datetime = NOW, **kwargs: object) -> SiteInfo:
    return generate_site(root, n, now=now, base=BASE, n_old=3, per_page=4, **kwargs)


def file_of(root: Path, path: str) -> Path:
    target = root / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def text_of(root: Path, path: str) -> str:
    return file_of(root, path).read_text(encoding="utf-8")


def hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def section_of(root: Path, path: str) -> str:
    found = re.search(r'property="article:section" content="([^"]+)"', text_of(root, path))
    assert found
    return found.group(1).lower()


def body_paragraphs(html: str) -> list[str]:
    content = html.split('<div class="entry-content">', 1)[1].split("</div>", 1)[0]
    return re.findall(r"<p>([^<]+)</p>", content)


def site_paths(urls: list[str], prefix: str) -> list[str]:
    assert all(url.startswith(prefix) for url in urls)
    return [url.removeprefix(prefix) for url in urls]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteInfo:
    return make(tmp_path_factory.mktemp("site"))


def test_every_listed_file_exists(site: SiteInfo) -> None:
    root = site.root
    assert len(site.articles) == 33
    assert len(set(site.articles)) == 33
    assert set(site.old_articles) <= set(site.articles)
    assert site.articles[-3:] == site.old_articles
    for path in site.articles + site.listing_pages + site.feeds + site.sitemaps:
        assert file_of(root, path).is_file(), path
    assert site.feeds == ["/feed.xml", "/atom.xml"]
    assert site.sitemaps[0] == "/sitemap_index.xml"
    assert site.sitemaps[-1] == "/news-sitemap.xml"
    assert "/business/page/2/" in site.listing_pages
    assert file_of(root, "/reports/q3-results.pdf").read_bytes().startswith(b"%PDF-1.4")
    assert "PRIVATE-CANARY" in text_of(root, "/private/reports/")
    assert not file_of(root, MISSING).exists()


def test_robots_and_homepage(site: SiteInfo) -> None:
    robots = text_of(site.root, "/robots.txt")
    assert "User-agent: *\nDisallow: /private/\n" in robots
    assert "Sitemap: __BASE__/sitemap_index.xml" in robots
    assert "Crawl-delay" not in robots
    home = text_of(site.root, "/")
    assert 'type="application/rss+xml" href="__BASE__/feed.xml"' in home
    assert 'type="application/atom+xml" href="__BASE__/atom.xml"' in home
    for link in ("/business/", "/markets/", "/calendar/2026/01/", "/private/reports/"):
        assert f'href="{link}"' in home
    assert all(f'href="{path}"' in home for path in site.articles[:20])


def test_article_dates_and_identity(site: SiteInfo) -> None:
    dates = [re.match(r"/(\d{4})/(\d\d)/(\d\d)/[a-z0-9-]+-(\d+)/$", p) for p in site.articles]
    assert all(dates)
    serials = [int(m.group(4)) for m in dates if m]
    assert serials == [*range(33, 3, -1), 3, 2, 1]
    for path in site.old_articles:
        published = re.search(r'published_time" content="([^"]+)"', text_of(site.root, path))
        assert published
        age = NOW - datetime.fromisoformat(published.group(1))
        assert timedelta(days=10) <= age <= timedelta(days=30)


def test_sitemaps_list_every_article_with_the_real_base(site: SiteInfo) -> None:
    index = ET.fromstring(text_of(site.root, "/sitemap_index.xml"))
    locs = [loc.text or "" for loc in index.iter(f"{SM}loc")]
    assert site_paths(locs, "__BASE__") == site.sitemaps[1:]
    found: list[str] = []
    for path in site.sitemaps[1:-1]:
        urlset = ET.fromstring(gzip.decompress(file_of(site.root, path).read_bytes()))
        found += site_paths([loc.text or "" for loc in urlset.iter(f"{SM}loc")], BASE)
        lastmods = [m.text or "" for m in urlset.iter(f"{SM}lastmod")]
        assert all(datetime.fromisoformat(m).tzinfo for m in lastmods)
    assert sorted(found) == sorted(site.articles)


def test_news_sitemap_holds_the_last_48_hours(site: SiteInfo) -> None:
    news = ET.fromstring(text_of(site.root, "/news-sitemap.xml"))
    ns = "{http://www.google.com/schemas/sitemap-news/0.9}"
    paths = site_paths([loc.text or "" for loc in news.iter(f"{SM}loc")], "__BASE__")
    assert paths == site.articles[:30]
    names = {name.text for name in news.iter(f"{ns}name")}
    assert names == {"Ledger Test Wire"}
    dates = [datetime.fromisoformat(d.text or "") for d in news.iter(f"{ns}publication_date")]
    assert all(NOW - timedelta(hours=48) < d <= NOW for d in dates)


def test_feeds_hold_one_section_each(site: SiteInfo) -> None:
    rss = ET.fromstring(text_of(site.root, "/feed.xml"))
    rss_paths = site_paths([link.text or "" for link in rss.iter("link")][1:], "__BASE__")
    assert rss_paths
    assert {section_of(site.root, p) for p in rss_paths} == {"business"}
    assert all(item.findtext("pubDate") for item in rss.iter("item"))
    atom = ET.fromstring(text_of(site.root, "/atom.xml"))
    links = [
        link.get("href", "") for link in atom.iter(f"{ATOM}link") if link.get("rel") == "alternate"
    ]
    atom_paths = site_paths(links, "__BASE__")
    assert atom_paths
    assert {section_of(site.root, p) for p in atom_paths} == {"markets"}
    assert len(rss_paths) + len(atom_paths) == 30


def test_business_pagination_reaches_every_business_article(site: SiteInfo) -> None:
    business = {p for p in site.articles[:30] if section_of(site.root, p) == "business"}
    seen: set[str] = set()
    page: str | None = "/business/"
    pages = 0
    while page:
        html = text_of(site.root, page)
        seen |= set(re.findall(r'href="(/\d{4}/[^"?]+)"', html))
        next_link = re.search(r'<link rel="next" href="__BASE__([^"]+)"', html)
        older = re.search(r'<a class="next" href="([^"]+)">Older posts</a>', html)
        assert (next_link and next_link.group(1)) == (older and older.group(1))
        page, pages = (next_link.group(1) if next_link else None), pages + 1
    assert seen == business
    assert pages == 4
    assert 'href="/business/page/2/">Newer posts' in text_of(site.root, "/business/page/3/")


def test_article_page_content_and_furniture(site: SiteInfo) -> None:
    path = site.articles[0]
    html = text_of(site.root, path)
    assert '<meta charset="utf-8">' in html
    assert f'<link rel="canonical" href="__BASE__{path}">' in html
    assert '<meta property="og:type" content="article">' in html
    ld = re.search(r'<script type="application/ld\+json">(.+?)</script>', html)
    assert ld
    assert json.loads(ld.group(1))["@type"] == "NewsArticle"
    for needle in (UTM, MISSING, "/reports/q3-results.pdf", "/calendar/2026/01/", "/tag/"):
        assert needle in html
    assert "LEAVE A REPLY" in html
    paragraphs = body_paragraphs(html)
    assert 5 <= len(paragraphs) <= 9
    assert all(40 <= len(p.split()) <= 80 and p.endswith(".") for p in paragraphs)
    assert paragraphs != body_paragraphs(text_of(site.root, site.articles[1]))


def test_calendar_trap_is_bounded(site: SiteInfo) -> None:
    january = text_of(site.root, "/calendar/2026/01/")
    for link in ("/calendar/2025/12/", "/calendar/2026/02/", "/calendar/2026/01/?view=week"):
        assert f'href="{link}"' in january
    assert 'content="website"' in january
    assert len(list((site.root / "calendar").rglob("index.html"))) == 120


def test_old_articles_are_reachable_only_through_the_sitemap(site: SiteInfo) -> None:
    old = set(site.old_articles)
    for page in site.root.rglob("*"):
        if page.suffix not in {".html", ".xml"}:
            continue
        text = page.read_text(encoding="utf-8")
        linked = {path for path in old if path in text}
        own = "/" + str(page.parent.relative_to(site.root)) + "/"
        assert linked <= {own}, page


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    make(tmp_path)
    first = hashes(tmp_path)
    make(tmp_path)
    assert hashes(tmp_path) == first


def test_publishing_one_more_article_keeps_the_others(tmp_path: Path) -> None:
    before = make(tmp_path)
    pages = {p: hashlib.sha256(file_of(tmp_path, p).read_bytes()).digest() for p in before.articles}
    step_minutes = before.step / timedelta(minutes=1)
    after = make(tmp_path, 31, NOW + before.step, step_minutes=step_minutes)
    assert set(after.articles) - set(before.articles) == {after.articles[0]}
    assert set(before.articles) <= set(after.articles)
    assert after.old_articles == before.old_articles
    for path, digest in pages.items():
        assert hashlib.sha256(file_of(tmp_path, path).read_bytes()).digest() == digest, path


def test_crawl_delay_is_written_when_given(tmp_path: Path) -> None:
    generate_site(tmp_path, 2, now=NOW, base=BASE, crawl_delay=1.5)
    assert "Crawl-delay: 1.5\n" in (tmp_path / "robots.txt").read_text()
