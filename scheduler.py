"""The background service: the jobs of ``digest.jobs`` wired onto an APScheduler 3.x
``BlockingScheduler`` (``newsdesk run``), and ``run --once``. Wiring only: every job is a
plain function of ``digest.jobs``, and every crawl a subprocess (``python -m crawler``).

The ``newsdesk`` command line is the click app in ``cli/``; ``python -m scheduler`` runs
it too (the systemd unit does: ``python -m scheduler --config FILE run``).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digest import failures, jobs, store
from digest.config import Config
from digest.progress import Watcher, remove_leftovers
from digest.service import AlreadyRunning, ServiceLock, setup_logging

log = logging.getLogger("newsdesk")

MISFIRE_GRACE_SECONDS = 6 * 3600
MAINTENANCE = {"day_of_week": "sun", "hour": 3, "minute": 30}


# --- the service: wiring of digest.jobs onto APScheduler 3.x ------------------------------


def build_scheduler(cfg: Config, stop: threading.Event, lock: ServiceLock) -> BlockingScheduler:
    """The service's jobs on a BlockingScheduler: crawls on intervals (one job for the
    sources on the global interval, one per source with its own), the daily digest, the
    weekly maintenance, and a catch-up at start."""
    scheduler = BlockingScheduler(
        timezone=cfg.tz,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    now = datetime.now(cfg.tz)
    # An overdue crawl starts at once. Otherwise next_run_time is left out, not set to
    # None: in APScheduler 3 an explicit None adds the job paused, and it would never run.
    overdue = {"next_run_time": now} if jobs.crawl_overdue(cfg) else {}
    for job_id, minutes, sources in crawl_groups(cfg):
        scheduler.add_job(
            crawl_job,
            IntervalTrigger(minutes=minutes, timezone=cfg.tz),
            args=[cfg, stop, sources],
            id=job_id,
            name=f"crawl and process ({job_id})",
            **overdue,
        )
    scheduler.add_job(
        digest_job, digest_trigger(cfg), args=[cfg, stop], id="digest", name="daily digest"
    )
    scheduler.add_job(
        maintenance_job,
        CronTrigger(timezone=cfg.tz, **MAINTENANCE),
        args=[cfg, stop],
        id="maintenance",
        name="weekly maintenance",
    )
    scheduler.add_job(
        digest_job, args=[cfg, stop], id="catch-up", name="catch-up at start", next_run_time=now
    )

    def remember_next_runs(event: object) -> None:
        runs = {
            job.id: job.next_run_time.isoformat()
            for job in scheduler.get_jobs()
            if job.next_run_time is not None
        }
        lock.write_state({"next_runs": runs})

    scheduler.add_listener(
        remember_next_runs, EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
    )

    def on_job_error(event: Any) -> None:
        """A job failed: say why in one line; on a damaged store, stop the service."""
        message = failures.explain(event.exception, store=cfg.db_path)
        if message is None:
            return  # a bug: APScheduler has logged its traceback
        log.error("job %s failed: %s", event.job_id, message)
        if store.is_corruption(event.exception):
            log.error("stopping: the service does not run on a damaged store")
            lock.write_state({"store_damaged": message})
            stop.set()
            scheduler.shutdown(wait=False)

    scheduler.add_listener(on_job_error, EVENT_JOB_ERROR)  # after remember_next_runs
    return scheduler


def crawl_groups(cfg: Config) -> list[tuple[str, float, list[str] | None]]:
    """(job id, interval, sources) for the crawl jobs; None means every source on the
    global interval."""
    own = [s for s in cfg.sources if s.crawl_interval_minutes]
    groups: list[tuple[str, float, list[str] | None]] = []
    if len(own) < len(cfg.sources) or not cfg.sources:
        shared = [s.name for s in cfg.sources if not s.crawl_interval_minutes]
        groups.append(("crawl", cfg.crawl_interval_minutes, shared if own else None))
    groups += [(f"crawl-{s.name}", s.crawl_interval_minutes, [s.name]) for s in own]
    return groups


class DailyTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler 3 ships no types
    """A CronTrigger that fires at most once per local day. APScheduler 3's CronTrigger
    fires twice when the time falls in the hour that is repeated when daylight saving
    ends (01:30 on the last Sunday of October in London)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        if fire is None or previous_fire_time is None:
            return fire
        last_day = previous_fire_time.astimezone(self.timezone).date()
        if fire.astimezone(self.timezone).date() > last_day:
            return fire
        next_midnight = datetime.combine(last_day + timedelta(days=1), time(0), self.timezone)
        # From the next local midnight, without the previous fire time: given one, the
        # parent class starts from it and would return the repeated hour again.
        after: datetime | None = super().get_next_fire_time(None, next_midnight)
        return after


def digest_trigger(cfg: Config) -> DailyTrigger:
    """Daily at digest_time in the configured zone, once per local day across DST changes."""
    t = cfg.digest_time
    return DailyTrigger(hour=t.hour, minute=t.minute, second=t.second, timezone=cfg.tz)


def crawl_job(cfg: Config, stop: threading.Event, sources: list[str] | None) -> None:
    """A crawl, processing, then a check that no digest is overdue."""
    if stop.is_set():
        return
    jobs.crawl_and_process(cfg, stop, sources)
    if not stop.is_set():
        jobs.catch_up_digests(cfg)


def digest_job(cfg: Config, stop: threading.Event) -> None:
    """Every digest that is due and not written yet (normally: yesterday's)."""
    if not stop.is_set():
        jobs.catch_up_digests(cfg)


def maintenance_job(cfg: Config, stop: threading.Event) -> None:
    if not stop.is_set():
        jobs.run_maintenance(cfg)


def _take_lock(cfg: Config) -> ServiceLock | None:
    """The data directory's lock, or None (with the holder named) when another has it."""
    lock = ServiceLock(cfg.data_dir)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return None
    return lock


def serve(cfg: Config) -> int:
    """Run the service until SIGTERM or Ctrl-C; a second signal exits at once."""
    lock = _take_lock(cfg)
    if lock is None:
        return 1
    stop = threading.Event()
    scheduler: BlockingScheduler | None = None

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("second %s: exiting at once", signal.Signals(signum).name)
            os._exit(1)
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    setup_logging(cfg.data_dir)
    if not _store_sound(cfg, lock):
        lock.release()
        return 1
    _recover(cfg)
    scheduler = build_scheduler(cfg, stop, lock)
    if stop.is_set():
        lock.release()
        return 0
    log.info(
        "service started pid=%s data=%s timezone=%s digest_time=%s crawl_every=%smin",
        os.getpid(),
        cfg.data_dir,
        cfg.timezone,
        cfg.digest_time,
        cfg.crawl_interval_minutes,
    )
    scheduler.start()
    _wait_for_running_jobs()
    lock.release()
    log.info("service stopped")
    return 0


def _store_sound(cfg: Config, lock: ServiceLock) -> bool:
    """Read the whole store (quick_check and the full-text index's check) before the
    service or ``run --once`` works on it. A damaged store is refused: said in the log,
    and kept in the lock file's state for ``newsdesk status``."""
    if not cfg.db_path.exists():
        return True
    try:
        db = store.open_db(cfg.db_path)
        try:
            store.verify(db)
        finally:
            db.close()
    except store.StoreCorrupt as exc:
        message = failures.explain(exc, store=cfg.db_path)
        log.error("refusing to run: %s", message)
        lock.write_state({"store_damaged": message})
        return False
    return True


def _recover(cfg: Config) -> None:
    """After a crash: mark what the dead service left running, remove half-written files."""
    db = store.open_db(cfg.db_path)
    runs, claims = store.recover_after_crash(db)
    db.close()
    leftovers = list(cfg.digests_dir.glob(".*.tmp")) if cfg.digests_dir.exists() else []
    for tmp in leftovers:
        tmp.unlink(missing_ok=True)
    # A killed crawl's progress folder; a live crawl's is never older than the crawl cap.
    folders = remove_leftovers(cfg.data_dir, cfg.crawl_timeout_minutes * 60)
    if runs or claims or leftovers or folders:
        log.warning(
            "recovered after a crash: runs=%s digest_claims=%s temp_files=%s progress_dirs=%s",
            runs,
            claims,
            len(leftovers),
            folders,
        )


def _wait_for_running_jobs() -> None:
    """Jobs see the stop flag and end within their bounds (a crawl's group is ended)."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()


@dataclass
class Once:
    """What ``run --once`` did: its exit code, the crawl's row, the final digests it wrote
    and today's provisional one."""

    code: int
    crawl: dict[str, Any] | None = None
    final_days: list[date] = field(default_factory=list)
    today: dict[str, Path] | None = None


def run_once(cfg: Config, stop: threading.Event, watcher: Watcher | None = None) -> Once:
    """Crawl, process, write the final digests that are due and today's provisional one,
    then return; like the service, it holds the data directory's lock, logs to its file,
    checks the store and first recovers from a crash. A stop (SIGTERM, Ctrl-C) ends the
    crawl, records it interrupted and writes no digest."""
    lock = _take_lock(cfg)
    if lock is None:
        return Once(1)
    try:
        setup_logging(cfg.data_dir)
        if not _store_sound(cfg, lock):
            return Once(1)
        _recover(cfg)
        done = Once(0, jobs.crawl_and_process(cfg, stop, watcher=watcher))
        if stop.is_set():
            return done
        done.final_days = jobs.catch_up_digests(cfg)  # yesterday's, missed days
        done.today = jobs.run_digest(cfg, datetime.now(cfg.tz).date())
    finally:
        lock.release()
    return done


if __name__ == "__main__":
    from cli import main

    sys.exit(main())
