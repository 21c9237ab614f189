"""Salvaging a damaged store: every row SQLite can still read, copied into a new store.

SQLite's own recovery tool (``.recover`` in the ``sqlite3`` shell) needs the
``sqlite_dbpage`` table, which the SQLite builds that Debian and Python ship leave out. So
newsdesk reads the damaged file through SQLite's normal queries instead: table by table, in
rowid order; when a read meets a damaged page, it probes for the next readable rowid
(doubling the step) and goes on from there. Rows on damaged pages are lost, and a table
whose root page is damaged is lost whole (a truncated file is read as if its missing pages
were damaged ones); what is copied goes into a new store made with
the current schema, so its full-text index is built afresh by the store's own triggers.
Pages whose articles are lost are no longer known, so the next crawl fetches them again
while the sites still list them.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlite_utils import Database

from digest.store.connection import StoreCorrupt, declared_size, open_db, verify, write

# Parents before children; the stories view and the FTS shadow tables are derived.
TABLES = (
    "runs",
    "sources",
    "pages",
    "articles",
    "aliases",
    "article_topics",
    "crawl_sources",
    "digests",
)
PROBES = 48  # doubling steps past a damaged page: rowids up to 2**48 away


def salvage(damaged: Path, target: Path) -> dict[str, int]:
    """Copy every readable row of ``damaged`` into the new store ``target``; return how
    many rows each table kept. ``damaged`` is read from a copy and never changed."""
    if target.exists():
        raise FileExistsError(f"{target} exists: choose another --output, or move it away")
    with tempfile.TemporaryDirectory(prefix="newsdesk-salvage-", dir=target.parent) as folder:
        copy = Path(folder, damaged.name)
        shutil.copyfile(damaged, copy)
        _pad(copy)
        wal = damaged.with_name(f"{damaged.name}-wal")
        if wal.exists():  # committed rows not yet checkpointed: SQLite replays them
            shutil.copyfile(wal, copy.with_name(f"{copy.name}-wal"))
            try:
                return _salvage(copy, target)
            except StoreCorrupt:
                copy.with_name(f"{copy.name}-wal").unlink()
                target.unlink(missing_ok=True)
        return _salvage(copy, target)


def _pad(path: Path) -> None:
    """Give a truncated copy back the length its header says, as zero pages, so that SQLite
    reads what is left instead of refusing the file."""
    with path.open("rb") as handle:
        size = declared_size(handle.read(100))
    if size > path.stat().st_size:
        with path.open("r+b") as handle:
            handle.truncate(size)


def _salvage(damaged: Path, target: Path) -> dict[str, int]:
    source = sqlite3.connect(damaged)
    try:
        try:
            present = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise StoreCorrupt(
                f"SQLite cannot read {damaged} at all ({exc}): only a backup can help"
            ) from exc
        db = open_db(target)
        try:
            kept = {t: _copy(source, db, t) if t in present else 0 for t in TABLES}
            verify(db)
        finally:
            db.close()
    finally:
        source.close()
    return kept


def _copy(source: sqlite3.Connection, db: Database, table: str) -> int:
    """Copy ``table``'s readable rows (an article keeps its id); return how many."""
    wanted = [c.name for c in db.table(table).columns]
    try:
        have = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        return 0
    columns = [c for c in wanted if c in have]
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    copied, last = 0, -(2**63)
    while True:
        batch: list[tuple[object, ...]] = []
        try:
            for rowid, *values in source.execute(select, [last]):
                batch.append(tuple(values))
                last = max(last, rowid)  # a damaged b-tree may hand rowids out of order
            done = True
        except sqlite3.DatabaseError:
            done = False
        with write(db):
            db.conn.executemany(insert, batch)
        copied += len(batch)
        if done:
            return copied
        resumed = _next_readable(source, table, last)
        if resumed is None:
            return copied
        last = resumed


def _next_readable(source: sqlite3.Connection, table: str, last: int) -> int | None:
    """The smallest rowid past the damaged page after ``last`` from which rows can be read
    again: steps that double until a read works, then a binary search back between the
    last step that failed and the first that worked, so no readable row is skipped."""
    failed = last
    for k in range(PROBES):
        start = last + (1 << k)  # 2**k, typed int (int ** int may be a float)
        if not _readable(source, table, start):
            failed = start
            continue
        while start - failed > 1:
            middle = (failed + start) // 2
            if _readable(source, table, middle):
                start = middle
            else:
                failed = middle
        return start
    return None


def _readable(source: sqlite3.Connection, table: str, after: int) -> bool:
    """Whether the first row past ``after`` can be read (its page is sound)."""
    try:
        source.execute(f'SELECT rowid FROM "{table}" WHERE rowid > ? LIMIT 1', [after]).fetchall()
    except sqlite3.DatabaseError:
        return False
    return True
