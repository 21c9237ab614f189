"""The ``newsdesk`` command line and background service: wiring only.

Each command parses its input, loads the one config object and calls a library function
(``digest.*``) or starts a crawl subprocess (``python -m crawler``). ``newsdesk run``
puts the same jobs on an APScheduler 3.x ``BlockingScheduler``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digest import pages, store
from digest.build import publish_digest
from digest.config import Config, ConfigError, load_config
from digest.extract import Extracted, Rules, extract
from digest.notify import deliver_pending
from digest.process import ProcessResult, process_pages, rules_for

log = logging.getLogger("newsdesk")

STOP_GRACE_SECONDS = 3
MISFIRE_GRACE_SECONDS = 6 * 3600


class Stopped(Exception):
    """The service was asked to stop while a job ran."""


# --- jobs: plain functions, tested directly -----------------------------------------------


def run_crawl(
    cfg: Config,
    *,
    sources: list[str] | None = None,
    refresh: bool = False,
    backfill_days: float | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Crawl in a subprocess with a wall-clock cap; return the finished ``runs`` row."""
    db = store.open_db(cfg.db_path)
    run_id = store.start_run(db, "crawl")
    cmd = [
        sys.executable,
        "-m",
        "crawler",
        "--config",
        str(cfg.config_path),
        "--run-id",
        str(run_id),
    ]
    for name in sources or []:
        cmd += ["--source", name]
    if refresh:
        cmd.append("--refresh")
    if backfill_days:
        cmd += ["--backfill", str(backfill_days)]
    child = subprocess.Popen(cmd, start_new_session=True)
    status = _wait_child(child, cfg.crawl_timeout_minutes * 60, stop)
    if status == "exited":
        reports = store.source_runs(db, run_id)
        failed = [r for r in reports if r["status"] in ("failed", "skipped")]
        if child.returncode != 0 or (reports and len(failed) == len(reports)):
            status = "failed"
        else:
            status = "partial" if failed else "ok"
    store.finish_run(db, run_id, status, {"exit_code": child.returncode})
    row = store.get_run(db, run_id)
    row["sources"] = store.source_runs(db, run_id)
    db.close()
    return row


def _wait_child(child: subprocess.Popen[bytes], cap: float, stop: threading.Event | None) -> str:
    """Wait for the crawl; on the cap or a stop request end its whole process group."""
    deadline = datetime.now().timestamp() + cap
    while True:
        try:
            child.wait(timeout=0.25)
            return "exited"
        except subprocess.TimeoutExpired:
            pass
        if stop is not None and stop.is_set():
            _end_group(child)
            return "interrupted"
        if datetime.now().timestamp() > deadline:
            _end_group(child)
            return "timeout"


def _end_group(child: subprocess.Popen[bytes]) -> None:
    # Scrapy shuts down gracefully on the first SIGTERM (finishing open downloads) and at
    # once on the second; SIGKILL ends whatever is left.
    steps = (
        (signal.SIGTERM, STOP_GRACE_SECONDS),
        (signal.SIGTERM, STOP_GRACE_SECONDS),
        (signal.SIGKILL, STOP_GRACE_SECONDS),
    )
    for sig, grace in steps:
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def run_process(
    cfg: Config,
    *,
    reprocess: bool = False,
    source: str | None = None,
    stop: threading.Event | None = None,
    show_progress: bool = False,
) -> ProcessResult:
    """Extract and summarise the stored pages waiting for it; record the run."""
    db = store.open_db(cfg.db_path)
    run_id = store.start_run(db, "process")
    result = process_pages(
        db,
        cfg,
        reprocess=reprocess,
        source=source,
        progress=_print_progress if show_progress else None,
        should_stop=stop.is_set if stop else lambda: False,
    )
    status = "interrupted" if result.interrupted else ("partial" if result.errors else "ok")
    store.finish_run(db, run_id, status, result.as_detail())
    db.close()
    return result


def _print_progress(done: int, total: int, state: str) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rprocessing {done}/{total} pages", end=end, file=sys.stderr, flush=True)
    elif done == total or done % 25 == 0:
        print(f"processing {done}/{total} pages", file=sys.stderr, flush=True)


def run_digest(cfg: Config, day: date, *, now: datetime | None = None) -> dict[str, Path]:
    """Write the digest of ``day`` in every format, record the run, then deliver it (and any
    earlier digest whose delivery failed) to the configured channels."""
    now = now or datetime.now(cfg.tz)
    db = store.open_db(cfg.db_path)
    run_id = store.start_run(db, "digest")
    try:
        paths = publish_digest(db, day, cfg=cfg, now=now)
    except Exception as exc:
        store.finish_run(db, run_id, "failed", {"day": day.isoformat(), "error": repr(exc)})
        raise
    delivered = deliver_pending(db, cfg.notify, today=now.date())
    store.finish_run(db, run_id, "ok", {"day": day.isoformat(), "delivered": delivered})
    db.close()
    return paths


def crawl_and_process(cfg: Config, stop: threading.Event | None = None) -> None:
    """The interval job: one crawl, then processing of what it brought."""
    run = run_crawl(cfg, stop=stop)
    log.info("crawl %s: %s", run["id"], run["status"])
    if stop is not None and stop.is_set():
        return
    result = run_process(cfg, stop=stop)
    log.info("process: %s", dict(result.counts))


def daily_digest(cfg: Config) -> None:
    """The daily job: yesterday's digest, complete, in the configured time zone."""
    yesterday = datetime.now(cfg.tz).date() - timedelta(days=1)
    paths = run_digest(cfg, yesterday)
    log.info("digest for %s written to %s", yesterday, paths["markdown"])


# --- the service --------------------------------------------------------------------------


def serve(cfg: Config) -> int:
    """Run the jobs on their schedule until SIGTERM or Ctrl-C, then stop cleanly."""
    stop = threading.Event()
    scheduler = BlockingScheduler(
        timezone=cfg.tz,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    scheduler.add_job(
        crawl_and_process,
        IntervalTrigger(minutes=cfg.crawl_interval_minutes, timezone=cfg.tz),
        args=[cfg, stop],
        id="crawl",
        name="crawl and process",
        next_run_time=datetime.now(cfg.tz),
    )
    scheduler.add_job(
        daily_digest,
        CronTrigger(hour=cfg.digest_time.hour, minute=cfg.digest_time.minute, timezone=cfg.tz),
        args=[cfg],
        id="digest",
        name="daily digest",
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info(
        "newsdesk service started: crawl every %d min, digest daily at %s %s; data in %s",
        cfg.crawl_interval_minutes,
        cfg.digest_time.strftime("%H:%M"),
        cfg.timezone,
        cfg.data_dir,
    )
    scheduler.start()
    log.info("newsdesk service stopped")
    return 0


def run_once(cfg: Config) -> int:
    """Crawl, process and write today's digest once, then exit."""
    crawl_and_process(cfg)
    paths = run_digest(cfg, datetime.now(cfg.tz).date())
    print(f"digest: {paths['markdown']}\n        {paths['html']}")
    return 0


# --- the offline demo ---------------------------------------------------------------------


def demo(data_dir: Path) -> int:
    """Serve the bundled sample site on 127.0.0.1, crawl it, process it, write the digest."""
    from crawler.siteserver import SAMPLE_SITE, base_url, serve_site

    data_dir = data_dir.resolve()
    for old in ("newsdesk.db", "newsdesk.db-wal", "newsdesk.db-shm"):
        (data_dir / old).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "digests", ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    with serve_site(SAMPLE_SITE) as server:
        base = base_url(server)
        print(f"serving the sample site at {base}/")
        cfg_path = data_dir / "newsdesk.toml"
        cfg_path.write_text(_demo_config(base), encoding="utf-8")
        cfg = load_config(cfg_path)
        run = run_crawl(cfg)
        for info in run["sources"]:
            print(f"crawled {info['source']}: {info['status']}, {info['pages_saved']} pages")
    result = run_process(cfg, show_progress=True)
    print("processed: " + ", ".join(f"{n} {k}" for k, n in sorted(result.counts.items())))
    paths = run_digest(cfg, datetime.now(cfg.tz).date())
    print(f"digest written:\n  {paths['markdown']}\n  {paths['html']}")
    return 0 if run["status"] == "ok" and not result.errors else 1


def _demo_config(base: str) -> str:
    return f"""# Written by `newsdesk demo` for the bundled sample site at {base}/
data_dir = "."
download_delay = 0.0
crawl_timeout_minutes = 5

[[sources]]
name = "ledger"
homepage = "{base}/"
sections = ["{base}/business/"]
sitemaps = ["{base}/sitemap.xml"]
"""


# --- command line -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description="Business-news monitoring desk.")
    parser.add_argument(
        "--config", help="config file (default: $NEWSDESK_CONFIG or ./newsdesk.toml)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("crawl", help="fetch new article pages from the sources (subprocess)")
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.add_argument("--refresh", action="store_true", help="fetch known articles again")
    p.add_argument(
        "--backfill",
        type=float,
        metavar="DAYS",
        help="also take sitemap entries up to DAYS old (default: sitemap_max_age_days)",
    )

    p = sub.add_parser("process", help="extract and summarise the pages fetched so far")
    p.add_argument("--reprocess", action="store_true", help="rebuild every article from its page")
    p.add_argument("--source", help="only this source's pages")

    p = sub.add_parser("digest", help="write a day's digest (default: today)")
    p.add_argument("--date", type=_parse_day, help="the day, YYYY-MM-DD")

    p = sub.add_parser("run", help="the background service: crawl on an interval, digest daily")
    p.add_argument("--once", action="store_true", help="crawl, process and digest once, then exit")

    p = sub.add_parser("search", help="full-text search of the stored articles")
    p.add_argument("query", help='FTS5 query, e.g. "rare earth" or minera*')
    p.add_argument("--limit", type=int, default=20)

    sub.add_parser("status", help="the last crawl of each source")

    p = sub.add_parser("extract", help="show what newsdesk keeps of saved pages or a live URL")
    p.add_argument(
        "targets",
        nargs="+",
        metavar="PATH_OR_URL",
        help="HTML files (.html, .html.gz), folders of them, or http(s) URLs",
    )
    p.add_argument("--url", help="the page's address, for a single saved file")
    p.add_argument("--source", help="apply this configured source's extraction rules")
    p.add_argument("--json", action="store_true", help="one JSON object per page and line")

    p = sub.add_parser("demo", help="crawl the bundled sample site offline and write its digest")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data/demo"),
        help="where the demo's store and digest go (default: data/demo; reset each run)",
    )
    return parser


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-26, got {text!r}") from None


def _search(cfg: Config, query: str, limit: int) -> int:
    try:
        db = store.open_readonly(cfg.db_path)
    except FileNotFoundError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 1
    try:
        rows = store.search(db, query, limit=limit)
    except Exception as exc:  # sqlite3.OperationalError for a malformed FTS5 query
        print(
            f"newsdesk: cannot search for {query!r}: {exc}. Quote phrases, e.g. '\"rare earth\"'.",
            file=sys.stderr,
        )
        return 2
    for row in rows:
        when = (row["published_at"] or "")[:10]
        print(
            f"{row['id']:>5}  {when:10}  {row['source']:12}  {row['title']}\n"
            f"       {row['url']}\n       {row['snippet']}\n"
        )
    print(f"{len(rows)} result{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0


def _extract(args: argparse.Namespace) -> int:
    """``newsdesk extract``: works without a config file unless --source is given."""
    try:
        cfg = load_config(args.config) if args.source or args.config else Config()
        rules = rules_for(cfg.source(args.source)) if args.source else Rules()
        for label, url, html in pages.inputs(args.targets, url=args.url, user_agent=cfg.user_agent):
            print(_show(label, extract(html, url, rules), as_json=args.json), flush=True)
    except (ConfigError, pages.PageError) as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    return 0


def _show(label: str, found: Extracted, *, as_json: bool) -> str:
    verdict = "article" if found.is_article else f"not published: {found.reason}"
    if as_json:
        record = {"path": label, **found.as_dict()}
        record["published"] = record.pop("published_at")
        record["modified"] = record.pop("modified_at")
        return json.dumps(record, ensure_ascii=False)
    people = ", ".join(found.authors) or "-"
    return (
        f"== {label}\n{verdict}\ntitle: {found.title}\nauthors: {people}"
        f"  credit: {found.credit or '-'}\npublished: {found.published_at or '-'}"
        f"  language: {found.language or '-'}\n\n{found.text}\n"
    )


STATUS_COLUMNS = (
    ("source", "source"),
    ("status", "status"),
    ("started_at", "last crawl (UTC)"),
    ("duration_s", "seconds"),
    ("requests", "requests"),
    ("pages_saved", "new pages"),
    ("known_skipped", "known"),
    ("not_modified", "304s"),
    ("errors", "errors"),
)


def _status(cfg: Config) -> int:
    try:
        db = store.open_readonly(cfg.db_path)
    except FileNotFoundError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 1
    rows = {row["source"]: row for row in store.last_source_runs(db)}
    table = [[title for _, title in STATUS_COLUMNS]]
    for src in cfg.sources:
        row = rows.get(src.name, {"source": src.name, "status": "never crawled"})
        row = {
            **row,
            "errors": ", ".join(f"{k} {n}" for k, n in sorted((row.get("errors") or {}).items())),
        }
        table.append(
            [str(row.get(key) if row.get(key) is not None else "") for key, _ in STATUS_COLUMNS]
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(STATUS_COLUMNS))]
    for line in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.command == "demo":
        return demo(args.data_dir)
    if args.command == "extract":
        return _extract(args)
    try:
        cfg = load_config(args.config)
        if args.command == "crawl":
            for name in args.source or []:
                cfg.source(name)
            run = run_crawl(
                cfg, sources=args.source, refresh=args.refresh, backfill_days=args.backfill
            )
            print(f"crawl {run['id']}: {run['status']}")
            return 0 if run["status"] in ("ok", "partial") else 1
        if args.command == "process":
            if args.source:
                cfg.source(args.source)
            result = run_process(
                cfg, reprocess=args.reprocess, source=args.source, show_progress=True
            )
            print(
                ", ".join(f"{n} {k}" for k, n in sorted(result.counts.items())) or "nothing to do"
            )
            return 0
        if args.command == "digest":
            day = args.date or datetime.now(cfg.tz).date()
            paths = run_digest(cfg, day)
            print("\n".join(str(paths[k]) for k in ("markdown", "html", "json", "feed")))
            return 0
        if args.command == "run":
            return run_once(cfg) if args.once else serve(cfg)
        if args.command == "search":
            return _search(cfg, args.query, args.limit)
        if args.command == "status":
            return _status(cfg)
    except ConfigError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
