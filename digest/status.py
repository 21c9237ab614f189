"""``newsdesk status`` as text: the service's report (``digest.service.status_report``)
with every time in the config's zone, to the second."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from digest.clock import parse_iso
from digest.config import Config
from digest.query import format_table

CRAWL_COLUMNS = (
    ("source", "source"),
    ("status", "status"),
    ("started_at", "last crawl"),
    ("duration_s", "seconds"),
    ("requests", "requests"),
    ("pages_saved", "new pages"),
    ("known_skipped", "known"),
    ("not_modified", "304s"),
    ("errors", "errors"),
)
HEALTH_COLUMNS = (
    ("source", "source"),
    ("last_success", "last success"),
    ("articles_7d", "articles 7d"),
    ("error_rate_7d", "error rate 7d"),
    ("warning", "warning"),
)


class Clock:
    """Every time ``status`` prints, one way: in the config's zone, to the second."""

    def __init__(self, cfg: Config) -> None:
        self.tz = cfg.tz
        offset = datetime.now(cfg.tz).strftime("%z")
        self.offset = f"{offset[:3]}:{offset[3:]}"

    def __call__(self, value: Any) -> str | None:
        if not value:
            return None
        try:
            moment = parse_iso(str(value))
        except ValueError:
            return str(value)
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")


def format_status(cfg: Config, report: dict[str, Any]) -> str:
    """The report as text: the service, each source's last crawl, each source's health."""
    clock = Clock(cfg)
    crawls = report["last_crawls"]
    rows = [_crawl_row(crawls, src.name, clock) for src in cfg.sources]
    health = [
        {**r, "last_success": clock(r.get("last_success")), "error_rate_7d": _percent(r)}
        for r in report["sources"]
    ]
    return (
        f"{_service_lines(report, clock)}\n{format_table(CRAWL_COLUMNS, rows)}\n\n"
        f"{format_table(HEALTH_COLUMNS, health)}\n\n(times in {cfg.timezone}, UTC{clock.offset})"
    )


def _percent(row: dict[str, Any]) -> str | None:
    rate = row.get("error_rate_7d")
    return None if rate is None else f"{rate:.0%}"


def _service_lines(report: dict[str, Any], clock: Clock) -> str:
    service = report["service"]
    state = f"running (PID {service['pid']})" if service["running"] else "not running"
    lines = [f"service: {state}"]
    if service.get("store_damaged"):
        lines.append(f"  refused to run: {service['store_damaged']}")
    lines += [f"  next {job}: {clock(when)}" for job, when in sorted(service["next_runs"].items())]
    for kind, run in sorted(report["last_runs"].items()):
        lines.append(f"last {kind}: {run['status']} (started {clock(run['started_at'])})")
    for row in report["digests"]:
        lines.append(f"digest {row['day']}: {_digest_state(row, clock)}")
    return "\n".join(lines) + "\n"


def _digest_state(row: dict[str, Any], clock: Clock) -> str:
    if row["status"] != "done":
        return str(row["status"])  # writing, or failed (due again)
    kind = "final" if row["final"] else "provisional (the final one comes after the day)"
    stories = f"{row['article_count']} stor{'y' if row['article_count'] == 1 else 'ies'}"
    sent = ""
    if row["final"] and row["notify_error"]:
        sent = f", not delivered: {row['notify_error']}"
    return f"{kind}, {stories}, written {clock(row['generated_at'])}{sent}"


def _crawl_row(crawls: dict[str, dict[str, Any]], name: str, clock: Clock) -> dict[str, Any]:
    row = crawls.get(name, {"source": name, "status": "never crawled"})
    errors = ", ".join(f"{k} {n}" for k, n in sorted((row.get("errors") or {}).items()))
    return {**row, "errors": errors, "started_at": clock(row.get("started_at"))}
