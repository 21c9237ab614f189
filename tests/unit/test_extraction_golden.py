"""Golden pages, one per kind of furniture and three for metadata: newsdesk keeps every
paragraph of the article, drops the furniture, and reads title, people, credit and date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.extract import Rules, extract

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "extraction"
NAMES = sorted(p.stem for p in CASES.glob("*.json"))


def load(name: str) -> tuple[dict, str]:
    expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return expected, (CASES / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_body_is_the_article_and_nothing_else(name: str) -> None:
    expected, html = load(name)
    result = extract(html, expected["url"])
    assert result.is_article, result.reason
    assert result.text.split("\n") == expected["paragraphs"]
    for furniture in expected["furniture"]:
        assert furniture not in result.text


@pytest.mark.parametrize("name", NAMES)
def test_title_people_credit_and_date(name: str) -> None:
    expected, html = load(name)
    result = extract(html, expected["url"])
    assert result.title == expected["title"]
    assert list(result.authors) == expected["authors"]
    assert result.credit == expected["credit"]
    assert result.published_at == expected["published"]
    if "published_local" in expected:  # the page's own offset, and so its own day
        assert result.published_local == expected["published_local"]


def test_a_source_rule_drops_a_box_the_general_rules_keep() -> None:
    expected, html = load("related_box")
    box = expected["paragraphs"][0]
    html = html.replace(f"<p>{box}</p>", f'<p class="promo-line">{box}</p>', 1)
    kept = extract(html, expected["url"]).text
    dropped = extract(html, expected["url"], Rules(drop_selectors=(".promo-line",))).text
    assert box in kept
    assert box not in dropped
    assert dropped.split("\n") == expected["paragraphs"][1:]
