"""Generate a deterministic static business-news site for tests and benchmarks.

The site is meant to be served by ``crawler.siteserver``: every absolute URL in .html,
.xml and .txt files starts with ``__BASE__``, which the server replaces with its address.
Gzipped sitemaps are served as raw bytes, so they use the ``base`` given to
:func:`generate_site` instead.

Article ``k`` (counted from the oldest, starting at 1) keeps its path and page bytes when
newer articles are added: to "publish one more article", call again with
``n_articles + 1``, the same ``step_minutes`` (or ``span_hours``, ``n_old``, ``seed``) and
``now + SiteInfo.step``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

SITE = "Ledger Test Wire"


def _v(words: str) -> tuple[str, ...]:
    """A vocabulary written as one ``|``-separated string (or a block of lines)."""
    return tuple(w.strip() for w in words.replace("\n", "|").split("|") if w.strip())


MONTH_NAMES = _v("January|February|March|April|May|June|July|August|September|October|November")
MONTH_NAMES += ("December",)
COMPANIES = _v(
    "Indus Minerals|Mehran Textiles|Ravi Cement|Sabz Telecom|Kestrel Motors|Lyari Foods|"
    "Margalla Power|Chenab Steel|Thar Energy|Bolan Fertiliser|Hunza Capital|Karakoram Bank|"
    "Sindh Agro|Gwadar Logistics|Potohar Oil|Swat Pharma|Kirthar Glass|Jhelum Paper"
)
PLACES = _v("Karachi|Lahore|Islamabad|Faisalabad|Multan|Peshawar|Quetta|Sialkot|Gwadar")
GOODS = _v(
    "copper|cement|cotton yarn|urea|crude oil|steel rebar|wheat flour|solar panels|"
    "mobile handsets|basmati rice|surgical instruments|denim"
)
PEOPLE = _v("Ayesha Siddiqui|Bilal Ahmed|Sana Mirza|Omar Farooq|Hina Qureshi|Kamran Yousuf")
ROLES = _v("chief executive|finance director|head of sales|company secretary")
AUTHORS = _v("Nadia Hussain|Tariq Mehmood|Zara Sheikh|Monitoring Desk|Imran Baig")
TAGS = _v(
    "economy|banking|trade|energy|textiles|cement|telecom|minerals|exports|inflation|"
    "markets|autos|agriculture|shipping|pharma|steel"
)
QUARTERS = _v("first quarter|second quarter|third quarter|fourth quarter")
POOLS = {"co": COMPANIES, "co2": COMPANIES, "place": PLACES, "place2": PLACES, "goods": GOODS}
POOLS |= {"person": PEOPLE, "role": ROLES, "qtr": QUARTERS, "month": MONTH_NAMES}
NUMBERS = {"pct": ("{}.{} percent", 19), "amt": ("Rs{}.{} billion", 95), "small": ("{}", 15)}
NUMBERS["count"] = ("{}{}00", 40)
HEADLINES = _v("""
{Goods} output rises {pct} at {co}
{co} posts {amt} profit in {qtr}
{co} to invest {amt} in {place} plant
{Goods} prices fall {pct} in {place} markets
{co} shares slide after {qtr} results
{co} wins {amt} contract for {goods} supply
Regulator fines {co} {amt} over {goods} pricing
{co} plans {place} expansion as {goods} demand grows""")
DEKS = _v("""
The company cited stronger demand from {place} and lower input costs.
Analysts expect the trend to continue into the {qtr}.
Traders in {place} say buyers are returning after a quiet month.
The move follows a {pct} change in {goods} prices since {month}.""")
SENTENCES = _v("""
{co} said its {goods} sales rose {pct} in the {qtr} on stronger orders.
Shares of {co} closed {pct} higher in {place} after the announcement.
{co} expects to spend {amt} on new capacity in {place} over two years.
{person}, {role} at {co}, said demand from {place} had been stronger than expected.
Analysts in {place} said the {qtr} figures for {co} were broadly in line with estimates.
Prices of {goods} have risen {pct} since {month}, squeezing margins across the sector.
The board of {co} approved a cash dividend of {small} rupees per share.
{co2} reported a similar trend, citing higher energy costs and a weaker rupee.
Traders in {place} said buying interest in {goods} had picked up since {month}.
The central bank has kept its policy rate unchanged since {month}, {person} noted.
Exports of {goods} reached {amt} in {month}, according to official data.
{person} said {co} would review its plans if borrowing costs stayed high.
The {amt} deal with {co2} is still subject to approval by the competition regulator.
Industry groups in {place} have asked the government to cut duties on imported {goods}.
Output at the {place} plant of {co} is expected to double by next {month}.
{co} employs about {count} people at sites in {place} and {place2}.
Revenue at {co} climbed to {amt} while costs grew {pct} over the same period.
{co} plans to list a bond worth {amt} on the exchange in {month}.
Freight rates for {goods} shipped from {place} fell {pct} in {month}, brokers said.
{person} told reporters in {place} that {co} had no plans to raise prices.
A {role} at {co2} expects the {goods} market to stay tight until {month}.""")
STYLE = (
    "<style>body{font:16px/1.6 Georgia,serif;margin:0 auto;max-width:760px;padding:0 12px}"
    "nav a,footer a{margin-right:12px}.byline,.dek{color:#555}footer{border-top:1px solid #ccc;"
    "margin-top:32px;font-size:13px}.author-box{background:#f4f4f4;padding:8px}</style>\n"
)
SIDEBAR = (
    '<aside class="sidebar"><h4>Market snapshot</h4><table><tr><td>LTW-100</td><td>171,482.36'
    "</td><td>+1.15%</td></tr><tr><td>USD/PKR</td><td>281.35</td><td>-0.02%</td></tr><tr><td>"
    "Gold (per tola)</td><td>Rs431,900</td><td>+0.40%</td></tr></table><p>Closing values, data "
    "delayed.</p>\n<h4>Newsletter</h4><p>The day's market moves and the stories behind them, "
    'every morning at 7.</p><form action="/subscribe" method="post"><input type="email" '
    'name="email" placeholder="Your email address"><button type="submit">Subscribe</button>'
    "</form><p>We respect your privacy. Unsubscribe at any time.</p></aside>\n"
)
COMMENTS = (
    '<section class="comments"><h3>LEAVE A REPLY</h3><form action="/comment" method="post">'
    '<textarea name="comment" placeholder="Please enter your comment!"></textarea><input '
    'name="author" placeholder="Please enter your name here"><input name="email" placeholder='
    '"Email:*"><input name="url" placeholder="Website:"><label><input type="checkbox" name='
    '"consent"> Save my name, email, and website in this browser for the next time I comment.'
    '</label><input type="submit" value="Post Comment"></form></section>\n'
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
CALENDAR_START = 2026 * 12 - 60  # 2021-01 .. 2030-12, as months since year 0 (0-based)
MISSING = "/2020/01/01/missing-story-0/"
PDF_PATH = "/reports/q3-results.pdf"
XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class SiteInfo:
    """What :func:`generate_site` wrote; every path is a site path such as ``/business/``."""

    root: Path
    articles: list[str]
    old_articles: list[str]
    listing_pages: list[str]
    feeds: list[str]
    sitemaps: list[str]
    step: timedelta = field(default=timedelta(0))


@dataclass(slots=True)
class _Article:
    serial: int
    when: datetime
    section: str
    headline: str
    dek: str
    author: str
    tags: list[str]
    path: str


class Slots(dict):
    """Template values, drawn from ``rng`` only when a template asks for them."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key in POOLS:
            return r.choice(POOLS[key])
        if key == "Goods":
            return r.choice(GOODS).capitalize()
        template, high = NUMBERS[key]
        return template.format(r.randint(2, high), r.randint(1, 9))


ArticlePage = Callable[[_Article, list[_Article]], str | bytes]
"""Writes an article's page instead of the generated one: called with the article and the
(up to three, older) articles its page should link to as related."""


def fill(rng: random.Random, templates: tuple[str, ...]) -> str:
    """One of ``templates``, its slots filled from ``rng`` (bench/schemes.py draws alike)."""
    return rng.choice(templates).format_map(Slots(rng))


def paragraph(
    rng: random.Random, templates: Sequence[str], slots: dict[str, str], pick: int = 7
) -> str:
    """40 to 80 words: distinct sentences from ``pick`` of the ``templates`` (filled from
    ``slots``, emptied before each) until a target of 40-63 words is met."""
    target, words, sentences = rng.randint(40, 63), 0, []
    for template in rng.sample(templates, pick):
        if words >= target:
            break
        slots.clear()
        sentences.append(template.format_map(slots))
        words += sentences[-1].count(" ") + 1
    return " ".join(sentences)


def _rng(seed: int, serial: int) -> random.Random:
    return random.Random(seed * 1_000_003 + serial)


def _draw_meta(rng: random.Random) -> tuple[str, str, str, list[str]]:
    headline = fill(rng, HEADLINES).replace(" percent", "%")
    return headline, fill(rng, DEKS), rng.choice(AUTHORS), rng.sample(TAGS, rng.randint(2, 3))


def _make_article(serial: int, when: datetime, sections: tuple[str, ...], seed: int) -> _Article:
    headline, dek, author, tags = _draw_meta(_rng(seed, serial))
    slug = "-".join(_NON_ALNUM.sub(" ", headline.lower()).split()[:10])
    path = f"/{when:%Y/%m/%d}/{slug}-{serial}/"
    return _Article(
        serial, when, sections[serial % len(sections)], headline, dek, author, tags, path
    )


def iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _rfc822(when: datetime) -> str:
    return format_datetime(when.replace(microsecond=0))


def human(when: datetime) -> str:
    return f"{MONTH_NAMES[when.month - 1]} {when.day}, {when.year}, {when:%H:%M}"


def _label(section: str) -> str:
    return section.replace("-", " ").title()


def _link_list(articles: list[_Article]) -> str:
    items = "".join(
        f'<li><a href="{a.path}">{a.headline}</a> <time datetime="{iso(a.when)}">'
        f'{human(a.when)}</time><p class="excerpt">{a.dek}</p></li>\n'
        for a in articles
    )
    return f'<ul class="post-list">\n{items}</ul>\n'


def _pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    text = b"BT /F1 18 Tf 72 720 Td (Ledger Test Wire: Q3 results) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, xref = b"%PDF-1.4\n", b"xref\n0 6\n0000000000 65535 f \n"
    for number, body in enumerate(objects, 1):
        xref += b"%010d 00000 n \n" % len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    trailer = b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(out)
    return out + xref + trailer


class _Builder:
    """Writes the files of one site; holds the page furniture that every page shares."""

    def __init__(
        self,
        root: Path,
        sections: tuple[str, ...],
        per_page: int,
        base: str,
        seed: int,
        article_page: ArticlePage | None = None,
    ) -> None:
        self.root, self.sections, self.per_page, self.base = root, sections, per_page, base
        self.seed, self.article_page = seed, article_page
        self.made: set[Path] = set()
        links = "".join(f'<a href="/{s}/">{_label(s)}</a>' for s in sections)
        self.nav = f'<header><p class="logo">{SITE}</p><nav><a href="/">Home</a>{links}</nav>'
        self.nav += "</header>\n"
        self.footer = (
            f"<footer><p>&copy; {SITE}, a generated test site. All companies are invented.</p>"
            f'<p>{links}<a href="__BASE__/feed.xml">RSS</a><a href="__BASE__/atom.xml">Atom</a>'
            '<a href="/calendar/2026/01/">Events calendar</a></p></footer>\n'
        )

    def write(self, path: str, data: str | bytes) -> None:
        target = self.root / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        target.write_bytes(data.encode() if isinstance(data, str) else data)

    def page(self, title: str, og_type: str, body: str, head: str = "") -> str:
        return (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title} | {SITE}</title>\n<meta property="og:type" content="{og_type}">\n'
            f'<meta property="og:site_name" content="{SITE}">\n{head}{STYLE}</head>\n<body>\n'
            f"{self.nav}<main>\n{body}</main>\n{self.footer}</body>\n</html>\n"
        )

    def article_head(self, a: _Article) -> str:
        stamp, url = iso(a.when), f"__BASE__{a.path}"
        ld = (
            '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": '
            f'{json.dumps(a.headline)}, "datePublished": "{stamp}", "author": {{"@type": '
            f'"Person", "name": "{a.author}"}}, "mainEntityOfPage": "{url}"}}'
        )
        tags = "".join(f'<meta property="article:tag" content="{t}">\n' for t in a.tags)
        return (
            f'<link rel="canonical" href="{url}">\n<meta property="og:url" content="{url}">\n'
            f'<meta property="og:title" content="{a.headline}">\n'
            f'<meta name="description" content="{a.dek}">\n'
            f'<meta name="author" content="{a.author}">\n'
            f'<meta property="article:published_time" content="{stamp}">\n'
            f'<meta property="article:section" content="{_label(a.section)}">\n{tags}'
            f'<script type="application/ld+json">{ld}</script>\n'
        )

    def article_body(self, a: _Article, related: list[_Article], rng: random.Random) -> str:
        paragraphs = "".join(
            f"<p>{paragraph(rng, SENTENCES, Slots(rng))}</p>\n" for _ in range(rng.randint(5, 9))
        )
        return (
            f'<article class="post">\n<h1 class="entry-title">{a.headline}</h1>\n'
            f'<p class="dek">{a.dek}</p>\n<p class="byline">By {a.author} | '
            f'<time datetime="{iso(a.when)}">{human(a.when)}</time></p>\n'
            f'<div class="entry-content">\n{paragraphs}</div>\n</article>\n'
            f"{self.furniture(a, related)}"
        )

    def furniture(self, a: _Article, related: list[_Article]) -> str:
        links = [f'<li><a href="{r.path}">{r.headline}</a></li>' for r in related]
        if related:
            first = related[0]
            links[0] = f'<li><a href="{first.path}?utm_source=related&amp;utm_medium=web">'
            links[0] += f"{first.headline}</a></li>"
        tags = " ".join(f'<a href="/tag/{t}/">{t}</a>' for t in a.tags)
        return (
            f'<aside class="author-box"><p><strong>{a.author}</strong> covers companies and '
            f"markets for {SITE}. Send tips to the business desk.</p></aside>\n"
            f'<section class="related"><h2>Related</h2><ul>{"".join(links)}</ul></section>\n'
            f'<p class="tags">Tags: {tags}</p>\n<p class="more">Earlier: <a href="{MISSING}">'
            f'Archive story</a> | <a href="{PDF_PATH}">Download the Q3 results (PDF)</a></p>\n'
            f'<p class="share">Share: <a href="mailto:?body=__BASE__{a.path}">Email</a></p>\n'
            f"{COMMENTS}{SIDEBAR}"
        )

    def write_article(self, a: _Article, oldest_first: list[_Article]) -> None:
        related = _related(a, oldest_first, random.Random(self.seed * 1_000_003 - a.serial))
        if self.article_page is not None:  # the caller writes the page (bench/realsite.py)
            self.write(a.path, self.article_page(a, related))
            return
        rng = _rng(self.seed, a.serial)
        _draw_meta(rng)  # replay the draws made for the metadata, then write the text
        body = self.article_body(a, related, rng)
        self.write(a.path, self.page(a.headline, "article", body, self.article_head(a)))

    def write_listing(self, section: str, articles: list[_Article]) -> list[str]:
        chunks = [articles[i : i + self.per_page] for i in range(0, len(articles), self.per_page)]
        paths = [f"/{section}/"] + [f"/{section}/page/{k}/" for k in range(2, len(chunks) + 1)]
        for k, chunk in enumerate(chunks or [[]]):
            head, pager = "", ""
            if k + 1 < len(paths):
                head = f'<link rel="next" href="__BASE__{paths[k + 1]}">\n'
                pager += f'<a class="next" href="{paths[k + 1]}">Older posts</a> '
            if k > 0:
                head += f'<link rel="prev" href="__BASE__{paths[k - 1]}">\n'
                pager += f'<a class="prev" href="{paths[k - 1]}">Newer posts</a>'
            body = f'<h1>{_label(section)}</h1>\n{_link_list(chunk)}<p class="pager">{pager}</p>\n'
            self.write(
                paths[k], self.page(f"{_label(section)} page {k + 1}", "website", body, head)
            )
        return paths

    def write_home(self, articles: list[_Article]) -> None:
        head = (
            '<link rel="alternate" type="application/rss+xml" href="__BASE__/feed.xml">\n'
            '<link rel="alternate" type="application/atom+xml" href="__BASE__/atom.xml">\n'
        )
        body = (
            f"<h1>Latest business news</h1>\n{_link_list(articles[:20])}"
            '<p><a href="/calendar/2026/01/">Events calendar</a> | '
            '<a href="/private/reports/">Subscriber reports</a></p>\n'
        )
        self.write("/", self.page("Business news", "website", body, head))

    def write_tags(self, articles: list[_Article]) -> None:
        by_tag: dict[str, list[_Article]] = {t: [] for t in TAGS}
        for a in articles:
            for t in a.tags:
                if len(by_tag[t]) < 10:
                    by_tag[t].append(a)
        for tag, tagged in by_tag.items():
            body = f"<h1>Tag: {tag}</h1>\n{_link_list(tagged)}"
            self.write(f"/tag/{tag}/", self.page(f"Tag: {tag}", "website", body))

    def write_calendar(self) -> None:
        for k in range(CALENDAR_START, CALENDAR_START + 120):
            links = [self.month_link(k, "This month")]
            if k > CALENDAR_START:
                links.append(self.month_link(k - 1, "Previous month"))
            if k < CALENDAR_START + 119:
                links.append(self.month_link(k + 1, "Next month"))
            year, month = divmod(k, 12)
            title = f"Events calendar: {MONTH_NAMES[month]} {year}"
            body = f"<h1>{title}</h1>\n<p>No events scheduled.</p>\n<p>{' | '.join(links)}</p>\n"
            self.write(f"/calendar/{year}/{month + 1:02d}/", self.page(title, "website", body))

    @staticmethod
    def month_link(k: int, label: str) -> str:
        path = f"/calendar/{k // 12}/{k % 12 + 1:02d}/"
        return f'<a href="{path}">{label}</a> (<a href="{path}?view=week">week view</a>)'

    def write_fixed(self, crawl_delay: float | None) -> None:
        delay = "" if crawl_delay is None else f"Crawl-delay: {crawl_delay:g}\n"
        robots = f"User-agent: *\nDisallow: /private/\n{delay}Sitemap: __BASE__/sitemap_index.xml\n"
        self.write("/robots.txt", robots)
        body = "<h1>Subscriber reports</h1>\n<p>PRIVATE-CANARY: not for crawlers.</p>\n"
        self.write("/private/reports/", self.page("Subscriber reports", "website", body))
        self.write(PDF_PATH, _pdf())

    def write_rss(self, articles: list[_Article], now: datetime) -> None:
        items = "".join(
            f"<item><title>{escape(a.headline)}</title><link>__BASE__{a.path}</link>"
            f'<guid isPermaLink="true">__BASE__{a.path}</guid><pubDate>{_rfc822(a.when)}'
            f"</pubDate><description>{escape(a.dek)}</description></item>\n"
            for a in articles
        )
        head = f"<title>{SITE}</title><link>__BASE__/</link><description>Latest business news"
        head += f"</description><lastBuildDate>{_rfc822(now)}</lastBuildDate>\n"
        self.write(
            "/feed.xml", f'{XML}<rss version="2.0"><channel>\n{head}{items}</channel></rss>\n'
        )

    def write_atom(self, articles: list[_Article], now: datetime) -> None:
        entries = "".join(
            f'<entry><title>{escape(a.headline)}</title><link rel="alternate" '
            f'href="__BASE__{a.path}"/><id>__BASE__{a.path}</id><updated>{iso(a.when)}</updated>'
            f"<published>{iso(a.when)}</published><author><name>{a.author}</name></author>"
            f"<summary>{escape(a.dek)}</summary></entry>\n"
            for a in articles
        )
        head = f'<title>{SITE}</title><id>__BASE__/atom.xml</id><link rel="self" '
        head += f'href="__BASE__/atom.xml"/><updated>{iso(now)}</updated>\n'
        self.write("/atom.xml", f'{XML}<feed xmlns="{ATOM_NS}">\n{head}{entries}</feed>\n')

    def write_sitemaps(self, articles: list[_Article], news: list[_Article]) -> list[str]:
        paths = []
        for start in range(0, max(len(articles), 1), 1000):
            urls = "".join(
                f"<url><loc>{self.base}{a.path}</loc><lastmod>{iso(a.when)}</lastmod></url>\n"
                for a in articles[start : start + 1000]
            )
            paths.append(f"/sitemaps/articles-{start // 1000 + 1}.xml.gz")
            xml = f'{XML}<urlset xmlns="{SM_NS}">\n{urls}</urlset>\n'.encode()
            self.write(paths[-1], gzip.compress(xml, compresslevel=6, mtime=0))
        paths.append("/news-sitemap.xml")
        entries = "".join(f"<sitemap><loc>__BASE__{p}</loc></sitemap>\n" for p in paths)
        entries += "</sitemapindex>\n"
        self.write("/sitemap_index.xml", f'{XML}<sitemapindex xmlns="{SM_NS}">\n{entries}')
        self.write_news(news)
        return ["/sitemap_index.xml", *paths]

    def write_news(self, news: list[_Article]) -> None:
        pub = f"<news:publication><news:name>{SITE}</news:name><news:language>en</news:language>"
        urls = "".join(
            f"<url><loc>__BASE__{a.path}</loc><news:news>{pub}</news:publication>"
            f"<news:publication_date>{iso(a.when)}</news:publication_date>"
            f"<news:title>{escape(a.headline)}</news:title></news:news></url>\n"
            for a in news
        )
        urlset = f'<urlset xmlns="{SM_NS}" xmlns:news="{NEWS_NS}">'
        self.write("/news-sitemap.xml", f"{XML}{urlset}\n{urls}</urlset>\n")


def _related(a: _Article, oldest_first: list[_Article], rng: random.Random) -> list[_Article]:
    """Three recent articles older than ``a``; an old article gets the three oldest recent."""
    if not oldest_first:
        return []
    older = a.serial - oldest_first[0].serial  # how many recent articles are older than a
    if older < 0:
        return oldest_first[:3]
    if older <= 3:
        return oldest_first[:older][::-1]
    return [oldest_first[i] for i in rng.sample(range(older), 3)]


def newsdesk_toml(
    base: str,
    *,
    settings: str = "download_delay = 0.0",
    sections: bool = True,
    sitemaps: bool = False,
    source: str = "",
) -> str:
    """A newsdesk.toml that follows the generated site at ``base`` as the source "wire"
    (its two sections, and with ``sitemaps`` its sitemap index). ``settings`` are the
    lines before the source: top-level keys, then any table such as ``[cluster]``;
    ``source`` holds more keys of the source's own table."""
    lines = [settings, "[[sources]]", 'name = "wire"', f'homepage = "{base}/"']
    if sections:
        lines.append(f'sections = ["{base}/business/", "{base}/markets/"]')
    if sitemaps:
        lines.append(f'sitemaps = ["{base}/sitemap_index.xml"]')
    lines.append("article_patterns = ['/\\d{4}/\\d{2}/\\d{2}/[^/]+/$']")
    lines.append("allow_private_address = true")
    return "\n".join([*lines, source]).rstrip("\n") + "\n"


def generate_site(
    root: Path,
    n_articles: int = 2000,
    *,
    now: datetime,
    base: str,
    span_hours: float = 48.0,
    n_old: int = 0,
    per_page: int = 20,
    sections: tuple[str, ...] = ("business", "markets"),
    crawl_delay: float | None = None,
    seed: int = 7,
    step_minutes: float | None = None,
    article_page: ArticlePage | None = None,
) -> SiteInfo:
    """Write the site into ``root`` (overwriting, removing nothing) and describe it.

    Recent article ``i`` (0 = newest) is published at ``now - i * step``; its serial number
    is ``n_old + n_articles - i``. The ``n_old`` old articles (serials 1..n_old) are dated
    10 to 30 days before ``now`` and appear only in the gzipped sitemaps. With
    ``article_page``, each article's page is what it returns (listings, feeds and sitemaps
    stay generated).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    minutes = span_hours * 60 / max(n_articles, 1) if step_minutes is None else step_minutes
    step = timedelta(minutes=minutes)
    recent = [
        _make_article(n_old + n_articles - i, now - step * i, sections, seed)
        for i in range(n_articles)
    ]
    anchor = now - step * n_articles + timedelta(hours=span_hours)  # == now by default
    old = [
        _make_article(j, _old_time(anchor, j, n_old), sections, seed) for j in range(n_old, 0, -1)
    ]
    builder = _Builder(root, sections, per_page, base.rstrip("/"), seed, article_page)
    listing, sitemaps = _write_all(builder, recent, old, now, crawl_delay)
    paths, old_paths = [a.path for a in recent], [a.path for a in old]
    feeds = ["/feed.xml", "/atom.xml"]
    return SiteInfo(root, paths + old_paths, old_paths, listing, feeds, sitemaps, step)


def _write_all(
    b: _Builder,
    recent: list[_Article],
    old: list[_Article],
    now: datetime,
    crawl_delay: float | None,
) -> tuple[list[str], list[str]]:
    """Write every file; return the listing pages and the sitemaps."""
    oldest_first = recent[::-1]
    for a in recent + old:
        b.write_article(a, oldest_first)
    by_section = {s: [a for a in recent if a.section == s] for s in b.sections}
    listing = [p for s, articles in by_section.items() for p in b.write_listing(s, articles)]
    b.write_home(recent)
    b.write_tags(recent)
    b.write_calendar()
    b.write_fixed(crawl_delay)
    b.write_rss(by_section[b.sections[0]][:50], now)
    b.write_atom(by_section[b.sections[min(1, len(b.sections) - 1)]][:50], now)
    news = [a for a in recent if a.when > now - timedelta(hours=48)]
    return listing, b.write_sitemaps(recent + old, news)


def _old_time(anchor: datetime, serial: int, n_old: int) -> datetime:
    """Serial 1 (the oldest) is 30 days older than ``anchor``, serial ``n_old`` 10 days."""
    age = timedelta(days=10) + timedelta(days=20) * (n_old - serial) / max(n_old - 1, 1)
    return (anchor - age).replace(second=0, microsecond=0)


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.site OUT_DIR [--articles N] [--old N] [--serve]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.site", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--old", type=int, default=0)
    parser.add_argument("--serve", action="store_true", help="serve the site until Ctrl-C")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    if not args.serve:
        _generate_and_report(args, "http://127.0.0.1:8000")
        return
    from crawler.siteserver import serve_site

    with serve_site(args.out_dir) as server:
        _generate_and_report(args, server.base_url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped")


def _generate_and_report(args: argparse.Namespace, base: str) -> None:
    now = datetime.now().astimezone().replace(microsecond=0)
    started = time.perf_counter()
    info = generate_site(args.out_dir, args.articles, now=now, base=base, n_old=args.old)
    print(
        f"base {base}/ root {info.root}: {len(info.articles)} articles "
        f"({len(info.old_articles)} old), {len(info.listing_pages)} listing pages, "
        f"{len(info.sitemaps)} sitemaps, in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
