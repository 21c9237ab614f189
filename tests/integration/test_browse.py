"""`newsdesk browse`: real Datasette subprocesses on 127.0.0.1 over a real store."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import ProxyHandler, Request, build_opener

import pytest

from digest import browse as browse_module
from digest import store
from digest.browse import (
    INSTALL_HINT,
    TABLES,
    browse,
    datasette_available,
    datasette_command,
    datasette_env,
    metadata,
    write_metadata,
)
from digest.build import day_window
from digest.config import Config, load_config
from tests.conftest import source_toml

needs_datasette = pytest.mark.skipif(not datasette_available(), reason=INSTALL_HINT)
OPENER = build_opener(ProxyHandler({}))  # loopback only, whatever the proxy settings
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Store:
    cfg: Config
    today: date
    ids: dict[str, int]


def local_utc(cfg: Config, day: date, hour: int, minute: int = 0) -> str:
    moment = datetime.combine(day, clock(hour, minute), tzinfo=cfg.tz)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


ARTICLES = {
    # key: (source, title, text, local day offset, hour, minute)
    "minerals": (
        "alpha",
        "Pakistan invites Japanese firms to invest in rare earth minerals",
        "The minister said rare earth minerals and copper offer Japanese investors a start.",
        0,
        12,
        0,
    ),
    "rupee": ("alpha", "Rupee steady against dollar", "The rupee held steady.", 0, 0, 30),
    "remittances": (
        "alpha",
        "Gulf remittances rise",
        "Remittances from the Gulf rose.",
        -1,
        23,
        30,
    ),
    "mining": (
        "beta",
        "Japanese firms invited to mining sector",
        "Japanese companies were invited to the mining sector.",
        0,
        12,
        5,
    ),
    "kse": ("beta", "KSE-100 closes higher", "The index closed higher on banks.", 0, 15, 0),
}

SOURCE_RUNS = [
    # (hours ago, source, status, pages_saved, first_error)
    (3, "alpha", "failed", 0, "timeout: https://alpha.example/"),
    (3, "beta", "ok", 2, None),
    (1, "alpha", "ok", 3, None),
    (1, "beta", "failed", 0, "HTTP 503 on https://beta.example/"),
    (1, "gamma", "empty", 0, None),
    (1, "delta", "skipped", 0, "robots.txt unavailable (HTTP 503)"),
]


def make_config(root: Path) -> Config:
    sources = "".join(
        source_toml(name, f"http://{name}.example") for name in ("alpha", "beta", "gamma", "delta")
    )
    path = root / "newsdesk.toml"
    path.write_text(f'timezone = "Asia/Karachi"\n{sources}', encoding="utf-8")
    return load_config(path)


def save_articles(db: Any, cfg: Config, today: date) -> dict[str, int]:
    pages = []
    for key, (source, _title, text, offset, hour, minute) in ARTICLES.items():
        at = local_utc(cfg, today + timedelta(days=offset), hour, minute)
        pages.append(
            store.FetchedPage(
                f"https://{source}.example/{key}/?utm_source=x",
                source,
                f"https://{source}.example/{key}/",
                200,
                "text/html",
                f"<html><body><p>{text}</p></body></html>",
                at,
            )
        )
    store.save_pages(db, pages)
    for page, (source, title, text, *_) in zip(pages, ARTICLES.values(), strict=True):
        row = {"url": page.final_url, "source": source, "title": title, "text": text}
        store.save_article(
            db, {**row, "summary": text}, page_url=page.url, first_seen_at=page.fetched_at
        )
    rows = db.execute("SELECT url, id FROM articles").fetchall()
    by_url = dict(rows)
    return {key: by_url[f"https://{src}.example/{key}/"] for key, (src, *_) in ARTICLES.items()}


def record_crawls(db: Any) -> None:
    for hours, source, status, saved, error in SOURCE_RUNS:
        run_id = store.start_run(db, "crawl")
        report = {"status": status, "started_at": ago(hours), "finished_at": ago(hours - 0.1)}
        report.update(pages_saved=saved, first_error=error, requests=5)
        report["errors"] = {"http_5xx": 1} if error else {}
        store.record_source_run(db, run_id, source, report)
        store.finish_run(db, run_id, "ok" if status != "failed" else "partial")


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    cfg = make_config(tmp_path_factory.mktemp("browse"))
    today = datetime.now(cfg.tz).date()
    db = store.open_db(cfg.db_path)
    try:
        store.sync_sources(db, [(s.name, s.homepage) for s in cfg.sources])
        ids = save_articles(db, cfg, today)
        store.set_stories(
            db, [[ids["minerals"], ids["mining"]], [ids["rupee"], ids["remittances"]]]
        )
        store.set_topics(db, "https://alpha.example/minerals/", ["Minerals"])
        record_crawls(db)
    finally:
        db.close()  # the writer is gone: Datasette must open the WAL store read-only alone
    return Store(cfg, today, ids)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(url: str, *, data: bytes | None = None) -> tuple[int, bytes]:
    try:
        with OPENER.open(Request(url, data=data), timeout=10) as response:
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


def get_json(url: str) -> Any:
    status, body = request(url)
    assert status == 200, f"{url}: HTTP {status}: {body[:500]!r}"
    return json.loads(body)


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll /-/versions.json until it answers, the process dies, or the deadline passes."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"datasette exited {process.returncode}:\n{log.read_text()}")
        try:
            with OPENER.open(f"{base}/-/versions.json", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, OSError):
            time.sleep(0.1)  # the poll interval; the deadline bounds the wait
    pytest.fail(f"datasette did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def served(real_store: Store) -> Iterator[str]:
    """Datasette, started with newsdesk's command line, on a free port; its base URL."""
    cfg = real_store.cfg
    port = free_port()
    argv = datasette_command(cfg, port=port, metadata_path=write_metadata(cfg))
    log = cfg.data_dir / "datasette.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=datasette_env(), stdout=out, stderr=out)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, process, log)
        yield base
    finally:
        stop(process)


def query(base: str, name: str, **params: str) -> list[dict[str, Any]]:
    qs = urlencode({**params, "_shape": "array"})
    return get_json(f"{base}/newsdesk/{name}.json?{qs}")


def titles(rows: list[dict[str, Any]]) -> list[str]:
    return [row["title"] for row in rows]


def title_of(key: str) -> str:
    return ARTICLES[key][1]


# --- the command line and metadata --------------------------------------------------------


def test_command_serves_the_store_read_only_on_loopback(real_store: Store, tmp_path: Path) -> None:
    cfg = real_store.cfg
    argv = datasette_command(cfg, port=8123, metadata_path=tmp_path / "m.json")
    assert argv[:4] == [sys.executable, "-m", "datasette", "serve"]
    assert argv[4] == str(cfg.db_path)
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--port") + 1] == "8123"
    assert argv[argv.index("--metadata") + 1] == str(tmp_path / "m.json")
    for dangerous in ("-i", "--immutable", "--nolock", "--root", "--create", "--cors"):
        assert dangerous not in argv
    assert datasette_env()["DATASETTE_LOAD_PLUGINS"] == ""


def test_described_columns_exist_in_the_store(real_store: Store) -> None:
    db = store.open_readonly(real_store.cfg.db_path)
    try:
        for table, (_description, columns) in TABLES.items():
            actual = {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}
            assert actual, f"{table} is not in the store"
            assert set(columns) <= actual, f"{table}: {set(columns) - actual}"
    finally:
        db.close()


def test_canned_queries_are_read_only_sql(real_store: Store) -> None:
    queries = metadata(real_store.cfg)["databases"]["newsdesk"]["queries"]
    assert set(queries) == {
        "todays_digest",
        "search",
        "articles_by_source",
        "story_groups",
        "failing_sources",
    }
    for name, spec in queries.items():
        assert not spec.get("write"), name
        assert spec["sql"].lstrip().lower().startswith(("select", "with")), name


def test_docs_show_the_canned_queries_as_they_are(real_store: Store) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "browse.md").read_text("utf-8")
    for name, spec in metadata(real_store.cfg)["databases"]["newsdesk"]["queries"].items():
        assert f"### `{name}`" in docs
        assert spec["sql"] in docs, f"docs/browse.md: the SQL of {name} is out of date"


def test_browse_without_datasette_says_how_to_install_it(
    real_store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(browse_module, "datasette_available", lambda: False)
    assert browse(real_store.cfg, port=free_port()) == 2
    assert INSTALL_HINT in capsys.readouterr().err


def test_browse_without_a_store_says_so(
    write_config: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(browse_module, "datasette_available", lambda: True)
    cfg = write_config(source_toml("alpha", "http://alpha.example"))
    assert browse(cfg, port=free_port()) == 2  # as search, articles and status give
    assert "no store" in capsys.readouterr().err
    assert not cfg.db_path.exists()


@pytest.mark.parametrize("zone", ["Asia/Karachi", "Asia/Kolkata", "America/Bogota", "UTC"])
def test_todays_digest_window_is_the_digest_day(
    zone: str, real_store: Store, tmp_path: Path
) -> None:
    cfg = replace(real_store.cfg, timezone=zone, data_dir=tmp_path)
    day = date(2025, 11, 5)
    db = store.open_db(cfg.db_path)
    try:
        start = datetime(2025, 11, 4, tzinfo=UTC)
        for n in range(3 * 48):  # every half hour over three UTC days
            at = (start + timedelta(minutes=30 * n)).isoformat(timespec="seconds")
            row = {"url": f"u{n}", "source": "alpha", "title": f"t{n}", "text": "x"}
            store.save_article(db, row, page_url=f"u{n}", first_seen_at=at)
        sql = metadata(cfg)["databases"]["newsdesk"]["queries"]["todays_digest"]["sql"]
        got = {row[1] for row in db.execute(sql, {"day": day.isoformat()}).fetchall()}
        window = day_window(day, cfg)
        assert got == {a["title"] for a in store.articles_seen_between(db, *window)}
        assert len(got) == 48
    finally:
        db.close()


# --- a real Datasette ---------------------------------------------------------------------


@needs_datasette
def test_todays_digest_is_the_local_day(served: str, real_store: Store) -> None:
    cfg, today = real_store.cfg, real_store.today
    expected = [title_of(k) for k in ("rupee", "minerals", "mining", "kse")]
    rows = query(served, "todays_digest", day=today.isoformat())
    assert titles(rows) == expected  # by source, then time; 00:30 local is today
    assert rows[1]["topics"] == "Minerals"
    assert rows[0]["seen_local"] == "00:30"
    yesterday = query(served, "todays_digest", day=(today - timedelta(days=1)).isoformat())
    assert titles(yesterday) == [title_of("remittances")]
    default = query(served, "todays_digest")
    if datetime.now(cfg.tz).date() == today:  # not across local midnight meanwhile
        assert titles(default) == expected


@needs_datasette
def test_search_ranks_and_highlights(served: str) -> None:
    rows = query(served, "search", q='"rare earth"')
    assert titles(rows) == [title_of("minerals")]
    assert "[rare]" in rows[0]["snippet"].lower() or "[rare earth]" in rows[0]["snippet"].lower()
    assert query(served, "search", q="japanese") and query(served, "search", q="") == []


@needs_datasette
def test_articles_by_source(served: str) -> None:
    rows = query(served, "articles_by_source", source="beta")
    assert titles(rows) == [title_of("kse"), title_of("mining")]
    assert query(served, "articles_by_source", source="nobody") == []


@needs_datasette
def test_story_groups_put_multi_source_stories_first(served: str, real_store: Store) -> None:
    rows = query(served, "story_groups")
    assert [row["story_id"] for row in rows] == [
        real_store.ids["minerals"],
        real_store.ids["rupee"],
    ]
    assert rows[0]["sources"] == 2 and rows[0]["source_names"].split(",") == ["alpha", "beta"]
    assert title_of("mining") in rows[0]["headlines"]
    assert rows[1]["sources"] == 1


@needs_datasette
def test_failing_sources(served: str) -> None:
    rows = query(served, "failing_sources")
    assert [row["source"] for row in rows] == ["beta", "delta", "gamma"]
    beta, delta, gamma = rows
    assert beta["last_status"] == "failed" and beta["first_error"].startswith("HTTP 503")
    assert beta["last_success"] is not None and beta["recent_failures"] == 1
    assert delta["last_status"] == "skipped" and "robots.txt" in delta["first_error"]
    assert gamma["last_status"] == "empty" and gamma["recent_articles"] == 0
    assert [r["source"] for r in query(served, "failing_sources", hours="0")] == ["beta", "delta"]


@needs_datasette
def test_metadata_settings_and_tables(served: str) -> None:
    meta = get_json(f"{served}/-/metadata.json")
    assert meta["title"] == "newsdesk"
    status, index = request(f"{served}/")
    assert status == 200 and b"<h1>newsdesk</h1>" in index and b"Business-news" in index
    status, page = request(f"{served}/newsdesk/articles")
    assert status == 200 and b"decides its digest day" in page  # a column description
    settings = get_json(f"{served}/-/settings.json")
    assert settings["sql_time_limit_ms"] == 3000 and settings["allow_download"] is False
    assert request(f"{served}/newsdesk.db")[0] == 403  # no download of the file
    for table in TABLES:
        assert "rows" in get_json(f"{served}/newsdesk/{table}.json?_size=1")
    for name, spec in meta["databases"]["newsdesk"]["queries"].items():
        status, page = request(f"{served}/newsdesk/{name}")  # the form, parameters empty
        title = spec["title"].replace("'", "&#39;").encode()
        assert status == 200 and title in page and b"message-error" not in page, name


def sources_in_store(cfg: Config) -> list[str]:
    conn = sqlite3.connect(f"{cfg.db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM sources ORDER BY name")]
    finally:
        conn.close()


@needs_datasette
def test_writes_are_refused(served: str, real_store: Store) -> None:
    before = sources_in_store(real_store.cfg)
    insert = "insert into sources (name, homepage) values ('evil', 'http://evil.example/')"
    status, body = request(f"{served}/newsdesk.json?{urlencode({'sql': insert})}")
    assert status == 400 and b"SELECT" in body
    form = urlencode({"sql": insert}).encode()
    for path in ("/newsdesk", "/newsdesk/search", "/newsdesk/sources/-/insert"):
        status, _ = request(f"{served}{path}", data=form)
        assert status >= 400, path
    assert sources_in_store(real_store.cfg) == before


@needs_datasette
def test_rows_written_meanwhile_are_seen_at_once(served: str, real_store: Store) -> None:
    db = store.open_db(real_store.cfg.db_path)
    try:
        row = {"url": "https://gamma.example/late/", "source": "gamma", "title": "Late story"}
        seen = local_utc(real_store.cfg, real_store.today - timedelta(days=3), 9)
        store.save_article(db, {**row, "text": "Late."}, page_url=row["url"], first_seen_at=seen)
        rows = query(served, "articles_by_source", source="gamma")
    finally:
        db.close()
    assert titles(rows) == ["Late story"]


@needs_datasette
def test_browse_runs_in_the_foreground_and_stops_on_ctrl_c(real_store: Store) -> None:
    cfg, port = real_store.cfg, free_port()
    code = "import sys; from digest.config import load_config; from digest.browse import browse; "
    code += "sys.exit(browse(load_config(sys.argv[1]), port=int(sys.argv[2])))"
    argv = [sys.executable, "-c", code, str(cfg.config_path), str(port)]
    log = cfg.data_dir / "browse.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NEWSDESK_DATA_DIR", None)
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=out, env=env, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process, log)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        stop(process)
    assert f"http://127.0.0.1:{port}/newsdesk" in log.read_text()
    written = json.loads((cfg.data_dir / "datasette-metadata.json").read_text(encoding="utf-8"))
    assert written == metadata(cfg)
