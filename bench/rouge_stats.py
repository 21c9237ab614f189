"""Shared pieces of the summary benchmarks: the development sets, ROUGE and paired bootstrap.

Sets (``../shared/data/summarise/``, described in its README): JSON Lines with ``id``,
``text`` (paragraphs on lines; cnndm-dev has one line per article), ``title`` (or null, or
absent) and ``reference``, a string or a list of strings. With several references an
article's score is rouge-score's ``score_multi``: for each metric, the reference that gives
the highest F1.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer

DATA = Path(__file__).resolve().parents[2] / "shared/data/summarise"
SETS = ("cnndm-dev", "zhang2023-writers", "realsumm-cnndm", "bbc-business")
RESAMPLES = 2000
SEED = 16  # fixed: the same intervals on every run

Scores = list[tuple[float, float, float]]  # per article: ROUGE-1, -2, -L F1 times 100


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    title: str | None
    references: tuple[str, ...]


def load(name_or_path: str | Path) -> list[Article]:
    """A development set by name ("cnndm-dev") or by path."""
    path = Path(name_or_path)
    if not path.exists():
        path = DATA / f"{name_or_path}.jsonl"
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [_article(row) for row in rows]


def _article(row: dict[str, object]) -> Article:
    reference = row["reference"]
    references = tuple(reference) if isinstance(reference, list) else (str(reference),)
    title = row.get("title")
    return Article(str(row["id"]), str(row["text"]), str(title) if title else None, references)


class Rouge:
    """ROUGE-1/2/L F1 (times 100), stemming on, remembered per (references, summary)."""

    def __init__(self) -> None:
        self._scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
        self._seen: dict[tuple[tuple[str, ...], str], tuple[float, float, float]] = {}

    def score(self, references: tuple[str, ...], summary: str) -> tuple[float, float, float]:
        key = (references, summary)
        if key not in self._seen:
            found = self._scorer.score_multi(list(references), summary)
            r1, r2, rl = (100 * found[kind].fmeasure for kind in ("rouge1", "rouge2", "rougeL"))
            self._seen[key] = (r1, r2, rl)
        return self._seen[key]

    def scores(self, articles: Sequence[Article], summaries: Sequence[str]) -> Scores:
        pairs = zip(articles, summaries, strict=True)
        return [self.score(article.references, summary) for article, summary in pairs]


def means(scores: Scores) -> tuple[float, float, float]:
    r1, r2, rl = (statistics.mean(column) for column in zip(*scores, strict=True))
    return r1, r2, rl


@dataclass(frozen=True, slots=True)
class Difference:
    """Mean per-article difference with its bootstrap 95% percentile interval."""

    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.mean:+.2f} [{self.low:+.2f}, {self.high:+.2f}]"


def paired(ours: Sequence[float], theirs: Sequence[float]) -> Difference:
    """Per-article ``ours - theirs``: the mean and a 95% percentile interval from
    ``RESAMPLES`` resamples of the articles with replacement (seed ``SEED``)."""
    diffs = [a - b for a, b in zip(ours, theirs, strict=True)]
    rng = random.Random(SEED)
    n = len(diffs)
    resampled = sorted(sum(rng.choices(diffs, k=n)) / n for _ in range(RESAMPLES))
    low = resampled[int(0.025 * RESAMPLES)]
    high = resampled[int(0.975 * RESAMPLES) - 1]
    return Difference(statistics.mean(diffs), low, high)


def column(scores: Scores, index: int) -> list[float]:
    return [row[index] for row in scores]
