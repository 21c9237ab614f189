"""Reading the store from the command line, in this process with click's CliRunner:
search with filters and formats, listing, one article, export, summaries of plain text;
and readers that never disturb a writer."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from digest import store
from tests.conftest import EXAMPLE_PATH, FIXTURES, invoke, source_toml
from tests.integration.test_pipeline import crawled  # a crawled and processed store

__all__ = ["crawled"]


def cli(cwd: Path, *args: str) -> str:
    result = invoke(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_search_filters_and_formats(crawled: Path) -> None:
    cwd = crawled.parent.parent
    rows = json.loads(cli(cwd, "search", "Japan OR oil", "--format", "json"))
    assert {r["title"] for r in rows} >= {
        "Pakistan invites Japanese firms to invest in mineral sector"
    }
    assert all(r["snippet"] for r in rows)
    assert json.loads(cli(cwd, "search", "oil", "--since", "2025-11-05", "--format", "json")) == []
    older = json.loads(cli(cwd, "search", "oil", "--until", "2025-11-05", "--format", "json"))
    assert [r["title"] for r in older] == ["Oil prices edge lower as traders weigh supply outlook"]
    other = invoke("search", "oil", "--source", "other", cwd=cwd)
    assert other.returncode == 2 and "no source named 'other'" in other.stderr
    assert "(known: profit)" in other.stderr
    table = list(csv.DictReader(io.StringIO(cli(cwd, "search", "minera*", "--format", "csv"))))
    assert table[0]["url"].endswith(EXAMPLE_PATH)
    bad = invoke("search", "oil", "--since", "last tuesday", cwd=cwd)
    assert bad.returncode == 2 and "expected 7d, 24h, 2w or a date" in bad.stderr


def test_articles_show_and_export(crawled: Path, tmp_path: Path) -> None:
    cwd = crawled.parent.parent
    listed = json.loads(cli(cwd, "articles", "--format", "json", "--limit", "2"))
    assert len(listed) == 2
    assert listed[0]["published_at"] >= listed[1]["published_at"]  # newest first
    example = json.loads(cli(cwd, "articles", "--format", "json", "--since", "2025-11-05"))
    url = next(r["url"] for r in example if r["url"].endswith(EXAMPLE_PATH))
    shown = cli(cwd, "show", url + "?utm_source=x#comments")  # cleaned like a crawled link
    assert shown.startswith("Pakistan invites Japanese firms to invest in mineral sector\n")
    assert "credit:      Monitoring Desk" in shown
    assert "Summary: " in shown and "Pakistan’s Minister for Commerce Jam Kamal" in shown
    article_id = next(r["id"] for r in example if r["url"] == url)
    assert cli(cwd, "show", str(article_id)) == shown
    missing = invoke("show", "999999", cwd=cwd)
    assert missing.returncode == 1 and "no article '999999'" in missing.stderr
    out = tmp_path / "export.jsonl"
    result = invoke("export", "--output", str(out), cwd=cwd)
    assert "3 articles exported" in result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3 and all(r["text"] and r["summary"] for r in records)
    rows = list(
        csv.DictReader(io.StringIO(cli(cwd, "export", "--format", "csv", "--source", "profit")))
    )
    assert len(rows) == 3 and set(rows[0]) >= {"url", "title", "summary", "text"}


def test_summarise_command_reads_text_and_json_lines(tmp_path: Path) -> None:
    article = (FIXTURES / "example_paragraphs.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    summary = cli(tmp_path, "summarise", "a.txt", "--words", "60").strip()
    assert summary and len(summary.split()) <= 60 + 40  # whole sentences, about the budget
    assert all(part.strip() in article for part in summary.split(". ") if part.strip())
    lines = [json.dumps({"id": n, "text": article}) for n in range(2)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = [json.loads(x) for x in cli(tmp_path, "summarise", "--jsonl", "a.jsonl").splitlines()]
    assert [r["id"] for r in records] == [0, 1] and records[0]["summary"] == records[1]["summary"]


def test_readers_and_a_writer_never_wait_on_each_other(crawled: Path) -> None:
    """A crawl-sized writer commits batches while readers search; neither side fails or
    waits longer than a second for the other."""
    db_path = crawled
    slowest = {"write": 0.0, "read": 0.0}
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        db = store.open_db(db_path)
        try:
            for n in range(60):
                html = "<p>" + "copper " * 2000 + f"{n}</p>"
                page = store.FetchedPage(
                    url=f"https://w.example/{n}",
                    source="w",
                    final_url="",
                    http_status=200,
                    content_type="text/html",
                    html=html,
                    fetched_at="2026-11-26T00:00:00+00:00",
                )
                started = time.monotonic()
                store.save_pages(db, [page])
                slowest["write"] = max(slowest["write"], time.monotonic() - started)
        except BaseException as exc:
            errors.append(exc)
        finally:
            stop.set()
            db.close()

    def reader() -> None:
        db = store.open_readonly(db_path)
        try:
            while not stop.is_set():
                started = time.monotonic()
                store.search(db, "oil OR japan")
                db.execute("SELECT count(*) FROM pages").fetchone()
                slowest["read"] = max(slowest["read"], time.monotonic() - started)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [
        threading.Thread(target=writer),
        *(threading.Thread(target=reader) for _ in range(3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert slowest["write"] < 1.0 and slowest["read"] < 1.0, slowest
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE source = 'w'").fetchone()[0] == 60


def test_the_readmes_sql_examples_run(crawled: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r'^sqlite-utils data/newsdesk\.db "(.+)" --table$', readme, flags=re.M)
    assert len(queries) == 4
    with sqlite3.connect(f"{crawled.as_uri()}?mode=ro", uri=True) as conn:
        results = [conn.execute(sql).fetchall() for sql in queries]
    assert results[0] and results[3]  # articles per day, crawl outcomes
    assert results[2][0][0] == "Pakistan invites Japanese firms to invest in mineral sector"


TOPICS = """
[[topics]]
name = "Minerals"
terms = ["copper", "mineral"]

[[topics]]
name = "Energy"
terms = ["oil"]
"""
BUSINESS = [  # (source, title, text, topics): a store of business news, no crawl needed
    (
        "pkbiz",
        "KSE-100 index closes at a record high",
        "The benchmark KSE-100 index rose 1.2% as copper miners rallied.",
        ["Minerals"],
    ),
    (
        "pkbiz",
        "Reko Diq raises $3.4bn for its copper mine",
        "The project raised $3.4bn from lenders; mineral exports are set to rise.",
        ["Minerals"],
    ),
    (
        "dawn",
        "Cement sells at Rs1,290 a bag",
        "Dealers said cement sold at Rs1,290 a bag, up from Rs1,150, as oil costs rose.",
        ["Energy"],
    ),
    (
        "dawn",
        "Workers' union calls a strike at the steel mill",
        "The Workers' union said the strike would go on.",
        [],
    ),
    (
        "dawn",
        "Brokers at the KSE expect 100 listings",
        "About 100 firms at the KSE plan to "
        "list; 3 lenders offered 4bn rupees; Rs1 notes at 290 branches, a worker said.",
        [],
    ),
    ("oldsite", "Textile exports slow", "A source since dropped from the config.", []),
]


@pytest.fixture
def business(tmp_path: Path, write_config: Callable[..., object]) -> Path:
    """A config of two sources and two topics, and a store of BUSINESS written through
    the store's own functions; the folder to run newsdesk in."""
    write_config(
        source_toml("pkbiz", "http://127.0.0.1:9") + source_toml("dawn", "http://127.0.0.1:9"),
        TOPICS,
    )
    db = store.open_db(tmp_path / "data" / "newsdesk.db")
    for n, (source, title, text, topics) in enumerate(BUSINESS):
        url = f"https://{source}.example/{n}"
        article = {"url": url, "source": source, "title": title, "text": text, "summary": ""}
        store.save_article(
            db, article, page_url=url, first_seen_at=f"2026-11-0{n + 1}T08:00:00+00:00"
        )
        store.set_topics(db, url, topics)
    db.close()
    return tmp_path


def titles(cwd: Path, *args: str) -> list[str]:
    return [row["title"] for row in json.loads(cli(cwd, *args, "--format", "json"))]


@pytest.mark.parametrize(
    ("words", "title"),
    [
        ("KSE-100", "KSE-100 index closes at a record high"),
        ("$3.4bn", "Reko Diq raises $3.4bn for its copper mine"),
        ("Rs1,290", "Cement sells at Rs1,290 a bag"),
        ("Workers'", "Workers' union calls a strike at the steel mill"),
        ("Workers' union", "Workers' union calls a strike at the steel mill"),
    ],
)
def test_search_finds_words_with_punctuation_as_written(
    business: Path, words: str, title: str
) -> None:
    """Issue #18: these were refused (no such column: 100, syntax error near "$"); the
    Brokers article holds each of their words, but not together."""
    assert titles(business, "search", words) == [title]


def test_search_keeps_fts5_syntax(business: Path) -> None:
    assert titles(business, "search", '"record high"') == ["KSE-100 index closes at a record high"]
    assert set(titles(business, "search", "cement OR strike")) == {
        "Cement sells at Rs1,290 a bag",
        "Workers' union calls a strike at the steel mill",
    }
    assert titles(business, "search", "Rek*") == ["Reko Diq raises $3.4bn for its copper mine"]
    assert titles(business, "search", "title:copper") == [
        "Reko Diq raises $3.4bn for its copper mine"  # the KSE-100 one has copper in its text
    ]
    assert titles(business, "search", "title:KSE-100") == ["KSE-100 index closes at a record high"]
    assert titles(business, "search", "KSE NOT listings") == [
        "KSE-100 index closes at a record high"
    ]
    assert titles(business, "search", "NEAR(lenders rupees, 2)") == [
        "Brokers at the KSE expect 100 listings"
    ]
    assert set(titles(business, "search", "(cement OR strike) AND Rs1,290")) == {
        "Cement sells at Rs1,290 a bag"
    }


def test_a_query_fts5_cannot_read_says_to_quote_it(business: Path) -> None:
    bad = invoke("search", "oil AND", cwd=business)
    assert bad.returncode == 2, bad.stderr
    assert "cannot search for 'oil AND'" in bad.stderr
    assert "put them in double quotes: newsdesk search '\"oil AND\"'" in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stdout == ""
    assert invoke("search", "NOT oil", cwd=business).returncode == 2
    assert titles(business, "search", '"oil AND"') == []  # the suggested fix runs


@pytest.mark.parametrize("command", ["search", "articles", "export"])
def test_an_unknown_source_or_topic_is_refused(business: Path, command: str) -> None:
    query = ["copper"] if command == "search" else []
    source = invoke(command, *query, "--source", "nope", cwd=business)
    assert source.returncode == 2, source.stderr
    assert "no source named 'nope'" in source.stderr
    assert "(known: dawn, oldsite, pkbiz)" in source.stderr  # configured, and stored
    assert source.stdout == ""
    topic = invoke(command, *query, "--topic", "Mineral", cwd=business)
    assert topic.returncode == 2, topic.stderr
    assert (
        "no topic named 'Mineral'" in topic.stderr and "(known: Energy, Minerals)" in topic.stderr
    )


def test_topics_match_in_any_case_and_stored_sources_are_known(business: Path) -> None:
    minerals = [
        "Reko Diq raises $3.4bn for its copper mine",
        "KSE-100 index closes at a record high",
    ]
    for name in ("Minerals", "minerals", "MINERALS"):
        assert titles(business, "articles", "--topic", name) == minerals
        assert set(titles(business, "search", "copper OR mineral", "--topic", name)) == set(
            minerals
        )
        exported = cli(business, "export", "--topic", name).splitlines()
        assert [json.loads(line)["title"] for line in exported] == minerals
    assert titles(business, "articles", "--source", "oldsite") == ["Textile exports slow"]
    assert titles(business, "articles", "--source", "DAWN", "--topic", "energy") == [
        "Cement sells at Rs1,290 a bag"
    ]


def test_since_filters_on_publication_or_with_seen_on_first_sight(
    tmp_path: Path, write_config: Callable[..., object]
) -> None:
    """Issue #18: the digest goes by first sight, --since by publication; both on offer."""
    write_config(source_toml("pkbiz", "http://127.0.0.1:9"))
    db = store.open_db(tmp_path / "data" / "newsdesk.db")
    late, same_day = "Found late, published long ago", "Published and found the same day"
    for n, (title, published, seen) in enumerate(
        [
            (late, "2026-10-01T09:00:00", "2026-11-20T08:00:00"),
            (same_day, "2026-11-19T09:00:00", "2026-11-19T10:00:00"),
        ]
    ):
        url = f"https://pkbiz.example/{n}"
        article = {"url": url, "source": "pkbiz", "title": title, "text": title, "summary": ""}
        article["published_at"] = published + "+00:00"
        store.save_article(db, article, page_url=url, first_seen_at=seen + "+00:00")
    db.close()
    since = ("--since", "2026-11-15")
    assert titles(tmp_path, "articles", *since) == [same_day]
    assert titles(tmp_path, "articles", *since, "--seen") == [late, same_day]  # newest sight
    assert titles(tmp_path, "articles", "--until", "2026-11-15") == [late]
    assert titles(tmp_path, "articles", "--until", "2026-11-15", "--seen") == []
    assert set(titles(tmp_path, "search", "found", *since, "--seen")) == {late, same_day}
    assert titles(tmp_path, "search", "found", *since) == [same_day]
