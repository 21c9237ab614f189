"""Opening the store (writer or read-only), write transactions, and the store's time format."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from digest.store.schema import migrations

BUSY_TIMEOUT_MS = 10_000


def utcnow() -> str:
    """Now as a UTC ISO 8601 string, the one time format of the store."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect(db: Database) -> Database:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def open_db(path: Path) -> Database:
    """Open (creating if needed) the store for writing, upgraded to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _connect(Database(path))
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    migrations.apply(db)
    return db


def open_readonly(path: Path) -> Database:
    """Open the store read-only, for searches and reports that must never block a writer."""
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no store yet (run `newsdesk crawl` and `newsdesk process`)"
        )
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    return _connect(Database(conn))


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, taking the write lock up front (BEGIN IMMEDIATE)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
