"""``python -m crawler``: one crawl of the configured sources, in its own process.

Twisted's reactor cannot be restarted, so the service starts this as a subprocess for
every crawl. All sources run side by side in one Scrapy process; each source's outcome
is written to the store as soon as its spider closes, and a source that fails does not
stop the others.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from sqlite_utils import Database

from crawler.reports import summary_line
from crawler.settings import apply_source_settings, crawl_settings
from crawler.spiders.news import NewsSpider
from digest import store
from digest.config import Config, ConfigError, Source, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("--config", help="config file (default: ./newsdesk.toml)")
    parser.add_argument("--source", action="append", help="crawl only this source (repeatable)")
    parser.add_argument("--run-id", type=int, help="the runs row to report into")
    parser.add_argument("--refresh", action="store_true", help="fetch known articles again")
    parser.add_argument(
        "--backfill",
        type=float,
        metavar="DAYS",
        help="take sitemap entries up to DAYS old (default: the config's)",
    )
    parser.add_argument(
        "--process", action="store_true", help="extract and summarise pages as they arrive"
    )
    parser.add_argument("--log-level", help="Scrapy log level (default WARNING)")
    parser.add_argument(
        "--progress-dir",
        type=Path,
        metavar="DIR",
        help="write each source's running counts here once a second (crawler/progress.py)",
    )
    parser.add_argument(
        "--redis", metavar="URL", help="crawl through the cluster's shared frontier in Redis"
    )
    parser.add_argument(
        "--worker", action="store_true", help="with Redis: keep working until stopped"
    )
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config)
        sources = [cfg.source(name) for name in args.source] if args.source else list(cfg.sources)
    except ConfigError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    if not sources:
        print(f"newsdesk: {cfg.config_path}: no [[sources]] configured", file=sys.stderr)
        return 2
    redis_url = args.redis or cfg.cluster.redis_url
    if redis_url:  # several processes share one frontier: crawler/cluster/, docs/scale-out.md
        refused = refused_with_redis(
            refresh=args.refresh, backfill=args.backfill, process=args.process
        )
        if refused:
            print(f"newsdesk: {refused}", file=sys.stderr)
            return 2
        try:
            from crawler.cluster.run import run_cluster
        except ConfigError as exc:  # the 'cluster' extra is not installed
            print(f"newsdesk: {exc}", file=sys.stderr)
            return 2

        return run_cluster(
            cfg,
            sources,
            redis_url=redis_url,
            worker=args.worker,
            run_id=args.run_id,
            log_level=args.log_level,
        )

    try:
        return _crawl(cfg, sources, args)
    except (store.StoreBusy, store.StoreFull, store.StoreCorrupt, OSError) as exc:
        print(f"newsdesk: the crawl could not use the store: {exc}", file=sys.stderr)
        return 1


def _crawl(cfg: Config, sources: list[Source], args: argparse.Namespace) -> int:
    """One Scrapy process for ``sources``; each source's outcome recorded as it ends."""
    db = store.open_db(cfg.db_path)
    run_id = args.run_id or store.start_run(db, "crawl")
    settings = crawl_settings(
        cfg,
        refresh=args.refresh,
        backfill_days=args.backfill,
        log_level=args.log_level,
        process=args.process,
        progress_dir=args.progress_dir,
    )
    process = CrawlerProcess(settings)
    reports: dict[str, dict[str, Any]] = {}
    # Waiting requests go to disk, one queue per source, gone when the crawl ends.
    with tempfile.TemporaryDirectory(prefix="newsdesk-queue-") as queues:
        for source in sources:
            crawler = process.create_crawler(NewsSpider)
            # applied when the crawl starts
            apply_source_settings(crawler.settings, source, Path(queues, source.name))
            crawler.signals.connect(
                _recorder(db, run_id, reports), signal=signals.spider_closed, weak=False
            )
            process.crawl(crawler, source=source)
        process.start()

    if not args.run_id:
        store.finish_run(db, run_id, _run_status(reports))
    for name, info in sorted(reports.items()):
        print(summary_line(name, info), flush=True)
    return 1 if any(info.get("not_recorded") for info in reports.values()) else 0


def _run_status(reports: dict[str, dict[str, Any]]) -> str:
    statuses = [r["status"] for r in reports.values()]
    if "interrupted" in statuses:
        return "interrupted"
    failed = sum(status in ("failed", "skipped") for status in statuses)
    return "failed" if failed == len(statuses) else ("partial" if failed else "ok")


def refused_with_redis(*, refresh: bool, backfill: float | None, process: bool) -> str | None:
    """The message refusing the single-machine options given with Redis, if any (also
    used by ``newsdesk crawl``, cli/crawling.py)."""
    given = {"refresh": refresh, "backfill": backfill, "process": process}
    named = [f"--{name}" for name, value in given.items() if value]
    if not named:
        return None
    return f"{', '.join(named)}: not available with Redis (see docs/scale-out.md, Limits)"


def _recorder(db: Database, run_id: int, reports: dict[str, dict[str, Any]]) -> Any:
    def record(spider: NewsSpider, reason: str) -> None:
        report = spider.report()
        if reason == "shutdown":  # stopped by a signal: not the site's fault
            report["status"] = "interrupted"
        reports[spider.source.name] = report
        try:
            store.record_source_run(db, run_id, spider.source.name, report)
        except (store.StoreBusy, store.StoreFull, store.StoreCorrupt) as exc:
            report["not_recorded"] = True  # the crawl then exits 1: not an "ok" crawl
            print(f"newsdesk: {spider.source.name}: outcome not recorded: {exc}", file=sys.stderr)

    return record


if __name__ == "__main__":
    sys.exit(main())
