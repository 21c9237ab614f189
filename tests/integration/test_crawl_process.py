"""`newsdesk crawl --process`: pages are extracted and summarised while the crawl runs, by
the worker pool, and saved by the crawl process with its page batches."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.site import generate_site, newsdesk_toml
from crawler.pipelines.processing import WAIT_HIGH
from crawler.siteserver import serve_site
from tests.conftest import newsdesk, source_toml

ARTICLE_COLUMNS = "url, title, author, published_at, text, summary"


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_crawl_with_process_gives_the_articles_crawl_then_process_gives(
    tmp_path: Path, site_url: str
) -> None:
    stores = {}
    for way, commands in {
        "apart": [("crawl",), ("process",)],
        "together": [("crawl", "--process"), ("process",)],
    }.items():
        folder = tmp_path / way
        folder.mkdir()
        (folder / "newsdesk.toml").write_text(
            "download_delay = 0.0\n" + source_toml("profit", site_url), encoding="utf-8"
        )
        outputs = []
        for command in commands:
            result = newsdesk(*command, cwd=folder)
            assert result.returncode == 0, result.stderr
            outputs.append(result.stdout)
        stores[way] = folder / "data" / "newsdesk.db"
        if way == "together":
            assert "3 articles" in outputs[0]  # the crawl's own report
            # The crawl processed every page itself: its pass over pages left pending
            # (which prints "then ...") found none.
            assert not re.search(r"^then ", outputs[0], re.MULTILINE), outputs[0]
            assert "nothing to do" in outputs[1]

    together = rows(stores["together"], f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url")
    apart = rows(stores["apart"], f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url")
    assert len(together) == 3
    assert together == apart
    states = rows(stores["together"], "SELECT state, count(*) FROM pages GROUP BY state")
    assert dict(states).get("pending", 0) == 0
    assert all(summary for *_, summary in together)


def test_articles_are_saved_while_the_crawl_is_still_fetching(tmp_path: Path) -> None:
    """With a slow, one-request-at-a-time crawl, articles are in the store before the last
    page is fetched: processing runs beside the crawl, not after it."""
    n = 40
    with serve_site(tmp_path / "site") as server:
        generate_site(server.root, n, now=datetime.now(UTC), base=server.base_url, per_page=10)
        text = newsdesk_toml(
            server.base_url,
            settings="download_delay = 0.1",
            source="concurrency = 1\nautothrottle = false",
        )
        (tmp_path / "newsdesk.toml").write_text(text, encoding="utf-8")
        result = newsdesk("crawl", "--process", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "data" / "newsdesk.db"
    assert rows(db, "SELECT count(*) FROM articles WHERE summary != ''") == [(n,)]
    ((first_saved,),) = rows(db, "SELECT min(updated_at) FROM articles")
    ((last_fetched,),) = rows(db, "SELECT max(fetched_at) FROM pages")
    assert first_saved < last_fetched


def test_the_crawl_pauses_when_the_workers_fall_behind(tmp_path: Path) -> None:
    """One worker against 16 downloads at a time: pages would pile up in memory; instead
    the crawl pauses at WAIT_HIGH waiting pages, and still stores every article."""
    n = 150
    with serve_site(tmp_path / "site") as server:
        generate_site(server.root, n, now=datetime.now(UTC), base=server.base_url)
        text = newsdesk_toml(
            server.base_url,
            settings="download_delay = 0.0\nprocess_workers = 1",
            sections=False,
            sitemaps=True,
            source="concurrency = 16\nautothrottle = false",
        )
        (tmp_path / "newsdesk.toml").write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "--process", "--log-level", "INFO"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    stats = dict(re.findall(r"'newsdesk/processing/(\w+)': (\d+)", result.stderr))
    assert int(stats["pauses"]) >= 1
    assert int(stats["most_waiting"]) <= WAIT_HIGH + 16 * 2
    db = tmp_path / "data" / "newsdesk.db"
    assert rows(db, "SELECT count(*) FROM articles WHERE summary != ''") == [(n,)]
