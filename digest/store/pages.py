"""Fetched pages: saving them from the crawl, the seen set, and their processing state."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from digest.clock import utc_now
from digest.store.connection import write

# Raw pages are compressed at level 2, not zlib's default 6: on 181 real news pages
# (../shared/data/extraction/scrapinghub) level 2 took 1.1 CPU ms a page against 2.9, for
# 38.4 KB a page against 33.5 (+15%). Every fetched page pays it in the crawl process.
ZLIB_LEVEL = 2
# digest.extract's verdicts on an article page refused for its length (a brief, a paywall
# teaser). Such a page is known, as an article is: it is not fetched again, nor read again
# for its links as a page found not to be an article (a tag or section page) is.
BRIEF_VERDICTS = ("too short", "teaser or paywall only")
IS_LISTING = (
    "state = 'not_article' AND NOT ("
    + " OR ".join(f"coalesce(state_reason, '') LIKE '{verdict}%'" for verdict in BRIEF_VERDICTS)
    + ")"
)
MAX_ATTEMPTS = 3  # extractions that fail or time out before a page is quarantined


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
            raw = page.html.encode("utf-8")
            digest = hashlib.sha256(raw).hexdigest()
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
                    zlib.compress(raw, ZLIB_LEVEL),
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
        f"SELECT 1 FROM pages WHERE url = ? AND NOT ({IS_LISTING}) "
        "UNION ALL SELECT 1 FROM articles WHERE url = ? "
        "UNION ALL SELECT 1 FROM aliases WHERE url = ? LIMIT 1"
    )
    return db.execute(sql, [url, url, url]).fetchone() is not None


def known_listing(db: Database, url: str) -> bool:
    """Whether this URL was fetched before and found not to be an article (a brief or a
    teaser is an article page: ``BRIEF_VERDICTS``)."""
    sql = f"SELECT 1 FROM pages WHERE url = ? AND {IS_LISTING}"
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
            [state, reason, utc_now(), url],
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
            [error, utc_now(), url],
        )
        return str(db.execute("SELECT state FROM pages WHERE url = ?", [url]).fetchone()[0])


def page_states(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT state, count(*) FROM pages GROUP BY state").fetchall()
    return {state: count for state, count in rows}
