"""Every failure a user can meet is one line with the cause and the fix (issue #15)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from digest import store
from digest.failures import explain

STORE = Path("/srv/newsdesk/data/newsdesk.db")


@pytest.mark.parametrize(
    ("exc", "cause", "fix"),
    [
        (store.StoreCorrupt("integrity check failed"), "the store is damaged", "newsdesk recover"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged", "restore a backup"),
        (store.StoreBusy("held through 4 attempts"), "locked by another writer", "Try again"),
        (store.StoreFull("the store cannot grow"), "no space left", "Free disk space"),
        (OSError(errno.ENOSPC, "No space left on device"), "no space left", "Free disk space"),
        (
            PermissionError(errno.EACCES, "Permission denied", "/srv/x"),
            "cannot write /srv/x",
            "writable folder",
        ),
        (
            OSError(errno.EROFS, "Read-only file system", "/srv/x"),
            "cannot write",
            "writable folder",
        ),
        (
            sqlite3.OperationalError("attempt to write a readonly database"),
            "cannot write",
            "writable",
        ),
    ],
)
def test_a_failure_a_user_meets_names_its_cause_and_fix(exc, cause: str, fix: str) -> None:
    line = explain(exc, store=STORE)
    assert line is not None and cause in line and fix in line
    assert "\n" not in line


def test_a_bug_is_not_explained_away() -> None:
    assert explain(ValueError("a bug")) is None
    assert explain(sqlite3.OperationalError("no such column: x")) is None
