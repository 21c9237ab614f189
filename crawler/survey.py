"""``python -m crawler.survey``: the survey of one site for ``newsdesk sources add`` and
``sources check`` (crawler/spiders/survey.py), in its own process like every crawl.

Its records go to ``--out`` as JSON Lines; digest/survey.py reads them and decides.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.settings import apply_source_settings, crawl_settings
from crawler.spiders.survey import SurveySpider
from digest.config import ConfigError, Source, load_config

SURVEY_SECONDS = 300  # at the most; a site asking for long Crawl-delays gives a smaller sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.survey", description=__doc__)
    parser.add_argument("--config", help="config file (default: ./newsdesk.toml)")
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")
    parser.add_argument(
        "--budget", type=int, required=True, help="requests to send, robots.txt included"
    )
    parser.add_argument("--log-level", help="Scrapy log level (default WARNING)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--source", metavar="NAME", help="check this configured source")
    what.add_argument("--url", help="survey the site at this address (for sources add)")
    parser.add_argument("--name", default="new", help="the new source's name (with --url)")
    parser.add_argument(
        "--allow-private-address", action="store_true", help="(with --url) as the config key"
    )
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config)
        if args.source:
            source, mode = cfg.source(args.source), "check"
        else:
            source = Source(
                name=args.name, homepage=args.url, allow_private_address=args.allow_private_address
            )
            cfg, mode = replace(cfg, sources=(*cfg.sources, source)), "add"
    except ConfigError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    settings = crawl_settings(cfg, log_level=args.log_level)
    settings.setdict(
        {
            "HTTPCACHE_ENABLED": False,
            "ITEM_PIPELINES": {"crawler.pipelines.survey.WriteRecordsPipeline": 800},
            "EXTENSIONS": {},
            "NEWSDESK_SURVEY_OUT": str(args.out),
            "NEWSDESK_REQUEST_BUDGET": args.budget,
            "RETRY_ENABLED": False,  # a sample does without a page that failed once
            "REDIRECT_MAX_TIMES": 2,
            "CLOSESPIDER_TIMEOUT": SURVEY_SECONDS,  # a slow site: close with what was read
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SurveySpider)
    apply_source_settings(crawler.settings, source)
    process.crawl(crawler, source=source, mode=mode, budget=args.budget)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
