"""The ``newsdesk`` command line and background service: wiring only.

Each command parses its input, loads the one config object and calls a library function
(``digest.*``) or starts a crawl subprocess (``python -m crawler``). ``newsdesk run``
puts the same jobs on an APScheduler 3.x ``BlockingScheduler``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shlex
import shutil
import signal
import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digest import failures, jobs, pages, query, stopping, store
from digest.browse import browse
from digest.build import DigestBusy
from digest.config import REDIS_URL_ENV, Config, ConfigError, load_config, require_sources
from digest.days import DayOutOfRange
from digest.service import AlreadyRunning, ServiceLock, setup_logging, status_report
from digest.text import terminal_safe

if TYPE_CHECKING:
    from sqlite_utils import Database

    from digest.extract import Extracted

# Extraction and summaries (trafilatura, sumy, NLTK) are imported by the commands that use
# them, so the others (search, status, crawl...) start in a fraction of a second.

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


class DailyTrigger(CronTrigger):
    """A CronTrigger that fires at most once per local day. APScheduler 3's CronTrigger
    fires twice when the time falls in the hour that is repeated when daylight saving
    ends (01:30 on the last Sunday of October in London)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire = super().get_next_fire_time(previous_fire_time, now)
        if fire is None or previous_fire_time is None:
            return fire
        last_day = previous_fire_time.astimezone(self.timezone).date()
        if fire.astimezone(self.timezone).date() > last_day:
            return fire
        next_midnight = datetime.combine(last_day + timedelta(days=1), time(0), self.timezone)
        # From the next local midnight, without the previous fire time: given one, the
        # parent class starts from it and would return the repeated hour again.
        return super().get_next_fire_time(None, next_midnight)


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
    if runs or claims or leftovers:
        log.warning(
            "recovered after a crash: runs=%s digest_claims=%s temp_files=%s",
            runs,
            claims,
            len(leftovers),
        )


def _wait_for_running_jobs() -> None:
    """Jobs see the stop flag and end within their bounds (a crawl's group is ended)."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()


def run_once(cfg: Config, stop: threading.Event) -> int:
    """Crawl, process, write the final digests that are due and today's provisional one,
    then exit; like the service, it holds the data directory's lock, logs to its file,
    checks the store and first recovers from a crash. A stop (SIGTERM, Ctrl-C) ends the
    crawl, records it interrupted and writes no digest."""
    lock = _take_lock(cfg)
    if lock is None:
        return 1
    try:
        setup_logging(cfg.data_dir)
        if not _store_sound(cfg, lock):
            return 1
        _recover(cfg)
        jobs.crawl_and_process(cfg, stop)
        if stop.is_set():
            return 0
        for day in jobs.catch_up_digests(cfg):  # final digests due (yesterday's, missed)
            print(f"final digest of {day} written")
        paths = jobs.run_digest(cfg, datetime.now(cfg.tz).date())
    finally:
        lock.release()
    print(f"digest (provisional, today so far): {paths['markdown']}\n        {paths['html']}")
    return 0


# --- the offline demo ---------------------------------------------------------------------


DEMO_MARK = ".newsdesk-demo"  # in a folder the demo made: the next demo may reset it


def demo(data_dir: Path, stop: threading.Event) -> int:
    """Serve the bundled sample site on 127.0.0.1, crawl it, process it, write the digest."""
    from crawler.siteserver import SAMPLE_SITE, serve_site

    data_dir = data_dir.resolve()
    if data_dir.exists() and any(data_dir.iterdir()) and not _made_by_demo(data_dir):
        raise ConfigError(
            f"{data_dir} holds files the demo did not write; the demo resets its folder, so "
            "give it a new or empty one: newsdesk demo --data-dir DIR"
        )
    for old in ("newsdesk.db", "newsdesk.db-wal", "newsdesk.db-shm"):
        (data_dir / old).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "digests", ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DEMO_MARK).write_text("written by newsdesk demo\n", encoding="utf-8")
    with serve_site(SAMPLE_SITE) as server:
        base = server.base_url
        print(f"serving the sample site at {base}/")
        cfg_path = data_dir / "newsdesk.toml"
        cfg_path.write_text(_demo_config(base), encoding="utf-8")
        cfg = load_config(cfg_path)
        run = jobs.run_crawl(cfg, stop=stop)
        for info in run["sources"]:
            print(f"crawled {info['source']}: {info['status']}, {info['pages_saved']} pages")
    if stop.is_set():
        return 0
    result = jobs.run_process(cfg, progress=_print_progress, stop=stop)
    print("processed: " + ", ".join(f"{n} {k}" for k, n in sorted(result.counts.items())))
    if stop.is_set():
        return 0
    paths = jobs.run_digest(cfg, datetime.now(cfg.tz).date())
    print(f"digest written:\n  {paths['markdown']}\n  {paths['html']}")
    print(_demo_next_steps(cfg_path))
    return 0 if run["status"] == "ok" and not result.errors else 1


def _made_by_demo(data_dir: Path) -> bool:
    """The demo's mark, or (from before the mark) the config the demo writes."""
    if (data_dir / DEMO_MARK).exists():
        return True
    try:
        head = (data_dir / "newsdesk.toml").read_text(encoding="utf-8")[:40]
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith("# Written by `newsdesk demo`")


def _demo_next_steps(cfg_path: Path) -> str:
    config = f"--config {shlex.quote(str(cfg_path))}"
    return (
        "\nthe demo's store, to try next:\n"
        f"  newsdesk search mineral {config}\n"
        f"  newsdesk articles {config}\n"
        f"  newsdesk status {config}\n"
        f"  newsdesk browse {config}   # Datasette, with pip install -e '.[browse]'"
    )


def _print_progress(done: int, total: int, state: str) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rprocessing {done}/{total} pages", end=end, file=sys.stderr, flush=True)
    elif done == total or done % 25 == 0:
        print(f"processing {done}/{total} pages", file=sys.stderr, flush=True)


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
allow_private_address = true  # the sample site is served on 127.0.0.1
"""


# --- command line -------------------------------------------------------------------------


def _common_options(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """--config and --debug, taken before or after the command's name ("newsdesk --config
    X status" and "newsdesk status --config X" alike): the command's own copy leaves the
    value alone when it is not given (``default`` SUPPRESS)."""
    parser.add_argument(
        "--config",
        default=default,
        help="config file (default: $NEWSDESK_CONFIG or ./newsdesk.toml)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if default is None else default,
        help="show the traceback of a failure, not one line",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description="Business-news monitoring desk.")
    _common_options(parser, default=None)
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "crawl", parents=[common], help="fetch new article pages from the sources (subprocess)"
    )
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.add_argument("--refresh", action="store_true", help="fetch known articles again")
    p.add_argument(
        "--backfill",
        type=_number(float, 0.01, 3650),
        metavar="DAYS",
        help="also take sitemap entries up to DAYS old (default: sitemap_max_age_days)",
    )
    p.add_argument(
        "--process",
        action="store_true",
        help="extract and summarise pages while crawling (one worker per core), then any "
        "page left pending",
    )
    p.add_argument(
        "--redis",
        metavar="URL",
        help="crawl across machines through this Redis (default: [cluster] redis_url)",
    )

    p = sub.add_parser(
        "worker", parents=[common], help="a cluster crawler process: works the Redis frontier"
    )
    p.add_argument("--redis", metavar="URL", help="the cluster's Redis (default: [cluster])")
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.add_argument("--log-level", help="Scrapy log level (default WARNING)")

    p = sub.add_parser(
        "ingest", parents=[common], help="the cluster's one writer: pages from Redis to the store"
    )
    p.add_argument("--redis", metavar="URL", help="the cluster's Redis (default: [cluster])")
    p.add_argument("--drain", action="store_true", help="exit once no page is waiting")

    p = sub.add_parser(
        "process", parents=[common], help="extract and summarise the pages fetched so far"
    )
    p.add_argument("--reprocess", action="store_true", help="rebuild every article from its page")
    p.add_argument("--source", help="only this source's pages")

    p = sub.add_parser(
        "digest", parents=[common], help="write a day's digest (default: today so far)"
    )
    p.add_argument(
        "--date",
        type=_parse_day,
        help="the day, YYYY-MM-DD, from the store's first run to today (a past day's digest "
        "is final, today's provisional)",
    )
    p.add_argument(
        "--remove",
        action="store_true",
        help="remove the --date day's digest instead: its files, feed entry and record",
    )

    p = sub.add_parser(
        "run", parents=[common], help="the background service: crawl on an interval, digest daily"
    )
    p.add_argument("--once", action="store_true", help="crawl, process and digest once, then exit")

    p = sub.add_parser("search", parents=[common], help="full-text search of the stored articles")
    p.add_argument("query", help='FTS5 query: "rare earth" (phrase), minera* (prefix), a AND b')
    _filter_options(p, formats=("table", "json", "csv"))

    p = sub.add_parser("articles", parents=[common], help="list stored articles, newest first")
    _filter_options(p, formats=("table", "json", "csv"))

    p = sub.add_parser(
        "show", parents=[common], help="one article: metadata, summary, aliases, text"
    )
    p.add_argument("key", metavar="ID|URL", help="an article id, its URL, or one of its aliases")

    p = sub.add_parser("export", parents=[common], help="write articles as JSON Lines or CSV")
    _filter_options(p, formats=("jsonl", "csv"), limit=None)
    p.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")

    p = sub.add_parser(
        "status", parents=[common], help="the service, its next runs, and each source's health"
    )
    p.add_argument("--json", action="store_true", help="the same as one JSON object")

    p = sub.add_parser("service", parents=[common], help="run newsdesk as a systemd service")
    p.add_argument("action", choices=["install"], help="write the systemd unit")
    p.add_argument(
        "--user",
        action="store_true",
        required=True,
        help="a user unit in ~/.config/systemd/user (no root needed)",
    )
    p.add_argument("--unit-dir", type=Path, help="write the unit here instead")

    p = sub.add_parser(
        "browse", parents=[common], help="Datasette over the store, read-only, on 127.0.0.1"
    )
    p.add_argument("--port", type=_number(int, 1, 65535), default=8001)

    p = sub.add_parser(
        "extract", parents=[common], help="show what newsdesk keeps of saved pages or a live URL"
    )
    p.add_argument(
        "targets",
        nargs="+",
        metavar="PATH_OR_URL",
        help="HTML files (.html, .html.gz), folders of them, or http(s) URLs",
    )
    p.add_argument("--url", help="the page's address, for a single saved file")
    p.add_argument("--source", help="apply this configured source's extraction rules")
    p.add_argument("--json", action="store_true", help="one JSON object per page and line")

    p = sub.add_parser(
        "summarise", parents=[common], help="summarise a plain-text article (or JSON Lines)"
    )
    p.add_argument("file", nargs="?", default="-", help="a text file, or - for standard input")
    p.add_argument(
        "--words", type=_number(int, 1, 10_000), help="word budget (default: the config's, else 70)"
    )
    p.add_argument(
        "--sentences",
        type=_number(int, 1, 1_000),
        help="most sentences (default: the config's, else 3)",
    )
    p.add_argument("--title", help="the headline, so that a sentence repeating it is left out")
    p.add_argument(
        "--jsonl",
        action="store_true",
        help="read JSON Lines with a text field, write each with a summary added",
    )

    p = sub.add_parser(
        "recover", parents=[common], help="salvage what SQLite can read of a damaged store"
    )
    p.add_argument(
        "--output",
        type=Path,
        help="the new store to write (default: DATA_DIR/newsdesk.recovered.db)",
    )

    p = sub.add_parser(
        "demo", parents=[common], help="crawl the bundled sample site offline and write its digest"
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data/demo"),
        help="where the demo's store and digest go (default: data/demo); a folder the demo"
        " made is reset on each run, any other non-empty one is refused",
    )
    return parser


def _filter_options(
    p: argparse.ArgumentParser, *, formats: tuple[str, ...], limit: int | None = 20
) -> None:
    p.add_argument("--since", help="7d, 24h, 2w or a date (YYYY-MM-DD, local midnight)")
    p.add_argument("--until", help="a date (YYYY-MM-DD, local midnight) or 7d, 24h ago")
    p.add_argument("--source", help="only this source (a configured or stored one)")
    p.add_argument("--topic", help="only articles matching this watch topic (any case)")
    p.add_argument(
        "--limit",
        type=_number(int, 1, 1_000_000),
        default=limit,
        help=f"at most N, 1 to 1,000,000 (default {limit or 'all'})",
    )
    p.add_argument("--format", choices=formats, default=formats[0])


def _article_query(args: argparse.Namespace, cfg: Config, db: Database) -> store.ArticleQuery:
    """The filters given, checked: an unknown --source or --topic is refused (exit 2,
    naming the known ones) rather than finding nothing; topics match in any case."""
    source, topic = args.source, args.topic
    if source:
        source = query.pick_name(db, "source", source, [s.name for s in cfg.sources])
    if topic:
        topic = query.pick_name(db, "topic", topic, [t.name for t in cfg.topics])
    return store.ArticleQuery(
        text=getattr(args, "query", None),
        since=query.parse_when(args.since, cfg.tz) if args.since else None,
        until=query.parse_when(args.until, cfg.tz) if args.until else None,
        source=source,
        topic=topic,
        limit=args.limit,
    )


def _read(cfg: Config, args: argparse.Namespace) -> int:
    """search, articles, show and export: read-only, never in the service's way."""
    db = store.open_readonly(cfg.db_path)
    if args.command == "show":
        article = store.get_article(db, args.key)
        if article is None:
            print(f"newsdesk: no article {args.key!r} in {cfg.db_path}", file=sys.stderr)
            return 1
        print(terminal_safe(query.format_article(article)))
        return 0
    wanted = _article_query(args, cfg, db)
    rows = query.run_query(db, wanted, with_text=args.command == "export")
    if args.command == "export":
        out = args.output.open("w", encoding="utf-8", newline="") if args.output else sys.stdout
        if out.isatty():  # a data dump, as stored, unless a terminal would act on it
            rows = [
                {k: terminal_safe(v) if isinstance(v, str) else v for k, v in r.items()}
                for r in rows
            ]
        count = query.export(rows, args.format, out)
        if args.output:
            out.close()
        print(f"{count} article{'s' if count != 1 else ''} exported", file=sys.stderr)
        return 0
    print(terminal_safe(query.format_rows(rows, args.format)))
    print(f"{len(rows)} article{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0


def _digest(cfg: Config, args: argparse.Namespace) -> int:
    """``newsdesk digest``: write a day's digest, or remove one with --remove."""
    if args.remove:
        if args.date is None:
            print("newsdesk: digest --remove needs --date YYYY-MM-DD", file=sys.stderr)
            return 2
        files, had_row = jobs.remove_digest(cfg, args.date)
        if not files and not had_row:
            print(f"newsdesk: there is no digest of {args.date} to remove", file=sys.stderr)
            return 1
        print("\n".join(f"removed {path}" for path in files) or "removed its record")
        return 0
    day = args.date or datetime.now(cfg.tz).date()
    jobs.check_digest_day(cfg, day)
    paths = jobs.run_digest(cfg, day)
    print("\n".join(str(paths[k]) for k in ("markdown", "html", "json", "feed")))
    return 0


def _number(kind: type[int] | type[float], least: float, most: float) -> Any:
    """An argparse type: a finite number of ``kind`` from ``least`` to ``most``."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or not least <= value <= most:
            raise argparse.ArgumentTypeError(f"expected {least:,} to {most:,}, got {text!r}")
        return value

    return parse


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-26, got {text!r}") from None


def _extract(args: argparse.Namespace) -> int:
    """``newsdesk extract``: works without a config file unless --source is given."""
    from digest.extract import Rules, extract
    from digest.process import rules_for

    try:
        cfg = load_config(args.config) if args.source or args.config else Config()
        rules = rules_for(cfg.source(args.source)) if args.source else Rules()
        for label, url, html in pages.inputs(args.targets, url=args.url, user_agent=cfg.user_agent):
            shown = _show(label, extract(html, url, rules), as_json=args.json)
            print(terminal_safe(shown), flush=True)
    except (ConfigError, pages.PageError) as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    return 0


def _summarise(args: argparse.Namespace) -> int:
    """``newsdesk summarise``: works without a config file; --config sets the defaults."""
    from digest.summarise import summarise

    try:
        cfg = load_config(args.config) if args.config else Config()
        # SIM115: the file is closed by the with-block below
        source = sys.stdin if args.file == "-" else Path(args.file).open(encoding="utf-8")  # noqa: SIM115
    except (ConfigError, OSError) as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    budget = {
        "words": args.words or cfg.summary_words,
        "sentences": args.sentences or cfg.summary_sentences,
    }
    with source:
        if not args.jsonl:
            print(summarise(source.read(), title=args.title, **budget))
            return 0
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
            except (ValueError, KeyError, TypeError):
                print(
                    f'newsdesk: {args.file}:{number}: expected a JSON object with a "text" field',
                    file=sys.stderr,
                )
                return 2
            record["summary"] = summarise(text, title=record.get("title"), **budget)
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _show(label: str, found: Extracted, *, as_json: bool) -> str:
    verdict = "article" if found.is_article else f"not published: {found.reason}"
    if as_json:
        record = {"path": label, **found.as_dict()}
        record["published"] = record.pop("published_local")  # the page's own offset
        record["published_utc"] = record.pop("published_at")
        record["modified"] = record.pop("modified_at")
        return json.dumps(record, ensure_ascii=False)
    people = ", ".join(found.authors) or "-"
    return (
        f"== {label}\n{verdict}\ntitle: {found.title}\nauthors: {people}"
        f"  credit: {found.credit or '-'}\npublished: {found.published_local or '-'}"
        f"  language: {found.language or '-'}\n\n{found.text}\n"
    )


STATUS_COLUMNS = (
    ("source", "source"),
    ("status", "status"),
    ("started_at", "last crawl"),
    ("duration_s", "seconds"),
    ("requests", "requests"),
    ("pages_saved", "new pages"),
    ("known_skipped", "known"),
    ("not_modified", "304s"),
    ("errors", "errors"),
)


def _status(cfg: Config, *, as_json: bool) -> int:
    report = status_report(cfg)
    crawls = {}
    if cfg.db_path.exists():
        db = store.open_readonly(cfg.db_path)
        crawls = {row["source"]: row for row in store.last_source_runs(db)}
        db.close()
    if as_json:
        report["last_crawls"] = crawls
        print(json.dumps(report, indent=2, default=str))
        return 0
    clock = _Clock(cfg)
    print(_service_lines(report, clock))
    rows = [_crawl_row(crawls, src.name, clock) for src in cfg.sources]
    print(_table(STATUS_COLUMNS, rows))
    print()
    health = [{**r, "last_success": clock(r.get("last_success"))} for r in report["sources"]]
    print(_table(HEALTH_COLUMNS, health))
    print(f"\n(times in {cfg.timezone}, UTC{clock.offset})")
    return 0


class _Clock:
    """Every time ``status`` prints, one way: in the config's zone, to the second."""

    def __init__(self, cfg: Config) -> None:
        self.tz = cfg.tz
        self.offset = datetime.now(cfg.tz).strftime("%z")
        self.offset = f"{self.offset[:3]}:{self.offset[3:]}"

    def __call__(self, value: Any) -> str | None:
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")


HEALTH_COLUMNS = (
    ("source", "source"),
    ("last_success", "last success"),
    ("articles_7d", "articles 7d"),
    ("error_rate_7d", "error rate 7d"),
    ("warning", "warning"),
)


def _service_lines(report: dict[str, Any], clock: _Clock) -> str:
    service = report["service"]
    state = f"running (PID {service['pid']})" if service["running"] else "not running"
    lines = [f"service: {state}"]
    if service.get("store_damaged"):
        lines.append(f"  refused to run: {service['store_damaged']}")
    lines += [f"  next {job}: {clock(when)}" for job, when in sorted(service["next_runs"].items())]
    for kind, run in sorted(report["last_runs"].items()):
        lines.append(f"last {kind}: {run['status']} (started {clock(run['started_at'])})")
    for row in report["digests"]:
        lines.append(f"digest {row['day']}: {_digest_state(row, clock)}")
    return "\n".join(lines) + "\n"


def _digest_state(row: dict[str, Any], clock: _Clock) -> str:
    if row["status"] != "done":
        return row["status"]  # writing, or failed (due again)
    kind = "final" if row["final"] else "provisional (the final one comes after the day)"
    stories = f"{row['article_count']} stor{'y' if row['article_count'] == 1 else 'ies'}"
    sent = ""
    if row["final"] and row["notify_error"]:
        sent = f", not delivered: {row['notify_error']}"
    return f"{kind}, {stories}, written {clock(row['generated_at'])}{sent}"


def _crawl_row(crawls: dict[str, dict[str, Any]], name: str, clock: _Clock) -> dict[str, Any]:
    row = crawls.get(name, {"source": name, "status": "never crawled"})
    errors = ", ".join(f"{k} {n}" for k, n in sorted((row.get("errors") or {}).items()))
    return {**row, "errors": errors, "started_at": clock(row.get("started_at"))}


def _table(columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        return (
            ""
            if value is None
            else (f"{value:.0%}" if isinstance(value, float) and value <= 1 else str(value))
        )

    table = [[title for _, title in columns]] + [
        [cell(r.get(key)) for key, _ in columns] for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table
    )


UNIT = """[Unit]
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


def _install_service(args: argparse.Namespace) -> int:
    """Write a systemd user unit that runs this newsdesk with this config."""
    cfg = load_config(args.config)
    unit_dir = args.unit_dir or Path.home() / ".config" / "systemd" / "user"
    unit_dir.mkdir(parents=True, exist_ok=True)
    unit = unit_dir / "newsdesk.service"
    text = UNIT.format(
        workdir=cfg.config_path.parent, executable=sys.executable, config=cfg.config_path
    )
    unit.write_text(text, encoding="utf-8")
    print(
        f"wrote {unit}\nstart it with:\n  systemctl --user daemon-reload\n"
        "  systemctl --user enable --now newsdesk\n"
        "  loginctl enable-linger $USER   # keep it running after you log out"
    )
    return 0


def _recover_store(cfg: Config, args: argparse.Namespace) -> int:
    """``newsdesk recover``: the damaged store's readable rows into a new file."""
    target = args.output or cfg.data_dir / "newsdesk.recovered.db"
    try:
        counts = store.salvage(cfg.db_path, target)
    except FileExistsError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    kept = ", ".join(f"{n} {table}" for table, n in counts.items())
    print(
        f"recovered into {target}: {kept}\n"
        f"to use it: stop the service, keep {cfg.db_path} somewhere safe, delete its -wal and "
        f"-shm files, move {target} to {cfg.db_path}, and start the service again"
    )
    return 0


# --- several machines (docs/scale-out.md); nothing here imports redis unless used ------


def _cluster_crawl(cfg: Config, args: argparse.Namespace, stop: threading.Event) -> int:
    """``newsdesk crawl`` through Redis: the crawl child coordinates the current slot and
    works it with the other workers; this process ingests the pages meanwhile, or stands
    by while a live ``newsdesk ingest`` does. Exit 0 only once every page is stored."""
    from crawler.__main__ import refused_with_redis
    from digest.cluster import RedisUnavailable
    from digest.ingest import IngestFailed, crawl_with_ingest

    if refused := refused_with_redis(args):
        print(refused, file=sys.stderr)
        return 2
    for name in args.source or []:
        cfg.source(name)
    try:
        run, ingested = crawl_with_ingest(
            cfg, lambda: jobs.run_crawl(cfg, sources=args.source, stop=stop)
        )
    except RedisUnavailable as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    except IngestFailed as exc:  # pages may be missing from the store: not an ok crawl
        print(f"newsdesk: {exc}", file=sys.stderr)
        db = store.open_db(cfg.db_path)
        store.finish_run(db, exc.result["id"], "failed", {"ingest_error": str(exc)})
        db.close()
        print(f"crawl {exc.result['id']}: failed ({exc.summary})")
        return 1
    by = "stored by the running ingest writer"
    by = f"{ingested['saved']} new pages stored" if ingested is not None else by
    print(f"crawl {run['id']}: {run['status']} ({by})")
    return 0 if run["status"] in ("ok", "partial") else 1


def _worker(cfg: Config, args: argparse.Namespace) -> int:
    """``newsdesk worker``: one crawler process of the cluster, until SIGTERM or Ctrl-C."""
    if not cfg.cluster.redis_url:
        print("newsdesk: worker needs --redis URL or [cluster] redis_url", file=sys.stderr)
        return 2
    sources = [cfg.source(n) for n in args.source] if args.source else list(cfg.sources)
    if not sources:
        print(f"newsdesk: {cfg.config_path}: no [[sources]] configured", file=sys.stderr)
        return 2
    from crawler.cluster.run import run_cluster

    logging.getLogger().handlers.clear()  # Scrapy sets up this process's logging
    return run_cluster(
        cfg, sources, redis_url=cfg.cluster.redis_url, worker=True, log_level=args.log_level
    )


def _ingest(cfg: Config, args: argparse.Namespace) -> int:
    """``newsdesk ingest``: the one writer of the cluster's pages, until SIGTERM or Ctrl-C."""
    if not cfg.cluster.redis_url:
        print("newsdesk: ingest needs --redis URL or [cluster] redis_url", file=sys.stderr)
        return 2
    from digest.cluster import RedisUnavailable, redact
    from digest.ingest import IngestBusy, IngestWriter

    writer = IngestWriter(cfg, cfg.cluster.redis_url)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: writer.stop.set())
    try:
        writer.claim()
        print(
            f"ingest writer {writer.ident}: pages from {redact(writer.url)} into {cfg.db_path}",
            flush=True,
        )
        counts = writer.run(drain=args.drain)
    except RedisUnavailable as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    except IngestBusy as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 1
    print(
        f"ingested {counts['saved']} new or changed pages, {counts['unchanged']} unchanged, "
        f"{counts['rejected']} rejected"
    )
    return 0


WRITERS = ("crawl", "process", "digest", "ingest")  # checked (quick_check) before they write
COOPERATIVE = ("crawl", "process", "run", "demo")  # wind down on a first stop signal


def main(argv: list[str] | None = None) -> int:
    """The command line: run one command, and turn a failure a user can meet into one
    line and an exit code (0 done, 1 failed at run time, 2 bad input; after a stop: 0 for
    SIGTERM, 130 for Ctrl-C). ``--debug`` shows the traceback instead."""
    args = _parser().parse_args(argv)
    setup_logging(None)
    request = stopping.install(cooperative=args.command in COOPERATIVE)
    cfg: Config | None = None
    try:
        if args.command in ("demo", "extract", "summarise"):  # no config file needed
            code = _without_config(args, request.event)
        else:
            if getattr(args, "redis", None):  # through the config layer: the crawl child
                os.environ[REDIS_URL_ENV] = args.redis
            cfg = load_config(args.config)
            code = _command(cfg, args, request.event)
    except (ConfigError, DayOutOfRange, query.QueryError, FileNotFoundError) as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    except DigestBusy as exc:  # refused at run time, not bad input
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as cat does
        _drop_stdout()
        return 128 + signal.SIGPIPE
    except stopping.Stopped as exc:
        print(f"newsdesk: stopped ({exc})", file=sys.stderr)
        return stopping.exit_code(exc.signum)
    except Exception as exc:
        message = failures.explain(exc, store=cfg.db_path if cfg else None)
        if message is None or args.debug:
            raise
        print(f"newsdesk: {message}", file=sys.stderr)
        return 1
    return stopping.exit_code(request.signum) if request.is_set() else code


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _without_config(args: argparse.Namespace, stop: threading.Event) -> int:
    if args.command == "demo":
        return demo(args.data_dir, stop)
    if args.command == "extract":
        return _extract(args)
    return _summarise(args)


def _command(cfg: Config, args: argparse.Namespace, stop: threading.Event) -> int:
    """Every command that reads the config file."""
    if args.command in ("crawl", "run", "worker"):
        require_sources(cfg)
    if args.command in WRITERS and cfg.db_path.exists():
        db = store.open_db(cfg.db_path)
        try:
            store.verify(db, fts=False)  # a whole read: about a second per GB
        finally:
            db.close()
    if args.command == "crawl" and cfg.cluster.redis_url:
        return _cluster_crawl(cfg, args, stop)
    if args.command == "worker":
        return _worker(cfg, args)
    if args.command == "ingest":
        return _ingest(cfg, args)
    if args.command == "crawl":
        return _crawl(cfg, args, stop)
    if args.command == "process":
        if args.source:
            cfg.source(args.source)
        result = jobs.run_process(
            cfg, reprocess=args.reprocess, source=args.source, progress=_print_progress, stop=stop
        )
        print(", ".join(f"{n} {k}" for k, n in sorted(result.counts.items())) or "nothing to do")
        return 0
    if args.command == "digest":
        return _digest(cfg, args)
    if args.command == "run":
        return run_once(cfg, stop) if args.once else serve(cfg)
    if args.command in ("search", "articles", "show", "export"):
        return _read(cfg, args)
    if args.command == "status":
        return _status(cfg, as_json=args.json)
    if args.command == "service":
        return _install_service(args)
    if args.command == "browse":
        return browse(cfg, port=args.port)
    if args.command == "recover":
        return _recover_store(cfg, args)
    raise AssertionError(args.command)


def _crawl(cfg: Config, args: argparse.Namespace, stop: threading.Event) -> int:
    for name in args.source or []:
        cfg.source(name)
    run = jobs.run_crawl(
        cfg,
        sources=args.source,
        refresh=args.refresh,
        backfill_days=args.backfill,
        process=args.process,
        stop=stop,
    )
    print(f"crawl {run['id']}: {run['status']}")
    if args.process and not stop.is_set():  # as the service does: then any page left pending
        left = jobs.run_process(cfg, source=None, progress=_print_progress, stop=stop)
        if left.counts:
            print("then " + ", ".join(f"{n} {k}" for k, n in sorted(left.counts.items())))
    return 0 if run["status"] in ("ok", "partial", "interrupted") else 1


if __name__ == "__main__":
    sys.exit(main())
