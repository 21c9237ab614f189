"""Reading the store: search, articles, show, export, status. Read-only connections,
never in the service's way."""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path
from typing import Any, TextIO

import click

from cli.app import common_options, config, fail, newsdesk
from cli.options import article_query, filter_options
from digest import query, store
from digest.service import status_report
from digest.status import format_status
from digest.text import terminal_safe


def _listing(text: str | None, given: dict[str, Any]) -> int:
    cfg = config()
    with closing(store.open_readonly(cfg.db_path)) as db:
        rows = query.run_query(db, article_query(cfg, db, text=text, **given))
    click.echo(terminal_safe(query.format_rows(rows, given["fmt"])))
    click.echo(_count(len(rows)), err=True)
    return 0


def _count(n: int, verb: str = "") -> str:
    return f"{n} article{'s' if n != 1 else ''}{verb}"


@newsdesk.command()
@click.argument("text", metavar="QUERY")
@filter_options(formats=("table", "json", "csv"))
@common_options
def search(text: str, **given: Any) -> int:
    """Full-text search of the stored articles, best match first.

    QUERY: plain words (KSE-100, $3.4bn) or FTS5 syntax: "a phrase", minera* (prefix),
    a AND b, a OR b, a NOT b, title:word."""
    return _listing(text, given)


@newsdesk.command()
@filter_options(formats=("table", "json", "csv"))
@common_options
def articles(**given: Any) -> int:
    """List stored articles, newest first."""
    return _listing(None, given)


@newsdesk.command()
@click.argument("key", metavar="ID|URL")
@common_options
def show(key: str) -> int:
    """One article: metadata, summary, aliases, text. ID|URL: an article id, its URL
    (with or without the trailing slash), or one of its aliases."""
    cfg = config()
    with closing(store.open_readonly(cfg.db_path)) as db:
        article = store.get_article(db, key)
    if article is None:
        raise fail(f"no article {key!r} in {cfg.db_path}", 1)
    click.echo(terminal_safe(query.format_article(article)))
    return 0


@newsdesk.command()
@filter_options(formats=("jsonl", "csv"), limit=None)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
@common_options
def export(output: Path | None, **given: Any) -> int:
    """Write articles, with their text, as JSON Lines or CSV."""
    cfg = config()
    with closing(store.open_readonly(cfg.db_path)) as db:
        rows = query.run_query(db, article_query(cfg, db, **given), with_text=True)
    out: TextIO = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    if out.isatty():  # a data dump, as stored, unless a terminal would act on it
        rows = [
            {k: terminal_safe(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows
        ]
    count = query.export(rows, given["fmt"], out)
    if output:
        out.close()
    click.echo(_count(count, " exported"), err=True)
    return 0


@newsdesk.command()
@click.option("--json", "as_json", is_flag=True, help="The same as one JSON object.")
@common_options
def status(as_json: bool) -> int:
    """The service, its next runs, each source's crawls and health."""
    cfg = config()
    report = status_report(cfg)
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
    else:
        click.echo(format_status(cfg, report))
    return 0
