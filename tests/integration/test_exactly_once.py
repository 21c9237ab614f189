"""Each article in exactly one final digest, whatever the user runs (issue #14): provisional
digests of today never stop the day's final one; a claim dies with its holder; digest days
are checked; a busy day is exit 1, a bad date exit 2; files are readable as the umask says.

Real subprocesses (`newsdesk ...`, the service), a generated site on 127.0.0.1, real SQLite
files. The day-boundary steps run the service's own job functions with ``now`` injected
(the day after), and the tests run in a zone where it is midday, so no day ends while a
test runs."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bench.site import generate_site, newsdesk_toml
from crawler.siteserver import serve_site
from digest import build, jobs, store
from digest.config import Config, load_config
from tests.conftest import newsdesk
from tests.integration.test_service import wait_for
from tests.integration.test_service_schedule import ready

STEP = 10  # minutes between the generated site's articles


def midday_zone() -> str:
    """A zone in which it is now 12:xx, so a test's "today" lasts the whole test."""
    offset = 12 - datetime.now(UTC).hour  # from -11 to +12 hours, all real Etc zones
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@pytest.fixture
def wire(tmp_path: Path) -> Iterator[tuple[object, Path]]:
    """A generated news site (6 articles) on 127.0.0.1 and a config that follows it."""
    (tmp_path / "site").mkdir()
    with serve_site(tmp_path / "site") as server:
        generate_site(
            server.root, 6, now=datetime.now(UTC), base=server.base_url, step_minutes=STEP
        )
        settings = f'download_delay = 0.0\ntimezone = "{midday_zone()}"\ndigest_time = "07:00"'
        (tmp_path / "newsdesk.toml").write_text(newsdesk_toml(server.base_url, settings=settings))
        yield server, tmp_path


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = newsdesk(*args, cwd=cwd, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def digest_json(cfg: Config, day: date) -> dict:
    return json.loads((cfg.digests_dir / f"{day}.json").read_text(encoding="utf-8"))


def urls_in(digest: dict) -> list[str]:
    items = [item for section in digest["sections"] for item in section["items"]]
    return [item["url"] for item in items] + [a["url"] for item in items for a in item["also"]]


def rows(cfg: Config, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(cfg.db_path) as conn:
        return conn.execute(sql, params).fetchall()


def morning_after(day: date, cfg: Config, hour: int = 8) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(hour), cfg.tz)


def test_a_provisional_digest_never_stops_the_final_one(wire) -> None:
    server, cwd = wire
    cfg = load_config(cwd / "newsdesk.toml")
    cli(cwd, "crawl", "--process")
    cli(cwd, "digest")  # "today so far", as a user runs it
    today = datetime.now(cfg.tz).date()
    early = digest_json(cfg, today)
    assert early["final"] is False and len(urls_in(early)) == 6
    assert "(provisional)" in (cfg.digests_dir / f"{today}.md").read_text(encoding="utf-8")
    assert rows(cfg, "SELECT status, final FROM digests") == [("done", 0)]
    assert "provisional" in cli(cwd, "status").stdout

    # Three more articles, first seen later the same day, through run --once (which also
    # writes a provisional digest of today).
    generate_site(
        server.root,  # type: ignore[attr-defined]
        9,
        now=datetime.now(UTC) + timedelta(minutes=3 * STEP),
        base=server.base_url,  # type: ignore[attr-defined]
        step_minutes=STEP,
    )
    cli(cwd, "run", "--once")
    assert rows(cfg, "SELECT count(*) FROM articles") == [(9,)]
    assert digest_json(cfg, today)["final"] is False

    # The daily job the morning after: the provisional digest does not count as done.
    assert jobs.digest_due_days(cfg, morning_after(today, cfg)) == [today]
    assert jobs.catch_up_digests(cfg, morning_after(today, cfg)) == [today]
    assert jobs.catch_up_digests(cfg, morning_after(today, cfg, 9)) == []  # once
    final = digest_json(cfg, today)
    assert final["final"] is True
    assert rows(cfg, "SELECT status, final, articles_seen FROM digests") == [("done", 1, 9)]
    assert "provisional" not in (cfg.digests_dir / f"{today}.md").read_text(encoding="utf-8")

    # The next day's final digest too: every stored article is in exactly one of them.
    jobs.catch_up_digests(cfg, morning_after(today + timedelta(days=1), cfg))
    finals = [digest_json(cfg, today), digest_json(cfg, today + timedelta(days=1))]
    assert all(d["final"] for d in finals)
    seen = Counter(url for d in finals for url in urls_in(d))
    assert seen == Counter(url for (url,) in rows(cfg, "SELECT url FROM articles"))
    assert set(seen.values()) == {1}


def test_articles_that_reach_a_finished_day_late_rewrite_its_final_digest(wire) -> None:
    _, cwd = wire
    cfg = load_config(cwd / "newsdesk.toml")
    cli(cwd, "crawl", "--process")
    today = datetime.now(cfg.tz).date()
    assert jobs.catch_up_digests(cfg, morning_after(today, cfg)) == [today]
    db = store.open_db(cfg.db_path)
    db.execute("UPDATE digests SET notified_at = '2026-01-01T00:00:00+00:00'")  # delivered
    db.conn.commit()
    late = {"url": "http://late.example/story/", "source": "wire", "title": "Late story"}
    late |= {"text": "A page fetched before midnight and processed after the digest.  " * 5}
    seen = rows(cfg, "SELECT min(first_seen_at) FROM articles")[0][0]
    store.save_article(db, late, page_url=late["url"], first_seen_at=seen)
    db.close()
    assert jobs.catch_up_digests(cfg, morning_after(today, cfg, 10)) == [today]
    assert late["url"] in urls_in(digest_json(cfg, today))
    assert rows(cfg, "SELECT final, articles_seen, notified_at IS NOT NULL FROM digests") == [
        (1, 7, 1)  # still final, and not delivered a second time
    ]


def test_a_killed_digest_writer_is_taken_over_by_the_running_service(
    tmp_path: Path, write_config
) -> None:
    cfg = write_config(
        '[[sources]]\nname = "quiet"\nhomepage = "http://127.0.0.1:9/"\n'
        "allow_private_address = true\n",
        f'timezone = "{midday_zone()}"\ndigest_time = "07:00"\ncrawl_interval_minutes = 0.1',
    )
    history_began(cfg, days=1)
    yesterday = datetime.now(cfg.tz).date() - timedelta(days=1)
    log = (tmp_path / "service.log").open("w")  # a pipe could fill up and stall it
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    service = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "run"], cwd=tmp_path, env=env, stderr=log, text=True
    )
    try:
        ready(service, tmp_path)
        wait_for(lambda: store_row(cfg, yesterday)[:2] == ("done", 1), 60, "yesterday's digest")
        env = {**os.environ, "NEWSDESK_FAULT": "before-replace:feed.xml"}
        writer = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "digest", "--date", str(yesterday)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: any(cfg.digests_dir.glob(".feed.xml.*.tmp")), 60, "the paused write")
        assert store_row(cfg, yesterday) == ("writing", 1, writer.pid)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        # No restart: the service's next attempt (after its next crawl) takes the day over.
        wait_for(lambda: store_row(cfg, yesterday) == ("done", 1, service.pid), 90, "the take-over")
        assert service.poll() is None
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=30)
    finally:
        service.kill()
        service.wait()
        log.close()
    assert code == 0, (tmp_path / "service.log").read_text()[-3000:]
    assert f"urn:newsdesk:digest:{yesterday}" in (cfg.digests_dir / "feed.xml").read_text()


def history_began(cfg: Config, *, days: int) -> None:
    """Record a first run ``days`` ago: the store's history (and its digest days) start then."""
    db = store.open_db(cfg.db_path)
    began = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    db.execute("INSERT INTO runs (kind, started_at, status) VALUES ('crawl', ?, 'ok')", [began])
    db.conn.commit()
    db.close()


def store_row(cfg: Config, day: date) -> tuple:
    found = rows(cfg, "SELECT status, final, claimed_by FROM digests WHERE day = ?", str(day))
    return found[0] if found else ()


@pytest.fixture
def history(tmp_path: Path, write_config) -> Config:
    """A store whose first run was two days ago (in a zone where it is midday)."""
    cfg = write_config(
        '[[sources]]\nname = "quiet"\nhomepage = "http://127.0.0.1:9/"\n'
        "allow_private_address = true\n",
        f'timezone = "{midday_zone()}"',
    )
    history_began(cfg, days=2)
    return cfg


def test_a_digest_date_outside_the_store_s_days_is_refused(history: Config) -> None:
    today = datetime.now(history.tz).date()
    first = today - timedelta(days=2)
    cwd = history.config_path.parent  # type: ignore[union-attr]
    outside = ["0001-01-01", "9999-12-31", str(first - timedelta(days=1))]
    for day in [*outside, str(today + timedelta(days=1)), "2030-01-01"]:
        result = newsdesk("digest", "--date", day, cwd=cwd)
        assert result.returncode == 2, (day, result.stderr)
        assert f"from {first} (its first run) to {today} (today)" in result.stderr
        assert "Traceback" not in result.stderr
    assert not history.digests_dir.exists() or not list(history.digests_dir.iterdir())
    assert rows(history, "SELECT count(*) FROM digests") == [(0,)]
    assert newsdesk("digest", "--date", str(first), cwd=cwd).returncode == 0
    assert digest_json(history, first)["final"] is True


def test_a_digest_that_should_not_exist_can_be_removed(history: Config) -> None:
    cwd = history.config_path.parent  # type: ignore[union-attr]
    today = datetime.now(history.tz).date()
    db = store.open_db(history.db_path)
    future = date(2030, 1, 1)  # as an older newsdesk wrote it, before days were checked
    for day in (today, future):
        build.publish_digest(db, day, cfg=history, now=datetime.now(history.tz))
    db.close()
    feed = history.digests_dir / "feed.xml"
    assert "urn:newsdesk:digest:2030-01-01" in feed.read_text()
    result = newsdesk("digest", "--remove", "--date", "2030-01-01", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert not list(history.digests_dir.glob("2030-01-01.*"))
    assert "urn:newsdesk:digest:2030-01-01" not in feed.read_text()
    assert f"urn:newsdesk:digest:{today}" in feed.read_text()
    assert rows(history, "SELECT day FROM digests") == [(str(today),)]
    again = newsdesk("digest", "--remove", "--date", "2030-01-01", cwd=cwd)
    assert again.returncode == 1 and "no digest of 2030-01-01" in again.stderr
    assert newsdesk("digest", "--remove", cwd=cwd).returncode == 2


def test_a_day_being_written_is_exit_1_and_bad_input_exit_2(history: Config) -> None:
    cwd = history.config_path.parent  # type: ignore[union-attr]
    today = datetime.now(history.tz).date()
    db = store.open_db(history.db_path)
    assert store.claim_digest(db, str(today))  # this live test process holds the day
    db.close()
    busy = newsdesk("digest", cwd=cwd)
    assert busy.returncode == 1
    assert "being written by another process" in busy.stderr
    assert newsdesk("digest", "--date", "26-11-2026", cwd=cwd).returncode == 2


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_digest_files_are_as_readable_as_the_umask_says(
    history: Config, umask: int, mode: int
) -> None:
    cwd = history.config_path.parent  # type: ignore[union-attr]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    subprocess.run(
        [sys.executable, "-m", "scheduler", "digest"],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(umask),
        timeout=120,
    )
    files = [p for p in history.digests_dir.iterdir() if p.is_file()]
    assert {p.suffix for p in files} == {".md", ".html", ".json", ".xml"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_catch_up_days_0_still_writes_the_day_just_due(history: Config) -> None:
    cfg = dataclasses.replace(history, catch_up_days=0)
    today = datetime.now(cfg.tz).date()
    assert jobs.digest_due_days(cfg, morning_after(today, cfg)) == [today]
