"""Publication times keep the page's own UTC offset; the publication day is the day in
the publisher's zone, and UTC is there for sorting."""

from __future__ import annotations

import pytest

from digest.dates import normalise, to_utc
from digest.extract import extract

BODY = "<p>" + " ".join(["Exporters said shipments rose again this month."] * 20) + "</p>"


@pytest.mark.parametrize(
    ("raw", "page", "utc"),
    [
        ("2026-04-28T23:30:00+09:00", "2026-04-28T23:30:00+09:00", "2026-04-28T14:30:00+00:00"),
        ("2026-04-28T00:15:00-05:00", "2026-04-28T00:15:00-05:00", "2026-04-28T05:15:00+00:00"),
        ("2026-04-28T06:15:00.123Z", "2026-04-28T06:15:00+00:00", "2026-04-28T06:15:00+00:00"),
        ("2026-04-28T01:00:00+05:30", "2026-04-28T01:00:00+05:30", "2026-04-27T19:30:00+00:00"),
        (
            "Tue, 28 Apr 2026 23:30:00 +0900",
            "2026-04-28T23:30:00+09:00",
            "2026-04-28T14:30:00+00:00",
        ),
        ("2026-04-28 18:00", "2026-04-28T18:00:00", "2026-04-28T18:00:00"),
        ("2026-04-28", "2026-04-28", "2026-04-28"),
        ("2026-04-28T25:99 garbage", "2026-04-28", "2026-04-28"),
        ("last Tuesday", None, None),
        ("", None, None),
    ],
)
def test_a_timestamp_keeps_its_offset_and_converts_to_utc(
    raw: str, page: str | None, utc: str | None
) -> None:
    assert normalise(raw) == page
    assert to_utc(raw) == utc


def article(published: str, *, where: str = "meta") -> str:
    declared = {
        "meta": f'<meta property="article:published_time" content="{published}">',
        "ld": '<script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "Tokyo exporters", "datePublished": "{published}"}}'
        "</script>",
        "time": "",
    }[where]
    visible = f'<time datetime="{published}">late</time>' if where == "time" else ""
    return (
        f'<html><head><meta property="og:type" content="article">{declared}'
        f"<title>Tokyo exporters</title></head><body><article><h1>Tokyo exporters</h1>"
        f"{visible}{BODY}</article></body></html>"
    )


@pytest.mark.parametrize("where", ["meta", "ld", "time"])
def test_a_late_evening_article_keeps_its_day_in_the_publishers_zone(where: str) -> None:
    found = extract(article("2026-04-28T23:30:00+09:00", where=where), "https://jp.example/a")
    assert found.published_local == "2026-04-28T23:30:00+09:00"
    assert found.published_local[:10] == "2026-04-28"  # not the UTC day
    assert found.published_at == "2026-04-28T14:30:00+00:00"
    evening = extract(article("2026-04-28T20:30:00-07:00", where=where), "https://us.example/a")
    assert evening.published_local[:10] == "2026-04-28"
    assert evening.published_at == "2026-04-29T03:30:00+00:00"


def dated_page(declared: str, shown: str, *, modified: str = "", body_date: str = "") -> str:
    modified_tag = (
        f'<meta property="article:modified_time" content="{modified}">' if modified else ""
    )
    return (
        '<html><head><meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{declared}">{modified_tag}'
        "<title>Port strike ends</title></head><body><article><h1>Port strike ends</h1>"
        f'<div class="meta">{shown}</div>'
        + BODY * 2
        + f"<p>The last strike, on {body_date}, lasted a week.</p>"
        + "</article></body></html>"
    )


@pytest.mark.parametrize(
    ("shown", "day"),
    [
        ("By Ann Lee · Dec 18, 2025", "2025-12-18"),
        ("18. Dezember 2025, 09:12 Uhr", "2025-12-18"),
        ("Publicado el 18 de diciembre de 2025", "2025-12-18"),
        ("Le 18 déc. 2025 à 09h12", "2025-12-18"),
        ("18.12.2025", "2025-12-18"),
        ("December 18th, 2025", "2025-12-18"),
    ],
)
def test_a_template_date_the_page_does_not_show_gives_way_to_the_shown_one(
    shown: str, day: str
) -> None:
    found = extract(dated_page("2020-01-01T00:00:00+00:00", shown), "https://x.example/a")
    assert found.published_local == day


def test_the_declared_time_stays_when_the_page_shows_its_day_or_only_an_update() -> None:
    same = extract(
        dated_page("2025-12-18T09:12:00+01:00", "18 Dec 2025 · Updated 19 Dec 2025"),
        "https://x.example/a",
    )
    assert same.published_local == "2025-12-18T09:12:00+01:00"
    update = extract(
        dated_page("2025-03-02T08:00:00+01:00", "Last updated: 19 Dec 2025"), "https://x.example/a"
    )
    assert update.published_local == "2025-03-02T08:00:00+01:00"
    modified = extract(
        dated_page(
            "2025-03-02T08:00:00+01:00", "19 Dec 2025", modified="2025-12-19T10:00:00+01:00"
        ),
        "https://x.example/a",
    )
    assert modified.published_local == "2025-03-02T08:00:00+01:00"
    in_text = extract(
        dated_page("2025-03-02T08:00:00+01:00", "", body_date="4 May 1998"), "https://x.example/a"
    )
    assert in_text.published_local == "2025-03-02T08:00:00+01:00"
