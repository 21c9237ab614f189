"""The real service and the demo, each run as a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FURNITURE, newsdesk, source_toml

TODAY = datetime.now(ZoneInfo("Asia/Karachi")).date().isoformat()


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def runs(db: Path) -> list[tuple[str, str]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT kind, status FROM runs ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the service has not created the tables yet
        return []


def stop_service(service: subprocess.Popen[str], sig: int, timeout: float) -> tuple[int, str]:
    """Send ``sig``; return the exit code and what the service wrote to stderr."""
    service.send_signal(sig)
    _, stderr = service.communicate(timeout=timeout)
    return service.returncode, stderr


def start_service(cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.Popen(
        [sys.executable, "-m", "scheduler", "run"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_run_once_crawls_processes_and_writes_todays_digest(
    tmp_path: Path, site_url: str, write_config
) -> None:
    write_config(source_toml("profit", site_url))
    result = newsdesk("run", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    digest = tmp_path / "data" / "digests" / f"{TODAY}.md"
    assert "Pakistan invites Japanese firms to invest in mineral sector" in digest.read_text()
    assert [kind for kind, _ in runs(tmp_path / "data" / "newsdesk.db")] == [
        "crawl",
        "process",
        "digest",
    ]


def test_service_crawls_at_start_and_stops_cleanly_on_sigterm(
    tmp_path: Path, site_url: str, write_config
) -> None:
    write_config(source_toml("profit", site_url), "crawl_interval_minutes = 60")
    db = tmp_path / "data" / "newsdesk.db"
    service = start_service(tmp_path)
    try:
        wait_for(lambda: ("process", "ok") in runs(db), 60, "the first crawl and process")
        code, stderr = stop_service(service, signal.SIGTERM, 30)
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr
    assert runs(db) == [("crawl", "ok"), ("process", "ok")]
    assert "service stopped" in stderr


def test_sigterm_during_a_crawl_ends_it_and_records_it(
    tmp_path: Path, silent_server: str, write_config
) -> None:
    write_config(
        f'[[sources]]\nname = "slow"\nhomepage = "{silent_server}/"\nallow_private_address = true\n'
    )
    db = tmp_path / "data" / "newsdesk.db"
    service = start_service(tmp_path)
    try:
        wait_for(lambda: ("crawl", "running") in runs(db), 30, "the crawl to start")
        time.sleep(1)  # let the crawl subprocess reach the silent server
        started = time.monotonic()
        code, stderr = stop_service(service, signal.SIGINT, 30)
        assert time.monotonic() - started < 15
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr
    assert runs(db) == [("crawl", "interrupted")]


def test_demo_writes_a_clean_digest_of_every_sample_article(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("newsdesk")  # the installed console script
    result = subprocess.run(
        [str(command), "demo", "--data-dir", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    markdown_path = tmp_path / "demo" / "digests" / f"{TODAY}.md"
    assert str(markdown_path) in result.stdout
    config = tmp_path / "demo" / "newsdesk.toml"
    assert f"newsdesk search mineral --config {config}" in result.stdout  # what to try next
    markdown = markdown_path.read_text(encoding="utf-8")
    html = markdown_path.with_suffix(".html").read_text(encoding="utf-8")
    with sqlite3.connect(tmp_path / "demo" / "newsdesk.db") as conn:
        rows = conn.execute("SELECT title, summary, text FROM articles").fetchall()
        not_articles = conn.execute(
            "SELECT count(*) FROM pages WHERE state = 'not_article'"
        ).fetchone()[0]
    assert len(rows) == 10
    assert not_articles > 0  # tag, author and section pages were recognised
    for title, summary, _text in rows:
        assert summary and summary in markdown.replace("\\", "")
        assert title in html or title.replace("'", "&#39;") in html
    for furniture in (*FURNITURE[:4], "Subscribe to our daily business briefing", "Post Comment"):
        assert furniture not in markdown
        assert furniture not in html
        assert not any(furniture in text for _, _, text in rows)
