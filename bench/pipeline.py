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
"""

from __future__ import annotations

import argparse
import ctypes
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

    counts = {"pages": 0}

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = urls

        def parse(self, response):
            counts["pages"] += 1
            if naive and (text := trafilatura.extract(response.text, include_comments=False)):
                summarise(text)
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
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    while True:  # the orphans, now this process's children
        try:
            os.wait()
        except ChildProcessError:
            break
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out.write_text(json.dumps({"seconds": seconds, "peak_kib": peak}), encoding="utf-8")


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
    return {"seconds": result["seconds"], "cpu": cpu, "rss_mb": result["peak_kib"] / 1024}


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}


def spider_run(role: str, urls_file: Path, tmp: Path) -> dict[str, float]:
    out = tmp / f"{role}.json"
    command = [sys.executable, "-m", "bench.pipeline", "--role", role]
    command += ["--urls", str(urls_file), "--out", str(out)]
    run = measured(command, tmp, tmp)
    run["pages"] = json.loads(out.read_text(encoding="utf-8"))["pages"]
    return run


SAME_PACE = "concurrency = 16\nautothrottle = false\n"  # (a) and (b)'s pace, for (c)


def write_config(folder: Path, base: str, n_articles: int, pace: str) -> None:
    """bench/discovery.py's config (``download_delay = 0.0``) with ``pace`` added to its
    one source."""
    folder.mkdir(parents=True)
    text = newsdesk_toml(base, source=f"max_pages = {n_articles * 2}\n{pace}")
    (folder / "newsdesk.toml").write_text(text, encoding="utf-8")


def newsdesk_run(folder: Path, tmp: Path) -> dict[str, object]:
    """``newsdesk crawl --process`` (fetch, extract, summarise, commit; then any page left
    pending), measured; then a count of what the store holds."""
    run = measured([sys.executable, "-m", "scheduler", "crawl", "--process"], folder, tmp)
    with sqlite3.connect(folder / "data" / "newsdesk.db") as conn:
        run["pages"] = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
        run["articles"] = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        run["pending"] = conn.execute(
            "SELECT count(*) FROM pages WHERE state = 'pending'"
        ).fetchone()[0]
    return run


def stored_sample(db: Path, n: int) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, html_zlib FROM pages WHERE html_zlib IS NOT NULL ORDER BY url LIMIT ?",
            [n],
        ).fetchall()
    return [(url, zlib.decompress(blob).decode("utf-8")) for url, blob in rows]


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


if __name__ == "__main__":
    main()
