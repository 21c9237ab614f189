"""Build a day's digest from the store, then publish it in every format.

An article belongs to the day (in the configured time zone) on which newsdesk first saw
it. That puts every article in exactly one digest and never loses one that a site
published late in the evening and newsdesk found after midnight.

The day's articles are grouped into stories (``digest.stories``): a story carried by
several sites is one entry, with "also reported by" links. Stories that match a watch
topic open the digest, one section per topic; the others follow by source. Within a
section, stories carried by more sources come first, then the most recent. The digest ends
with the health of the day's crawls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from digest import store
from digest.clock import parse_iso, to_utc_iso
from digest.config import Config, Topic
from digest.days import day_ended, day_window
from digest.render import digest_json, render_feed, render_html, render_markdown, write_atomic
from digest.stories import Story, group_stories, rank, topic_of

FEED_ENTRIES = 30


@dataclass(frozen=True)
class Link:
    source: str
    title: str
    url: str


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str
    source: str
    site_name: str | None
    author: str | None
    published: str | None  # local "YYYY-MM-DD HH:MM", or a bare date
    summary: str
    also: tuple[Link, ...] = ()  # the same story on other sites


@dataclass(frozen=True)
class Section:
    heading: str
    kind: str  # "topic" or "source"
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class Digest:
    day: date
    timezone: str
    generated_at: str
    sections: tuple[Section, ...]
    health: tuple[str, ...]  # one line per source that failed or brought nothing new
    article_count: int = 0  # articles behind the items, copies of one story included
    final: bool = True  # False: written before the day ended, to be replaced

    @property
    def count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def day_stories(db: Database, day: date, *, cfg: Config) -> list[Story]:
    """The stories of ``day``, ranked: its articles, near-duplicates grouped."""
    start, end = day_window(day, cfg)
    return rank(group_stories(store.articles_seen_between(db, start, end)))


def build_digest(
    db: Database, day: date, *, cfg: Config, now: datetime, stories: list[Story] | None = None
) -> Digest:
    """The digest of ``day``: topic sections, source sections, and source health."""
    start, end = day_window(day, cfg)
    stories = day_stories(db, day, cfg=cfg) if stories is None else stories
    rows = [a for s in stories for a in s.articles]
    topics = {id(story): topic_of(story, cfg.topics) for story in stories}  # one scan each
    on_topic = [s for s in stories if topics[id(s)] is not None]
    off_topic = [s for s in stories if topics[id(s)] is None]
    sections = _topic_sections(on_topic, topics, cfg) + _source_sections(off_topic, cfg)
    sources_with_news = {a["source"] for s in stories for a in s.articles}
    health = _health(store.source_runs_between(db, start, end), cfg, sources_with_news)
    generated = to_utc_iso(now)
    return Digest(
        day,
        cfg.timezone,
        generated,
        tuple(sections),
        tuple(health),
        len(rows),
        final=day_ended(day, cfg, now),
    )


def _topic_sections(
    stories: list[Story], topics: dict[int, Topic | None], cfg: Config
) -> list[Section]:
    by_topic: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_topic[topics[id(story)].name].append(story)  # type: ignore[union-attr]
    return [
        Section(t.name, "topic", tuple(_item(s, cfg) for s in by_topic[t.name]))
        for t in cfg.topics
        if by_topic.get(t.name)
    ]


def _source_sections(stories: list[Story], cfg: Config) -> list[Section]:
    by_source: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_source[story.lead["source"]].append(story)
    order = [s.name for s in cfg.sources] + sorted(set(by_source) - {s.name for s in cfg.sources})
    sections = []
    for name in order:
        if by_source.get(name):
            heading = by_source[name][0].lead["site_name"] or name
            sections.append(
                Section(heading, "source", tuple(_item(s, cfg) for s in by_source[name]))
            )
    return sections


def _item(story: Story, cfg: Config) -> DigestItem:
    row = story.lead
    also = tuple(Link(a["site_name"] or a["source"], a["title"], a["url"]) for a in story.others)
    return DigestItem(
        title=row["title"],
        url=row["url"],
        source=row["source"],
        site_name=row["site_name"],
        author=row["author"],
        published=_local(row["published_at"], cfg),
        summary=row["summary"] or "",
        also=also,
    )


def _local(stamp: str | None, cfg: Config) -> str | None:
    if not stamp or len(stamp) == 10:
        return stamp
    moment = parse_iso(stamp)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(cfg.tz).strftime("%Y-%m-%d %H:%M")


def _health(runs: list[dict[str, Any]], cfg: Config, with_news: set[str]) -> list[str]:
    """A line for each source that failed, or that brought nothing new, on the day."""
    if not runs:
        return ["No crawl ran on this day."]
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
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
        elif not mine:
            lines.append(f"{src.name}: not crawled on this day")
        elif src.name not in with_news:
            lines.append(f"{src.name}: no new articles")
    return lines


class DigestBusy(Exception):
    """Another live process is writing this day's digest."""


def publish_digest(db: Database, day: date, *, cfg: Config, now: datetime) -> dict[str, Path]:
    """Claim the day in the store, build its digest, write it as Markdown, HTML and JSON,
    refresh the Atom feed of the last digests, and record it done: final when the day had
    ended at ``now``, provisional before. Every file is replaced atomically; a failed or
    killed write leaves the previous files as they were."""
    _claim(db, day)
    try:
        paths = _write_digest(db, day, cfg=cfg, now=now)
    except store.ClaimLost as exc:  # our lease ran out and another writer took the day
        raise DigestBusy(str(exc)) from exc
    except BaseException:
        store.release_digest(db, day.isoformat())
        raise
    return paths


def _claim(db: Database, day: date) -> None:
    if not store.claim_digest(db, day.isoformat()):
        raise DigestBusy(
            f"the digest of {day} is being written by another process (live, holding its "
            f"claim for at most {store.LEASE_SECONDS // 60} minutes): try again later"
        )


def _write_digest(db: Database, day: date, *, cfg: Config, now: datetime) -> dict[str, Path]:
    stories = day_stories(db, day, cfg=cfg)
    store.set_stories(db, [[a["id"] for a in s.articles] for s in stories])
    digest = build_digest(db, day, cfg=cfg, now=now, stories=stories)
    paths = digest_paths(cfg, day)
    if not store.holds_claim(db, day.isoformat()):  # a lease outlived (the machine slept)
        raise store.ClaimLost(f"the digest of {day} was taken over by another process")
    write_atomic(paths["markdown"], render_markdown(digest))
    write_atomic(paths["html"], render_html(digest))
    write_atomic(paths["json"], digest_json(digest))
    write_atomic(paths["feed"], render_feed(_recent_digests(cfg.digests_dir), now=now))
    store.record_digest(
        db,
        day.isoformat(),
        count=digest.count,
        articles=digest.article_count,
        final=digest.final,
        markdown=paths["markdown"],
        html=paths["html"],
    )
    return paths


def digest_paths(cfg: Config, day: date) -> dict[str, Path]:
    """The files of day's digest, and the feed they appear in."""
    stem = cfg.digests_dir / day.isoformat()
    return {
        "markdown": stem.with_suffix(".md"),
        "html": stem.with_suffix(".html"),
        "json": stem.with_suffix(".json"),
        "feed": cfg.digests_dir / "feed.xml",
    }


def remove_digest(
    db: Database, day: date, *, cfg: Config, now: datetime
) -> tuple[list[Path], bool]:
    """Remove a day's digest: its files, its entry in the feed (rewritten without it) and
    its row in the store. Returns the files removed and whether there was a row."""
    had_row = store.get_digest(db, day.isoformat()) is not None
    _claim(db, day)
    paths = digest_paths(cfg, day)
    removed = [p for k, p in paths.items() if k != "feed" and p.exists()]
    try:
        for path in removed:
            path.unlink()
        if removed and cfg.digests_dir.exists():
            write_atomic(paths["feed"], render_feed(_recent_digests(cfg.digests_dir), now=now))
    except BaseException:
        store.release_digest(db, day.isoformat())
        raise
    store.delete_digest(db, day.isoformat())
    return removed, had_row


def _recent_digests(folder: Path) -> list[Path]:
    days = sorted((p for p in folder.glob("????-??-??.json")), reverse=True)
    return days[:FEED_ENTRIES]
