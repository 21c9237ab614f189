"""Runs (crawl, process, digest, maintenance), each source's crawl outcomes, and upkeep."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from digest.clock import utc_now
from digest.store.connection import write


def start_run(db: Database, kind: str) -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO runs (kind, started_at, status) VALUES (?, ?, 'running')",
            [kind, utc_now()],
        )
    return int(cursor.lastrowid or 0)


def finish_run(
    db: Database, run_id: int, status: str, detail: dict[str, Any] | None = None
) -> None:
    """Close a run with its status; ``detail`` is merged into what the run recorded so far."""
    with write(db):
        row = db.execute("SELECT detail FROM runs WHERE id = ?", [run_id]).fetchone()
        merged = {**json.loads(row[0] or "{}"), **(detail or {})} if row else dict(detail or {})
        db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, detail = ? WHERE id = ?",
            [utc_now(), status, json.dumps(merged, sort_keys=True), run_id],
        )


SOURCE_RUN_FIELDS = (
    "status",
    "started_at",
    "finished_at",
    "duration_s",
    "requests",
    "pages_saved",
    "pages_unchanged",
    "listings_read",
    "not_modified",
    "known_skipped",
    "errors",
    "first_error",
)


def record_source_run(db: Database, run_id: int, source: str, report: dict[str, Any]) -> None:
    """One source's outcome in one crawl run (``errors`` is a dict of kind -> count)."""
    row = {name: report.get(name) for name in SOURCE_RUN_FIELDS}
    row["errors"] = json.dumps(report.get("errors") or {}, sort_keys=True)
    with write(db):
        db.execute(
            f"""INSERT OR IGNORE INTO crawl_sources (run_id, source, {", ".join(row)})
                VALUES (?, ?, {", ".join("?" for _ in row)})""",
            [run_id, source, *row.values()],
        )


def last_source_runs(db: Database) -> list[dict[str, Any]]:
    """The latest crawl of each source, by source name."""
    latest = "run_id = (SELECT max(run_id) FROM crawl_sources WHERE source = c.source)"
    return _source_runs(db, latest, [])


def source_runs(db: Database, run_id: int) -> list[dict[str, Any]]:
    """Each source's outcome in one crawl run."""
    return _source_runs(db, "run_id = ?", [run_id])


def source_runs_between(db: Database, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
    """Every source outcome of the crawls that started in [start, end)."""
    return _source_runs(db, "started_at >= ? AND started_at < ?", [start_utc, end_utc])


def _source_runs(db: Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    sql = f"SELECT * FROM crawl_sources AS c WHERE {where} ORDER BY source, run_id"
    rows = list(db.query(sql, params))
    for row in rows:
        row["errors"] = json.loads(row["errors"] or "{}")
    return rows


def last_runs(db: Database) -> dict[str, dict[str, Any]]:
    """The latest run of each kind (crawl, process, digest, maintenance)."""
    cursor = db.execute("SELECT kind, max(id) FROM runs GROUP BY kind")
    return {kind: get_run(db, run_id) for kind, run_id in cursor.fetchall()}


def first_run_started(db: Database) -> str | None:
    """When the store's history begins: the start of its first run, or None."""
    started: str | None = db.execute("SELECT min(started_at) FROM runs").fetchone()[0]
    return started


def last_crawl_started(db: Database, source: str | None = None) -> str | None:
    """When the last crawl (of ``source``, or of all sources) started, or None."""
    if source is None:
        row = db.execute("SELECT max(started_at) FROM runs WHERE kind = 'crawl'").fetchone()
    else:
        row = db.execute(
            "SELECT max(started_at) FROM crawl_sources WHERE source = ?", [source]
        ).fetchone()
    return row[0] if row else None


def source_health(db: Database, source: str, *, since: str) -> dict[str, Any]:
    """A source's record since a time: crawls, failures, last success, new articles."""
    crawls, failed, last_ok = db.execute(
        """SELECT count(*), sum(status IN ('failed', 'skipped')),
                  max(CASE WHEN status IN ('ok', 'empty') THEN started_at END)
           FROM crawl_sources WHERE source = ? AND started_at >= ?""",
        [source, since],
    ).fetchone()
    articles = db.execute(
        "SELECT count(*) FROM articles WHERE source = ? AND first_seen_at >= ?", [source, since]
    ).fetchone()[0]
    return {"crawls": crawls, "failed": failed or 0, "last_success": last_ok, "articles": articles}


def maintain(db: Database, *, drop_html_before: str) -> dict[str, int]:
    """Weekly upkeep: drop the raw HTML of old processed pages (their rows stay, so they
    are still known), let SQLite refresh its statistics, and truncate the WAL."""
    with write(db):
        dropped = db.execute(
            """UPDATE pages SET html_zlib = NULL WHERE fetched_at < ? AND html_zlib IS NOT NULL
               AND state IN ('article', 'not_article', 'quarantined')""",
            [drop_html_before],
        ).rowcount
    db.execute("PRAGMA optimize")
    busy, wal_pages, moved = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return {"html_dropped": dropped, "wal_pages": wal_pages, "checkpointed": moved, "busy": busy}


def get_run(db: Database, run_id: int) -> dict[str, Any]:
    [row] = db.query("SELECT * FROM runs WHERE id = ?", [run_id])
    row["detail"] = json.loads(row["detail"] or "{}")
    return row
