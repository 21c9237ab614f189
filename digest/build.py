"""Select a day's articles and the health of its crawls, then publish the digest files.

An article belongs to the day (in the configured time zone) on which newsdesk first saw
it. That puts every article in exactly one digest and never loses one that a site
published late in the evening and newsdesk found after midnight.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlite_utils import Database

from digest import store
from digest.config import Config
from digest.render import render_html, render_markdown, write_atomic


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    source: str
    site_name: str | None
    author: str | None
    published: str | None  # local "YYYY-MM-DD HH:MM", or a bare date
    summary: str


@dataclass(frozen=True)
class Digest:
    day: date
    timezone: str
    generated_at: str
    sections: dict[str, list[DigestItem]]  # source name -> items, sources in config order
    health: list[str]  # one line per source that failed or brought nothing new

    @property
    def count(self) -> int:
        return sum(len(items) for items in self.sections.values())


def day_window(day: date, cfg: Config) -> tuple[str, str]:
    """The UTC [start, end) of a local calendar day, as store timestamps."""
    start = datetime.combine(day, time(0), tzinfo=cfg.tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=cfg.tz)
    return (
        start.astimezone(UTC).isoformat(timespec="seconds"),
        end.astimezone(UTC).isoformat(timespec="seconds"),
    )


def build_digest(db: Database, day: date, *, cfg: Config, now: datetime) -> Digest:
    """The digest of ``day``: its articles grouped by source, plus source health."""
    start, end = day_window(day, cfg)
    grouped: dict[str, list[DigestItem]] = defaultdict(list)
    for row in store.articles_seen_between(db, start, end):
        grouped[row["source"]].append(_item(row, cfg))
    order = [s.name for s in cfg.sources] + sorted(set(grouped) - {s.name for s in cfg.sources})
    sections = {name: grouped[name] for name in order if grouped.get(name)}
    health = _health(store.source_runs_between(db, start, end), cfg, sections)
    return Digest(
        day, cfg.timezone, now.astimezone(UTC).isoformat(timespec="seconds"), sections, health
    )


def _item(row: dict[str, str], cfg: Config) -> DigestItem:
    return DigestItem(
        title=row["title"],
        url=row["url"],
        source=row["source"],
        site_name=row["site_name"],
        author=row["author"],
        published=_local(row["published_at"], cfg),
        summary=row["summary"] or "",
    )


def _local(stamp: str | None, cfg: Config) -> str | None:
    if not stamp or len(stamp) == 10:
        return stamp
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(cfg.tz).strftime("%Y-%m-%d %H:%M")


def _health(runs: list[dict], cfg: Config, sections: dict[str, list[DigestItem]]) -> list[str]:
    """A line for each source that failed, or that brought nothing new, on the day."""
    if not runs:
        return ["No crawl ran on this day."]
    by_source: dict[str, list[dict]] = defaultdict(list)
    for run in runs:
        by_source[run["source"]].append(run)
    lines = []
    for src in cfg.sources:
        mine = by_source.get(src.name, [])
        bad = [run for run in mine if run["status"] in ("failed", "skipped")]
        if bad:
            error = bad[-1]["first_error"] or "no detail"
            lines.append(
                f"{src.name}: failed in {len(bad)} of {len(mine)} crawls (last error: {error})"
            )
        elif src.name not in sections:
            lines.append(f"{src.name}: no new articles")
    return lines


def publish_digest(db: Database, day: date, *, cfg: Config, now: datetime) -> tuple[Path, Path]:
    """Build, render and atomically write the day's Markdown and HTML files; record them."""
    digest = build_digest(db, day, cfg=cfg, now=now)
    stem = cfg.digests_dir / day.isoformat()
    markdown, html = stem.with_suffix(".md"), stem.with_suffix(".html")
    write_atomic(markdown, render_markdown(digest))
    write_atomic(html, render_html(digest))
    store.record_digest(db, day.isoformat(), count=digest.count, markdown=markdown, html=html)
    return markdown, html
