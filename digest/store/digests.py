"""Daily digests: claims on a day, what was written, deliveries, and crash recovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlite_utils import Database

from digest.store.connection import utcnow, write


def claim_digest(db: Database, day: str, *, pid: int) -> bool:
    """Claim the right to write day's digest; False if another writer holds the claim.

    A compare-and-set on the row: one attempt wins even when two run at once."""
    with write(db):
        cursor = db.execute(
            """INSERT INTO digests (day, status, claimed_at, claimed_by)
               VALUES (?, 'writing', ?, ?)
               ON CONFLICT(day) DO UPDATE SET status = 'writing',
                   claimed_at = excluded.claimed_at, claimed_by = excluded.claimed_by
               WHERE digests.status IS NOT 'writing'""",
            [day, utcnow(), pid],
        )
        return cursor.rowcount == 1


def release_digest(db: Database, day: str) -> None:
    """Give up a claim after a failed write, so the next attempt can take it."""
    with write(db):
        db.execute(
            "UPDATE digests SET status = 'failed' WHERE day = ? AND status = 'writing'", [day]
        )


def digest_days_done(db: Database, *, since: str) -> set[str]:
    rows = db.execute("SELECT day FROM digests WHERE status = 'done' AND day >= ?", [since])
    return {row[0] for row in rows.fetchall()}


def recover_after_crash(db: Database) -> tuple[int, int]:
    """For the one service that holds the data directory's lock: runs left 'running' and
    digest claims left 'writing' by a process that died are marked as interrupted/failed.
    Returns (runs, claims) recovered."""
    with write(db):
        runs = db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
            [utcnow()],
        ).rowcount
        claims = db.execute(
            "UPDATE digests SET status = 'failed' WHERE status = 'writing'"
        ).rowcount
    return runs, claims


def record_digest(db: Database, day: str, *, count: int, markdown: Path, html: Path) -> None:
    with write(db):
        db.execute(
            """INSERT INTO digests (day, generated_at, article_count, markdown_path, html_path)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(day) DO UPDATE SET generated_at = excluded.generated_at,
                   status = 'done',
                   notified_at = NULL, notify_error = NULL,
                   article_count = excluded.article_count,
                   markdown_path = excluded.markdown_path, html_path = excluded.html_path""",
            [day, utcnow(), count, str(markdown), str(html)],
        )


def undelivered_digests(db: Database, *, since: str) -> list[dict[str, Any]]:
    """Digests from ``since`` (a day) on that were not delivered, oldest first."""
    cursor = db.execute(
        "SELECT day, markdown_path FROM digests WHERE notified_at IS NULL AND day >= ? "
        "ORDER BY day",
        [since],
    )
    return [{"day": day, "markdown_path": path} for day, path in cursor.fetchall()]


def record_delivery(db: Database, day: str, *, error: str | None) -> None:
    """A delivery attempt: sent (``error`` None) or failed with its reason."""
    with write(db):
        db.execute(
            "UPDATE digests SET notified_at = ?, notify_error = ? WHERE day = ?",
            [None if error else utcnow(), error, day],
        )


def get_digest(db: Database, day: str) -> dict[str, Any] | None:
    cursor = db.execute("SELECT * FROM digests WHERE day = ?", [day])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None
