"""Choose ``digest.summarise.Weights`` on part of the development data, report on the rest.

    python -m bench.summarise_tune [--words N] [--sentences N]

Every article of every set (``bench.rouge_stats.SETS``) is prepared once
(``digest.summarise.prepare``: sentences, TextRank, headline overlap), then summarised with
each setting of the grid below (``digest.summarise.pick``) and scored with ROUGE. The
objective is the margin of (ROUGE-1 + ROUGE-2) / 2, mean over a set's articles, over
"Lead-3, budget" (the first sentences that fit, ``bench.summarise.lead_prefix``); over several
sets, the smallest of the sets' margins (a setting must win everywhere, and bbc-business's
500 articles and wide margins cannot outvote the others). Ties go to the earlier setting of
the grid.

1. Fitted on cnndm-dev alone, reported on every set (the other three are held out).
2. Leave one set out: fitted on three sets, reported on the fourth, for each set in turn.

For each, the chosen weights, the score of the chosen weights on the held-out set, the
shipped default's score there, and "Lead-3, budget" for reference (R1 / R2). No setting is
keyed to a set: one setting is chosen per fit.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections.abc import Sequence

from bench.rouge_stats import SETS, Article, Rouge, load
from bench.summarise import lead_prefix
from digest.summarise import WEIGHTS, Prepared, Weights, pick, prepare, split_sentences

GRID = {
    "midpoint": (2.5, 3.5, 4.5, 6.0),
    "steepness": (1.0, 2.0, 4.0),
    "centrality": (0.0, 1.0, 2.0, 4.0, 8.0),
    "title": (0.0, 1.0),
    "quote": (1.0, 0.7),
    "word_cost": (0.0, 0.01, 0.02, 0.04),
}
Table = dict[Weights, dict[str, tuple[float, float]]]  # weights -> set -> (R1, R2) means


def settings() -> list[Weights]:
    keys = list(GRID)
    return [
        Weights(**dict(zip(keys, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]


def score_grid(
    data: dict[str, list[tuple[Article, Prepared]]], words: int, cap: int, grid: Sequence[Weights]
) -> Table:
    rouge = Rouge()
    table: Table = {}
    for weights in grid:
        table[weights] = {}
        for name, items in data.items():
            scores = [
                rouge.score(a.references, pick(p, sentences=cap, words=words, weights=weights))
                for a, p in items
            ]
            table[weights][name] = (
                statistics.mean(s[0] for s in scores),
                statistics.mean(s[1] for s in scores),
            )
    return table


def objective(
    result: dict[str, tuple[float, float]],
    names: Sequence[str],
    baseline: dict[str, tuple[float, float]],
) -> float:
    """The smallest, over the sets ``names``, margin of (R1 + R2) / 2 over the baseline."""
    return min(sum(result[n]) / 2 - sum(baseline[n]) / 2 for n in names)


def best(table: Table, names: Sequence[str], baseline: dict[str, tuple[float, float]]) -> Weights:
    """The first setting of the grid with the highest objective on ``names``."""
    chosen = next(iter(table))
    for weights in table:
        if (
            objective(table[weights], names, baseline)
            > objective(table[chosen], names, baseline) + 1e-9
        ):
            chosen = weights
    return chosen


def lead_budget(items: list[tuple[Article, Prepared]], words: int, cap: int) -> tuple[float, float]:
    rouge = Rouge()
    scores = [
        rouge.score(a.references, lead_prefix(split_sentences(a.text), words, cap))
        for a, _ in items
    ]
    return statistics.mean(s[0] for s in scores), statistics.mean(s[1] for s in scores)


def show(weights: Weights) -> str:
    return ", ".join(f"{key} {getattr(weights, key)}" for key in GRID)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.summarise_tune", description=__doc__)
    parser.add_argument("--words", type=int, default=70)
    parser.add_argument("--sentences", type=int, default=3)
    args = parser.parse_args(argv)
    data = {name: [(a, prepare(a.text, title=a.title)) for a in load(name)] for name in SETS}
    grid = settings()
    if WEIGHTS not in grid:
        grid.append(WEIGHTS)
    table = score_grid(data, args.words, args.sentences, grid)
    baseline = {
        name: lead_budget(items, args.words, args.sentences) for name, items in data.items()
    }
    print(f"{len(grid)} settings; objective: smallest margin over Lead-3, budget; cells R1 / R2\n")
    print("| fitted on | chosen weights | held out | chosen | default | Lead-3, budget |")
    print("|---|---|---|---|---|---|")
    folds = [("cnndm-dev", [n for n in SETS if n != "cnndm-dev"])]
    folds += [("all but " + held, [held]) for held in SETS]
    for fitted, held_out in folds:
        train = ["cnndm-dev"] if fitted == "cnndm-dev" else [n for n in SETS if n not in held_out]
        chosen = best(table, train, baseline)
        for name in held_out:
            cells = [table[chosen][name], table[WEIGHTS][name], baseline[name]]
            shown = " | ".join(f"{r1:.2f} / {r2:.2f}" for r1, r2 in cells)
            print(f"| {fitted} | {show(chosen)} | {name} | {shown} |")
    ranked = sorted(table, key=lambda w: -objective(table[w], SETS, baseline))
    print("\nBest ten on all four sets (in-sample, smallest margin; for reference only):")
    for weights in ranked[:10]:
        listed = ", ".join(
            f"{n} {table[weights][n][0]:.2f}/{table[weights][n][1]:.2f}" for n in SETS
        )
        print(f"- {show(weights)}: {objective(table[weights], SETS, baseline):+.3f} ({listed})")
    default = ", ".join(f"{n} {table[WEIGHTS][n][0]:.2f}/{table[WEIGHTS][n][1]:.2f}" for n in SETS)
    print(
        f"- default {show(WEIGHTS)}: {objective(table[WEIGHTS], SETS, baseline):+.3f} ({default})"
    )


if __name__ == "__main__":
    main()
