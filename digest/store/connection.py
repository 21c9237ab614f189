"""Opening the store (writer or read-only), write transactions, and the store's time format."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from digest.config import fault_active
from digest.store.schema import migrations

BUSY_TIMEOUT_MS = 10_000  # each attempt to take the write lock waits this long
WRITE_ATTEMPTS = 4  # attempts, with backoff between them, before StoreBusy
BACKOFF_SECONDS = 0.5  # doubled after each failed attempt
_open: set[int] = set()  # connections (by id) inside a write(), for nesting


class StoreBusy(Exception):
    """Another writer kept the store locked through every attempt; nothing was written."""


class StoreFull(Exception):
    """The disk (or the store's size limit) is full; the transaction was rolled back."""


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
    if fault_active("store-full"):  # crash tests: the store cannot grow any more
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
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
    """One write transaction, taking the write lock up front (BEGIN IMMEDIATE), retried
    with backoff while another writer holds it. Any error rolls the whole transaction
    back; a full disk comes out as StoreFull, a lock never released as StoreBusy.

    Nested uses join the outer transaction, so callers can batch several saves into one
    commit: ``with write(db): save_pages(...); save_article(...)``."""
    if id(db.conn) in _open:
        yield db
        return
    _begin(db)
    _open.add(id(db.conn))
    try:
        yield db
        db.conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(db)
        if "full" in str(exc).lower():
            raise StoreFull(f"the store cannot grow: {exc}") from exc
        raise
    except BaseException:
        _rollback(db)
        raise
    finally:
        _open.discard(id(db.conn))


def _begin(db: Database) -> None:
    for attempt in range(WRITE_ATTEMPTS):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                raise
            if attempt == WRITE_ATTEMPTS - 1:
                raise StoreBusy(
                    f"another writer held the store through {WRITE_ATTEMPTS} attempts: {exc}"
                ) from exc
            time.sleep(BACKOFF_SECONDS * 2**attempt)


def _rollback(db: Database) -> None:
    if db.conn.in_transaction:  # SQLite may already have rolled back (disk full)
        db.conn.execute("ROLLBACK")
