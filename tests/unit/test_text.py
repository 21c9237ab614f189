"""Control characters never reach the store, and never reach a terminal raw (issue #14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from digest import store
from digest.text import clean_text, terminal_safe

HOSTILE = "Rates\x1b]0;owned\x07 held\x1b[2J\x01 at\x85 11pc\x9b1m\x08\x7f \ud800\uffff"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def test_clean_text_removes_every_control_character_but_line_breaks_where_allowed() -> None:
    assert clean_text(HOSTILE) == "Rates]0;owned held[2J at  11pc1m "  # NEL: a space
    assert clean_text("one\r\ntwo\rthree\x85four\tfive", multiline=True) == (
        "one\ntwo\nthree\nfour\tfive"
    )
    assert clean_text("one\ntwo\tthree") == "one two three"
    assert clean_text("Café — “quoted” 中文 ✓") == "Café — “quoted” 中文 ✓"


def test_terminal_safe_shows_escapes_and_keeps_json_valid() -> None:
    shown = terminal_safe("a\x1b[31mb\x9bc\u202ed\nline\ttab")
    assert shown == "a\\u001b[31mb\\u009bc\\u202ed\nline\ttab"
    as_json = terminal_safe(json.dumps({"t": "x\x85\x9b\u202e"}, ensure_ascii=False))
    assert json.loads(as_json) == {"t": "x\x85\x9b\u202e"}


def test_a_saved_article_holds_no_control_character(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "nd.db")
    article = {
        "url": "https://a.example/x",
        "source": "s",
        "title": HOSTILE,
        "author": "Desk\x1b[2J",
        "authors": ["A\x07 B"],
        "tags": ["t\x01"],
        "summary": HOSTILE,
        "text": f"First line\r\n{HOSTILE}\n\tSecond",
    }
    store.save_article(db, article, page_url=article["url"], first_seen_at="2026-12-01T00:00:00")
    saved = store.get_article(db, article["url"])
    db.close()
    for name in ("title", "author", "summary", "text"):
        assert not CONTROL.search(saved[name]), name
    assert saved["text"].startswith("First line\nRates")
    assert saved["authors"] == ["A B"] and saved["tags"] == ["t"]
