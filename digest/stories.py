"""The same story once: near-duplicate articles grouped into stories, stories matched to
the reader's watch topics and ranked.

Near-duplicates (a wire story on several sites, a syndicated copy, a republished
version) are found with MinHash signatures over word 5-gram shingles and datasketch's
MinHash LSH index: candidate pairs come from the index in about linear time, and each pair
is confirmed by its estimated Jaccard similarity before two articles join one story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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


def signature(text: str) -> MinHash:
    words = WORD.findall(text.lower())
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS])
        for i in range(max(1, len(words) - SHINGLE_WORDS + 1))
    }
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash


def group_stories(articles: Sequence[dict[str, Any]]) -> list[Story]:
    """Articles (dicts with ``id``, ``text``, ``source``, ``published_at``…) grouped into
    stories; the lead is the earliest published copy."""
    signatures = [signature(a["text"] or a["title"] or "") for a in articles]
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
    return [t for t in topics if any(_mentions(haystack, term) for term in t.terms)]


def _mentions(haystack: str, term: str) -> bool:
    term = term.strip().lower()
    return bool(term) and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", haystack) is not None
