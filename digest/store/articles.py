"""Articles: saving them, full-text search and filtered listings, topics, stories, sources."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from digest.store.connection import utcnow, write
from digest.urls import clean_url

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
