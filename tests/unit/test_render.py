from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.build import Digest, DigestItem
from digest.render import md_escape, render_html, render_markdown, write_atomic


def digest_with(
    title: str, summary: str = "A summary.", url: str = "https://a.example/x"
) -> Digest:
    item = DigestItem(
        title=title,
        url=url,
        source="a",
        site_name="A News",
        author="Desk",
        published="2026-11-26 09:00",
        summary=summary,
    )
    return Digest(
        date(2026, 11, 26), "Asia/Karachi", "2026-11-26T10:00:00+00:00", {"a": [item]}, []
    )


def test_markdown_lists_title_link_time_and_summary() -> None:
    text = render_markdown(digest_with("Copper deal signed"))
    assert "# Business digest — 2026-11-26" in text
    assert "### [Copper deal signed](https://a.example/x)" in text
    assert "2026-11-26 09:00 · Desk" in text
    assert "A summary." in text


def test_markdown_escapes_markup_in_article_text() -> None:
    text = render_markdown(digest_with("Shares [up] *50%*", summary="<script>x</script>"))
    assert r"Shares \[up\] \*50%\*" in text
    assert "<script>" not in text
    assert md_escape("a_b") == r"a\_b"


def test_html_escapes_article_text_and_refuses_script_links() -> None:
    html = render_html(digest_with("<img src=x onerror=alert(1)>", url="javascript:alert(1)"))
    assert "<img" not in html
    assert "javascript:" not in html
    assert "Content-Security-Policy" in html


def test_empty_day_says_so() -> None:
    empty = Digest(date(2026, 11, 26), "Asia/Karachi", "now", {}, ["No crawl ran on this day."])
    assert "No new articles were collected on this day" in render_markdown(empty)
    assert "No crawl ran on this day." in render_html(empty)


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "d" / "2026-11-26.md"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["2026-11-26.md"]
