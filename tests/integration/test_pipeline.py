"""Crawl the fixture site on 127.0.0.1 through the real spider in a subprocess, then process,
digest and search, as a user would with the command line."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.summarise import split_sentences
from tests.conftest import EXAMPLE_PATH, FIXTURES, FURNITURE, newsdesk, source_toml

TODAY = datetime.now(ZoneInfo("Asia/Karachi")).date().isoformat()


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def crawled(tmp_path: Path, site_url: str, write_config) -> Path:
    """A store filled by one `newsdesk crawl` and one `newsdesk process` of the fixture site."""
    write_config(source_toml("profit", site_url))
    for command in ("crawl", "process"):
        result = newsdesk(command, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    return tmp_path / "data" / "newsdesk.db"


def test_crawl_stores_the_three_articles_and_obeys_robots(crawled: Path, site) -> None:
    urls = sorted(u for (u,) in query(crawled, "SELECT url FROM articles"))
    assert [re.sub(r"^http://127\.0\.0\.1:\d+", "", u) for u in urls] == [
        "/2025/11/04/oil-prices-edge-lower-as-traders-weigh-supply-outlook/",
        EXAMPLE_PATH,
        "/2025/11/05/textile-exporters-seek-energy-tariff-relief-as-orders-slow/",
    ]
    assert "/robots.txt" in site.requests_seen
    assert "/feed.xml" in site.requests_seen  # discovered from <link rel="alternate">
    assert not [p for p in site.requests_seen if p.startswith("/private/")]
    ((html_size, state),) = query(
        crawled, f"SELECT length(html_zlib), state FROM pages WHERE url LIKE '%{EXAMPLE_PATH}'"
    )
    assert html_size > 1000
    assert state == "article"


def test_example_article_is_stored_clean_with_its_metadata_and_summary(crawled: Path) -> None:
    ((title, author, published, site_name, text, summary),) = query(
        crawled,
        "SELECT title, author, published_at, site_name, text, summary FROM articles "
        f"WHERE url LIKE '%{EXAMPLE_PATH}'",
    )
    paragraphs = (FIXTURES / "example_paragraphs.txt").read_text(encoding="utf-8").splitlines()
    assert text.split("\n") == paragraphs
    for furniture in FURNITURE:
        assert furniture not in text
    assert title == "Pakistan invites Japanese firms to invest in mineral sector"
    assert author == "Monitoring Desk"
    assert published == "2025-11-05T09:32:10+00:00"
    assert site_name == "Profit by Pakistan Today"
    picked = [s for s in split_sentences(text) if s in summary]
    assert 2 <= len(picked) <= 4
    assert " ".join(picked) == summary


def test_digest_lists_the_article_with_link_and_summary(crawled: Path) -> None:
    result = newsdesk("digest", cwd=crawled.parent.parent)
    assert result.returncode == 0, result.stderr
    markdown = (crawled.parent / "digests" / f"{TODAY}.md").read_text(encoding="utf-8")
    html = (crawled.parent / "digests" / f"{TODAY}.html").read_text(encoding="utf-8")
    ((url, summary),) = query(
        crawled, f"SELECT url, summary FROM articles WHERE url LIKE '%{EXAMPLE_PATH}'"
    )
    assert f"### [Pakistan invites Japanese firms to invest in mineral sector]({url})" in markdown
    assert summary in markdown
    assert f'<a href="{url}"' in html
    assert "Pakistan invites Japanese firms to invest in mineral sector" in html
    for furniture in FURNITURE:
        assert furniture not in markdown
        assert furniture not in html
    assert query(crawled, "SELECT day, article_count FROM digests") == [(TODAY, 3)]


def test_digest_again_replaces_the_day_and_an_empty_day_says_so(crawled: Path) -> None:
    cwd = crawled.parent.parent
    for _ in range(2):
        assert newsdesk("digest", cwd=cwd).returncode == 0
    assert query(crawled, "SELECT count(*) FROM digests") == [(1,)]
    with sqlite3.connect(crawled) as conn:  # the store's history began three days ago
        began = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
        conn.execute(
            "INSERT INTO runs (kind, started_at, status) VALUES ('crawl', ?, 'ok')", [began]
        )
    quiet = (date.fromisoformat(TODAY) - timedelta(days=2)).isoformat()
    assert newsdesk("digest", "--date", quiet, cwd=cwd).returncode == 0
    empty = (crawled.parent / "digests" / f"{quiet}.md").read_text(encoding="utf-8")
    assert "No new articles were collected on this day" in empty
    assert newsdesk("digest", "--date", "2020-13-01", cwd=cwd).returncode == 2


def test_crawl_and_process_again_add_no_article(crawled: Path, site) -> None:
    before = query(crawled, "SELECT count(*) FROM articles")
    seen = len(site.requests_seen)
    cwd = crawled.parent.parent
    for command in ("crawl", "process"):
        assert newsdesk(command, cwd=cwd).returncode == 0
    assert query(crawled, "SELECT count(*) FROM articles") == before == [(3,)]
    refetched = [p for p in site.requests_seen[seen:] if p.startswith("/2025/")]
    assert refetched == []  # known articles are not fetched again
    assert newsdesk("crawl", "--refresh", cwd=cwd).returncode == 0
    assert newsdesk("process", "--reprocess", cwd=cwd).returncode == 0
    assert query(crawled, "SELECT count(*) FROM articles") == [(3,)]


def test_pages_that_are_not_articles_are_recorded_as_such(
    tmp_path: Path, site_url: str, write_config
) -> None:
    write_config(source_toml("profit", site_url, patterns=False))
    assert newsdesk("crawl", cwd=tmp_path).returncode == 0
    assert newsdesk("process", cwd=tmp_path).returncode == 0
    db = tmp_path / "data" / "newsdesk.db"
    states = dict(query(db, "SELECT url, state FROM pages"))
    assert states[f"{site_url}/tag/japan/"] == "not_article"
    assert states[f"{site_url}/author/monitoring-desk/"] == "not_article"
    assert query(db, "SELECT count(*) FROM articles") == [(3,)]


def test_a_failing_source_is_reported_and_the_others_go_on(
    tmp_path: Path, site_url: str, write_config
) -> None:
    dead = (
        '[[sources]]\nname = "dead"\nhomepage = "http://127.0.0.1:9/"\n'
        "allow_private_address = true\n"
    )
    write_config(source_toml("profit", site_url) + dead)
    result = newsdesk("crawl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "data" / "newsdesk.db"
    assert query(db, "SELECT status FROM runs WHERE kind = 'crawl'") == [("partial",)]
    ((status, error),) = query(
        db, "SELECT status, first_error FROM crawl_sources WHERE source = 'dead'"
    )
    assert status == "skipped"  # its robots.txt could not be fetched: not crawled this run
    assert "robots.txt unavailable" in error and "refused" in error
    assert query(db, "SELECT count(*) FROM pages WHERE source = 'profit'") == [(3,)]
    assert newsdesk("process", cwd=tmp_path).returncode == 0
    assert newsdesk("digest", cwd=tmp_path).returncode == 0
    markdown = (tmp_path / "data" / "digests" / f"{TODAY}.md").read_text(encoding="utf-8")
    assert "dead: failed in 1 of 1 crawls" in markdown


def test_search_finds_by_phrase_and_explains_a_bad_query(crawled: Path) -> None:
    cwd = crawled.parent.parent
    result = newsdesk("search", '"rare earth"', cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Pakistan invites Japanese firms to invest in mineral sector" in result.stdout
    assert "[rare earth]" in result.stdout  # highlighted snippet
    assert "1 article" in result.stderr
    bad = newsdesk("search", '"unbalanced', cwd=cwd)
    assert bad.returncode == 2
    assert "cannot search" in bad.stderr and "Traceback" not in bad.stderr


def test_search_leaves_the_store_unchanged(crawled: Path) -> None:
    def state() -> tuple:
        return crawled.stat().st_mtime_ns, query(crawled, "SELECT count(*), max(id) FROM runs")

    before = state()
    assert newsdesk("search", "oil", cwd=crawled.parent.parent).returncode == 0
    assert state() == before


def test_catch_up_writes_each_missed_digest_once(crawled: Path) -> None:
    from digest import jobs
    from digest.config import load_config

    cfg = load_config(crawled.parent.parent / "newsdesk.toml")
    today = datetime.now(cfg.tz)
    assert jobs.catch_up_digests(cfg, now=today.replace(hour=23)) == []  # today is not over
    # The machine was off for three days: it wakes at 23:00 three days later.
    later = (today + timedelta(days=3)).replace(hour=23, minute=0)
    days = [today.date() + timedelta(days=n) for n in range(3)]
    assert jobs.catch_up_digests(cfg, now=later) == days
    assert jobs.catch_up_digests(cfg, now=later) == []  # each written once
    done = query(
        crawled, "SELECT day, article_count FROM digests WHERE status = 'done' ORDER BY day"
    )
    assert done == [(str(days[0]), 3), (str(days[1]), 0), (str(days[2]), 0)]
