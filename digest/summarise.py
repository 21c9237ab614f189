"""Summaries with sumy, fed by a sentence splitter that needs no run-time download.

sumy's own ``Tokenizer`` asks NLTK for its punkt model, which NLTK downloads on first
use. ``OfflineTokenizer`` plugs in nupunkt (its model ships inside the wheel) for
sentences and NLTK's ``NLTKWordTokenizer`` (rules only, no data files) for words; sumy
accepts any object with ``to_sentences`` and ``to_words``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Protocol

import nupunkt
from nltk.tokenize import NLTKWordTokenizer
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

_WORD = re.compile(r"\w", re.UNICODE)


class Summarizer(Protocol):
    def __call__(self, text: str, *, sentences: int) -> str: ...


class OfflineTokenizer:
    """sumy tokenizer: nupunkt sentences, NLTK rule-based words. English only for now."""

    language = "english"

    def __init__(self) -> None:
        self._words = NLTKWordTokenizer()

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.strip() for s in nupunkt.sent_tokenize(paragraph) if s.strip())

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w for w in self._words.tokenize(sentence) if _WORD.search(w))


@cache
def _lexrank() -> tuple[LexRankSummarizer, OfflineTokenizer]:
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return summarizer, OfflineTokenizer()


def split_sentences(text: str) -> list[str]:
    """The article's sentences, paragraph by paragraph, in order."""
    tokenizer = _lexrank()[1]
    return [s for para in text.split("\n") if para.strip() for s in tokenizer.to_sentences(para)]


def summarise(text: str, *, sentences: int = 3) -> str:
    """The ``sentences`` most central sentences of ``text`` (sumy LexRank), in article order.

    Paragraphs are separated by newlines. Deterministic: same text, same summary.
    """
    if not text.strip():
        return ""
    summarizer, tokenizer = _lexrank()
    document = PlaintextParser.from_string(_as_paragraphs(text), tokenizer).document
    picked = summarizer(document, sentences)
    return " ".join(str(sentence) for sentence in picked)


def _as_paragraphs(text: str) -> str:
    # PlaintextParser treats an upper-case-only line as a heading and a blank line as a
    # paragraph break; our extracted text has one paragraph a line.
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
