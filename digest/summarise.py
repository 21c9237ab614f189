"""Extractive summaries: sumy's TextRank centrality, a lead-position prior and a word budget.

How a summary is made:

1. The text (one paragraph a line) is split into sentences by nupunkt, whose model ships in
   its wheel, with two repairs: "Rs. 50" is not a sentence break, and "last month. Prices"
   is one (nupunkt's model takes a few plain words for abbreviations). Page furniture is
   dropped: caption and credit paragraphs ("Photo: ...", "File photo ...", "Traders at the
   exchange. (Photo: Reuters)"), bylines ("By Staff Reporter"), "Reporting by ..." footers,
   "Read more" and "Scroll down for video" prompts, all-capital datelines standing alone,
   and, when ``title`` is given, any sentence whose content words nearly all come from the
   headline. Fragments (under six words, or not ending like a sentence) are left out unless
   nothing else is left.
2. Each remaining sentence is valued ``lead(i) * (1 + centrality)``. ``lead`` is a logistic
   prior over the sentence's place in the article (furniture not counted), flat over the
   first four and falling steeply after the fifth, because news puts the story first.
   ``centrality`` is sumy's TextRank score scaled to 0..1 within the article: it chooses
   *among* the lead sentences. A sentence that opens with a quotation counts 70%.
3. The summary is the set of at most ``sentences`` sentences with the largest total value
   whose words (whitespace-separated) fit the budget and of which no two repeat each other
   (70% or more of the shorter one's content stems shared). The sentences come back whole,
   in article order, joined by single spaces. The budget is a hard cap with one exception:
   when no sentence fits it on its own, the summary is the single best-valued sentence,
   whole. Nothing is ever cut mid-sentence.

Measured with ``python -m bench.summarise`` on 119 CNN/DailyMail test articles (ROUGE-1/2/L
F1, stemmed): this design at 70 words and 3 sentences scores 41.16 / 19.03 / 27.81 (64
words on average); Lead-3 40.59 / 18.65 / 26.53 (83 words); the first sentences that fit
the same budget 39.18 / 17.09; sumy's LexRank, TextRank, LSA, Luhn and SumBasic at the same
budget 32.0-35.4 R1. The lead over Lead-3 is small against the noise of 119 articles
(R1 +0.57 +- 1.47 per article); the other designs tried are listed in ``bench/summarise.py``.

sumy's own ``Tokenizer`` asks NLTK for its punkt model, which NLTK downloads on first use;
``OfflineTokenizer`` (nupunkt sentences, NLTK's rule-only ``NLTKWordTokenizer`` words) needs
no data files, and sumy accepts any object with ``to_sentences`` and ``to_words``.
Deterministic: same text, same summary (ties go to the earlier sentence).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol

import nupunkt
from nltk.tokenize import NLTKWordTokenizer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

SENTENCES = 3  # sentence cap
WORDS = 70  # word budget, counted as whitespace-separated tokens
MIN_WORDS = 6  # shorter sentences are fragments ("He was 88.")
LEAD_MIDPOINT = 4.5  # the lead prior is 1/2 here, between the 5th and 6th sentence
LEAD_STEEPNESS = 2.0  # and falls by a factor of about e^2 per sentence after that
CENTRALITY_WEIGHT = 1.0  # the most central sentence is worth up to twice its lead prior
QUOTE_DISCOUNT = 0.7  # a sentence opening with a quotation counts 70%: a digest wants facts
REDUNDANT = 0.7  # share of the shorter sentence's content stems that makes two a repeat
HEADLINE_REPEAT = 0.8  # share of a sentence's content stems found in the headline
CANDIDATES = 15  # only the best-valued sentences are combined (at most 2^15 sets)

_WORD = re.compile(r"\w", re.UNICODE)
_NUMBER_ABBREVIATION = re.compile(r"\b(?:Rs|Re|No|Nos|Art|Sec|Vol|Fig)\.\s*$")
_MISSED_BREAK = re.compile(r"\b([a-z]{4,})\.\s+(?=[\"“‘']?[A-Z])")
_LOWER_ABBREVIATIONS = frozenset(
    {"approx", "assn", "cont", "corp", "dept", "excl", "govt", "incl", "intl", "mgmt", "misc"}
)
_QUOTE_START = re.compile(r"^[\"“‘'`]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_CAPTION_START = re.compile(
    r"^\W*(?:(?:photo|photograph|image|picture|pic|video|graphic|illustration|caption)s?"
    r"(?:\s+credits?)?\s*[:|]|credits?\s*:|file\s+(?:photo|image|picture)|"
    r"scroll\s+down\s+for|click\s+here|read\s+more\b|also\s+read\b|watch\s*:)",
    re.IGNORECASE,
)
_PHOTO_CREDIT = r"\(\s*(?:photo|image|picture|file\s+photo|credit)s?\b[^)]*\)"
_CREDIT = re.compile(
    _PHOTO_CREDIT + r"|\b(?:reporting|writing|editing|additional\s+reporting)\s+by\s",
    re.IGNORECASE,
)
_ENDS_WITH_PHOTO_CREDIT = re.compile(_PHOTO_CREDIT + r"\W*$", re.IGNORECASE)
_BYLINE_WORD = re.compile(r"[A-Z0-9@(].*|and|&|of|de|van|von|\W+")


class Summarizer(Protocol):
    def __call__(
        self, text: str, *, sentences: int = SENTENCES, words: int = WORDS, title: str | None = None
    ) -> str: ...


class OfflineTokenizer:
    """sumy tokenizer: nupunkt sentences, NLTK rule-based words. English only for now."""

    language = "english"

    def __init__(self) -> None:
        self._words = NLTKWordTokenizer()
        # Each sentence is split into words twice (our stems, then sumy's TextRank), and
        # NLTK's rule-based tokenizer is the costliest step of a summary: remember them.
        self.to_words = lru_cache(maxsize=1 << 12)(self._to_words)  # type: ignore[method-assign]

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        spans = _rejoined(paragraph, nupunkt.sent_spans(paragraph))
        pieces = (p for start, end in spans for p in _missed_breaks(paragraph[start:end]))
        return tuple(piece.strip() for piece in pieces if piece.strip())

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return self._to_words(sentence)  # replaced by the memoised one in __init__

    def _to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w for w in self._words.tokenize(sentence) if _WORD.search(w))


def _rejoined(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """nupunkt ends a sentence at "Rs." in "fell by Rs. 50 to Rs. 1,400": join those back."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        before = text[joined[-1][0] : start] if joined else ""
        if _NUMBER_ABBREVIATION.search(before) and text[start:end].lstrip()[:1].isdigit():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _missed_breaks(sentence: str) -> list[str]:
    """nupunkt's model takes a few plain words for abbreviations ("last month. Analysts",
    "the central bank. The"); a lower-case word of four letters or more, a full stop and a
    capital (or opening quote) is a sentence break unless the word is a known abbreviation."""
    cuts = [m.end() for m in _MISSED_BREAK.finditer(sentence) if m[1] not in _LOWER_ABBREVIATIONS]
    bounds = [0, *cuts, len(sentence)]
    return [sentence[a:b] for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A sentence that may go into the summary; ``order`` is its place in the article."""

    order: int
    text: str
    words: int
    stems: frozenset[str]
    value: float = 0.0


class _Tools:
    """The tokenizer, stemmer, stop words and TextRank, built once per process."""

    def __init__(self) -> None:
        self.tokenizer = OfflineTokenizer()
        # Stemming is most of the work, and articles repeat their words: remember them.
        self.stemmer = lru_cache(maxsize=1 << 16)(Stemmer("english"))
        self.stop_words = frozenset(get_stop_words("english"))
        self.textrank = TextRankSummarizer(self.stemmer)
        self.textrank.stop_words = self.stop_words

    def stems(self, text: str) -> frozenset[str]:
        """Stems of the content words (stop words left out), lower-cased."""
        words = (w.lower() for w in self.tokenizer.to_words(text))
        return frozenset(self.stemmer(w) for w in words if w not in self.stop_words)


@cache
def _tools() -> _Tools:
    return _Tools()


def split_sentences(text: str) -> list[str]:
    """The article's sentences, paragraph (line) by paragraph, in order, furniture included."""
    tokenizer = _tools().tokenizer
    return [s for paragraph in _paragraphs(text) for s in tokenizer.to_sentences(paragraph)]


def summarise(
    text: str, *, sentences: int = SENTENCES, words: int = WORDS, title: str | None = None
) -> str:
    """Whole sentences of ``text`` that fit ``words`` and ``sentences``, in article order.

    ``text`` has one paragraph a line. ``title``, when given, drops sentences that only
    repeat the headline. At most ``sentences`` sentences and ``words`` words (split on
    whitespace), except that when no sentence fits the budget on its own the summary is the
    single best one, whole. An empty string when nothing in ``text`` reads as a sentence.
    Deterministic.
    """
    candidates = _candidates(text, title)
    if not candidates or sentences < 1:
        return ""
    picked = _best_set(_valued(candidates), budget=words, cap=sentences)
    return " ".join(c.text for c in sorted(picked, key=lambda c: c.order))


def _paragraphs(text: str) -> Iterator[str]:
    return (line.strip() for line in text.splitlines() if line.strip())


def _candidates(text: str, title: str | None) -> list[_Candidate]:
    """The sentences a summary may use, each with its place in the article's own sentences.

    Furniture and headline repeats are not the article's sentences and are not counted;
    fragments are counted but left out (unless nothing else is left).
    """
    stems = _tools().stems
    headline = stems(title) if title else frozenset()
    body = [(s, stems(s)) for s in _article_sentences(text)]
    body = [(s, terms) for s, terms in body if not _repeats(terms, headline)]
    full = [(order, s) for order, s in enumerate(body) if not _is_fragment(s[0])]
    chosen = full or list(enumerate(body))
    return [_Candidate(i, s, len(s.split()), terms) for i, (s, terms) in chosen]


def _article_sentences(text: str) -> Iterator[str]:
    """Sentences outside caption and byline paragraphs that are not furniture themselves."""
    tokenizer = _tools().tokenizer
    for paragraph in _paragraphs(text):
        if _is_caption_or_byline(paragraph) or _ENDS_WITH_PHOTO_CREDIT.search(paragraph):
            continue  # the whole paragraph: "Traders at the exchange. (Photo: Reuters)"
        for sentence in tokenizer.to_sentences(paragraph):
            if not _is_furniture(sentence):
                yield sentence


def _is_furniture(sentence: str) -> bool:
    """A caption, byline or dateline (see below), or a sentence carrying a credit."""
    return _is_caption_or_byline(sentence) or bool(_CREDIT.search(sentence))


def _is_caption_or_byline(text: str) -> bool:
    """Starts as a caption or reading prompt does, is a byline, or has no lower-case letter
    (an all-capital dateline such as "KARACHI:" standing alone)."""
    return (
        bool(_CAPTION_START.match(text)) or _is_byline(text) or not any(c.islower() for c in text)
    )


def _is_byline(text: str) -> bool:
    """ "By" and then only names, initials, dates and separators: "By Staff Reporter | Nov 20"."""
    first, *rest = text.split() or [""]
    return first.lower() == "by" and bool(rest) and all(_BYLINE_WORD.fullmatch(w) for w in rest)


def _is_fragment(sentence: str) -> bool:
    """Too short to stand alone, or not ending like a sentence (a heading, a list item)."""
    return len(sentence.split()) < MIN_WORDS or not _SENTENCE_END.search(sentence)


def _repeats(stems: frozenset[str], headline: frozenset[str]) -> bool:
    return bool(headline) and len(stems & headline) >= HEADLINE_REPEAT * len(stems)


def _valued(candidates: list[_Candidate]) -> list[_Candidate]:
    """Each candidate with its value: lead prior x (1 + weight x TextRank scaled to 0..1),
    discounted when the sentence opens with a quotation."""
    centrality = _scaled(_textrank([c.text for c in candidates]))
    return [
        _Candidate(c.order, c.text, c.words, c.stems, _value(c, rank))
        for c, rank in zip(candidates, centrality, strict=True)
    ]


def _value(candidate: _Candidate, centrality: float) -> float:
    value = _lead(candidate.order) * (1.0 + CENTRALITY_WEIGHT * centrality)
    return value * QUOTE_DISCOUNT if _QUOTE_START.match(candidate.text) else value


def _lead(order: int) -> float:
    """Logistic position prior: about 1 for the first four sentences, 1/2 at LEAD_MIDPOINT."""
    return 1.0 / (1.0 + math.exp(min(50.0, LEAD_STEEPNESS * (order - LEAD_MIDPOINT))))


def _textrank(texts: Sequence[str]) -> list[float]:
    """sumy's TextRank score of each sentence, in the order given."""
    tools = _tools()
    document = ObjectDocumentModel([Paragraph([Sentence(t, tools.tokenizer) for t in texts])])
    ratings = tools.textrank.rate_sentences(document)
    return [float(ratings[s]) for s in document.sentences]


def _scaled(scores: list[float]) -> list[float]:
    low, high = min(scores), max(scores)
    return [(s - low) / (high - low) if high > low else 0.0 for s in scores]


def _best_set(candidates: list[_Candidate], *, budget: int, cap: int) -> tuple[_Candidate, ...]:
    """The highest-valued set of at most ``cap`` sentences that fits ``budget``, no repeats.

    Smaller sets and earlier sentences win ties. If no sentence fits on its own, the single
    best-valued one (the earliest of equals).
    """
    by_value = sorted(candidates, key=lambda c: (-c.value, c.order))
    pool = sorted(by_value[:CANDIDATES], key=lambda c: c.order)
    best: tuple[_Candidate, ...] = ()
    best_value = 0.0
    for size in range(1, min(cap, len(pool)) + 1):
        for group in itertools.combinations(pool, size):
            value = sum(c.value for c in group)
            if value > best_value and _fits(group, budget):
                best, best_value = group, value
    return best or (by_value[0],)


def _fits(group: tuple[_Candidate, ...], budget: int) -> bool:
    if sum(c.words for c in group) > budget:
        return False
    return not any(_redundant(a, b) for a, b in itertools.combinations(group, 2))


def _redundant(a: _Candidate, b: _Candidate) -> bool:
    """True when most content stems of the shorter sentence are in the other one too."""
    shorter = min(len(a.stems), len(b.stems))
    return shorter > 0 and len(a.stems & b.stems) >= REDUNDANT * shorter
