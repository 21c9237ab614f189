"""What a user meets when things go wrong (issue #15): a damaged store, a read-only data
directory, a full disk, a stopped command, out-of-range values. Each ends in one line that
names the cause and the fix, with the documented exit code, never a traceback, and never
a wrong record. Real subprocesses, real SQLite files, servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from digest import store
from digest.config import Config
from tests.conftest import newsdesk, source_toml
from tests.integration.test_service import silent_server, wait_for

__all__ = ["silent_server"]  # a fixture these tests use

TEXT = "Copper and gold output rose in Balochistan as the new mine reached full capacity. " * 30


def filled(cfg: Config, n: int = 60) -> None:
    """A store with ``n`` articles (several pages of rows) and one finished crawl."""
    db = store.open_db(cfg.db_path)
    for k in range(n):
        url = f"https://s.example/{k}/"
        row = {"url": url, "source": "s", "title": f"Story {k}", "text": f"{k} {TEXT}"}
        store.save_article(db, row, page_url=url, first_seen_at="2026-12-01T05:00:00+00:00")
    store.finish_run(db, store.start_run(db, "crawl"), "ok")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


@pytest.fixture
def cfg(write_config) -> Config:
    config = write_config('[[sources]]\nname = "s"\nhomepage = "http://127.0.0.1:9/"\n')
    filled(config)
    return config


def truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def garbage_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"\x00garbage" * 12)


def garbage_in_the_middle(path: Path, table: str = "articles") -> None:
    """Overwrite a table's root page and the next two with garbage."""
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table])
        (page,) = root.fetchone()
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xa5" * size * 3)


DAMAGE = {"truncated": truncate, "header": garbage_header, "middle": garbage_in_the_middle}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_gives_one_clear_line_and_the_service_refuses_it(
    cfg: Config, damage: str
) -> None:
    cwd = cfg.config_path.parent  # type: ignore[union-attr]
    DAMAGE[damage](cfg.db_path)
    for command in (
        ["digest"],
        ["process"],
        ["crawl"],
        ["run", "--once"],
        ["run"],
        ["status"],
        ["search", "copper"],
        ["show", "1"],
        ["articles"],
    ):
        result = newsdesk(*command, cwd=cwd, timeout=120)
        assert "Traceback" not in result.stderr, (command, result.stderr)
        if command[0] in ("digest", "process", "crawl", "run") or damage != "middle":
            assert result.returncode == 1, (command, result.stderr)
            assert "the store is damaged" in result.stderr, command
            assert "newsdesk recover" in result.stderr, command
    log = (cfg.data_dir / "logs" / "newsdesk.log").read_text(encoding="utf-8")
    assert "refusing to run: the store is damaged" in log
    status = newsdesk("status", cwd=cwd)  # what it can read, and why the service stopped
    assert "refused to run: the store is damaged" in status.stdout or (
        "the store is damaged" in status.stderr
    )
    with sqlite3.connect(cfg.db_path) as conn, contextlib.suppress(sqlite3.DatabaseError):
        ok = conn.execute("SELECT count(*) FROM runs WHERE status = 'ok'").fetchone()[0]
        assert ok <= 1  # nothing was recorded as done


@pytest.mark.parametrize("damage", ["truncated", "index"])
def test_recover_salvages_a_damaged_store_into_a_usable_one(cfg: Config, damage: str) -> None:
    cwd = cfg.config_path.parent  # type: ignore[union-attr]
    if damage == "index":  # the full-text index's pages: every article can be read again
        garbage_in_the_middle(cfg.db_path, "articles_fts_data")
    else:
        truncate(cfg.db_path)
    result = newsdesk("recover", cwd=cwd)
    assert result.returncode == 0, result.stderr
    salvaged = cfg.data_dir / "newsdesk.recovered.db"
    assert f"recovered into {salvaged}" in result.stdout
    with sqlite3.connect(salvaged) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < kept <= 60 and (damage != "index" or kept == 60)
    shutil.move(cfg.db_path, cfg.data_dir / "damaged.db")
    for leftover in ("newsdesk.db-wal", "newsdesk.db-shm"):  # the damaged store's
        (cfg.data_dir / leftover).unlink(missing_ok=True)
    shutil.move(salvaged, cfg.db_path)
    found = newsdesk("search", "copper", "--limit", "100", cwd=cwd)
    assert found.returncode == 0, found.stderr
    assert found.stderr.strip().endswith(f"{kept} articles")
    assert newsdesk("digest", cwd=cwd).returncode == 0


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make folders and files read-only, for root too (the immutable attribute)."""
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.skip("needs chattr to make a folder read-only for root")
        subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def test_a_read_only_data_directory_can_be_read_and_says_why_it_cannot_be_written(
    cfg: Config,
) -> None:
    cwd = cfg.config_path.parent  # type: ignore[union-attr]
    with read_only(cfg.data_dir, cfg.db_path):
        status = newsdesk("status", cwd=cwd)
        search = newsdesk("search", "copper", "--limit", "100", cwd=cwd)
        export = newsdesk("export", cwd=cwd)
        digest = newsdesk("digest", cwd=cwd)
    for result in (status, search, export):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert "60 articles exported" in export.stderr
    assert "Story 1\n" in search.stdout and search.stderr.strip() == "60 articles"
    assert digest.returncode == 1
    assert "Traceback" not in digest.stderr
    assert "cannot write" in digest.stderr and "writable folder" in digest.stderr


def with_fault(fault: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`newsdesk ARGS` with $NEWSDESK_FAULT set (digest/config.py, fault_active)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=cwd,
        env={**env, "NEWSDESK_FAULT": fault},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_full_disk_is_one_line_and_a_source_whose_pages_were_not_saved_is_not_ok(
    tmp_path: Path, site_url: str, write_config
) -> None:
    cfg = write_config(source_toml("profit", site_url))
    filled(cfg, 1)
    crawl = with_fault("store-full", "crawl", cwd=tmp_path)  # the store cannot grow
    assert "Traceback" not in crawl.stderr
    with sqlite3.connect(cfg.db_path) as conn:
        status, errors, first = conn.execute(
            "SELECT status, errors, first_error FROM crawl_sources"
        ).fetchone()
    assert status == "failed" and "not_saved" in errors, (status, errors)
    assert "could not be written to the store" in first
    assert crawl.returncode == 1
    digest = with_fault("disk-full", "digest", cwd=tmp_path)  # no room for its files
    assert digest.returncode == 1
    assert "Traceback" not in digest.stderr
    assert "no space left to write" in digest.stderr and "Free disk space" in digest.stderr


def start(cwd: Path, *args: str, stdout: object = subprocess.PIPE) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.Popen(
        [sys.executable, "-m", "scheduler", *args],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )


def runs(cfg: Config) -> list[tuple[str, str]]:
    if not cfg.db_path.exists():
        return []
    with sqlite3.connect(cfg.db_path) as conn:
        try:
            return conn.execute("SELECT kind, status FROM runs ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # the schema is still being made
            return []


def source_statuses(cfg: Config) -> list[str]:
    with sqlite3.connect(cfg.db_path) as conn:
        return [s for (s,) in conn.execute("SELECT status FROM crawl_sources")]


def stop_when(
    process: subprocess.Popen[str], ready: Callable[[], object], what: str, sig: int
) -> tuple[int, str]:
    """Wait until ``ready``, send ``sig``; return the exit code and standard error."""
    try:
        wait_for(ready, 60, what)
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    return process.returncode, stderr


def crawl_at_work(cfg: Config) -> Callable[[], bool]:
    """True once a crawl has been running for a second (its child waits on the site)."""
    seen: list[float] = []

    def ready() -> bool:
        if not seen and ("crawl", "running") in runs(cfg):
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] > 1

    return ready


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_a_stopped_crawl_is_recorded_interrupted_and_exits_cleanly(
    tmp_path: Path, write_config, silent_server: str, sig: int, code: int
) -> None:
    cfg = write_config(
        f'[[sources]]\nname = "slow"\nhomepage = "{silent_server}/"\nallow_private_address = true\n'
    )
    returned, stderr = stop_when(start(tmp_path, "crawl"), crawl_at_work(cfg), "the crawl", sig)
    assert returned == code, stderr
    assert "Traceback" not in stderr
    assert runs(cfg)[-1] == ("crawl", "interrupted")


def test_a_stopped_run_once_exits_0_records_the_stop_and_keeps_a_log(
    tmp_path: Path, write_config, silent_server: str
) -> None:
    cfg = write_config(
        f'[[sources]]\nname = "slow"\nhomepage = "{silent_server}/"\nallow_private_address = true\n'
    )
    once = start(tmp_path, "run", "--once")
    code, stderr = stop_when(once, crawl_at_work(cfg), "the crawl", signal.SIGTERM)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert ("crawl", "interrupted") in runs(cfg)
    assert "digest" not in [kind for kind, _ in runs(cfg)]
    assert (cfg.data_dir / "logs" / "newsdesk.log").exists()


class SlowSite(BaseHTTPRequestHandler):
    """robots.txt at once; every page after two seconds (less than the crawl's grace)."""

    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).asked.append(self.path)
        if self.path != "/robots.txt":
            time.sleep(2)
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else b"<p>Soon.</p>"
        self.send_response(200)
        self.send_header(
            "Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_site() -> Iterator[str]:
    SlowSite.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_service_stopped_mid_crawl_does_not_count_it_against_the_source(
    tmp_path: Path, write_config, slow_site: str
) -> None:
    from digest import jobs

    cfg = write_config(
        f'[[sources]]\nname = "slow"\nhomepage = "{slow_site}/"\nallow_private_address = true\n',
        'timezone = "UTC"',
    )
    service = start(tmp_path, "run", stdout=subprocess.DEVNULL)

    def homepage_asked() -> bool:  # then stopped while the homepage is on its way
        return "/" in SlowSite.asked

    code, stderr = stop_when(service, homepage_asked, "the homepage request", signal.SIGTERM)
    assert code == 0, stderr
    assert "AssertionError" not in stderr and "Traceback" not in stderr
    assert source_statuses(cfg) == ["interrupted"]
    jobs.run_digest(cfg, jobs.digest_days(cfg)[1])
    markdown = next(cfg.digests_dir.glob("*.md")).read_text(encoding="utf-8")
    assert "failed in" not in markdown


def test_stopping_browse_ends_datasette_and_frees_its_port(cfg: Config) -> None:
    pytest.importorskip("datasette")
    cwd = cfg.config_path.parent  # type: ignore[union-attr]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    browse = start(cwd, "browse", "--port", str(port))

    def listening() -> bool:
        with socket.socket() as client:
            return client.connect_ex(("127.0.0.1", port)) == 0

    code, stderr = stop_when(browse, listening, "Datasette", signal.SIGTERM)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    wait_for(lambda: not listening(), 10, "the port to be free")


@pytest.mark.parametrize(
    "command",
    [
        ["search", "copper", "--since", "99999999d"],
        ["articles", "--limit", "100000000000000000000"],
        ["articles", "--limit", "0"],
        ["articles", "--limit", "-1"],
        ["summarise", "--words", "0", "-"],
        ["crawl", "--backfill", "-3"],
        ["browse", "--port", "99999"],
    ],
)
def test_out_of_range_values_are_bad_input(cfg: Config, command: list[str]) -> None:
    cwd = cfg.config_path.parent  # type: ignore[union-attr]
    result = newsdesk(*command, cwd=cwd, input="Some text.")
    assert result.returncode == 2, (command, result.stderr)
    assert "Traceback" not in result.stderr


def test_an_id_past_any_integer_is_simply_not_found(cfg: Config) -> None:
    cwd = cfg.config_path.parent  # type: ignore[union-attr]
    result = newsdesk("show", "99999999999999999999999", cwd=cwd)
    assert result.returncode == 1
    assert "no article '99999999999999999999999'" in result.stderr
