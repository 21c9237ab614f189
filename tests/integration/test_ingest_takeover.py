"""The ingest-writer role after its holder died (issue #15, item 5): a restarted
`newsdesk ingest` takes over from a writer that is gone at once, a live writer still keeps
the role, and `newsdesk crawl --redis` never ends "ok" with pages only in Redis."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from cli import crawling
from digest import ingest, store
from digest.cluster import INGEST_LOCK, PAGES, PROCESSING, encode_page, holder_gone, holder_ident
from digest.config import load_config
from digest.ingest import IngestFailed, IngestWriter, crawl_with_ingest
from tests.integration.test_scale_out import (
    LIMIT,
    Cluster,
    _ingest_config,
    cluster,
    crawl_redis,
    news_site,
    page,
    redis_server,
    run_newsdesk,
    stored_urls,
)
from tests.integration.test_service import wait_for
from tests.redisserver import RedisServer

__all__ = ["cluster", "news_site", "redis_server"]

ELSEWHERE = "store-b.example:4242:123456:c0ffee"  # a writer on another machine


def holder(server: RedisServer) -> str | None:
    value = server.client().get(INGEST_LOCK)
    return value.decode() if value else None


def is_zombie(pid: int) -> bool:
    """Killed but not yet reaped: its PID is still taken."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def push_pages(server: RedisServer, numbers: range) -> set[str]:
    server.client().lpush(PAGES, *[encode_page(page(n), limit=LIMIT) for n in numbers])
    return {page(n).url for n in numbers}


def waiting(server: RedisServer) -> int:
    r = server.client()
    return int(r.llen(PAGES) + r.llen(PROCESSING))


def start_writer(cluster: Cluster) -> tuple[subprocess.Popen[str], str]:
    """`newsdesk ingest`, once it holds the role; and its holder value."""
    proc = cluster.start("ingest")
    cluster.wait_until("the writer holding the role", lambda: holder(cluster.redis) is not None)
    value = holder(cluster.redis)
    assert value is not None and f":{proc.pid}:" in value, value
    return proc, value


def kill(cluster: Cluster, proc: subprocess.Popen[str], *, reap: bool) -> None:
    """SIGKILL; with ``reap`` false the process stays a zombie (its PID still taken)."""
    cluster.procs.remove(proc)  # Cluster.wait_until polls (and so reaps) its processes
    proc.send_signal(signal.SIGKILL)
    if reap:
        proc.wait(timeout=30)
    else:
        wait_for(lambda: is_zombie(proc.pid), 30, "the killed writer to be a zombie")


def ingest_once(cluster: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    return run_newsdesk(cluster, "--config", "newsdesk.toml", "ingest", *args)


def test_a_killed_ingest_writer_is_taken_over_at_once(cluster: Cluster) -> None:
    """(a) SIGKILL `newsdesk ingest`, start another at once: it takes over while the dead
    writer's lease still runs (600 s, far past every wait here) and drains the pages."""
    cluster.configure(lease_seconds=600)
    first, first_holder = start_writer(cluster)
    before = push_pages(cluster.redis, range(100))
    kill(cluster, first, reap=False)
    try:
        assert holder(cluster.redis) == first_holder  # its lease runs on
        after = push_pages(cluster.redis, range(100, 200))
        second = ingest_once(cluster, "--drain")
    finally:
        first.wait()
    assert second.returncode == 0, second.stderr[-3000:]
    assert "took over the ingest role from" in second.stderr
    assert first_holder in second.stderr
    assert stored_urls(cluster.cwd) == before | after
    assert waiting(cluster.redis) == 0
    assert holder(cluster.redis) is None  # released on exit


def test_a_live_ingest_writer_still_refuses_a_second_one(cluster: Cluster) -> None:
    """(c) A live writer keeps the role, on this machine or another."""
    cluster.configure(lease_seconds=600)
    first, first_holder = start_writer(cluster)
    second = ingest_once(cluster)
    assert second.returncode == 1
    assert f"another ingest writer ({first_holder}) is running" in second.stderr
    assert f"process {first.pid} on this machine" in second.stderr
    assert first.poll() is None and holder(cluster.redis) == first_holder
    cluster.stop(first)
    assert holder(cluster.redis) is None

    # A writer on another machine: its PID means nothing here, so its lease decides.
    cluster.redis.client().set(INGEST_LOCK, ELSEWHERE, px=600_000)
    third = ingest_once(cluster)
    assert third.returncode == 1
    assert f"another ingest writer ({ELSEWHERE}) is running" in third.stderr
    assert holder(cluster.redis) == ELSEWHERE


@pytest.mark.parametrize("gone", ["killed-here", "lease-ran-out-elsewhere"])
def test_a_crawl_stores_the_pages_a_gone_writer_left(cluster: Cluster, gone: str) -> None:
    """(b) The reproduction: pages wait in Redis for an ingest writer that is gone, then
    `newsdesk crawl --redis` runs. It used to leave them there (and, once the dead holder's
    lease ran out, end "ok" with them still only in Redis); now it takes the role over and
    commits them with every page it fetched."""
    if gone == "killed-here":  # a real writer, SIGKILLed and reaped; its lease runs 600 s
        cluster.configure(lease_seconds=600)
        writer, _ = start_writer(cluster)
        kill(cluster, writer, reap=True)
    else:  # a writer on another machine whose lease runs out during the crawl
        cluster.configure()
        cluster.redis.client().set(INGEST_LOCK, ELSEWHERE, px=5000)
    planted = push_pages(cluster.redis, range(40))

    result = crawl_redis(cluster)

    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"crawl \d+: ok \(\d+ new pages stored\)", result.stdout), result.stdout
    if gone == "killed-here":  # at once, though the dead writer's lease runs 600 s
        assert "took over the ingest role from" in result.stderr
    assert waiting(cluster.redis) == 0  # nothing left only in Redis
    assert cluster.all_stored() and planted <= stored_urls(cluster.cwd)
    db = store.open_readonly(cluster.cwd / "data" / "newsdesk.db")
    assert store.last_runs(db)["crawl"]["status"] == "ok"


# --- a live writer elsewhere, in one process (crawl_with_ingest directly) ----------------


def test_a_crawl_waits_for_a_live_writer_to_store_its_pages(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """The role is held by a live writer (here, in this process): the crawl does not
    ingest, and it returns only once that writer has committed every page."""
    cfg = _ingest_config(tmp_path, redis_server.url)
    other = IngestWriter(cfg, redis_server.url)
    other.claim()
    planted = push_pages(redis_server, range(200))  # 4 batches of 50

    threads = []

    def crawl() -> str:
        threads.append(ingest.start_in_thread(other))  # it starts once the crawl has ended
        return "the crawl's row"

    try:
        result, ingested = crawl_with_ingest(cfg, crawl)
    finally:
        other.stop.set()
        for thread in threads:
            thread.join()
    assert (result, ingested) == ("the crawl's row", None)  # stored by the other writer
    assert waiting(redis_server) == 0
    assert stored_urls(tmp_path) == planted


def test_a_crawl_names_the_pages_a_live_writer_left_waiting(
    tmp_path: Path,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A writer elsewhere keeps the role but stores nothing: `newsdesk crawl` waits a
    bounded time, then says how many pages wait, exits 1 and records the run failed."""
    (tmp_path / "newsdesk.toml").write_text(
        f'[cluster]\nredis_url = "{redis_server.url}"\nlease_seconds = 1\n'
        '[[sources]]\nname = "wire"\nhomepage = "https://example.com/"\n',
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "newsdesk.toml")
    redis_server.client().set(INGEST_LOCK, ELSEWHERE, px=600_000)
    push_pages(redis_server, range(7))
    monkeypatch.setattr(ingest, "DRAIN_SECONDS", 0.5)

    def run_crawl(cfg: Any, sources: Any = None, stop: Any = None) -> dict[str, Any]:
        db = store.open_db(cfg.db_path)
        run_id = store.start_run(db, "crawl")
        store.finish_run(db, run_id, "ok")
        row = store.get_run(db, run_id)
        db.close()
        return row

    monkeypatch.setattr(crawling.jobs, "run_crawl", run_crawl)

    assert crawling._cluster_crawl(cfg, None, threading.Event()) == 1
    out = capsys.readouterr()
    assert f"7 pages wait in Redis for the ingest writer ({ELSEWHERE})" in out.err
    assert re.search(r"crawl \d+: failed \(7 pages wait for the ingest writer\)", out.out)
    db = store.open_readonly(cfg.db_path)
    assert store.last_runs(db)["crawl"]["status"] == "failed"
    assert waiting(redis_server) == 7  # nothing lost either

    with pytest.raises(IngestFailed, match="7 pages wait"):  # the library says the same
        crawl_with_ingest(cfg, lambda: None)


def test_a_holder_is_gone_only_when_its_process_is_on_this_host() -> None:
    here = socket.gethostname()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = holder_ident(child.pid)
        assert alive.startswith(f"{here}:{child.pid}:") and not holder_gone(alive)
        _, pid, start, token = alive.split(":")
        assert holder_gone(f"{here}:{pid}:{int(start) + 1}:{token}")  # the PID used again
        assert not holder_gone(f"elsewhere.example:{pid}:{start}:{token}")  # its lease decides
        assert not holder_gone("not a holder")
        child.kill()
        wait_for(lambda: is_zombie(child.pid), 30, "the child to be a zombie")
        assert holder_gone(alive)  # a zombie is dead
    finally:
        child.kill()
        child.wait()
    assert holder_gone(alive)  # and reaped
    assert not holder_gone(holder_ident(os.getpid()))  # this process, with a writer or not
