"""Summary quality of newsdesk's summariser beside Lead-3 and plain sumy, every set, one run.

    python -m bench.summarise [--sets NAME ...] [--data PATH] [--words N] [--sentences N]
                              [--only NAME] [--no-demo]

Data: the development sets of ``../shared/data/summarise/`` (``bench.rouge_stats.SETS``:
cnndm-dev, zhang2023-writers, realsumm-cnndm, bbc-business), or one JSON Lines file given
with ``--data``. Every method gets the same sentences, from
``digest.summarise.split_sentences`` (nupunkt), and sumy the same tokenizer. newsdesk gets
the article's title where the set has one (bbc-business), as the digest does.

Metric (``../shared/data/README.md``): ROUGE-1, ROUGE-2 and ROUGE-L F1 from the
``rouge-score`` package (0.1.2), stemming on, mean over articles, times 100; with several
references (zhang2023-writers), rouge-score's ``score_multi`` (the best reference for each
metric). Columns:

- "words": mean whitespace-separated words of the summary.
- "ΔR1/ΔR2 vs L3@budget" and "vs Lead-3": the per-article difference (method minus
  baseline), its mean and a 95% percentile interval from 2,000 bootstrap resamples of the
  articles (fixed seed; ``bench.rouge_stats.paired``).
- "mid-story": share of summaries that open with a sentence leaning on one they left out:
  the first sentence opens mid-story (``digest.summarise.opens_mid_story``: "It", "The
  decision", "However", ...) and is not the article's own first sentence.
- "lead kept": share of the articles with an informative first sentence
  (``digest.summarise.informative_lead``; the count is printed above each table) whose
  summary contains it.
- "docs/s": articles per second of the method's own work (splitting, ranking, picking),
  ROUGE not counted.

Methods, at the word budget ``--words`` (default 70) and the sentence cap ``--sentences``
(default 3):

- ``newsdesk``: ``digest.summarise.summarise(text, title=..., sentences=S, words=W)``.
- ``Lead-3``: the first three sentences, no budget (the usual news baseline).
- ``Lead-3, budget``: Lead-3 cut to the budget: its first sentences while they fit, whole
  (the first alone if even it does not fit).
- ``Lead, budget``: sentences in article order, each added if it still fits (a longer one
  is skipped and the next tried), up to the cap: a stronger lead baseline.
- ``sumy X, budget``: sentences ranked by sumy's X over the whole article, added in rank
  order if they still fit the budget, up to the cap, then put in article order; if none
  fits, the top-ranked one alone.

Then, unless ``--no-demo``: the demo site's ten articles (``crawler/sample_site``, through
``digest.extract``): how many newsdesk and Lead-3 summaries open mid-story or leave out an
informative lead. The recorded run and what was fitted on which data: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from bench.rouge_stats import SETS, Article, Rouge, Scores, column, load, means, paired
from digest.summarise import (
    OfflineTokenizer,
    first_sentence,
    informative_lead,
    opens_mid_story,
    split_sentences,
    summarise,
)

SUMY = {
    "LexRank": LexRankSummarizer,
    "TextRank": TextRankSummarizer,
    "SumBasic": SumBasicSummarizer,
}
DEMO = Path(__file__).resolve().parents[1] / "crawler/sample_site"
Method = Callable[[str, str | None], str]  # (text, title) -> summary
TOKENIZER = OfflineTokenizer()
HEADER = (
    "| method | R1 | R2 | RL | words | ΔR1 vs L3@budget | ΔR2 vs L3@budget | ΔR1 vs Lead-3 "
    "| ΔR2 vs Lead-3 | mid-story | lead kept | docs/s |\n|---|" + "---|" * 11
)


def word_count(text: str) -> int:
    return len(text.split())


def within_budget(ranked: list[int], sentences: list[str], words: int, cap: int) -> str:
    """Take ``ranked`` sentence indexes in order while they fit; return them in article order."""
    picked: list[int] = []
    used = 0
    for index in ranked:
        size = word_count(sentences[index])
        if len(picked) < cap and used + size <= words:
            picked.append(index)
            used += size
    picked = picked or ranked[:1]
    return " ".join(sentences[i] for i in sorted(picked))


def lead_prefix(sentences: list[str], words: int, cap: int) -> str:
    """The first ``cap`` sentences cut to ``words``, whole: stop at the first that overflows."""
    picked: list[str] = []
    for sentence in sentences[:cap]:
        if word_count(" ".join([*picked, sentence])) > words:
            break
        picked.append(sentence)
    return " ".join(picked or sentences[:1])


def sumy_budget(cls: Any, words: int, cap: int) -> Method:
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def ranking(sentences: list[str]) -> list[int]:
        """Sentence indexes, best first, as sumy ranks them (its ties: article order)."""
        order: list[int] = []

        def keep_all(infos: list[Any]) -> list[Any]:
            # sumy hands a callable "count" the sentences sorted by rating, best first.
            order.extend(info.order for info in infos)
            return infos

        document = ObjectDocumentModel([Paragraph([Sentence(s, TOKENIZER) for s in sentences])])
        summarizer(document, keep_all)
        return order

    def method(text: str, title: str | None) -> str:
        sentences = split_sentences(text)
        return within_budget(ranking(sentences), sentences, words, cap)

    return method


def methods(words: int, cap: int) -> dict[str, Method]:
    def lead_budget(text: str, title: str | None) -> str:
        sentences = split_sentences(text)
        return within_budget(list(range(len(sentences))), sentences, words, cap)

    chosen: dict[str, Method] = {
        "newsdesk": lambda text, title: summarise(text, title=title, sentences=cap, words=words),
        "Lead-3": lambda text, title: " ".join(split_sentences(text)[:3]),
        "Lead-3, budget": lambda text, title: lead_prefix(split_sentences(text), words, cap),
        "Lead, budget": lead_budget,
    }
    return chosen | {f"sumy {name}, budget": sumy_budget(c, words, cap) for name, c in SUMY.items()}


def run(method: Method, articles: list[Article]) -> tuple[list[str], float]:
    outputs, spent = [], 0.0
    for article in articles:
        started = time.perf_counter()
        outputs.append(method(article.text, article.title))
        spent += time.perf_counter() - started
    return outputs, spent


def opens_mid_story_in(summary: str, first: str | None) -> bool:
    """The summary opens with a sentence that leans on one it left out: its first sentence
    opens mid-story and is not the article's own first sentence ``first``."""
    opening = (split_sentences(summary) or [""])[0]
    return opening != first and opens_mid_story(opening)


def mid_story_share(firsts: list[str | None], summaries: list[str]) -> float:
    pairs = zip(summaries, firsts, strict=True)
    return statistics.mean(opens_mid_story_in(summary, first) for summary, first in pairs)


def lead_kept_share(leads: list[str | None], summaries: list[str]) -> float:
    kept = [lead in summary for lead, summary in zip(leads, summaries, strict=True) if lead]
    return statistics.mean(kept) if kept else float("nan")


def row(name: str, scores: Scores, baselines: dict[str, Scores], extra: list[str]) -> str:
    r1, r2, rl = means(scores)
    cells = [f"{r1:.2f}", f"{r2:.2f}", f"{rl:.2f}", extra[0]]
    for baseline in ("Lead-3, budget", "Lead-3"):
        for index in (0, 1):
            ours, theirs = column(scores, index), column(baselines[baseline], index)
            cells.append("0" if name == baseline else str(paired(ours, theirs)))
    return f"| {name} | " + " | ".join([*cells, *extra[1:]]) + " |"


def report(label: str, articles: list[Article], words: int, cap: int, only: str | None) -> None:
    rouge = Rouge()
    leads = [informative_lead(a.text, title=a.title) for a in articles]
    firsts = [first_sentence(a.text, title=a.title) for a in articles]
    found = sum(1 for lead in leads if lead)
    print(f"\n### {label}: {len(articles)} articles, {found} with an informative first sentence\n")
    print(HEADER)
    chosen = methods(words, cap)
    results: dict[str, tuple[Scores, list[str], float]] = {}
    for name in ("Lead-3, budget", "Lead-3", *chosen):
        if name not in results:
            summaries, spent = run(chosen[name], articles)
            results[name] = (rouge.scores(articles, summaries), summaries, spent)
    baselines = {name: results[name][0] for name in ("Lead-3, budget", "Lead-3")}
    for name, (scores, summaries, spent) in results.items():
        if only and not name.startswith(only) and name not in baselines:
            continue
        extra = [
            f"{statistics.mean(word_count(s) for s in summaries):.1f}",
            f"{100 * mid_story_share(firsts, summaries):.1f}%",
            f"{100 * lead_kept_share(leads, summaries):.1f}%",
            f"{len(summaries) / spent:.0f}" if spent else "inf",
        ]
        print(row(name, scores, baselines, extra), flush=True)


def demo(words: int, cap: int) -> None:
    """The demo site's articles: mid-story openings and kept leads, newsdesk and Lead-3."""
    from digest.extract import extract

    pages = sorted(DEMO.glob("2026/11/*/*/index.html"))
    found = [extract(p.read_text(encoding="utf-8"), p.as_uri()) for p in pages]
    articles = [(f.text or "", f.title) for f in found]
    print(f"\n### demo site ({len(articles)} articles in {DEMO.relative_to(DEMO.parents[1])})\n")
    for name in ("newsdesk", "Lead-3"):
        method = methods(words, cap)[name]
        summaries = [method(text, title) for text, title in articles]
        leads = [informative_lead(text, title=title) for text, title in articles]
        firsts = [first_sentence(text, title=title) for text, title in articles]
        opens = sum(map(opens_mid_story_in, summaries, firsts))
        kept = sum(1 for lead, s in zip(leads, summaries, strict=True) if lead and lead in s)
        with_lead = sum(1 for lead in leads if lead)
        print(
            f"- {name}: {opens} of {len(summaries)} open mid-story; the lead kept in {kept} "
            f"of the {with_lead} with an informative lead"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.summarise", description=__doc__)
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="development set names")
    parser.add_argument("--data", type=Path, help="one JSON Lines file instead of --sets")
    parser.add_argument("--words", type=int, default=70, help="word budget (default 70)")
    parser.add_argument("--sentences", type=int, default=3, help="sentence cap (default 3)")
    parser.add_argument("--only", help="show only the methods whose name starts with this")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo site's articles")
    args = parser.parse_args(argv)
    print(f"Budget: {args.words} words, {args.sentences} sentences.")
    for name in [args.data] if args.data else args.sets:
        report(str(name), load(name), args.words, args.sentences, args.only)
    if not args.no_demo:
        demo(args.words, args.sentences)


if __name__ == "__main__":
    main()
