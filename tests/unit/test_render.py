from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.etree
import lxml.html

from digest.build import Digest, DigestItem, Link, Section
from digest.render import (
    digest_json,
    md_escape,
    render_feed,
    render_html,
    render_markdown,
    write_atomic,
)

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<a href='javascript:alert(1)'>x</a>",
)


def item(
    title: str = "Copper deal signed",
    summary: str = "A summary.",
    url: str = "https://a.example/x",
    also: tuple[Link, ...] = (),
) -> DigestItem:
    return DigestItem(
        title=title,
        url=url,
        source="a",
        site_name="A News",
        author="Desk",
        published="2026-11-26 09:00",
        summary=summary,
        also=also,
    )


def digest_with(*items: DigestItem, day: date = date(2026, 11, 26)) -> Digest:
    return Digest(
        day,
        "Asia/Karachi",
        "2026-11-26T10:00:00+00:00",
        (Section("A News", "source", items),),
        (),
        len(items),
    )


def test_markdown_lists_title_link_time_summary_and_other_sources() -> None:
    also = (Link("B Wire", "Copper deal signed, B says", "https://b.example/y"),)
    text = render_markdown(digest_with(item(also=also)))
    assert "# Business digest — 2026-11-26" in text
    assert "### [Copper deal signed](https://a.example/x)" in text
    assert "A News · 2026-11-26 09:00 · Desk" in text
    assert "A summary." in text
    assert "Also reported by: [B Wire](https://b.example/y)" in text


def test_markdown_escapes_markup_in_article_text() -> None:
    text = render_markdown(digest_with(item("Shares [up] *50%*", summary="<script>x</script>")))
    assert r"Shares \[up\] \*50%\*" in text
    assert "<script>" not in text
    assert md_escape("a_b") == r"a\_b"


def test_markdown_keeps_its_structure_whatever_the_text_holds() -> None:
    from markdown_it import MarkdownIt

    def blocks(text: str) -> list[tuple[str, str]]:
        tokens = MarkdownIt("js-default").parse(text)
        found = [(t.type, t.tag) for t in tokens]
        for t in tokens:
            found += [(c.type, c.tag) for c in t.children or [] if c.type not in PLAIN]
        return found

    hostile = (
        "~~~",
        "```",
        "- item",
        "+ item",
        "1. first",
        "2026) year",
        "---",
        "=== ",
        "# heading",
        "> quote",
        "| a | b |",
        "~~struck~~",
        "&copy; &#169;",
        "    indented",
        "<div>raw</div>",
        "![img](x) [link](y)",
        "*em* _em_ `code`",
        "a\nb \x1b[2J\x07",
    )
    plain = blocks(render_markdown(digest_with(item(), item())))
    for text in hostile:
        escaped = render_markdown(digest_with(item(title=text), item(summary=text)))
        assert blocks(escaped) == plain, text
    assert md_escape("~~~ 1. M&A &amp; co") == "\\~\\~\\~ 1. M&A \\&amp; co"
    assert md_escape("1984. A year") == "1984\\. A year"


PLAIN = {"text", "text_special", "softbreak"}


def test_html_renders_hostile_titles_and_summaries_inert() -> None:
    items = [
        item(
            title=p, summary=p, url="javascript:alert(1)", also=(Link(p, p, "javascript:alert(2)"),)
        )
        for p in PAYLOADS
    ]
    html = render_html(digest_with(*items))
    tree = lxml.html.fromstring(html)
    assert tree.xpath("//script") == []
    assert [a for el in tree.iter() for a in el.attrib if a.lower().startswith("on")] == []
    hrefs = tree.xpath("//@href")
    assert hrefs and all(h == "#" or h.startswith(("http://", "https://")) for h in hrefs)
    assert tree.xpath("//img | //svg | //iframe | //object") == []
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp
    assert PAYLOADS[0] in tree.text_content()  # shown as text, not run


def test_empty_day_says_so() -> None:
    empty = Digest(date(2026, 11, 26), "Asia/Karachi", "now", (), ("No crawl ran on this day.",), 0)
    assert "No new articles were collected on this day" in render_markdown(empty)
    assert "No crawl ran on this day." in render_html(empty)


def test_json_has_the_documented_schema() -> None:
    data = json.loads(digest_json(digest_with(item())))
    assert data["schema"] == "newsdesk.digest/1"
    assert data["day"] == "2026-11-26" and data["count"] == 1
    entry = data["sections"][0]["items"][0]
    assert set(entry) == {
        "title",
        "url",
        "source",
        "site_name",
        "author",
        "published",
        "summary",
        "also",
    }
    docs = (Path(__file__).resolve().parents[2] / "docs" / "digest-json.md").read_text(
        encoding="utf-8"
    )
    for key in [*data, *data["sections"][0], *entry]:
        assert f"`{key}`" in docs


def test_atom_feed_of_recent_digests_parses(tmp_path: Path) -> None:
    files = []
    for day in (date(2026, 11, 26), date(2026, 11, 25)):
        path = tmp_path / f"{day}.json"
        path.write_text(digest_json(digest_with(item(title=f"Story of {day} <b>&</b>"), day=day)))
        files.append(path)
    feed = lxml.etree.fromstring(
        render_feed(files, now=datetime(2026, 11, 26, 2, tzinfo=UTC)).encode()
    )
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.xpath("/a:feed/a:updated/text()", namespaces=atom) == ["2026-11-26T02:00:00+00:00"]
    entries = feed.xpath("/a:feed/a:entry", namespaces=atom)
    assert [e.findtext("a:id", namespaces=atom) for e in entries] == [
        "urn:newsdesk:digest:2026-11-26",
        "urn:newsdesk:digest:2026-11-25",
    ]
    content = entries[0].findtext("a:content", namespaces=atom)
    assert "Story of 2026-11-26 &lt;b&gt;&amp;&lt;/b&gt;" in content  # escaped HTML inside


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "d" / "2026-11-26.md"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["2026-11-26.md"]
