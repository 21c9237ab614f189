"""From a stored page to an article: trafilatura for the text, page metadata for the rest.

trafilatura finds the article body and drops navigation, comments and boxes around it.
Its title is often the <title> with the site's suffix and its date has no time of day,
so title, date and author come first from the page's JSON-LD and OpenGraph data, which
publishers fill in for search engines, and from trafilatura only when those are absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import lxml.html
import trafilatura

from digest.urls import canonical_url

MIN_WORDS = 60
ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "opinionnewsarticle",
    "backgroundnewsarticle",
}


@dataclass(frozen=True)
class Extracted:
    """What extraction made of one page; ``is_article`` False carries the ``reason``."""

    url: str
    title: str | None
    author: str | None
    published_at: str | None
    language: str | None
    site_name: str | None
    text: str
    is_article: bool
    reason: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at,
            "language": self.language,
            "site_name": self.site_name,
            "text": self.text,
        }


def extract(html: str, url: str) -> Extracted:
    """Extract the article of one page (decoded HTML text, never raw bytes)."""
    tree = lxml.html.fromstring(html)
    meta = _page_metadata(tree)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        favor_precision=True,
        with_metadata=True,
    )
    text = _clean_text(doc.text if doc is not None and doc.text else "")
    fields = {
        "url": canonical_url(url, meta.get("canonical") or (doc.url if doc else None)),
        "title": meta.get("title") or (doc.title if doc else None),
        "author": (doc.author if doc else None) or meta.get("author"),
        "published_at": meta.get("published") or _day(doc.date if doc else None),
        "language": meta.get("language") or (doc.language if doc else None),
        "site_name": meta.get("site_name") or (doc.sitename if doc else None),
        "text": text,
    }
    reason = _not_article_reason(meta, text)
    return Extracted(**fields, is_article=reason is None, reason=reason)


def _not_article_reason(meta: dict[str, Any], text: str) -> str | None:
    og_type = (meta.get("og_type") or "").lower()
    if og_type and og_type != "article" and not meta.get("ld_article"):
        return f"not an article page (og:type {og_type})"
    words = len(text.split())
    if words < MIN_WORDS:
        return f"too short ({words} words; an article needs {MIN_WORDS})"
    return None


def _clean_text(text: str) -> str:
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _page_metadata(tree: Any) -> dict[str, Any]:
    """Title, dates, author, site name, canonical URL and type from meta tags and JSON-LD."""

    def meta(*names: str) -> str | None:
        for name in names:
            for value in tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content"):
                if value.strip():
                    return str(value).strip()
        return None

    ld = next(_ld_articles(tree), {})
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    lang = tree.xpath("/html/@lang")
    return {
        "og_type": meta("og:type"),
        "ld_article": bool(ld),
        "title": _text(ld.get("headline")) or meta("og:title", "twitter:title"),
        "published": _utc(_text(ld.get("datePublished")) or meta("article:published_time")),
        "author": _ld_author(ld.get("author")) or meta("author", "article:author"),
        "site_name": meta("og:site_name"),
        "canonical": str(canonical[0]).strip() if canonical else meta("og:url"),
        "language": str(lang[0]).split("-")[0].lower() if lang and lang[0].strip() else None,
    }


def _ld_articles(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        yield from (obj for obj in _walk(data) if _is_article(obj))


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph", []))


def _is_article(obj: dict[str, Any]) -> bool:
    types = obj.get("@type", [])
    types = [types] if isinstance(types, str) else types
    return any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types)


def _ld_author(value: Any) -> str | None:
    people = value if isinstance(value, list) else [value]
    names = [_text(p.get("name") if isinstance(p, dict) else p) for p in people]
    joined = ", ".join(n for n in names if n)
    return joined or None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _utc(value: str | None) -> str | None:
    """An ISO 8601 timestamp with an offset, as UTC; a bare date stays a date."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return _day(value)
    if stamp.tzinfo is None:
        return stamp.isoformat(timespec="seconds")
    return stamp.astimezone(UTC).isoformat(timespec="seconds")


def _day(value: str | None) -> str | None:
    match = re.match(r"\d{4}-\d{2}-\d{2}", value or "")
    return match.group(0) if match else None


def benchmark_entry(html: str, url: str) -> dict[str, Any]:
    """Adapter for ../shared/tools/extraction_score.py."""
    result = extract(html, url)
    return {
        "title": result.title,
        "text": result.text,
        "author": result.author,
        "date": result.published_at,
    }
