"""`newsdesk browse`: Datasette over the store, read-only, with metadata and canned queries.

Datasette is an optional extra (``pip install 'newsdesk[browse]'``) and runs as a
subprocess in the foreground. The store is passed as a plain (mutable) database, never
with ``--immutable``, because the service keeps writing it: Datasette then reads it
through ``file:...?mode=ro`` connections, sees new rows at once, and could only write
through a writable canned query or a plugin: newsdesk defines no writable query, asks
Datasette to load no plugin (``DATASETTE_LOAD_PLUGINS=""``, which Datasette 0.65 ignores, so
installed plugins are named on stderr). Arbitrary SQL stays available, but Datasette accepts
only SELECT statements and runs them on those read-only connections. docs/browse.md
describes the queries.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from digest.config import Config
from digest.render import write_atomic

HOST = "127.0.0.1"
METADATA_NAME = "datasette-metadata.json"
INSTALL_HINT = "Datasette is not installed: pip install -e '.[browse]' in newsdesk's folder"
SQL_TIME_LIMIT_MS = 3000
STOP_GRACE_S = 5.0
ISO_UTC = "%Y-%m-%dT%H:%M:%S+00:00"  # the store's timestamp format (digest.clock.utc_now)

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "articles": (
        "One row per article, keyed by its canonical URL. Full-text search covers title, "
        "summary and text (articles_fts).",
        {
            "id": "Row id; story_id of other articles points at the lead article's id.",
            "url": "Canonical URL: the article's identity.",
            "page_url": "URL of the fetched page it was extracted from (see pages).",
            "source": "Configured source name (see sources).",
            "title": "Headline, without the site's suffix.",
            "standfirst": "Sub-heading or dek, when the page has one.",
            "author": "Authors and credit together, for display.",
            "authors": "JSON list of the people who wrote it.",
            "credit": "Desk or agency credited (e.g. Reuters, Monitoring Desk).",
            "published_at": "Publication time in UTC.",
            "published_local": "Publication time as the page states it, with its own UTC offset.",
            "modified_at": "Last modification time in UTC, as the page states it.",
            "language": "Language code detected or declared.",
            "site_name": "The site's own name.",
            "image_url": "Top image.",
            "tags": "JSON list of the page's tags.",
            "categories": "JSON list of the page's categories.",
            "summary": "The lead, then sentences valued by position and sumy's TextRank score.",
            "text": "Body text, one paragraph per line, page furniture removed.",
            "text_sha256": "Hash of text, to notice changed articles.",
            "first_seen_at": "When newsdesk first saw it (UTC); decides its digest day.",
            "updated_at": "When the row was last written (UTC).",
            "story_id": "Lead article id of its story group (near-duplicates across sites).",
        },
    ),
    "pages": (
        "One row per fetched URL, with its raw HTML and what processing made of it.",
        {
            "url": "Requested URL (cleaned of tracking parameters).",
            "source": "Configured source name.",
            "final_url": "URL after redirects.",
            "http_status": "HTTP status of the last fetch.",
            "content_type": "Content-Type of the last fetch.",
            "first_seen_at": "First fetch (UTC).",
            "fetched_at": "Last fetch (UTC).",
            "html_zlib": "Decoded page text, zlib-compressed; dropped after keep_pages_days.",
            "html_sha256": "Hash of the page text.",
            "state": "pending, article, not_article, failed or quarantined.",
            "state_reason": "Why it is not an article, or the extraction error.",
            "processed_at": "Last extraction attempt (UTC).",
            "attempts": "Failed extraction attempts; quarantined after 3.",
        },
    ),
    "aliases": (
        "Other URLs under which an article was fetched.",
        {
            "url": "The other URL.",
            "article_url": "Canonical URL of the article (articles.url).",
            "source": "Configured source name.",
            "first_seen_at": "When the alias was first seen (UTC).",
        },
    ),
    "runs": (
        "One row per crawl, process, digest or maintenance run.",
        {
            "id": "Run id (crawl_sources.run_id).",
            "kind": "crawl, process, digest or maintenance.",
            "started_at": "Start (UTC).",
            "finished_at": "End (UTC); empty while running.",
            "status": "running, ok, partial, failed, timeout or interrupted.",
            "detail": "JSON details recorded by the run.",
        },
    ),
    "crawl_sources": (
        "One row per source in each crawl run.",
        {
            "run_id": "The crawl run (runs.id).",
            "source": "Configured source name.",
            "status": "ok, empty (nothing new), failed or skipped (robots.txt unavailable).",
            "started_at": "Start of this source's crawl (UTC).",
            "finished_at": "End of this source's crawl (UTC).",
            "duration_s": "Seconds spent.",
            "requests": "HTTP requests made.",
            "pages_saved": "New or changed pages stored.",
            "pages_unchanged": "Pages fetched again with unchanged text.",
            "listings_read": "Listing pages (sections, feeds, sitemaps) read.",
            "not_modified": "Listings answered 304 Not Modified.",
            "known_skipped": "Links skipped because the store already knew them.",
            "errors": "JSON: error kind -> count (timeout, http_4xx, http_5xx, ...).",
            "first_error": "The first error, verbatim.",
        },
    ),
    "digests": (
        "One row per digest day (the local day in the configured time zone).",
        {
            "day": "Local calendar day, YYYY-MM-DD.",
            "generated_at": "When the digest was written (UTC).",
            "article_count": "Stories in it.",
            "markdown_path": "The Markdown file.",
            "html_path": "The HTML file.",
            "notified_at": "When it was delivered (UTC); empty if not (yet).",
            "notify_error": "Why delivery failed.",
            "status": "writing, done or failed.",
            "final": "1: written after the day ended; 0: provisional (the day so far).",
            "articles_seen": "Articles first seen on the day when it was written.",
            "claimed_at": "When a writer claimed the day (UTC).",
            "claimed_by": "PID of the claiming process.",
            "claimed_host": "Host of the claiming process.",
            "lease_until": "The claim binds until then (UTC), while its writer lives.",
        },
    ),
    "sources": (
        "The configured sources, as last synced from newsdesk.toml.",
        {
            "name": "Source name, as in [[sources]].",
            "homepage": "The site's front page.",
            "added_at": "First synced (UTC).",
            "updated_at": "Last synced (UTC).",
        },
    ),
    "article_topics": (
        "Which watch topics ([[topics]]) each article matches.",
        {"article_id": "The article (articles.id).", "topic": "Topic name."},
    ),
    "stories": (
        "View: story groups, the same story reported by one or more sources.",
        {
            "id": "Lead article id (articles.story_id).",
            "title": "The lead article's title.",
            "articles": "Articles in the group.",
            "sources": "Distinct sources that reported it.",
            "source_names": "Those sources, comma-separated.",
            "first_seen_at": "When newsdesk first saw the story (UTC).",
        },
    ),
}

TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "articles": {"sort_desc": "first_seen_at", "facets": ["source"], "label_column": "title"},
    "pages": {"sort_desc": "fetched_at", "facets": ["state", "source"]},
    "runs": {"sort_desc": "id", "facets": ["kind", "status"]},
    "crawl_sources": {"sort_desc": "run_id", "facets": ["status", "source"]},
    "digests": {"sort_desc": "day"},
}


def datasette_available() -> bool:
    """Whether the optional Datasette extra is installed."""
    return importlib.util.find_spec("datasette") is not None


def utc_offset_minutes(cfg: Config, now: datetime | None = None) -> int:
    """The configured zone's offset from UTC, in minutes, at ``now``."""
    offset = (now or datetime.now(cfg.tz)).astimezone(cfg.tz).utcoffset()
    return int(offset.total_seconds()) // 60 if offset else 0


def offset_label(offset: int) -> str:
    """An offset in minutes as ±HH:MM."""
    hours, minutes = divmod(abs(offset), 60)
    return f"{'-' if offset < 0 else '+'}{hours:02d}:{minutes:02d}"


def _minutes(n: int) -> str:
    return f"'{n:+d} minutes'"


def todays_digest_sql(offset: int) -> str:
    """Articles first seen on the local day ``:day`` (default: today in the zone)."""
    to_utc = _minutes(-offset)
    return f"""with day as (
  select coalesce(nullif(trim(:day), ''), date('now', {_minutes(offset)})) as local
)
select a.source, a.title, a.author,
  strftime('%H:%M', a.first_seen_at, {_minutes(offset)}) as seen_local,
  a.published_at, a.summary, a.url, a.story_id,
  (select group_concat(t.topic, ', ') from article_topics as t where t.article_id = a.id)
    as topics
from articles as a, day
where a.first_seen_at >= strftime('{ISO_UTC}', day.local, {to_utc})
  and a.first_seen_at < strftime('{ISO_UTC}', day.local, '+1 day', {to_utc})
order by a.source, coalesce(a.published_at, a.first_seen_at), a.id"""


SEARCH_SQL = """select articles.id, articles.source, articles.title, articles.first_seen_at,
  snippet(articles_fts, -1, '[', ']', ' … ', 12) as snippet, articles.url
from articles_fts join articles on articles.rowid = articles_fts.rowid
where trim(:q) != '' and articles_fts match :q
order by bm25(articles_fts)
limit 50"""

ARTICLES_BY_SOURCE_SQL = """select id, title, author, published_at, first_seen_at, summary, url
from articles
where source = :source
order by coalesce(published_at, first_seen_at) desc, id desc
limit 200"""

STORY_GROUPS_SQL = """select s.id as story_id, s.title, s.sources, s.articles, s.source_names,
  s.first_seen_at,
  (select group_concat(a.source || ': ' || a.title, char(10))
     from articles as a where a.story_id = s.id) as headlines
from stories as s
order by s.sources > 1 desc, s.first_seen_at desc, s.id desc
limit 200"""

FAILING_SOURCES_SQL = f"""with since as (
  select strftime('{ISO_UTC}', 'now',
    '-' || coalesce(cast(nullif(trim(:hours), '') as integer), 24) || ' hours') as t
),
latest as (
  select c.* from crawl_sources as c
  where c.run_id = (select max(run_id) from crawl_sources where source = c.source)
),
report as (
  select l.source, l.status as last_status, l.started_at as last_crawl,
    (select max(started_at) from crawl_sources as c
      where c.source = l.source and c.status in ('ok', 'empty')) as last_success,
    (select count(*) from crawl_sources as c, since
      where c.source = l.source and c.started_at >= since.t) as recent_crawls,
    (select count(*) from crawl_sources as c, since
      where c.source = l.source and c.started_at >= since.t
        and c.status in ('failed', 'skipped')) as recent_failures,
    (select count(*) from articles as a, since
      where a.source = l.source and a.first_seen_at >= since.t) as recent_articles,
    coalesce(l.first_error, (select c.first_error from crawl_sources as c
      where c.source = l.source and c.first_error is not null
      order by c.run_id desc limit 1)) as first_error,
    l.errors
  from latest as l
)
select * from report
where last_status in ('failed', 'skipped') or (recent_crawls > 0 and recent_articles = 0)
order by last_status in ('failed', 'skipped') desc, source"""


def canned_queries(cfg: Config) -> dict[str, dict[str, Any]]:
    """The read-only canned queries, by name."""
    offset = utc_offset_minutes(cfg)
    return {
        "todays_digest": {
            "title": "Today's digest",
            "description": (
                f"Articles first seen on a local calendar day in {cfg.timezone} "
                f"(UTC{offset_label(offset)} when browse started), as in "
                "the digest. day: YYYY-MM-DD, empty for today."
            ),
            "sql": todays_digest_sql(offset),
            "params": ["day"],
        },
        "search": {
            "title": "Search",
            "description": 'Full-text search, best match first. FTS5 syntax: "a phrase", '
            "prefix*, a AND b.",
            "sql": SEARCH_SQL,
            "params": ["q"],
        },
        "articles_by_source": {
            "title": "Articles by source",
            "description": "The newest 200 articles of one source (see the sources table).",
            "sql": ARTICLES_BY_SOURCE_SQL,
            "params": ["source"],
        },
        "story_groups": {
            "title": "Story groups",
            "description": "Stories reported by several sources first, then newest first.",
            "sql": STORY_GROUPS_SQL,
        },
        "failing_sources": {
            "title": "Failing sources",
            "description": (
                "Sources whose latest crawl failed or was skipped, or that were crawled in "
                "the last `hours` (default 24) without a new article."
            ),
            "sql": FAILING_SOURCES_SQL,
            "params": ["hours"],
        },
    }


def _table_metadata(name: str) -> dict[str, Any]:
    description, columns = TABLES[name]
    return {"description": description, "columns": columns, **TABLE_OPTIONS.get(name, {})}


def metadata(cfg: Config) -> dict[str, Any]:
    """Datasette metadata: titles, table and column descriptions, canned queries."""
    database = {
        "description": f"The newsdesk store ({cfg.db_path.name}), opened read-only.",
        "tables": {name: _table_metadata(name) for name in TABLES},
        "queries": canned_queries(cfg),
    }
    return {
        "title": "newsdesk",
        "description": "Business-news articles collected, cleaned and summarised by newsdesk.",
        "databases": {cfg.db_path.stem: database},
    }


def write_metadata(cfg: Config) -> Path:
    """Write the metadata JSON next to the store (atomically) and return its path."""
    path = cfg.data_dir / METADATA_NAME
    write_atomic(path, json.dumps(metadata(cfg), indent=2, ensure_ascii=False) + "\n")
    return path


def datasette_command(cfg: Config, *, port: int = 8001, metadata_path: Path) -> list[str]:
    """The argv that serves the store read-only on 127.0.0.1 (mode=ro, not immutable)."""
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(cfg.db_path),
        "--host",
        HOST,
        "--port",
        str(port),
        "--metadata",
        str(metadata_path),
        "--setting",
        "sql_time_limit_ms",
        str(SQL_TIME_LIMIT_MS),
        "--setting",
        "allow_download",
        "off",
    ]


def datasette_env() -> dict[str, str]:
    """The environment for Datasette: no third-party plugins (Datasette 0.65 ignores it)."""
    return {**os.environ, "DATASETTE_LOAD_PLUGINS": ""}


def installed_plugins() -> list[str]:
    """Third-party Datasette plugins installed in this environment."""
    return sorted({ep.name for ep in importlib.metadata.entry_points(group="datasette")})


def browse_url(cfg: Config, port: int) -> str:
    return f"http://{HOST}:{port}/{cfg.db_path.stem}"


def browse(cfg: Config, *, port: int = 8001) -> int:
    """Serve the store with Datasette until Ctrl-C; returns Datasette's exit code."""
    if not datasette_available():
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    if not cfg.db_path.exists():  # the same words and exit status (2) as the other readers
        print(
            f"newsdesk: {cfg.db_path}: no store yet (run `newsdesk crawl` and `newsdesk process`)",
            file=sys.stderr,
        )
        return 2
    argv = datasette_command(cfg, port=port, metadata_path=write_metadata(cfg))
    _warn_about_plugins()
    print(f"newsdesk: browsing {cfg.db_path} read-only at {browse_url(cfg, port)}", flush=True)
    print("newsdesk: Ctrl-C stops it", flush=True)
    return _run(argv)


def _warn_about_plugins() -> None:
    plugins = installed_plugins()
    if plugins:
        print(
            f"newsdesk: Datasette plugins installed ({', '.join(plugins)}); Datasette "
            "before 1.0 loads them all, so make sure none of them writes to databases",
            file=sys.stderr,
        )


def _run(argv: list[str]) -> int:
    """Datasette until it exits. Ctrl-C or SIGTERM is how a foreground server is stopped:
    Datasette is ended with this process, never left holding the port, and it is exit 0."""
    process = subprocess.Popen(argv, env=datasette_env())
    try:
        return process.wait()
    except KeyboardInterrupt as stop:
        return _stop(process, at_once=getattr(stop, "signum", signal.SIGINT) != signal.SIGINT)


def _stop(process: subprocess.Popen[bytes], *, at_once: bool) -> int:
    """After Ctrl-C (which Datasette, in the same process group, received too) wait for it
    a moment; after SIGTERM (which only newsdesk received) end it at once."""
    try:
        if at_once:
            process.terminate()
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return 0
