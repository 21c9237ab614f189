from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from digest import store


def fetched(
    url: str, html: str = "<p>one</p>", at: str = "2026-11-26T05:00:00+00:00"
) -> store.FetchedPage:
    return store.FetchedPage(
        url=url,
        source="s",
        final_url=url,
        http_status=200,
        content_type="text/html",
        html=html,
        fetched_at=at,
    )


def article(
    url: str, title: str = "Copper deal signed", text: str = "Copper text."
) -> dict[str, str]:
    return {"url": url, "source": "s", "title": title, "text": text, "summary": text}


@pytest.fixture
def db(tmp_path: Path):
    database = store.open_db(tmp_path / "nd.db")
    yield database
    database.close()


def test_store_is_wal_with_all_tables(db) -> None:
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"pages", "articles", "articles_fts", "runs", "digests"} <= set(db.table_names())


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    store.open_db(tmp_path / "nd.db").close()
    db = store.open_db(tmp_path / "nd.db")
    applied = [m.name for m in store.migrations.applied(db)]
    assert applied[0] == "m001_initial"
    assert len(applied) == len(set(applied))
    assert store.migrations.pending(db) == []


def test_unchanged_page_keeps_its_state_and_a_changed_one_is_requeued(db) -> None:
    assert store.save_pages(db, [fetched("u1")]) == (1, 0)
    store.mark_page(db, "u1", "article")
    assert store.save_pages(db, [fetched("u1", at="2026-11-27T00:00:00+00:00")]) == (0, 1)
    assert store.pages_to_process(db) == []
    assert store.save_pages(db, [fetched("u1", html="<p>two</p>")]) == (1, 0)
    assert store.pages_to_process(db) == ["u1"]
    assert store.load_page(db, "u1").html == "<p>two</p>"
    assert store.load_page(db, "u1").first_seen_at == "2026-11-26T05:00:00+00:00"


def test_raw_html_is_stored_compressed(db) -> None:
    html = "<p>" + "rare earth " * 2000 + "</p>"
    store.save_pages(db, [fetched("u1", html=html)])
    size = db.execute("SELECT length(html_zlib) FROM pages").fetchone()[0]
    assert size < len(html) / 10


def test_saving_an_article_twice_keeps_one_row_and_a_current_index(db) -> None:
    store.save_pages(db, [fetched("p1")])
    store.save_article(db, article("a1"), page_url="p1", first_seen_at="2026-11-26T05:00:00+00:00")
    store.save_article(
        db,
        article("a1", title="Gold deal signed", text="Gold text."),
        page_url="p1",
        first_seen_at="2026-11-27T05:00:00+00:00",
    )
    assert store.count_articles(db) == 1
    assert [r["title"] for r in store.search(db, "gold")] == ["Gold deal signed"]
    assert store.search(db, "copper") == []
    row = db.execute("SELECT first_seen_at FROM articles").fetchone()
    assert row[0] == "2026-11-26T05:00:00+00:00"  # the first sighting is kept
    assert store.page_states(db) == {"article": 1}


def test_readonly_connection_cannot_write(tmp_path: Path, db) -> None:
    reader = store.open_readonly(tmp_path / "nd.db")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("INSERT INTO runs (kind, started_at, status) VALUES ('x', 'y', 'z')")


def test_readonly_open_of_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="newsdesk crawl"):
        store.open_readonly(tmp_path / "none.db")


def test_a_failed_write_rolls_back(db) -> None:
    with pytest.raises(RuntimeError), store.write(db):
        db.execute("INSERT INTO runs (kind, started_at, status) VALUES ('x', 'y', 'z')")
        raise RuntimeError
    assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_nested_writes_commit_together_or_not_at_all(db) -> None:
    """A page batch and the articles processed with it are one transaction."""

    def save_page_and_article() -> None:  # each call opens its own write block inside
        url = "https://e.com/a/"
        store.save_pages(db, [fetched(url)])
        store.save_article(
            db, article(url), page_url=url, first_seen_at="2026-11-26T05:00:00+00:00"
        )

    with pytest.raises(RuntimeError), store.write(db):
        save_page_and_article()
        raise RuntimeError
    assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    with store.write(db):
        save_page_and_article()
        assert db.conn.in_transaction  # the inner blocks did not commit
    assert store.page_states(db) == {"article": 1}


def test_run_detail_is_merged(db) -> None:
    run_id = store.start_run(db, "crawl")
    store.finish_run(db, run_id, "ok", {"exit_code": 0})
    store.finish_run(db, run_id, "ok", {"note": "again"})
    run = store.get_run(db, run_id)
    assert run["status"] == "ok"
    assert run["detail"] == {"exit_code": 0, "note": "again"}
    assert run["finished_at"] >= run["started_at"]


def test_a_store_of_the_first_schema_is_upgraded_with_every_row_kept(tmp_path: Path) -> None:
    from sqlite_utils import Database

    path = tmp_path / "old.db"
    old = Database(path)
    store.migrations.apply(old, stop_before="m002_aliases_and_source_runs")
    assert [m.name for m in store.migrations.applied(old)] == ["m001_initial"]
    old["pages"].insert(
        {
            "url": "u1",
            "source": "s",
            "first_seen_at": "2025-01-01T00:00:00+00:00",
            "fetched_at": "2025-01-01T00:00:00+00:00",
            "state": "article",
            "html_zlib": b"x",
            "html_sha256": "h",
        }
    )
    old["articles"].insert(
        {
            "url": "a1",
            "page_url": "u1",
            "source": "s",
            "title": "Old copper story",
            "text": "Copper text.",
            "summary": "Copper.",
            "first_seen_at": "2025-01-01T00:00:00+00:00",
        }
    )
    old["runs"].insert({"kind": "crawl", "started_at": "2025-01-01T00:00:00+00:00", "status": "ok"})
    old["digests"].insert(
        {
            "day": "2025-01-01",
            "generated_at": "2025-01-02T02:00:00+00:00",
            "article_count": 1,
            "markdown_path": "m",
            "html_path": "h",
        }
    )
    old.close()

    db = store.open_db(path)
    assert store.migrations.pending(db) == []
    assert db.execute("SELECT url, state, attempts FROM pages").fetchall() == [("u1", "article", 0)]
    assert db.execute("SELECT title, story_id FROM articles").fetchall() == [
        ("Old copper story", None)
    ]
    assert db.execute("SELECT kind, status FROM runs").fetchall() == [("crawl", "ok")]
    assert db.execute("SELECT day, status FROM digests").fetchall() == [("2025-01-01", "done")]
    assert [r["title"] for r in store.search(db, "copper")] == ["Old copper story"]


def test_a_brief_is_a_known_page_and_other_refused_pages_are_listings(db) -> None:
    """What the crawl does with a page it meets again: a known page is skipped, a listing
    read again for links (the cluster's seen set says the same)."""
    reasons = {
        "https://s.example/brief/": "too short (12 words; an article needs 80)",
        "https://s.example/teaser/": "teaser or paywall only (60 words)",
        "https://s.example/tag/": "listing page (og:type website)",
        "https://s.example/odd/": None,
    }
    store.save_pages(db, [fetched(url) for url in reasons])
    for url, reason in reasons.items():
        store.mark_page(db, url, "not_article", reason)
    assert [store.known_page(db, url) for url in reasons] == [True, True, False, False]
    assert [store.known_listing(db, url) for url in reasons] == [False, False, True, True]
    assert dict(store.known_urls(db)) == dict(zip(reasons, [False, False, True, True], strict=True))
    assert all(verdict.replace(" ", "").isalpha() for verdict in store.BRIEF_VERDICTS)
