"""From a stored page to an article: one function, ``extract(html, url, rules)``.

1. The source's own rules first: CSS selectors to drop, or the one that holds the body.
2. trafilatura finds the body with the settings that measured best on real news pages
   (comments never in the body, precision favoured); when that keeps a short text, it
   runs again without favouring precision and takes that text if it is more than twice
   as long (or the precise pass kept almost nothing).
3. ``digest.furniture`` recovers a body that trafilatura found only half of, drops the
   lines of another story on the page, and takes out what trafilatura lets through.
4. Metadata comes from the page's own declarations (``digest.metadata``), with
   trafilatura's guesses only where the page declares nothing.
5. A quality gate says why a page is not published as an article.

Pages come in as decoded text, never raw bytes: trafilatura would decompress bytes
without a limit.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import trafilatura
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from digest import dates
from digest.bylines import split_byline
from digest.config import Rules
from digest.furniture import clean_body, drop_other_stories, recover_split_body
from digest.metadata import Metadata, read_metadata
from digest.pagetags import is_article_type
from digest.urls import canonical_url

MIN_WORDS = 80  # fewer words than this is a brief, a teaser or a stub, not an article
TEASER_WORDS = 150  # a paywalled page with fewer words shows only its opening
RETRY_BELOW_WORDS = 30  # the precise pass kept (almost) nothing: try the plain one
CHECK_BELOW_WORDS = 150  # a precise pass this short may have cut the body: check it
CUT_RATIO = 2.0  # the plain pass found this many times the words: the precise one cut
# A listing (section, tag, home page) read as a body is a list of headlines: at least this
# many of the page's headline links (4 words or more) are in the text, and their words are
# this share of it. An article's related-story lines stay well under.
LISTING_LINKS = 3
LISTING_SHARE = 0.3
HEADLINE_WORDS = 4
PAYWALL = re.compile(
    r"subscribe\s+to\s+(continue|keep)\s+reading|you\s+have\s+reached\s+your\s+limit"
    r"|this\s+(article|content)\s+is\s+for\s+subscribers|already\s+a\s+subscriber",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Extracted:
    """What newsdesk keeps of one page; ``is_article`` False carries the ``reason``."""

    url: str
    title: str | None
    standfirst: str | None
    text: str
    authors: tuple[str, ...]
    credit: str | None
    published_at: str | None  # UTC
    published_local: str | None  # as the page states it, with its own UTC offset
    modified_at: str | None
    language: str | None
    site_name: str | None
    image_url: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    is_article: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def extract(html: str, url: str, rules: Rules | None = None) -> Extracted:
    """Extract the article of one page (decoded HTML text)."""
    tree = load_html(html)
    if tree is None:
        return _empty(url, "no HTML in the page")
    meta = read_metadata(tree)
    body = _apply_rules(tree, rules or Rules())
    text = _body_text(body, url)
    if text is None:
        return _empty(url, "no article text found", meta)
    recovered = recover_split_body(body, text) if body is tree else None
    paywalled = meta.paywalled or bool(PAYWALL.search(text))
    text = drop_other_stories(body, recovered or text, meta.title)
    text = clean_body(text, title=meta.title, standfirst=meta.standfirst)
    meta = _fill_gaps(meta, tree, url)
    reason = _verdict(meta, text, paywalled=paywalled) or _listing(meta, text, tree)
    return _result(url, meta, text, reason)


def _apply_rules(tree: Any, rules: Rules) -> Any:
    for selector in rules.drop_selectors:
        for node in tree.cssselect(selector):
            if node.getparent() is not None:
                node.drop_tree()
    if rules.body_selector:
        found = tree.cssselect(rules.body_selector)
        if found:
            return found[0]
    return tree


def _body_text(tree: Any, url: str) -> str | None:
    """The precise pass; the plain one instead when the precise pass kept (almost)
    nothing, or kept a short text of which the plain pass finds more than twice as much
    (favouring precision then dropped paragraphs of the body, not furniture)."""
    text = _trafilatura(tree, url, favor_precision=True)
    words = len((text or "").split())
    if words >= CHECK_BELOW_WORDS:
        return text
    plain = _trafilatura(tree, url, favor_precision=False)
    if words < RETRY_BELOW_WORDS:
        return plain or text
    return plain if len((plain or "").split()) > CUT_RATIO * words else text


def _trafilatura(tree: Any, url: str, *, favor_precision: bool) -> str | None:
    return trafilatura.extract(
        tree,
        url=url,
        include_comments=False,
        favor_precision=favor_precision,
        with_metadata=False,
        deduplicate=False,
    )


def _fill_gaps(meta: Metadata, tree: Any, url: str) -> Metadata:
    """trafilatura's metadata guesses (htmldate for the date: the costly part), only when
    the page declares no title or no date."""
    if meta.title and meta.published:
        return meta
    guessed = extract_metadata(tree, default_url=url)
    authors, credit = meta.authors, meta.credit
    if not authors and not credit and guessed.author:
        authors, credit = split_byline([guessed.author])
    return replace(
        meta,
        title=meta.title or guessed.title,
        published=meta.published or dates.normalise(guessed.date),
        authors=authors,
        credit=credit,
        site_name=meta.site_name or guessed.sitename,
    )


def _verdict(meta: Metadata, text: str, *, paywalled: bool) -> str | None:
    """Why this page is not published as an article, or None when it is one."""
    declared = is_article_type(meta.og_type, meta.ld_article)
    if declared is False:
        return f"not an article page (og:type {meta.og_type})"
    if declared is None and not meta.published:  # before the length: a brief is an article
        return "not an article: no article markup and no publication date"
    words = len(text.split())
    if words < TEASER_WORDS and paywalled:
        return f"teaser or paywall only ({words} words)"
    if words < MIN_WORDS:
        return f"too short ({words} words; an article needs {MIN_WORDS})"
    return None


def headline_links(tree: Any) -> set[str]:
    """The texts of the page's links that read like headlines (``HEADLINE_WORDS`` words
    or more), spaces normalised."""
    found = set()
    for anchor in tree.iter("a"):
        words = anchor.text_content().split()
        if len(words) >= HEADLINE_WORDS:
            found.add(" ".join(words))
    return found


def _listing(meta: Metadata, text: str, tree: Any) -> str | None:
    """Why a page that does not declare itself an article reads as a listing of other
    pages' headlines, or None. A page that declares itself one is not read again."""
    if is_article_type(meta.og_type, meta.ld_article):
        return None
    headlines = headline_links(tree)
    flat = " ".join(text.split())
    inside = [h for h in headlines if h in flat]
    linked = sum(len(h.split()) for h in inside)
    words = len(flat.split())
    if len(inside) >= LISTING_LINKS and linked >= LISTING_SHARE * words:
        return f"a listing: {len(inside)} headline links make {linked} of its {words} words"
    return None


def _result(url: str, meta: Metadata, text: str, reason: str | None) -> Extracted:
    return Extracted(
        url=canonical_url(url, meta.canonical),
        title=meta.title,
        standfirst=meta.standfirst,
        text=text,
        authors=meta.authors,
        credit=meta.credit,
        published_at=dates.to_utc(meta.published),
        published_local=meta.published,
        modified_at=dates.to_utc(meta.modified),
        language=meta.language,
        site_name=meta.site_name,
        image_url=meta.image,
        tags=meta.tags,
        categories=meta.categories,
        is_article=reason is None,
        reason=reason,
    )


def _empty(url: str, reason: str, meta: Metadata | None = None) -> Extracted:
    return _result(url, meta or Metadata(), "", reason)


def benchmark_entry(html: str, url: str) -> dict[str, Any]:
    """Adapter for ../shared/tools/extraction_score.py."""
    result = extract(html, url)
    author = ", ".join(result.authors) or result.credit
    return {
        "title": result.title,
        "text": result.text,
        "author": author,
        "date": result.published_local,
    }
