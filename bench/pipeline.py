"""Pipeline throughput: a bare crawl, the naive design and newsdesk, on one site.

    python -m bench.pipeline [--articles 2000] [--memory-articles 20000]

Generates a news site (bench/site.py), serves it on 127.0.0.1 (with nginx when installed,
bench/serve.py) and, in one run, measures:

(a) fetch only: a bare Scrapy spider that requests every article page (the list comes
    from ``SiteInfo.articles``) and does nothing with the responses;
(b) naive: the same spider running ``trafilatura.extract(response.text,
    include_comments=False)`` and ``digest.summarise.summarise`` in its callback (twice;
    the ratios use the faster run);
(c) newsdesk: ``newsdesk crawl --process`` on a fresh data dir: pages discovered
    (sections, feeds, sitemaps), fetched, extracted and summarised while the crawl runs,
    committed; then any page left pending (the report shows none is left). Twice at the
    pace of (a) and (b) (16 requests at a time, no AutoThrottle: ``concurrency = 16``,
    ``autothrottle = false``, ``download_delay = 0``), once at newsdesk's default pace (2
    at a time, AutoThrottle).

(a) and (b) use CrawlerProcess with crawler/settings.py's limits but no AutoThrottle, 16
requests per domain, no robots.txt, no HTTP cache and no cookies. Every measured step runs
as a subprocess (``--role``) wrapped by a second one (``--role wrap``): wall time is the
wrapper's, CPU seconds are user+sys from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas
around it (the whole process tree, the fork server and its workers included: the wrapper
is their subreaper), peak RSS is the largest ``ru_maxrss`` of any one process in the
tree. The extraction+summary limit is the core count divided by the mean CPU seconds per
page of ``digest.extract.extract`` plus ``digest.summarise.summarise``, timed in one
process on 200 pages newsdesk stored (the fastest of 3 rounds). Two "bound" lines put the
goals of issue 9 against those costs: the most any design fetching on the same cores
could reach (extraction+summary plus (a)'s CPU per page), and the CPU time per page that
1.8x (b) leaves.

With ``--memory-articles N``, (c) also runs once on a second site of N articles, and the
peak RSS of the two runs is compared.

    python -m bench.pipeline --real-pages [DIR] [--articles 2000] [--memory-articles 20000]

With ``--real-pages``, the site's article pages are real news pages (bench/realsite.py:
the same structure, each article a copy of one of the ``<id>.html.gz`` pages of DIR,
default ``../shared/data/extraction/scrapinghub``, cycled, with its canonical link, og:url
and base href moved to its URL on the site). The same (a), (b) and (c) run on it, and two
more:

(d) crawl, then process: ``newsdesk crawl`` (no ``--process``) on a fresh data dir, then
    ``newsdesk process``, each measured as above; reported as one run (wall time and CPU
    time summed, the larger peak RSS);
(e) incremental: ``newsdesk crawl --process`` again on the data dir of the first (c),
    right after it, with nothing new on the site: its wall time, its requests (the
    store's ``crawl_sources`` row) and the wall time beyond what those requests cost (a),
    that is wall time - requests / (a)'s pages per second.

With ``--memory-articles N`` here too, (c) runs once more on a site of N real-page
articles, and its peak RSS is compared with the first (c)'s.

Each run reports articles found and stored (for (a) and (b): pages fetched and pages with
text extracted and summarised; for newsdesk: pages stored and articles stored), articles
per second, CPU ms per stored article (every process counted) and the peak RSS of the
largest process; then the ratios c/b and d/b of CPU per article and of articles per
second (against the faster (b) and the cheaper (b), each the stricter choice). The
extraction+summary cost per page is timed in one process on 200 stored pages both ways:
newsdesk's ``digest.extract.extract`` + summary, and (b)'s ``trafilatura.extract`` + summary.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.realsite import DEFAULT_PAGES, RealSiteInfo, build_real_site
from bench.serve import serve_generated
from bench.site import generate_site, newsdesk_toml

SAMPLE = 200
SPIDER_SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "CONCURRENT_ITEMS": 4,  # as crawler/settings.py: fewer tasks per response
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    "RETRY_TIMES": 1,
    "HTTPCACHE_ENABLED": False,
    "COOKIES_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


# --- the subprocess roles ---------------------------------------------------------------


def run_spider(urls: list[str], naive: bool, out: Path) -> None:
    """Crawl ``urls`` with a bare spider; with ``naive``, extract and summarise each. The
    fetch-only spider does not import extraction or summaries: its cost is the fetch's."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    if naive:
        import trafilatura

        from digest.summarise import summarise

    counts = {"pages": 0, "articles": 0}

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = urls

        def parse(self, response):
            counts["pages"] += 1
            if naive and (text := trafilatura.extract(response.text, include_comments=False)):
                summarise(text)
                counts["articles"] += 1
            return None

    process = CrawlerProcess(SPIDER_SETTINGS)
    process.crawl(BareSpider)
    process.start()
    out.write_text(json.dumps(counts), encoding="utf-8")


PR_SET_CHILD_SUBREAPER = 36


def run_wrapped(command: list[str], out: Path) -> None:
    """Run ``command``; record its wall time and the tree's peak RSS (ru_maxrss, KiB).
    This process is made the subreaper of the tree, so a descendant that its parent never
    waits for (the fork server of the extraction workers outlives the crawl by a moment)
    is reaped here and its CPU time and RSS are counted too."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    output = done.stdout.decode("utf-8", "replace")[-2000:]  # the closing lines
    while True:  # the orphans, now this process's children
        try:
            os.wait()
        except ChildProcessError:
            break
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out.write_text(
        json.dumps({"seconds": seconds, "peak_kib": peak, "output": output}), encoding="utf-8"
    )


# --- the parent ---------------------------------------------------------------------------


def measured(command: list[str], cwd: Path, tmp: Path) -> dict[str, float]:
    """Wall time, CPU seconds and peak RSS (MB) of ``command`` and all its descendants."""
    out = tmp / f"wrap-{time.monotonic_ns()}.json"
    wrapper = [sys.executable, "-m", "bench.pipeline", "--role", "wrap", "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([*wrapper, "--", *command], cwd=cwd, check=True, env=_env())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = json.loads(out.read_text(encoding="utf-8"))
    return {
        "seconds": result["seconds"],
        "cpu": cpu,
        "rss_mb": result["peak_kib"] / 1024,
        "output": result.get("output", ""),
    }


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}


def spider_run(role: str, urls_file: Path, tmp: Path) -> dict[str, float]:
    out = tmp / f"{role}.json"
    command = [sys.executable, "-m", "bench.pipeline", "--role", role]
    command += ["--urls", str(urls_file), "--out", str(out)]
    run = measured(command, tmp, tmp)
    counts = json.loads(out.read_text(encoding="utf-8"))
    run["pages"], run["extracted"] = counts["pages"], counts["articles"]
    return run


SAME_PACE = "concurrency = 16\nautothrottle = false\n"  # (a) and (b)'s pace, for (c)


def write_config(folder: Path, base: str, n_articles: int, pace: str) -> None:
    """bench/discovery.py's config (``download_delay = 0.0``) with ``pace`` added to its
    one source."""
    folder.mkdir(parents=True)
    text = newsdesk_toml(base, source=f"max_pages = {n_articles * 2}\n{pace}")
    (folder / "newsdesk.toml").write_text(text, encoding="utf-8")


NEWSDESK = [sys.executable, "-m", "scheduler"]


def newsdesk_run(folder: Path, tmp: Path) -> dict[str, object]:
    """``newsdesk crawl --process`` (fetch, extract, summarise, commit; then any page left
    pending), measured; then a count of what the store holds."""
    run = measured([*NEWSDESK, "crawl", "--process"], folder, tmp)
    return run | store_counts(folder)


def store_counts(folder: Path) -> dict[str, object]:
    with sqlite3.connect(folder / "data" / "newsdesk.db") as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "pages": one("SELECT count(*) FROM pages"),
            "articles": one("SELECT count(*) FROM articles"),
            "pending": one("SELECT count(*) FROM pages WHERE state = 'pending'"),
            "states": dict(conn.execute("SELECT state, count(*) FROM pages GROUP BY state")),
        }


def crawl_then_process(folder: Path, tmp: Path) -> dict[str, object]:
    """(d): ``newsdesk crawl``, then ``newsdesk process``, each measured; summed."""
    crawl = measured([*NEWSDESK, "crawl"], folder, tmp)
    process = measured([*NEWSDESK, "process"], folder, tmp)
    run = {
        "seconds": crawl["seconds"] + process["seconds"],
        "cpu": crawl["cpu"] + process["cpu"],
        "rss_mb": max(crawl["rss_mb"], process["rss_mb"]),
        "parts": {"crawl": crawl, "process": process},
    }
    return run | store_counts(folder)


def incremental_run(folder: Path, tmp: Path) -> dict[str, object]:
    """(e): ``newsdesk crawl --process`` again on ``folder``'s data, measured; with the
    crawl's own row of ``crawl_sources``."""
    before = store_counts(folder)
    run = measured([*NEWSDESK, "crawl", "--process"], folder, tmp)
    with sqlite3.connect(folder / "data" / "newsdesk.db") as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM crawl_sources ORDER BY run_id DESC LIMIT 1").fetchone()
    return run | {"before": before, "after": store_counts(folder), "crawl": dict(row)}


def stored_sample(db: Path, n: int) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, html_zlib FROM pages WHERE html_zlib IS NOT NULL ORDER BY url LIMIT ?",
            [n],
        ).fetchall()
    return [(url, zlib.decompress(blob).decode("utf-8")) for url, blob in rows]


def naive_cpu_per_page(pages: list[tuple[str, str]], rounds: int = 3) -> float:
    """As :func:`cpu_per_page`, for (b)'s callback: ``trafilatura.extract`` then
    ``digest.summarise.summarise`` of its text."""
    import trafilatura

    from digest.summarise import summarise

    trafilatura.extract(pages[0][1], include_comments=False)  # warm up imports
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _url, html in pages:
            if text := trafilatura.extract(html, include_comments=False):
                summarise(text)
        best = min(best, (time.process_time() - started) / len(pages))
    return best


def cpu_per_page(pages: list[tuple[str, str]], rounds: int = 3) -> float:
    """Mean CPU seconds of digest.extract.extract + digest.summarise.summarise per page,
    in the fastest of ``rounds`` rounds over ``pages`` (the first round also pays for
    models and caches loaded on first use, and the machine's own noise is one-sided)."""
    from digest.extract import extract
    from digest.summarise import summarise

    extract(*reversed(pages[0]))  # warm up imports
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for url, html in pages:
            page = extract(html, url)
            if page.text:
                summarise(page.text, title=page.title)
        best = min(best, (time.process_time() - started) / len(pages))
    return best


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.role == "wrap":
        run_wrapped(args.command, Path(args.out))
        return
    if args.role in ("fetch-only", "naive"):
        urls = Path(args.urls).read_text(encoding="utf-8").split()
        run_spider(urls, args.role == "naive", Path(args.out))
        return
    if args.real_pages:
        real_benchmark(args.articles, args.real_pages, args.memory_articles)
        return
    benchmark(args.articles, args.memory_articles)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument(
        "--memory-articles",
        type=int,
        metavar="N",
        help="also run (c) on a site of N articles and compare peak memory (issue: 20000)",
    )
    parser.add_argument(
        "--real-pages",
        type=Path,
        nargs="?",
        const=DEFAULT_PAGES,
        metavar="DIR",
        help="article pages are copies of the real pages in DIR (default: "
        "../shared/data/extraction/scrapinghub); adds runs (d) and (e)",
    )
    parser.add_argument("--role", choices=("fetch-only", "naive", "wrap"), help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


RUNS = {
    "c1": ("(c) newsdesk, same pace as (a)/(b), run 1", SAME_PACE),
    "c2": ("(c) newsdesk, same pace as (a)/(b), run 2", SAME_PACE),
    "polite": ("(c) newsdesk, default pace (2 at a time, AutoThrottle)", ""),
}


def benchmark(n_articles: int, memory_articles: int | None) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        runs, server, per_page = site_runs(tmp, n_articles, now)
        if memory_articles:
            big = tmp / "big"
            big.mkdir()
            with serve_generated(big / "site", _generator(big, memory_articles, now)):
                base = (big / "base.txt").read_text(encoding="utf-8")
                write_config(big / "c", base, memory_articles, SAME_PACE)
                runs["big"] = newsdesk_run(big / "c", big)
    report(n_articles, memory_articles, runs, per_page, server)


def site_runs(tmp: Path, n_articles: int, now: datetime) -> tuple[dict, str, tuple[float, int]]:
    with serve_generated(tmp / "site", _generator(tmp, n_articles, now)) as server:
        base = (tmp / "base.txt").read_text(encoding="utf-8")
        runs = {"a": spider_run("fetch-only", tmp / "urls.txt", tmp)}
        runs["b"] = spider_run("naive", tmp / "urls.txt", tmp)
        runs["b2"] = spider_run("naive", tmp / "urls.txt", tmp)
        for key, (_, pace) in RUNS.items():
            write_config(tmp / key, base, n_articles, pace)
            runs[key] = newsdesk_run(tmp / key, tmp)
    sample = stored_sample(tmp / "c1" / "data" / "newsdesk.db", SAMPLE)
    return runs, server, (cpu_per_page(sample), len(sample))


def _generator(folder: Path, n_articles: int, now: datetime) -> Callable[[str], None]:
    """Write the site and, beside it, its base URL and the article URLs (for (a), (b))."""

    def generate(base: str) -> None:
        info = generate_site(folder / "site", n_articles, now=now, base=base)
        (folder / "base.txt").write_text(base, encoding="utf-8")
        urls = "\n".join(base + path for path in info.articles)
        (folder / "urls.txt").write_text(urls, encoding="utf-8")

    return generate


def _row(name: str, run: dict, pages: int) -> str:
    return (
        f"| {name} | {pages} | {run['seconds']:.1f} | {pages / run['seconds']:.1f} "
        f"| {run['cpu']:.1f} | {run['cpu'] / max(pages, 1) * 1000:.1f} | {run['rss_mb']:.0f} |"
    )


def report(
    n_articles: int,
    memory_articles: int | None,
    runs: dict,
    per_page: tuple[float, int],
    server: str,
) -> None:
    (per_page, sampled), cores = per_page, os.cpu_count() or 1
    limit = cores / per_page
    print(f"site: {n_articles} articles, served by {server}; {cores} cores\n")
    print("| run | pages | wall s | pages/s | CPU s | CPU ms/page | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    print(_row("(a) fetch only", runs["a"], runs["a"]["pages"]))
    print(_row("(b) naive: trafilatura + sumy in callback, run 1", runs["b"], runs["b"]["pages"]))
    print(_row("(b) naive, run 2", runs["b2"], runs["b2"]["pages"]))
    for key, (label, _) in RUNS.items():
        run = runs[key]
        print(_row(label, run, run["articles"]))
    print(
        f"\nextraction+summary: {per_page * 1000:.1f} CPU ms/page ({sampled} stored pages, "
        "fastest of 3 rounds); ratios use the faster (b)"
    )
    print(f"limit = {cores} cores / that = {limit:.1f} pages/s")
    b_rate = max(runs[k]["pages"] / runs[k]["seconds"] for k in ("b", "b2"))  # the faster
    fetch = runs["a"]["cpu"] / runs["a"]["pages"]  # a bare Scrapy fetch, start-up included
    floor = per_page + fetch
    print(
        f"bound: extraction+summary plus a bare fetch ((a), {fetch * 1000:.1f} ms) is "
        f"{floor * 1000:.1f} CPU ms/page, so even with nothing else {cores} cores allow "
        f"{cores / floor:.1f} pages/s = {per_page / floor:.1%} of the limit"
    )
    budget = cores / (1.8 * b_rate)
    print(
        f"bound: 1.8x b = {1.8 * b_rate:.1f} pages/s leaves {budget * 1000:.1f} CPU ms/page "
        f"on {cores} fully busy cores, {(budget - floor) * 1000:.1f} ms beyond that floor for "
        "discovery, storage, full-text indexing, hand-offs and start-up"
    )
    for key, (label, _) in RUNS.items():
        rate = runs[key]["articles"] / runs[key]["seconds"]
        busy = runs[key]["cpu"] / runs[key]["seconds"]
        own = runs[key]["cpu"] / runs[key]["articles"]  # CPU s per page, the crawl included
        print(
            f"{label}: c/b = {rate / b_rate:.2f}x, c/limit = {rate / limit:.1%}; "
            f"{busy:.2f} of {cores} cores busy; at its own {own * 1000:.1f} CPU ms/page "
            f"{cores} cores allow {cores / own:.1f} pages/s, c reaches {rate * own / cores:.0%}"
        )
    pending = {key: runs[key]["pending"] for key in RUNS}
    print(f"pages left pending after each (c) run: {pending}")
    if memory_articles:
        big, small = runs["big"], runs["c1"]
        print(
            f"\nmemory: (c) on {memory_articles} articles: {big['articles']} articles in "
            f"{big['seconds']:.1f} s ({big['articles'] / big['seconds']:.1f} pages/s)"
        )
        a, b = small["rss_mb"], big["rss_mb"]
        print(
            f"  peak RSS of any one process: {a:.0f} MB at {n_articles} articles, "
            f"{b:.0f} MB at {memory_articles} ({b / a - 1:+.1%})"
        )


# --- real pages (issue 19) -----------------------------------------------------------------

REAL_RUNS = {
    "c1": "(c) newsdesk crawl --process, same pace as (a)/(b), run 1",
    "c2": "(c) newsdesk crawl --process, same pace, run 2",
    "polite": "(c) newsdesk crawl --process, default pace (2 at a time, AutoThrottle)",
    "d": "(d) newsdesk crawl, then newsdesk process, same pace",
}


def real_benchmark(n_articles: int, pages_dir: Path, memory_articles: int | None = None) -> None:
    """(a), (b) twice, (c) and right after it (e), (d), then (c) again at both paces, on a
    site of real article pages; with ``memory_articles``, (c) once more on a site of that
    many real-page articles; then the report."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    pages_dir = pages_dir.resolve()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        site: dict[str, RealSiteInfo] = {}
        generate = _real_generator(tmp, pages_dir, n_articles, now, site)
        with serve_generated(tmp / "site", generate) as server:
            base = (tmp / "base.txt").read_text(encoding="utf-8")
            runs: dict[str, Any] = {"a": spider_run("fetch-only", tmp / "urls.txt", tmp)}
            runs["b"] = spider_run("naive", tmp / "urls.txt", tmp)
            runs["b2"] = spider_run("naive", tmp / "urls.txt", tmp)
            write_config(tmp / "c1", base, n_articles, SAME_PACE)
            runs["c1"] = newsdesk_run(tmp / "c1", tmp)
            runs["e"] = incremental_run(tmp / "c1", tmp)
            write_config(tmp / "d", base, n_articles, SAME_PACE)
            runs["d"] = crawl_then_process(tmp / "d", tmp)
            write_config(tmp / "c2", base, n_articles, SAME_PACE)
            runs["c2"] = newsdesk_run(tmp / "c2", tmp)
            write_config(tmp / "polite", base, n_articles, "")
            runs["polite"] = newsdesk_run(tmp / "polite", tmp)
        sample = stored_sample(tmp / "c1" / "data" / "newsdesk.db", SAMPLE)
        costs = {"newsdesk": cpu_per_page(sample), "naive": naive_cpu_per_page(sample)}
        if memory_articles:
            runs["big"] = big_real_run(tmp / "big", pages_dir, memory_articles, now)
        report_real(site["info"], runs, costs, len(sample), server)


def _real_generator(
    folder: Path,
    pages_dir: Path,
    n_articles: int,
    now: datetime,
    site: dict[str, RealSiteInfo] | None = None,
) -> Callable[[str], None]:
    """Write a real-page site and, beside it, its base URL and the article URLs (for (a),
    (b)); its RealSiteInfo goes into ``site``."""

    def generate(base: str) -> None:
        info = build_real_site(folder / "site", pages_dir, n_articles, base, now)
        (folder / "base.txt").write_text(base, encoding="utf-8")
        urls = "\n".join(base + path for path in info.articles)
        (folder / "urls.txt").write_text(urls, encoding="utf-8")
        if site is not None:
            site["info"] = info

    return generate


def big_real_run(folder: Path, pages_dir: Path, n_articles: int, now: datetime) -> dict:
    """(c) at (a)/(b)'s pace on a site of ``n_articles`` real-page articles, for memory."""
    folder.mkdir()
    with serve_generated(folder / "site", _real_generator(folder, pages_dir, n_articles, now)):
        base = (folder / "base.txt").read_text(encoding="utf-8")
        write_config(folder / "c", base, n_articles, SAME_PACE)
        return newsdesk_run(folder / "c", folder) | {"site_articles": n_articles}


def _real_row(name: str, run: dict[str, Any], found: int, stored: int | None) -> str:
    per = stored if stored is not None else found
    return (
        f"| {name} | {found} | {'-' if stored is None else stored} | {run['seconds']:.1f} "
        f"| {per / run['seconds']:.1f} | {run['cpu']:.1f} | {run['cpu'] / max(per, 1) * 1000:.1f} "
        f"| {run['rss_mb']:.0f} |"
    )


def report_real(
    info: RealSiteInfo, runs: dict[str, Any], costs: dict[str, float], sampled: int, server: str
) -> None:
    cores = os.cpu_count() or 1
    ids = sorted(set(info.page_ids.values()))
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
    print(
        f"site: {len(info.articles)} articles, served by {server}; {cores} cores\n"
        f"article pages: copies of {len(ids)} real pages of {info.pages_dir} (ids in order, "
        f"cycled: article k is page (k-1) mod {len(ids)}; sha256 of the sorted ids "
        f"{digest}; first {ids[0][:12]}, last {ids[-1][:12]}); tags rewritten, in how many "
        f"pages: {info.rewritten}\n"
    )
    print(
        "| run | articles found | articles stored | wall s | articles/s | CPU s "
        "| CPU ms/article | peak RSS MB (largest process) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(_real_row("(a) fetch only (pages fetched)", runs["a"], runs["a"]["pages"], None))
    for key, label in (("b", "run 1"), ("b2", "run 2")):
        run = runs[key]
        name = f"(b) naive: trafilatura + sumy in callback, {label}"
        print(_real_row(name, run, run["pages"], run["extracted"]))
    for key in ("c1", "c2", "polite", "d"):
        run = runs[key]
        print(_real_row(REAL_RUNS[key], run, run["pages"], run["articles"]))
    e = runs["e"]
    print(
        f"| (e) newsdesk crawl --process again, nothing new | {e['crawl']['requests']} requests "
        f"| {e['after']['articles'] - e['before']['articles']} new | {e['seconds']:.1f} | - "
        f"| {e['cpu']:.1f} | - | {e['rss_mb']:.0f} |"
    )
    b_rate = max(runs[k]["extracted"] / runs[k]["seconds"] for k in ("b", "b2"))
    b_cpu = min(runs[k]["cpu"] / runs[k]["extracted"] for k in ("b", "b2"))
    print(
        f"\nratios against (b)'s faster run ({b_rate:.1f} articles/s) and cheaper run "
        f"({b_cpu * 1000:.1f} CPU ms/article):"
    )
    for key in ("c1", "c2", "polite", "d"):
        run = runs[key]
        rate, cpu = run["articles"] / run["seconds"], run["cpu"] / run["articles"]
        tag = "d" if key == "d" else "c"
        print(
            f"  {REAL_RUNS[key]}: CPU per article {tag}/b = {cpu / b_cpu:.2f}x, "
            f"articles/s {tag}/b = {rate / b_rate:.2f}x; {run['cpu'] / run['seconds']:.2f} of "
            f"{cores} cores busy"
        )
    d = runs["d"]["parts"]
    print(
        f"  (d) in parts: crawl {d['crawl']['seconds']:.1f} s wall, {d['crawl']['cpu']:.1f} "
        f"CPU s, {d['crawl']['rss_mb']:.0f} MB; process {d['process']['seconds']:.1f} s wall, "
        f"{d['process']['cpu']:.1f} CPU s, {d['process']['rss_mb']:.0f} MB"
    )
    a_rate = runs["a"]["pages"] / runs["a"]["seconds"]
    row = e["crawl"]
    print(
        f"\n(e) incremental: {e['seconds']:.1f} s wall, {e['cpu']:.1f} CPU s, "
        f"{row['requests']} requests ({row['listings_read']} listings read, "
        f"{row['not_modified']} answered 304, {row['known_skipped']} known articles skipped, "
        f"{row['pages_saved']} pages saved), status {row['status']}; the crawl itself "
        f"{row['duration_s']:.1f} s; wall time beyond requests = {e['seconds']:.1f} - "
        f"{row['requests']} / {a_rate:.1f} ((a)'s pages/s) = "
        f"{e['seconds'] - row['requests'] / a_rate:.1f} s"
    )
    print(
        f"\nextraction+summary in one process, {sampled} stored pages, fastest of 3 rounds: "
        f"newsdesk (digest.extract + summarise) {costs['newsdesk'] * 1000:.1f} CPU ms/page, "
        f"naive (trafilatura.extract + summarise) {costs['naive'] * 1000:.1f} CPU ms/page; "
        f"bare fetch ((a)) {runs['a']['cpu'] / runs['a']['pages'] * 1000:.1f} CPU ms/page"
    )
    if big := runs.get("big"):
        c1 = runs["c1"]
        print(
            f"\nmemory: (c) on {big['site_articles']} real-page articles: {big['articles']} "
            f"stored in {big['seconds']:.1f} s ({big['articles'] / big['seconds']:.1f} articles/s, "
            f"{big['cpu'] / big['articles'] * 1000:.1f} CPU ms/article); peak RSS of the largest "
            f"process {c1['rss_mb']:.0f} MB at {len(info.articles)} articles ((c) run 1), "
            f"{big['rss_mb']:.0f} MB at {big['site_articles']} "
            f"({(big['rss_mb'] / c1['rss_mb'] - 1) * 100:+.1f}%)"
        )
    c1 = runs["c1"]
    naive_rest = b_cpu - costs["naive"]  # (b)'s own cost beyond extraction+summary
    floor = costs["newsdesk"] * c1["pages"] / c1["articles"] + naive_rest
    print(
        f"floor: newsdesk's extraction+summary costs {costs['newsdesk'] / costs['naive']:.2f}x "
        f"(b)'s on the same pages in one process. With everything else (fetching, discovery, "
        f"storage, full-text index, hand-offs, start-up) costing newsdesk no more than (b)'s "
        f"own cost beyond extraction+summary ({naive_rest * 1000:.1f} CPU ms/article), and "
        f"{c1['pages']} pages for {c1['articles']} articles ((c) run 1): "
        f"{floor * 1000:.1f} CPU ms/article, c/b = {floor / b_cpu:.2f}x; on {cores} fully "
        f"busy cores at most {cores * b_cpu / floor:.2f}x (b)'s articles/s"
    )
    states = {k: runs[k]["states"] for k in ("c1", "c2", "polite", "d")}
    print(f"pages by state in each store: {states}")
    for key in ("c1", "d"):
        first = runs[key].get("output") or runs[key]["parts"]["crawl"]["output"]
        print(f"{key} crawl's closing lines: {' | '.join(first.strip().splitlines()[-3:])}")
    print(f"e crawl's closing lines: {' | '.join(e['output'].strip().splitlines()[-3:])}")


if __name__ == "__main__":
    main()
