"""All SQL lives here: the schema (as sqlite-utils migrations) and every read and write.

One writer at a time: WAL mode, a busy timeout, and write transactions opened with
``BEGIN IMMEDIATE`` so a writer queues for the lock up front instead of failing half-way.
Readers open the file read-only (``open_readonly``) and never block the writer.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from digest.urls import clean_url

BUSY_TIMEOUT_MS = 10_000
MAX_ATTEMPTS = 3  # extractions that fail or time out before a page is quarantined

migrations = Migrations("newsdesk")


@migrations()
def m001_initial(db: Database) -> None:
    db["pages"].create(
        {
            "url": str,
            "source": str,
            "final_url": str,
            "http_status": int,
            "content_type": str,
            "first_seen_at": str,
            "fetched_at": str,
            "html_zlib": bytes,
            "html_sha256": str,
            "state": str,
            "state_reason": str,
            "processed_at": str,
        },
        pk="url",
        not_null={"source", "first_seen_at", "fetched_at", "state"},
        defaults={"state": "pending"},
    )
    db["pages"].create_index(["state"])
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "page_url": str,
            "source": str,
            "title": str,
            "author": str,
            "published_at": str,
            "language": str,
            "site_name": str,
            "summary": str,
            "text": str,
            "text_sha256": str,
            "first_seen_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"url", "source", "title", "text", "first_seen_at"},
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["first_seen_at"])
    db["articles"].create_index(["source", "first_seen_at"])
    db["articles"].enable_fts(["title", "summary", "text"], create_triggers=True)
    db["runs"].create(
        {
            "id": int,
            "kind": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "detail": str,
        },
        pk="id",
        not_null={"kind", "started_at", "status"},
    )
    db["digests"].create(
        {
            "day": str,
            "generated_at": str,
            "article_count": int,
            "markdown_path": str,
            "html_path": str,
        },
        pk="day",
    )


@migrations()
def m002_aliases_and_source_runs(db: Database) -> None:
    db["aliases"].create(
        {"url": str, "article_url": str, "source": str, "first_seen_at": str},
        pk="url",
        not_null={"article_url", "source", "first_seen_at"},
    )
    db["aliases"].create_index(["article_url"])
    db["crawl_sources"].create(
        {
            "run_id": int,
            "source": str,
            "status": str,
            "started_at": str,
            "finished_at": str,
            "duration_s": float,
            "requests": int,
            "pages_saved": int,
            "pages_unchanged": int,
            "listings_read": int,
            "not_modified": int,
            "known_skipped": int,
            "errors": str,
            "first_error": str,
        },
        pk=("run_id", "source"),
        not_null={"status"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["crawl_sources"].create_index(["source", "run_id"])


@migrations()
def m003_article_metadata_and_attempts(db: Database) -> None:
    articles = db["articles"]
    for column, kind in (
        ("standfirst", str),
        ("authors", str),
        ("credit", str),
        ("modified_at", str),
        ("image_url", str),
        ("tags", str),
        ("categories", str),
    ):
        articles.add_column(column, kind)
    db["pages"].add_column("attempts", int, not_null_default=0)


@migrations()
def m004_digest_delivery(db: Database) -> None:
    db["digests"].add_column("notified_at", str)
    db["digests"].add_column("notify_error", str)


@migrations()
def m005_digest_claims(db: Database) -> None:
    digests = db["digests"]
    digests.add_column("status", str)
    digests.add_column("claimed_at", str)
    digests.add_column("claimed_by", int)
    db.execute("UPDATE digests SET status = 'done'")


@migrations()
def m006_sources_stories_topics(db: Database) -> None:
    db["sources"].create(
        {"name": str, "homepage": str, "added_at": str, "updated_at": str}, pk="name"
    )
    db["articles"].add_column("story_id", int)
    db["articles"].create_index(["story_id"])
    db["articles"].create_index(["published_at"])
    db["article_topics"].create(
        {"article_id": int, "topic": str},
        pk=("article_id", "topic"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_topics"].create_index(["topic", "article_id"])
    db.create_view("stories", STORIES_VIEW)


STORIES_VIEW = """SELECT a.story_id AS id,
       (SELECT title FROM articles AS lead WHERE lead.id = a.story_id) AS title,
       count(*) AS articles, count(DISTINCT a.source) AS sources,
       group_concat(DISTINCT a.source) AS source_names,
       min(a.first_seen_at) AS first_seen_at
  FROM articles AS a WHERE a.story_id IS NOT NULL GROUP BY a.story_id"""


def utcnow() -> str:
    """Now as a UTC ISO 8601 string, the one time format of the store."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect(db: Database) -> Database:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def open_db(path: Path) -> Database:
    """Open (creating if needed) the store for writing, upgraded to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _connect(Database(path))
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    migrations.apply(db)
    return db


def open_readonly(path: Path) -> Database:
    """Open the store read-only, for searches and reports that must never block a writer."""
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no store yet (run `newsdesk crawl` and `newsdesk process`)"
        )
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    return _connect(Database(conn))


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, taking the write lock up front (BEGIN IMMEDIATE)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


# --- pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchedPage:
    url: str
    source: str
    final_url: str
    http_status: int
    content_type: str
    html: str
    fetched_at: str
    not_article: str | None = None  # why the crawler saw it is a listing, not an article


@dataclass(frozen=True)
class StoredPage:
    url: str
    source: str
    first_seen_at: str
    html: str


def save_pages(db: Database, pages: Iterable[FetchedPage]) -> tuple[int, int]:
    """Store fetched pages in one transaction; return (new or changed, unchanged).

    A page whose text hash is unchanged keeps its processing state; a changed one is
    queued for processing again.
    """
    changed = unchanged = 0
    with write(db):
        for page in pages:
            digest = hashlib.sha256(page.html.encode("utf-8")).hexdigest()
            row = db.execute("SELECT html_sha256 FROM pages WHERE url = ?", [page.url]).fetchone()
            if row and row[0] == digest:
                db.execute(
                    "UPDATE pages SET fetched_at = ?, http_status = ? WHERE url = ?",
                    [page.fetched_at, page.http_status, page.url],
                )
                unchanged += 1
                continue
            state = "pending" if page.not_article is None else "not_article"
            db.execute(
                """INSERT INTO pages (url, source, final_url, http_status, content_type,
                       first_seen_at, fetched_at, html_zlib, html_sha256, state, state_reason)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET
                       final_url = excluded.final_url, http_status = excluded.http_status,
                       content_type = excluded.content_type, fetched_at = excluded.fetched_at,
                       html_zlib = excluded.html_zlib, html_sha256 = excluded.html_sha256,
                       state = excluded.state, state_reason = excluded.state_reason,
                       attempts = 0""",
                [
                    page.url,
                    page.source,
                    page.final_url,
                    page.http_status,
                    page.content_type,
                    page.fetched_at,
                    page.fetched_at,
                    zlib.compress(page.html.encode("utf-8"), 6),
                    digest,
                    state,
                    page.not_article,
                ],
            )
            changed += 1
    return changed, unchanged


def known_page(db: Database, url: str) -> bool:
    """Whether this URL is a known article page: fetched before (and not found to be a
    listing), an article's identity, or one of its aliases."""
    sql = (
        "SELECT 1 FROM pages WHERE url = ? AND state != 'not_article' "
        "UNION ALL SELECT 1 FROM articles WHERE url = ? "
        "UNION ALL SELECT 1 FROM aliases WHERE url = ? LIMIT 1"
    )
    return db.execute(sql, [url, url, url]).fetchone() is not None


def known_listing(db: Database, url: str) -> bool:
    """Whether this URL was fetched before and found not to be an article."""
    sql = "SELECT 1 FROM pages WHERE url = ? AND state = 'not_article'"
    return db.execute(sql, [url]).fetchone() is not None


def pages_to_process(
    db: Database, *, reprocess: bool = False, source: str | None = None
) -> list[str]:
    """URLs of the pages waiting for extraction: new or changed ones, and failed ones not
    yet quarantined; every stored page with ``reprocess``."""
    waiting = f"(state = 'pending' OR (state = 'failed' AND attempts < {MAX_ATTEMPTS}))"
    where, params = ("html_zlib IS NOT NULL", []) if reprocess else (waiting, [])
    if source:
        where += " AND source = ?"
        params.append(source)
    sql = f"SELECT url FROM pages WHERE {where} ORDER BY first_seen_at, url"
    return [row[0] for row in db.execute(sql, params).fetchall()]


def load_page(db: Database, url: str) -> StoredPage:
    row = db.execute(
        "SELECT url, source, first_seen_at, html_zlib FROM pages WHERE url = ?", [url]
    ).fetchone()
    return StoredPage(row[0], row[1], row[2], zlib.decompress(row[3]).decode("utf-8"))


def mark_page(db: Database, url: str, state: str, reason: str | None = None) -> None:
    """Record what processing made of a page: 'article', 'not_article' or 'failed'."""
    with write(db):
        db.execute(
            "UPDATE pages SET state = ?, state_reason = ?, processed_at = ? WHERE url = ?",
            [state, reason, utcnow(), url],
        )


def record_failure(db: Database, url: str, error: str) -> str:
    """Count a failed extraction; the page is quarantined after MAX_ATTEMPTS. Returns the
    page's new state."""
    with write(db):
        db.execute(
            f"""UPDATE pages SET attempts = attempts + 1, state_reason = ?, processed_at = ?,
                   state = CASE WHEN attempts + 1 >= {MAX_ATTEMPTS} THEN 'quarantined'
                                ELSE 'failed' END
                WHERE url = ?""",
            [error, utcnow(), url],
        )
        return str(db.execute("SELECT state FROM pages WHERE url = ?", [url]).fetchone()[0])


def page_states(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT state, count(*) FROM pages GROUP BY state").fetchall()
    return {state: count for state, count in rows}


# --- articles ----------------------------------------------------------------------------

ARTICLE_FIELDS = (
    "url",
    "page_url",
    "source",
    "title",
    "standfirst",
    "author",
    "authors",
    "credit",
    "published_at",
    "modified_at",
    "language",
    "site_name",
    "image_url",
    "tags",
    "categories",
    "summary",
    "text",
)
JSON_FIELDS = ("authors", "tags", "categories")


def save_article(
    db: Database, article: dict[str, Any], *, page_url: str, first_seen_at: str
) -> None:
    """Insert or update one article, identified by its canonical URL, and mark its page.

    An upsert (not INSERT OR REPLACE) keeps the row id, so the FTS triggers stay in step.
    """
    row = {name: article.get(name) for name in ARTICLE_FIELDS}
    for name in JSON_FIELDS:
        row[name] = json.dumps(list(row[name] or []), ensure_ascii=False)
    row.update(
        page_url=page_url,
        first_seen_at=first_seen_at,
        updated_at=utcnow(),
        text_sha256=hashlib.sha256(article["text"].encode("utf-8")).hexdigest(),
    )
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in ("url", "first_seen_at"))
    with write(db):
        db.execute(
            f"""INSERT INTO articles ({columns}) VALUES ({", ".join("?" for _ in row)})
                ON CONFLICT(url) DO UPDATE SET {updates},
                    first_seen_at = min(articles.first_seen_at, excluded.first_seen_at)""",
            list(row.values()),
        )
        db.execute(
            "UPDATE pages SET state = 'article', state_reason = NULL, processed_at = ? "
            "WHERE url = ?",
            [utcnow(), page_url],
        )
        if page_url != row["url"]:
            db.execute(
                """INSERT INTO aliases (url, article_url, source, first_seen_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET article_url = excluded.article_url""",
                [page_url, row["url"], row["source"], first_seen_at],
            )


def count_articles(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def articles_seen_between(db: Database, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
    """Articles first seen in [start, end), oldest first, as plain dicts."""
    cursor = db.execute(
        """SELECT id, url, source, title, author, published_at, site_name, summary, text,
                  first_seen_at
           FROM articles WHERE first_seen_at >= ? AND first_seen_at < ?
           ORDER BY source, coalesce(published_at, first_seen_at), id""",
        [start_utc, end_utc],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def search(db: Database, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over title, summary and text, best match first (bm25)."""
    return find_articles(db, ArticleQuery(text=query, limit=limit))


WHEN = "coalesce(articles.published_at, articles.first_seen_at)"
ARTICLE_COLUMNS = (
    "id",
    "url",
    "source",
    "title",
    "author",
    "published_at",
    "first_seen_at",
    "summary",
    "story_id",
)


@dataclass(frozen=True)
class ArticleQuery:
    """Filters shared by search, listing and export. Times are UTC ISO strings."""

    text: str | None = None  # an FTS5 query
    since: str | None = None
    until: str | None = None
    source: str | None = None
    topic: str | None = None
    limit: int | None = 20


def find_articles(
    db: Database, query: ArticleQuery, *, with_text: bool = False
) -> list[dict[str, Any]]:
    """Articles matching ``query``: by relevance (bm25) with a highlighted snippet when
    there is a text query, else newest first."""
    columns = [f"articles.{c}" for c in ARTICLE_COLUMNS]
    columns += ["articles.text"] if with_text else []
    where, params = _filters(query)
    if query.text:
        columns.append("snippet(articles_fts, 2, '[', ']', ' … ', 12) AS snippet")
        sql = (
            f"SELECT {', '.join(columns)} FROM articles_fts "
            "JOIN articles ON articles.rowid = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND {where} ORDER BY bm25(articles_fts)"
        )
        params = [query.text, *params]
    else:
        sql = (
            f"SELECT {', '.join(columns)} FROM articles WHERE {where} "
            f"ORDER BY {WHEN} DESC, articles.id DESC"
        )
    if query.limit:
        sql += f" LIMIT {int(query.limit)}"
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _filters(query: ArticleQuery) -> tuple[str, list[Any]]:
    clauses, params = ["1"], []
    when = WHEN
    if query.since:
        clauses.append(f"{when} >= ?")
        params.append(query.since)
    if query.until:
        clauses.append(f"{when} < ?")
        params.append(query.until)
    if query.source:
        clauses.append("articles.source = ?")
        params.append(query.source)
    if query.topic:
        clauses.append("articles.id IN (SELECT article_id FROM article_topics WHERE topic = ?)")
        params.append(query.topic)
    return " AND ".join(clauses), params


def get_article(db: Database, key: str) -> dict[str, Any] | None:
    """One article by id, canonical URL or alias URL (as given or cleaned of tracking
    parameters and fragment), with its aliases and topics."""
    urls = [key, clean_url(key)] if "://" in key else [key, key]
    cursor = db.execute(
        """SELECT * FROM articles WHERE id = ? OR url IN (?, ?)
           OR url IN (SELECT article_url FROM aliases WHERE url IN (?, ?))""",
        [int(key) if key.isdigit() else -1, *urls, *urls],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    article = dict(zip([d[0] for d in cursor.description], row, strict=True))
    article["aliases"] = [
        r[0]
        for r in db.execute(
            "SELECT url FROM aliases WHERE article_url = ? ORDER BY url", [article["url"]]
        )
    ]
    article["topics"] = [
        r[0]
        for r in db.execute(
            "SELECT topic FROM article_topics WHERE article_id = ? ORDER BY topic", [article["id"]]
        )
    ]
    for name in JSON_FIELDS:
        article[name] = json.loads(article[name] or "[]")
    return article


def set_topics(db: Database, url: str, topics: Iterable[str]) -> None:
    """The watch topics an article matches (replacing what it matched before)."""
    with write(db):
        article_id = db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()[0]
        db.execute("DELETE FROM article_topics WHERE article_id = ?", [article_id])
        db.conn.executemany(
            "INSERT INTO article_topics (article_id, topic) VALUES (?, ?)",
            [(article_id, topic) for topic in topics],
        )


def set_stories(db: Database, groups: Iterable[list[int]]) -> None:
    """Record story groups: each article's ``story_id`` is its group's lead article id
    (the first id of the list)."""
    with write(db):
        for ids in groups:
            db.conn.executemany(
                "UPDATE articles SET story_id = ? WHERE id = ?", [(ids[0], i) for i in ids]
            )


def sync_sources(db: Database, sources: Iterable[tuple[str, str]]) -> None:
    """The configured sources (name, homepage), for queries that join on them."""
    now = utcnow()
    with write(db):
        for name, homepage in sources:
            db.execute(
                """INSERT INTO sources (name, homepage, added_at, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET homepage = excluded.homepage,
                       updated_at = excluded.updated_at""",
                [name, homepage, now, now],
            )


# --- runs and digests --------------------------------------------------------------------


def start_run(db: Database, kind: str) -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO runs (kind, started_at, status) VALUES (?, ?, 'running')",
            [kind, utcnow()],
        )
    return int(cursor.lastrowid or 0)


def finish_run(
    db: Database, run_id: int, status: str, detail: dict[str, Any] | None = None
) -> None:
    """Close a run with its status; ``detail`` is merged into what the run recorded so far."""
    with write(db):
        row = db.execute("SELECT detail FROM runs WHERE id = ?", [run_id]).fetchone()
        merged = {**json.loads(row[0] or "{}"), **(detail or {})} if row else dict(detail or {})
        db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, detail = ? WHERE id = ?",
            [utcnow(), status, json.dumps(merged, sort_keys=True), run_id],
        )


SOURCE_RUN_FIELDS = (
    "status",
    "started_at",
    "finished_at",
    "duration_s",
    "requests",
    "pages_saved",
    "pages_unchanged",
    "listings_read",
    "not_modified",
    "known_skipped",
    "errors",
    "first_error",
)


def record_source_run(db: Database, run_id: int, source: str, report: dict[str, Any]) -> None:
    """One source's outcome in one crawl run (``errors`` is a dict of kind -> count)."""
    row = {name: report.get(name) for name in SOURCE_RUN_FIELDS}
    row["errors"] = json.dumps(report.get("errors") or {}, sort_keys=True)
    with write(db):
        db.execute(
            f"""INSERT OR IGNORE INTO crawl_sources (run_id, source, {", ".join(row)})
                VALUES (?, ?, {", ".join("?" for _ in row)})""",
            [run_id, source, *row.values()],
        )


def last_source_runs(db: Database) -> list[dict[str, Any]]:
    """The latest crawl of each source, by source name."""
    latest = "run_id = (SELECT max(run_id) FROM crawl_sources WHERE source = c.source)"
    return _source_runs(db, latest, [])


def source_runs(db: Database, run_id: int) -> list[dict[str, Any]]:
    """Each source's outcome in one crawl run."""
    return _source_runs(db, "run_id = ?", [run_id])


def source_runs_between(db: Database, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
    """Every source outcome of the crawls that started in [start, end)."""
    return _source_runs(db, "started_at >= ? AND started_at < ?", [start_utc, end_utc])


def _source_runs(db: Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    sql = f"SELECT * FROM crawl_sources AS c WHERE {where} ORDER BY source, run_id"
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["errors"] = json.loads(row["errors"] or "{}")
    return rows


def last_runs(db: Database) -> dict[str, dict[str, Any]]:
    """The latest run of each kind (crawl, process, digest, maintenance)."""
    cursor = db.execute("SELECT kind, max(id) FROM runs GROUP BY kind")
    return {kind: get_run(db, run_id) for kind, run_id in cursor.fetchall()}


def first_run_started(db: Database) -> str | None:
    """When the store's history begins: the start of its first run, or None."""
    return db.execute("SELECT min(started_at) FROM runs").fetchone()[0]


def last_crawl_started(db: Database, source: str | None = None) -> str | None:
    """When the last crawl (of ``source``, or of all sources) started, or None."""
    if source is None:
        row = db.execute("SELECT max(started_at) FROM runs WHERE kind = 'crawl'").fetchone()
    else:
        row = db.execute(
            "SELECT max(started_at) FROM crawl_sources WHERE source = ?", [source]
        ).fetchone()
    return row[0] if row else None


def source_health(db: Database, source: str, *, since: str) -> dict[str, Any]:
    """A source's record since a time: crawls, failures, last success, new articles."""
    crawls, failed, last_ok = db.execute(
        """SELECT count(*), sum(status IN ('failed', 'skipped')),
                  max(CASE WHEN status IN ('ok', 'empty') THEN started_at END)
           FROM crawl_sources WHERE source = ? AND started_at >= ?""",
        [source, since],
    ).fetchone()
    articles = db.execute(
        "SELECT count(*) FROM articles WHERE source = ? AND first_seen_at >= ?", [source, since]
    ).fetchone()[0]
    return {"crawls": crawls, "failed": failed or 0, "last_success": last_ok, "articles": articles}


def maintain(db: Database, *, drop_html_before: str) -> dict[str, int]:
    """Weekly upkeep: drop the raw HTML of old processed pages (their rows stay, so they
    are still known), let SQLite refresh its statistics, and truncate the WAL."""
    with write(db):
        dropped = db.execute(
            """UPDATE pages SET html_zlib = NULL WHERE fetched_at < ? AND html_zlib IS NOT NULL
               AND state IN ('article', 'not_article', 'quarantined')""",
            [drop_html_before],
        ).rowcount
    db.execute("PRAGMA optimize")
    busy, wal_pages, moved = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return {"html_dropped": dropped, "wal_pages": wal_pages, "checkpointed": moved, "busy": busy}


def get_run(db: Database, run_id: int) -> dict[str, Any]:
    cursor = db.execute("SELECT * FROM runs WHERE id = ?", [run_id])
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchone(), strict=True))
    row["detail"] = json.loads(row["detail"] or "{}")
    return row


def claim_digest(db: Database, day: str, *, pid: int) -> bool:
    """Claim the right to write day's digest; False if another writer holds the claim.

    A compare-and-set on the row: one attempt wins even when two run at once."""
    with write(db):
        cursor = db.execute(
            """INSERT INTO digests (day, status, claimed_at, claimed_by)
               VALUES (?, 'writing', ?, ?)
               ON CONFLICT(day) DO UPDATE SET status = 'writing',
                   claimed_at = excluded.claimed_at, claimed_by = excluded.claimed_by
               WHERE digests.status IS NOT 'writing'""",
            [day, utcnow(), pid],
        )
        return cursor.rowcount == 1


def release_digest(db: Database, day: str) -> None:
    """Give up a claim after a failed write, so the next attempt can take it."""
    with write(db):
        db.execute(
            "UPDATE digests SET status = 'failed' WHERE day = ? AND status = 'writing'", [day]
        )


def digest_days_done(db: Database, *, since: str) -> set[str]:
    rows = db.execute("SELECT day FROM digests WHERE status = 'done' AND day >= ?", [since])
    return {row[0] for row in rows.fetchall()}


def recover_after_crash(db: Database) -> tuple[int, int]:
    """For the one service that holds the data directory's lock: runs left 'running' and
    digest claims left 'writing' by a process that died are marked as interrupted/failed.
    Returns (runs, claims) recovered."""
    with write(db):
        runs = db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
            [utcnow()],
        ).rowcount
        claims = db.execute(
            "UPDATE digests SET status = 'failed' WHERE status = 'writing'"
        ).rowcount
    return runs, claims


def record_digest(db: Database, day: str, *, count: int, markdown: Path, html: Path) -> None:
    with write(db):
        db.execute(
            """INSERT INTO digests (day, generated_at, article_count, markdown_path, html_path)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(day) DO UPDATE SET generated_at = excluded.generated_at,
                   status = 'done',
                   notified_at = NULL, notify_error = NULL,
                   article_count = excluded.article_count,
                   markdown_path = excluded.markdown_path, html_path = excluded.html_path""",
            [day, utcnow(), count, str(markdown), str(html)],
        )


def undelivered_digests(db: Database, *, since: str) -> list[dict[str, Any]]:
    """Digests from ``since`` (a day) on that were not delivered, oldest first."""
    cursor = db.execute(
        "SELECT day, markdown_path FROM digests WHERE notified_at IS NULL AND day >= ? "
        "ORDER BY day",
        [since],
    )
    return [{"day": day, "markdown_path": path} for day, path in cursor.fetchall()]


def record_delivery(db: Database, day: str, *, error: str | None) -> None:
    """A delivery attempt: sent (``error`` None) or failed with its reason."""
    with write(db):
        db.execute(
            "UPDATE digests SET notified_at = ?, notify_error = ? WHERE day = ?",
            [None if error else utcnow(), error, day],
        )


def get_digest(db: Database, day: str) -> dict[str, Any] | None:
    cursor = db.execute("SELECT * FROM digests WHERE day = ?", [day])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None
