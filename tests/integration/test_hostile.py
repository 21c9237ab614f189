"""Hostile servers: stalls, trickles, bombs, endless bodies, broken HTTP and wrong
charsets. Each ends within a deadline, with memory bounded, recorded with its reason,
and the rest of the crawl goes on."""

from __future__ import annotations

import json
import resource
import sqlite3
import time
from pathlib import Path

from digest import store
from tests.conftest import newsdesk
from tests.faultserver import fault_server


def test_a_hostile_server_cannot_stall_or_flood_the_crawl(tmp_path: Path) -> None:
    with fault_server() as server:
        (tmp_path / "newsdesk.toml").write_text(
            "download_delay = 0.0\ndownload_timeout_seconds = 3\nmax_page_mib = 2\n"
            f'[[sources]]\nname = "faults"\nhomepage = "{server.base_url}/"\n'
            "allow_private_address = true\n"
        )
        started = time.monotonic()
        result = newsdesk("crawl", cwd=tmp_path, timeout=120)
        elapsed = time.monotonic() - started
        seen = list(server.seen)
    assert result.returncode == 0, result.stderr
    assert elapsed < 60  # two 3 s timeouts, each retried once, not 10 minutes of trickle
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mib < 300  # a 64 MiB bomb and a 200 MiB body never sat in memory
    assert sum(p.startswith("/loop-") for p in seen) <= 4  # a redirect loop ends
    db = tmp_path / "data" / "newsdesk.db"
    with sqlite3.connect(db) as conn:
        (errors,) = conn.execute("SELECT errors FROM crawl_sources").fetchone()
        stored = sorted(u.rsplit("/", 1)[1] for (u,) in conn.execute("SELECT url FROM pages"))
    kinds = json.loads(errors)
    assert kinds["timeout"] == 2  # /hang and /slowloris
    assert kinds["too_large"] == 4  # oversized, endless chunks, gzip and brotli bombs
    assert kinds["not_html"] == 1  # a PDF
    assert kinds["bad_response"] == 1  # HTTP/0.9 garbage
    assert kinds["data_loss"] == 1  # broken chunked encoding
    assert stored == ["cp1252", "gzip-as-html", "latin1", "sjis", "utf8-wrong-meta"]


def test_pages_in_any_charset_are_stored_as_the_right_text(tmp_path: Path) -> None:
    with fault_server() as server:
        (tmp_path / "newsdesk.toml").write_text(
            "download_delay = 0.0\ndownload_timeout_seconds = 2\n"
            f'[[sources]]\nname = "c"\nhomepage = "{server.base_url}/"\n'
            "allow_private_address = true\n"
            "deny_patterns = ['hang|slowloris|oversized|endless|bomb|loop|http09']\n"
        )
        assert newsdesk("crawl", cwd=tmp_path, timeout=120).returncode == 0
        base = server.base_url
    db = store.open_db(tmp_path / "data" / "newsdesk.db")
    expected = {
        "latin1": "Zürich exporters saw crème brûlée demand rise.",
        "cp1252": "He said \u201cprices rose\u201d \u2013 again.",
        "utf8-wrong-meta": "Prices in Zürich and Tōkyō rose.",
        "sjis": "東京株式市場で日経平均株価は続伸した。",
    }
    for path, text in expected.items():
        assert text in store.load_page(db, f"{base}/{path}").html, path
