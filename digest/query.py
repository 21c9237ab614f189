"""Reading the store from the command line: filters, output formats, one article, export.

Every function here takes a read-only connection (``store.open_readonly``): a search or
an export never blocks the service that is writing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from digest import store
from digest.clock import to_utc_iso
from digest.store.articles import fts_columns, stored_names

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
        return to_utc_iso(now - timedelta(hours=hours))
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"expected 7d, 24h, 2w or a date like 2026-11-01, got {text!r}") from None
    return to_utc_iso(datetime.combine(day, time(0), tz))


def run_query(db: Database, query: store.ArticleQuery, **kw: Any) -> list[dict[str, Any]]:
    """``store.find_articles``, the text read by ``fts_query``, with a query FTS5 still
    cannot read turned into a QueryError that says how to write it."""
    wanted = replace(query, text=fts_query(query.text, fts_columns(db))) if query.text else query
    try:
        return store.find_articles(db, wanted, **kw)
    except sqlite3.OperationalError as exc:  # fts5 syntax error, unterminated string, ...
        if not query.text or not _query_problem(str(exc)):
            raise  # the store's problem (locked, unreadable), not the query's
        quoted = shlex.quote('"' + query.text.replace('"', '""') + '"')
        raise QueryError(
            f"cannot search for {query.text!r} ({exc}). To search for the words as written, "
            f"put them in double quotes: newsdesk search {quoted}. Query syntax: "
            '"a phrase", prefix*, a AND b, a OR b, a NOT b (operators in capitals), '
            "( ) to group, NEAR(a b), title:word."
        ) from None


def pick_name(db: Database, kind: str, given: str, configured: Sequence[str]) -> str:
    """The ``kind`` ("source" or "topic") that ``given`` names: a configured one or one
    the stored articles have (a source since dropped from the config), spelt the same or
    but for case (the config's spelling first: --topic minerals finds Minerals); else a
    QueryError naming the known ones."""
    name = _same_name(given, configured)
    if name is None:
        stored = stored_names(db, kind)
        name = _same_name(given, stored)
        if name is None:
            known = ", ".join(sorted({*configured, *stored}, key=str.casefold)) or "none"
            raise QueryError(
                f"no {kind} named {given!r} in the config or the store (known: {known})"
            )
    return name


def _same_name(given: str, names: Sequence[str]) -> str | None:
    if given in names:
        return given
    return next((name for name in names if name.casefold() == given.casefold()), None)


def _query_problem(message: str) -> bool:
    return any(
        word in message.lower() for word in ("fts5", "syntax", "no such column", "unterminated")
    )


# FTS5 query syntax (https://www.sqlite.org/fts5.html#full_text_query_syntax): a bareword is
# ASCII letters, digits and _, and any character beyond ASCII; anything else is syntax.
FTS_COLUMNS = ("title", "summary", "text")  # what articles_fts indexes
OPERATORS = frozenset({"AND", "OR", "NOT", "+"})
WORD = "0-9A-Za-z_\x1a\x80-\U0010ffff"
BAREWORD = re.compile(f"[{WORD}]+")
STRING = re.compile(r'"(?:[^"]|"")*"')
COLSPEC = re.compile(rf"-?(?:(?P<name>[{WORD}]+)|\{{(?P<names>[^}}]*)\}})\s*:")
NEAR = re.compile(r"(?:.*:)?NEAR")  # NEAR( opens a NEAR group, after any column filter
NEAR_DISTANCE = re.compile(r"(.*),(\d+)", re.S)


def fts_query(text: str, columns: Sequence[str] = FTS_COLUMNS) -> str:
    """``text`` as an FTS5 query that means what a reader typing it means.

    FTS5 syntax passes as it is: AND, OR, NOT and + between terms, "quoted phrases",
    prefix*, ^initial, NEAR(a b, N), column filters (title:word, -title:word,
    {title summary}:word) naming one of ``columns``, and balanced parentheses. Any other
    word holding a character FTS5 reads as syntax (KSE-100, $3.4bn, Rs1,290, Workers',
    note:, a.b) is put in double quotes, its own doubled, so that FTS5 reads it as a
    phrase of the words the index holds ("KSE-100" matches "KSE-100 index"); a trailing *
    stays a prefix ("KSE-10"*). Unbalanced parentheses are text like any other. What FTS5
    may still refuse is a misuse of its own syntax: ``oil AND``, ``NOT oil``, ``()``, a
    string left open (``"rare earth``), which is passed on as it is."""
    names = {c.lower() for c in columns}
    pieces = _pieces(text, parens=True)
    depth = 0
    for kind, piece in pieces:
        if kind == "syntax" and piece in "()":
            depth += 1 if piece == "(" else -1
            if depth < 0:
                break
    if depth:
        pieces = _pieces(text, parens=False)
    return " ".join(piece if kind == "syntax" else _term(piece, names) for kind, piece in pieces)


def _pieces(text: str, *, parens: bool) -> list[tuple[str, str]]:
    """``text`` cut at white space into terms (a quoted string or a {column set} is one,
    spaces and all), with parentheses (if ``parens``) and a NEAR group's distance comma
    as syntax of their own."""
    pieces: list[tuple[str, str]] = []
    groups: list[tuple[int, bool]] = []  # where each open parenthesis is, whether NEAR's
    current, at = "", 0
    while at < len(text):
        char = text[at]
        if char == '"':
            end = _string_end(text, at)
            if end > len(text):  # left open: as it is, for FTS5 to refuse and explain
                pieces.append(("syntax", current + text[at:]))
                return pieces
            current, at = current + text[at:end], end
            continue
        if char == "{" and current in ("", "-") and "}" in text[at:]:
            end = text.index("}", at) + 1
            current, at = current + text[at:end], end
            continue
        if char.isspace() or (parens and char in "()"):
            if current:
                pieces.append(("term", current))
                current = ""
            if parens and char == "(":
                near = bool(pieces) and bool(NEAR.fullmatch(pieces[-1][1]))
                groups.append((len(pieces), near))
                pieces.append(("syntax", "("))
            elif parens and char == ")":
                if groups and groups.pop()[1]:
                    _split_distance(pieces)
                pieces.append(("syntax", ")"))
        else:
            current += char
        at += 1
    if current:
        pieces.append(("term", current))
    return pieces


def _string_end(text: str, start: int) -> int:
    """The index after the string opening at ``start`` ("" inside it is a quote), or one
    past the end of ``text`` if it is left open."""
    at = start + 1
    while at < len(text):
        if text[at] == '"':
            if text[at + 1 : at + 2] != '"':
                return at + 1
            at += 1
        at += 1
    return len(text) + 1


def _split_distance(pieces: list[tuple[str, str]]) -> None:
    """Closing a NEAR group: its ``, N`` (written b,5 or b, 5 or b ,5) as syntax."""
    kind, last = pieces[-1]
    if kind != "term":
        return
    if found := NEAR_DISTANCE.fullmatch(last):
        pieces[-1:] = [("term", found[1])] if found[1] else []
        pieces += [("syntax", ","), ("term", found[2])]
    elif last.isdigit() and len(pieces) > 1 and pieces[-2][1].endswith(","):
        before = pieces[-2][1][:-1]
        pieces[-2:] = [("term", before)] if before else []
        pieces += [("syntax", ","), ("term", last)]


def _term(piece: str, columns: set[str]) -> str:
    """One term as FTS5 syntax, quoted if FTS5 would not read it as the words it holds."""
    colspec = COLSPEC.match(piece)
    column = ""
    if colspec and _known_columns(colspec, columns):
        column, piece = colspec[0], piece[colspec.end() :]
    caret = "^" if piece.startswith("^") else ""
    body = piece[len(caret) :]
    if not column and not caret and body in OPERATORS:
        return body
    if not body:  # a filter of what follows (title: "rare earth"), or a lone ^
        return column + caret
    star = "*" if body.endswith("*") and body != "*" else ""
    body = body[: len(body) - len(star)]
    if BAREWORD.fullmatch(body) or STRING.fullmatch(body):
        return column + caret + body + star
    return column + caret + '"' + body.replace('"', '""') + '"' + star


def _known_columns(colspec: re.Match[str], columns: set[str]) -> bool:
    names = [colspec["name"]] if colspec["name"] else (colspec["names"] or "").split()
    return bool(names) and all(name.lower() in columns for name in names)


def format_rows(rows: list[dict[str, Any]], fmt: str) -> str:
    """Rows as the terminal's listing (``_listing``), JSON or CSV."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else list(TABLE_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    return _listing(rows)


def _listing(rows: list[dict[str, Any]]) -> str:
    """Articles for a terminal: id, day, source and title on one line, the URL (and the
    search snippet, if any) indented below."""
    lines = []
    for row in rows:
        when = (row.get("published_at") or row.get("first_seen_at") or "")[:10]
        lines.append(f"{row['id']:>6}  {when:10}  {row['source']:14}  {row['title']}")
        lines.append(f"        {row['url']}")
        if row.get("snippet"):
            lines.append(f"        {row['snippet']}")
    return "\n".join(lines)


def table_cell(value: Any) -> str:
    """One cell of ``format_table``: None is empty, anything else ``str(value)`` (a value
    that needs a unit, such as a rate in percent, is formatted before)."""
    return "" if value is None else str(value)


def format_table(
    columns: Sequence[tuple[str, str]],
    rows: list[dict[str, Any]],
    *,
    cell: Callable[[Any], str] = table_cell,
) -> str:
    """Rows as an aligned plain-text table: the titles, then one line a row. ``columns``
    are (key, title) pairs; a row's cell is ``cell(row.get(key))``. Columns are two spaces
    apart, each as wide as its widest cell; no line ends in spaces."""
    table = [[title for _, title in columns]]
    table += [[cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table
    )


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
