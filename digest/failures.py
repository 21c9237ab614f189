"""What a user meets when the machine or the store fails, said in one line: the cause and
the fix, with the exit code that goes with it (1: the work failed at run time).

The command line (scheduler.py) and the crawl process turn these exceptions into that line
instead of a traceback; ``newsdesk --debug`` shows the traceback as well.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from digest.store import StoreBusy, StoreFull, is_corruption

RECOVER_HINT = (
    "stop the service, then restore a backup of the store, or salvage what SQLite can read "
    "with `newsdesk recover` (docs/service.md, A damaged store)"
)


def explain(exc: BaseException, *, store: Path | None = None) -> str | None:
    """One line for a failure a user can cause or meet (a damaged, busy or full store, a
    read-only or full disk), or None for anything else: that one is a bug."""
    where = f" ({store})" if store else ""
    if is_corruption(exc):
        return f"the store is damaged{where}: {exc}. To go on, {RECOVER_HINT}"
    if isinstance(exc, StoreBusy):
        return (
            f"the store{where} stayed locked by another writer: {exc}. Try again in a "
            "minute; if it persists, look for a stuck newsdesk process (newsdesk status)"
        )
    if isinstance(exc, StoreFull) or _errno(exc) in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"no space left to write{where}: {exc}. Free disk space (or lower "
            "keep_pages_days and run the service's weekly maintenance), then run it again"
        )
    if _read_only(exc):
        target = getattr(exc, "filename", None) or store or "the data directory"
        return (
            f"cannot write {target}: {_reason(exc)}. Run newsdesk as a user who may write "
            "there, or point data_dir (newsdesk.toml) at a writable folder"
        )
    return None


def _errno(exc: BaseException) -> int | None:
    return exc.errno if isinstance(exc, OSError) else None


def _read_only(exc: BaseException) -> bool:
    if isinstance(exc, PermissionError) or _errno(exc) == errno.EROFS:
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and (
        "readonly" in text or "read-only" in text or "unable to open database file" in text
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
