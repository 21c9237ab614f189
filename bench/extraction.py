"""Body-text quality of newsdesk's extractor beside plain trafilatura, same pages, one run.

    python -m bench.extraction [--data ../shared/data/extraction/scrapinghub] [--leaks N]

Metric (the scrapinghub article-extraction benchmark's, as ../shared/data/README.md
defines it): text split into word tokens, word 4-gram shingles (a text shorter than four
tokens is one shorter shingle); per page the shingle-count overlaps tp/fp/fn normalised to
sum 1; P and R are means over pages, F1 their harmonic mean. pages/s counts only the time
spent in the extractor call, fastest of ``--rounds`` interleaved runs. ``--leaks N``
prints, for newsdesk, the N lines most often kept that the true body does not have, and
the N pages with the lowest F1.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from digest.extract import extract

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/extraction/scrapinghub"
TOKEN = re.compile(r"\w+")
Extractor = Callable[[str, str], str]


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def overlap(true: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(true), shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def ratio(a: float, b: float, other: float) -> float:
        return 1.0 if b == other == 0 else (a / (a + b) if a + b else 0.0)

    precision = statistics.mean([ratio(tp, fp, fn) for tp, fp, fn in rows if tp + fp > 0] or [0.0])
    recall = statistics.mean([ratio(tp, fn, fp) for tp, fp, fn in rows if tp + fn > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def trafilatura_best(html: str, url: str) -> str:
    """trafilatura's best measured setting: comments off, precision favoured."""
    return trafilatura.extract(html, url=url, include_comments=False, favor_precision=True) or ""


def trafilatura_plain(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def newsdesk(html: str, url: str) -> str:
    return extract(html, url).text


EXTRACTORS: dict[str, Extractor] = {
    "newsdesk": newsdesk,
    "trafilatura (comments off, favor_precision)": trafilatura_best,
    "trafilatura (comments off)": trafilatura_plain,
}


def load_pages(folder: Path) -> list[tuple[str, str, str]]:
    pages = []
    for meta in sorted(folder.glob("*.json")):
        if not meta.with_suffix(".html.gz").exists():
            continue
        gold = json.loads(meta.read_text(encoding="utf-8"))
        html = gzip.decompress(meta.with_suffix(".html.gz").read_bytes()).decode("utf-8")
        pages.append((gold["url"], html, gold["body"]))
    return pages


def run(extractor: Extractor, pages: list[tuple[str, str, str]]) -> tuple[list[str], float]:
    outputs, spent = [], 0.0
    for url, html, _ in pages:
        started = time.perf_counter()
        outputs.append(extractor(html, url))
        spent += time.perf_counter() - started
    return outputs, spent


def leaks(pages: list[tuple[str, str, str]], outputs: list[str], n: int) -> None:
    kept: Counter[str] = Counter()
    worst = []
    for (url, _, gold), text in zip(pages, outputs, strict=True):
        gold_shingles = shingles(gold)
        for line in text.splitlines():
            if line.strip() and not (shingles(line) & gold_shingles):
                kept[line.strip()[:100]] += 1
        worst.append((score([overlap(gold, text)])[2], url))
    print(f"\nlines kept that no true body has (top {n}):")
    for line, count in kept.most_common(n):
        print(f"  {count:3}  {line}")
    print(f"\nlowest-F1 pages (top {n}):")
    for f1, url in sorted(worst)[:n]:
        print(f"  {f1:.3f}  {url}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--leaks", type=int, default=0)
    parser.add_argument("--only", help="run only the extractor whose name starts with this")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of each extractor, interleaved; the fastest counts",
    )
    args = parser.parse_args(argv)
    pages = load_pages(args.data)
    print(f"{len(pages)} pages from {args.data}\n")
    print("| extractor | P | R | F1 | pages/s |\n|---|---|---|---|---|")
    chosen = {n: e for n, e in EXTRACTORS.items() if not args.only or n.startswith(args.only)}
    results: dict[str, list[str]] = {}
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, extractor in chosen.items():
            results[name], spent = run(extractor, pages)
            best[name] = min(spent, best.get(name, spent))
    golds = [gold for _, _, gold in pages]
    for name, outputs in results.items():
        p, r, f1 = score([overlap(gold, out) for gold, out in zip(golds, outputs, strict=True)])
        print(f"| {name} | {p:.3f} | {r:.3f} | {f1:.3f} | {len(pages) / best[name]:.1f} |")
    if args.leaks and "newsdesk" in results:
        leaks(pages, results["newsdesk"], args.leaks)


if __name__ == "__main__":
    main()
