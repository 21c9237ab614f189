"""Extractive summaries for a business digest: the lead first, then the sentences that add most.

How a summary is made (issue #16):

1. The text (one paragraph a line) is split into sentences by nupunkt, whose model ships in
   its wheel, with two repairs: "Rs. 50" is not a sentence break, and "last month. Prices"
   is one (nupunkt's model takes a few plain words for abbreviations). Page furniture is
   dropped: caption and credit paragraphs ("Photo: ...", "File photo ...", "Traders at the
   exchange. (Photo: Reuters)"), bylines ("By Staff Reporter"), "Reporting by ..." footers,
   "Read more" and "Scroll down for video" prompts, all-capital datelines standing alone,
   and, when ``title`` is given, any sentence whose content words nearly all come from the
   headline. Fragments (under six words, or not ending like a sentence) are left out unless
   nothing else is left.
2. The lead: the first remaining sentence, when it is informative (``is_informative_lead``:
   not a question, an exclamation, a quotation, a sentence opening with a pronoun or a
   connective, or a short hook without a figure or a name). A summary always starts with
   it, because news puts the headline fact there. When the first sentence is a hook, the
   next one or two are tried, if they can open a summary. When the lead alone is longer
   than the word budget, the summary is the lead alone, whole: a digest entry that states
   the headline fact in 80 words beats one that skips it.
3. The rest of the budget is filled with whole sentences after the lead, valued
   ``position(i) * (1 + c * centrality + t * title overlap) - w * words``: a logistic prior
   over the sentence's place (1/2 between the third and fourth sentence, falling by about
   e per sentence), sumy's TextRank score scaled to 0..1 within the article, the share of
   the headline's content stems the sentence carries, and a cost per word, so that a long,
   weak sentence is left out rather than used to fill the budget. A sentence opening with a
   quotation counts 70% (a digest wants facts). The set with the largest total value that
   fits the budget and the sentence cap, with no two sentences repeating each other (70% or
   more of the shorter one's content stems shared), is chosen; the sentences come back in
   article order, joined by single spaces.
4. No summary opens mid-story (``opens_mid_story``). With an informative lead this holds by
   construction; without one, only sets whose first sentence can open are considered.

The weights in ``Weights`` were fitted with ``python -m bench.summarise_tune`` on
cnndm-dev alone (119 CNN/DailyMail articles) and checked on the three other development
sets, held out, and by leave-one-set-out cross-validation; docs/benchmarks.md has the
numbers. At 70 words and 3 sentences the summary beats Lead-3 cut to the same budget on
ROUGE-1 and -2 on all four sets, keeps every informative lead and opens mid-story in none
(``python -m bench.summarise``).

sumy's own ``Tokenizer`` asks NLTK for its punkt model, which NLTK downloads on first use;
``OfflineTokenizer`` (nupunkt sentences, NLTK's rule-only ``NLTKWordTokenizer`` words) needs
no data files, and sumy accepts any object with ``to_sentences`` and ``to_words``.
Deterministic: same text, same summary (ties go to the earlier sentence).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Protocol

import nupunkt
from nltk.tokenize import NLTKWordTokenizer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from digest.furniture import CAPTION_START, CREDIT_IN_SENTENCE, ENDS_WITH_PHOTO_CREDIT

SENTENCES = 3  # sentence cap
WORDS = 70  # word budget, counted as whitespace-separated tokens
MIN_WORDS = 6  # shorter sentences are fragments ("He was 88.")
HOOK_WORDS = 10  # a shorter lead with no figure and no name is a hook ("Call it a price war.")
LEAD_TRIES = 3  # when the first sentence is a hook, look this far for an informative lead
REDUNDANT = 0.7  # share of the shorter sentence's content stems that makes two a repeat
HEADLINE_REPEAT = 0.8  # share of a sentence's content stems found in the headline
CANDIDATES = 14  # only the best-valued sentences are combined


@dataclass(frozen=True, slots=True)
class Weights:
    """How sentences after the lead are valued:
    ``position * (1 + centrality + title) * quote - word_cost * words``. Fitted on cnndm-dev
    (docs/benchmarks.md); ``title`` had no say there (no titles) and stays 0."""

    midpoint: float = 2.5  # the position prior is 1/2 at this sentence (0 is the lead)
    steepness: float = 1.0  # and falls by about e^steepness per sentence after it
    centrality: float = 8.0  # weight of sumy's TextRank score, scaled to 0..1
    title: float = 0.0  # weight of the share of the headline's content stems present
    quote: float = 0.7  # factor for a sentence that opens with a quotation
    word_cost: float = 0.01  # subtracted per word: a long, weak sentence is not worth its room


WEIGHTS = Weights()

_WORD = re.compile(r"\w", re.UNICODE)
_NUMBER_ABBREVIATION = re.compile(r"\b(?:Rs|Re|No|Nos|Art|Sec|Vol|Fig)\.\s*$")
_MISSED_BREAK = re.compile(r"\b([a-z]{4,})\.\s+(?=[\"“‘']?[A-Z])")
_LOWER_ABBREVIATIONS = frozenset(
    {"approx", "assn", "cont", "corp", "dept", "excl", "govt", "incl", "intl", "mgmt", "misc"}
)
_QUOTE_START = re.compile(r"^[\"“‘'`]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_BYLINE_WORD = re.compile(r"[A-Z0-9@(].*|and|&|of|de|van|von|\W+")


# What makes a sentence lean on one before it (see ``opens_mid_story``).
_CONNECTIVES = (
    "but|however|and|or|nor|so|yet|still|meanwhile|instead|also|moreover|furthermore|besides|"
    "nevertheless|nonetheless|then|thus|therefore|hence|otherwise|consequently|accordingly|"
    "likewise|similarly|conversely|indeed|again|later|earlier|afterwards|separately|"
    "additionally|plus|too|even so|that said|in addition|in contrast|by contrast|"
    "on the other hand|as a result|at the same time|in response|in reply|after that|"
    "despite (?:this|that|these|those|it)|because of (?:this|that|it)|"
    "for (?:his|her|their|its) part"
)
_PRONOUNS = (
    "it|its|it's|this|that|these|those|they|them|their|they're|they've|they'd|he|him|his|"
    "he's|she|her|she's|we|our|us|we're|i|i'm|i've|my|you|your|such|both|another|others|"
    "here|here's|the latter"
)
# A dateline before the story: "KARACHI:", "LONDON, England (CNN) --", "(CNN)".
_DATELINE = re.compile(
    r"^(?:\((?:CNN|cnn)\)\s*|[A-Z][A-Z.' ]+(?:,\s*[A-Z][A-Za-z.' ]*)?\s*(?:\([^)]*\))?\s*"
    r"(?::|--|—|–|-)\s*)"
)
_OPENER = re.compile(
    rf"^(?:(?:{_CONNECTIVES})\b(?!-)|(?:{_PRONOUNS})\b(?![-'’])|"
    r"(?:in|on|at|for|with|from|to|by|under|after|despite|unlike|like|among)\s+"
    r"(?:its|his|her|their|this|that|these|those|such)\b)",
    re.IGNORECASE,
)
# "This week, the bank ..." and "These days ..." are dated by the article, not by a sentence.
_TIME_DEMONSTRATIVE = re.compile(
    r"^(?:this|these|that)\s+(?:year|week|month|morning|afternoon|evening|weekend|season|"
    r"spring|summer|autumn|fall|winter|quarter|days|time)\b",
    re.IGNORECASE,
)
# "The decision ...", "The memorandum ...": a common noun read as already introduced. Not
# when a name or a restriction follows within five words: "The world's biggest carmaker
# General Motors ...", "The price of cement ...", "The former chief financial officer at ...".
_DEFINITE = re.compile(r"^the\s+([a-z][\w'’-]*)((?:\s+[\w'’,()-]+){0,5})", re.IGNORECASE)
_RESTRICTOR = re.compile(r"\b(?:of|for|in|at|on|from|between|among|who|which|that)\b")
_NAME = re.compile(r"\s[A-Z]")
# Where the noun phrase most likely ends: an auxiliary or a word that looks like a verb.
_VERBISH = re.compile(
    r"(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|should|must|"
    r"said|says|do|does|did|\w+ed|\w{3,}s)$"
)
_HOOK_END = re.compile(r"[?!:][\"'”’)\]]*\s*$")
_NAME_OR_FIGURE = re.compile(r"\d|\s[A-Z]")


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
    centrality: float = 0.0  # sumy's TextRank score, scaled to 0..1 within the article
    title: float = 0.0  # share of the headline's content stems the sentence carries
    value: float = 0.0


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article made ready to summarise: its candidate sentences and its lead, if any.

    ``lead`` indexes ``candidates``; ``None`` when no informative lead was found. Built by
    ``prepare`` once, then summarised at any budget or weights by ``pick`` (the benchmark
    tunes weights this way without re-running TextRank).
    """

    candidates: tuple[_Candidate, ...]
    lead: int | None


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
    repeat the headline and favours sentences that carry its words. The summary starts with
    the article's informative lead (see the module docstring) and never with a sentence that
    opens mid-story. At most ``sentences`` sentences and ``words`` words (split on
    whitespace), with one exception: when the lead alone is longer than ``words``, the
    summary is the lead alone, whole (and likewise the best sentence that can open, when
    there is no informative lead and none fits). An empty string when nothing in ``text``
    reads as a sentence. Deterministic.
    """
    return pick(prepare(text, title=title), sentences=sentences, words=words)


def prepare(text: str, *, title: str | None = None) -> Prepared:
    """The candidate sentences of ``text`` with their TextRank and headline scores."""
    candidates = _candidates(text, title)
    if not candidates:
        return Prepared((), None)
    centrality = _scaled(_textrank([c.text for c in candidates]))
    headline = _tools().stems(title) if title else frozenset()
    scored = tuple(
        replace(c, centrality=rank, title=_coverage(c.stems, headline))
        for c, rank in zip(candidates, centrality, strict=True)
    )
    return Prepared(scored, _lead_index(scored))


def pick(
    article: Prepared,
    *,
    sentences: int = SENTENCES,
    words: int = WORDS,
    weights: Weights = WEIGHTS,
) -> str:
    """The summary of a prepared article (see ``summarise``)."""
    if not article.candidates or sentences < 1:
        return ""
    valued = [replace(c, value=_value(c, weights)) for c in article.candidates]
    if article.lead is None:
        picked = _best_set(valued, budget=words, cap=sentences, opener=_can_open)
    else:
        lead = valued[article.lead]
        rest = [c for c in valued if c.order > lead.order and not _redundant(c, lead)]
        budget = words - lead.words
        room = budget > 0 and sentences > 1
        more = _best_set(rest, budget=budget, cap=sentences - 1, fallback=False) if room else ()
        picked = (lead, *more)
    return " ".join(c.text for c in sorted(picked, key=lambda c: c.order))


def first_sentence(text: str, *, title: str | None = None) -> str | None:
    """The article's first sentence, furniture and headline repeats skipped; None if none."""
    candidates = _candidates(text, title)
    return candidates[0].text if candidates else None


def informative_lead(text: str, *, title: str | None = None) -> str | None:
    """The article's first sentence when it is informative (``is_informative_lead``), else
    None: what the benchmark's "lead kept" counts."""
    first = first_sentence(text, title=title)
    return first if first and is_informative_lead(first) else None


def opens_mid_story(sentence: str) -> bool:
    """True when ``sentence`` leans on one before it, so it cannot open a summary.

    After an opening quotation mark and a dateline ("KARACHI:", "(CNN)") are set aside:

    - a connective or reply: "But", "However", "Meanwhile", "Also", "In addition", "As a
      result", "Despite this";
    - a pronoun or demonstrative: "It", "This", "They", "He said", "Their", "Such",
      "Both", "Another", "The latter" (but "This week ...", "These days ..." are dated by the
      article and pass, and so do capitals such as "US" and "IT");
    - a possessive after a preposition: "In its statement, ...", "Under their plan, ...";
    - a definite common noun read as already introduced: "The decision ...", "The
      memorandum ...", "The firm said" (but not a name, "The State Bank ...", nor a noun
      that a name or a restriction follows within five words, "The price of cement ...").
      In all-lower-case text names cannot be told from nouns; only restrictions count.

    The article's own first sentence never depends on a sentence left out; the benchmark
    counts an opening as mid-story only when it is not that sentence (see
    ``first_sentence``).
    """
    text = _DATELINE.sub("", _QUOTE_START.sub("", sentence.strip()), count=1).lstrip()
    return _leans_back(text) or _definite_back_reference(text)


def _leans_back(text: str) -> bool:
    """Opens with a connective, a pronoun or a possessive after a preposition."""
    opener = _OPENER.match(text)
    if opener is None or _TIME_DEMONSTRATIVE.match(text):
        return False
    word = opener[0]
    return not (len(word) > 1 and word.isupper())  # "US crude prices ...", "IT firms ..."


def _definite_back_reference(text: str) -> bool:
    definite = _DEFINITE.match(text)
    if definite is None:
        return False
    mixed_case = any(c.isupper() for c in text[1:])
    if mixed_case and definite[1][0].isupper():
        return False  # "The State Bank ...": a name
    phrase = ""  # the rest of the noun phrase, up to what looks like its verb
    for word in definite[2].split(",")[0].split():
        if _VERBISH.fullmatch(word):
            break
        phrase += " " + word
    if mixed_case and _NAME.search(phrase):
        return False
    return not _RESTRICTOR.search(phrase.lower())


def is_informative_lead(sentence: str) -> bool:
    """True when ``sentence``, the article's first, can stand as its lead: a whole statement,
    not a hook. Hooks: a question or exclamation, a line ending in a colon, a quotation, a
    sentence opening with a connective or a pronoun ("It's amazing what ...", "But first,
    ..."), and one under ``HOOK_WORDS`` words with neither a figure nor a name ("Call it a
    price war."). A definite noun ("The dollar has hit ...") is fine in a first sentence."""
    if _is_fragment(sentence) or _QUOTE_START.match(sentence) or _HOOK_END.search(sentence):
        return False
    text = _DATELINE.sub("", sentence.strip(), count=1)
    if _leans_back(text):
        return False
    return len(text.split()) >= HOOK_WORDS or bool(_NAME_OR_FIGURE.search(text))


def _can_open(candidate: _Candidate) -> bool:
    text = candidate.text
    return not (opens_mid_story(text) or _QUOTE_START.match(text) or _HOOK_END.search(text))


def _lead_index(candidates: Sequence[_Candidate]) -> int | None:
    """The first informative sentence among the first ``LEAD_TRIES``; None if there is none."""
    for index, candidate in enumerate(candidates[:LEAD_TRIES]):
        if is_informative_lead(candidate.text) and (index == 0 or _can_open(candidate)):
            return index
    return None


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
        if _is_caption_or_byline(paragraph) or ENDS_WITH_PHOTO_CREDIT.search(paragraph):
            continue  # the whole paragraph: "Traders at the exchange. (Photo: Reuters)"
        for sentence in tokenizer.to_sentences(paragraph):
            if not _is_furniture(sentence):
                yield sentence


def _is_furniture(sentence: str) -> bool:
    """A caption, byline or dateline (see below), or a sentence carrying a credit."""
    return _is_caption_or_byline(sentence) or bool(CREDIT_IN_SENTENCE.search(sentence))


def _is_caption_or_byline(text: str) -> bool:
    """Starts as a caption or reading prompt does, is a byline, or has no lower-case letter
    (an all-capital dateline such as "KARACHI:" standing alone)."""
    return bool(CAPTION_START.match(text)) or _is_byline(text) or not any(c.islower() for c in text)


def _is_byline(text: str) -> bool:
    """ "By" and then only names, initials, dates and separators: "By Staff Reporter | Nov 20"."""
    first, *rest = text.split() or [""]
    return first.lower() == "by" and bool(rest) and all(_BYLINE_WORD.fullmatch(w) for w in rest)


def _is_fragment(sentence: str) -> bool:
    """Too short to stand alone, or not ending like a sentence (a heading, a list item)."""
    return len(sentence.split()) < MIN_WORDS or not _SENTENCE_END.search(sentence)


def _repeats(stems: frozenset[str], headline: frozenset[str]) -> bool:
    return bool(headline) and len(stems & headline) >= HEADLINE_REPEAT * len(stems)


def _coverage(stems: frozenset[str], headline: frozenset[str]) -> float:
    return len(stems & headline) / len(headline) if headline else 0.0


def _value(candidate: _Candidate, weights: Weights) -> float:
    """Position prior x (1 + weighted centrality + weighted headline coverage), discounted
    when the sentence opens with a quotation, less a cost per word."""
    position = _position(candidate.order, weights)
    bonus = weights.centrality * candidate.centrality + weights.title * candidate.title
    value = position * (1.0 + bonus)
    value = value * weights.quote if _QUOTE_START.match(candidate.text) else value
    return value - weights.word_cost * candidate.words


def _position(order: int, weights: Weights) -> float:
    """Logistic position prior: about 1 for the first sentences, 1/2 at ``midpoint``."""
    exponent = min(50.0, weights.steepness * (order - weights.midpoint))
    return 1.0 / (1.0 + math.exp(exponent))


def _textrank(texts: Sequence[str]) -> list[float]:
    """sumy's TextRank score of each sentence, in the order given."""
    tools = _tools()
    document = ObjectDocumentModel([Paragraph([Sentence(t, tools.tokenizer) for t in texts])])
    ratings = tools.textrank.rate_sentences(document)
    return [float(ratings[s]) for s in document.sentences]


def _scaled(scores: list[float]) -> list[float]:
    low, high = min(scores), max(scores)
    return [(s - low) / (high - low) if high > low else 0.0 for s in scores]


def _best_set(
    candidates: list[_Candidate],
    *,
    budget: int,
    cap: int,
    opener: Callable[[_Candidate], object] | None = None,
    fallback: bool = True,
) -> tuple[_Candidate, ...]:
    """The highest-valued set of at most ``cap`` sentences that fits ``budget``, no repeats,
    and (when ``opener`` is given) whose earliest sentence passes ``opener``. Only sets worth
    more than nothing count.

    Smaller sets and earlier sentences win ties. If no set qualifies: with ``fallback``, the
    single best-valued sentence that passes ``opener`` (or the best of all, if none does),
    whole, whatever its length; without, ``()``. ``()`` if ``candidates`` is empty.
    """
    by_value = sorted(candidates, key=lambda c: (-c.value, c.order))
    pool = sorted(by_value[:CANDIDATES], key=lambda c: c.order)
    best: tuple[_Candidate, ...] = ()
    best_value = 0.0
    for size in range(1, min(cap, len(pool)) + 1):
        for group in itertools.combinations(pool, size):
            value = sum(c.value for c in group)
            if value > best_value and _fits(group, budget, opener):
                best, best_value = group, value
    if best or not by_value or not fallback:
        return best
    openers = [c for c in by_value if opener is None or opener(c)]
    return ((openers or by_value)[0],)


def _fits(
    group: tuple[_Candidate, ...], budget: int, opener: Callable[[_Candidate], object] | None
) -> bool:
    if sum(c.words for c in group) > budget:
        return False
    if opener is not None and not opener(group[0]):
        return False
    return not any(_redundant(a, b) for a, b in itertools.combinations(group, 2))


def _redundant(a: _Candidate, b: _Candidate) -> bool:
    """True when most content stems of the shorter sentence are in the other one too."""
    shorter = min(len(a.stems), len(b.stems))
    return shorter > 0 and len(a.stems & b.stems) >= REDUNDANT * shorter
