"""The schema, as sqlite-utils migrations, applied in order by ``open_db``.

The migration functions' names are recorded in every store (``_sqlite_migrations``):
never rename or reorder them; add new ones at the end.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("newsdesk")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("pages").create(
        {
            "url": str,
            "source": str,
            "final_url": str,
            "http_status": int,
            "content_type": str,
            "first_seen_at": str,
            "fetched_at": str,
            "html_zlib": bytes,
            "html_sha256": str,
            "state": str,
            "state_reason": str,
            "processed_at": str,
        },
        pk="url",
        not_null={"source", "first_seen_at", "fetched_at", "state"},
        defaults={"state": "pending"},
    )
    db.table("pages").create_index(["state"])
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "page_url": str,
            "source": str,
            "title": str,
            "author": str,
            "published_at": str,
            "language": str,
            "site_name": str,
            "summary": str,
            "text": str,
            "text_sha256": str,
            "first_seen_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"url", "source", "title", "text", "first_seen_at"},
    )
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["first_seen_at"])
    db.table("articles").create_index(["source", "first_seen_at"])
    db.table("articles").enable_fts(["title", "summary", "text"], create_triggers=True)
    db.table("runs").create(
        {
            "id": int,
            "kind": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "detail": str,
        },
        pk="id",
        not_null={"kind", "started_at", "status"},
    )
    db.table("digests").create(
        {
            "day": str,
            "generated_at": str,
            "article_count": int,
            "markdown_path": str,
            "html_path": str,
        },
        pk="day",
    )


@migrations()
def m002_aliases_and_source_runs(db: Database) -> None:
    db.table("aliases").create(
        {"url": str, "article_url": str, "source": str, "first_seen_at": str},
        pk="url",
        not_null={"article_url", "source", "first_seen_at"},
    )
    db.table("aliases").create_index(["article_url"])
    db.table("crawl_sources").create(
        {
            "run_id": int,
            "source": str,
            "status": str,
            "started_at": str,
            "finished_at": str,
            "duration_s": float,
            "requests": int,
            "pages_saved": int,
            "pages_unchanged": int,
            "listings_read": int,
            "not_modified": int,
            "known_skipped": int,
            "errors": str,
            "first_error": str,
        },
        pk=("run_id", "source"),
        not_null={"status"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("crawl_sources").create_index(["source", "run_id"])


@migrations()
def m003_article_metadata_and_attempts(db: Database) -> None:
    articles = db.table("articles")
    for column, kind in (
        ("standfirst", str),
        ("authors", str),
        ("credit", str),
        ("modified_at", str),
        ("image_url", str),
        ("tags", str),
        ("categories", str),
    ):
        articles.add_column(column, kind)
    db.table("pages").add_column("attempts", int, not_null_default=0)


@migrations()
def m004_digest_delivery(db: Database) -> None:
    db.table("digests").add_column("notified_at", str)
    db.table("digests").add_column("notify_error", str)


@migrations()
def m005_digest_claims(db: Database) -> None:
    digests = db.table("digests")
    digests.add_column("status", str)
    digests.add_column("claimed_at", str)
    digests.add_column("claimed_by", int)
    db.execute("UPDATE digests SET status = 'done'")


@migrations()
def m006_sources_stories_topics(db: Database) -> None:
    db.table("sources").create(
        {"name": str, "homepage": str, "added_at": str, "updated_at": str}, pk="name"
    )
    db.table("articles").add_column("story_id", int)
    db.table("articles").create_index(["story_id"])
    db.table("articles").create_index(["published_at"])
    db.table("article_topics").create(
        {"article_id": int, "topic": str},
        pk=("article_id", "topic"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_topics").create_index(["topic", "article_id"])
    db.create_view("stories", STORIES_VIEW)


@migrations()
def m007_article_when_indexes(db: Database) -> None:
    # Searches and listings filter and sort on coalesce(published_at, first_seen_at): with
    # these, --since/--until (and --source with them) read an index, not every row.
    when = 'coalesce("published_at", "first_seen_at")'
    db.execute(f'CREATE INDEX IF NOT EXISTS "idx_articles_when" ON "articles" ({when})')
    db.execute(
        f'CREATE INDEX IF NOT EXISTS "idx_articles_source_when" ON "articles" ("source", {when})'
    )


@migrations()
def m008_fts_update_trigger_on_indexed_columns(db: Database) -> None:
    # sqlite-utils' trigger re-indexed an article in FTS5 on any update: recording a day's
    # story ids re-indexed all its text (0.3 ms an article; issue #9 item 5). Only title,
    # summary and text are indexed, so only their updates need it. Then the index those
    # re-indexings grew (twice the size, searches ~1.3x slower at 100,000 articles) is
    # merged back into one segment, once.
    db.execute('DROP TRIGGER IF EXISTS "articles_au"')
    db.execute(
        """CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "summary", "text"
    ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "summary", "text")
    VALUES('delete', old.rowid, old."title", old."summary", old."text");
  INSERT INTO "articles_fts" (rowid, "title", "summary", "text")
    VALUES (new.rowid, new."title", new."summary", new."text");
END"""
    )
    db.execute("""INSERT INTO "articles_fts" ("articles_fts") VALUES ('optimize')""")


@migrations()
def m009_final_digests_and_claim_leases(db: Database) -> None:
    # A digest written before its day ended is provisional and no longer stops the final
    # one (issue #14). Older stores did not say which was which. A digest generated on a
    # later UTC date than its day is taken as final (the old daily job wrote day D at D+1
    # digest_time), and so is one already delivered: the reader had it, and rewriting it
    # as final would send it again. Any other is provisional, and catch-up rewrites it.
    digests = db.table("digests")
    digests.add_column("final", int, not_null_default=0)
    digests.add_column("articles_seen", int)
    digests.add_column("claimed_host", str)
    digests.add_column("lease_until", str)
    db.execute(
        "UPDATE digests SET final = 1 WHERE status = 'done' "
        "AND (generated_at >= date(day, '+1 day') OR notified_at IS NOT NULL)"
    )


@migrations()
def m010_article_page_time(db: Database) -> None:
    # The publication time as the page states it, with the page's own UTC offset: its
    # calendar day is the day in the publisher's zone (issue #17). published_at stays UTC.
    db.table("articles").add_column("published_local", str)


STORIES_VIEW = """SELECT a.story_id AS id,
       (SELECT title FROM articles AS lead WHERE lead.id = a.story_id) AS title,
       count(*) AS articles, count(DISTINCT a.source) AS sources,
       group_concat(DISTINCT a.source) AS source_names,
       min(a.first_seen_at) AS first_seen_at
  FROM articles AS a WHERE a.story_id IS NOT NULL GROUP BY a.story_id"""
