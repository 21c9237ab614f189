"""What a page declares about itself, read once: its <meta> tags and its JSON-LD article
object. ``digest.metadata`` reads them; the field readers (``digest.titles``,
``digest.bylines``, ``digest.dates``) take them as arguments."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

# schema.org types of an article (lower case). One definition for the crawler's listing
# test and the extractor's verdict.
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
        "scholarlyarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "posting",
        "socialmediaposting",
    }
)


class MetaTags:
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


def ld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, nested ones (@graph, mainEntity) included."""
    return parse_ld(tree.xpath("//script[@type='application/ld+json']/text()"))


def parse_ld(scripts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects in the texts of ld+json scripts; a script that is not JSON is
    skipped."""
    for script in scripts:
        try:
            data = json.loads(script)
        except ValueError:
            continue
        yield from _walk(data)


def ld_articles(tree: Any) -> Iterator[dict[str, Any]]:
    """The page's JSON-LD objects whose @type is an article type."""
    return (obj for obj in ld_objects(tree) if is_ld_article(obj))


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph", []))
        yield from _walk(data.get("mainEntity", []))


def is_ld_article(obj: dict[str, Any]) -> bool:
    types = obj.get("@type", [])
    types = [types] if isinstance(types, str) else types
    return isinstance(types, list) and any(
        isinstance(t, str) and t.rsplit("/", 1)[-1].lower() in ARTICLE_TYPES for t in types
    )


def declares_article(og_type: str | None, ld_scripts: Iterable[str]) -> bool | None:
    """``is_article_type`` from the page's og:type and the texts of its ld+json scripts."""
    return is_article_type(og_type, any(is_ld_article(obj) for obj in parse_ld(ld_scripts)))


def is_article_type(og_type: str | None, ld_article: bool) -> bool | None:
    """Whether the page declares itself an article: True, False, or None when it does not
    say. JSON-LD article markup wins over og:type (a news page often keeps og:type
    "website" from its template)."""
    if ld_article or og_type == "article":
        return True
    return False if og_type else None


def text(value: Any) -> str | None:
    """A JSON-LD or attribute value as one line of text, or None."""
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def ld_name(value: Any) -> str | None:
    if isinstance(value, dict):
        return text(value.get("name"))
    return text(value)


def first_attr(tree: Any, xpath: str) -> str | None:
    values = [str(v).strip() for v in tree.xpath(xpath) if str(v).strip()]
    return values[0] if values else None
