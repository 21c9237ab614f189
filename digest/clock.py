"""Moments as newsdesk writes and reads them: one format, ISO 8601 in UTC to the second
("2026-11-20T05:30:00+00:00"), the format of every timestamp in the store, the crawl
reports and the digests' metadata.

A page's own dates are another matter: ``digest.dates`` keeps the offset the page gave
(``published_local``) and uses ``to_utc_iso`` only for the UTC copy.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now in UTC, ISO 8601 to the second: "2026-11-20T05:30:00+00:00"."""
    return to_utc_iso(datetime.now(UTC))


def to_utc_iso(moment: datetime) -> str:
    """``moment`` in UTC, ISO 8601 to the second (fractions of a second are dropped). A
    naive ``moment`` is read as local time, as ``datetime.astimezone`` reads it."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def read_iso(text: str) -> datetime:
    """ISO 8601 text as written: a "Z" offset is +00:00, a moment without an offset stays
    naive and a bare date is midnight. ValueError when ``text`` is not ISO 8601."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_iso(text: str) -> datetime:
    """ISO 8601 text as an aware moment: a "Z" offset is +00:00 and a moment without an
    offset (or a bare date, at midnight) is UTC. ValueError when ``text`` is not ISO 8601."""
    moment = read_iso(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
