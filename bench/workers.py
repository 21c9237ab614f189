"""Cluster crawl throughput with 1, 2 and 4 workers on the same generated local site.

    python -m bench.workers [--articles 600] [--latency-ms 0,100] [--workers 1,2,4]

For each site latency and worker count: a fresh redis-server (127.0.0.1, a free port),
a fresh store, one ``newsdesk ingest`` and N ``newsdesk worker`` processes, timed until
every article is in the store. Prints, side by side from one run: wall time (from starting
the processes until every article is stored), start-up (until the first article is
fetched: Python, Scrapy, robots.txt, the seeds), crawl time (first to last article
fetched), pages per second of crawl time, the speed-up over one worker, and how many
articles were fetched twice.

The site answers from 127.0.0.1 in about a millisecond, so at 0 ms latency the crawl is
bound by the CPU (HTML parsing in each worker) and by the machine's cores; the
``--latency-ms`` runs add a delay to every response, as a real site over a network has,
where each worker's politeness (2 requests at a time per site) is what limits it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.site import SiteInfo, generate_site, newsdesk_toml
from crawler.siteserver import SiteServer, serve_site
from tests.redisserver import RedisServer

TIMEOUT = 300.0


def add_latency(server: SiteServer, seconds: float) -> None:
    """Delay every GET answer of ``server`` by ``seconds``, like a site across a network."""
    handler = server.RequestHandlerClass
    base = handler.func  # type: ignore[attr-defined]

    class Slow(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            time.sleep(seconds)
            super().do_GET()

    server.RequestHandlerClass = partial(Slow, **handler.keywords)  # type: ignore[attr-defined]


def start_redis(folder: Path) -> RedisServer:
    """A fresh redis-server without persistence (tests/redisserver.py, shared with the
    scale-out tests)."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench.workers needs redis-server: apt-get install -y redis-server")
    server = RedisServer(binary, folder, durable=False)
    server.start()
    return server


def write_config(folder: Path, base: str, redis_url: str, n_articles: int) -> None:
    settings = "download_delay = 0.0\ncrawl_interval_minutes = 100000\n"
    settings += f'[cluster]\nredis_url = "{redis_url}"'
    text = newsdesk_toml(
        base, settings=settings, sitemaps=True, source=f"max_pages = {n_articles * 2}"
    )
    (folder / "newsdesk.toml").write_text(text, encoding="utf-8")


def stored_count(folder: Path) -> int:
    try:
        with sqlite3.connect(f"file:{folder / 'data' / 'newsdesk.db'}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM pages").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def newsdesk(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    with (folder / f"{args[0]}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "scheduler", "--config", "newsdesk.toml", *args],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def run(server: SiteServer, info: SiteInfo, workers: int, tmp: Path) -> dict[str, Any]:
    """One measured crawl of the whole site by ``workers`` worker processes."""
    folder = tmp / f"run-{workers}-{time.monotonic_ns()}"
    (folder / "redis").mkdir(parents=True)
    redis = start_redis(folder / "redis")
    write_config(folder, server.base_url, redis.url, len(info.articles))
    mark = len(server.log)
    procs = [newsdesk(folder, "ingest")]
    started = time.monotonic()  # the clock of the site server's log
    procs += [newsdesk(folder, "worker") for _ in range(workers)]
    try:
        while stored_count(folder) < len(info.articles):
            if time.monotonic() - started > TIMEOUT:
                raise SystemExit(f"{workers} workers: not done in {TIMEOUT:.0f} s, see {folder}")
            time.sleep(0.1)
        wall = time.monotonic() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        redis.stop()
    articles = set(info.articles)
    hits = [(t, p) for t, p, s in server.log[mark:] if s == 200 and p in articles]
    crawl = hits[-1][0] - hits[0][0]
    twice = sum(1 for n in Counter(p for _, p in hits).values() if n > 1)
    return {
        "wall": wall,
        "startup": hits[0][0] - started,
        "crawl": crawl,
        "rate": len(articles) / crawl,
        "twice": twice,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--latency-ms", default="0,100", help="comma-separated (default 0,100)")
    parser.add_argument("--workers", default="1,2,4", help="comma-separated (default 1,2,4)")
    args = parser.parse_args(argv)
    latencies = [float(x) for x in args.latency_ms.split(",")]
    counts = [int(x) for x in args.workers.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp_dir:
        tmp = Path(tmp_dir)
        for latency in latencies:
            root = tmp / f"site-{latency:g}"
            root.mkdir()
            with serve_site(root) as server:
                info = generate_site(
                    root, args.articles, now=datetime.now(UTC), base=server.base_url
                )
                add_latency(server, latency / 1000)
                results = {n: run(server, info, n, tmp) for n in counts}
            for n in counts:
                rows.append((latency, n, results[n], results[counts[0]]["rate"]))
    report(args.articles, rows)


def report(n_articles: int, rows: list[tuple[float, int, dict[str, Any], float]]) -> None:
    print(f"{n_articles} articles, one local site; {os.cpu_count()} CPU cores on this machine")
    print("latency  workers  wall s  start-up s  crawl s  pages/s  speed-up  fetched twice")
    for latency, n, r, base_rate in rows:
        print(
            f"{latency:>5.0f}ms  {n:>7}  {r['wall']:>6.1f}  {r['startup']:>10.1f}  "
            f"{r['crawl']:>7.1f}  {r['rate']:>7.1f}  {r['rate'] / base_rate:>7.2f}x  "
            f"{r['twice']:>13}"
        )


if __name__ == "__main__":
    main()
