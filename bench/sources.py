"""How well ``newsdesk sources add`` learns which URLs are articles, site by site.

    python -m bench.sources [--seeds 0 1 2] [--articles 80] [--budget 55]

For every generated site of bench/schemes.py (URL schemes that differ: date paths,
numeric ids, /story/ID/slug, .html suffixes, query-string ids, articles and tag pages
under one prefix, no feeds, feeds only, neither feeds nor sitemaps; with ``--held-out``,
six more schemes written after the learner, to check it), served on 127.0.0.1:
runs the real survey (``python -m crawler.survey``, as the command does), learns the
patterns (``digest.survey.propose``), and scores them over the site's full link set, as
the crawler applies them (``crawler.parsing.is_article_candidate``): precision and recall
of "fetched as an article" against the ground truth, and the requests the site received.
The sites are generated, so the ground truth is exact; seeds change every slug, id, name
and count.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.schemes import SchemeSite, scheme_names, scheme_site, serve
from crawler.parsing import is_article_candidate
from digest import survey
from digest.config import Source, load_config
from digest.urls import clean_url

GOAL = 0.98
MAX_REQUESTS = 60


@dataclass(frozen=True)
class Score:
    site: str
    seed: int
    precision: float
    recall: float
    requests: int
    articles: int
    links: int
    patterns: int

    @property
    def ok(self) -> bool:
        good = min(self.precision, self.recall) >= GOAL
        return good and self.requests < MAX_REQUESTS


def measure(site: SchemeSite, seed: int, budget: int, folder: Path) -> Score:
    """Survey ``site`` as ``sources add`` does and score the proposed table."""
    with serve(site) as server:
        config = folder / "newsdesk.toml"  # the site is ours: no delay between requests
        config.write_text("download_delay = 0.0\n", encoding="utf-8")
        cfg = load_config(config)
        home = server.url("/")
        target = ["--url", home, "--name", site.name, "--allow-private-address"]
        found = survey.run_survey(cfg, target, budget=budget)
        proposal = survey.propose(found, home, name=site.name, allow_private=True)
        requests = len(server.log)
        precision, recall = score(site, server.base, proposal.source)
    table = proposal.source
    return Score(
        site=site.name,
        seed=seed,
        precision=precision,
        recall=recall,
        requests=requests,
        articles=len(site.articles),
        links=len(site.links),
        patterns=len(table.get("article_patterns", ())) + len(table.get("deny_patterns", ())),
    )


def score(site: SchemeSite, base: str, table: dict[str, Any]) -> tuple[float, float]:
    """Precision and recall of "fetched as an article" over every link of ``site`` served
    at ``base``, under the patterns of a proposed ``[[sources]]`` table, as the crawler
    applies them; precision 0 when nothing is taken."""
    source = Source(
        name="scored",
        homepage=base + "/",
        article_patterns=tuple(table.get("article_patterns") or ()),
        deny_patterns=tuple(table.get("deny_patterns") or ()),
    )
    taken = {key for key in site.links if is_article_candidate(clean_url(base + key), source)}
    hits = len(taken & site.articles)
    return (hits / len(taken) if taken else 0.0), hits / len(site.articles)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sources", description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--articles", type=int, default=80)
    parser.add_argument("--budget", type=int, default=survey.BUDGET)
    parser.add_argument("--site", action="append", help="only this site (repeatable)")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="the sites modelled on real URL schemes after the learner was written",
    )
    args = parser.parse_args(argv)
    names = args.site or scheme_names(held_out=args.held_out)
    scores: list[Score] = []
    print(
        f"goal: precision and recall >= {GOAL} on every site, under {MAX_REQUESTS} requests",
        flush=True,
    )
    print(f"{'site':<17} {'seed':>4} {'links':>5} {'arts':>4} {'P':>6} {'R':>6} {'req':>4} pats")
    with tempfile.TemporaryDirectory(prefix="bench-sources-") as folder:
        for name in names:
            for seed in args.seeds:
                site = scheme_site(name, seed, args.articles)
                score = measure(site, seed, args.budget, Path(folder))
                scores.append(score)
                print(
                    f"{name:<17} {seed:>4} {score.links:>5} {score.articles:>4} "
                    f"{score.precision:>6.3f} {score.recall:>6.3f} {score.requests:>4} "
                    f"{score.patterns:>4}{'' if score.ok else '  <- below goal'}",
                    flush=True,
                )
    print(
        f"all: {sum(s.ok for s in scores)}/{len(scores)} runs meet the goal; "
        f"min P {min(s.precision for s in scores):.3f}, min R {min(s.recall for s in scores):.3f}, "
        f"mean requests {statistics.mean(s.requests for s in scores):.1f}, "
        f"max {max(s.requests for s in scores)}"
    )


if __name__ == "__main__":
    main()
