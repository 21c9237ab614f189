"""Fetching and processing: crawl, process, and the cluster's worker and ingest."""

from __future__ import annotations

import logging
import signal
import threading

import click

from cli.app import common_options, config, fail, newsdesk, state
from cli.options import Number, redis_option
from cli.progress import Progress, counted
from digest import jobs, store
from digest.config import Config


@newsdesk.command()
@click.option("--source", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@click.option("--refresh", is_flag=True, help="Fetch known articles again.")
@click.option(
    "--backfill",
    type=Number(float, 0.01, 3650),
    metavar="DAYS",
    help="Also take sitemap entries up to DAYS old (default: sitemap_max_age_days).",
)
@click.option(
    "--process",
    is_flag=True,
    help="Extract and summarise pages while crawling (one worker per core), then any page "
    "left pending.",
)
@redis_option
@common_options
def crawl(
    source: tuple[str, ...],
    refresh: bool,
    backfill: float | None,
    process: bool,
    redis: str | None,
) -> int:
    """Fetch new article pages from the sources.

    Each crawl runs in its own process (python -m crawler); its progress shows on
    standard error."""
    cfg = config(writes=True, crawls=True, redis=redis)
    sources = [cfg.source(name).name for name in source] or None
    stop = state().request.event
    if cfg.cluster.redis_url:
        from crawler.__main__ import refused_with_redis

        if message := refused_with_redis(refresh=refresh, backfill=backfill, process=process):
            raise fail(message)
        return _cluster_crawl(cfg, sources, stop)
    left = None
    with Progress() as progress:
        run = jobs.run_crawl(
            cfg,
            sources=sources,
            refresh=refresh,
            backfill_days=backfill,
            process=process,
            stop=stop,
            progress=progress.crawl,
        )
        progress.crawled(run)  # each source's closing line
        click.echo(f"crawl {run['id']}: {run['status']}")
        if process and not stop.is_set():  # as the service does: then any page left pending
            left = jobs.run_process(cfg, progress=progress.pages, stop=stop)
    if left is not None and left.counts:
        click.echo("then " + counted(left.counts))
    return 0 if run["status"] in ("ok", "partial", "interrupted") else 1


def _cluster_crawl(cfg: Config, sources: list[str] | None, stop: threading.Event) -> int:
    """``newsdesk crawl`` through Redis: the crawl child coordinates the current slot and
    works it with the other workers; this process ingests the pages meanwhile, or stands
    by while a live ``newsdesk ingest`` does. Exit 0 only once every page is stored."""
    from digest.cluster import RedisUnavailable
    from digest.ingest import IngestFailed, crawl_with_ingest

    try:
        run, ingested = crawl_with_ingest(
            cfg, lambda: jobs.run_crawl(cfg, sources=sources, stop=stop)
        )
    except RedisUnavailable as exc:
        raise fail(str(exc)) from None
    except IngestFailed as exc:  # pages may be missing from the store: not an ok crawl
        click.echo(f"newsdesk: {exc}", err=True)
        db = store.open_db(cfg.db_path)
        store.finish_run(db, exc.result["id"], "failed", {"ingest_error": str(exc)})
        db.close()
        click.echo(f"crawl {exc.result['id']}: failed ({exc.summary})")
        return 1
    by = "stored by the running ingest writer"
    by = f"{ingested['saved']} new pages stored" if ingested is not None else by
    click.echo(f"crawl {run['id']}: {run['status']} ({by})")
    return 0 if run["status"] in ("ok", "partial") else 1


@newsdesk.command()
@click.option("--reprocess", is_flag=True, help="Rebuild every article from its page.")
@click.option("--source", metavar="NAME", help="Only this source's pages.")
@common_options
def process(reprocess: bool, source: str | None) -> int:
    """Extract and summarise the pages fetched so far."""
    cfg = config(writes=True)
    if source:
        cfg.source(source)
    with Progress() as progress:
        result = jobs.run_process(
            cfg,
            reprocess=reprocess,
            source=source,
            progress=progress.pages,
            stop=state().request.event,
        )
    click.echo(counted(result.counts) or "nothing to do")
    return 0


@newsdesk.command()
@redis_option
@click.option("--source", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@click.option("--log-level", help="Scrapy log level (default WARNING).")
@common_options
def worker(redis: str | None, source: tuple[str, ...], log_level: str | None) -> int:
    """A cluster crawler: works the Redis frontier until stopped."""
    cfg = config(crawls=True, redis=redis)
    if not cfg.cluster.redis_url:
        raise fail("worker needs --redis URL or [cluster] redis_url")
    sources = [cfg.source(n) for n in source] if source else list(cfg.sources)
    from crawler.cluster.run import run_cluster

    logging.getLogger().handlers.clear()  # Scrapy sets up this process's logging
    return run_cluster(
        cfg, sources, redis_url=cfg.cluster.redis_url, worker=True, log_level=log_level
    )


@newsdesk.command()
@redis_option
@click.option("--drain", is_flag=True, help="Exit once no page is waiting.")
@common_options
def ingest(redis: str | None, drain: bool) -> int:
    """The cluster's one writer: pages from Redis to the store."""
    cfg = config(writes=True, redis=redis)
    if not cfg.cluster.redis_url:
        raise fail("ingest needs --redis URL or [cluster] redis_url")
    from digest.cluster import RedisUnavailable
    from digest.config import redact
    from digest.ingest import IngestBusy, IngestWriter

    writer = IngestWriter(cfg, cfg.cluster.redis_url)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: writer.stop.set())
    try:
        writer.claim()
        click.echo(
            f"ingest writer {writer.ident}: pages from {redact(writer.url)} into {cfg.db_path}"
        )
        counts = writer.run(drain=drain)
    except RedisUnavailable as exc:
        raise fail(str(exc)) from None
    except IngestBusy as exc:
        raise fail(str(exc), 1) from None
    click.echo(
        f"ingested {counts['saved']} new or changed pages, {counts['unchanged']} unchanged, "
        f"{counts['rejected']} rejected"
    )
    return 0
