"""The same story once: near-duplicate articles grouped into stories, stories matched to
the reader's watch topics and ranked.

Near-duplicates (a wire story on several sites, a syndicated copy, a republished
version) are found with MinHash signatures over word 5-gram shingles and datasketch's
MinHash LSH index: candidate pairs come from the index in about linear time, and each pair
is confirmed by its estimated Jaccard similarity before two articles join one story.

A shingle is hashed from its words' numbers (a dictionary lookup per word, then numpy
over the whole text) rather than by SHA-1 per shingle string: a day of ~2,000 articles took
1.5 s to sign that way, and a digest has 2 s in all (issue #9 item 5).
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, count
from typing import TYPE_CHECKING, Any

import numpy as np

from digest.config import Topic

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
SHINGLE_WORDS = 5
SIMILARITY = 0.5  # estimated Jaccard of 5-word shingles above which two texts are one story
WORD = re.compile(r"\w+")


@dataclass
class Story:
    """One story: its lead article and the other sources' copies."""

    lead: dict[str, Any]
    others: list[dict[str, Any]] = field(default_factory=list)

    @property
    def articles(self) -> list[dict[str, Any]]:
        return [self.lead, *self.others]

    @property
    def sources(self) -> set[str]:
        return {a["source"] for a in self.articles}


def _given(value: int) -> int:
    """MinHash's hash function: the shingle hashes are computed beforehand."""
    return value


@lru_cache(maxsize=1)
def _blank() -> MinHash:
    """The empty signature, its permutations drawn once. datasketch (and SciPy, which it
    imports) is loaded on first use, not by every command that imports this module."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_given)


_MULTIPLIER = np.uint64(1_000_003)
_MASK = np.uint64(0xFFFFFFFF)
_PAD = 0xFFFFFFFF  # fills a text shorter than one shingle


def signature(text: str) -> MinHash:
    """The MinHash of a text's word 5-gram shingles, its words numbered by CRC-32, so that
    it compares with any other text's signature."""
    return _sign([[zlib.crc32(word.encode("utf-8")) for word in WORD.findall(text.lower())]])[0]


def signatures(texts: Sequence[str]) -> list[MinHash]:
    """The signatures of texts compared with each other only: their words numbered in one
    vocabulary, 0, 1, 2... by first use (a dictionary lookup per word is the cheapest hash)."""
    vocabulary: defaultdict[str, int] = defaultdict(count().__next__)
    return _sign([[vocabulary[word] for word in WORD.findall(text.lower())] for text in texts])


def _sign(numbered: list[list[int]]) -> list[MinHash]:
    out = []
    for hashes in _shingle_hashes(numbered):
        minhash = _blank().copy()
        minhash.update_batch(hashes.tolist())
        out.append(minhash)
    return out


def _shingle_hashes(numbered: list[list[int]]) -> list[np.ndarray]:
    """For each text, a 32-bit hash for each run of SHINGLE_WORDS words (a shorter text,
    padded, is one run): a polynomial in the word numbers, then MurmurHash3's 32-bit
    finalizer so that similar runs get unrelated hashes. All the texts in one numpy pass;
    a run that repeats is hashed twice, which changes no minimum."""
    padded = [words + [_PAD] * (SHINGLE_WORDS - len(words)) for words in numbered]
    lengths = [len(words) for words in padded]
    flat = np.fromiter(chain.from_iterable(padded), dtype=np.uint64, count=sum(lengths))
    runs = len(flat) - SHINGLE_WORDS + 1
    hashes = np.zeros(max(runs, 0), dtype=np.uint64)
    for k in range(SHINGLE_WORDS):
        hashes = (hashes * _MULTIPLIER + flat[k : k + runs]) & _MASK
    hashes ^= hashes >> np.uint64(16)
    hashes = (hashes * np.uint64(0x85EBCA6B)) & _MASK
    hashes ^= hashes >> np.uint64(13)
    hashes = (hashes * np.uint64(0xC2B2AE35)) & _MASK
    hashes ^= hashes >> np.uint64(16)
    starts = np.cumsum([0, *lengths])[:-1]
    return [
        hashes[start : start + n - SHINGLE_WORDS + 1]
        for start, n in zip(starts, lengths, strict=True)
    ]


def group_stories(articles: Sequence[dict[str, Any]]) -> list[Story]:
    """Articles (dicts with ``id``, ``text``, ``source``, ``published_at``…) grouped into
    stories; the lead is the earliest published copy."""
    signed = signatures([a["text"] or a["title"] or "" for a in articles])
    from datasketch import MinHashLSH

    index = MinHashLSH(threshold=SIMILARITY, num_perm=NUM_PERM)
    parent = list(range(len(articles)))
    for i, sig in enumerate(signed):
        for j in index.query(sig):
            if sig.jaccard(signed[j]) >= SIMILARITY:
                parent[_root(parent, i)] = _root(parent, j)
        index.insert(i, sig)
    groups: dict[int, list[dict[str, Any]]] = {}
    for i, article in enumerate(articles):
        groups.setdefault(_root(parent, i), []).append(article)
    return [_story(members) for members in groups.values()]


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _story(members: list[dict[str, Any]]) -> Story:
    ordered = sorted(members, key=lambda a: (a["published_at"] or a["first_seen_at"], a["id"]))
    return Story(lead=ordered[0], others=ordered[1:])


def rank(stories: list[Story]) -> list[Story]:
    """Most sources first, then the most recent."""

    def recency(story: Story) -> str:
        latest: str = max(a["published_at"] or a["first_seen_at"] for a in story.articles)
        return latest

    by_recency = sorted(stories, key=recency, reverse=True)
    return sorted(by_recency, key=lambda s: len(s.sources), reverse=True)


def topic_of(story: Story, topics: Sequence[Topic]) -> Topic | None:
    """The first watch topic with a term in the story's title, summary or text."""
    matching = topics_of(story.lead, topics)
    return matching[0] if matching else None


def topics_of(article: dict[str, Any], topics: Sequence[Topic]) -> list[Topic]:
    """Every watch topic with a term (a whole word or phrase, any case) in the article's
    title, summary or text."""
    haystack = " ".join(str(article.get(k) or "") for k in ("title", "summary", "text")).lower()
    return [t for t in topics if (found := _pattern(t.terms)) and _mentions(found, haystack)]


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression for all of a topic's terms, each ending a word."""
    words = [re.escape(term.strip().lower()) for term in terms if term.strip()]
    return re.compile(rf"(?:{'|'.join(words)})(?!\w)") if words else None


def _mentions(pattern: re.Pattern[str], haystack: str) -> bool:
    """Whether a match of ``pattern`` also starts a word. Checked here rather than with a
    lookbehind, which keeps ``re`` from skipping ahead to the terms' first letters (2.5x
    slower over a day's articles)."""
    at = 0
    while (match := pattern.search(haystack, at)) is not None:
        if match.start() == 0 or not WORD.match(haystack, match.start() - 1):
            return True
        at = match.start() + 1
    return False
