"""`newsdesk status` prints every time one way: in the config's zone, to the second."""

from __future__ import annotations

from pathlib import Path

from digest.config import parse_config
from digest.status import Clock, format_status


def test_local_utc_and_microsecond_times_print_alike(tmp_path: Path) -> None:
    cfg = parse_config(
        {"timezone": "Asia/Karachi", "sources": [{"name": "a", "homepage": "https://a.example/"}]},
        tmp_path / "newsdesk.toml",
    )
    clock = Clock(cfg)
    assert clock.offset == "+05:00"
    same = "2026-12-05 10:00:00"
    assert clock("2026-12-05T05:00:00+00:00") == same  # a run's start, stored in UTC
    assert clock("2026-12-05T10:00:00.123456+05:00") == same  # APScheduler's next run
    assert clock("2026-12-05T05:00:00Z") == same
    assert clock("2026-12-05T05:00:00") == same  # no offset: UTC, as the store writes
    assert clock(None) is None
    assert clock("not a time") == "not a time"


def test_seconds_stay_seconds_and_only_the_error_rate_is_a_percentage(tmp_path: Path) -> None:
    cfg = parse_config(
        {"timezone": "UTC", "sources": [{"name": "a", "homepage": "https://a.example/"}]},
        tmp_path / "newsdesk.toml",
    )
    report = {
        "service": {"running": False, "pid": None, "next_runs": {}},
        "last_runs": {},
        "digests": [],
        "sources": [{"source": "a", "articles_7d": 4, "error_rate_7d": 0.25, "warning": None}],
        "last_crawls": {
            "a": {"source": "a", "status": "ok", "duration_s": 0.83, "requests": 9, "errors": {}}
        },
    }
    text = format_status(cfg, report)
    crawl_row, health_row = (line.split() for line in text.splitlines() if line.startswith("a "))
    assert crawl_row == ["a", "ok", "0.83", "9"] and "83%" not in text
    assert health_row == ["a", "4", "25%"], text
