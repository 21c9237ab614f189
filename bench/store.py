"""The store at scale (issue #9 item 5): search latency, a day's digest, bytes per article.

    python -m bench.store [--articles 100000] [--days 75] [--keep-days 30] [--dir DIR]

Generates a store of N articles over D days from 12 sources through the project's own
store API (bench/storegen.py says how, and what is not real), then measures, in the same
run:

1. search: ``digest.query.run_query`` + ``format_rows`` (what ``newsdesk search`` calls)
   on one fresh ``store.open_readonly`` connection, over a fixed mix of 200 searches
   (common, frequent and rare words, phrases, prefixes, AND/OR/NOT; about half with
   --source, --since, --until or --topic); p50, p95 and max of wall and CPU time. Also
   the wall time of the whole command, ``python -m scheduler --config ... search ...``,
   Python start-up included.
2. the digest of the busiest complete day: ``digest.build.publish_digest`` (claim, select,
   group into stories, record story ids, build, render Markdown/HTML/JSON and the Atom
   feed, write, record), as the day's first digest (no story ids recorded yet) and as a
   re-run, and step by step; then ``digest.jobs.run_digest`` (the `newsdesk digest` job).
3. size: the file, and per part from SQLite's ``dbstat``: raw pages against articles and
   the FTS5 index, per article; again after ``digest.jobs.run_maintenance`` dropped the raw
   HTML older than ``keep_pages_days`` (the file keeps its size and the freed pages are
   reused, so the table counts live bytes), and after a VACUUM, which maintenance does
   not run.

The machine is shared: wall times include waiting for a core, CPU times do not.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.storegen import ROOT, SOURCES, TOPICS, Corpus, Generated, generate, write_config
from digest import build, jobs, query, render, store
from digest.config import Config, load_config
from digest.stories import Story, group_stories, rank

GOAL_SEARCH_P95_MS = 50.0
GOAL_DIGEST_S = 2.0


# --- 1. search ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    kind: str
    text: str
    source: str | None = None
    since: str | None = None  # as typed on the command line: 24h, 7d, 30d
    until: str | None = None
    topic: str | None = None


def search_mix(corpus: Corpus, count: int, seed: int) -> list[Search]:
    """``count`` searches, six shapes in turn; about half carry filters."""
    rng = random.Random(seed)
    pools = corpus.pools
    shapes = {
        "common word": lambda: rng.choice(("said", "percent", "prices", "shares", "company")),
        "frequent name": lambda: rng.choice(pools["goods"][:12] + pools["place"][:9]),
        "rare name": lambda: rng.choice(  # a company's or a person's own name
            [c.split()[0] for c in pools["co"][1500:]]
            + [p.split()[-1] for p in pools["person"][500:]]
        ),
        "phrase": lambda: '"{}"'.format(
            rng.choice(("cash dividend", "policy rate", "rare earth", rng.choice(pools["co"])))
        ),
        "prefix": lambda: rng.choice(("cem*", "fert*", "expor*", "minera*", "tex*")),
        "boolean": lambda: "{} {} {}".format(
            rng.choice(pools["goods"][:20]),
            rng.choice(("AND", "OR", "NOT")),
            rng.choice(pools["place"][:30]),
        ),
    }
    out = []
    for k in range(count):
        kind = list(shapes)[k % len(shapes)]
        filters = _random_filters(rng)
        out.append(Search(kind + (" +filters" if filters else ""), shapes[kind](), **filters))
    return out


def _random_filters(rng: random.Random) -> dict[str, str]:
    filters = {}
    if rng.random() < 0.3:
        filters["source"] = rng.choice(SOURCES)[0]
    if rng.random() < 0.3:
        filters["since"] = rng.choice(("24h", "7d", "30d"))
    if rng.random() < 0.1:  # a past window: alone, or from 30 days ago
        filters["until"] = "14d"
        filters["since"] = "30d" if "since" in filters else ""
    if rng.random() < 0.05:
        filters["topic"] = rng.choice(TOPICS)[0]
    return {k: v for k, v in filters.items() if v}


def _query_of(search: Search, cfg: Config, now: datetime) -> store.ArticleQuery:
    """As scheduler._article_query builds it from the command line."""
    return store.ArticleQuery(
        text=search.text,
        since=query.parse_when(search.since, cfg.tz, now) if search.since else None,
        until=query.parse_when(search.until, cfg.tz, now) if search.until else None,
        source=search.source,
        topic=search.topic,
        limit=20,
    )


@dataclass(frozen=True)
class Timed:
    search: Search
    wall: float
    cpu: float
    rows: int


def time_searches(cfg: Config, searches: list[Search]) -> list[Timed]:
    """Each search, as ``newsdesk search`` runs it, on one fresh read-only connection."""
    db = store.open_readonly(cfg.db_path)
    now = datetime.now(UTC)
    out = []
    for search in searches:
        wall, cpu = time.perf_counter(), time.process_time()
        rows = query.run_query(db, _query_of(search, cfg, now))
        query.format_rows(rows, "table")
        out.append(Timed(search, time.perf_counter() - wall, time.process_time() - cpu, len(rows)))
    db.close()
    return out


def time_cli(config: Path, argv: list[str], repeat: int) -> list[float]:
    """Wall seconds of ``python -m scheduler --config CONFIG ARGV``, start-up included."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSDESK_DATA_DIR"}
    cmd = [sys.executable, "-m", "scheduler", "--config", str(config), *argv]
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)
        out.append(time.perf_counter() - t0)
    return out


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


# --- 2. a day's digest -------------------------------------------------------------------

FIRST = "publish_digest, the day's first (no story ids yet): the whole, claim to record"
AGAIN = "publish_digest again (a re-run: story ids recorded)"
JOB = "jobs.run_digest again (the `newsdesk digest` job, less start-up)"


def busiest_day(cfg: Config) -> tuple[date, int]:
    """The complete local day (one whose digest was written) with the most articles."""
    db = store.open_readonly(cfg.db_path)
    counts = {}
    for text in store.final_digests(db, since="0000-00-00"):
        start, end = build.day_window(date.fromisoformat(text), cfg)
        sql = "SELECT count(*) FROM articles WHERE first_seen_at >= ? AND first_seen_at < ?"
        counts[text] = db.execute(sql, [start, end]).fetchone()[0]
    db.close()
    day = max(counts, key=lambda d: counts[d])
    return date.fromisoformat(day), counts[day]


class Steps:
    """Wall and CPU seconds per named step, over repeats."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.start()

    def start(self) -> None:
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        self.wall.setdefault(name, []).append(time.perf_counter() - self.t0)
        self.cpu.setdefault(name, []).append(time.process_time() - self.c0)
        self.start()


def time_digest(cfg: Config, day: date, repeat: int) -> tuple[Steps, int]:
    """``day``'s digest, ``repeat`` times: step by step as build._write_digest does it
    (no claim), then ``publish_digest`` whole, each from the state before the day's first
    digest (no story ids); then ``publish_digest`` again, and ``jobs.run_digest``."""
    steps = Steps()
    db = store.open_db(cfg.db_path)
    for _ in range(repeat):
        _forget_stories(db, cfg, day)
        stories = _digest_steps(db, cfg, day, steps)
        _forget_stories(db, cfg, day)
        steps.start()
        build.publish_digest(db, day, cfg=cfg, now=datetime.now(cfg.tz))
        steps.lap(FIRST)
        build.publish_digest(db, day, cfg=cfg, now=datetime.now(cfg.tz))
        steps.lap(AGAIN)
    db.close()
    for _ in range(repeat):
        steps.start()
        jobs.run_digest(cfg, day)
        steps.lap(JOB)
    return steps, len(stories)


def _forget_stories(db: Any, cfg: Config, day: date) -> None:
    """Back to before the day's first digest (bench SQL, untimed): no story ids."""
    start, end = build.day_window(day, cfg)
    with store.write(db):
        db.execute(
            "UPDATE articles SET story_id = NULL WHERE first_seen_at >= ? AND first_seen_at < ?",
            [start, end],
        )


def _digest_steps(db: Any, cfg: Config, day: date, steps: Steps) -> list[Story]:
    steps.start()
    start, end = build.day_window(day, cfg)
    rows = store.articles_seen_between(db, start, end)
    steps.lap("select the day's articles")
    stories = rank(group_stories(rows))
    steps.lap("group into stories (MinHash LSH), rank")
    store.set_stories(db, [[a["id"] for a in s.articles] for s in stories])
    steps.lap("record story ids")
    now = datetime.now(cfg.tz)
    digest = build.build_digest(db, day, cfg=cfg, now=now, stories=stories)
    steps.lap("build: topic and source sections, health")
    texts = [render.render_markdown(digest), render.render_html(digest)]
    texts.append(render.digest_json(digest))
    steps.lap("render Markdown, HTML, JSON")
    feed_days = sorted(cfg.digests_dir.glob("????-??-??.json"), reverse=True)
    texts.append(render.render_feed(feed_days[: build.FEED_ENTRIES], now=now))
    steps.lap("render the Atom feed (last 30 digests)")
    for k, text in enumerate(texts):
        render.write_atomic(cfg.data_dir / "bench-scratch" / f"out{k}", text)
    steps.lap("write the 4 files atomically")
    return stories


# --- 3. size -----------------------------------------------------------------------------


def sizes(path: Path) -> dict[str, float]:
    """Bytes of the file, live and free, and per part (dbstat): raw pages (table and its
    indexes), articles (table and indexes), the FTS5 index, everything else."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    free = con.execute("PRAGMA freelist_count").fetchone()[0] * page_size
    owner = dict(con.execute("SELECT name, tbl_name FROM sqlite_master").fetchall())
    out = {"file": float(path.stat().st_size), "free": float(free)}
    out |= {k: 0.0 for k in ("pages", "articles", "fts", "other")}
    # per page, not aggregate = TRUE: its per-table pgsize total overflows past 2 GiB
    for name, size in con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        table = owner.get(name, name)
        part = "fts" if table.startswith("articles_fts") else table
        out[part if part in out else "other"] += size
    sql = "SELECT count(html_zlib), sum(length(html_zlib)) FROM pages"
    kept, html = con.execute(sql).fetchone()
    out |= {"html_kept": float(kept), "html_bytes": float(html or 0)}
    out["articles_n"] = float(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    con.close()
    out["live"] = out["file"] - out["free"]
    return out


def prune(cfg: Config) -> tuple[dict[str, int], float]:
    """The weekly maintenance job, as the service runs it, with this store's config."""
    t0 = time.perf_counter()
    result = jobs.run_maintenance(cfg, now=datetime.now(UTC))
    return result, time.perf_counter() - t0


def vacuum(path: Path) -> float:
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("VACUUM")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return time.perf_counter() - t0


# --- the report --------------------------------------------------------------------------

CLI_SEARCHES = (
    ["search", "cement", "--since", "7d"],
    ["search", '"policy rate"'],
    ["search", "said", "--source", "profit"],
)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _mb(size: float) -> str:
    return f"{size / 1e6:,.0f}"


def _load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report_search(timed: list[Timed]) -> tuple[float, float]:
    """Print the search table; return the p95 of all searches, wall and CPU seconds."""
    print("| searches | n | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | mean rows |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in ["all", *sorted({t.search.kind for t in timed})]:
        some = [t for t in timed if kind in ("all", t.search.kind)]
        wall, cpu = [t.wall for t in some], [t.cpu for t in some]
        print(
            f"| {kind} | {len(some)} | {_ms(percentile(wall, 50))} | {_ms(percentile(wall, 95))} "
            f"| {_ms(max(wall))} | {_ms(percentile(cpu, 50))} | {_ms(percentile(cpu, 95))} | "
            f"{statistics.mean(t.rows for t in some):.1f} |"
        )
    return percentile([t.wall for t in timed], 95), percentile([t.cpu for t in timed], 95)


def report_cli(config: Path, runs: int) -> None:
    print("\n| the whole command, wall time (Python start-up included) | runs | min s | median s |")
    print("|---|---|---|---|")
    for argv in (["--help"], *CLI_SEARCHES):
        times = time_cli(config, argv, runs)
        shown = " ".join(f"'{a}'" if " " in a or '"' in a else a for a in argv)
        label = f"`python -m scheduler {shown}`"
        label += " (start-up and argument parsing only)" if argv == ["--help"] else ""
        print(f"| {label} | {runs} | {min(times):.2f} | {statistics.median(times):.2f} |")


def report_digest(steps: Steps, history: list[float]) -> tuple[float, float]:
    """Print the digest table; return the first publish_digest's median, wall and CPU."""
    print("| step | runs | median s | max s | CPU median s |\n|---|---|---|---|---|")
    for name, wall in steps.wall.items():
        cpu = statistics.median(steps.cpu[name])
        median, top = statistics.median(wall), max(wall)
        print(f"| {name} | {len(wall)} | {median:.3f} | {top:.3f} | {cpu:.3f} |")
    if history:
        print(
            f"| publish_digest of each past day once, during generation (the day's first) | "
            f"{len(history)} | {statistics.median(history):.3f} | {max(history):.3f} | - |"
        )
    return statistics.median(steps.wall[FIRST]), statistics.median(steps.cpu[FIRST])


SIZE_HEAD = (
    "| store | file MB | live MB | live KB / article | raw pages MB | raw HTML kept | "
    "articles MB | FTS5 MB | other MB | free MB |\n|---|---|---|---|---|---|---|---|---|---|"
)


def size_row(label: str, s: dict[str, float], articles: float) -> str:
    per = s["live"] / articles / 1024
    html = s["html_bytes"] / max(s["html_kept"], 1) / 1024
    return (
        f"| {label} | {_mb(s['file'])} | {_mb(s['live'])} | {per:.1f} | {_mb(s['pages'])} | "
        f"{s['html_kept']:,.0f} pages, {html:.1f} KB each | {_mb(s['articles'])} | "
        f"{_mb(s['fts'])} | {_mb(s['other'])} | {_mb(s['free'])} |"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.store",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=75, help="local days the articles span")
    parser.add_argument(
        "--keep-days", type=int, default=30, help="keep_pages_days for the pruning (default 30)"
    )
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--cli-runs", type=int, default=5)
    parser.add_argument("--digest-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="where the store goes (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the store an earlier run left in --dir (no generation; that store may "
        "have been pruned already)",
    )
    parser.add_argument("--no-vacuum", action="store_true", help="skip the VACUUM row")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="newsdesk-store-", dir="/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run(args, folder)
    finally:
        if args.dir is None and not args.keep:
            shutil.rmtree(folder)
        else:
            print(f"\nstore kept in {folder}", file=sys.stderr)


def run(args: argparse.Namespace, folder: Path) -> None:
    config = folder / "newsdesk.toml" if args.reuse else write_config(folder, args.keep_days)
    cfg = load_config(config)
    history: list[float] = []
    if not args.reuse:
        gen = generate(cfg, args.articles, args.days, args.seed, datetime.now(UTC))
        _print_store(gen)
        history = gen.history
    print(f"\n## 1. search: `digest.query.run_query` + `format_rows` ({_load()})\n")
    timed = time_searches(cfg, search_mix(Corpus(args.seed), args.searches, args.seed))
    search = report_search(timed)
    report_cli(config, args.cli_runs)
    day, count = busiest_day(cfg)
    steps, stories = time_digest(cfg, day, args.digest_runs)
    print(f"\n## 2. the digest of {day}, the busiest complete day ({_load()})\n")
    print(f"{count:,} articles, {stories:,} stories\n")
    publish = report_digest(steps, history)
    sizes_before, sizes_after = _print_sizes(cfg, args)
    _print_goals(search, publish, sizes_before, sizes_after, cfg.keep_pages_days)


def _print_store(gen: Generated) -> None:
    cores = len(os.sched_getaffinity(0))
    print(
        f"store: {gen.articles:,} articles from {len(SOURCES)} sources "
        f"({gen.copies:,} of them syndicated copies), {gen.crawls:,} hourly crawls, "
        f"{len(gen.history)} past digests; {cores} cores; SQLite {sqlite3.sqlite_version}\n"
        f"generated through the store API: articles and pages in {gen.seconds:,.0f} s "
        f"({gen.articles / gen.seconds:,.0f} a second), crawl runs and past digests in "
        f"{gen.history_seconds:,.0f} s\n"
        f"raw pages: each article's HTML inside {gen.shells}; "
        f"{gen.raw_bytes / gen.articles / 1024:.1f} KB a page on average before compression\n"
        "not real: no extraction or summarisation ran (the summary is the lead sentences)"
    )


def _print_sizes(cfg: Config, args: argparse.Namespace) -> tuple[dict[str, float], ...]:
    print(f"\n## 3. size (dbstat; live = the file less its free pages)\n\n{SIZE_HEAD}")
    before = sizes(cfg.db_path)
    n = before["articles_n"]
    print(size_row("as generated", before, n))
    result, seconds = prune(cfg)
    after = sizes(cfg.db_path)
    label = f"after run_maintenance, keep_pages_days = {cfg.keep_pages_days} ({seconds:.0f} s)"
    print(size_row(label, after, n))
    if not args.no_vacuum:
        seconds = vacuum(cfg.db_path)
        label = f"then VACUUM, which maintenance does not run ({seconds:.0f} s)"
        print(size_row(label, sizes(cfg.db_path), n))
    print(f"\nrun_maintenance: {result}")
    return before, after


def _verdict(measured: float, goal: float) -> str:
    return f"{measured / goal:.2f} | {'met' if measured < goal else 'MISSED'}"


def _print_goals(
    search: tuple[float, float],
    publish: tuple[float, float],
    before: dict[str, float],
    after: dict[str, float],
    keep: int,
) -> None:
    n = before["articles_n"] * 1024
    print("\n## goals (issue #9 item 5)\n")
    print("| goal | measured (wall; CPU) | wall / goal | met? |\n|---|---|---|---|")
    wall, cpu = search
    print(
        f"| `newsdesk search` p95 < {GOAL_SEARCH_P95_MS:.0f} ms | {_ms(wall)} ms; {_ms(cpu)} ms "
        f"| {_verdict(wall * 1000, GOAL_SEARCH_P95_MS)} |"
    )
    wall, cpu = publish
    print(
        f"| a day's digest < {GOAL_DIGEST_S:.0f} s (the busiest day's first publish_digest, "
        f"median) | {wall:.2f} s; {cpu:.2f} s | {_verdict(wall, GOAL_DIGEST_S)} |"
    )
    print(
        f"| size per article reported (raw HTML zlib-compressed; pruned after "
        f"keep_pages_days = {keep}) | {before['live'] / n:.1f} KB as generated, "
        f"{after['live'] / n:.1f} KB live after pruning | - | reported |"
    )


if __name__ == "__main__":
    main()
