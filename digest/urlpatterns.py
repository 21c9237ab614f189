"""Learning which URLs of a site are articles, from their structure and a small sample.

A URL is read as a *shape*: its path segments, each of a kind (a number, a hyphenated
slug with its word count, a plain word with its value), its ending (trailing slash,
``.html`` and the like) and its query keys. URLs of one shape form a group; the group's
sampled pages, judged by the extractor, say whether the group is made of articles. A
group that holds both is split, as often as needed, on the test that sets apart the most
sampled non-articles and no sampled article: a word segment's value (``/tag/…`` against
``/business/…``) or a slug's length in words (``/news/pakistan-invites-japanese-firms``
against ``/news/climate-change``). The result is a set of ``article_patterns`` and
``deny_patterns`` (regular expressions that RE2 accepts, as a ``[[sources]]`` table holds
them), with the evidence for each.

Pure functions over URL strings: no network, no site-specific rule. The crawler's survey
spider uses ``pick_sample`` to choose which pages to fetch; ``digest.survey`` learns.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from digest.config import Source, url_patterns

EXTENSION = re.compile(r"\.(html?|shtml|php\d?|aspx?|jspx?|cfm)$", re.IGNORECASE)
SEPARATOR = re.compile(r"[-_]+")
NUMBERED = re.compile(r"[-_]\d{3,}$")  # a slug that ends in an id: business-68123456
PART = r"[^/?#&=_-]+"  # one word of a slug
WORD = r"[^/?#&=_-]*[^/?#&=_\d-][^/?#&=_-]*"  # a word: not all digits
# A month's name in a date path (/2025/dec/05/) changes every month: never pinned.
MONTHS = frozenset(
    {
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    }
)
Kind = Literal["num", "word", "slug"]


@dataclass(frozen=True)
class Segment:
    """One path segment (or query value) as written: ``kind`` is num (digits), word (no
    separator) or slug (words joined by - or _); ``words`` counts a slug's words and
    ``numbered`` says it ends in an id of 3 digits or more."""

    kind: Kind
    value: str
    words: int = 1
    numbered: bool = False


@dataclass(frozen=True)
class Shape:
    url: str
    segments: tuple[Segment, ...]
    slash: bool  # ends with "/"
    extension: str  # ".html", or ""
    query: tuple[tuple[str, Segment], ...]  # sorted (key, value)

    @property
    def key(self) -> tuple[object, ...]:
        """What every URL of one group shares: the kinds, the ending and the query keys."""
        kinds = tuple(s.kind for s in self.segments)
        keys = tuple((k, v.kind) for k, v in self.query)
        return (kinds, self.slash, self.extension, keys)

    @property
    def fields(self) -> tuple[Segment, ...]:
        """The path segments, then the query values: the positions a split may use."""
        return self.segments + tuple(v for _, v in self.query)


def segment(value: str) -> Segment:
    if value.isdigit():
        return Segment("num", value)
    words = [w for w in SEPARATOR.split(value) if w]
    if len(words) > 1:
        return Segment("slug", value, len(words), bool(NUMBERED.search(value)))
    return Segment("word", value)


def shape(url: str) -> Shape:
    parts = urlsplit(url)
    path = parts.path or "/"
    raw = [s for s in path.split("/") if s]
    extension = ""
    if raw and (found := EXTENSION.search(raw[-1])):
        extension = found.group(0).lower()
        raw[-1] = raw[-1][: found.start()]
    pairs = [pair.partition("=") for pair in parts.query.split("&") if pair]
    query = tuple(sorted((k, segment(v)) for k, _, v in pairs))
    return Shape(
        url=url,
        segments=tuple(segment(s) for s in raw),
        slash=path.endswith("/") and bool(raw),
        extension=extension,
        query=query,
    )


# --- choosing what to fetch ---------------------------------------------------------------


def groups(urls: Iterable[str]) -> dict[tuple[object, ...], list[Shape]]:
    """The URLs by shape group, each group in the order the URLs came."""
    found: dict[tuple[object, ...], list[Shape]] = defaultdict(list)
    for url in dict.fromkeys(urls):
        item = shape(url)
        found[item.key].append(item)
    return dict(found)


def pick_sample(urls: Iterable[str], budget: int, known: Iterable[str] = ()) -> list[str]:
    """At most ``budget`` URLs to fetch that cover the shapes of ``urls``: always from the
    group sampled least so far (the larger group on a tie), the URL that differs most from
    what that group has sampled already (another word value, a shorter or longer slug).
    URLs in ``known`` (already fetched) count as sampled and are not picked again."""
    done = set(known)
    pools = list(groups(urls).values())
    taken = [[s for s in pool if s.url in done] for pool in pools]
    open_pools = set(range(len(pools)))
    picked: list[str] = []
    while len(picked) < budget and open_pools:
        i = min(open_pools, key=lambda k: (len(taken[k]), -len(pools[k]), k))
        choice = _most_different(pools[i], taken[i], done)
        if choice is None:
            open_pools.discard(i)
            continue
        taken[i].append(choice)
        done.add(choice.url)
        picked.append(choice.url)
    return picked


def _most_different(pool: list[Shape], taken: list[Shape], done: set[str]) -> Shape | None:
    """The URL of ``pool`` least like those taken: new word values count most, then the
    distance of its slugs' lengths from the lengths already seen."""
    best: tuple[float, int] | None = None
    choice = None
    for index, item in enumerate(pool):
        if item.url in done:
            continue
        score = _novelty(item, taken)
        rank = (score, -index)
        if best is None or rank > best:
            best, choice = rank, item
    if choice is not None and taken and best is not None and best[0] <= 0:
        return None if len(taken) >= 4 else choice
    return choice


def _novelty(item: Shape, taken: list[Shape]) -> float:
    if not taken:  # the first pick is the group's first URL: links come in page order
        return 0.0
    score = 0.0
    for pos, seg in enumerate(item.fields):
        seen = [t.fields[pos] for t in taken]
        if seg.kind == "word" and all(s.value != seg.value for s in seen):
            score += 2.0
        elif seg.kind == "slug":
            score += min(abs(seg.words - s.words) for s in seen) / 2
    return score


# --- learning -----------------------------------------------------------------------------


@dataclass
class Rule:
    """One learned pattern and its evidence on the sample and the links found."""

    pattern: str
    kind: Literal["article", "deny"]
    sampled: int = 0  # sampled pages it matches
    articles: int = 0  # of those, judged articles
    links: int = 0  # links found that it matches

    @property
    def precision(self) -> float | None:
        if not self.sampled:
            return None
        hits = self.articles if self.kind == "article" else self.sampled - self.articles
        return hits / self.sampled


@dataclass
class Learned:
    article: list[Rule] = field(default_factory=list)
    deny: list[Rule] = field(default_factory=list)
    unsampled: int = 0  # links in groups with no sampled page (left out)
    conflicts: list[str] = field(default_factory=list)  # sampled pages the rules get wrong

    @property
    def article_patterns(self) -> tuple[str, ...]:
        return tuple(r.pattern for r in self.article)

    @property
    def deny_patterns(self) -> tuple[str, ...]:
        return tuple(r.pattern for r in self.deny)

    def takes(self, url: str) -> bool:
        """Whether the crawler would fetch ``url`` as an article under these patterns
        (``Source.takes_as_article``); never when no article pattern was learned."""
        rules = Source(
            name="learned",
            homepage="http://learned.invalid/",
            article_patterns=self.article_patterns,
            deny_patterns=self.deny_patterns,
        )
        return bool(self.article) and rules.takes_as_article(url)


def learn(verdicts: dict[str, bool], links: Iterable[str]) -> Learned:
    """``article_patterns`` and ``deny_patterns`` from ``verdicts`` (URL: judged an article)
    over the site's ``links`` (every link found, sampled or not)."""
    everything = list(dict.fromkeys([*links, *verdicts]))
    learned = Learned()
    for members in groups(everything).values():
        labelled = [(s, verdicts[s.url]) for s in members if s.url in verdicts]
        if not labelled:
            learned.unsampled += len(members)
            continue
        if not any(is_article for _, is_article in labelled):
            continue  # no article here: the article patterns leave the group out
        _learn_group(members, labelled, learned)
    _count(learned, verdicts, everything)
    return learned


def _learn_group(
    members: list[Shape],
    labelled: list[tuple[Shape, bool]],
    learned: Learned,
    fixed: dict[int, str] | None = None,
) -> None:
    """Patterns for the articles of one group: split it until a part holds only sampled
    articles (its pattern is an article pattern) or only other pages (left out, or denied
    when the article pattern of the rest would still match it)."""
    fixed = dict(fixed or {})
    if not any(is_article for _, is_article in labelled):
        return
    if all(is_article for _, is_article in labelled):
        learned.article.append(Rule(_regex(members, fixed), "article"))
        return
    split = _best_split(labelled, set(fixed))
    if split is None:  # nothing separates them: a tie or better keeps the articles found
        if 2 * sum(a for _, a in labelled) >= len(labelled):
            learned.article.append(Rule(_regex(members, fixed), "article"))
        return
    pos, test = split
    if test[0] == "deny":  # the values seen only elsewhere, denied
        deny = _regex(members, {**fixed, pos: _alternatives(test[1])})
        learned.deny.append(Rule(deny, "deny"))
    else:
        fixed[pos] = _test_regex(test)
    rest = [m for m in members if _passes(m, pos, test)]
    _learn_group(rest, [(s, a) for s, a in labelled if _passes(s, pos, test)], learned, fixed)


# A test on one position: a slug of at least N words; one that ends in an id; the word
# values of articles (named); the word values seen only outside articles (denied).
Test = (
    tuple[Literal["words"], int]
    | tuple[Literal["numbered"], bool]
    | tuple[Literal["allow", "deny"], frozenset[str]]
)


def _best_split(labelled: list[tuple[Shape, bool]], used: set[int]) -> tuple[int, Test] | None:
    """The test that sets apart the most sampled non-articles and no sampled article: the
    values of a word segment seen only outside articles (``tag``, ``author``), a slug that
    ends in an id or not, or a slug's least length in words. A word's value wins a tie:
    it is the plainer sign."""
    best: tuple[int, int, Test] | None = None  # (non-articles set apart, position, test)
    for pos, seg in enumerate(labelled[0][0].fields):
        if pos in used:
            continue
        for test in _candidates(labelled, pos, seg.kind):
            gain = sum(not a and not _passes(s, pos, test) for s, a in labelled)
            if gain and (best is None or gain > best[0]):
                best = (gain, pos, test)
    return None if best is None else (best[1], best[2])


def _candidates(labelled: list[tuple[Shape, bool]], pos: int, kind: Kind) -> list[Test]:
    articles = [s.fields[pos] for s, a in labelled if a]
    others = [s.fields[pos] for s, a in labelled if not a]
    if kind == "word":
        yes = frozenset(s.value for s in articles)
        no = frozenset(s.value for s in others) - yes
        if not no:
            return []
        # articles under one word (/story/, /p/): name it; under several (sections):
        # deny the others, so that a section not sampled still counts
        return [("allow", yes) if len(yes) == 1 else ("deny", no)]
    if kind != "slug":
        return []
    found: list[Test] = []
    if all(s.numbered for s in articles):
        found.append(("numbered", True))
    least = min(s.words for s in articles)
    below = [s.words for s in others if s.words < least]
    if below:
        found.append(("words", (max(below) + least) // 2 + 1))
    return found


def _passes(item: Shape, pos: int, test: Test) -> bool:
    seg = item.fields[pos]
    if test[0] == "words":
        return seg.words >= test[1]
    if test[0] == "numbered":
        return seg.numbered
    return (seg.value in test[1]) == (test[0] == "allow")


def _test_regex(test: Test) -> str:
    if test[0] == "words":
        return _slug_at_least(test[1])
    if test[0] == "numbered":
        return r"[^/?#]*[-_]\d{3,}"
    return _alternatives(test[1])


def _alternatives(values: Iterable[str]) -> str:
    escaped = [re.escape(v) for v in sorted(values)]
    return escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"


def _slug_at_least(words: int) -> str:
    return f"{PART}(?:[-_]+{PART}){{{max(words - 1, 1)},}}"


def _regex(members: list[Shape], fixed: dict[int, str]) -> str:
    """A pattern for the group: a word segment kept as written when the group's links
    (two or more) all share it and it is not a month's name; numbers, slugs and other
    words by their kind; ``fixed`` overrides positions."""
    first = members[0]
    parts: list[str] = []
    for pos, seg in enumerate(first.fields):
        if pos in fixed:
            parts.append(fixed[pos])
        elif _pinned(members, pos):
            parts.append(re.escape(seg.value))
        else:
            parts.append({"num": r"\d+", "slug": _slug_at_least(2)}.get(seg.kind, WORD))
    path = "/" + "/".join(parts[: len(first.segments)])
    if first.extension:
        path += re.escape(first.extension)
    elif first.slash:
        path += "/?"  # the same page is often linked with and without its slash
    query = parts[len(first.segments) :]
    if query:
        keys = [re.escape(k) for k, _ in first.query]
        path += r"\?" + "&".join(f"{k}={v}" for k, v in zip(keys, query, strict=True))
    return f"^https?://[^/]+{path}$"


def _pinned(members: list[Shape], pos: int) -> bool:
    value = members[0].fields[pos]
    if value.kind != "word" or len(members) < 2 or value.value.lower() in MONTHS:
        return False
    return all(m.fields[pos].value == value.value for m in members)


def _count(learned: Learned, verdicts: dict[str, bool], links: Sequence[str]) -> None:
    """Fill in each rule's evidence, and list the sampled pages the rules get wrong."""
    for rule in learned.article + learned.deny:
        (regex,) = url_patterns((rule.pattern,))  # RE2, as the crawler matches it
        rule.links = sum(bool(regex.search(u)) for u in links)
        hits = [a for u, a in verdicts.items() if regex.search(u)]
        rule.sampled, rule.articles = len(hits), sum(hits)
    learned.conflicts += [u for u, is_article in verdicts.items() if learned.takes(u) != is_article]
