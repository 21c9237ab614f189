"""What changed to keep search and the digest fast on a large store (issue #9 item 5): the
search window, its filters, the feed's cached entries, story ids written once, and the
cheaper MinHash signatures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest import store, stories
from digest.build import Digest, DigestItem, Section
from digest.config import Topic
from digest.render import FEED_CACHE, digest_json, render_feed
from digest.store import articles as store_articles


@pytest.fixture
def db(tmp_path: Path):
    database = store.open_db(tmp_path / "nd.db")
    yield database
    database.close()


def save(db, n: int, *, source: str, day: int, text: str, topic: str | None = None) -> None:
    url = f"https://{source}.example/{day}/{n}/"
    seen = f"2026-11-{day:02d}T05:00:00+00:00"
    row = {"url": url, "source": source, "title": f"Story {n}", "text": text, "summary": text}
    store.save_article(db, row, page_url=url, first_seen_at=seen)
    store.set_topics(db, url, [topic] if topic else [])


@pytest.fixture
def copper(db):
    """Ten copper articles, one a day: the older, the more copper (the better bm25); the
    five oldest are on the topic, so that a topic filter keeps what the window alone drops."""
    for n in range(1, 11):
        text = " ".join(["copper"] * (12 - n) + ["filler words here"] * 20)
        save(db, n, source="a" if n % 2 else "b", day=n, text=text, topic="Minerals" * (n < 6))
    return db


def titles(rows: list[dict]) -> list[str]:
    return [r["title"] for r in rows]


def test_a_search_ranks_the_newest_matches_only(copper, monkeypatch) -> None:
    assert titles(store.search(copper, "copper", limit=3)) == ["Story 1", "Story 2", "Story 3"]
    monkeypatch.setattr(store_articles, "SEARCH_WINDOW", 4)
    assert titles(store.search(copper, "copper", limit=3)) == ["Story 7", "Story 8", "Story 9"]
    every = store.find_articles(copper, store.ArticleQuery(text="copper", limit=None))
    assert len(every) == 10  # an export ranks every match


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"source": "b"}, ["Story 6", "Story 8", "Story 10"]),
        ({"topic": "Minerals"}, ["Story 3", "Story 4", "Story 5"]),
        ({"source": "b", "topic": "Minerals"}, ["Story 2", "Story 4"]),
        ({"since": "2026-11-09"}, ["Story 9", "Story 10"]),
        ({"until": "2026-11-06"}, ["Story 3", "Story 4", "Story 5"]),
        ({"since": "2026-11-02", "until": "2026-11-06", "source": "a"}, ["Story 3", "Story 5"]),
    ],
    ids=["source", "topic", "source+topic", "since", "until", "window+source"],
)
def test_the_window_holds_the_newest_matches_that_pass_the_filters(
    copper, monkeypatch, filters, expected
) -> None:
    monkeypatch.setattr(store_articles, "SEARCH_WINDOW", 3)
    rows = store.find_articles(copper, store.ArticleQuery(text="copper", limit=3, **filters))
    assert titles(rows) == expected
    assert all("[copper]" in r["snippet"] for r in rows)


def test_a_search_with_a_window_larger_than_its_matches_ranks_them_all(copper) -> None:
    query = store.ArticleQuery(text="copper", since="2026-11-03", source="a", limit=2)
    every = store.find_articles(copper, store.ArticleQuery(**{**query.__dict__, "limit": None}))
    assert titles(store.find_articles(copper, query)) == titles(every)[:2]


def test_an_empty_time_window_finds_nothing(copper) -> None:
    query = store.ArticleQuery(text="copper", since="2026-11-08", until="2026-11-02")
    assert store.find_articles(copper, query) == []
    assert (
        store.find_articles(copper, store.ArticleQuery(since="2026-11-08", until="2026-11-02"))
        == []
    )


def test_story_ids_already_recorded_are_not_rewritten(copper) -> None:
    store.set_stories(copper, [[1, 2], [3]])
    before = copper.execute("SELECT total_changes()").fetchone()[0]
    store.set_stories(copper, [[1, 2], [3]])
    assert copper.execute("SELECT total_changes()").fetchone()[0] == before
    rows = copper.execute("SELECT id, story_id FROM articles WHERE id <= 3 ORDER BY id")
    assert rows.fetchall() == [(1, 1), (2, 1), (3, 3)]


def test_only_a_text_update_reindexes_an_article(copper) -> None:
    def fts_writes() -> int:
        return copper.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0]

    before = fts_writes()
    copper.execute("UPDATE articles SET story_id = 1, updated_at = 'x' WHERE id <= 5")
    assert fts_writes() == before  # no FTS5 segment written
    row = {"url": "https://a.example/1/1/", "source": "a", "title": "Story 1", "text": "gold"}
    store.save_article(copper, row, page_url=row["url"], first_seen_at="2026-11-01T05:00:00+00:00")
    assert titles(store.search(copper, "gold")) == ["Story 1"]
    assert "Story 1" not in titles(store.search(copper, "copper", limit=20))


def a_digest(day: date, title: str) -> Digest:
    item = DigestItem(title, "https://e.example/x/", "e", None, None, None, "A summary.")
    return Digest(day, "UTC", "2026-11-26T02:00:00+00:00", (Section("E", "source", (item,)),), ())


def test_feed_entries_are_rendered_once_and_again_when_their_digest_changes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "2026-11-25.json"
    path.write_text(digest_json(a_digest(date(2026, 11, 25), "First title")), encoding="utf-8")
    now = datetime(2026, 11, 26, 2, tzinfo=UTC)
    first = render_feed([path], now=now)
    cached = tmp_path / FEED_CACHE / "2026-11-25.entry.json"
    assert cached.exists() and "First title" in first
    entry = json.loads(cached.read_text(encoding="utf-8"))
    entry["content"] = "<p>kept in the cache</p>"  # what a second rendering cannot produce
    cached.write_text(json.dumps(entry), encoding="utf-8")
    assert "kept in the cache" in render_feed([path], now=now)  # from the cache
    # A new size as well as a new time: the cache is keyed on both.
    path.write_text(digest_json(a_digest(date(2026, 11, 25), "A newer title")), encoding="utf-8")
    again = render_feed([path], now=now)
    assert "A newer title" in again and "kept in the cache" not in again
    later = tmp_path / "2026-11-26.json"
    later.write_text(digest_json(a_digest(date(2026, 11, 26), "Later")), encoding="utf-8")
    render_feed([later], now=now)
    assert [p.name for p in cached.parent.iterdir()] == ["2026-11-26.entry.json"]


def test_near_duplicates_are_one_story_and_unrelated_texts_are_not() -> None:
    words = [f"w{i}" for i in range(400)]
    text = " ".join(words)
    copy = " ".join(["new", "lead", "sentence", *words[:-20]])
    other = " ".join(reversed(words))
    assert stories.signature(text).jaccard(stories.signature(copy)) > 0.8
    assert stories.signature(text).jaccard(stories.signature(other)) < 0.1
    assert stories.signature("").jaccard(stories.signature("")) == 1.0
    rows = [
        {"id": i, "text": t, "title": "", "source": s, "published_at": None, "first_seen_at": "x"}
        for i, (t, s) in enumerate([(text, "a"), (copy, "b"), (other, "c")])
    ]
    groups = sorted(sorted(a["id"] for a in s.articles) for s in stories.group_stories(rows))
    assert groups == [[0, 1], [2]]
    assert stories.group_stories([]) == []
    assert len(stories.signatures(["", "a b", text])) == 3


def test_topic_terms_match_whole_words_in_any_case() -> None:
    topics = [Topic("Energy", ("crude oil", "LNG")), Topic("Rates", ("policy rate",))]
    article = {"title": "Crude Oil imports fall", "summary": "", "text": "LNGs and a policy-rate"}
    assert [t.name for t in stories.topics_of(article, topics)] == ["Energy"]
    assert stories.topics_of({"title": "crudeoil", "text": "policy rates"}, topics) == []
