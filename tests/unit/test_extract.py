from __future__ import annotations

import pytest

from digest.extract import extract
from digest.urls import canonical_url
from tests.conftest import EXAMPLE_PATH, FIXTURES, FURNITURE, SITE

BASE = "https://profit.example"


def page(path: str) -> str:
    html = (SITE / path.strip("/") / "index.html").read_text(encoding="utf-8")
    return html.replace("__BASE__", BASE)


def test_example_keeps_the_eight_paragraphs_and_nothing_else() -> None:
    result = extract(page(EXAMPLE_PATH), BASE + EXAMPLE_PATH)
    paragraphs = (FIXTURES / "example_paragraphs.txt").read_text(encoding="utf-8").splitlines()
    assert result.is_article
    assert result.text.split("\n") == paragraphs
    for furniture in FURNITURE:
        assert furniture not in result.text


def test_example_metadata() -> None:
    result = extract(page(EXAMPLE_PATH), BASE + EXAMPLE_PATH + "?utm_source=x#comments")
    assert result.title == "Pakistan invites Japanese firms to invest in mineral sector"
    assert result.authors == ()
    assert result.credit == "Monitoring Desk"  # a desk, not a person
    assert result.published_at == "2025-11-05T09:32:10+00:00"  # 14:32:10 at +05:00
    assert result.site_name == "Profit by Pakistan Today"
    assert result.language == "en"
    assert result.url == BASE + EXAMPLE_PATH


@pytest.mark.parametrize("path", ["/tag/japan/", "/author/monitoring-desk/"])
def test_archive_pages_are_not_articles(path: str) -> None:
    result = extract(page(path), BASE + path)
    assert not result.is_article
    assert "not an article page" in (result.reason or "")


def test_a_short_page_is_not_an_article() -> None:
    html = "<html><body><article><p>Just a line of text here.</p></article></body></html>"
    result = extract(html, BASE + "/x/")
    assert not result.is_article
    assert "too short" in (result.reason or "")


@pytest.mark.parametrize(
    ("page_url", "declared", "expected"),
    [
        ("https://a.example/x/?utm_source=t&b=2&a=1#c", None, "https://a.example/x/?a=1&b=2"),
        ("https://a.example/x/?fbclid=1", "https://a.example/canon/", "https://a.example/canon/"),
        ("https://a.example/x/", "https://evil.example/y/", "https://a.example/x/"),
        ("https://a.example/x/", "/rel/", "https://a.example/rel/"),
        ("HTTPS://A.Example/x", None, "https://a.example/x"),
    ],
)
def test_canonical_url(page_url: str, declared: str | None, expected: str) -> None:
    assert canonical_url(page_url, declared) == expected
