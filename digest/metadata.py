"""An article's metadata from what the page declares: JSON-LD, OpenGraph, meta tags, and
the visible headline, byline and <time>.

Publishers fill JSON-LD and OpenGraph in for search engines and social cards, so those
carry the publication time with its offset. Each field has one reader: the headline and
standfirst in ``digest.titles``, the people in ``digest.bylines``, the dates in
``digest.dates``; this module puts them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from digest import dates
from digest.bylines import authors
from digest.pagetags import MetaTags, first_attr, ld_articles, ld_name, text
from digest.titles import headline, standfirst


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    standfirst: str | None = None
    authors: tuple[str, ...] = ()
    credit: str | None = None
    published: str | None = None  # ISO 8601 with the page's own offset, or a bare date
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    canonical: str | None = None
    og_type: str | None = None
    ld_article: bool = False
    paywalled: bool = False


def read_metadata(tree: Any) -> Metadata:
    """Everything the page says about itself; fields it does not say stay None or empty."""
    tags = MetaTags(tree)
    ld = next(ld_articles(tree), {})
    site = tags.get("og:site_name", "application-name") or ld_name(ld.get("publisher"))
    people, credit = authors(tree, ld, tags)
    title = headline(tree, ld, tags, site)
    return Metadata(
        title=title,
        standfirst=standfirst(tree, ld, tags),
        authors=people,
        credit=credit,
        published=dates.published(tree, ld, tags, title),
        modified=dates.modified(tree, ld, tags),
        language=_language(tree, tags),
        site_name=site,
        image=tags.get("og:image", "twitter:image") or _ld_image(ld.get("image")),
        tags=_unique(
            tags.all("article:tag", "news_keywords", "keywords") + _ld_list(ld.get("keywords"))
        ),
        categories=_unique(tags.all("article:section") + _ld_list(ld.get("articleSection"))),
        canonical=first_attr(tree, "//link[@rel='canonical']/@href") or tags.get("og:url"),
        og_type=(tags.get("og:type") or "").lower() or None,
        ld_article=bool(ld),
        paywalled=str(ld.get("isAccessibleForFree", "")).lower() in ("false", "no", "0"),
    )


def _ld_image(value: Any) -> str | None:
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return text(first.get("url") or first.get("contentUrl"))
    return text(first)


def _ld_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return (
        [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if isinstance(value, list)
        else []
    )


def _language(tree: Any, meta: MetaTags) -> str | None:
    lang = first_attr(tree, "/html/@lang") or meta.get("og:locale", "content-language", "language")
    return re.split(r"[-_]", lang)[0].lower() if lang else None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
