"""SIGKILL at random points of crawl, process and digest (20 seeded iterations): the store
stays consistent, no file is half written, the killed run is marked, and the next run
completes the work with no duplicates."""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import newsdesk, source_toml

SEED = 20261126
ITERATIONS = 20


def check_consistent(db: Path, digests: Path) -> None:
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone():
                conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
            ids = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
            assert ids[0] == ids[1]
    for path in digests.glob("*.json") if digests.exists() else []:
        json.loads(path.read_text(encoding="utf-8"))  # complete, or not there at all
    for path in digests.glob("*.md") if digests.exists() else []:
        assert path.read_text(encoding="utf-8").rstrip().endswith("by newsdesk.")


def running(db: Path, kind: str) -> bool:
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute(
                "SELECT 1 FROM runs WHERE kind = ? AND status = 'running'", [kind]
            ).fetchone()
    except sqlite3.OperationalError:
        return False
    return row is not None


def requeue(db: Path) -> None:
    """Give the next run pages to process, as a crawl bringing new pages would."""
    if db.exists():
        with sqlite3.connect(db, timeout=10) as conn:
            conn.execute("UPDATE pages SET state = 'pending' WHERE state = 'article'")


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing(
    tmp_path: Path, site_url: str, write_config
) -> None:
    write_config(source_toml("profit", site_url))
    db, digests = tmp_path / "data" / "newsdesk.db", tmp_path / "data" / "digests"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    rng = random.Random(SEED)
    for n in range(ITERATIONS):
        requeue(db)
        run = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "run", "--once"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stage = ("crawl", "process", "digest", None)[n % 4]  # None: any moment
        # A loaded machine can take well over 10 s to reach the digest stage.
        deadline = time.monotonic() + (30 if stage else rng.uniform(0.3, 6.0))
        while time.monotonic() < deadline and not (stage and running(db, stage)):
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.3))  # somewhere inside that stage
        run.kill()  # SIGKILL: no handler runs; the crawl child dies with it (PR_SET_PDEATHSIG)
        run.wait()
        time.sleep(0.3)
        check_consistent(db, digests)
    result = newsdesk("run", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_consistent(db, digests)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0] == 0
        killed = dict(
            conn.execute(
                "SELECT kind, count(*) FROM runs WHERE status = 'interrupted' GROUP BY kind"
            ).fetchall()
        )
        assert conn.execute("SELECT count(*) FROM pages WHERE state = 'pending'").fetchone()[0] == 0
    assert killed.get("crawl", 0) >= 3 and killed.get("process", 0) >= 3, killed
    assert not list(digests.glob(".*.tmp"))


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the thread or the process has just ended
            found.update(int(p) for p in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_a_killed_process_run_leaves_no_worker_running(
    tmp_path: Path, site_url: str, write_config
) -> None:
    # A worker left running after its newsdesk was killed would go on holding what it
    # inherited, such as the data directory's service lock, and block the next start.
    write_config(source_toml("profit", site_url), "process_workers = 2")  # whatever the cores
    assert newsdesk("crawl", cwd=tmp_path).returncode == 0  # pages stored, not processed
    run = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "process"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and run.poll() is None:
        workers |= children(run.pid)
        time.sleep(0.01)
    assert len(workers) >= 2, "the process run ended before its workers were seen"
    run.kill()  # SIGKILL, while the workers load trafilatura or extract a page
    run.wait()
    time.sleep(0.3)
    assert not [pid for pid in workers if alive(pid)]
