"""How completely and how cheaply a crawl discovers a site, first and again.

    python -m bench.discovery [--articles 2000] [--new 10]

Generates a news site (bench/site.py) with feeds, a sitemap index with gzipped and Google
News children, paginated sections, utm-tagged related links, 404 and PDF links and a
calendar trap; serves it on 127.0.0.1; and runs the real ``newsdesk crawl`` three times:
first, again with nothing new, and after ``--new`` articles are published. Prints the
share of articles found, duplicates stored, requests per stored article, and each later
run's requests as a share of the first run's.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.site import SiteInfo, generate_site, newsdesk_toml
from crawler.siteserver import SiteServer, serve_site

STEP_MINUTES = 1.0


def write_config(folder: Path, base: str, n_articles: int) -> None:
    text = newsdesk_toml(base, source=f"max_pages = {n_articles * 2}")
    (folder / "newsdesk.toml").write_text(text, encoding="utf-8")


def crawl(folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scheduler", "crawl"], cwd=folder, check=True, capture_output=True
    )
    return time.perf_counter() - started


def stored_urls(folder: Path, base: str) -> list[str]:
    with sqlite3.connect(folder / "data" / "newsdesk.db") as conn:
        rows = conn.execute("SELECT url FROM pages").fetchall()
    return [url.removeprefix(base) for (url,) in rows]


def measure(server: SiteServer, folder: Path, info: SiteInfo) -> dict[str, float]:
    mark = len(server.log)
    seconds = crawl(folder)
    log = server.log[mark:]
    stored = stored_urls(folder, server.base_url)
    articles = set(info.articles)
    found = articles & set(stored)
    return {
        "seconds": seconds,
        "requests": len(log),
        "article_requests": sum(1 for _, p, s in log if s == 200 and p in articles),
        "not_modified": sum(1 for _, _, s in log if s == 304),
        "found": len(found),
        "share_found": len(found) / len(articles),
        "duplicates": len(stored) - len(set(stored)) + sum(1 for p in stored if "utm_" in p),
        "extra_pages": len(set(stored) - articles),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.discovery", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--new", type=int, default=10)
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as tmp, serve_site(Path(tmp, "site")) as server:
        root, folder = Path(tmp, "site"), Path(tmp)
        root.mkdir(exist_ok=True)
        info = generate_site(
            root, args.articles, now=now, base=server.base_url, step_minutes=STEP_MINUTES
        )
        write_config(folder, server.base_url, args.articles)
        first = measure(server, folder, info)
        second = measure(server, folder, info)
        later = now + timedelta(minutes=STEP_MINUTES * args.new)
        info = generate_site(
            root,
            args.articles + args.new,
            now=later,
            base=server.base_url,
            step_minutes=STEP_MINUTES,
        )
        third = measure(server, folder, info)
    report(args, first, second, third)


def report(args: argparse.Namespace, first: dict, second: dict, third: dict) -> None:
    print(f"site: {args.articles} articles on 127.0.0.1; then {args.new} published\n")
    print(
        "| run | seconds | requests | article fetches | 304s | articles stored | "
        "requests / first run |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, run in (("first", first), ("unchanged", second), (f"+{args.new} new", third)):
        print(
            f"| {name} | {run['seconds']:.1f} | {run['requests']} | {run['article_requests']} "
            f"| {run['not_modified']} | {run['found']} "
            f"| {run['requests'] / first['requests']:.1%} |"
        )
    print(f"\nshare of articles found on the first run: {first['share_found']:.1%}")
    print(f"duplicates stored (same URL twice, or a utm variant): {first['duplicates']}")
    print(f"non-article pages stored: {first['extra_pages']}")
    print(f"requests per stored article, first run: {first['requests'] / first['found']:.3f}")


if __name__ == "__main__":
    main()
