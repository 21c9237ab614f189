"""An article's metadata from what the page declares: JSON-LD, OpenGraph, meta tags, and
the visible byline and <time> as a last resort.

Publishers fill JSON-LD and OpenGraph in for search engines and social cards, so those
carry the headline without the site's suffix and the publication time with its offset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "blogposting",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "liveblogposting",
        "report",
        "techarticle",
    }
)
# Bylines that name a desk, a wire service or the newsroom rather than a person.
CREDIT = re.compile(
    r"\b(desk|staff|team|bureau|newsroom|editorial|editors?|wire|agenc(y|ies)|report|reporters"
    r"|correspondents?|news\s+service|web\s+news)\b"
    r"|^(reuters|ap|associated\s+press|afp|agence\s+france-presse|app|pti|ani|ians|bloomberg"
    r"|xinhua|dpa|efe|ansa|nni|online|inp|upi|kyodo|yonhap|tass|anadolu|bernama|press\s+trust"
    r"\s+of\s+india|the\s+associated\s+press)$",
    re.IGNORECASE,
)
BYLINE_LABEL = re.compile(
    r"^\s*(written\s+|posted\s+|reported\s+|words\s+)?(by|from|author)\s*:?\s+", re.IGNORECASE
)
TITLE_SEPARATORS = re.compile(r"(\s+(?:\||-|–|—|::|·|»)\s+)")
STANDFIRST_CLASSES = re.compile(
    r"(^|[-_ ])(standfirst|subtitle|sub-title|subheadline|sub-headline|dek|deck|excerpt|lede"
    r"|summary|strapline|kicker-text|title-sub|post-sub-title|article-sub)([-_ ]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    standfirst: str | None = None
    authors: tuple[str, ...] = ()
    credit: str | None = None
    published: str | None = None  # UTC ISO 8601, or a bare date
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
    extra: dict[str, Any] = field(default_factory=dict)


def read_metadata(tree: Any) -> Metadata:
    """Everything the page says about itself; fields it does not say stay None or empty."""
    meta = _MetaTags(tree)
    ld = next(_ld_articles(tree), {})
    site = meta.get("og:site_name", "application-name") or _ld_name(ld.get("publisher"))
    visible = _visible_byline(tree)
    declared = _ld_people(ld.get("author")) or meta.all(
        "author", "article:author", "parsely-author"
    )
    authors, credit = split_byline(declared or visible)
    if not credit and declared:  # "By Ann Lee, Business Desk" on the page, Ann Lee in JSON-LD
        credit = split_byline(visible)[1]
    return Metadata(
        title=_title(ld, meta, tree, site),
        standfirst=_standfirst(tree),
        authors=authors,
        credit=credit,
        published=to_utc(
            _text(ld.get("datePublished"))
            or meta.get(
                "article:published_time",
                "og:published_time",
                "datePublished",
                "pubdate",
                "publish-date",
                "date",
            )
            or _time_element(tree)
        ),
        modified=to_utc(
            _text(ld.get("dateModified"))
            or meta.get("article:modified_time", "og:updated_time", "dateModified")
        ),
        language=_language(tree, meta),
        site_name=site,
        image=meta.get("og:image", "twitter:image") or _ld_image(ld.get("image")),
        tags=_unique(
            meta.all("article:tag", "news_keywords", "keywords") + _ld_list(ld.get("keywords"))
        ),
        categories=_unique(meta.all("article:section") + _ld_list(ld.get("articleSection"))),
        canonical=_first_attr(tree, "//link[@rel='canonical']/@href") or meta.get("og:url"),
        og_type=(meta.get("og:type") or "").lower() or None,
        ld_article=bool(ld),
        paywalled=str(ld.get("isAccessibleForFree", "")).lower() in ("false", "no", "0"),
    )


class _MetaTags:
    """<meta> values by property or name, first non-empty wins."""

    def __init__(self, tree: Any) -> None:
        self.values: dict[str, list[str]] = {}
        for node in tree.iter("meta"):
            key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
            value = " ".join((node.get("content") or "").split())
            if key and value:
                self.values.setdefault(key, []).append(value)

    def get(self, *names: str) -> str | None:
        return next((self.values[n][0] for n in names if n in self.values), None)

    def all(self, *names: str) -> list[str]:
        found = [v for n in names for v in self.values.get(n, [])]
        return [part.strip() for v in found for part in v.split(",") if part.strip()]


def _title(ld: dict[str, Any], meta: _MetaTags, tree: Any, site: str | None) -> str | None:
    declared = _text(ld.get("headline")) or meta.get("og:title", "twitter:title")
    if declared:
        return clean_title(declared, site)
    return _first_text(tree, "//h1") or clean_title(_first_text(tree, "//title"), site, guess=True)


def clean_title(title: str | None, site: str | None, *, guess: bool = False) -> str | None:
    """The headline without a trailing or leading site name ("… | CBC News"). With
    ``guess``, a short last part after a separator is taken for the site's name."""
    if not title:
        return None
    pieces = TITLE_SEPARATORS.split(" ".join(title.split()))  # part, separator, part, ...
    if len(pieces) < 3:
        return pieces[0]
    site_key = _key(site or "")
    last_is_short = len(pieces[-1].split()) <= 3 and len("".join(pieces[:-2]).split()) >= 4
    if _looks_like_site(pieces[-1], site_key) or (guess and last_is_short):
        pieces = pieces[:-2]
    elif _looks_like_site(pieces[0], site_key):
        pieces = pieces[2:]
    return "".join(pieces).strip()


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def _looks_like_site(part: str, site_key: str) -> bool:
    key = _key(part)
    return bool(site_key) and bool(key) and (key in site_key or site_key in key)


def split_byline(names: list[str]) -> tuple[tuple[str, ...], str | None]:
    """People apart from a desk or agency credit: ["By Ann Lee, Reuters"] -> (Ann Lee,), Reuters."""
    people: list[str] = []
    credit = None
    for raw in names:
        text = BYLINE_LABEL.sub("", " ".join(raw.split()))
        text = re.sub(
            r"\S+@\S+|\bfollow\b.*$|\|.*$|\b(updated|published)\b.*$", "", text, flags=re.I
        )
        for part in re.split(r",|;|\s+and\s+|\s+&\s+|\s+with\s+", text):
            name = part.strip(" .·-–—:")
            if not name or len(name) > 60 or re.search(r"\d|://|^www\.", name):
                continue
            if CREDIT.search(name):
                credit = credit or name
            elif name not in people:
                people.append(name)
    return tuple(people), credit


def to_utc(value: str | None) -> str | None:
    """An ISO 8601 timestamp with an offset as UTC; without one, as written; a bare date stays."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        match = re.match(r"\d{4}-\d{2}-\d{2}", text)
        return match.group(0) if match else None
    if len(text) == 10:
        return text
    if moment.tzinfo is None:
        return moment.isoformat(timespec="seconds")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


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
        yield from _walk(data.get("mainEntity", []))


def _is_article(obj: dict[str, Any]) -> bool:
    types = obj.get("@type", [])
    types = [types] if isinstance(types, str) else types
    return any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types)


def is_article_type(og_type: str | None, ld_article: bool) -> bool | None:
    """True, False, or None when the page does not say."""
    if ld_article or og_type == "article":
        return True
    return False if og_type else None


def _ld_people(value: Any) -> list[str]:
    people = value if isinstance(value, list) else [value]
    return [n for n in (_ld_name(p) for p in people) if n]


def _ld_name(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _ld_image(value: Any) -> str | None:
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return _text(first.get("url") or first.get("contentUrl"))
    return _text(first)


def _ld_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return (
        [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if isinstance(value, list)
        else []
    )


def _text(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _first_text(tree: Any, xpath: str) -> str | None:
    for node in tree.xpath(xpath):
        text = " ".join(node.text_content().split())
        if text:
            return text
    return None


def _first_attr(tree: Any, xpath: str) -> str | None:
    values = [str(v).strip() for v in tree.xpath(xpath) if str(v).strip()]
    return values[0] if values else None


def _visible_byline(tree: Any) -> list[str]:
    for xpath in (
        "//*[contains(@class, 'byline')]",
        "//*[contains(@class, 'author') and not(contains(@class, 'box'))"
        " and not(contains(@class, 'bio')) and not(self::meta)]",
        "//*[@rel='author'] | //*[@itemprop='author']",
    ):
        for node in tree.xpath(xpath):
            text = " ".join(node.text_content().split())
            if text and len(text) < 120:
                return [text]
    return []


def _time_element(tree: Any) -> str | None:
    return _first_attr(
        tree, "//time[@itemprop='datePublished']/@datetime | //time[@datetime]/@datetime"
    )


def _standfirst(tree: Any) -> str | None:
    for node in tree.xpath("//*[@class][self::p or self::div or self::h2 or self::span]"):
        if STANDFIRST_CLASSES.search(node.get("class", "")):
            text = " ".join(node.text_content().split())
            if 8 <= len(text.split()) <= 80:
                return text
    return None


def _language(tree: Any, meta: _MetaTags) -> str | None:
    lang = _first_attr(tree, "/html/@lang") or meta.get("og:locale", "content-language", "language")
    return re.split(r"[-_]", lang)[0].lower() if lang else None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
