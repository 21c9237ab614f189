"""Start cluster crawlers: ``newsdesk worker`` (runs until stopped) and the one-shot crawl
of ``newsdesk crawl --redis`` (``python -m crawler --redis URL``), which coordinates the
current slot, works it like any worker, and ends when the slot is drained everywhere.

A worker opens no SQLite file. The one-shot crawl runs on the store machine and, like a
single-machine crawl, records each source's outcome in the run's row; the outcome is
summed over every worker from the slot's counters in Redis.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from crawler.cluster import keys
from crawler.cluster.settings import cluster_settings
from crawler.cluster.spider import ClusterNewsSpider
from crawler.cluster.worker import worker_id
from crawler.reports import summary_line
from crawler.settings import apply_source_settings
from digest import store
from digest.clock import to_utc_iso
from digest.cluster import RedisUnavailable, connect
from digest.config import Config, Source


def run_cluster(
    cfg: Config,
    sources: list[Source],
    *,
    redis_url: str,
    worker: bool,
    run_id: int | None = None,
    log_level: str | None = None,
) -> int:
    """Crawl ``sources`` through the shared frontier; the process's exit code."""
    try:
        redis = connect(redis_url)
    except RedisUnavailable as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    wid = worker_id()
    settings = cluster_settings(cfg, redis_url, worker_id=wid, once=not worker, log_level=log_level)
    process = CrawlerProcess(settings)
    crawlers: list[Crawler] = []
    for source in sources:
        crawler = process.create_crawler(ClusterNewsSpider)
        apply_source_settings(crawler.settings, source)  # applied when the crawl starts
        process.crawl(crawler, source=source)
        crawlers.append(crawler)
    if worker:
        names = ", ".join(s.name for s in sources)
        print(f"newsdesk worker {wid}: crawling {names}; Ctrl-C or SIGTERM stops", flush=True)
    process.start()
    if worker:
        return 0
    spiders = [c.spider for c in crawlers if isinstance(c.spider, ClusterNewsSpider)]
    reports = {s.source.name: slot_report(redis, s) for s in spiders}
    _record(cfg, run_id, reports)
    for spider in spiders:
        line = summary_line(spider.source.name, reports[spider.source.name], all_workers=True)
        if not spider.seeded_here:
            line += "; the slot was already seeded by another process (counts are the slot's)"
        print(line, flush=True)
    return 0


def slot_report(redis: Any, spider: ClusterNewsSpider) -> dict[str, Any]:
    """The source's outcome in the slot this crawl worked, summed over all workers, in
    the shape of ``crawler.reports.source_report``."""
    raw = redis.hgetall(keys.report(spider.name, spider.slot)) if spider.slot is not None else {}
    counts = {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}
    errors = {
        k.removeprefix("errors:"): int(v) for k, v in counts.items() if k.startswith("errors:")
    }
    errors = {k: n for k, n in errors.items() if n}
    pages = int(counts.get("pages_saved", 0))
    if int(counts.get("start_ok", 0)) == 0:
        status = "skipped" if errors.get("robots_unavailable") else "failed"
    else:
        status = "ok" if pages else "empty"
    finished = datetime.now(UTC)
    return {
        "status": status,
        "started_at": to_utc_iso(spider.started_at),
        "finished_at": to_utc_iso(finished),
        "duration_s": round((finished - spider.started_at).total_seconds(), 3),
        "requests": int(counts.get("requests", 0)),
        "pages_saved": pages,
        "pages_unchanged": 0,
        "listings_read": int(counts.get("listings_read", 0)),
        "not_modified": 0,
        "known_skipped": int(counts.get("known_skipped", 0)),
        "errors": errors,
        "first_error": counts.get("first_error"),
    }


def _record(cfg: Config, run_id: int | None, reports: dict[str, dict[str, Any]]) -> None:
    db = store.open_db(cfg.db_path)
    own_run = run_id is None
    run_id = run_id or store.start_run(db, "crawl")
    for name, report in reports.items():
        store.record_source_run(db, run_id, name, report)
    if own_run:
        failed = sum(r["status"] in ("failed", "skipped") for r in reports.values())
        store.finish_run(db, run_id, "failed" if failed == len(reports) else "ok")
    db.close()
