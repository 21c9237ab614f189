"""Digest days: a local calendar day's window in UTC, whether it has ended, and which days a
digest may be written for.

An article belongs to the day, in the configured zone, on which newsdesk first saw it.
The digest of a day that has not ended yet is provisional; once the day is over, the
digest written for it is final (docs/service.md states the whole rule).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from digest.clock import parse_iso, to_utc_iso
from digest.config import Config


class DayOutOfRange(ValueError):
    """A digest day before the store's history or after today: the message gives the range."""


def day_bounds(day: date, cfg: Config) -> tuple[datetime, datetime]:
    """The [start, end) of a local calendar day, as aware datetimes in the configured zone."""
    start = datetime.combine(day, time(0), tzinfo=cfg.tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=cfg.tz)


def day_window(day: date, cfg: Config) -> tuple[str, str]:
    """The UTC [start, end) of a local calendar day, as store timestamps."""
    start, end = day_bounds(day, cfg)
    return (
        to_utc_iso(start),
        to_utc_iso(end),
    )


def day_ended(day: date, cfg: Config, now: datetime) -> bool:
    """Whether the local day is over at ``now``: its digest can be final."""
    return now >= day_bounds(day, cfg)[1]


def first_day(first_run: str | None, cfg: Config, now: datetime) -> date:
    """The first day a digest may be written for: the local day of the store's first run
    (today, for a store with no run yet)."""
    if first_run is None:
        return now.astimezone(cfg.tz).date()
    return parse_iso(first_run).astimezone(cfg.tz).date()


def check_day(day: date, *, first: date, today: date) -> None:
    """Raise DayOutOfRange unless ``first`` <= ``day`` <= ``today``."""
    if not first <= day <= today:
        raise DayOutOfRange(
            f"no digest can be written for {day}: the store's days run from {first} "
            f"(its first run) to {today} (today); give a date in that range"
        )
