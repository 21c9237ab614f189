"""Reading a search as FTS5 (``query.fts_query``): plain words with punctuation are quoted
into phrases, FTS5's own syntax passes as it is; and picking a --source or --topic name."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest import store
from digest.query import QueryError, fts_query, pick_name

PASSED_AS_THEY_ARE = [
    "oil",
    "Japan OR oil",
    "oil AND gas",
    "oil NOT gas",
    "oil + gas",
    '"rare earth"',
    '"rare earth"*',
    '"say ""hello"""',
    "minera*",
    "^oil",
    "title:oil",
    "Title:oil",
    "-title:oil",
    "title:minera*",
    'title:"rare earth"',
    "{title summary}:oil",
    "café",
    "Pakistan’s",  # beyond ASCII: a bareword, which the tokenizer splits
    "and or not",  # operators only in capitals; otherwise words
]


@pytest.mark.parametrize("text", PASSED_AS_THEY_ARE)
def test_fts5_syntax_passes_as_it_is(text: str) -> None:
    assert fts_query(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KSE-100", '"KSE-100"'),
        ("$3.4bn", '"$3.4bn"'),
        ("Rs1,290", '"Rs1,290"'),
        ("Workers'", '"Workers\'"'),
        ("Workers' union", '"Workers\'" union'),
        ("3.4%", '"3.4%"'),
        ("U.S. tariffs", '"U.S." tariffs'),
        ("S&P 500", '"S&P" 500'),
        ("oil & gas", 'oil "&" gas'),
        ("http://x.example/a", '"http://x.example/a"'),
        ("Note: oil", '"Note:" oil'),  # not a column: text
        ("rowid:1", '"rowid:1"'),
        ("{title byline}:oil", '"{title byline}:oil"'),  # one column unknown
        ("title:KSE-100", 'title:"KSE-100"'),  # a column filter, its word quoted
        ("^KSE-100", '^"KSE-100"'),
        ("KSE-10*", '"KSE-10"*'),  # still a prefix
        ("*", '"*"'),
        ('a"b"', '"a""b"""'),  # inner quotes doubled
        ("(oil", '"(oil"'),  # unbalanced parentheses are text
        ("oil)", '"oil)"'),
        (":)", '":)"'),
        ("café-au-lait", '"café-au-lait"'),
        ("-oil", '"-oil"'),  # - only negates a column filter in FTS5
    ],
)
def test_words_fts5_would_read_as_syntax_are_quoted(text: str, expected: str) -> None:
    assert fts_query(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(oil OR gas) AND KSE-100", '( oil OR gas ) AND "KSE-100"'),
        ("title:(oil OR gas)", "title: ( oil OR gas )"),
        ("NEAR(oil gas)", "NEAR ( oil gas )"),
        ("NEAR(oil gas, 5)", "NEAR ( oil gas , 5 )"),
        ("NEAR(oil gas,5)", "NEAR ( oil gas , 5 )"),
        ("NEAR(oil gas ,5)", "NEAR ( oil gas , 5 )"),
        ("NEAR(oil gas , 5)", "NEAR ( oil gas , 5 )"),
        ("NEAR(Rs1,290 oil)", 'NEAR ( "Rs1,290" oil )'),  # a comma in a word is no distance
        ("title:NEAR(oil gas, 3)", "title:NEAR ( oil gas , 3 )"),
        ("(Rs1,290)", '( "Rs1,290" )'),  # a comma outside NEAR is text
    ],
)
def test_parentheses_and_near_groups(text: str, expected: str) -> None:
    assert fts_query(text) == expected


def test_column_filters_follow_the_columns_given() -> None:
    assert fts_query("byline:smith", ["title", "byline"]) == "byline:smith"
    assert fts_query("text:oil", ["title", "byline"]) == '"text:oil"'


@pytest.fixture
def fts() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(title, summary, text)")
    conn.executemany(
        "INSERT INTO f (rowid, title, summary, text) VALUES (?, ?, ?, ?)",
        [
            (1, "KSE-100 index gains", "Workers' union", "It raised $3.4bn; Rs1,290 a bag."),
            (2, "Brokers at KSE", "A worker", "100 firms; 3 lenders, 4bn; Rs1 and 290."),
            (3, "Oil & gas", "rare earth", "café-au-lait, U.S. and S&P 500 up 3.4%"),
        ],
    )
    yield conn
    conn.close()


def matches(conn: sqlite3.Connection, text: str) -> list[int]:
    rows = conn.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid", [fts_query(text)])
    return [rowid for (rowid,) in rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KSE-100", [1]),
        ("$3.4bn", [1]),
        ("Rs1,290", [1]),
        ("Workers'", [1]),
        ("Workers' union", [1]),
        ("title:KSE-100", [1]),
        ("KSE-10*", [1]),
        ("oil & gas", [3]),
        ("S&P 500", [3]),
        ("3.4%", [3]),
        ("U.S.", [3]),
        ("café-au-lait", [3]),
        ("KSE OR oil", [1, 2, 3]),
        ('"rare earth"', [3]),
        ("brok*", [2]),
        ("title:kse NOT title:index", [2]),
        ("NEAR(lenders 4bn, 1)", [2]),
        ("(oil OR KSE) AND earth", [3]),
        ("(oil", [3]),
    ],
)
def test_what_the_rewritten_query_finds(
    fts: sqlite3.Connection, text: str, expected: list[int]
) -> None:
    assert matches(fts, text) == expected


@pytest.mark.parametrize(
    "text", ["oil AND", "NOT oil", "oil OR OR gas", "()", '"rare earth', 'KSE-100 "rare']
)
def test_misused_syntax_is_left_for_fts5_to_refuse(fts: sqlite3.Connection, text: str) -> None:
    with pytest.raises(sqlite3.OperationalError, match=r"fts5: syntax error|unterminated"):
        matches(fts, text)
    quoted = '"' + text.replace('"', '""') + '"'  # the fix the error message suggests
    fts.execute("SELECT rowid FROM f WHERE f MATCH ?", [quoted]).fetchall()  # readable


@pytest.mark.parametrize(
    "text",
    [*PASSED_AS_THEY_ARE, "KSE-100 $3.4bn", "NEAR(a b,5)", "(x", 'a"b c', "title:(a OR b-c)"],
)
def test_rewriting_twice_changes_nothing(text: str) -> None:
    once = fts_query(text)
    assert fts_query(once) == once


def test_pick_name_prefers_the_config_then_the_store_in_any_case(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "newsdesk.db")
    store.save_article(
        db,
        {"url": "https://old.example/a", "source": "oldsite", "title": "A", "text": "a"},
        page_url="https://old.example/a",
        first_seen_at="2026-01-01T00:00:00+00:00",
    )
    store.set_topics(db, "https://old.example/a", ["Textiles"])
    assert pick_name(db, "source", "dawn", ["dawn", "profit"]) == "dawn"
    assert pick_name(db, "source", "oldsite", ["dawn"]) == "oldsite"  # dropped from the config
    assert pick_name(db, "topic", "minerals", ["Minerals"]) == "Minerals"
    assert pick_name(db, "topic", "MINERALS", ["Minerals"]) == "Minerals"
    assert pick_name(db, "topic", "textiles", ["Minerals"]) == "Textiles"
    with pytest.raises(QueryError, match=r"no source named 'nope' .*known: dawn, oldsite\)"):
        pick_name(db, "source", "nope", ["dawn"])
    with pytest.raises(QueryError, match=r"no topic named 'nope' .*known: Minerals, Textiles\)"):
        pick_name(db, "topic", "nope", ["Minerals"])
    db.close()
