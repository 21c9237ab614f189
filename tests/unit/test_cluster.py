"""The cluster mode's parts that need no Redis: the JSON request serializer, the page
payload, the [cluster] config table, the command line's errors, and the single-machine
path staying free of redis."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

from crawler.cluster import serializer
from digest.cluster import PayloadError, decode_page, encode_page, payload_limit, redact
from digest.config import ConfigError, load_config
from digest.store import FetchedPage
from tests.conftest import newsdesk
from tests.redisserver import free_port


class _Spider(Spider):
    name = "news-test"

    def parse_page(self, response: object) -> None:
        pass

    def fetch_failed(self, failure: object) -> None:
        pass


def test_a_request_survives_the_json_queue() -> None:
    spider = _Spider()
    request = Request(
        "https://example.com/a?b=1",
        callback=spider.parse_page,
        errback=spider.fetch_failed,
        method="POST",
        body=b"\x00\xffbinary",
        headers={"Referer": "https://example.com/", "X-Raw": b"\xfe"},
        meta={"depth": 2, "newsdesk_listing": True, "redirect_urls": ["u"], "newsdesk_slot": 7},
        cb_kwargs={"depth": 2, "start": False},
        priority=5,
    )
    data = serializer.dumps(request.to_dict(spider=spider))
    back = request_from_dict(serializer.loads(data), spider=spider)

    assert data.startswith(b"{")  # JSON text, not a pickle
    assert (back.url, back.method, back.body, back.priority) == (
        request.url,
        "POST",
        b"\x00\xffbinary",
        5,
    )
    assert back.headers.getlist("X-Raw") == [b"\xfe"]
    assert back.meta == request.meta and back.cb_kwargs == request.cb_kwargs
    assert back.callback == spider.parse_page and back.errback == spider.fetch_failed


def test_dicts_with_bytes_keys_round_trip() -> None:
    obj = {"url": "https://x/", "headers": {b"X-A": [b"\xfe"]}}
    assert serializer._decode(json.loads(serializer.dumps(obj))) == obj


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (b'{"url": "https://x/", "_class": "os.system"}', "_class"),
        (b'{"url": "https://x/", "callback": "__init__"}', "callback"),
        (b'{"url": "https://x/", "errback": "_private"}', "errback"),
        (b'{"url": "https://x/", "callback": "begin_slot"}', "callback"),
        (b'{"url": "https://x/", "callback": "closed"}', "callback"),
        (b'{"url": "https://x/", "errback": "parse_page"}', "errback"),
        (b'{"callback": "parse"}', "url"),
    ],
)
def test_the_serializer_refuses_requests_that_would_run_code(entry: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        serializer.loads(entry)


class Planted:
    """A pickle that, once loaded, creates a marker file: what an attacker would queue."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_the_serializer_never_unpickles(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Planted(marker))
    assert b"system" in payload  # a real exploit: pickle.loads(payload) would run it
    with pytest.raises(ValueError):
        serializer.loads(payload)
    assert not marker.exists()


def test_queued_meta_outside_the_allowlist_is_stripped() -> None:
    entry = json.dumps(
        {
            "url": "https://x/2026/a/",
            "callback": "parse_page",
            "meta": {
                "dont_obey_robotstxt": True,
                "proxy": "http://attacker.example:8080",
                "download_maxsize": 0,
                "depth": True,  # the right key, the wrong type
                "newsdesk_listing": True,
                "redirect_times": 1,
            },
        }
    )
    obj, stripped = serializer.load_request(entry)
    assert stripped == ["depth", "dont_obey_robotstxt", "download_maxsize", "proxy"]
    assert obj["meta"] == {"newsdesk_listing": True, "redirect_times": 1}


def test_the_callbacks_allowed_are_the_spiders_page_callbacks() -> None:
    from crawler.cluster.spider import ClusterNewsSpider

    for name in serializer.CALLBACKS | serializer.ERRBACKS:
        assert callable(getattr(ClusterNewsSpider, name)), name


def test_one_redis_client_per_process() -> None:
    from scrapy.settings import Settings
    from scrapy_redis.connection import get_redis_from_settings

    from crawler.cluster.settings import REDIS_PARAMS

    settings = Settings({"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_PARAMS": REDIS_PARAMS})
    # the scheduler, duplicate filter, pipeline, spider and extension of every source's
    # crawler each ask for one: they all get the same client and connection pool
    assert get_redis_from_settings(settings) is get_redis_from_settings(settings.copy())


def test_the_serializer_refuses_objects_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match=r"a set .*request\.meta\.tags"):
        serializer.dumps({"url": "https://x/", "meta": {"tags": {"a"}}})


def _page(html: str) -> FetchedPage:
    return FetchedPage(
        url="https://example.com/2026/11/26/a/",
        source="wire",
        final_url="https://example.com/2026/11/26/a/",
        http_status=200,
        content_type="text/html",
        html=html,
        fetched_at="2026-11-26T05:00:00+00:00",
        not_article=None,
    )


def test_a_page_payload_is_compressed_and_round_trips() -> None:
    page = _page("<p>" + "Karachi port – ünïcode line\n" * 2000 + "</p>")
    data = encode_page(page, limit=payload_limit(1))
    assert len(data) < len(page.html) / 10
    assert decode_page(data, limit=payload_limit(1)) == page


def test_a_page_payload_is_bounded_both_ways() -> None:
    big = _page("x" * 3000)
    with pytest.raises(PayloadError, match="over the 2000-byte page limit"):
        encode_page(big, limit=2000)
    bomb = zlib.compress(b'{"url": "x"}\n' + b"\0" * 50_000_000)  # 50 MB from 50 KB
    with pytest.raises(PayloadError, match="decompresses past"):
        decode_page(bomb, limit=1_000_000)
    with pytest.raises(PayloadError):
        decode_page(zlib.compress(b'{"url": 1}\nbody'), limit=1000)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_cluster_table_is_optional_and_checked(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "")).cluster.redis_url == ""
    cfg = load_config(_write(tmp_path, '[cluster]\nredis_url = "redis://10.0.0.5:6379/0"\n'))
    assert cfg.cluster.redis_url == "redis://10.0.0.5:6379/0"
    with pytest.raises(ConfigError, match=r"newsdesk.toml:2: cluster.redis_url: expected") as exc:
        load_config(_write(tmp_path, '[cluster]\nredis_url = "http://:hunter2@host/"\n'))
    assert "hunter2" not in str(exc.value)
    with pytest.raises(ConfigError, match=r"cluster\.lease_seconds"):
        load_config(_write(tmp_path, "[cluster]\nlease_seconds = 0\n"))
    with pytest.raises(ConfigError, match=r"cluster\.max_queud_pages: unknown key"):
        load_config(_write(tmp_path, "[cluster]\nmax_queud_pages = 5\n"))


def test_redis_url_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_REDIS_URL", "redis://127.0.0.1:7777/1")
    cfg = load_config(_write(tmp_path, '[cluster]\nredis_url = "redis://10.0.0.5:6379/0"\n'))
    assert cfg.cluster.redis_url == "redis://127.0.0.1:7777/1"


def test_passwords_are_not_shown() -> None:
    assert redact("redis://:s3cret@10.0.0.5:6379/0") == "redis://***@10.0.0.5:6379/0"


SOURCE = '[[sources]]\nname = "a"\nhomepage = "https://example.com/"\n'


@pytest.mark.parametrize("command", [["worker"], ["ingest"], ["crawl"]])
def test_an_unreachable_redis_is_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    _write(tmp_path, SOURCE)
    url = f"redis://:pw@127.0.0.1:{free_port()}/0"  # nothing listens there
    result = newsdesk("--config", "newsdesk.toml", *command, "--redis", url, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    shown = url.replace(":pw@", "***@")
    assert f"newsdesk: cannot reach Redis at {shown}" in result.stderr
    assert "start redis-server there, or fix --redis / [cluster] redis_url" in result.stderr
    assert "Traceback" not in result.stderr and ":pw@" not in result.stderr
    assert not (tmp_path / "data" / "newsdesk.db").exists() or command == ["crawl"]


def test_cluster_commands_need_a_redis_url(tmp_path: Path) -> None:
    _write(tmp_path, SOURCE)
    for command in ("worker", "ingest"):
        result = newsdesk("--config", "newsdesk.toml", command, cwd=tmp_path)
        assert result.returncode == 2
        assert f"{command} needs --redis URL or [cluster] redis_url" in result.stderr


def test_single_machine_options_are_refused_with_redis(tmp_path: Path) -> None:
    _write(tmp_path, SOURCE)
    result = newsdesk(
        "--config", "newsdesk.toml", "crawl", "--redis", "redis://127.0.0.1:1/0", "--refresh",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--refresh: not available with Redis" in result.stderr


def test_a_single_machine_never_loads_the_cluster_code() -> None:
    # (datasketch, a dependency, imports redis by itself when it is installed; what
    # matters is that none of our Redis code, nor scrapy-redis, is on the default path.)
    code = (
        "import sys, scheduler, cli, crawler.__main__, crawler.settings, digest.jobs\n"
        "from crawler.pipelines import persist\n"
        "ours = ('scrapy_redis', 'crawler.cluster', 'digest.cluster', 'digest.ingest')\n"
        "found = sorted(m for m in sys.modules if m.startswith(ours))\n"
        "assert not found, found\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
