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
from itertools import count
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from digest.config import Topic

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


_BLANK = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_given)  # permutations drawn once
_MULTIPLIER = np.uint64(1_000_003)
_MASK = np.uint64(0xFFFFFFFF)


def signature(text: str, vocabulary: defaultdict[str, int] | None = None) -> MinHash:
    """The MinHash of the text's word 5-gram shingles. Words are numbered by
    ``vocabulary`` (one shared by the texts compared, that numbers a new word when asked,
    see ``group_stories``: a dictionary lookup per word is the cheapest hash), or by their
    CRC-32 without one."""
    words = WORD.findall(text.lower())
    if vocabulary is None:
        numbers = [zlib.crc32(word.encode("utf-8")) for word in words]
    else:
        numbers = [vocabulary[word] for word in words]
    minhash = _BLANK.copy()
    minhash.update_batch(_shingle_hashes(np.array(numbers, dtype=np.uint64)).tolist())
    return minhash


def _shingle_hashes(words: np.ndarray) -> np.ndarray:
    """One 32-bit hash per distinct run of SHINGLE_WORDS words (a text shorter than that
    is one shingle): a polynomial in the word hashes, then MurmurHash3's 32-bit finalizer
    so that similar shingles get unrelated hashes."""
    runs = max(1, len(words) - SHINGLE_WORDS + 1)
    hashes = np.zeros(runs, dtype=np.uint64)
    for k in range(min(SHINGLE_WORDS, len(words))):
        hashes = (hashes * _MULTIPLIER + words[k : k + runs]) & _MASK
    hashes ^= hashes >> np.uint64(16)
    hashes = (hashes * np.uint64(0x85EBCA6B)) & _MASK
    hashes ^= hashes >> np.uint64(13)
    hashes = (hashes * np.uint64(0xC2B2AE35)) & _MASK
    hashes ^= hashes >> np.uint64(16)
    return np.unique(hashes)


def group_stories(articles: Sequence[dict[str, Any]]) -> list[Story]:
    """Articles (dicts with ``id``, ``text``, ``source``, ``published_at``…) grouped into
    stories; the lead is the earliest published copy."""
    vocabulary: defaultdict[str, int] = defaultdict(count().__next__)  # 0, 1, 2... by first use
    signatures = [signature(a["text"] or a["title"] or "", vocabulary) for a in articles]
    index = MinHashLSH(threshold=SIMILARITY, num_perm=NUM_PERM)
    parent = list(range(len(articles)))
    for i, sig in enumerate(signatures):
        for j in index.query(sig):
            if sig.jaccard(signatures[j]) >= SIMILARITY:
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
        return max(a["published_at"] or a["first_seen_at"] for a in story.articles)

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
    return [t for t in topics if (found := _pattern(t.terms)) and found.search(haystack)]


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression for all of a topic's terms: a single pass over the text."""
    words = [re.escape(term.strip().lower()) for term in terms if term.strip()]
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)") if words else None
