"""Building and publishing a digest from a real store: one entry per story, watch topics
first, every format written, and delivery through Apprise to a local endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import lxml.etree
import pytest

from digest import jobs, store
from digest.build import build_digest
from digest.config import load_config

WIRE = (
    "Pakistan's central bank kept its key policy rate unchanged at 11 percent on Monday, "
    "saying inflation had slowed faster than expected but risks from global oil prices and "
    "the budget remained. The monetary policy committee said core inflation was still high "
    "and that real interest rates needed to stay positive to anchor expectations. Analysts "
    "had expected a hold after three consecutive cuts earlier in the year. The rupee was "
    "little changed against the dollar after the announcement, and the benchmark stock index "
    "rose half a percent as banks gained."
)
COPPER = (
    "A Canadian mining company signed an agreement to study a copper and gold deposit in "
    "Balochistan, the provincial government said on Monday, in what officials described as the "
    "largest foreign investment in the province's mining sector this year. The study will take "
    "two years and cost about 40 million dollars, with drilling to begin in the spring."
)
TEXTILE = (
    "Textile exporters asked the government to cut electricity tariffs for industry, saying "
    "orders from Europe had slowed and mills were running below capacity. The association said "
    "energy costs were twice those of competitors in the region and that at least twenty mills "
    "had closed since the summer."
)


def article(n: int, source: str, site: str, title: str, text: str, published: str) -> dict:
    return {
        "url": f"https://{source}.example/{n}/",
        "source": source,
        "site_name": site,
        "title": title,
        "text": text,
        "summary": text.split(". ")[0] + ".",
        "author": "Desk",
        "published_at": published,
    }


@pytest.fixture
def cfg(write_config, tmp_path: Path):
    cfg = write_config(
        '[[sources]]\nname = "dawn"\nhomepage = "https://dawn.example/"\n'
        '[[sources]]\nname = "recorder"\nhomepage = "https://recorder.example/"\n'
        '[[topics]]\nname = "Minerals"\nterms = ["rare earth", "copper", "gold mine"]\n',
        'timezone = "UTC"',
    )
    db = store.open_db(cfg.db_path)
    seen = datetime.now(cfg.tz).replace(hour=6, minute=0, second=0, microsecond=0).isoformat()
    rows = [
        article(1, "dawn", "Dawn", "SBP holds rate at 11pc", WIRE, "2026-11-26T05:00:00+00:00"),
        article(
            2,
            "recorder",
            "Business Recorder",
            "State Bank keeps policy rate unchanged",
            WIRE.replace("on Monday", "on Monday afternoon"),
            "2026-11-26T05:30:00+00:00",
        ),
        article(
            3,
            "recorder",
            "Business Recorder",
            "Canadian miner to study Balochistan copper",
            COPPER,
            "2026-11-26T04:00:00+00:00",
        ),
        article(
            4,
            "dawn",
            "Dawn",
            "Textile exporters seek cheaper power",
            TEXTILE,
            "2026-11-26T03:00:00+00:00",
        ),
    ]
    for row in rows:
        store.save_article(db, row, page_url=row["url"], first_seen_at=seen)
    run_id = store.start_run(db, "crawl")
    for name in ("dawn", "recorder"):
        store.record_source_run(
            db, run_id, name, {"status": "ok", "started_at": seen, "errors": {}}
        )
    db.close()
    return cfg


def test_a_story_on_two_sites_is_one_entry_and_topics_come_first(cfg) -> None:
    db = store.open_db(cfg.db_path)
    digest = build_digest(db, datetime.now(cfg.tz).date(), cfg=cfg, now=datetime.now(cfg.tz))
    headings = [(s.kind, s.heading) for s in digest.sections]
    assert headings == [("topic", "Minerals"), ("source", "Dawn")]
    assert [i.title for i in digest.sections[0].items] == [
        "Canadian miner to study Balochistan copper"
    ]
    dawn = digest.sections[1].items
    assert [i.title for i in dawn] == [
        "SBP holds rate at 11pc",
        "Textile exporters seek cheaper power",
    ]
    assert [(link.source, link.url) for link in dawn[0].also] == [
        ("Business Recorder", "https://recorder.example/2/")
    ]
    assert (digest.count, digest.article_count) == (3, 4)


def test_every_format_is_written(cfg) -> None:
    day = datetime.now(cfg.tz).date()
    paths = jobs.run_digest(cfg, day)
    assert {k: p.exists() for k, p in paths.items()} == {
        "markdown": True,
        "html": True,
        "json": True,
        "feed": True,
    }
    assert (
        "Also reported by: [Business Recorder](https://recorder.example/2/)"
        in paths["markdown"].read_text()
    )
    data = json.loads(paths["json"].read_text())
    assert data["sections"][0]["heading"] == "Minerals"
    feed = lxml.etree.parse(str(paths["feed"]))
    ids = feed.xpath("//a:entry/a:id/text()", namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert ids == [f"urn:newsdesk:digest:{day}"]


class Inbox(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def inbox() -> Iterator[tuple[str, list[dict]]]:
    Inbox.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/digest", Inbox.received
    server.shutdown()
    server.server_close()


def test_the_digest_is_delivered_and_a_failed_delivery_is_retried(
    cfg, inbox, tmp_path: Path
) -> None:
    url, received = inbox
    config = tmp_path / "newsdesk.toml"
    dead = url.rsplit(":", 1)[0] + ":9/digest"
    config.write_text(config.read_text() + f'\n[notify]\nurls = ["{dead}"]\n')
    today = datetime.now().date()
    yesterday = today - timedelta(days=1)
    paths = jobs.run_digest(load_config(config), yesterday)
    assert paths["markdown"].exists()  # a failed delivery does not block the files
    db = store.open_db(config.parent / "data" / "newsdesk.db")
    assert "delivery failed" in store.get_digest(db, yesterday.isoformat())["notify_error"]
    assert store.get_digest(db, yesterday.isoformat())["notified_at"] is None
    config.write_text(config.read_text().replace(dead, url))
    jobs.run_digest(load_config(config), today)  # provisional (today so far): not sent
    assert [m["title"] for m in received] == [f"Business digest — {yesterday}"]
    cfg = load_config(config)
    tomorrow_morning = datetime.combine(today + timedelta(days=1), time(7), cfg.tz)
    jobs.run_digest(cfg, today, now=tomorrow_morning)  # the day's final digest
    titles = [m["title"] for m in received]
    assert titles == [f"Business digest — {yesterday}", f"Business digest — {today}"]
    assert "SBP holds rate at 11pc" in received[1]["message"]
    assert store.get_digest(db, yesterday.isoformat())["notified_at"]
