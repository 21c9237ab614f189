"""Nobody let in: links, feed entries, sitemap entries and redirects that lead to
loopback, private or link-local addresses, or to other schemes, are refused before any
connection. A canary server on 127.0.0.2 must receive nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.middlewares import is_public_host
from crawler.siteserver import SiteServer, serve_site
from tests.conftest import newsdesk


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[SiteServer]:
    root = tmp_path / "canary"
    (root / "2026" / "11" / "26" / "secret").mkdir(parents=True)
    (root / "2026" / "11" / "26" / "secret" / "index.html").write_text("<p>CANARY</p>")
    with serve_site(root, host="127.0.0.2") as server:
        yield server


def hostile_site(root: Path, canary: str) -> None:
    links = [
        f"{canary}/2026/11/26/secret/",
        "http://169.254.169.254/2026/11/26/latest/",
        "http://[::1]/2026/11/26/loop/",
        "file:///etc/passwd",
        "ftp://127.0.0.2/2026/11/26/f/",
        "http://10.0.0.1/2026/11/26/intranet/",
        "/2026/11/26/go/",
    ]
    anchors = "".join(f'<a href="{u}">link</a>' for u in links)
    root.mkdir(parents=True)
    (root / "index.html").write_text(
        f'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
        f"<body>{anchors}</body></html>"
    )
    items = "".join(f"<item><link>{u}</link></item>" for u in links[:3])
    (root / "feed.xml").write_text(f"<rss><channel>{items}</channel></rss>")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")


def test_no_request_reaches_a_non_public_address(
    tmp_path: Path, canary: SiteServer, write_config
) -> None:
    root = tmp_path / "site"
    hostile_site(root, canary.base_url)
    with serve_site(root) as site:
        site.redirects["/2026/11/26/go/"] = f"{canary.base_url}/2026/11/26/secret/"
        write_config(
            f'[[sources]]\nname = "s"\nhomepage = "{site.base_url}/"\n'
            "allow_private_address = true\n"  # for its own host only
            # Other hosts allowed too, as a careless config might: the address check must
            # still refuse them.
            'allowed_domains = ["127.0.0.1", "127.0.0.2", "169.254.169.254", "10.0.0.1"]\n'
            "article_patterns = ['/2026/']\n"
        )
        result = newsdesk("crawl", cwd=tmp_path)
        seen = site.requests_seen
    assert result.returncode == 0, result.stderr
    assert canary.requests_seen == []
    assert "/2026/11/26/go/" in seen  # the redirect was followed up to the refused hop
    with sqlite3.connect(tmp_path / "data" / "newsdesk.db") as conn:
        (errors,) = conn.execute("SELECT errors FROM crawl_sources").fetchone()
        stored = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert '"private_address": ' in errors
    assert stored == 0


@pytest.mark.parametrize(
    ("host", "public"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("172.16.5.4", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),
        ("localhost", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("", False),
    ],
)
def test_public_addresses(host: str, public: bool) -> None:
    assert is_public_host(host) is public
