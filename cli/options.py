"""Options and value types shared by several commands."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click
from sqlite_utils import Database

from digest import query, store
from digest.config import Config

F = TypeVar("F", bound=Callable[..., Any])


class Number(click.ParamType[int | float, Any]):
    """A finite number of ``kind`` from ``least`` to ``most`` (click's ranges let NaN by)."""

    def __init__(self, kind: type[int] | type[float], least: float, most: float) -> None:
        self.kind, self.least, self.most = kind, least, most
        self.name = kind.__name__

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: int | float = value
        else:
            try:
                number = self.kind(value)
            except ValueError:
                self.fail(f"expected a number, got {value!r}", param, ctx)
        if not math.isfinite(number) or not self.least <= number <= self.most:
            self.fail(f"expected {self.least:,} to {self.most:,}, got {value!r}", param, ctx)
        return number


class Day(click.ParamType[date, Any]):
    """A calendar day written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"expected a date like 2026-11-26, got {value!r}", param, ctx)


def redis_option(command: F) -> F:
    return click.option(
        "--redis", metavar="URL", help="The cluster's Redis (default: [cluster] redis_url)."
    )(command)


def filter_options(*, formats: tuple[str, ...], limit: int | None = 20) -> Callable[[F], F]:
    """The filters of search, articles and export."""
    shown = f"{limit:,}" if limit else "all"

    def decorate(command: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--since",
                    metavar="WHEN",
                    help="From this time on: 7d, 24h, 2w ago, or a date (YYYY-MM-DD, its "
                    "local midnight). On the publication time unless --seen.",
                ),
                click.option("--until", metavar="WHEN", help="Before this time, as --since."),
                click.option(
                    "--seen",
                    is_flag=True,
                    help="--since/--until on when newsdesk first stored the article (as the "
                    "digest does), not on when it was published.",
                ),
                click.option(
                    "--source", metavar="NAME", help="Only this source (configured or stored)."
                ),
                click.option(
                    "--topic", metavar="NAME", help="Only articles of this watch topic (any case)."
                ),
                click.option(
                    "--limit",
                    type=Number(int, 1, 1_000_000),
                    default=limit,
                    show_default=False,
                    help=f"At most N articles, 1 to 1,000,000 (default {shown}).",
                ),
                click.option(
                    "--format",
                    "fmt",
                    type=click.Choice(formats),
                    default=formats[0],
                    help=f"Output format (default {formats[0]}).",
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


def article_query(
    cfg: Config, db: Database, *, text: str | None = None, **given: Any
) -> store.ArticleQuery:
    """The filters given, checked: an unknown --source or --topic is refused (exit 2,
    naming the known ones) rather than finding nothing; topics match in any case."""
    source, topic = given["source"], given["topic"]
    if source:
        source = query.pick_name(db, "source", source, [s.name for s in cfg.sources])
    if topic:
        topic = query.pick_name(db, "topic", topic, [t.name for t in cfg.topics])
    since, until = given["since"], given["until"]
    return store.ArticleQuery(
        text=text,
        since=query.parse_when(since, cfg.tz) if since else None,
        until=query.parse_when(until, cfg.tz) if until else None,
        source=source,
        topic=topic,
        limit=given["limit"],
        dated="seen" if given["seen"] else "published",
    )
