"""Pipeline throughput: a bare crawl, the naive design and newsdesk, on one site.

    python -m bench.pipeline [--articles 2000]

Generates a news site (bench/site.py), serves it on 127.0.0.1 and, in one run, measures:

(a) fetch only: a bare Scrapy spider that requests every article page (the list comes
    from ``SiteInfo.articles``) and does nothing with the responses;
(b) naive: the same spider running ``trafilatura.extract(response.text,
    include_comments=False)`` and ``digest.summarise.summarise`` in its callback;
(c) newsdesk: ``python -m scheduler crawl`` then ``python -m scheduler process`` on a
    fresh data dir (pages fetched, extracted, summarised and committed), twice, each time
    with bench/discovery.py's config, whose only speed setting is ``download_delay = 0.0``.
    Both runs keep newsdesk's polite settings (AutoThrottle, 2 requests per domain):
    newsdesk has no setting that turns AutoThrottle off, so the second run is a repeat.

(a) and (b) use CrawlerProcess with crawler/settings.py's limits but no AutoThrottle, 16
requests per domain, no robots.txt, no HTTP cache and no cookies. Every measured step runs
as a subprocess (``--role``) wrapped by a second one (``--role wrap``): wall time is the
wrapper's, CPU seconds are user+sys from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas
around it (the whole process tree), peak RSS is the largest ``ru_maxrss`` of any process
in the tree, as the wrapper sees it. The extraction+summary limit is the core count
divided by the mean CPU seconds per page of ``digest.extract.extract`` plus
``digest.summarise.summarise``, timed in one process on 200 pages newsdesk stored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

from bench import discovery
from bench.site import generate_site
from crawler.siteserver import serve_site

SAMPLE = 200
SPIDER_SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
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
    """Crawl ``urls`` with a bare spider; with ``naive``, extract and summarise each."""
    import scrapy
    import trafilatura
    from scrapy.crawler import CrawlerProcess

    from digest.summarise import summarise

    counts = {"pages": 0, "summaries": 0}

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = urls

        def parse(self, response):
            counts["pages"] += 1
            if naive:
                text = trafilatura.extract(response.text, include_comments=False)
                counts["summaries"] += bool(text and summarise(text))
            return None

    process = CrawlerProcess(SPIDER_SETTINGS)
    process.crawl(BareSpider)
    process.start()
    out.write_text(json.dumps(counts), encoding="utf-8")


def run_wrapped(command: list[str], out: Path) -> None:
    """Run ``command``; record its wall time and the tree's peak RSS (ru_maxrss, KiB)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
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


def write_config(folder: Path, base: str, n_articles: int) -> None:
    """bench/discovery.py's config: besides the source, only ``download_delay = 0.0``."""
    folder.mkdir(parents=True)
    discovery.write_config(folder, base, n_articles)


def newsdesk_run(folder: Path, tmp: Path) -> dict[str, object]:
    scheduler = [sys.executable, "-m", "scheduler"]
    crawl = measured([*scheduler, "crawl"], folder, tmp)
    process = measured([*scheduler, "process"], folder, tmp)
    with sqlite3.connect(folder / "data" / "newsdesk.db") as conn:
        pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {
        "seconds": crawl["seconds"] + process["seconds"],
        "cpu": crawl["cpu"] + process["cpu"],
        "rss_mb": max(crawl["rss_mb"], process["rss_mb"]),
        "pages": pages,
        "articles": articles,
        "crawl": crawl,
        "process": process,
    }


def stored_sample(db: Path, n: int) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url, html_zlib FROM pages WHERE html_zlib IS NOT NULL ORDER BY url LIMIT ?",
            [n],
        ).fetchall()
    return [(url, zlib.decompress(blob).decode("utf-8")) for url, blob in rows]


def cpu_per_page(pages: list[tuple[str, str]]) -> float:
    """Mean CPU seconds of digest.extract.extract + digest.summarise.summarise per page."""
    from digest.extract import extract
    from digest.summarise import summarise

    extract(*reversed(pages[0]))  # warm up imports and caches
    started = time.process_time()
    for url, html in pages:
        page = extract(html, url)
        if page.text:
            summarise(page.text, title=page.title)
    return (time.process_time() - started) / len(pages)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.role == "wrap":
        run_wrapped(args.command, Path(args.out))
        return
    if args.role in ("fetch-only", "naive"):
        urls = Path(args.urls).read_text(encoding="utf-8").split()
        run_spider(urls, args.role == "naive", Path(args.out))
        return
    benchmark(args.articles)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--role", choices=("fetch-only", "naive", "wrap"), help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def benchmark(n_articles: int) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as name, serve_site(Path(name, "site")) as server:
        tmp = Path(name)
        (tmp / "site").mkdir(exist_ok=True)
        info = generate_site(tmp / "site", n_articles, now=now, base=server.base_url)
        urls_file = tmp / "urls.txt"
        urls_file.write_text("\n".join(server.base_url + p for p in info.articles), "utf-8")
        runs = {"a": spider_run("fetch-only", urls_file, tmp)}
        runs["b"] = spider_run("naive", urls_file, tmp)
        for key in ("c1", "c2"):
            write_config(tmp / key, server.base_url, n_articles)
            runs[key] = newsdesk_run(tmp / key, tmp)
        sample = stored_sample(tmp / "c1" / "data" / "newsdesk.db", SAMPLE)
        per_page = (cpu_per_page(sample), len(sample))
    report(n_articles, runs, per_page)


def _row(name: str, run: dict, pages: int) -> str:
    return (
        f"| {name} | {pages} | {run['seconds']:.1f} | {pages / run['seconds']:.1f} "
        f"| {run['cpu']:.1f} | {run['cpu'] / max(pages, 1) * 1000:.1f} | {run['rss_mb']:.0f} |"
    )


def report(n_articles: int, runs: dict, per_page: tuple[float, int]) -> None:
    (per_page, sampled), cores = per_page, os.cpu_count() or 1
    limit = cores / per_page
    print(f"site: {n_articles} articles on 127.0.0.1; {cores} cores\n")
    print("| run | pages | wall s | pages/s | CPU s | CPU ms/page | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    print(_row("(a) fetch only", runs["a"], runs["a"]["pages"]))
    print(_row("(b) naive: trafilatura + sumy in callback", runs["b"], runs["b"]["pages"]))
    labels = {"c1": "run 1", "c2": "run 2"}
    for key, label in labels.items():
        run = runs[key]
        print(_row(f"(c) newsdesk, {label}", run, run["articles"]))
        print(_row("  crawl", run["crawl"], run["pages"]))
        print(_row("  process", run["process"], run["pages"]))
    print(f"\nextraction+summary: {per_page * 1000:.1f} CPU ms/page ({sampled} stored pages)")
    print(f"limit = {cores} cores / that = {limit:.1f} pages/s")
    b_rate = runs["b"]["pages"] / runs["b"]["seconds"]
    for key, label in labels.items():
        rate = runs[key]["articles"] / runs[key]["seconds"]
        print(f"(c) {label}: c/b = {rate / b_rate:.2f}x, c/limit = {rate / limit:.1%}")
    print(
        "\n(c) counts articles committed; it runs with newsdesk's polite settings "
        "(AutoThrottle, 2 requests per domain), which no config setting turns off."
    )


if __name__ == "__main__":
    main()
