"""``python -m crawler``: one crawl of the configured sources, in its own process.

Twisted's reactor cannot be restarted, so the service starts this as a subprocess for
every crawl. All sources run side by side in one Scrapy process; a source that fails is
recorded in the run and the others go on.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawler.settings import crawl_settings
from crawler.spiders.news import NewsSpider
from digest import store
from digest.config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("--config", help="config file (default: ./newsdesk.toml)")
    parser.add_argument("--source", action="append", help="crawl only this source (repeatable)")
    parser.add_argument("--run-id", type=int, help="the runs row to report into")
    parser.add_argument("--refresh", action="store_true", help="fetch known articles again")
    parser.add_argument("--log-level", help="Scrapy log level (default WARNING)")
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

    db = store.open_db(cfg.db_path)
    run_id = args.run_id or store.start_run(db, "crawl")
    process = CrawlerProcess(crawl_settings(cfg, refresh=args.refresh, log_level=args.log_level))
    crawlers = {}
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, source=source)
        crawlers[source.name] = crawler
    process.start()

    report: dict[str, Any] = {name: c.spider.report() for name, c in crawlers.items() if c.spider}
    store.record_run_detail(db, run_id, {"sources": report})
    if not args.run_id:
        failed = sum(r["status"] == "failed" for r in report.values())
        store.finish_run(db, run_id, "failed" if failed == len(report) else "ok")
    for name, info in report.items():
        line = f"{name}: {info['status']}, {info['pages_saved']} new pages"
        line += f", {info['already_known']} already known"
        if info.get("error"):
            line += f" (first error: {info['error']})"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
