"""`newsdesk status` prints every time one way: in the config's zone, to the second."""

from __future__ import annotations

from pathlib import Path

from digest.config import parse_config
from scheduler import _Clock


def test_local_utc_and_microsecond_times_print_alike(tmp_path: Path) -> None:
    cfg = parse_config(
        {"timezone": "Asia/Karachi", "sources": [{"name": "a", "homepage": "https://a.example/"}]},
        tmp_path / "newsdesk.toml",
    )
    clock = _Clock(cfg)
    assert clock.offset == "+05:00"
    same = "2026-12-05 10:00:00"
    assert clock("2026-12-05T05:00:00+00:00") == same  # a run's start, stored in UTC
    assert clock("2026-12-05T10:00:00.123456+05:00") == same  # APScheduler's next run
    assert clock("2026-12-05T05:00:00Z") == same
    assert clock("2026-12-05T05:00:00") == same  # no offset: UTC, as the store writes
    assert clock(None) is None
    assert clock("not a time") == "not a time"
