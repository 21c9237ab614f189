"""A page whose title and body hold control characters and Markdown fences, crawled from
127.0.0.1 through the real command line: the store keeps none of them, the Atom feed
parses, the Markdown digest keeps its structure, and the read commands print no escape
(issue #14)."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import lxml.etree
from markdown_it import MarkdownIt

from bench.site import generate_site, newsdesk_toml
from crawler.siteserver import serve_site
from digest import store
from digest.build import Digest, build_digest
from digest.config import load_config
from digest.render import render_markdown
from tests.conftest import newsdesk
from tests.integration.test_exactly_once import midday_zone

# What a hostile site can send: in the JSON-LD headline (as JSON escapes, which become the
# characters themselves), in <title> and <h1> (raw), and at the start of the body.
ESCAPES = "\\u001b]0;owned\\u0007 \\u001b[2J\\u0001 ~~~ \\u0085\\u009b31m\\u0008"
RAW = "\x1b]0;owned\x07 \x1b[2J\x01 ~~~ \x85\x9b31m\x08"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def make_hostile(root: Path, path: str) -> str:
    """Put the hostile strings into the page at ``path``; return its visible title."""
    page = root / path.strip("/") / "index.html"
    html = page.read_text(encoding="utf-8")
    title = re.search(r'"headline": "([^"]+)"', html)[1]  # type: ignore[index]
    html = html.replace(f'"headline": "{title}', f'"headline": "{ESCAPES} {title}')
    html = html.replace(f">{title}<", f">{RAW} {title}<")
    html = html.replace(
        '<div class="entry-content">\n<p>', f'<div class="entry-content">\n<p>~~~ {RAW} ', 1
    )
    page.write_text(html, encoding="utf-8")
    return title


def blocks(markdown: str) -> list[tuple[str, str]]:
    """The Markdown's structure as a CommonMark parser sees it: every block, and every
    inline element but plain text."""
    tokens = MarkdownIt("js-default").parse(markdown)
    found = [(t.type, t.tag) for t in tokens]
    for t in tokens:
        found += [(c.type, c.tag) for c in t.children or [] if c.type not in PLAIN]
    return found


PLAIN = {"text", "text_special", "softbreak"}


def plain(digest: Digest) -> Digest:
    """The same digest with every item's words replaced by harmless ones."""
    words = {"title": "Plain title", "summary": "Plain words.", "author": "Desk"}
    sections = tuple(
        dataclasses.replace(s, items=tuple(dataclasses.replace(i, **words) for i in s.items))
        for s in digest.sections
    )
    return dataclasses.replace(digest, sections=sections)


def test_a_hostile_page_breaks_no_digest_store_or_terminal(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    with serve_site(tmp_path / "site") as server:
        info = generate_site(server.root, 3, now=datetime.now(UTC), base=server.base_url)
        title = make_hostile(server.root, info.articles[0])
        settings = f'download_delay = 0.0\ntimezone = "{midday_zone()}"'
        (tmp_path / "newsdesk.toml").write_text(newsdesk_toml(server.base_url, settings=settings))
        crawl = newsdesk("crawl", "--process", cwd=tmp_path, timeout=300)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert newsdesk("digest", cwd=tmp_path).returncode == 0
    cfg = load_config(tmp_path / "newsdesk.toml")

    with sqlite3.connect(cfg.db_path) as conn:
        stored = conn.execute("SELECT title, author, summary, text FROM articles").fetchall()
    assert len(stored) == 3
    hostile = [row for row in stored if title in row[0]]
    assert hostile and "~~~" in hostile[0][0]  # the page was taken, its text kept
    assert not [v for row in stored for v in row if v and CONTROL.search(v)]

    folder = cfg.digests_dir
    feed = lxml.etree.fromstring((folder / "feed.xml").read_bytes())  # a strict XML parser
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    markdown = next(folder.glob("*.md")).read_text(encoding="utf-8")
    db = store.open_readonly(cfg.db_path)
    digest = build_digest(db, datetime.now(cfg.tz).date(), cfg=cfg, now=datetime.now(cfg.tz))
    db.close()
    assert blocks(markdown) == blocks(render_markdown(plain(digest)))
    assert not CONTROL.search(markdown + next(folder.glob("*.html")).read_text())


def test_read_commands_print_no_escape_from_an_older_store(tmp_path: Path, write_config) -> None:
    cfg = write_config('[[sources]]\nname = "s"\nhomepage = "https://s.example/"\n')
    db = store.open_db(cfg.db_path)
    article = {"url": "https://s.example/a/", "source": "s", "title": "Copper", "text": "Copper."}
    store.save_article(db, article, page_url=article["url"], first_seen_at="2026-12-01T05:00:00")
    # As a store written before text was cleaned at the boundary may still hold it:
    db.execute(
        "UPDATE articles SET title = ?, text = ?, summary = ?",
        [f"Copper {RAW}\u202e", f"Copper {RAW} text.", f"{RAW}"],
    )
    db.conn.commit()
    db.close()
    outputs = {
        "show": newsdesk("show", article["url"], cwd=tmp_path),
        "articles": newsdesk("articles", cwd=tmp_path),
        "json": newsdesk("articles", "--format", "json", cwd=tmp_path),
        "csv": newsdesk("articles", "--format", "csv", cwd=tmp_path),
        "search": newsdesk("search", "copper", cwd=tmp_path),
    }
    for name, result in outputs.items():
        assert result.returncode == 0, (name, result.stderr)
        assert not CONTROL.search(result.stdout), name
        assert "\u202e" not in result.stdout, name
        assert "\\u001b" in result.stdout, name  # shown, not acted on
    assert json.loads(outputs["json"].stdout)[0]["title"] == f"Copper {RAW}\u202e"
