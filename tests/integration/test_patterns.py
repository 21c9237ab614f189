"""One source's pathological URL pattern cannot starve the others (issue #15).

The reproduction: ``article_patterns = ['(a+)+$']`` on a source whose pages link to
``/aaaa…a!`` kept Python's backtracking ``re`` at 92% CPU; the good source of the same run
saved 1 page of 30 and the run ended only at ``crawl_timeout_minutes``. URL patterns now
run on RE2, whose matching time is linear in the URL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.siteserver import serve_site
from tests.conftest import newsdesk

GOOD_PAGES = 30
RUN_OF_A = "a" * 36  # 2**36 backtracking steps per link for `re`; nothing for RE2
RUN_OF_X = "x" * 36


def write_sites(root: Path) -> None:
    """/bad/ links to URLs that make `(a+)+$` and `(x+x+)+y` backtrack; /good/ links to
    GOOD_PAGES articles."""
    bad_links = [f"/bad/{i}/{RUN_OF_A}!" for i in range(40)]
    bad_links += [f"/bad/{i}/{RUN_OF_X}" for i in range(40)]
    good_links = [f"/good/2026/11/26/story-{i}/" for i in range(GOOD_PAGES)]
    for folder, links in (("bad", bad_links), ("good", good_links)):
        anchors = "".join(f'<li><a href="{u}">story</a></li>' for u in links)
        page = f"<html><head><title>{folder}</title></head><body><ul>{anchors}</ul></body></html>"
        (root / folder).mkdir(parents=True)
        (root / folder / "index.html").write_text(page, encoding="utf-8")
    for link in good_links:
        story = root / link.strip("/")
        story.mkdir(parents=True)
        paragraphs = "".join(
            f"<p>Paragraph {n} of {link}: exporters reported higher orders this quarter.</p>"
            for n in range(6)
        )
        (story / "index.html").write_text(
            f"<html><head><title>Story {link}</title></head>"
            f"<body><article><h1>Story</h1>{paragraphs}</article></body></html>",
            encoding="utf-8",
        )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


def test_a_pathological_pattern_cannot_starve_the_other_sources(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_sites(root)
    with serve_site(root) as site:
        base = site.base_url
        (tmp_path / "newsdesk.toml").write_text(
            # A cap of minutes, far above what the crawl needs even on a busy machine:
            # before RE2 the run always reached it.
            "download_delay = 0.0\ncrawl_timeout_minutes = 5\n"
            f'[[sources]]\nname = "bad"\nhomepage = "{base}/bad/"\n'
            "allow_private_address = true\n"
            "article_patterns = ['(a+)+$']\n"
            "deny_patterns = ['(x+x+)+y']\n"
            f'[[sources]]\nname = "good"\nhomepage = "{base}/good/"\n'
            "allow_private_address = true\n"
            "article_patterns = ['/good/\\d{4}/\\d{2}/\\d{2}/story-\\d+/$']\n",
            encoding="utf-8",
        )
        result = newsdesk("crawl", cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "newsdesk.db") as conn:
        (status,) = conn.execute("SELECT status FROM runs WHERE kind = 'crawl'").fetchone()
        saved = dict(conn.execute("SELECT source, pages_saved FROM crawl_sources").fetchall())
        stored = conn.execute("SELECT source, count(*) FROM pages GROUP BY source").fetchall()
    assert status == "ok"  # not "timeout"
    assert saved == {"bad": 0, "good": GOOD_PAGES}
    assert stored == [("good", GOOD_PAGES)]
