"""Reading the store from the command line: filters, output formats, one article, export.

Every function here takes a read-only connection (``store.open_readonly``): a search or
an export never blocks the service that is writing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from digest import store

RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")
MAX_AGO_HOURS = 36_500 * 24
TABLE_COLUMNS = ("id", "published_at", "source", "title")
EXPORT_COLUMNS = (*store.ARTICLE_COLUMNS, "text")


class QueryError(Exception):
    """A filter the user gave that cannot be read; the message says what is expected."""


def parse_when(text: str, tz: ZoneInfo, now: datetime | None = None) -> str:
    """``7d``, ``24h``, ``2w`` (ago) or a date (its local midnight) as a UTC ISO string."""
    now = now or datetime.now(UTC)
    match = RELATIVE.match(text.strip().lower())
    if match:
        hours = int(match[1]) * {"h": 1, "d": 24, "w": 168}[match[2]]
        if hours > MAX_AGO_HOURS:
            raise QueryError(f"{text!r} reaches back too far: give at most 36500d (100 years)")
        return _utc(now - timedelta(hours=hours))
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"expected 7d, 24h, 2w or a date like 2026-11-01, got {text!r}") from None
    return _utc(datetime.combine(day, time(0), tz))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def run_query(db: Database, query: store.ArticleQuery, **kw: Any) -> list[dict[str, Any]]:
    """``store.find_articles``, with a malformed FTS5 query turned into a QueryError."""
    try:
        return store.find_articles(db, query, **kw)
    except sqlite3.OperationalError as exc:  # fts5 syntax error, unterminated string, ...
        if not query.text or not _query_problem(str(exc)):
            raise  # the store's problem (locked, unreadable), not the query's
        raise QueryError(
            f"cannot search for {query.text!r} ({exc}). Quote a phrase: '\"rare earth\"'; "
            "a prefix: minera*; combine with AND, OR, NOT."
        ) from None


def _query_problem(message: str) -> bool:
    return any(
        word in message.lower() for word in ("fts5", "syntax", "no such column", "unterminated")
    )


def format_rows(rows: list[dict[str, Any]], fmt: str) -> str:
    """Rows as an aligned table, JSON or CSV."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else list(TABLE_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    return _table(rows)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        when = (row.get("published_at") or row.get("first_seen_at") or "")[:10]
        lines.append(f"{row['id']:>6}  {when:10}  {row['source']:14}  {row['title']}")
        lines.append(f"        {row['url']}")
        if row.get("snippet"):
            lines.append(f"        {row['snippet']}")
    return "\n".join(lines)


def format_article(article: dict[str, Any]) -> str:
    """One article for reading in a terminal: metadata, summary, aliases, text."""
    people = ", ".join(article["authors"]) or "-"
    fields = [
        ("id", article["id"]),
        ("url", article["url"]),
        ("source", article["source"]),
        ("site", article["site_name"]),
        ("published", article["published_at"]),
        ("modified", article["modified_at"]),
        ("first seen", article["first_seen_at"]),
        ("authors", people),
        ("credit", article["credit"]),
        ("language", article["language"]),
        ("tags", ", ".join(article["tags"])),
        ("topics", ", ".join(article["topics"])),
        ("story", article["story_id"]),
        ("aliases", " ".join(article["aliases"])),
    ]
    head = "\n".join(
        f"{name + ':':12} {value}" for name, value in fields if value not in (None, "")
    )
    return (
        f"{article['title']}\n{'=' * min(len(article['title']), 80)}\n{head}\n\n"
        f"Summary: {article['summary'] or '-'}\n\n{article['text']}"
    )


def export(rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    """Write rows as JSON Lines or CSV; return how many."""
    count = 0
    writer = (
        csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        if fmt == "csv"
        else None
    )
    if writer:
        writer.writeheader()
    for row in rows:
        if writer:
            writer.writerow(row)
        else:
            out.write(
                json.dumps({k: row.get(k) for k in EXPORT_COLUMNS}, ensure_ascii=False) + "\n"
            )
        count += 1
    return count
