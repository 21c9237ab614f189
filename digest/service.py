"""What the long-running service needs besides its jobs: one service per data directory,
logs, and what ``newsdesk status`` reports.

The lock is an exclusive ``flock`` on ``DATA_DIR/newsdesk.lock``, held for the life of the
process: the kernel releases it when the process dies, even by SIGKILL, so a stale lock
never blocks a restart. The file holds the holder's PID and its schedule (next run times),
which ``newsdesk status`` reads.
"""

from __future__ import annotations

import fcntl
import json
import logging
import logging.handlers
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from digest import store
from digest.clock import to_utc_iso, utc_now
from digest.config import Config

LOG_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
YIELD_DROP = 0.3  # a source bringing under 30% of its usual articles per day gets a warning


class AlreadyRunning(Exception):
    """Another service holds this data directory."""


class ServiceLock:
    """The data directory's exclusive lock; ``acquire`` raises AlreadyRunning naming the PID."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "newsdesk.lock"
        self.handle: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_state(self.path).get("pid", "unknown")
            handle.close()
            raise AlreadyRunning(
                f"another newsdesk service (PID {holder}) is running on {self.path.parent}"
            ) from None
        self.handle = handle
        self.write_state({})

    def write_state(self, extra: dict[str, Any]) -> None:
        """Record the holder's PID and ``extra`` (next run times) in the lock file."""
        self.handle.seek(0)
        self.handle.truncate()
        json.dump({"pid": os.getpid(), "started": utc_now(), **extra}, self.handle)
        self.handle.flush()

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def read_state(lock_path: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return state


def service_running(data_dir: Path) -> bool:
    """Whether a service holds the lock (tested by trying to take it, not by the PID)."""
    path = data_dir / "newsdesk.lock"
    if not path.exists():
        return False
    with path.open(encoding="utf-8") as handle:  # read-only: works in a read-only folder
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def setup_logging(data_dir: Path | None, *, level: int = logging.INFO) -> None:
    """key=value logs to stderr and, for the service, to a rotating file under data/logs."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if data_dir is not None:
        (data_dir / "logs").mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                data_dir / "logs" / "newsdesk.log",
                maxBytes=5_000_000,
                backupCount=5,
                encoding="utf-8",
            )
        )
    logging.basicConfig(level=level, format=LOG_FORMAT, handlers=handlers, force=True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def status_report(cfg: Config, now: datetime | None = None) -> dict[str, Any]:
    """Service state, next runs, the last run of each kind, the last digests (final or
    provisional), each source's health and each source's latest crawl (``last_crawls``),
    read through one connection."""
    now = now or datetime.now(UTC)
    state = read_state(cfg.data_dir / "newsdesk.lock")
    report: dict[str, Any] = {
        "service": {
            "running": service_running(cfg.data_dir),
            "pid": state.get("pid"),
            "next_runs": state.get("next_runs", {}),
            "store_damaged": state.get("store_damaged"),  # why the service refused to run
        },
        "last_runs": {},
        "digests": [],
        "sources": [],
        "last_crawls": {},
    }
    if not cfg.db_path.exists():
        return report
    db = store.open_readonly(cfg.db_path)
    report["last_runs"] = {
        kind: {k: run[k] for k in ("id", "started_at", "finished_at", "status")}
        for kind, run in store.last_runs(db).items()
    }
    report["digests"] = [
        {**row, "final": bool(row["final"])} for row in store.recent_digests(db, limit=3)
    ]
    report["sources"] = [_source_health(db, src.name, now) for src in cfg.sources]
    report["last_crawls"] = {row["source"]: row for row in store.last_source_runs(db)}
    db.close()
    return report


def _source_health(db: Any, name: str, now: datetime) -> dict[str, Any]:
    week = store.source_health(db, name, since=to_utc_iso(now - timedelta(days=7)))
    month = store.source_health(db, name, since=to_utc_iso(now - timedelta(days=28)))
    rate = week["failed"] / week["crawls"] if week["crawls"] else None
    return {
        "source": name,
        "last_success": week["last_success"] or month["last_success"],
        "articles_7d": week["articles"],
        "crawls_7d": week["crawls"],
        "error_rate_7d": rate,
        "warning": _yield_warning(week["articles"], month["articles"] - week["articles"]),
    }


def _yield_warning(last_week: int, three_weeks_before: int) -> str | None:
    """A sharp fall in articles per day against the three weeks before: a likely redesign."""
    usual, recent = three_weeks_before / 21, last_week / 7
    if usual >= 2 and recent < YIELD_DROP * usual:
        return (
            f"articles per day fell to {recent:.1f} from {usual:.1f}: "
            "the site may have changed its layout"
        )
    return None


SYSTEMD_UNIT = """[Unit]
Description=newsdesk: business-news monitoring desk
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory={workdir}
ExecStart={executable} -m scheduler --config {config} run
Restart=on-failure
RestartSec=30
KillSignal=SIGTERM
TimeoutStopSec=60

[Install]
WantedBy=default.target
"""


def install_unit(cfg: Config, unit_dir: Path, executable: str) -> Path:
    """Write the systemd unit that runs this config's service with ``executable``."""
    assert cfg.config_path is not None, "the service runs from a config file"
    unit_dir.mkdir(parents=True, exist_ok=True)
    unit = unit_dir / "newsdesk.service"
    text = SYSTEMD_UNIT.format(
        workdir=cfg.config_path.parent, executable=executable, config=cfg.config_path
    )
    unit.write_text(text, encoding="utf-8")
    return unit
