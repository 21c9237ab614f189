"""The real service in a subprocess, with schedule times injected so that each test takes
seconds: digests at their time and after a missed time, one service per data directory,
crawls capped and interrupted, a crash during a digest write, and DST-safe triggers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest import jobs, store
from digest.config import load_config
from scheduler import digest_trigger
from tests.integration.test_service import runs, silent_server, stop_service, wait_for

__all__ = ["silent_server"]  # a fixture this module uses
TZ = "Asia/Karachi"


def start(cwd: Path, **env: str) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return subprocess.Popen(
        [sys.executable, "-m", "scheduler", "run"],
        cwd=cwd,
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def setup(
    tmp_path: Path, write_config, *, digest_at: datetime, history_days: int = 2, extra: str = ""
) -> Path:
    """A config whose digest time is ``digest_at`` and a store whose history began
    ``history_days`` ago (so that earlier digests are owed)."""
    settings = (
        f'timezone = "{TZ}"\ndigest_time = "{digest_at.strftime("%H:%M:%S")}"\n'
        f"crawl_interval_minutes = 600\n{extra}"
    )
    cfg = write_config(
        '[[sources]]\nname = "quiet"\nhomepage = "http://127.0.0.1:9/"\n'
        "allow_private_address = true\n",
        settings,
    )
    db = store.open_db(cfg.db_path)
    began = (datetime.now(UTC) - timedelta(days=history_days)).isoformat(timespec="seconds")
    db.execute(
        "INSERT INTO runs (kind, started_at, finished_at, status) VALUES ('crawl', ?, ?, 'ok')",
        [began, began],
    )
    db.conn.commit()
    db.close()
    return cfg.db_path


def ready(service: subprocess.Popen[str], cwd: Path) -> None:
    """Wait until the service has started its scheduler (it then records its next runs)."""

    def started() -> bool:
        try:
            state = json.loads((cwd / "data" / "newsdesk.lock").read_text() or "{}")
        except (OSError, ValueError):
            return False
        return state.get("pid") == service.pid and "next_runs" in state

    wait_for(started, 30, "the service to start")


def digests(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT day, status FROM digests ORDER BY day").fetchall()


def digest_runs(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM runs WHERE kind = 'digest'").fetchone()[0]


def local_now() -> datetime:
    return datetime.now(ZoneInfo(TZ))


def test_the_digest_is_written_at_its_time(tmp_path: Path, write_config) -> None:
    at = local_now() + timedelta(seconds=6)
    if at.date() != local_now().date():
        pytest.skip("too close to midnight in the test zone")
    db = setup(tmp_path, write_config, digest_at=at, history_days=1)
    yesterday = str(at.date() - timedelta(days=1))
    service = start(tmp_path)
    try:
        ready(service, tmp_path)
        assert (yesterday, "done") not in digests(db)  # not before its time
        wait_for(lambda: (yesterday, "done") in digests(db), 30, "the digest at its time")
        assert local_now() >= at.replace(microsecond=0)
        code, stderr = stop_service(service, signal.SIGTERM, 30)
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr
    assert (tmp_path / "data" / "digests" / f"{yesterday}.md").exists()


def test_a_missed_digest_is_written_once_on_start(tmp_path: Path, write_config) -> None:
    db = setup(tmp_path, write_config, digest_at=local_now() - timedelta(hours=1), history_days=2)
    today = local_now().date()
    if local_now().hour < 1:
        pytest.skip("too close to midnight in the test zone")
    owed = [str(today - timedelta(days=2)), str(today - timedelta(days=1))]
    for _ in range(2):  # start, stop, start again: nothing is written twice
        service = start(tmp_path)
        try:
            ready(service, tmp_path)
            wait_for(lambda: [d for d, s in digests(db) if s == "done"] == owed, 30, "catch-up")
            time.sleep(1)
            code, stderr = stop_service(service, signal.SIGTERM, 30)
        finally:
            service.kill()
            service.communicate()
        assert code == 0, stderr
    assert digest_runs(db) == 2


def test_a_second_service_on_the_same_data_refuses(tmp_path: Path, write_config) -> None:
    setup(tmp_path, write_config, digest_at=local_now() - timedelta(hours=1))
    first = start(tmp_path)
    try:
        ready(first, tmp_path)
        second = subprocess.run(
            [sys.executable, "-m", "scheduler", "run"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1
        assert f"another newsdesk service (PID {first.pid}) is running" in second.stderr
        code, _ = stop_service(first, signal.SIGTERM, 30)
    finally:
        first.kill()
        first.communicate()
    assert code == 0


def test_a_hanging_crawl_is_stopped_at_its_cap_and_the_service_goes_on(
    tmp_path: Path, write_config, silent_server: str
) -> None:
    cfg_path = tmp_path / "newsdesk.toml"
    setup(
        tmp_path,
        write_config,
        digest_at=local_now() + timedelta(hours=2),
        history_days=1,
        extra="crawl_timeout_minutes = 0.05\n",
    )
    text = cfg_path.read_text().replace("http://127.0.0.1:9/", f"{silent_server}/")
    cfg_path.write_text(
        text.replace("crawl_interval_minutes = 600", "crawl_interval_minutes = 0.15")
    )
    db = tmp_path / "data" / "newsdesk.db"
    service = start(tmp_path)
    try:
        wait_for(lambda: runs(db).count(("crawl", "timeout")) >= 2, 60, "two capped crawls")
        code, stderr = stop_service(service, signal.SIGTERM, 30)
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr


def test_sigterm_during_a_crawl_leaves_no_partial_digest(
    tmp_path: Path, write_config, silent_server: str
) -> None:
    cfg_path = tmp_path / "newsdesk.toml"
    setup(tmp_path, write_config, digest_at=local_now() + timedelta(hours=2), history_days=1)
    cfg_path.write_text(cfg_path.read_text().replace("http://127.0.0.1:9/", f"{silent_server}/"))
    db = tmp_path / "data" / "newsdesk.db"
    service = start(tmp_path)
    try:
        wait_for(lambda: ("crawl", "running") in runs(db), 30, "the crawl")
        started = time.monotonic()
        code, stderr = stop_service(service, signal.SIGTERM, 30)
        assert time.monotonic() - started < 15
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr
    assert ("crawl", "interrupted") in runs(db)
    folder = tmp_path / "data" / "digests"
    assert not folder.exists() or not list(folder.glob(".*.tmp"))


def test_a_crash_while_writing_a_digest_keeps_the_old_files_and_the_next_start_finishes(
    tmp_path: Path, write_config
) -> None:
    db = setup(tmp_path, write_config, digest_at=local_now() - timedelta(hours=1), history_days=2)
    if local_now().hour < 1:
        pytest.skip("too close to midnight in the test zone")
    cfg = load_config(tmp_path / "newsdesk.toml")
    today = local_now().date()
    earlier, yesterday = today - timedelta(days=2), today - timedelta(days=1)
    jobs.run_digest(cfg, earlier)  # the previous digest and feed
    feed = tmp_path / "data" / "digests" / "feed.xml"
    before = feed.read_bytes()
    service = start(tmp_path, NEWSDESK_FAULT="before-replace:feed.xml")
    try:
        wait_for(lambda: list(feed.parent.glob(".feed.xml.*.tmp")), 30, "the paused feed write")
        service.send_signal(signal.SIGKILL)
        service.communicate(timeout=30)
    finally:
        service.kill()
    assert feed.read_bytes() == before  # the old feed, whole
    assert (str(yesterday), "writing") in digests(db)  # claimed by the dead process
    service = start(tmp_path)
    try:
        ready(service, tmp_path)
        wait_for(lambda: (str(yesterday), "done") in digests(db), 30, "the day completed")
        code, stderr = stop_service(service, signal.SIGTERM, 30)
    finally:
        service.kill()
        service.communicate()
    assert code == 0, stderr
    assert f"urn:newsdesk:digest:{yesterday}" in feed.read_text()
    assert not list(feed.parent.glob(".*.tmp"))
    assert ("digest", "interrupted") in runs(db)


@pytest.mark.parametrize(
    ("zone", "at"),
    [
        ("Europe/London", "01:30"),
        ("Europe/London", "07:00"),
        ("America/New_York", "01:30"),
        ("Asia/Karachi", "07:00"),
    ],
)
def test_the_digest_fires_once_per_local_day_across_dst_changes(
    tmp_path: Path, zone: str, at: str
) -> None:
    path = tmp_path / "newsdesk.toml"
    path.write_text(f'timezone = "{zone}"\ndigest_time = "{at}"\n')
    trigger = digest_trigger(load_config(path))
    tz = ZoneInfo(zone)
    for start_day in (datetime(2026, 3, 6, tzinfo=tz), datetime(2026, 10, 20, tzinfo=tz)):
        fires, previous, now = [], None, start_day
        while len(fires) < 40:
            fire = trigger.get_next_fire_time(previous, now)
            fires.append(fire.astimezone(tz).date())
            previous, now = fire, fire + timedelta(seconds=1)
        assert fires == [start_day.date() + timedelta(days=n) for n in range(40)]
