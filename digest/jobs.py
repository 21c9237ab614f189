"""The service's jobs, as plain functions: each opens the store, does one step, records it
in ``runs`` and returns. ``scheduler.py`` calls them from the command line and from the
scheduler; tests call them directly.

A crawl is a subprocess (``python -m crawler``): Twisted's reactor cannot restart in one
process. It runs in its own process group under a wall-clock cap; on the cap, or when the
service is asked to stop, the whole group is ended (SIGTERM, SIGTERM, SIGKILL).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from digest import days, store
from digest.clock import parse_iso, to_utc_iso
from digest.config import Config
from digest.process import ProcessResult, die_with_parent, process_pages
from digest.progress import ChildOutput, LogEvery, Watcher

log = logging.getLogger("newsdesk.jobs")
STOP_GRACE_SECONDS = 3


def run_crawl(
    cfg: Config,
    *,
    sources: list[str] | None = None,
    refresh: bool = False,
    backfill_days: float | None = None,
    stop: threading.Event | None = None,
    process: bool = False,
    progress: Callable[[dict[str, dict[str, int]]], None] | None = None,
) -> dict[str, Any]:
    """Crawl in a subprocess with a wall-clock cap; return the finished ``runs`` row with
    each source's report (``sources``). With ``process``, pages are extracted and
    summarised by the crawl as they arrive. With ``progress``, it is called about once a
    second with each started source's counts (requests, new pages, articles processed),
    and what the crawl printed comes back in the row (``output``, ``complaints``) instead
    of going to this process's standard output and error."""
    db = store.open_db(cfg.db_path)
    store.sync_sources(db, [(src.name, src.homepage) for src in cfg.sources])
    run_id = store.start_run(db, "crawl")
    cmd = _crawl_command(cfg, run_id, sources, refresh, backfill_days, process)
    printed = ("", "")
    with ChildOutput(cfg.data_dir, run_id) if progress else nullcontext() as out:
        cmd += out.args() if out else []
        watch = (lambda: progress(out.counts())) if progress and out else None
        child = subprocess.Popen(
            cmd,
            start_new_session=True,
            preexec_fn=die_with_parent,
            stdout=out.stdout if out else None,
            stderr=out.stderr if out else None,
        )
        try:
            status = wait_child(child, cfg.crawl_timeout_minutes * 60, stop, watch)
        except BaseException:  # a second stop signal, or worse: ended at once, but recorded
            end_group(child)
            _finish_quietly(db, run_id, "interrupted", {"exit_code": child.returncode})
            raise
        if out:
            printed = out.printed()
    reports = store.source_runs(db, run_id)  # written by the crawl, read once
    if status == "exited":
        status = _crawl_status(reports, child.returncode)
    store.finish_run(db, run_id, status, {"exit_code": child.returncode, "sources": sources})
    row = store.get_run(db, run_id)
    row["sources"] = reports
    row["output"], row["complaints"] = printed
    db.close()
    _log_crawl(row)
    return row


def _crawl_command(
    cfg: Config,
    run_id: int,
    sources: list[str] | None,
    refresh: bool,
    backfill_days: float | None,
    process: bool,
) -> list[str]:
    cmd = [sys.executable, "-m", "crawler", "--config", str(cfg.config_path)]
    cmd += ["--run-id", str(run_id)]
    for name in sources or []:
        cmd += ["--source", name]
    cmd += ["--refresh"] if refresh else []
    cmd += ["--backfill", str(backfill_days)] if backfill_days else []
    # With Redis the pages reach the store through the ingest writer, not this crawl:
    # processing comes after it (run_process), as before.
    cmd += ["--process"] if process and not cfg.cluster.redis_url else []
    return cmd


def _log_crawl(row: dict[str, Any]) -> None:
    """The crawl's one log line, with its counts summed over the sources."""
    totals = {k: sum(r.get(k) or 0 for r in row["sources"]) for k in CRAWL_TOTALS}
    errors = sum(sum((r.get("errors") or {}).values()) for r in row["sources"])
    counted = " ".join(f"{k}={n}" for k, n in totals.items())
    log.info(
        "crawl run=%s status=%s sources=%s %s errors=%s",
        row["id"],
        row["status"],
        len(row["sources"]),
        counted,
        errors,
    )


CRAWL_TOTALS = ("requests", "pages_saved", "pages_unchanged", "known_skipped", "not_modified")


def _crawl_status(reports: list[dict[str, Any]], returncode: int) -> str:
    failed = [r for r in reports if r["status"] in ("failed", "skipped")]
    if returncode != 0 or (reports and len(failed) == len(reports)):
        return "failed"
    return "partial" if failed else "ok"


def wait_child(
    child: subprocess.Popen[bytes],
    cap: float,
    stop: threading.Event | None,
    watch: Callable[[], None] | None = None,
) -> str:
    """Wait for a crawl (or survey) child, calling ``watch`` about once a second (and once
    at the end); on the cap or a stop request end its whole process group. A display that
    can no longer write (its reader gone) stops showing; the crawl goes on."""
    deadline = time.monotonic() + cap
    looked = time.monotonic()
    while True:
        with suppress(subprocess.TimeoutExpired):
            child.wait(timeout=0.25)
        if watch is not None and (child.returncode is not None or time.monotonic() - looked >= 1):
            try:
                watch()
            except OSError:
                watch = None
            looked = time.monotonic()
        if child.returncode is not None:
            return "exited"
        if stop is not None and stop.is_set():
            end_group(child)
            return "interrupted"
        if time.monotonic() > deadline:
            end_group(child)
            return "timeout"


def end_group(child: subprocess.Popen[bytes]) -> None:
    # Scrapy shuts down gracefully on the first SIGTERM (finishing open downloads) and at
    # once on the second; SIGKILL ends whatever is left.
    for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=STOP_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def run_process(
    cfg: Config,
    *,
    reprocess: bool = False,
    source: str | None = None,
    stop: threading.Event | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ProcessResult:
    """Extract and summarise the stored pages waiting for it; record the run."""
    db = store.open_db(cfg.db_path)
    run_id = store.start_run(db, "process")
    try:
        result = process_pages(
            db,
            cfg,
            reprocess=reprocess,
            source=source,
            progress=progress,
            should_stop=stop.is_set if stop else lambda: False,
        )
    except KeyboardInterrupt:  # a second stop signal: at once, but recorded
        _finish_quietly(db, run_id, "interrupted", {})
        raise
    status = "interrupted" if result.interrupted else ("partial" if result.errors else "ok")
    status = "failed" if result.store_error else status
    _finish_quietly(db, run_id, status, result.as_detail())
    db.close()
    log.info("process run=%s status=%s counts=%s", run_id, status, dict(result.counts))
    return result


def run_digest(cfg: Config, day: date, *, now: datetime | None = None) -> dict[str, Path]:
    """Claim, write and record the digest of ``day`` in every format (final if the day has
    ended at ``now``, else provisional), then deliver every final digest not delivered
    yet (this one, or an earlier one whose delivery failed) to the configured channels.
    Raises DigestBusy while another live process writes the day."""
    from digest.build import publish_digest  # datasketch and SciPy: loaded when needed
    from digest.notify import deliver_pending

    now = now or datetime.now(cfg.tz)
    db = store.open_db(cfg.db_path)
    run_id = store.start_run(db, "digest")
    try:
        paths = publish_digest(db, day, cfg=cfg, now=now)
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"  # a stop
        _finish_quietly(db, run_id, status, {"day": day.isoformat(), "error": repr(exc)})
        db.close()
        raise
    delivered = deliver_pending(db, cfg.notify, today=now.astimezone(cfg.tz).date())
    store.finish_run(db, run_id, "ok", {"day": day.isoformat(), "delivered": delivered})
    db.close()
    kind = "final" if days.day_ended(day, cfg, now) else "provisional"
    log.info("digest day=%s %s written=%s", day, kind, paths["markdown"])
    return paths


def digest_days(cfg: Config, now: datetime | None = None) -> tuple[date, date]:
    """The days a digest may be written for: from the local day of the store's first run
    to today."""
    now = now or datetime.now(cfg.tz)
    db = store.open_db(cfg.db_path)
    first = store.first_run_started(db)
    db.close()
    return days.first_day(first, cfg, now), now.astimezone(cfg.tz).date()


def check_digest_day(cfg: Config, day: date, now: datetime | None = None) -> None:
    """Raise DayOutOfRange, naming the range, unless ``day`` is one of ``digest_days``."""
    first, today = digest_days(cfg, now)
    days.check_day(day, first=first, today=today)


def remove_digest(
    cfg: Config, day: date, *, now: datetime | None = None
) -> tuple[list[Path], bool]:
    """Remove a day's digest files, feed entry and row (any day, so that a digest written
    for a day that should not have one can go). Raises DigestBusy while it is written."""
    from digest.build import remove_digest as remove

    db = store.open_db(cfg.db_path)
    try:
        return remove(db, day, cfg=cfg, now=now or datetime.now(cfg.tz))
    finally:
        db.close()


def _finish_quietly(db: Any, run_id: int, status: str, detail: dict[str, Any]) -> None:
    """Record a run's end; if the store cannot be written now, the run stays 'running' and
    is marked interrupted by the next start's recovery."""
    try:
        store.finish_run(db, run_id, status, detail)
    except (store.StoreBusy, store.StoreFull) as exc:
        log.error("run=%s ended %s but could not be recorded: %s", run_id, status, exc)


def crawl_and_process(
    cfg: Config,
    stop: threading.Event | None = None,
    sources: list[str] | None = None,
    *,
    watcher: Watcher | None = None,
) -> dict[str, Any]:
    """The interval job: one crawl that processes pages as they arrive, then processing of
    any page it left pending (a failed extraction's retry, a crawl cut short). Progress
    goes to ``watcher``, by default to the log (a counted line a minute). Returns the
    crawl's ``runs`` row."""
    watcher = watcher or LogEvery()
    run = run_crawl(cfg, sources=sources, stop=stop, process=True, progress=watcher.crawl)
    watcher.crawled(run)
    if stop is None or not stop.is_set():
        run_process(cfg, stop=stop, progress=watcher.pages)
    return run


def digest_due_days(cfg: Config, now: datetime) -> list[date]:
    """Days whose final digest is due by ``now`` and not written, oldest first: day D's is
    due at D+1 ``digest_time``. A provisional digest of D does not count; a final one
    counts while the articles first seen on D are the ones it was built from (articles
    that reached D later, from a page processed late or a reprocess, make it due again).
    Looks back at most ``catch_up_days`` days, never before the store's first run (a new
    install owes no digests)."""
    local = now.astimezone(cfg.tz)
    latest = local.date() - timedelta(days=1)
    if local.time() < cfg.digest_time:
        latest -= timedelta(days=1)
    db = store.open_db(cfg.db_path)
    try:
        first_run = store.first_run_started(db)
        if first_run is None:
            return []
        start = days.first_day(first_run, cfg, now)
        back = max(cfg.catch_up_days, 1)  # the day just due is always written
        if (latest - start).days >= back:
            start = latest - timedelta(days=back - 1)
        wanted = [start + timedelta(days=n) for n in range((latest - start).days + 1)]
        final = store.final_digests(db, since=start.isoformat()) if wanted else {}
        return [
            day
            for day in wanted
            if day.isoformat() not in final
            or final[day.isoformat()]
            != store.count_articles_seen_between(db, *days.day_window(day, cfg))
        ]
    finally:
        db.close()


def catch_up_digests(cfg: Config, now: datetime | None = None) -> list[date]:
    """Write every final digest that is due (the day ended, the machine was off, the
    service down, articles arrived late); return the days written. A day another live
    process is writing is left to it: if that process dies, the next call takes it over."""
    from digest.build import DigestBusy

    now = now or datetime.now(cfg.tz)
    written = []
    for day in digest_due_days(cfg, now):
        log.info("catch-up digest day=%s", day)
        try:
            run_digest(cfg, day, now=now)
        except DigestBusy as exc:
            log.warning("digest day=%s not written now: %s", day, exc)
            continue
        written.append(day)
    return written


def crawl_overdue(cfg: Config, now: datetime | None = None) -> bool:
    """Whether the last crawl started longer ago than the crawl interval (or never)."""
    db = store.open_db(cfg.db_path)
    last = store.last_crawl_started(db)
    db.close()
    if last is None:
        return True
    elapsed = (now or datetime.now(UTC)) - parse_iso(last)
    return elapsed >= timedelta(minutes=cfg.crawl_interval_minutes)


def run_maintenance(cfg: Config, now: datetime | None = None) -> dict[str, int]:
    """The weekly job: drop old raw HTML, refresh statistics, truncate the WAL."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=cfg.keep_pages_days)
    db = store.open_db(cfg.db_path)
    run_id = store.start_run(db, "maintenance")
    result = store.maintain(db, drop_html_before=to_utc_iso(cutoff))
    store.finish_run(db, run_id, "ok", result)
    db.close()
    log.info("maintenance %s", result)
    return result
