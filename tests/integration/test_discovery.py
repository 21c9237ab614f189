"""Discovery and incremental crawling against a generated news site on 127.0.0.1: RSS and
Atom feeds, a sitemap index with gzipped and Google News children, paginated sections,
utm aliases, a calendar trap, robots.txt rules, 404 and PDF links, conditional requests."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.site import MISSING, SiteInfo, generate_site, newsdesk_toml
from crawler.siteserver import SiteServer, serve_site
from tests.conftest import newsdesk

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
STEP_MINUTES = 20.0
N = 30


@dataclass
class Site:
    server: SiteServer
    info: SiteInfo
    cwd: Path

    @property
    def db(self) -> Path:
        return self.cwd / "data" / "newsdesk.db"

    def publish(self, n: int, now: datetime) -> SiteInfo:
        self.info = make_site(self.server, n, now)
        return self.info

    def requests_since(self, mark: int) -> list[tuple[str, int]]:
        return [(path, status) for _, path, status in self.server.log[mark:]]


def make_site(server: SiteServer, n: int, now: datetime, **kw: object) -> SiteInfo:
    return generate_site(
        server.root,
        n,
        now=now,
        base=server.base_url,
        n_old=3,
        per_page=5,
        step_minutes=STEP_MINUTES,
        **kw,
    )  # type: ignore[arg-type]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    root.mkdir()
    with serve_site(root) as server:
        info = make_site(server, N, NOW)
        # Its article pages' related links (utm-tagged, one to a missing story) are read.
        config = newsdesk_toml(server.base_url, source="follow_article_links = true")
        (tmp_path / "newsdesk.toml").write_text(config, encoding="utf-8")
        yield Site(server, info, tmp_path)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def stored_paths(site: Site) -> list[str]:
    base = site.server.base_url
    return sorted(url.removeprefix(base) for (url,) in query(site.db, "SELECT url FROM pages"))


def crawl(site: Site, *args: str) -> None:
    result = newsdesk("crawl", *args, cwd=site.cwd)
    assert result.returncode == 0, result.stderr


def test_first_crawl_finds_every_recent_article_once_and_avoids_traps(site: Site) -> None:
    crawl(site)
    recent = sorted(set(site.info.articles) - set(site.info.old_articles))
    assert stored_paths(site) == recent  # each once: no utm twin, no old sitemap entry
    seen = site.server.requests_seen
    assert not [p for p in seen if p.startswith("/private/")]  # robots.txt Disallow
    assert not [p for p in seen if "calendar" in p or p.endswith(".pdf")]
    assert not [p for p in seen if "utm_" in p]
    assert {"/feed.xml", "/atom.xml", "/sitemap_index.xml", "/news-sitemap.xml"} <= set(seen)
    assert any(p.endswith(".xml.gz") for p in seen)
    assert "/business/page/3/" in seen  # pagination followed
    article_requests = [p for p in seen if p.count("/") == 5 and p[1:5].isdigit()]
    assert len(article_requests) == len(set(article_requests))  # no page fetched twice
    (errors,) = query(site.db, "SELECT errors FROM crawl_sources")[0]
    assert '"http_4xx": 1' in errors  # the link to a missing story


def test_by_default_article_pages_are_not_read_for_links(site: Site) -> None:
    """The site's feeds, sitemaps and sections list every recent article: all are found,
    and a link that only article pages carry (to a missing story) is never requested."""
    config = site.cwd / "newsdesk.toml"
    config.write_text(config.read_text().replace("follow_article_links = true\n", ""))
    crawl(site)
    recent = sorted(set(site.info.articles) - set(site.info.old_articles))
    assert stored_paths(site) == recent
    assert MISSING not in site.server.requests_seen
    assert MISSING in (site.server.root / recent[0].strip("/") / "index.html").read_text()


def test_backfill_reaches_older_sitemap_entries(site: Site) -> None:
    crawl(site)
    crawl(site, "--backfill", "60")
    assert stored_paths(site) == sorted(site.info.articles)


def test_unchanged_second_run_costs_only_revalidations(site: Site) -> None:
    crawl(site)
    mark = len(site.server.log)
    crawl(site)
    second = site.requests_since(mark)
    paths = [p for p, _ in second]
    assert not [p for p in paths if p[1:5].isdigit()]  # no article page fetched again
    assert len(paths) == len(set(paths))  # at most one request per listing page
    listing = [(p, s) for p, s in second if p != "/robots.txt"]
    assert all(status == 304 for _, status in listing), listing
    ((not_modified, saved, known),) = query(
        site.db,
        "SELECT not_modified, pages_saved, known_skipped FROM crawl_sources "
        "ORDER BY run_id DESC LIMIT 1",
    )
    assert (not_modified, saved) == (len(listing), 0)
    assert known >= N


def test_a_newly_published_article_is_fetched_and_little_else(site: Site) -> None:
    crawl(site)
    info = site.publish(N + 1, NOW + timedelta(minutes=STEP_MINUTES))
    new = info.articles[0]
    mark = len(site.server.log)
    crawl(site)
    fetched = [p for p, s in site.requests_since(mark) if s == 200 and p[1:5].isdigit()]
    assert fetched == [new]
    assert new in stored_paths(site)


def test_a_brief_is_not_fetched_again_but_a_listing_is(site: Site) -> None:
    """A page refused as an article for its length is a known article page: the next
    crawl neither fetches it again nor reads it for links, as it does a tag page."""
    brief, tag = site.info.articles[:2]
    short = (
        '<html><head><meta property="og:type" content="article"><title>Brief</title></head>'
        "<body><p>Markets closed early.</p></body></html>"
    )
    (site.server.root / brief.strip("/") / "index.html").write_text(short, encoding="utf-8")
    link = f'<a href="{site.info.articles[3]}">A story on copper prices today</a>'
    listing = f'<html><head><meta property="og:type" content="website"></head><body>{link}'
    (site.server.root / tag.strip("/") / "index.html").write_text(listing, encoding="utf-8")
    crawl(site, "--process")
    reasons = dict(
        query(site.db, "SELECT url, state_reason FROM pages WHERE state = 'not_article'")
    )
    base = site.server.base_url
    assert reasons[base + brief].startswith("too short")
    assert reasons[base + tag].startswith("listing page")
    mark = len(site.server.log)
    crawl(site, "--process")
    again = [p for p, _ in site.requests_since(mark)]
    assert tag in again  # read again for its links
    assert brief not in again


def test_a_killed_crawl_resumes_without_loss_or_duplicates(site: Site) -> None:
    text = (
        (site.cwd / "newsdesk.toml")
        .read_text()
        .replace("download_delay = 0.0", "download_delay = 0.15")
    )
    (site.cwd / "newsdesk.toml").write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler", "--config", "newsdesk.toml"],
        cwd=site.cwd,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # a bound for a stuck crawl, not a speed target
    while time.monotonic() < deadline and _count_pages(site.db) < 8:
        time.sleep(0.1)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    stored_before = _count_pages(site.db)
    assert 8 <= stored_before < N  # killed mid-way
    crawl(site)
    assert newsdesk("process", cwd=site.cwd).returncode == 0
    recent = sorted(set(site.info.articles) - set(site.info.old_articles))
    assert stored_paths(site) == recent
    assert query(site.db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(N, N)]


def _count_pages(db: Path) -> int:
    try:
        return query(db, "SELECT count(*) FROM pages")[0][0]
    except sqlite3.OperationalError:
        return 0


def test_crawl_delay_in_robots_txt_spaces_requests(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    with serve_site(root) as server:
        generate_site(root, 4, now=NOW, base=server.base_url, per_page=5, crawl_delay=0.6)
        (tmp_path / "newsdesk.toml").write_text(newsdesk_toml(server.base_url), encoding="utf-8")
        assert newsdesk("crawl", cwd=tmp_path).returncode == 0
        times = [t for t, path, _ in server.log if path != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) >= 6
    assert min(gaps) >= 0.5, gaps


def test_a_robots_txt_that_answers_503_means_no_crawl(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    with serve_site(root) as server:
        generate_site(root, 4, now=NOW, base=server.base_url)
        server.overrides["/robots.txt"] = 503
        (tmp_path / "newsdesk.toml").write_text(newsdesk_toml(server.base_url), encoding="utf-8")
        result = newsdesk("crawl", cwd=tmp_path)
        seen = server.requests_seen
    assert result.returncode == 1  # the only source was not crawled
    assert set(seen) == {"/robots.txt"}
    db = tmp_path / "data" / "newsdesk.db"
    ((status, error),) = query(db, "SELECT status, first_error FROM crawl_sources")
    assert status == "skipped" and "503" in error


def test_status_shows_the_last_crawl_of_each_source(site: Site) -> None:
    crawl(site)
    crawl(site)
    result = newsdesk("status", cwd=site.cwd)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "service: not running"
    assert "last crawl: ok" in result.stdout
    at = next(i for i, line in enumerate(lines) if line.startswith("source  status"))
    row = lines[at + 1]
    assert row.split()[:2] == ["wire", "empty"]  # nothing new on the second crawl
    assert "http_4xx" not in row  # articles are not fetched again, so neither are their links
    report = json.loads(newsdesk("status", "--json", cwd=site.cwd).stdout)
    assert report["service"]["running"] is False
    assert report["last_runs"]["crawl"]["status"] == "ok"
    (health,) = report["sources"]
    assert (health["source"], health["articles_7d"], health["error_rate_7d"]) == ("wire", 0, 0.0)
    assert report["last_crawls"]["wire"]["pages_saved"] == 0


def test_robots_rules_hold_for_every_request_that_waited_for_robots_txt(tmp_path: Path) -> None:
    # Start requests all wait for the one robots.txt download; each must get its rules
    # (Scrapy hands the parser to the first waiter only and lets the others through).
    root = tmp_path / "site"
    root.mkdir()
    with serve_site(root) as server:
        generate_site(root, 4, now=NOW, base=server.base_url)
        base = server.base_url
        sections = ", ".join(f'"{base}/private/reports/?n={i}"' for i in range(4))
        text = newsdesk_toml(base).replace("sections = [", f"sections = [{sections}, ")
        (tmp_path / "newsdesk.toml").write_text(text, encoding="utf-8")
        assert newsdesk("crawl", cwd=tmp_path).returncode == 0
        seen = server.requests_seen
    assert not [p for p in seen if p.startswith("/private/")]
