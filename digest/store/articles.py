"""Articles: saving them, full-text search and filtered listings, topics, stories, sources."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from digest.clock import utc_now
from digest.store.connection import write
from digest.text import clean_text
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
    "published_local",
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
KEY_FIELDS = ("url", "page_url")  # identities, as the crawl stored them


def save_article(
    db: Database, article: dict[str, Any], *, page_url: str, first_seen_at: str
) -> None:
    """Insert or update one article, identified by its canonical URL, and mark its page.

    An upsert (not INSERT OR REPLACE) keeps the row id, so the FTS triggers stay in step.
    Control characters are taken out of every text field (``digest.text.clean_text``):
    the store never holds them, whatever the page sent.
    """
    row = {name: _clean(name, article.get(name)) for name in ARTICLE_FIELDS}
    for name in JSON_FIELDS:
        row[name] = json.dumps(list(row[name] or []), ensure_ascii=False)
    row.update(
        page_url=page_url,
        first_seen_at=first_seen_at,
        updated_at=utc_now(),
        text_sha256=hashlib.sha256(row["text"].encode("utf-8")).hexdigest(),
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
            [utc_now(), page_url],
        )
        if page_url != row["url"]:
            db.execute(
                """INSERT INTO aliases (url, article_url, source, first_seen_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET article_url = excluded.article_url""",
                [page_url, row["url"], row["source"], first_seen_at],
            )


def _clean(name: str, value: Any) -> Any:
    if name in KEY_FIELDS:
        return value
    if isinstance(value, str):
        return clean_text(value, multiline=name == "text")
    if name in JSON_FIELDS and value:
        return [clean_text(v) if isinstance(v, str) else v for v in value]
    return value


def count_articles(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def count_articles_seen_between(db: Database, start_utc: str, end_utc: str) -> int:
    """How many articles were first seen in [start, end)."""
    cursor = db.execute(
        "SELECT count(*) FROM articles WHERE first_seen_at >= ? AND first_seen_at < ?",
        [start_utc, end_utc],
    )
    return int(cursor.fetchone()[0])


def articles_seen_between(db: Database, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
    """Articles first seen in [start, end), oldest first, as plain dicts."""
    return list(
        db.query(
            """SELECT id, url, source, title, author, published_at, site_name, summary, text,
                      first_seen_at
               FROM articles WHERE first_seen_at >= ? AND first_seen_at < ?
               ORDER BY source, coalesce(published_at, first_seen_at), id""",
            [start_utc, end_utc],
        )
    )


def search(db: Database, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over title, summary and text, best match first (bm25)."""
    return find_articles(db, ArticleQuery(text=query, limit=limit))


WHEN = "coalesce(articles.published_at, articles.first_seen_at)"
# What --since/--until filter on (and listings sort by): the publication time (else the
# first sight), or when newsdesk first stored the article, which is what a digest uses.
DATED_BY = {"published": WHEN, "seen": "articles.first_seen_at"}
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
    dated: Literal["published", "seen"] = "published"  # what since/until filter on (DATED_BY)


# Scoring a match with bm25 takes ~3 µs, so ranking every match of a word found in most
# articles took 300 ms over 100,000 of them (issue #9 item 5). A search with a limit ranks
# the newest SEARCH_WINDOW matches that pass its filters, not all of them.
SEARCH_WINDOW = 2_000
SNIPPET = "snippet(articles_fts, 2, '[', ']', ' … ', 12) AS snippet"


def find_articles(
    db: Database, query: ArticleQuery, *, with_text: bool = False
) -> list[dict[str, Any]]:
    """Articles matching ``query``: with a text query, by relevance (bm25) with a
    highlighted snippet (with a limit: the best of the newest SEARCH_WINDOW matches that
    pass the filters); without one, the newest first."""
    columns = [f"articles.{c}" for c in ARTICLE_COLUMNS]
    columns += ["articles.text"] if with_text else []
    if query.since and query.until and query.since >= query.until:
        return []
    if query.text and query.limit:
        return _search(db, query, columns)
    where, params = _filters(query)
    if query.text:  # every match (an export): one pass, the snippets with it
        sql = (
            f"SELECT {', '.join(columns)}, {SNIPPET} FROM articles_fts "
            "JOIN articles ON articles.rowid = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND {where} ORDER BY bm25(articles_fts)"
        )
        params = [query.text, *params]
    else:
        sql = (
            f"SELECT {', '.join(columns)} FROM articles WHERE {where} "
            f"ORDER BY {DATED_BY[query.dated]} DESC, articles.id DESC"
        )
    if query.limit:
        sql += f" LIMIT {int(query.limit)}"
    return list(db.query(sql, params))


def _search(db: Database, query: ArticleQuery, columns: list[str]) -> list[dict[str, Any]]:
    """Rank on rowids alone, then read the columns and snippets of the best only."""
    ranked = _ranked(db, query)
    if not ranked:
        return []
    # FTS5 drives (CROSS JOIN) over the rowid range, and the + keeps the IN list from it:
    # looking a rowid up in FTS5 evaluates the whole query again (~0.15 ms, more for a prefix).
    sql = (
        f"SELECT {', '.join(columns)}, {SNIPPET} FROM articles_fts "
        "CROSS JOIN articles ON articles.rowid = articles_fts.rowid "
        "WHERE articles_fts MATCH ? AND articles_fts.rowid BETWEEN ? AND ? "
        f"AND +articles_fts.rowid IN ({', '.join('?' for _ in ranked)})"
    )
    rows = list(db.query(sql, [query.text, min(ranked), max(ranked), *ranked]))
    order = {rowid: k for k, rowid in enumerate(ranked)}
    return sorted(rows, key=lambda row: order[row["id"]])


def _ranked(db: Database, query: ArticleQuery) -> list[int]:
    """Rowids of the best of the newest SEARCH_WINDOW matches that pass the filters, best
    first. FTS5 hands the matches over newest first; filters narrow them down to the
    rowid range of the articles that pass (read from the indexes), and within it each
    match is checked against the source's or topic's articles (from the indexes), or on
    its row for times alone (the articles that pass are then a run of rowids)."""
    where, params = _filters(query)
    if where == "1":
        return _best(db, query, "", "1", [query.text])
    passing, passing_params = _passing(query)
    low, high = db.execute(f"SELECT min(id), max(id) FROM ({passing})", passing_params).fetchone()
    if low is None:
        return []
    join = "CROSS JOIN articles ON articles.rowid = articles_fts.rowid"
    if query.source or query.topic:
        join, where, params = "", f"+articles_fts.rowid IN ({passing})", passing_params
    where = f"articles_fts.rowid BETWEEN {int(low)} AND {int(high)} AND {where}"
    return _best(db, query, join, where, [query.text, *params])


def _best(db: Database, query: ArticleQuery, join: str, where: str, params: list[Any]) -> list[int]:
    """One pass over the matches, newest first, until SEARCH_WINDOW pass: bm25 is
    computed for those alone."""
    sql = (
        "SELECT id FROM (SELECT articles_fts.rowid AS id, bm25(articles_fts) AS score "
        f"FROM articles_fts {join} WHERE articles_fts MATCH ? AND {where} "
        f"ORDER BY articles_fts.rowid DESC LIMIT {SEARCH_WINDOW}) "
        f"ORDER BY score, id DESC LIMIT {int(query.limit or 0)}"
    )
    return [row[0] for row in db.execute(sql, params)]


def _passing(query: ArticleQuery) -> tuple[str, list[Any]]:
    """SQL for the ids of the articles that pass the filters, read from indexes (a topic
    alone from its own; otherwise the topic is checked on each article)."""
    if query.topic and not (query.since or query.until or query.source):
        return "SELECT article_id AS id FROM article_topics WHERE topic = ?", [query.topic]
    where, params = _filters(query)
    return f"SELECT articles.id AS id FROM articles WHERE {where}", params


def fts_columns(db: Database) -> list[str]:
    """The columns the full-text index holds, which a search can filter on (title:word)."""
    return [row[0] for row in db.execute("SELECT name FROM pragma_table_info('articles_fts')")]


def stored_names(db: Database, kind: str) -> list[str]:
    """The sources (``kind`` "source") or topics ("topic") the stored articles have, in
    order: one index lookup a name (a skip-scan), not a read of every article."""
    table, column = {"source": ("articles", "source"), "topic": ("article_topics", "topic")}[kind]
    sql = f"""WITH RECURSIVE names(name) AS (
                SELECT min({column}) FROM {table}
                UNION ALL
                SELECT (SELECT min({column}) FROM {table} WHERE {column} > names.name)
                FROM names WHERE names.name IS NOT NULL)
              SELECT name FROM names WHERE name IS NOT NULL"""
    return [row[0] for row in db.execute(sql)]


def _filters(query: ArticleQuery) -> tuple[str, list[Any]]:
    clauses, params = ["1"], []
    when = DATED_BY[query.dated]
    if query.since:
        clauses.append(f"{when} >= ?")
        params.append(query.since)
    if query.until:
        clauses.append(f"{when} < ?")
        params.append(query.until)
    if query.source:
        clauses.append("articles.source = ?")
        params.append(query.source)
    if query.topic:  # one key lookup per article checked: a topic can hold most of them
        clauses.append(
            "EXISTS (SELECT 1 FROM article_topics AS t "
            "WHERE t.article_id = articles.id AND t.topic = ?)"
        )
        params.append(query.topic)
    return " AND ".join(clauses), params


def _other_slash(url: str) -> str:
    """The URL with its path's trailing slash taken off, or put on: users copy links
    both ways."""
    if "://" not in url or "?" in url:
        return url
    if url.endswith("/"):
        return url[:-1] if url.count("/") > 3 else url  # not the site's root
    return url + "/"


def get_article(db: Database, key: str) -> dict[str, Any] | None:
    """One article by id, canonical URL or alias URL (as given or cleaned of tracking
    parameters and fragment; with or without a trailing slash), with its aliases and
    topics."""
    cleaned = clean_url(key) if "://" in key else key
    urls = [key, cleaned, _other_slash(cleaned)]
    rows = db.query(
        """SELECT * FROM articles WHERE id = ? OR url IN (?, ?, ?)
           OR url IN (SELECT article_url FROM aliases WHERE url IN (?, ?, ?))""",
        [int(key) if key.isdigit() and len(key) < 19 else -1, *urls, *urls],  # an int64
    )
    article = next(rows, None)
    if article is None:
        return None
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
    (the first id of the list). Rows that already say so are not written again."""
    with write(db):
        for ids in groups:
            db.conn.executemany(
                "UPDATE articles SET story_id = ? WHERE id = ? AND story_id IS NOT ?",
                [(ids[0], i, ids[0]) for i in ids],
            )


def sync_sources(db: Database, sources: Iterable[tuple[str, str]]) -> None:
    """The configured sources (name, homepage), for queries that join on them."""
    now = utc_now()
    with write(db):
        for name, homepage in sources:
            db.execute(
                """INSERT INTO sources (name, homepage, added_at, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET homepage = excluded.homepage,
                       updated_at = excluded.updated_at""",
                [name, homepage, now, now],
            )
