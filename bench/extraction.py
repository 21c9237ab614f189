"""newsdesk's extractor beside trafilatura's best setting on every development set, same
pages, one run: body, title, authors, date, speed, and the paired differences.

    python -m bench.extraction [--set NAME ...] [--part fit|check|all] [--leaks N]

Data: ``../shared/data/extraction/<set>/<id>.html.gz`` with ``<id>.json`` (gold ``body``,
``title``, ``authors``, ``date``, and for some sets ``with``/``without`` snippets).

Fit and check: every page is in one of two parts by the SHA-1 of its id (first hex digit
0-7: "fit", 8-f: "check"). Rules are designed looking at fit pages only; the check part
is the honest report.

Metrics (the definitions in ../shared/data/README.md):
- body: text split into word tokens, word 4-gram shingles (a text under four tokens is one
  shorter shingle); per page tp/fp/fn overlaps normalised to sum 1; P and R are means over
  pages, F1 their harmonic mean.
- snippets (sets that have them): a "with" snippet found in the output is a true positive,
  missing a false negative; a "without" snippet found is a false positive; summed over the
  set; F1 = 2tp / (2tp + fp + fn).
- title: equal after Unicode NFKC, case folding, typographic quotes and dashes made ASCII,
  whitespace collapsed and trailing dots dropped. authors: equal as sets of names (split on
  , ; | / & "and" "und", a leading by/von/par/por/door/di/av dropped). date: same calendar
  day as the gold value, in the page's own time zone.
- "Δ F1 [95% CI]": newsdesk minus trafilatura, the set-level F1 recomputed on 2,000
  bootstrap resamples of the pages (paired: both extractors on the same resample).
- pages/s: pages over the time spent inside the extractor call, both extractors
  interleaved page by page in the same process.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/extraction"
TOKEN = re.compile(r"\w+")
Output = dict[str, Any]


# --- metrics ---------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def overlap(true: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(true), shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(rows: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    def ratio(a: float, b: float, other: float) -> float:
        return 1.0 if b == other == 0 else (a / (a + b) if a + b else 0.0)

    precision = statistics.mean([ratio(tp, fp, fn) for tp, fp, fn in rows if tp + fp > 0] or [0.0])
    recall = statistics.mean([ratio(tp, fn, fp) for tp, fp, fn in rows if tp + fn > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def spaces(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(gold: dict[str, Any], text: str) -> tuple[int, int, int]:
    found = spaces(text or "")
    withs, withouts = gold.get("with") or [], gold.get("without") or []
    tp = sum(1 for s in withs if spaces(s) in found) if found else 0
    fp = sum(1 for s in withouts if spaces(s) in found) if found else 0
    return tp, fp, len(withs) - tp


ASCII_PUNCT = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'}
    | {"«": '"', "»": '"', "–": "-", "—": "-", "\u00a0": " "}
)
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
NAME_SPLIT = re.compile(r"\s*(?:;|,|\||/|&|\band\b|\bund\b)\s*", re.IGNORECASE)
NAME_PREFIX = re.compile(r"^(?:by|von|par|por|door|di|av)\s+", re.IGNORECASE)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def same_title(pred: str | None, gold: str) -> bool:
    def norm(value: str) -> str:
        value = INVISIBLE.sub("", unicodedata.normalize("NFKC", value))
        return spaces(value.translate(ASCII_PUNCT).casefold()).strip(" .")

    return bool(pred) and norm(pred or "") == norm(gold)


def names(value: Any) -> frozenset[str]:
    items = value if isinstance(value, list | tuple) else [value] if value else []
    found = set()
    for item in items:
        for name in NAME_SPLIT.split(unicodedata.normalize("NFKC", str(item))):
            name = re.sub(r"[^\w\s'-]", "", NAME_PREFIX.sub("", name.strip()).casefold())
            if spaces(name):
                found.add(spaces(name))
    return frozenset(found)


def same_day(pred: str | None, gold: str) -> bool:
    want, got = DAY.search(gold), DAY.search(pred or "")
    return bool(want and got and want.group(0) == got.group(0))


# --- extractors ------------------------------------------------------------------------


def run_newsdesk(html: str, url: str) -> Output:
    from digest.extract import benchmark_entry

    return benchmark_entry(html, url)


def run_trafilatura(html: str, url: str) -> Output:
    """trafilatura's best measured setting: comments off, precision favoured."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, favor_precision=True
    )
    if doc is None:
        return {"text": "", "title": None, "author": None, "date": None}
    return {"text": doc.text or "", "title": doc.title, "author": doc.author, "date": doc.date}


EXTRACTORS: dict[str, Callable[[str, str], Output]] = {
    "newsdesk": run_newsdesk,
    "trafilatura": run_trafilatura,
}


# --- pages -----------------------------------------------------------------------------


def part_of(page_id: str) -> str:
    return "fit" if hashlib.sha1(page_id.encode()).hexdigest()[0] in "01234567" else "check"


def page_ids(folder: Path, part: str) -> list[str]:
    ids = [p.name[: -len(".html.gz")] for p in sorted(folder.glob("*.html.gz"))]
    return [i for i in ids if part == "all" or part_of(i) == part]


def load_page(folder: Path, page_id: str) -> tuple[dict[str, Any], str]:
    gold = json.loads((folder / f"{page_id}.json").read_text(encoding="utf-8"))
    html = gzip.decompress((folder / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
    return gold, html


@dataclass
class PageResult:
    page_id: str
    outputs: dict[str, Output] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_pages(job: tuple[Path, list[str]]) -> list[PageResult]:
    folder, ids = job
    for extractor in EXTRACTORS.values():  # imports and first-call set-up outside the timing
        extractor("<html><body><p>warm up</p></body></html>", "https://example.org/")
    results = []
    for page_id in ids:
        gold, html = load_page(folder, page_id)
        result = PageResult(page_id)
        for name, extractor in EXTRACTORS.items():
            started = time.perf_counter()
            result.outputs[name] = extractor(html, gold.get("url") or "")
            result.seconds[name] = time.perf_counter() - started
        results.append(result)
    return results


# --- report ----------------------------------------------------------------------------


@dataclass
class SetScore:
    body: dict[str, list[tuple[float, float, float]]]
    snippets: dict[str, list[tuple[int, int, int]]]
    title: dict[str, list[bool]]
    author: dict[str, list[bool]]
    date: dict[str, list[bool]]
    seconds: dict[str, float]


def score_set(folder: Path, results: list[PageResult]) -> SetScore:
    empty: Callable[[], dict[str, list[Any]]] = lambda: {n: [] for n in EXTRACTORS}  # noqa: E731
    s = SetScore(empty(), empty(), empty(), empty(), empty(), dict.fromkeys(EXTRACTORS, 0.0))
    for result in results:
        gold, _ = json.loads((folder / f"{result.page_id}.json").read_text("utf-8")), None
        for name, out in result.outputs.items():
            s.seconds[name] += result.seconds[name]
            text = out.get("text") or ""
            if gold.get("body"):
                s.body[name].append(overlap(gold["body"], text))
            if gold.get("with") or gold.get("without"):
                s.snippets[name].append(snippet_counts(gold, text))
            if gold.get("title"):
                s.title[name].append(same_title(out.get("title"), gold["title"]))
            if gold.get("authors"):
                s.author[name].append(names(out.get("author")) == names(gold["authors"]))
            if gold.get("date") and DAY.search(str(gold["date"])):
                s.date[name].append(same_day(out.get("date"), str(gold["date"])))
    return s


def snippet_f1(rows: Sequence[tuple[int, int, int]]) -> float:
    tp, fp, fn = (sum(col) for col in zip(*rows, strict=True)) if rows else (0, 0, 0)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def paired_interval(
    a: Sequence[Any], b: Sequence[Any], metric: Callable[[Sequence[Any]], float], rounds: int = 2000
) -> tuple[float, float, float]:
    """metric(a) - metric(b) and its 95% bootstrap interval over paired pages."""
    rng = random.Random(17)
    n = len(a)
    diffs = []
    for _ in range(rounds):
        pick = [rng.randrange(n) for _ in range(n)]
        diffs.append(metric([a[i] for i in pick]) - metric([b[i] for i in pick]))
    diffs.sort()
    return metric(a) - metric(b), diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def _rate(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "–"


def report(name: str, part: str, s: SetScore) -> list[str]:
    pages = max(len(v) for group in (s.body, s.title, s.snippets) for v in group.values())
    lines = [
        f"\n#### {name} ({part}: {pages} pages; title n={len(s.title['newsdesk'])}, "
        f"author n={len(s.author['newsdesk'])}, date n={len(s.date['newsdesk'])})\n",
        "| extractor | body P | R | F1 | snippet F1 | title | author | date | pages/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for ext in EXTRACTORS:
        p, r, f1 = score(s.body[ext]) if s.body[ext] else (0.0, 0.0, 0.0)
        body = f"{p:.3f} | {r:.3f} | {f1:.3f}" if s.body[ext] else "– | – | –"
        snip = f"{snippet_f1(s.snippets[ext]):.3f}" if s.snippets[ext] else "–"
        speed = pages / s.seconds[ext] if s.seconds[ext] else 0.0
        lines.append(
            f"| {ext} | {body} | {snip} | {_rate(s.title[ext])} | {_rate(s.author[ext])} "
            f"| {_rate(s.date[ext])} | {speed:.1f} |"
        )
    a, b = "newsdesk", "trafilatura"
    if s.body[a]:
        d, lo, hi = paired_interval(s.body[a], s.body[b], lambda rows: score(rows)[2])
        lines.append(f"\nbody Δ F1 {d:+.4f} [{lo:+.4f}, {hi:+.4f}]")
    if s.snippets[a]:
        d, lo, hi = paired_interval(s.snippets[a], s.snippets[b], snippet_f1)
        lines.append(f"snippet Δ F1 {d:+.4f} [{lo:+.4f}, {hi:+.4f}]")
    for label, group in (("title", s.title), ("author", s.author), ("date", s.date)):
        if group[a]:
            d, lo, hi = paired_interval(group[a], group[b], lambda v: sum(v) / len(v))
            lines.append(f"{label} Δ accuracy {d:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    speed_a = pages / s.seconds[a] if s.seconds[a] else 0.0
    speed_b = pages / s.seconds[b] if s.seconds[b] else 1.0
    lines.append(f"pages/s ratio newsdesk/trafilatura {speed_a / speed_b:.2f}")
    return lines


def leaks(folder: Path, results: list[PageResult], n: int) -> list[str]:
    worst = []
    for result in results:
        gold = json.loads((folder / f"{result.page_id}.json").read_text("utf-8"))
        out = result.outputs["newsdesk"]
        if gold.get("body"):
            f1 = score([overlap(gold["body"], out.get("text") or "")])[2]
            worst.append((f1, result.page_id, gold.get("url")))
    return [f"  {f1:.3f}  {pid}  {url}" for f1, pid, url in sorted(worst)[:n]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", dest="sets", action="append", help="data set (default: all)")
    parser.add_argument("--part", choices=("fit", "check", "all"), default="all")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--leaks", type=int, default=0, help="list the N lowest-F1 pages")
    parser.add_argument("--md", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    sets = args.sets or sorted(p.name for p in args.data.iterdir() if p.is_dir())
    out: list[str] = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for name in sets:
            folder = args.data / name
            ids = page_ids(folder, args.part)
            chunks = [(folder, ids[i :: args.jobs * 4]) for i in range(args.jobs * 4)]
            results = [r for chunk in pool.map(run_pages, chunks) for r in chunk]
            lines = report(name, args.part, score_set(folder, results))
            if args.leaks:
                lines += ["", f"lowest body F1 (newsdesk, {args.leaks}):"]
                lines += leaks(folder, results, args.leaks)
            print("\n".join(lines), flush=True)
            out += lines
    if args.md:
        args.md.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"\n(command: python -m bench.extraction {' '.join(argv or sys.argv[1:])})")


if __name__ == "__main__":
    main()
