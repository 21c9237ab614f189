"""Oracle upper bounds for title, author and date on the extraction development sets, beside
newsdesk's accuracy now (issue 17's targets: title 0.92, author 0.90, date 0.98).

    python -m bench.extraction_bounds [--data DIR] [--set NAME ...] [--part fit|check|all]

Pages, parts and scoring are bench/extraction.py's; "newsdesk now" is the working tree's
``digest.extract.benchmark_entry``. A bound is the share of annotated pages where an oracle
that knows the gold finds it on the page in the stated way: no rule of that kind can score
higher, and none is promised that score.

- title T1: ``same_title`` holds for a candidate: ``<title>``, og:title, twitter:title, a
  JSON-LD ``headline``/``name``, an h1 or h2, or a cut of ``<title>``/og:title (a run of the
  pieces between ``| – — : · »`` and spaced ``- /``).
- title T2: T1, or any element's text, text node or meta value, or a cut of one, also after
  closing an unclosed ``<title>`` (lxml reads the rest of such a page as title text). It
  bounds every rule that returns one string from the page and is not itself a rule; a gold
  title made of two elements (l3s-gn1's headline plus deck) is outside it.
- author: every name of ``names(gold)`` occurs as whole words in the visible text or a meta
  or JSON-LD string. Loose: the names need not form one string a rule could return nor the
  gold be a clean byline, and short pieces ("ms", "rd") occur on most pages.
- date, gold day on the page: in a meta, JSON-LD, ``datetime`` or ``content`` value or the
  visible text, as ISO, Y/M/D, D.M.Y, D/M/Y, M/D/Y, "5 December 2026", "Dec 5, 2026" or
  "2026年12月5日", with two-digit years and the month names of 25 languages.
- date, always the declared published day (meta article:published_time, JSON-LD or itemprop
  datePublished): right when the gold is one of them; a page declaring none counts when the
  gold day is on the page.
- date, the declared day the page shows, else published: on a page declaring published and
  modified days whose visible text shows days of exactly one kind, right when the gold is a
  shown day of that kind; elsewhere the published rule. Both date rules are taken as perfect
  wherever they need not choose. Below each table: how many pages declare two or more
  distinct days, and which one the gold is.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from itertools import chain
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from bench.extraction import (
    DAY,
    DEFAULT_DATA,
    load_page,
    names,
    page_ids,
    same_day,
    same_title,
    spaces,
)

TARGETS = {"title": 0.92, "author": 0.90, "date": 0.98}
BOUNDS = {
    "title": ("T1: a title candidate", "T2: any single element (not a rule)"),
    "author": ("every gold name occurs on the page",),
    "date": (
        "gold day on the page",
        "always the declared published day",
        "the declared day the page shows, else published",
    ),
}
DECLARED = (("article:published_time", "datePublished"), ("article:modified_time", "dateModified"))
SEP = re.compile(r"\s*[|–—:·»]\s*|\s+[-/]\s+")
SKIP_TAGS = ("script", "style", "html", "body", "head")
LOCALES = "en de fr es it pt nl cs pl sv da nb fi ro hu tr ru el ja zh ko id vi uk ca"
MONTHS = "january february march april may june july august september october november december"


# --- page ------------------------------------------------------------------------------


def text_of(el: Any) -> str:
    """An element's text with a space between its text nodes."""
    return spaces(" ".join(el.itertext()))


def json_ld(tree: Any) -> list[Any]:
    """Every JSON-LD block that parses, after CDATA/comment wrappers and trailing commas go."""
    roots = []
    for script in tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
        raw = re.sub(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)", "", script.text or "")
        raw = re.sub(r"(?://\s*)?(?:\]\]>|-->)\s*$", "", raw).strip().rstrip(";")
        lenient = re.sub(r",\s*([}\]])", r"\1", re.sub(r"[\x00-\x1f]", " ", raw))
        for attempt in (raw, lenient) if raw else ():
            with suppress(ValueError):
                roots.append(json.loads(attempt))
                break
    return roots


def nodes(value: Any) -> Iterator[Any]:
    """A JSON-LD value and every value inside it (@graph, lists, nesting)."""
    yield value
    if isinstance(value, dict | list):
        for child in value.values() if isinstance(value, dict) else value:
            yield from nodes(child)


def strings(value: Any) -> list[str]:
    """The strings of a JSON-LD property (one string or a list)."""
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


@dataclass
class Page:
    html: str
    tree: Any  # None when lxml finds nothing to parse
    lang: str | None
    meta: list[tuple[str, str]] = field(default_factory=list)
    ld: list[dict[str, Any]] = field(default_factory=list)  # every JSON-LD object
    ld_strings: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, html: str, lang: str | None) -> Page:
        """Parse once; meta keys are property, name or itemprop in lower case."""
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
        try:
            page = cls(html, lxml.html.fromstring(html.encode("utf-8"), parser=parser), lang)
        except (etree.ParserError, ValueError):
            return cls(html, None, lang)
        for m in page.tree.iter("meta"):
            key = m.get("property") or m.get("name") or m.get("itemprop") or ""
            if m.get("content") is not None:
                page.meta.append((key.strip().lower(), m.get("content")))
        found = list(nodes(json_ld(page.tree)))
        page.ld = [node for node in found if isinstance(node, dict)]
        page.ld_strings = [node for node in found if isinstance(node, str)]
        return page

    def values(self) -> list[str]:
        """Every meta content and every JSON-LD string."""
        return [v for _, v in self.meta] + self.ld_strings

    @cached_property
    def visible(self) -> list[str]:
        """Visible text (no script/style/noscript/template/head), tight and space-joined."""
        if self.tree is None:
            return ["", ""]
        tree = copy.deepcopy(self.tree)
        for el in tree.xpath("//script|//style|//noscript|//template|//head"):
            if el.getparent() is not None:
                el.drop_tree()
        return [spaces(tree.text_content()), text_of(tree)]


# --- title -----------------------------------------------------------------------------


def cuts(value: str) -> list[str]:
    """Every contiguous run of the pieces of ``value`` between separators."""
    if len(value) > 600:  # a menu or boilerplate, not a title
        return []
    seps = [(m.start(), m.end()) for m in SEP.finditer(value)][:40]
    starts, ends = [0] + [e for _, e in seps], [s for s, _ in seps] + [len(value)]
    runs = (value[a:b].strip() for i, a in enumerate(starts) for b in ends[i:])
    return [run for run in runs if run]


def title_candidates(page: Page) -> Iterator[str]:
    """T1: <title>, og/twitter:title, JSON-LD headline/name, h1/h2, cuts of title/og:title."""
    titles = [text_of(t) for t in page.tree.xpath("//title")]
    titles += [v for k, v in page.meta if k == "og:title"]
    yield from titles
    yield from (v for k, v in page.meta if k == "twitter:title")
    for obj in page.ld:
        yield from strings(obj.get("headline")) + strings(obj.get("name"))
    for h in page.tree.xpath("//h1|//h2"):
        yield from (text_of(h), spaces(h.text_content()))
    yield from (run for t in titles for run in cuts(t))


def element_strings(page: Page) -> Iterator[str]:
    """T2's additions: meta values, element texts, text nodes, and their cuts."""
    found = [v for _, v in page.meta]
    for el in page.tree.iter():
        if isinstance(el.tag, str) and el.tag not in SKIP_TAGS:
            if 0 < len(text := text_of(el)) <= 600:
                found += [text, spaces(el.text_content())]
            found += [n.strip() for n in (el.text, el.tail) if n and n.strip() and len(n) <= 600]
    yield from found
    yield from (run for value in found if len(value) <= 300 for run in cuts(value))


def repaired(page: Page) -> Page | None:
    """The page parsed again with an unclosed <title> closed; None if its title is fine."""
    if not any(len(text_of(t)) > 500 for t in page.tree.xpath("//title")):
        return None
    html = re.sub(r"(<title[^>]*>)([^<]*)", r"\1\2</title>", page.html, count=1, flags=re.I)
    fixed = Page.read(html, page.lang)
    return fixed if fixed.tree is not None else None


def title_bounds(gold: str, page: Page) -> list[bool]:
    """[T1, T2] for one page."""
    if page.tree is None:
        return [False, False]
    if any(same_title(c, gold) for c in title_candidates(page)):
        return [True, True]
    fixed = repaired(page)
    pages = [page] if fixed is None else [page, fixed]
    found = (c for p in pages for c in chain(element_strings(p), title_candidates(p)))
    return [False, any(same_title(c, gold) for c in found)]


# --- author ----------------------------------------------------------------------------


def name_text(value: str, punctuation: str) -> str:
    """names()' normalisation of free text, other punctuation replaced by ``punctuation``."""
    value = unicodedata.normalize("NFKC", value).casefold()
    return spaces(re.sub(r"[^\w\s'-]", punctuation, value))


def author_bound(gold: Any, page: Page) -> bool:
    """Every name of names(gold) occurs, as whole words, in visible text or meta/LD values."""
    hay = [name_text(t, p) for p in ("", " ") for t in page.visible + page.values()]
    want = names(gold)
    return bool(want) and all(
        any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", h) for h in hay) for n in want
    )


# --- date ------------------------------------------------------------------------------


@cache
def month_words(month: int, lang: str | None) -> str:
    """A regex alternation of the month's names: English and 25 languages' (babel)."""
    from babel.dates import get_month_names

    english = MONTHS.split()[month - 1]
    words = {english, english[:3], english[:4]}
    for loc in {lang or "en", *LOCALES.split()}:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                with suppress(Exception):  # an unknown locale in the gold's lang
                    words.add(get_month_names(width, context, loc)[month].casefold().rstrip("."))
    return "|".join(sorted((re.escape(w) for w in words if w), key=len, reverse=True))


@cache
def day_patterns(day: str, lang: str | None) -> tuple[re.Pattern[str], ...]:
    """The handled written forms of one day (YYYY-MM-DD)."""
    d = date.fromisoformat(day)
    y, m, dd, mw = d.year, d.month, d.day, month_words(d.month, lang)
    D, M, Y = rf"0?{dd}", rf"0?{m}", rf"(?:{y}|{y % 100:02d})"  # Y: four or two digits
    nth = r"(?:st|nd|rd|th|er|º|\.)?"
    forms = [
        rf"(?<!\d){y}-0?{m}-0?{dd}(?!\d)",
        rf"(?<!\d){y}/{M}/{D}(?!\d)",
        rf"(?<!\d){y}\.\s?{M}\.\s?{D}(?!\d)",
        rf"(?<!\d){y}年{M}月{D}日",
        rf"(?<!\d){y}{m:02d}{dd:02d}(?!\d)",
        rf"(?<!\d){D}\.\s?{M}\.\s?{Y}(?!\d)",
        rf"(?<!\d){D}/{M}/{Y}(?!\d)",
        rf"(?<!\d){M}/{D}/{Y}(?!\d)",
        rf"(?<!\d){D}-{M}-{y}(?!\d)",
        rf"(?<!\d){D}[-/ ](?:{mw})\.?[-/ ]{Y}(?!\d)",
        rf"(?<!\d){D}{nth}\s*(?:de\s+)?(?:{mw})\.?,?\s*(?:de\s+|of\s+)?'?{Y}(?!\d)",
        rf"(?:{mw})\.?\s+{D}{nth},?\s*'?{Y}(?!\d)",
        rf"(?<!\d){y},?\s+(?:{mw})\.?\s+{D}(?!\d)",
        rf"(?<!\d){y}\.?\s+{D}{nth}\s*(?:{mw})(?!\w)",
    ]
    return tuple(re.compile(f, re.IGNORECASE) for f in forms)


def declared(page: Page) -> list[set[str]]:
    """[published days, modified days] the page declares in meta, JSON-LD and itemprop."""
    days = []
    for meta, prop in DECLARED:
        values = [v for k, v in page.meta if k == meta]
        values += [s for obj in page.ld for s in strings(obj.get(prop))]
        for el in page.tree.xpath(f"//*[@itemprop='{prop}']"):
            values.append(el.get("content") or el.get("datetime") or "")
        days.append({found.group(0) for v in values if (found := DAY.search(v))})
    return days


def date_bounds(day: str, page: Page) -> tuple[list[bool], str | None]:
    """[on the page, published rule, shown rule] for the gold ``day`` (YYYY-MM-DD), and which
    declared day the gold is on a page declaring two or more distinct days."""
    if page.tree is None:
        return [False, False, False], None
    values = page.values() + page.tree.xpath("//*/@datetime|//*/@content|//*/@data-date")

    def shown(d: str) -> bool:
        return any(p.search(v) for p in day_patterns(d, page.lang) for v in page.visible)

    on_page = shown(day) or any(p.search(v) for p in day_patterns(day, page.lang) for v in values)
    pub, mod = declared(page)
    published = day in pub if pub else on_page
    pub_shown = {d for d in pub if shown(d)}
    mod_shown = {d for d in mod if shown(d)} - pub_shown
    picks = bool(pub and mod) and bool(pub_shown) != bool(mod_shown)
    page_shows = day in (pub_shown or mod_shown) if picks else published
    kinds = ("neither", "modified", "published", "both")
    kind = kinds[2 * (day in pub) + (day in mod)] if len(pub | mod) >= 2 else None
    return [on_page, published, page_shows], kind


# --- run and report --------------------------------------------------------------------


@dataclass
class Tally:
    pages: int = 0
    hits: dict[str, list[bool]] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, labels: tuple[str, ...], values: list[bool]) -> None:
        for label, value in zip(labels, values, strict=True):
            self.hits.setdefault(label, []).append(value)


def measure(folder: Path, part: str) -> Tally:
    """newsdesk and every bound on each annotated page of one set."""
    from digest.extract import benchmark_entry

    tally = Tally()
    for page_id in page_ids(folder, part):
        tally.pages += 1
        gold, html = load_page(folder, page_id)
        day = DAY.search(str(gold.get("date") or ""))
        if not (gold.get("title") or gold.get("authors") or day):
            continue
        out = benchmark_entry(html, gold.get("url") or "")
        page = Page.read(html, gold.get("lang"))
        if gold.get("title"):
            right = same_title(out.get("title"), gold["title"])
            tally.add(("title", *BOUNDS["title"]), [right, *title_bounds(gold["title"], page)])
        if gold.get("authors"):
            right = names(out.get("author")) == names(gold["authors"])
            tally.add(("author", *BOUNDS["author"]), [right, author_bound(gold["authors"], page)])
        if day:
            oks, kind = date_bounds(day.group(0), page)
            tally.add(("date", *BOUNDS["date"]), [same_day(out.get("date"), day.group(0)), *oks])
            tally.kinds.update([kind] if kind else [])
    return tally


def _rate(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f} ({sum(values)}/{len(values)})"


def report(name: str, part: str, tally: Tally) -> list[str]:
    """One set's Markdown table: a row per bound, newsdesk on each field's first row."""
    lines = [f"\n#### {name} ({part}: {tally.pages} pages)\n"]
    if not tally.hits:
        return [*lines, "no title, author or date gold here: nothing to measure"]
    lines += [
        "| field | pages annotated | target | newsdesk now | oracle bound | bound |",
        "|---|---|---|---|---|---|",
    ]
    for fld, labels in BOUNDS.items():
        now = tally.hits.get(fld, [])
        for i, label in enumerate(labels if now else ()):
            lead = [fld, str(len(now)), f"{TARGETS[fld]:.2f}", _rate(now)] if i == 0 else [""] * 4
            lines.append("| " + " | ".join([*lead, label, _rate(tally.hits[label])]) + " |")
    if k := tally.kinds:
        lines.append(
            f"\ndate: {k.total()} pages declare two or more distinct days; the gold is the "
            f"published day on {k['published']}, the modified day on {k['modified']}, both on "
            f"{k['both']}, neither on {k['neither']}."
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction_bounds", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", dest="sets", action="append", help="data set (default: all)")
    parser.add_argument("--part", choices=("fit", "check", "all"), default="all")
    args = parser.parse_args(argv)
    sets = args.sets or sorted(p.name for p in args.data.iterdir() if p.is_dir())
    started = time.perf_counter()
    for name in sets:
        print("\n".join(report(name, args.part, measure(args.data / name, args.part))), flush=True)
    command = " ".join(["python -m bench.extraction_bounds", *(argv or sys.argv[1:])])
    print(f"\n({time.perf_counter() - started:.0f} s; command: {command})")


if __name__ == "__main__":
    main()
