"""Storage faults: another writer holding the lock, and a full disk. Nothing crashes,
nothing written half, nothing lost: the work waits, or stays pending for the next run."""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from digest import jobs, store
from digest.render import write_atomic
from digest.store import connection
from tests.integration.test_processing import case, stored


@pytest.fixture
def quick_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait 0.2 s per attempt, three attempts, instead of 10 s and four."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(connection, "WRITE_ATTEMPTS", 3)
    monkeypatch.setattr(connection, "BACKOFF_SECONDS", 0.1)


def hold_lock(db_path: Path, seconds: float) -> threading.Thread:
    ready = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


@pytest.fixture
def pending(write_config):
    cfg = write_config('[[sources]]\nname = "s"\nhomepage = "https://s.example/"\n')
    db = store.open_db(cfg.db_path)
    for name in ("comment_form", "author_bio", "share_bar"):
        expected, html = case(name)
        stored(db, expected["url"], html)
    db.close()
    return cfg


def articles(cfg) -> int:
    with sqlite3.connect(cfg.db_path) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_lock_held_a_while_only_delays_the_work(pending, quick_lock) -> None:
    holder = hold_lock(pending.db_path, 0.4)  # shorter than attempts plus backoff
    result = jobs.run_process(pending)
    holder.join()
    assert result.store_error is None
    assert articles(pending) == 3


def test_a_lock_never_released_leaves_the_work_pending_for_the_next_run(
    pending, quick_lock
) -> None:
    holder = hold_lock(pending.db_path, 4)
    with pytest.raises(store.StoreBusy, match="another writer held the store"):
        jobs.run_process(pending)  # the job fails cleanly; the service logs it and goes on
    holder.join()
    assert articles(pending) == 0
    db = store.open_db(pending.db_path)
    assert len(store.pages_to_process(db)) == 3  # nothing lost
    db.close()
    assert jobs.run_process(pending).store_error is None  # the next run does the work
    assert articles(pending) == 3


def test_a_full_disk_rolls_the_batch_back_and_keeps_the_store(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "n.db")
    small = store.FetchedPage(
        url="u0",
        source="s",
        final_url="u0",
        http_status=200,
        content_type="text/html",
        html="<p>small</p>",
        fetched_at="t",
    )
    store.save_pages(db, [small])
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    big = [
        store.FetchedPage(
            url=f"u{n}",
            source="s",
            final_url="",
            http_status=200,
            content_type="text/html",
            html=os.urandom(60_000).hex(),
            fetched_at="t",
        )
        for n in range(1, 6)
    ]
    with pytest.raises(store.StoreFull):
        store.save_pages(db, big)
    assert db.execute("SELECT url FROM pages").fetchall() == [("u0",)]  # all or nothing
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.execute("PRAGMA max_page_count = 1073741823")
    assert store.save_pages(db, big) == (5, 0)  # space again: the same batch goes in


def test_a_full_disk_while_writing_a_digest_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "2026-11-26.md"
    write_atomic(target, "the previous digest")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "the new digest")
    assert target.read_text() == "the previous digest"
    assert [p.name for p in tmp_path.iterdir()] == ["2026-11-26.md"]


def test_the_service_keeps_running_on_a_full_disk(
    tmp_path: Path, site_url: str, write_config
) -> None:
    from tests.conftest import newsdesk, source_toml
    from tests.integration.test_service import stop_service
    from tests.integration.test_service_schedule import ready, start

    cfg = write_config(source_toml("profit", site_url), "crawl_interval_minutes = 0.05")
    db = store.open_db(cfg.db_path)  # a store with history; then the disk fills up
    store.finish_run(db, store.start_run(db, "crawl"), "ok")
    db.close()
    service = start(tmp_path, NEWSDESK_FAULT="store-full")
    try:
        ready(service, tmp_path)
        time.sleep(8)  # crawls whose pages cannot be written; the service goes on
        assert service.poll() is None
        code, stderr = stop_service(service, 15, 30)
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr
    assert "cannot grow" in stderr
    assert articles(cfg) == 0
    with sqlite3.connect(cfg.db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    result = newsdesk("run", "--once", cwd=tmp_path)  # space again: nothing was lost
    assert result.returncode == 0, result.stderr
    assert articles(cfg) == 3


def test_a_reader_holding_a_long_transaction_does_not_stop_writes(pending) -> None:
    reader = sqlite3.connect(f"{pending.db_path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    reader.execute("BEGIN")
    before = reader.execute("SELECT count(*) FROM articles").fetchone()[0]
    started = time.monotonic()
    result = jobs.run_process(pending)  # writes while the read transaction stays open
    assert result.store_error is None and articles(pending) == 3
    assert time.monotonic() - started < 30
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == before  # its snapshot
    reader.execute("COMMIT")
    reader.close()
