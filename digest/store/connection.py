"""Opening the store (writer or read-only) and write transactions. The store's time format
is ``digest.clock``'s."""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
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


class StoreCorrupt(Exception):
    """The store file is damaged: truncated, not a SQLite file, or with broken pages or
    full-text index. The message says what was found; docs/service.md says what to do."""


SQLITE_MAGIC = b"SQLite format 3\x00"
CORRUPTION = ("malformed", "not a database", "disk image", "corrupt")


def is_corruption(exc: BaseException) -> bool:
    """Whether an error means a damaged file (rather than a busy or full one): our own
    StoreCorrupt, or SQLite's word for it."""
    if isinstance(exc, StoreCorrupt):
        return True
    return isinstance(exc, sqlite3.DatabaseError) and any(
        word in str(exc).lower() for word in CORRUPTION
    )


def declared_size(header: bytes) -> int:
    """The file size a SQLite header declares: page size times page count (0 if unknown)."""
    if len(header) < 100:
        return 0
    page_size = int.from_bytes(header[16:18], "big")
    return (65536 if page_size == 1 else page_size) * int.from_bytes(header[28:32], "big")


# The stores this process has open, by file: see check_file.
_open_stores: dict[str, weakref.WeakSet[Database]] = {}


def _remember(path: Path, db: Database) -> Database:
    _open_stores.setdefault(str(path.resolve()), weakref.WeakSet()).add(db)
    return db


def in_use(path: Path) -> bool:
    """Whether this process holds an open SQLite connection to ``path``."""
    for db in list(_open_stores.get(str(path.resolve()), ())):
        try:
            db.conn.total_changes  # noqa: B018  # raises once the connection is closed
        except sqlite3.ProgrammingError:
            continue
        return True
    return False


def check_file(path: Path) -> None:
    """Raise StoreCorrupt unless ``path`` starts with a SQLite header and is as long as its
    header says: catches a garbage header and a truncated file, reading 100 bytes.

    Not while this process has the store open: SQLite's locks are POSIX advisory locks,
    which belong to the process, and closing any other descriptor of the file drops them
    all. Another process could then take the store for unused, checkpoint it and reset
    its WAL under this process's writer, and committed pages were lost (a reader polling
    during a crawl showed it). The first open checked the file; SQLite's own errors and
    ``verify`` cover it afterwards."""
    if in_use(path):
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # a new, empty file: SQLite makes it a store
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreCorrupt(f"{path} is not a SQLite database (its header is damaged)")
    declared = declared_size(header)
    header_valid = header[24:28] == header[92:96]  # "in-header database size" is valid
    wal = path.with_name(f"{path.name}-wal")
    if wal.exists() and wal.stat().st_size:
        # A checkpoint writes page 1 (the new size) before the pages that lengthen the
        # file: while a WAL holds pages, a short file is not a truncated one. quick_check
        # and SQLite's own errors catch a real truncation then.
        return
    if header_valid and declared and size < declared:
        raise StoreCorrupt(f"{path} is truncated: {size} bytes where its header says {declared}")


def verify(db: Database, *, fts: bool = True) -> None:
    """Read the whole store (``PRAGMA quick_check``, about a second per GB) and, with
    ``fts``, the full-text index's integrity check; raise StoreCorrupt on a problem."""
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise StoreCorrupt(f"integrity check failed: {'; '.join(problems[:3])}")
        if fts and "articles_fts" in db.table_names():
            db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise StoreCorrupt(str(exc)) from exc
        raise


def _connect(db: Database) -> Database:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return db


def open_db(path: Path) -> Database:
    """Open (creating if needed) the store for writing, upgraded to the current schema.
    A damaged header or a truncated file raises StoreCorrupt (``verify`` reads the rest)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    check_file(path)
    db = _remember(path, _connect(Database(path)))
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        if is_corruption(exc):
            raise StoreCorrupt(f"{path}: {exc}") from exc
        raise
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
    check_file(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if nobody_writes(path.parent) and not path.with_name(f"{path.name}-wal").exists():
        # A folder nobody can write in: no writer can be at work (a WAL writer must create
        # its -wal file), and SQLite could not create the shared-memory file a WAL reader
        # needs, so read the file as it is. A folder that only this user cannot write in
        # is not one: the service's user may be writing there.
        uri += "&immutable=1"
    return _remember(path, _connect(Database(sqlite3.connect(uri, uri=True))))


FS_IOC_GETFLAGS = 0x80086601  # Linux: a file's inode flags
FS_IMMUTABLE_FL = 0x10


def nobody_writes(folder: Path) -> bool:
    """Whether no process can create files in ``folder``: a read-only file system, an
    immutable folder (chattr +i), or a folder with no write permission for anyone."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
        if not folder.stat().st_mode & 0o222:
            return True
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags, True)
        return bool(flags[0] & FS_IMMUTABLE_FL)
    except OSError:
        return False  # no such ioctl here (not Linux, or the file system has no flags)
    finally:
        os.close(fd)


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
    except sqlite3.DatabaseError as exc:
        _rollback(db)
        if "full" in str(exc).lower():
            raise StoreFull(f"the store cannot grow: {exc}") from exc
        if is_corruption(exc):
            raise StoreCorrupt(str(exc)) from exc
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
        # A damaged file may refuse even that; the caller reports the first error.
        with contextlib.suppress(sqlite3.DatabaseError):
            db.conn.execute("ROLLBACK")
