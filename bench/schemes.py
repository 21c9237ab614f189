"""Generated news sites whose URL schemes differ, with ground truth (issue 20).

``newsdesk sources add URL`` discovers a site's feeds, sitemaps and section pages, samples
a few pages and learns ``article_patterns`` and ``deny_patterns``. These sites measure it:
each lays out its articles and its listing pages (home, sections, tags, authors, archives,
pagination, static pages) in its own URL scheme, offers its own discovery (a feed announced
or only found by probing, sitemaps named in robots.txt or not, or nothing at all), and its
:class:`SchemeSite` says which of its links are articles.

Pages live in memory and are served by :func:`serve`. Absolute URLs are written with the
placeholder ``__BASE__``, which the server replaces with its own address. Page keys and
link keys are path plus query, spelled as the crawler cleans URLs (``digest.urls``): the
query sorted, tracking parameters such as ``utm_source`` dropped.

The nine sites of ``SCHEMES`` were used while the learner was developed; the sites of
``HELD_OUT``, modelled on the URL layouts of other real news sites (ids after a section
word, month names in the path, dates at the end of the slug, dates before the section,
ids before the slug, video and gallery pages beside articles), were not, and give the
honest number (``scheme_names(held_out=True)``).

    python -m bench.schemes --list [--held-out] [--seed N] [--articles N]
    python -m bench.schemes --serve NAME
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape, unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote_plus

from bench.site import (
    AUTHORS,
    DEKS,
    HEADLINES,
    MONTH_NAMES,
    NEWS_NS,
    SENTENCES,
    SM_NS,
    STYLE,
    XML,
    Slots,
    fill,
    human,
    iso,
    paragraph,
)
from crawler.siteserver import base_url, serving
from digest.urls import clean_url

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=5)))
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
SITEMAP = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
BASE = "__BASE__"
NOT_FOUND = b"<!doctype html>\n<title>Not found</title>\n<h1>404 Not found</h1>\n"
WRITERS = (*AUTHORS, "Farah Naqvi", "Asad Khan", "Rabia Anwar")
TOPICS = (
    "economy",
    "banking",
    "trade",
    "energy",
    "textiles",
    "inflation",
    "exports",
    "interest rates",
    "stock exchange",
    "central bank",
    "oil and gas",
    "trade deficit",
    "foreign direct investment",
    "power tariffs",
    "auto sector",
    "budget",
)
HOME_TRACKING = "utm_source=homepage&utm_medium=web"
RELATED_TRACKING = "utm_source=related"
NOT_LINKS = frozenset({"robots", "feed", "sitemap"})
"""Kinds of page that are not part of a site's link set."""
KINDS = (
    "article",
    "home",
    "index",
    "section",
    "pagination",
    "tag",
    "search",
    "author",
    "archive",
    "static",
    "video",
    "gallery",
    "live",
)
"""The kinds of linked page, as ``SchemeSite.kinds`` names them."""
STATIC_TEXT = {
    "About us": "{site} covers companies, markets and the economy. It is a generated test "
    "site: every company and person in it is invented. Our newsroom works from Karachi.",
    "Contact": "Write to the news desk at desk@example.com. For corrections, say which story "
    "and what is wrong. We answer within two working days.",
    "Privacy policy": "{site} keeps no personal data beyond server logs, which are deleted "
    "after thirty days. We set no advertising cookies.",
    "Advertise with us": "Reach readers who follow business news every day. Write to "
    "ads@example.com for our rates and audience figures.",
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_A_HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"')
_XML_LINK = re.compile(r'<link>([^<]*)</link>|<link\b[^>]*?\bhref="([^"]*)"|<loc>([^<]*)</loc>')


@dataclass(frozen=True)
class Page:
    """One response of a site. Absolute URLs in ``body`` start with ``__BASE__``."""

    status: int
    content_type: str
    body: str


@dataclass(frozen=True)
class SchemeSite:
    """A generated site and its ground truth.

    ``pages`` maps path+query to the page served there. ``links`` is every on-site URL that
    any page, feed or sitemap links to (``<a href>``, feed entries, sitemap ``<loc>``),
    cleaned as the crawler cleans it, without robots.txt, feeds and sitemaps; ``articles``
    is the subset that are articles. ``kinds`` gives each link's kind (one of ``KINDS``);
    ``feeds`` and ``sitemaps`` are the keys of the site's feeds and sitemaps, whether or
    not anything announces them.
    """

    name: str
    description: str
    pages: dict[str, Page]
    articles: frozenset[str]
    links: frozenset[str]
    kinds: dict[str, str] = field(default_factory=dict)
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()


@dataclass(slots=True)
class _Story:
    serial: int  # 1 is the oldest
    number: int  # the id that the URL scheme may show
    when: datetime
    headline: str
    dek: str
    author: str
    section: str
    tags: tuple[str, ...]
    slug: str  # 4 to 10 words
    key: str = ""


@dataclass(frozen=True)
class _Paged:
    """A listing in pages: page 1 at ``first``, page n at ``more`` (format fields ``name``
    and ``n``); without ``more``, one page of ``per_page`` stories."""

    first: str
    more: str | None = None
    per_page: int = 10

    def key(self, name: str, n: int = 1) -> str:
        template = self.first if n == 1 or self.more is None else self.more
        return template.format(name=name, n=n)


@dataclass(frozen=True)
class _Feed:
    key: str
    atom: bool = False
    announced: bool = True  # <link rel="alternate"> on every page and an RSS link in the footer
    size: int = 20


@dataclass(frozen=True)
class _Media:
    """Pages of another medium (video, gallery, live blog) beside the articles: about
    ``share`` of a page per article, at ``key`` (format fields ``slug`` and ``id``)."""

    key: str
    kind: str  # one of KINDS
    og_type: str
    share: float


@dataclass(frozen=True)
class _Scheme:
    """How one site lays out its URLs and what it offers for discovery."""

    name: str
    description: str
    site_name: str
    article: Callable[[_Story], str]
    robots: str
    static: tuple[tuple[str, str], ...]  # (title, key)
    sections: tuple[str, ...] = ("business", "markets", "economy", "companies")
    section: _Paged | None = None
    river: _Paged | None = None  # every story, newest first; at "/" it is the homepage
    river_label: str = "Latest"
    # tag: format fields name (words-joined-by-hyphens), q (query value), id (an opaque id),
    # section (the section the topic belongs to)
    tag: str | None = None
    tag_kind: str = "tag"
    author: str | None = None  # format fields: name (first-last), id (a number)
    archive: str | None = None  # monthly archives; format fields: y, m
    days: str | None = None  # daily archives, linked from articles; format fields as below
    # (section, y, m, d, mon: jan..dec)
    feed: _Feed | None = None
    section_feed: str | None = None  # a feed per section, format field name; announced on
    # the homepage, the section's pages and its articles
    sitemaps: Callable[[_Build], None] | None = None
    ids: tuple[int, int, int] = (1, 1, 1)  # the oldest story's id, least and most step
    hex_ids: bool = False
    step_hours: float = 9.0
    home: str = "/"  # where the nav's Home link points
    home_count: int = 10
    tracking: bool = False  # homepage and related links carry utm_ parameters
    og_listing: bool = True  # listing pages say og:type "website" (else no og:type)
    slug_words: tuple[int, int] = (4, 10)  # the least and most words of a slug
    media: tuple[_Media, ...] = ()


def _slug(text: str) -> str:
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


def _label(name: str) -> str:
    return re.sub(r"[-_/]", " ", name).title()


def _b36(number: int, width: int) -> str:
    """``number`` in ``width`` base-36 digits (0-9, a-z), the higher digits dropped."""
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append("0123456789abcdefghijklmnopqrstuvwxyz"[digit])
    return "".join(reversed(digits))


def _hashed(*parts: object) -> int:
    """A number that depends only on ``parts`` (not on the process, unlike ``hash``)."""
    text = "/".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _href(key: str, params: str = "") -> str:
    """``key`` as an attribute value, with tracking ``params`` appended."""
    if params:
        key += ("&" if "?" in key else "?") + params
    return escape(key)


def _key(href: str) -> str | None:
    """The site key an href or feed/sitemap URL names, cleaned as the crawler cleans URLs;
    None when it is not an on-site http link."""
    href = unescape(href.strip())
    if href.startswith(BASE):
        href = href[len(BASE) :] or "/"
    elif not href.startswith("/") or href.startswith("//"):
        return None
    return clean_url("http://site" + href).removeprefix("http://site")


# --- the stories ----------------------------------------------------------------------


def _unique_slug(
    rng: random.Random, headline: str, used: set[str], lengths: tuple[int, int] = (4, 10)
) -> str:
    """The headline's first 4 to 10 words (or ``lengths``), the length drawn, not used
    before on the site."""
    words = _NON_ALNUM.sub(" ", headline.lower()).split()
    low, high = lengths
    want = rng.randint(low, high)
    for k in sorted(range(low, min(len(words), high) + 1), key=lambda k: (abs(k - want), k)):
        slug = "-".join(words[:k])
        if slug not in used:
            used.add(slug)
            return slug
    for extra in range(2, 10_000):
        slug = "-".join([*words[:8], str(extra)])
        if slug not in used:
            used.add(slug)
            return slug
    raise ValueError(f"no free slug for {headline!r}")


def _stories(scheme: _Scheme, seed: int, n: int, now: datetime) -> list[_Story]:
    """``n`` stories, newest first, ``scheme.step_hours`` apart (with jitter)."""
    rng = random.Random(f"{scheme.name}/{seed}")
    writers = rng.sample(WRITERS, 6)
    number, low, high = scheme.ids
    used: set[str] = set()
    stories = []
    for serial in range(1, n + 1):
        age = timedelta(hours=scheme.step_hours * (n - serial + rng.uniform(0, 0.8)))
        headline = fill(rng, HEADLINES).replace(" percent", "%")
        dek = fill(rng, DEKS)
        if scheme.hex_ids:
            number = rng.getrandbits(24)
        elif serial > 1:
            number += rng.randint(low, high)
        story = _Story(
            serial=serial,
            number=number,
            when=(now - age).replace(second=0, microsecond=0),
            headline=headline,
            dek=dek,
            author=rng.choice(writers),
            section=rng.choice(scheme.sections),
            tags=tuple(rng.sample(TOPICS, rng.randint(2, 3))),
            slug=_unique_slug(rng, headline, used, scheme.slug_words),
        )
        story.key = scheme.article(story)
        stories.append(story)
    return stories[::-1]


def _media(scheme: _Scheme, seed: int, n: int, now: datetime) -> dict[str, list[_Story]]:
    """The pages of each of ``scheme.media``, by kind, newest first, spread over the time
    that ``n`` articles span."""
    rng = random.Random(f"{scheme.name}/{seed}/media")
    found: dict[str, list[_Story]] = {}
    for media in scheme.media:
        count = max(1, round(n * media.share))
        used: set[str] = set()
        pages = []
        for serial in range(1, count + 1):
            hours = scheme.step_hours * n / count * (count - serial + rng.uniform(0, 0.8))
            headline = fill(rng, HEADLINES).replace(" percent", "%")
            page = _Story(
                serial=serial,
                number=rng.getrandbits(24),
                when=(now - timedelta(hours=hours)).replace(second=0, microsecond=0),
                headline=headline,
                dek=fill(rng, DEKS),
                author="",
                section=rng.choice(scheme.sections),
                tags=(),
                slug=_unique_slug(rng, headline, used, (3, 8)),
            )
            page.key = media.key.format(slug=page.slug, id=_b36(page.number, 5))
            pages.append(page)
        found[media.kind] = pages[::-1]
    return found


# --- the pages ------------------------------------------------------------------------


class _Build:
    """The pages of one site as they are written, and the furniture every page shares."""

    def __init__(
        self,
        scheme: _Scheme,
        stories: list[_Story],
        seed: int,
        media: dict[str, list[_Story]] | None = None,
    ) -> None:
        self.scheme, self.stories, self.seed = scheme, stories, seed
        self.media = media or {}
        self.pages: dict[str, Page] = {}
        self.kinds: dict[str, str] = {}
        self.months = sorted({(s.when.year, s.when.month) for s in stories}, reverse=True)
        self.alternate = self._alternate()
        self.nav = self._nav()
        self.footer = self._footer()

    # keys

    def section_key(self, name: str, n: int = 1) -> str | None:
        return None if self.scheme.section is None else self.scheme.section.key(name, n)

    def tag_key(self, tag: str) -> str | None:
        template, sections = self.scheme.tag, self.scheme.sections
        if template is None:
            return None
        topic_id = "c" + _b36(_hashed(self.scheme.name, self.seed, "topic", tag), 10)
        section = sections[TOPICS.index(tag) % len(sections)]
        return template.format(name=_slug(tag), q=quote_plus(tag), id=topic_id, section=section)

    def author_key(self, author: str) -> str | None:
        template = self.scheme.author
        if template is None:
            return None
        number = 100 + _hashed(self.scheme.name, self.seed, "author", author) % 9_900
        return template.format(name=_slug(author), id=number)

    def archive_key(self, year: int, month: int) -> str:
        return (self.scheme.archive or "").format(y=f"{year:04d}", m=f"{month:02d}")

    def day_key(self, story: _Story) -> str | None:
        template, when = self.scheme.days, story.when
        if template is None:
            return None
        mon = MONTH_NAMES[when.month - 1][:3].lower()
        return template.format(
            section=story.section, y=f"{when:%Y}", m=f"{when:%m}", d=f"{when:%d}", mon=mon
        )

    def section_alternate(self, name: str) -> str:
        """The <link rel="alternate"> of section ``name``'s feed, if sections have feeds."""
        template = self.scheme.section_feed
        if template is None:
            return ""
        title = escape(f"{self.scheme.site_name}: {_label(name)}")
        key = template.format(name=name)
        kind = "application/rss+xml"
        return f'<link rel="alternate" type="{kind}" title="{title}" href="{BASE}{key}">\n'

    # furniture

    def _alternate(self) -> str:
        feed = self.scheme.feed
        if feed is None or not feed.announced:
            return ""
        kind = "application/atom+xml" if feed.atom else "application/rss+xml"
        title = escape(self.scheme.site_name)
        return f'<link rel="alternate" type="{kind}" title="{title}" href="{BASE}{feed.key}">\n'

    def _nav(self) -> str:
        sc = self.scheme
        links = [(sc.home, "Home")]
        if sc.river is not None and sc.river.first != "/":
            links.append((sc.river.first, sc.river_label))
        if sc.section is not None:
            links += [(sc.section.key(name), _label(name)) for name in sc.sections]
        else:
            links += [(k, t.title()) for t in TOPICS[:4] if (k := self.tag_key(t)) is not None]
        anchors = "".join(f'<a href="{_href(key)}">{text}</a>' for key, text in links)
        logo = f'<a class="logo" href="/">{escape(sc.site_name)}</a>'
        return f"<header>{logo}<nav>{anchors}</nav></header>\n"

    def _footer(self) -> str:
        sc = self.scheme
        links = [(key, title) for title, key in sc.static]
        if sc.feed is not None and sc.feed.announced:
            links.append((sc.feed.key, "RSS"))
        anchors = "".join(f'<a href="{_href(key)}">{text}</a>' for key, text in links)
        anchors += f'<a href="https://twitter.com/{_slug(sc.site_name)}">Twitter</a>'
        archives = ""
        if sc.archive is not None:
            months = "".join(
                f'<li><a href="{self.archive_key(y, m)}">{MONTH_NAMES[m - 1]} {y}</a></li>'
                for y, m in self.months
            )
            archives = f'<section class="archives"><h4>Archives</h4><ul>{months}</ul></section>'
        name = escape(sc.site_name)
        return (
            f"<footer>{archives}<p>{anchors}</p><p>&copy; 2026 {name}, a generated test site. "
            "All companies are invented.</p></footer>\n"
        )

    def add(self, key: str, kind: str, body: str, content_type: str = HTML) -> None:
        if key in self.pages or _key(key) != key:
            raise ValueError(f"{self.scheme.name}: {key!r} written twice or not clean")
        self.pages[key] = Page(200, content_type, body)
        self.kinds[key] = kind

    def html(self, title: str, og_type: str, main: str, head: str = "") -> str:
        name = escape(self.scheme.site_name)
        og = f'<meta property="og:type" content="{og_type}">\n' if og_type else ""
        return (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)} | {name}</title>\n{og}"
            f'<meta property="og:site_name" content="{name}">\n{head}{self.alternate}{STYLE}'
            f"</head>\n<body>\n{self.nav}<main>\n{main}</main>\n{self.footer}</body>\n</html>\n"
        )

    # articles

    def article(self, story: _Story, related: list[_Story]) -> None:
        rng = random.Random(f"{self.scheme.name}/{self.seed}/{story.serial}/text")
        paragraphs = "".join(
            f"<p>{escape(paragraph(rng, SENTENCES, Slots(rng)), quote=False)}</p>\n"
            for _ in range(rng.randint(4, 7))
        )
        headline, dek = escape(story.headline), escape(story.dek)
        when = human(story.when)
        if (day := self.day_key(story)) is not None:
            when = f'<a href="{_href(day)}">{when}</a>'
        main = (
            f'<article class="story">\n{self.crumb(story)}<h1 class="headline">{headline}</h1>\n'
            f'<p class="dek">{dek}</p>\n<p class="byline">By {self.byline(story)} | <time '
            f'datetime="{iso(story.when)}">{when}</time></p>\n'
            f'<div class="article-body">\n{paragraphs}</div>\n{self.tag_line(story)}</article>\n'
            f"{self.related(related)}"
        )
        self.add(story.key, "article", self.html(story.headline, "article", main, self.head(story)))

    def head(self, story: _Story) -> str:
        url = f"{BASE}{escape(story.key)}"
        return (
            f'<link rel="canonical" href="{url}">\n<meta property="og:url" content="{url}">\n'
            f'<meta property="og:title" content="{escape(story.headline)}">\n'
            f'<meta name="description" content="{escape(story.dek)}">\n'
            f'<meta name="author" content="{story.author}">\n'
            f'<meta property="article:published_time" content="{iso(story.when)}">\n'
            f'<meta property="article:section" content="{_label(story.section)}">\n'
            f"{self.section_alternate(story.section)}"
        )

    def crumb(self, story: _Story) -> str:
        key = self.section_key(story.section)
        if key is None:
            return ""
        return f'<p class="crumb"><a href="{_href(key)}">{_label(story.section)}</a></p>\n'

    def byline(self, story: _Story) -> str:
        key = self.author_key(story.author)
        return story.author if key is None else f'<a rel="author" href="{key}">{story.author}</a>'

    def tag_line(self, story: _Story) -> str:
        links = [(key, t) for t in story.tags if (key := self.tag_key(t)) is not None]
        if not links:
            return ""
        anchors = ", ".join(f'<a href="{_href(key)}">{t}</a>' for key, t in links)
        return f'<p class="tags">Topics: {anchors}</p>\n'

    def related(self, related: list[_Story]) -> str:
        tracking = RELATED_TRACKING if self.scheme.tracking else ""
        items = "".join(
            f'<li><a href="{_href(r.key, tracking * (i == 0))}">{escape(r.headline)}</a></li>'
            for i, r in enumerate(related)
        )
        return f'<aside class="related"><h2>Related stories</h2><ul>{items}</ul></aside>\n'

    # listings

    def listing(
        self,
        key: str,
        kind: str,
        title: str,
        stories: list[_Story],
        after: str = "",
        head: str = "",
        tracking: str = "",
    ) -> None:
        items = "".join(
            f'<li><a href="{_href(s.key, tracking)}">{escape(s.headline)}</a> <time datetime='
            f'"{iso(s.when)}">{human(s.when)}</time><p class="teaser">{escape(s.dek)}</p></li>\n'
            for s in stories
        )
        items = items or "<li>No stories yet.</li>\n"
        main = f'<h1>{escape(title)}</h1>\n<ul class="story-list">\n{items}</ul>\n{after}'
        og = "website" if self.scheme.og_listing else ""
        self.add(key, kind, self.html(title, og, main, head))

    def paged(
        self,
        spec: _Paged,
        name: str,
        title: str,
        stories: list[_Story],
        kind: str,
        extra_head: str = "",
    ) -> None:
        size = spec.per_page
        count = max(1, -(-len(stories) // size)) if spec.more else 1
        keys = [spec.key(name, n) for n in range(1, count + 1)]
        for n, key in enumerate(keys, 1):
            head, pager = extra_head, []
            if n > 1:
                head += f'<link rel="prev" href="{BASE}{_href(keys[n - 2])}">\n'
                pager.append(f'<a rel="prev" href="{_href(keys[n - 2])}">Newer stories</a>')
            if n < count:
                head += f'<link rel="next" href="{BASE}{_href(keys[n])}">\n'
                pager.append(f'<a rel="next" href="{_href(keys[n])}">Older stories</a>')
            after = f'<p class="pager">{" ".join(pager)}</p>\n' if pager else ""
            page_title = title if n == 1 else f"{title}, page {n}"
            chunk = stories[(n - 1) * size : n * size]
            self.listing(key, kind if n == 1 else "pagination", page_title, chunk, after, head)

    def homes(self) -> None:
        sc, title = self.scheme, f"{self.scheme.site_name}: business news"
        head = "".join(self.section_alternate(name) for name in sc.sections)
        if sc.river is not None and sc.river.first == "/":
            self.paged(sc.river, "", title, self.stories, "home", head)
        else:
            tracking = HOME_TRACKING if sc.tracking else ""
            more = ""
            if sc.river is not None:
                more = f'<p class="more"><a href="{sc.river.first}">More stories</a></p>\n'
            more += self.media_strip()
            for key in dict.fromkeys(("/", sc.home)):
                latest = self.stories[: sc.home_count]
                self.listing(key, "home", title, latest, more, head, tracking)
            if sc.river is not None:
                self.paged(sc.river, "", sc.river_label, self.stories, "index")

    def listings(self) -> None:
        sc = self.scheme
        if sc.section is not None:
            for name in sc.sections:
                stories = [s for s in self.stories if s.section == name]
                head = self.section_alternate(name)
                self.paged(sc.section, name, _label(name), stories, "section", head)
        for tag in TOPICS:
            if (key := self.tag_key(tag)) is not None:
                tagged = [s for s in self.stories if tag in s.tags][:10]
                title = f"Search: {tag}" if sc.tag_kind == "search" else f"Topic: {tag}"
                self.listing(key, sc.tag_kind, title, tagged)
        for author in sorted({s.author for s in self.stories}):
            if (key := self.author_key(author)) is not None:
                theirs = [s for s in self.stories if s.author == author][:10]
                bio = f'<p class="bio">{author} reports on companies and markets.</p>\n'
                self.listing(key, "author", f"Stories by {author}", theirs, bio)
        if sc.archive is not None:
            for y, m in self.months:
                month = [s for s in self.stories if (s.when.year, s.when.month) == (y, m)]
                self.listing(self.archive_key(y, m), "archive", f"{MONTH_NAMES[m - 1]} {y}", month)
        days: dict[str, list[_Story]] = {}
        for story in self.stories:
            if (key := self.day_key(story)) is not None:
                days.setdefault(key, []).append(story)
        for key, stories in days.items():
            when = stories[0].when
            title = f"{MONTH_NAMES[when.month - 1]} {when.day}, {when.year}"
            if "{section}" in (sc.days or ""):
                title = f"{_label(stories[0].section)}: {title}"
            self.listing(key, "archive", title, stories)

    def media_strip(self) -> str:
        """The homepage's lists of the latest pages of each other medium."""
        strip = ""
        for media in self.scheme.media:
            items = "".join(
                f'<li><a href="{_href(p.key)}">{escape(p.headline)}</a></li>'
                for p in self.media[media.kind][:6]
            )
            strip += f'<section class="{media.kind}"><h2>{_label(media.kind)}</h2><ul>{items}</ul>'
            strip += "</section>\n"
        return strip

    def media_pages(self) -> None:
        """Short pages of other media: a title, one line of text, the medium, links."""
        for media in self.scheme.media:
            pages = self.media[media.kind]
            for i, page in enumerate(pages):
                rng = random.Random(f"{self.scheme.name}/{self.seed}/{media.kind}/{page.serial}")
                headline, dek = escape(page.headline), escape(page.dek)
                if media.kind == "video":
                    body = (
                        f'<figure class="player"><video controls preload="none" poster="https://'
                        f'img.example.com/{page.number:x}.jpg"></video><figcaption>{headline} '
                        f"({rng.randint(1, 4)}:{rng.randint(0, 59):02d})</figcaption></figure>\n"
                    )
                elif media.kind == "gallery":
                    body = "".join(
                        f'<figure><img src="https://img.example.com/{page.number:x}-{k}.jpg" '
                        f'alt="Photo {k}"><figcaption>Photo {k} of 6</figcaption></figure>\n'
                        for k in range(1, 7)
                    )
                else:
                    picks = rng.sample(self.stories, min(3, len(self.stories)))
                    times = [page.when - timedelta(minutes=25 * k) for k in range(len(picks))]
                    body = "".join(
                        f'<li><time datetime="{iso(t)}">{t:%H:%M}</time> '
                        f'<a href="{_href(s.key)}">{escape(s.headline)}</a></li>\n'
                        for t, s in zip(times, picks, strict=True)
                    )
                    body = f'<ul class="updates">\n{body}</ul>\n'
                others = (pages[i + 1 :] + pages[:i])[:4]
                more = "".join(
                    f'<li><a href="{_href(p.key)}">{escape(p.headline)}</a></li>' for p in others
                )
                label = _label(media.kind)
                main = (
                    f'<div class="{media.kind}">\n<h1>{label}: {headline}</h1>\n'
                    f'<p class="dek">{dek}</p>\n<time datetime="{iso(page.when)}">'
                    f"{human(page.when)}</time>\n{body}</div>\n"
                    f'<aside class="more"><h2>More {media.kind}</h2><ul>{more}</ul></aside>\n'
                )
                self.add(page.key, media.kind, self.html(page.headline, media.og_type, main))

    def statics(self) -> None:
        og = "website" if self.scheme.og_listing else ""
        for title, key in self.scheme.static:
            text = STATIC_TEXT[title].format(site=escape(self.scheme.site_name))
            self.add(key, "static", self.html(title, og, f"<h1>{title}</h1>\n<p>{text}</p>\n"))

    # feeds, sitemaps, robots

    def feed(self, feed: _Feed, of: list[_Story] | None = None, title: str = "") -> None:
        """``feed`` of the latest stories (or of ``of``), titled ``title`` or the site name."""
        stories = (self.stories if of is None else of)[: feed.size]
        name = escape(title or self.scheme.site_name)
        latest = (stories or self.stories)[0].when
        if feed.atom:
            entries = "".join(
                f'<entry><title>{escape(s.headline)}</title><link rel="alternate" href="{BASE}'
                f'{escape(s.key)}"/><id>{BASE}{escape(s.key)}</id><updated>{iso(s.when)}'
                f"</updated><author><name>{s.author}</name></author><summary>{escape(s.dek)}"
                "</summary></entry>\n"
                for s in stories
            )
            head = f'<title>{name}</title><id>{BASE}{feed.key}</id><link rel="self" href="'
            head += f'{BASE}{feed.key}"/><updated>{iso(latest)}</updated>\n'
            body = f'{XML}<feed xmlns="{ATOM_NS}">\n{head}{entries}</feed>\n'
            self.add(feed.key, "feed", body, ATOM)
            return
        items = "".join(
            f"<item><title>{escape(s.headline)}</title><link>{BASE}{escape(s.key)}</link>"
            f'<guid isPermaLink="true">{BASE}{escape(s.key)}</guid><pubDate>'
            f"{format_datetime(s.when)}</pubDate><description>{escape(s.dek)}</description>"
            "</item>\n"
            for s in stories
        )
        head = f"<title>{name}</title><link>{BASE}/</link><description>Latest business news"
        head += f"</description><lastBuildDate>{format_datetime(latest)}"
        head += "</lastBuildDate>\n"
        body = f'{XML}<rss version="2.0"><channel>\n{head}{items}</channel></rss>\n'
        self.add(feed.key, "feed", body, RSS)

    def of_kind(self, kind: str) -> list[str]:
        return [key for key, k in self.kinds.items() if k == kind]

    def write(self) -> SchemeSite:
        sc = self.scheme
        stories, n = self.stories, len(self.stories)
        for i, story in enumerate(stories):
            rng = random.Random(f"{sc.name}/{self.seed}/{story.serial}/related")
            picks = rng.sample(range(n - 1), min(3, n - 1))
            self.article(story, [stories[j if j < i else j + 1] for j in picks])
        self.homes()
        self.listings()
        self.media_pages()
        self.statics()
        if sc.feed is not None:
            self.feed(sc.feed)
        if sc.section_feed is not None:
            for name in sc.sections:
                of = [s for s in stories if s.section == name]
                title = f"{sc.site_name}: {_label(name)}"
                self.feed(_Feed(sc.section_feed.format(name=name)), of, title)
        if sc.sitemaps is not None:
            sc.sitemaps(self)
        self.add("/robots.txt", "robots", sc.robots, TEXT)
        return self.site()

    def site(self) -> SchemeSite:
        links = {key for page in self.pages.values() for key in _page_links(page)}
        missing = sorted(links - self.pages.keys())
        if missing:
            raise ValueError(f"{self.scheme.name}: links to pages it lacks: {missing[:5]}")
        links = {key for key in links if self.kinds[key] not in NOT_LINKS}
        return SchemeSite(
            name=self.scheme.name,
            description=self.scheme.description,
            pages=self.pages,
            articles=frozenset(s.key for s in self.stories),
            links=frozenset(links),
            kinds={key: self.kinds[key] for key in sorted(links)},
            feeds=tuple(self.of_kind("feed")),
            sitemaps=tuple(self.of_kind("sitemap")),
        )


def _page_links(page: Page) -> Iterator[str]:
    """The on-site keys a page links to: <a href> of HTML, entry links and <loc> of XML."""
    if page.content_type == HTML:
        hrefs = _A_HREF.findall(page.body)
    elif page.content_type in (RSS, ATOM, SITEMAP):
        hrefs = ["".join(groups) for groups in _XML_LINK.findall(page.body)]
    else:
        hrefs = []
    for href in hrefs:
        key = _key(href)
        if key is not None:
            yield key


def _urlset(entries: Sequence[tuple[str, datetime | None]]) -> str:
    urls = "".join(
        f"<url><loc>{BASE}{escape(key)}</loc>"
        + (f"<lastmod>{iso(when)}</lastmod>" if when else "")
        + "</url>\n"
        for key, when in entries
    )
    return f'{XML}<urlset xmlns="{SM_NS}">\n{urls}</urlset>\n'


def _index(keys: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{BASE}{key}</loc></sitemap>\n" for key in keys)
    return f'{XML}<sitemapindex xmlns="{SM_NS}">\n{entries}</sitemapindex>\n'


def _wordpress_sitemaps(b: _Build) -> None:
    """/sitemap_index.xml naming /post-sitemap.xml (articles), /category-sitemap.xml."""
    index = _index(["/post-sitemap.xml", "/category-sitemap.xml"])
    b.add("/sitemap_index.xml", "sitemap", index, SITEMAP)
    b.add("/post-sitemap.xml", "sitemap", _urlset([(s.key, s.when) for s in b.stories]), SITEMAP)
    categories = _urlset([(key, None) for key in b.of_kind("section")])
    b.add("/category-sitemap.xml", "sitemap", categories, SITEMAP)


def _sitemap_with(*kinds: str) -> Callable[[_Build], None]:
    """One /sitemap.xml of every article and the pages of ``kinds``."""

    def write(b: _Build) -> None:
        entries: list[tuple[str, datetime | None]] = [(s.key, s.when) for s in b.stories]
        entries += [(k, None) for kind in kinds for k in b.of_kind(kind)]
        b.add("/sitemap.xml", "sitemap", _urlset(entries), SITEMAP)

    return write


def _news_sitemap(b: _Build) -> None:
    """A Google News sitemap of the 30 latest articles, with publication dates."""
    name = escape(b.scheme.site_name)
    pub = f"<news:publication><news:name>{name}</news:name><news:language>en</news:language>"
    urls = "".join(
        f"<url><loc>{BASE}{escape(s.key)}</loc><news:news>{pub}</news:publication>"
        f"<news:publication_date>{iso(s.when)}</news:publication_date>"
        f"<news:title>{escape(s.headline)}</news:title></news:news></url>\n"
        for s in b.stories[:30]
    )
    body = f'{XML}<urlset xmlns="{SM_NS}" xmlns:news="{NEWS_NS}">\n{urls}</urlset>\n'
    b.add("/news-sitemap.xml", "sitemap", body, SITEMAP)


def _monthly_sitemaps(b: _Build) -> None:
    """/sitemap-index.xml naming one article sitemap a month and one of listing pages."""
    keys = []
    for y, m in b.months:
        key = f"/sitemaps/articles-{y:04d}-{m:02d}.xml"
        month = [(s.key, s.when) for s in b.stories if (s.when.year, s.when.month) == (y, m)]
        b.add(key, "sitemap", _urlset(month), SITEMAP)
        keys.append(key)
    listings = [(k, None) for kind in ("index", "section", "tag") for k in b.of_kind(kind)]
    b.add("/sitemaps/sections.xml", "sitemap", _urlset(listings), SITEMAP)
    b.add("/sitemap-index.xml", "sitemap", _index([*keys, "/sitemaps/sections.xml"]), SITEMAP)


def _daily_sitemaps(b: _Build) -> None:
    """/sitemaps/index.xml naming one sitemap of articles a day, /sitemaps/YYYY-MM-DD.xml."""
    days: dict[str, list[tuple[str, datetime | None]]] = {}
    for s in b.stories:
        days.setdefault(f"/sitemaps/{s.when:%Y-%m-%d}.xml", []).append((s.key, s.when))
    for key, entries in days.items():
        b.add(key, "sitemap", _urlset(entries), SITEMAP)
    b.add("/sitemaps/index.xml", "sitemap", _index(list(days)), SITEMAP)


# --- the nine schemes -----------------------------------------------------------------

STATIC_SLASH = (
    ("About us", "/about/"),
    ("Contact", "/contact/"),
    ("Privacy policy", "/privacy-policy/"),
)
STATIC_BARE = (("About us", "/about"), ("Contact", "/contact"), ("Privacy policy", "/privacy"))
WP_ROBOTS = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
SCHEMES = (
    _Scheme(
        name="date-paths",
        description="WordPress dates: /YYYY/MM/DD/slug/ articles; /category/X/, /tag/X/, "
        "/author/X/, /YYYY/MM/ and /page/N/ listings; RSS /feed/ announced; robots names "
        "/sitemap_index.xml (post and category sitemaps)",
        site_name="Karachi Business Daily",
        article=lambda s: f"/{s.when:%Y/%m/%d}/{s.slug}/",
        robots=f"{WP_ROBOTS}\nSitemap: {BASE}/sitemap_index.xml\n",
        static=STATIC_SLASH,
        section=_Paged("/category/{name}/", "/category/{name}/page/{n}/"),
        river=_Paged("/", "/page/{n}/"),
        tag="/tag/{name}/",
        author="/author/{name}/",
        archive="/{y}/{m}/",
        feed=_Feed("/feed/"),
        sitemaps=_wordpress_sitemaps,
        step_hours=36.0,
    ),
    _Scheme(
        name="numeric-ids",
        description="/news/1234567 articles (6-7 digit ids, no slug); /news/, /news?page=N, "
        "/topics/X, /people/X listings; Atom /atom.xml announced; robots names /sitemap.xml",
        site_name="The Capital Ledger",
        article=lambda s: f"/news/{s.number}",
        robots=f"User-agent: *\nDisallow: /search\n\nSitemap: {BASE}/sitemap.xml\n",
        static=STATIC_BARE,
        sections=("business", "markets", "economy", "world"),
        river=_Paged("/news/", "/news?page={n}"),
        river_label="News",
        tag="/topics/{name}",
        author="/people/{name}",
        feed=_Feed("/atom.xml", atom=True),
        sitemaps=_sitemap_with("tag"),
        ids=(940_000, 700, 2_600),
    ),
    _Scheme(
        name="story-id-slug",
        description="/story/ID/slug articles; /section/X (?page=N), /story/ index, /topic/X, "
        "/writer/X listings; RSS /rss.xml not announced (probe only); robots names a Google "
        "News sitemap /news-sitemap.xml",
        site_name="Indus Markets Herald",
        article=lambda s: f"/story/{s.number}/{s.slug}",
        robots=f"User-agent: *\nDisallow: /search\nDisallow: /api/\n\nSitemap: {BASE}"
        "/news-sitemap.xml\n",
        static=STATIC_BARE,
        sections=("business", "markets", "economy", "technology"),
        section=_Paged("/section/{name}", "/section/{name}?page={n}"),
        river=_Paged("/story/", None, 20),
        river_label="All stories",
        tag="/topic/{name}",
        author="/writer/{name}",
        feed=_Feed("/rss.xml", announced=False),
        sitemaps=_news_sitemap,
        ids=(41_200, 20, 160),
        og_listing=False,
    ),
    _Scheme(
        name="html-suffix",
        description="/SECTION/slug-ID.html articles; /SECTION/index.html, /SECTION/page-N.html, "
        "/tags/X.html, /authors/X.html listings; RSS announced; /sitemap.xml not named in "
        "robots (probe only)",
        site_name="Frontier Commerce Review",
        article=lambda s: f"/{s.section}/{s.slug}-{s.number}.html",
        robots="User-agent: *\nDisallow: /cgi-bin/\nDisallow: /search\n",
        static=(
            ("About us", "/about.html"),
            ("Contact", "/contact.html"),
            ("Privacy policy", "/privacy.html"),
        ),
        sections=("business-news", "stock-markets", "world-economy", "energy-and-power"),
        section=_Paged("/{name}/index.html", "/{name}/page-{n}.html"),
        tag="/tags/{name}.html",
        author="/authors/{name}.html",
        feed=_Feed("/rss/latest.xml"),
        sitemaps=_sitemap_with("section"),
        ids=(12_040, 3, 40),
        og_listing=False,
    ),
    _Scheme(
        name="query-ids",
        description="/article.php?id=N articles (homepage and related links add utm_ "
        "parameters); /index.php, /list.php?cat=X(&page=N), /author.php?name=X, /search?q=X "
        "(disallowed in robots) listings; RSS /rss.php announced; no sitemap",
        site_name="Lahore Trade Bulletin",
        article=lambda s: f"/article.php?id={s.number}",
        robots="User-agent: *\nDisallow: /search\nDisallow: /admin/\n",
        static=(
            ("About us", "/page.php?name=about"),
            ("Contact", "/page.php?name=contact"),
            ("Privacy policy", "/page.php?name=privacy"),
        ),
        sections=("business", "markets", "economy", "energy"),
        section=_Paged("/list.php?cat={name}", "/list.php?cat={name}&page={n}"),
        tag="/search?q={q}",
        tag_kind="search",
        author="/author.php?name={name}",
        feed=_Feed("/rss.php"),
        ids=(37, 1, 9),
        home="/index.php",
        tracking=True,
        og_listing=False,
    ),
    _Scheme(
        name="same-prefix",
        description="/news/slug articles (4-10 words) beside /news/tag pages (1-3 words), "
        "/news/, /news/page/N, /news/by/X; RSS announced; robots names /sitemap.xml of "
        "articles and tag pages",
        site_name="Margalla Money",
        article=lambda s: f"/news/{s.slug}",
        robots=f"User-agent: *\nDisallow:\n\nSitemap: {BASE}/sitemap.xml\n",
        static=STATIC_BARE,
        sections=("news",),
        river=_Paged("/news/", "/news/page/{n}"),
        river_label="News",
        tag="/news/{name}",
        author="/news/by/{name}",
        feed=_Feed("/feed.xml"),
        sitemaps=_sitemap_with("tag"),
    ),
    _Scheme(
        name="no-feeds",
        description="/articles/YYYY-MM-DD-slug articles (no trailing slash); /articles/, "
        "/articles/?p=N, /sections/X/, /tags/X/ listings; no feed; robots names "
        "/sitemap-index.xml (monthly article sitemaps, listing sitemap)",
        site_name="Sindh Economic Times",
        article=lambda s: f"/articles/{s.when:%Y-%m-%d}-{s.slug}",
        robots=f"User-agent: *\nDisallow: /search\n\nSitemap: {BASE}/sitemap-index.xml\n",
        static=STATIC_SLASH,
        sections=("business", "markets", "economy", "energy"),
        section=_Paged("/sections/{name}/", "/sections/{name}/?p={n}"),
        river=_Paged("/articles/", "/articles/?p={n}"),
        river_label="Articles",
        tag="/tags/{name}/",
        sitemaps=_monthly_sitemaps,
        step_hours=20.0,
    ),
    _Scheme(
        name="feeds-only",
        description="/p/slug-hexid articles; /c/X (?page=N), /u/X listings; one announced "
        "RSS /feed of 30 items, the homepage shows 10; no sitemap",
        site_name="Bolan Business Wire",
        article=lambda s: f"/p/{s.slug}-{s.number:06x}",
        robots="User-agent: *\nDisallow:\n",
        static=STATIC_BARE,
        sections=("business", "markets", "economy", "energy", "technology", "banking"),
        section=_Paged("/c/{name}", "/c/{name}?page={n}", per_page=8),
        author="/u/{name}",
        feed=_Feed("/feed", size=30),
        hex_ids=True,
        og_listing=False,
    ),
    _Scheme(
        name="no-discovery",
        description="WordPress postname: /slug/ articles at the root beside /about-us/-style "
        "pages; /category/X/, /category/X/page/N/ listings; no feed, no sitemap",
        site_name="Hunza Markets Today",
        article=lambda s: f"/{s.slug}/",
        robots=WP_ROBOTS,
        static=(
            ("About us", "/about-us/"),
            ("Contact", "/contact/"),
            ("Privacy policy", "/privacy-policy/"),
            ("Advertise with us", "/advertise-with-us/"),
        ),
        sections=("business", "markets", "economy", "companies", "energy", "banking"),
        section=_Paged("/category/{name}/", "/category/{name}/page/{n}/", per_page=5),
    ),
)


# --- the held-out schemes -------------------------------------------------------------
# Modelled on URL layouts of real news sites that the learner was not developed on.

MONTHS = tuple(month[:3].lower() for month in MONTH_NAMES)


def _section_words(section: str) -> str:
    """A section name as its articles' URLs spell it: world/asia and in_pictures as
    world-asia and in-pictures, science_and_environment as science-environment."""
    return re.sub(r"[_/]", "-", section.replace("_and_", "_"))


HELD_OUT = (
    _Scheme(
        name="id-suffix",
        description="/news/SECTION-12345678 articles (section words, then an 8-digit id); "
        "/news, /news/SECTION (?page=N, some with underscores or a slash), /news/topics/ID "
        "listings; RSS /news/rss.xml announced; robots names a Google News sitemap",
        site_name="Chenab Broadcasting News",
        article=lambda s: f"/news/{_section_words(s.section)}-{s.number}",
        robots=f"User-agent: *\nDisallow: /cbc/\nDisallow: /news/search\n\nSitemap: {BASE}"
        "/news-sitemap.xml\n",
        static=(
            ("About us", "/aboutthenews"),
            ("Contact", "/contact"),
            ("Privacy policy", "/usingthenews/privacy"),
        ),
        sections=("business", "technology", "world/asia", "science_and_environment", "in_pictures"),
        section=_Paged("/news/{name}", "/news/{name}?page={n}", 12),
        river=_Paged("/news", None, 24),
        river_label="News",
        tag="/news/topics/{id}",
        feed=_Feed("/news/rss.xml"),
        sitemaps=_news_sitemap,
        ids=(68_120_000, 600, 9_000),
        step_hours=7.0,
    ),
    _Scheme(
        name="month-names",
        description="/SECTION/YYYY/mon/DD/slug articles (jan..dec); /SECTION (?page=N), "
        "/SECTION/SUBSECTION, /SECTION/YYYY/mon/DD/all, /profile/X listings; RSS per section "
        "/SECTION/rss announced; no sitemap",
        site_name="Ravi Evening Post",
        article=lambda s: (
            f"/{s.section}/{s.when:%Y}/{MONTHS[s.when.month - 1]}/{s.when:%d}/{s.slug}"
        ),
        robots="User-agent: *\nDisallow: /sendarticle/\nDisallow: /search\n",
        static=(
            ("About us", "/about"),
            ("Contact", "/help/contact-us"),
            ("Privacy policy", "/info/privacy"),
        ),
        sections=("business", "world", "technology", "money", "environment"),
        section=_Paged("/{name}", "/{name}?page={n}", 20),
        tag="/{section}/{name}",
        author="/profile/{name}",
        days="/{section}/{y}/{mon}/{d}/all",
        section_feed="/{name}/rss",
        step_hours=18.0,
    ),
    _Scheme(
        name="slug-date-suffix",
        description="/SECTION/(SUBSECTION/)slug-YYYY-MM-DD/ articles; /SECTION/, "
        "/SECTION/SUBSECTION/, /authors/X/ listings (no pagination); no feed; robots names "
        "/sitemaps/index.xml of daily article sitemaps",
        site_name="Thar Capital Gazette",
        article=lambda s: f"/{s.section}/{s.slug}-{s.when:%Y-%m-%d}/",
        robots=f"User-agent: *\nDisallow: /search/\n\nSitemap: {BASE}/sitemaps/index.xml\n",
        static=STATIC_SLASH,
        sections=("business", "business/energy", "politics", "world", "world/asia", "technology"),
        section=_Paged("/{name}/", None, 15),
        author="/authors/{name}/",
        sitemaps=_daily_sitemaps,
        step_hours=11.0,
    ),
    _Scheme(
        name="date-section-html",
        description="/YYYY/MM/DD/SECTION/slug.html articles (slugs of 1-6 words); "
        "/section/X, /by/X, /YYYY/MM/DD/ listings; RSS per section "
        "/services/xml/rss/X.xml announced; robots names /sitemap.xml",
        site_name="Makran Daily Chronicle",
        article=lambda s: f"/{s.when:%Y/%m/%d}/{s.section}/{s.slug}.html",
        robots=f"User-agent: *\nDisallow: /search\nDisallow: /svc/\n\nSitemap: {BASE}"
        "/sitemap.xml\n",
        static=(
            ("About us", "/company/about"),
            ("Contact", "/company/contact"),
            ("Privacy policy", "/privacy/policy"),
        ),
        sections=("business", "world", "technology", "climate", "health"),
        section=_Paged("/section/{name}", None, 20),
        author="/by/{name}",
        days="/{y}/{m}/{d}/",
        section_feed="/services/xml/rss/{name}.xml",
        sitemaps=_sitemap_with("section"),
        step_hours=10.0,
        slug_words=(1, 6),
    ),
    _Scheme(
        name="id-then-slug",
        description="/news/1234567/slug articles (7-digit id, then slug); /latest-news "
        "(?page=N), /authors/ID/X, /trends/X listings; RSS /feeds/latest-news announced; "
        "no sitemap",
        site_name="Kirthar Morning Courier",
        article=lambda s: f"/news/{s.number}/{s.slug}",
        robots="User-agent: *\nDisallow: /search\n",
        static=(
            ("About us", "/about"),
            ("Contact", "/contact"),
            ("Privacy policy", "/privacy"),
        ),
        river=_Paged("/latest-news", "/latest-news?page={n}", 20),
        river_label="Latest news",
        tag="/trends/{name}",
        author="/authors/{id}/{name}",
        feed=_Feed("/feeds/latest-news"),
        ids=(1_961_000, 4, 60),
    ),
    _Scheme(
        name="mixed-media",
        description="/article/slug-abc12 articles beside /video/, /gallery/ and /live/ "
        "pages of the same form (short, og:type video.other or website); /section/X "
        "(?page=N) listings; RSS of articles announced; robots names /sitemap.xml of "
        "articles, videos and galleries",
        site_name="Swat Valley Broadcaster",
        article=lambda s: f"/article/{s.slug}-{_b36(s.number, 5)}",
        robots=f"User-agent: *\nDisallow: /api/\n\nSitemap: {BASE}/sitemap.xml\n",
        static=(
            ("About us", "/about"),
            ("Contact", "/contact"),
            ("Privacy policy", "/privacy"),
        ),
        sections=("business", "markets", "politics", "sport"),
        section=_Paged("/section/{name}", "/section/{name}?page={n}", 12),
        feed=_Feed("/rss/articles.xml"),
        sitemaps=_sitemap_with("video", "gallery"),
        hex_ids=True,
        media=(
            _Media("/video/{slug}-{id}", "video", "video.other", 0.25),
            _Media("/gallery/{slug}-{id}", "gallery", "website", 0.2),
            _Media("/live/{slug}-{id}", "live", "website", 0.05),
        ),
    ),
)


def scheme_names(held_out: bool = False) -> list[str]:
    """The names of the development sites in order, or of the held-out sites."""
    return [scheme.name for scheme in (HELD_OUT if held_out else SCHEMES)]


def scheme_site(
    name: str, seed: int = 0, n_articles: int = 80, *, now: datetime = NOW
) -> SchemeSite:
    """The site ``name`` (see :func:`scheme_names`, development or held-out), the same for
    the same arguments.

    Its ``n_articles`` articles are published up to ``now``, the newest first."""
    if n_articles < 4:
        raise ValueError("n_articles must be at least 4")
    for scheme in (*SCHEMES, *HELD_OUT):
        if scheme.name == name:
            stories = _stories(scheme, seed, n_articles, now)
            media = _media(scheme, seed, n_articles, now)
            return _Build(scheme, stories, seed, media).write()
    names = ", ".join([*scheme_names(), *scheme_names(held_out=True)])
    raise KeyError(f"no scheme site {name!r}; there are {names}")


def scheme_sites(
    seed: int = 0, n_articles: int = 80, *, now: datetime = NOW, held_out: bool = False
) -> list[SchemeSite]:
    """Every development site (or every held-out one), in the order of :func:`scheme_names`."""
    return [scheme_site(name, seed, n_articles, now=now) for name in scheme_names(held_out)]


# --- serving --------------------------------------------------------------------------


class SchemeServer(ThreadingHTTPServer):
    """Serves one :class:`SchemeSite` on 127.0.0.1; ``log`` holds (path, status) of every
    request received."""

    daemon_threads = True

    def __init__(self, site: SchemeSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.log: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return base_url(self)

    def url(self, key: str) -> str:
        """The absolute URL of a page key."""
        return self.base + key

    def find(self, path: str) -> Page | None:
        """The page at ``path``: the exact key, else the key without a trailing "?" or
        tracking parameters, with the query in any order."""
        pages = self.site.pages
        if path in pages:
            return pages[path]
        key = _key(path)
        return None if key is None else pages.get(key)

    def record(self, path: str, status: int) -> None:
        with self._lock:
            self.log.append((path, status))


class _Handler(BaseHTTPRequestHandler):
    server: SchemeServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write: two small writes on a kept-alive connection wait
    # for the client's delayed ACK (40 ms a request).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        page = self.server.find(self.path)
        if page is None:
            status, content_type, body = 404, HTML, NOT_FOUND
        else:
            status, content_type = page.status, page.content_type
            body = page.body.replace(BASE, self.server.base).encode()
        self.server.record(self.path, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: SchemeSite) -> Iterator[SchemeServer]:
    """Serve ``site`` on a free port of 127.0.0.1 until the block ends."""
    with serving(SchemeServer(site)) as server:
        yield server


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.schemes --list [--held-out]`` or ``--serve NAME``."""
    parser = argparse.ArgumentParser(prog="python -m bench.schemes", description=__doc__)
    parser.add_argument("--list", action="store_true", help="describe every site (the default)")
    parser.add_argument(
        "--held-out", action="store_true", help="list the held-out sites, not the development ones"
    )
    parser.add_argument("--serve", metavar="NAME", help="serve one site until Ctrl-C")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--articles", type=int, default=80)
    args = parser.parse_args(argv)
    if args.serve:
        with serve(scheme_site(args.serve, args.seed, args.articles)) as server:
            print(f"{args.serve} at {server.base}/ (Ctrl-C stops)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                print("stopped")
        return
    width = max(len(name) for name in scheme_names(args.held_out))
    print(f"{'site':<{width}} {'pages':>5} {'articles':>8} {'links':>5}  description")
    for site in scheme_sites(args.seed, args.articles, held_out=args.held_out):
        counts = f"{len(site.pages):>5} {len(site.articles):>8} {len(site.links):>5}"
        print(f"{site.name:<{width}} {counts}  {site.description}")


if __name__ == "__main__":
    main()
