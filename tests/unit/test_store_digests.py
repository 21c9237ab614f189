"""Digest claims name a holder and a lease; a claim outlives neither (issue #14)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest import store


@pytest.fixture
def db(tmp_path: Path):
    database = store.open_db(tmp_path / "nd.db")
    yield database
    database.close()


@pytest.fixture
def live() -> Iterator[subprocess.Popen[bytes]]:
    """Another process of this host, alive for the test."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child
    child.kill()
    child.wait()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: no such process any more
    return child.pid


HERE = store.Holder()


def test_a_live_holder_keeps_the_day_until_it_is_done(db, live) -> None:
    assert store.claim_digest(db, "2026-12-01", holder=store.Holder(pid=live.pid))
    assert not store.claim_digest(db, "2026-12-01")
    assert store.get_digest(db, "2026-12-01")["claimed_by"] == live.pid


def test_a_claim_whose_process_is_gone_is_taken_over(db) -> None:
    assert store.claim_digest(db, "2026-12-01", holder=store.Holder(pid=dead_pid()))
    assert store.claim_digest(db, "2026-12-01")
    row = store.get_digest(db, "2026-12-01")
    assert (row["claimed_by"], row["claimed_host"]) == (HERE.pid, HERE.host)


def test_a_killed_holder_not_yet_reaped_is_gone_too(db, live) -> None:
    assert store.claim_digest(db, "2026-12-01", holder=store.Holder(pid=live.pid))
    live.kill()
    os.waitid(os.P_PID, live.pid, os.WEXITED | os.WNOWAIT)  # dead, and left unreaped
    # A zombie until its parent reaps it: it answers signal 0, but holds nothing.
    assert store.claim_digest(db, "2026-12-01")


def test_an_expired_lease_is_taken_over_even_from_another_host(db) -> None:
    elsewhere = store.Holder(pid=1, host="another-host.invalid")
    assert store.claim_digest(db, "2026-12-01", holder=elsewhere)
    assert not store.claim_digest(db, "2026-12-01")  # its lease runs: it may still write
    assert store.claim_digest(db, "2026-12-02", holder=elsewhere, lease_seconds=-1)
    assert store.claim_digest(db, "2026-12-02")


def test_a_claim_from_before_leases_binds_no_one(db) -> None:
    db.execute(
        "INSERT INTO digests (day, status, claimed_at, claimed_by) "
        "VALUES ('2026-12-01', 'writing', '2026-12-01T07:00:00+00:00', 1)"
    )
    db.conn.commit()
    assert store.claim_digest(db, "2026-12-01")


def test_recovery_frees_dead_claims_and_leaves_live_ones(db, live) -> None:
    store.claim_digest(db, "2026-12-01", holder=store.Holder(pid=dead_pid()))
    store.claim_digest(db, "2026-12-02", holder=store.Holder(pid=live.pid))
    assert store.recover_after_crash(db) == (0, 1)
    states = {d: store.get_digest(db, d)["status"] for d in ("2026-12-01", "2026-12-02")}
    assert states == {"2026-12-01": "failed", "2026-12-02": "writing"}


def test_release_gives_up_only_its_own_claim(db, live) -> None:
    store.claim_digest(db, "2026-12-01", holder=store.Holder(pid=live.pid))
    store.release_digest(db, "2026-12-01")  # not ours
    assert store.get_digest(db, "2026-12-01")["status"] == "writing"
    store.release_digest(db, "2026-12-01", holder=store.Holder(pid=live.pid))
    assert store.get_digest(db, "2026-12-01")["status"] == "failed"


def test_only_final_digests_are_done_and_delivered(db, tmp_path: Path) -> None:
    paths = {"markdown": tmp_path / "d.md", "html": tmp_path / "d.html"}
    store.claim_digest(db, "2026-12-01")
    store.record_digest(db, "2026-12-01", count=2, articles=3, final=False, **paths)
    assert store.final_digests(db, since="2026-01-01") == {}
    assert store.undelivered_digests(db, since="2026-01-01") == []
    store.claim_digest(db, "2026-12-01")
    store.record_digest(db, "2026-12-01", count=2, articles=3, final=True, **paths)
    assert store.final_digests(db, since="2026-01-01") == {"2026-12-01": 3}
    assert [r["day"] for r in store.undelivered_digests(db, since="2026-01-01")] == ["2026-12-01"]
    store.record_delivery(db, "2026-12-01", error=None)
    store.claim_digest(db, "2026-12-01")
    store.record_digest(db, "2026-12-01", count=2, articles=4, final=True, **paths)
    assert store.undelivered_digests(db, since="2026-01-01") == []  # a rewrite is not resent


def test_older_stores_keep_daily_and_delivered_digests_final(tmp_path: Path) -> None:
    import sqlite_utils

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before="m009_final_digests_and_claim_leases")
    for day, written, sent in (
        ("2026-11-01", "2026-11-02T02:00:00+00:00", None),  # the old daily job, 07:00 PKT
        ("2026-11-02", "2026-11-02T20:00:00+00:00", None),  # "today so far"
        ("2026-11-03", "2026-11-03T20:00:00+00:00", "2026-11-03T20:00:05+00:00"),  # and sent
    ):
        old.execute(
            "INSERT INTO digests (day, generated_at, status, notified_at) VALUES (?, ?, 'done', ?)",
            [day, written, sent],
        )
    old.conn.commit()
    old.close()
    db = store.open_db(path)
    finals = store.final_digests(db, since="2026-01-01")
    assert finals == {"2026-11-01": None, "2026-11-03": None}  # 11-02 is written again
    paths = {"markdown": tmp_path / "d.md", "html": tmp_path / "d.html"}
    store.claim_digest(db, "2026-11-03")
    store.record_digest(db, "2026-11-03", count=1, articles=1, final=True, **paths)
    pending = [row["day"] for row in store.undelivered_digests(db, since="2026-01-01")]
    assert "2026-11-03" not in pending  # the one already sent is never sent twice
    db.close()
    db.close()


def test_a_writer_whose_lease_ran_out_records_nothing(db, tmp_path: Path) -> None:
    paths = {"markdown": tmp_path / "d.md", "html": tmp_path / "d.html"}
    slow = store.Holder(pid=HERE.pid, host="slept.invalid")
    assert store.claim_digest(db, "2026-12-01", holder=slow, lease_seconds=-1)
    assert store.claim_digest(db, "2026-12-01")  # the lease ran out: taken over
    store.record_digest(db, "2026-12-01", count=1, articles=1, final=True, **paths)
    store.record_delivery(db, "2026-12-01", error=None)
    with pytest.raises(store.ClaimLost):  # the sleeper wakes up and tries to record
        store.record_digest(
            db, "2026-12-01", count=1, articles=1, final=False, holder=slow, **paths
        )
    row = store.get_digest(db, "2026-12-01")
    assert (row["final"], row["notified_at"] is not None) == (1, True)


def test_a_store_being_checkpointed_is_not_taken_for_a_truncated_one(tmp_path: Path) -> None:
    path = tmp_path / "nd.db"
    db = store.open_db(path)
    db.close()
    with path.open("r+b") as handle:  # page 1 already says the file is longer...
        handle.seek(28)
        handle.write((10_000).to_bytes(4, "big"))
    wal = path.with_name("nd.db-wal")
    wal.write_bytes(b"\0" * 4096)  # ...while the WAL still holds the pages to come
    store.check_file(path)
    wal.unlink()
    with pytest.raises(store.StoreCorrupt, match="truncated"):
        store.check_file(path)


def test_salvage_keeps_the_rows_still_in_the_wal(tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "nd.db"
    db = store.open_db(path)
    for _ in range(50):
        store.finish_run(db, store.start_run(db, "crawl"), "ok")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in ("nd.db", "nd.db-wal"):  # as a crash leaves them: not checkpointed
        shutil.copyfile(tmp_path / name, crashed / name)
    db.close()
    kept = store.salvage(crashed / "nd.db", tmp_path / "salvaged.db")
    assert kept["runs"] == 50
