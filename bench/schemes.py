"""Nine generated news sites whose URL schemes differ, with ground truth (issue 20).

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

    python -m bench.schemes --list [--seed N] [--articles N]
    python -m bench.schemes --serve NAME
"""

from __future__ import annotations

import argparse
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

from bench.site import AUTHORS, DEKS, HEADLINES, MONTH_NAMES, SENTENCES, STYLE, _Slots, paragraph
from crawler.siteserver import serving
from digest.urls import clean_url

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=5)))
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
SITEMAP = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
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
    tag: str | None = None  # format fields: name (words-joined-by-hyphens), q (query value)
    tag_kind: str = "tag"
    author: str | None = None  # format field: name (first-last)
    archive: str | None = None  # monthly archives; format fields: y, m
    feed: _Feed | None = None
    sitemaps: Callable[[_Build], None] | None = None
    ids: tuple[int, int, int] = (1, 1, 1)  # the oldest story's id, least and most step
    hex_ids: bool = False
    step_hours: float = 9.0
    home: str = "/"  # where the nav's Home link points
    home_count: int = 10
    tracking: bool = False  # homepage and related links carry utm_ parameters
    og_listing: bool = True  # listing pages say og:type "website" (else no og:type)


def _slug(text: str) -> str:
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


def _label(name: str) -> str:
    return name.replace("-", " ").title()


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _human(when: datetime) -> str:
    return f"{MONTH_NAMES[when.month - 1]} {when.day}, {when.year}, {when:%H:%M}"


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


def _unique_slug(rng: random.Random, headline: str, used: set[str]) -> str:
    """The headline's first 4 to 10 words, the length drawn, not used before on the site."""
    words = _NON_ALNUM.sub(" ", headline.lower()).split()
    want = rng.randint(4, 10)
    for k in sorted(range(4, min(len(words), 10) + 1), key=lambda k: (abs(k - want), k)):
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
        headline = rng.choice(HEADLINES).format_map(_Slots(rng)).replace(" percent", "%")
        dek = rng.choice(DEKS).format_map(_Slots(rng))
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
            slug=_unique_slug(rng, headline, used),
        )
        story.key = scheme.article(story)
        stories.append(story)
    return stories[::-1]


# --- the pages ------------------------------------------------------------------------


class _Build:
    """The pages of one site as they are written, and the furniture every page shares."""

    def __init__(self, scheme: _Scheme, stories: list[_Story], seed: int) -> None:
        self.scheme, self.stories, self.seed = scheme, stories, seed
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
        template = self.scheme.tag
        return None if template is None else template.format(name=_slug(tag), q=quote_plus(tag))

    def author_key(self, author: str) -> str | None:
        template = self.scheme.author
        return None if template is None else template.format(name=_slug(author))

    def archive_key(self, year: int, month: int) -> str:
        return (self.scheme.archive or "").format(y=f"{year:04d}", m=f"{month:02d}")

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
            f"<p>{escape(paragraph(rng, SENTENCES, _Slots(rng)), quote=False)}</p>\n"
            for _ in range(rng.randint(4, 7))
        )
        headline, dek = escape(story.headline), escape(story.dek)
        main = (
            f'<article class="story">\n{self.crumb(story)}<h1 class="headline">{headline}</h1>\n'
            f'<p class="dek">{dek}</p>\n<p class="byline">By {self.byline(story)} | <time '
            f'datetime="{_iso(story.when)}">{_human(story.when)}</time></p>\n'
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
            f'<meta property="article:published_time" content="{_iso(story.when)}">\n'
            f'<meta property="article:section" content="{_label(story.section)}">\n'
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
            f'"{_iso(s.when)}">{_human(s.when)}</time><p class="teaser">{escape(s.dek)}</p></li>\n'
            for s in stories
        )
        items = items or "<li>No stories yet.</li>\n"
        main = f'<h1>{escape(title)}</h1>\n<ul class="story-list">\n{items}</ul>\n{after}'
        og = "website" if self.scheme.og_listing else ""
        self.add(key, kind, self.html(title, og, main, head))

    def paged(self, spec: _Paged, name: str, title: str, stories: list[_Story], kind: str) -> None:
        size = spec.per_page
        count = max(1, -(-len(stories) // size)) if spec.more else 1
        keys = [spec.key(name, n) for n in range(1, count + 1)]
        for n, key in enumerate(keys, 1):
            head, pager = "", []
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
        if sc.river is not None and sc.river.first == "/":
            self.paged(sc.river, "", title, self.stories, "home")
        else:
            tracking = HOME_TRACKING if sc.tracking else ""
            more = ""
            if sc.river is not None:
                more = f'<p class="more"><a href="{sc.river.first}">More stories</a></p>\n'
            for key in dict.fromkeys(("/", sc.home)):
                latest = self.stories[: sc.home_count]
                self.listing(key, "home", title, latest, more, tracking=tracking)
            if sc.river is not None:
                self.paged(sc.river, "", sc.river_label, self.stories, "index")

    def listings(self) -> None:
        sc = self.scheme
        if sc.section is not None:
            for name in sc.sections:
                stories = [s for s in self.stories if s.section == name]
                self.paged(sc.section, name, _label(name), stories, "section")
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

    def statics(self) -> None:
        og = "website" if self.scheme.og_listing else ""
        for title, key in self.scheme.static:
            text = STATIC_TEXT[title].format(site=escape(self.scheme.site_name))
            self.add(key, "static", self.html(title, og, f"<h1>{title}</h1>\n<p>{text}</p>\n"))

    # feeds, sitemaps, robots

    def feed(self, feed: _Feed) -> None:
        stories, name = self.stories[: feed.size], escape(self.scheme.site_name)
        if feed.atom:
            entries = "".join(
                f'<entry><title>{escape(s.headline)}</title><link rel="alternate" href="{BASE}'
                f'{escape(s.key)}"/><id>{BASE}{escape(s.key)}</id><updated>{_iso(s.when)}'
                f"</updated><author><name>{s.author}</name></author><summary>{escape(s.dek)}"
                "</summary></entry>\n"
                for s in stories
            )
            head = f'<title>{name}</title><id>{BASE}{feed.key}</id><link rel="self" href="'
            head += f'{BASE}{feed.key}"/><updated>{_iso(self.stories[0].when)}</updated>\n'
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
        head += f"</description><lastBuildDate>{format_datetime(self.stories[0].when)}"
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
        self.statics()
        if sc.feed is not None:
            self.feed(sc.feed)
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
        + (f"<lastmod>{_iso(when)}</lastmod>" if when else "")
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


def _sitemap_with(kind: str) -> Callable[[_Build], None]:
    """One /sitemap.xml of every article and the listing pages of ``kind``."""

    def write(b: _Build) -> None:
        entries = [(s.key, s.when) for s in b.stories] + [(k, None) for k in b.of_kind(kind)]
        b.add("/sitemap.xml", "sitemap", _urlset(entries), SITEMAP)

    return write


def _news_sitemap(b: _Build) -> None:
    """A Google News sitemap of the 30 latest articles, with publication dates."""
    name = escape(b.scheme.site_name)
    pub = f"<news:publication><news:name>{name}</news:name><news:language>en</news:language>"
    urls = "".join(
        f"<url><loc>{BASE}{escape(s.key)}</loc><news:news>{pub}</news:publication>"
        f"<news:publication_date>{_iso(s.when)}</news:publication_date>"
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


def scheme_names() -> list[str]:
    """The names of the sites, in order."""
    return [scheme.name for scheme in SCHEMES]


def scheme_site(
    name: str, seed: int = 0, n_articles: int = 80, *, now: datetime = NOW
) -> SchemeSite:
    """The site ``name`` (see :func:`scheme_names`), the same for the same arguments.

    Its ``n_articles`` articles are published up to ``now``, the newest first."""
    if n_articles < 4:
        raise ValueError("n_articles must be at least 4")
    for scheme in SCHEMES:
        if scheme.name == name:
            return _Build(scheme, _stories(scheme, seed, n_articles, now), seed).write()
    raise KeyError(f"no scheme site {name!r}; there are {', '.join(scheme_names())}")


def scheme_sites(seed: int = 0, n_articles: int = 80, *, now: datetime = NOW) -> list[SchemeSite]:
    """Every site, in the order of :func:`scheme_names`."""
    return [scheme_site(name, seed, n_articles, now=now) for name in scheme_names()]


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
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # typed str | bytes; an AF_INET server's host is a str
            host = host.decode("ascii")
        return f"http://{host}:{port}"

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
    """``python -m bench.schemes --list`` or ``--serve NAME``."""
    parser = argparse.ArgumentParser(prog="python -m bench.schemes", description=__doc__)
    parser.add_argument("--list", action="store_true", help="describe every site (the default)")
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
    print(f"{'site':<14} {'pages':>5} {'articles':>8} {'links':>5}  description")
    for site in scheme_sites(args.seed, args.articles):
        counts = f"{len(site.pages):>5} {len(site.articles):>8} {len(site.links):>5}"
        print(f"{site.name:<14} {counts}  {site.description}")


if __name__ == "__main__":
    main()
