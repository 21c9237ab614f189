"""Daily digests: claims on a day (a holder and a lease), what was written (provisional or
final), deliveries, and crash recovery."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from digest.clock import parse_iso, to_utc_iso, utc_now
from digest.store.connection import write

LEASE_SECONDS = 600  # a claim older than this is taken over, whoever holds it


@dataclass(frozen=True)
class Holder:
    """Who claims a day: a process on a host. Defaults to this process."""

    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)


def claim_digest(
    db: Database, day: str, *, holder: Holder | None = None, lease_seconds: float = LEASE_SECONDS
) -> bool:
    """Claim the right to write day's digest; False while another live writer holds it.

    The claim names its holder (host and PID) and a lease. A claim whose holder is gone
    (same host, no such process) or whose lease has expired is taken over, so a writer
    killed mid-way never blocks the day for longer than the next attempt. Reading and
    updating the row happen in one write transaction: of two attempts at once, one wins."""
    holder = holder or Holder()
    now = datetime.now(UTC)
    lease = to_utc_iso(now + timedelta(seconds=lease_seconds))
    with write(db):
        row = db.execute(
            "SELECT status, claimed_by, claimed_host, lease_until FROM digests WHERE day = ?",
            [day],
        ).fetchone()
        if row is not None and row[0] == "writing" and claim_alive(*row[1:], now=now):
            return False
        db.execute(
            """INSERT INTO digests (day, status, claimed_at, claimed_by, claimed_host,
                   lease_until)
               VALUES (?, 'writing', ?, ?, ?, ?)
               ON CONFLICT(day) DO UPDATE SET status = 'writing',
                   claimed_at = excluded.claimed_at, claimed_by = excluded.claimed_by,
                   claimed_host = excluded.claimed_host, lease_until = excluded.lease_until""",
            [day, to_utc_iso(now), holder.pid, holder.host, lease],
        )
    return True


def claim_alive(
    pid: int | None, host: str | None, lease_until: str | None, *, now: datetime
) -> bool:
    """Whether a claim still binds: its lease runs and, on this host, its process lives.
    A claim from before leases existed (no lease) binds no one."""
    if lease_until is None or parse_iso(lease_until) <= now:
        return False
    if host == socket.gethostname() and pid is not None:
        return process_alive(pid)
    return True


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host; a zombie (dead, not yet reaped by its
    parent) does not count."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc here: the signal check has to do
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def release_digest(db: Database, day: str, *, holder: Holder | None = None) -> None:
    """Give up our claim after a failed write, so the next attempt can take it."""
    holder = holder or Holder()
    with write(db):
        db.execute(
            "UPDATE digests SET status = 'failed' WHERE day = ? AND status = 'writing' "
            "AND claimed_by = ? AND claimed_host IS ?",
            [day, holder.pid, holder.host],
        )


def final_digests(db: Database, *, since: str) -> dict[str, int | None]:
    """Days from ``since`` on whose final digest is written, with the number of articles
    it was built from (None when it was written before that was recorded)."""
    rows = db.execute(
        "SELECT day, articles_seen FROM digests WHERE status = 'done' AND final = 1 AND day >= ?",
        [since],
    )
    return {day: seen for day, seen in rows.fetchall()}


def recover_after_crash(db: Database) -> tuple[int, int]:
    """For the one service that holds the data directory's lock: runs left 'running' by a
    process that died are marked interrupted, and digest claims whose holder is gone are
    marked failed (a claim held by a live ``newsdesk digest`` stays). Returns (runs,
    claims) recovered."""
    now = datetime.now(UTC)
    with write(db):
        runs = db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
            [utc_now()],
        ).rowcount
        claims = db.execute(
            "SELECT day, claimed_by, claimed_host, lease_until FROM digests "
            "WHERE status = 'writing'"
        ).fetchall()
        dead = [day for day, *claim in claims if not claim_alive(*claim, now=now)]
        for day in dead:
            db.execute("UPDATE digests SET status = 'failed' WHERE day = ?", [day])
    return runs, len(dead)


class ClaimLost(Exception):
    """Another process took this day's claim over (ours outlived its lease): what we wrote
    is not recorded, and the other writer's digest stands."""


def holds_claim(db: Database, day: str, *, holder: Holder | None = None) -> bool:
    """Whether ``holder`` (this process) still holds day's claim."""
    holder = holder or Holder()
    row = db.execute(
        "SELECT 1 FROM digests WHERE day = ? AND status = 'writing' AND claimed_by = ? "
        "AND claimed_host IS ?",
        [day, holder.pid, holder.host],
    ).fetchone()
    return row is not None


def record_digest(
    db: Database,
    day: str,
    *,
    count: int,
    articles: int,
    final: bool,
    markdown: Path,
    html: Path,
    holder: Holder | None = None,
) -> None:
    """Record day's digest as written, ``final`` when its day had ended, if ``holder``
    still holds the day's claim (ClaimLost otherwise). A final digest written again (late
    articles, a manual rewrite) keeps its delivery state; a final digest that replaces a
    provisional one is due for delivery."""
    holder = holder or Holder()
    with write(db):
        cursor = db.execute(
            """UPDATE digests SET generated_at = ?, status = 'done',
                   notified_at = CASE WHEN final AND ? THEN notified_at END,
                   notify_error = CASE WHEN final AND ? THEN notify_error END,
                   final = ?, article_count = ?, articles_seen = ?,
                   markdown_path = ?, html_path = ?
               WHERE day = ? AND status = 'writing' AND claimed_by = ?
                   AND claimed_host IS ?""",
            [
                utc_now(),
                int(final),
                int(final),
                int(final),
                count,
                articles,
                str(markdown),
                str(html),
                day,
                holder.pid,
                holder.host,
            ],
        )
        if cursor.rowcount != 1:
            raise ClaimLost(f"the digest of {day} was taken over by another process")


def delete_digest(db: Database, day: str) -> bool:
    """Remove day's row; False if there was none."""
    with write(db):
        return bool(db.execute("DELETE FROM digests WHERE day = ?", [day]).rowcount == 1)


def recent_digests(db: Database, *, limit: int = 3) -> list[dict[str, Any]]:
    """The last ``limit`` digests, newest day first."""
    return list(
        db.query(
            "SELECT day, status, final, generated_at, article_count, notified_at, notify_error "
            "FROM digests ORDER BY day DESC LIMIT ?",
            [limit],
        )
    )


def undelivered_digests(db: Database, *, since: str) -> list[dict[str, Any]]:
    """Final digests from ``since`` (a day) on that were not delivered, oldest first. A
    provisional digest is never sent: the day's final one will be."""
    return list(
        db.query(
            "SELECT day, markdown_path FROM digests WHERE notified_at IS NULL AND day >= ? "
            "AND status = 'done' AND final = 1 ORDER BY day",
            [since],
        )
    )


def record_delivery(db: Database, day: str, *, error: str | None) -> None:
    """A delivery attempt: sent (``error`` None) or failed with its reason."""
    with write(db):
        db.execute(
            "UPDATE digests SET notified_at = ?, notify_error = ? WHERE day = ?",
            [None if error else utc_now(), error, day],
        )


def get_digest(db: Database, day: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM digests WHERE day = ?", [day]))
    return rows[0] if rows else None
