"""Long work shows where it is: a crawl's running counts on standard error (one live line
on a terminal, counted lines otherwise), and the service's log lines carry the counts."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import newsdesk, source_toml

COUNTED = re.compile(r"^crawling: profit (\d+) new pages, (\d+) requests \(\d+s\)$", re.M)


def test_a_crawl_counts_as_it_goes_and_its_last_count_matches_its_summary(
    tmp_path: Path, site_url: str, write_config
) -> None:
    write_config(source_toml("profit", site_url))
    result = newsdesk("crawl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counted = COUNTED.findall(result.stderr)
    assert counted, result.stderr  # not a terminal: whole lines, no carriage returns
    assert "\r" not in result.stderr
    pages, requests = counted[-1]
    summary = re.search(r"^profit: ok, (\d+) new pages, .* (\d+) requests in", result.stdout, re.M)
    assert summary is not None, result.stdout
    assert (pages, requests) == summary.groups()  # the last count is the crawl's own
    assert int(pages) == 3  # the fixture site's three articles (patterns skip the rest)
    assert result.stdout.rstrip().endswith("crawl 1: ok")


def test_on_a_terminal_the_count_is_one_line_redrawn(
    tmp_path: Path, site_url: str, write_config
) -> None:
    write_config(source_toml("profit", site_url))
    leader, follower = pty.openpty()
    try:
        child = subprocess.run(
            [sys.executable, "-m", "scheduler", "crawl"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=120,
            check=False,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert child.returncode == 0, shown
    text = shown.decode()
    assert re.search(r"\rcrawling: profit \d+ new pages, \d+ requests \(\d+s\)\x1b\[K", text)
    assert text.count("crawling:") == text.count("\rcrawling:")  # redrawn, not new lines
    assert re.search(r"^profit: ok, \d+ new pages", child.stdout, re.M)


def test_the_services_log_lines_carry_counts(tmp_path: Path, site_url: str, write_config) -> None:
    cfg = write_config(source_toml("profit", site_url))
    result = newsdesk("run", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    log = (cfg.data_dir / "logs" / "newsdesk.log").read_text(encoding="utf-8")
    crawl = re.search(
        r"crawl run=1 status=ok sources=1 requests=(\d+) pages_saved=(\d+) pages_unchanged=0 "
        r"known_skipped=0 not_modified=0 errors=0",
        log,
    )
    assert crawl is not None, log
    assert int(crawl[2]) == 3
    assert "process run=2 status=ok counts={}" in log  # processed in the crawl: none left
    # the crawl's closing lines: on standard output for the user, not in the progress line
    assert re.search(r"^profit: ok, \d+ new pages", result.stdout, re.M), result.stdout
    assert "final digest" in result.stdout or "digest (provisional" in result.stdout


def test_a_display_whose_reader_went_away_does_not_cut_the_crawl_short(
    tmp_path: Path, site_url: str, write_config
) -> None:
    """`newsdesk crawl 2>&1 | head -0`: the display cannot write, the crawl goes on, is
    stored and recorded, and the command ends as a cut pipe does (141)."""
    cfg = write_config(source_toml("profit", site_url))
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scheduler", "crawl"],
            cwd=tmp_path,
            stdout=write_end,
            stderr=write_end,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    with sqlite3.connect(cfg.db_path) as db:
        assert db.execute("SELECT kind, status FROM runs").fetchall() == [("crawl", "ok")]
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 3
    assert not (cfg.data_dir / ".crawl-progress" / "1").exists()  # its folder removed
