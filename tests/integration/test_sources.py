"""``newsdesk sources add URL`` and ``sources check NAME`` against generated sites served on
127.0.0.1 (bench/schemes.py): the proposed patterns separate the site's articles from its
other pages, nothing is written without --write, a written source crawls only articles,
and a check notices a site whose layout no longer fits the rules."""

from __future__ import annotations

import socket
import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.schemes import SchemeServer, SchemeSite, scheme_site, serve
from bench.sources import score
from digest.config import load_config
from tests.conftest import invoke, newsdesk

CONFIG = 'download_delay = 0.0\ndata_dir = "data"\n'


@pytest.fixture(scope="module")
def same_prefix() -> Iterator[tuple[SchemeSite, SchemeServer]]:
    site = scheme_site("same-prefix", seed=11)
    with serve(site) as server:
        yield site, server


@pytest.fixture(scope="module")
def query_ids() -> Iterator[tuple[SchemeSite, SchemeServer]]:
    site = scheme_site("query-ids", seed=12)
    with serve(site) as server:
        yield site, server


def proposed(stdout: str) -> dict[str, object]:
    """The [[sources]] table the command printed."""
    start = stdout.index("[[sources]]")
    end = stdout.find("\n(not written", start)
    table: dict[str, object] = tomllib.loads(stdout[start : end if end > 0 else None])
    sources = table["sources"]
    assert isinstance(sources, list)
    return dict(sources[0])


def test_add_proposes_patterns_that_separate_articles_and_writes_nothing(
    tmp_path: Path, same_prefix: tuple[SchemeSite, SchemeServer]
) -> None:
    site, server = same_prefix
    config = tmp_path / "newsdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    mark = len(server.log)
    ran = invoke("sources", "add", server.url("/"), "--allow-private-address", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    requests = server.log[mark:]
    assert requests[0][0] == "/robots.txt" and len(requests) <= 55
    table = proposed(ran.stdout)
    assert table["homepage"] == server.url("/") and table["allow_private_address"] is True
    assert table["feeds"] == [server.url(site.feeds[0])]
    assert "follow_article_links" not in table  # its feed lists the new articles
    precision, recall = score(site, server.base, table)
    assert precision >= 0.98 and recall >= 0.98, table
    # the evidence: each pattern's matches on the sample, and sample articles
    assert "precision on the sample 1.00" in ran.stdout
    assert "Sample articles:" in ran.stdout
    assert config.read_text(encoding="utf-8") == CONFIG  # nothing written without --write
    assert "add --write" in ran.stdout


def test_a_written_source_loads_crawls_only_articles_and_passes_its_check(
    tmp_path: Path, query_ids: tuple[SchemeSite, SchemeServer]
) -> None:
    site, server = query_ids
    config = tmp_path / "newsdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    config.chmod(0o600)
    add = ["sources", "add", server.url("/"), "--allow-private-address", "--name", "wire"]
    ran = invoke(*add, "--write", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert config.stat().st_mode & 0o777 == 0o600
    source = load_config(config).source("wire")
    assert source.article_patterns and source.allow_private_address
    assert not any("/search" in path for path, _ in server.log)  # robots.txt disallows it

    crawled = newsdesk("crawl", cwd=tmp_path)
    assert crawled.returncode == 0, crawled.stderr
    with sqlite3.connect(tmp_path / "data" / "newsdesk.db") as db:
        stored = {url.removeprefix(server.base) for (url,) in db.execute("SELECT url FROM pages")}
    assert stored and stored <= site.articles  # no tag, author or static page fetched

    checked = invoke("sources", "check", "wire", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The rules agree with every sampled page." in checked.stdout

    again = invoke(*add, cwd=tmp_path)
    assert again.returncode == 2 and "'wire' exists" in again.stderr


def test_check_says_when_the_site_no_longer_fits_the_rules(
    tmp_path: Path, same_prefix: tuple[SchemeSite, SchemeServer]
) -> None:
    _, server = same_prefix
    old_layout = (
        f'[[sources]]\nname = "moved"\nhomepage = "{server.url("/")}"\n'
        "allow_private_address = true\narticle_patterns = ['/story/\\d+/']\n"
    )
    (tmp_path / "newsdesk.toml").write_text(CONFIG + old_layout, encoding="utf-8")
    ran = invoke("sources", "check", "moved", cwd=tmp_path)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "an article the rules drop: " + server.base + "/news/" in ran.stdout
    assert "may have changed its layout" in ran.stdout


def test_bad_addresses_and_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "newsdesk.toml").write_text(CONFIG, encoding="utf-8")
    ran = invoke("sources", "add", "ftp://example.org/", cwd=tmp_path)
    assert ran.returncode == 2 and "http:// or https://" in ran.stderr
    ran = invoke("sources", "check", "nope", cwd=tmp_path)
    assert ran.returncode == 2 and "no source named 'nope'" in ran.stderr
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    ran = invoke("sources", "add", url, "--allow-private-address", cwd=tmp_path)
    assert ran.returncode == 1 and "could not read the site" in ran.stderr


def test_a_private_address_is_refused_unless_allowed(
    tmp_path: Path, same_prefix: tuple[SchemeSite, SchemeServer]
) -> None:
    _, server = same_prefix
    (tmp_path / "newsdesk.toml").write_text(CONFIG, encoding="utf-8")
    mark = len(server.log)
    ran = invoke("sources", "add", server.url("/"), cwd=tmp_path)
    assert ran.returncode == 1 and "not a public address" in ran.stderr
    assert len(server.log) == mark


def test_the_budget_counts_every_request_sent(
    tmp_path: Path, same_prefix: tuple[SchemeSite, SchemeServer]
) -> None:
    _, server = same_prefix
    (tmp_path / "newsdesk.toml").write_text(CONFIG, encoding="utf-8")
    mark = len(server.log)
    url = server.url("/")
    ran = invoke("sources", "add", url, "--allow-private-address", "--budget", "12", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert len(server.log) - mark <= 12
    assert "with 12 requests" in ran.stdout or "with 11 requests" in ran.stdout


def test_check_on_a_source_without_patterns_judges_only_its_sample(
    tmp_path: Path, same_prefix: tuple[SchemeSite, SchemeServer]
) -> None:
    _, server = same_prefix
    source = f'[[sources]]\nname = "open"\nhomepage = "{server.url("/")}"\n'
    (tmp_path / "newsdesk.toml").write_text(
        CONFIG + source + "allow_private_address = true\n", encoding="utf-8"
    )
    ran = invoke("sources", "check", "open", cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "The rules agree with every sampled page." in ran.stdout


def test_a_site_with_no_feed_and_no_sitemap_gets_its_related_links_read(tmp_path: Path) -> None:
    """``add`` turns the option on; ``check`` of a source written without it says to."""
    site = scheme_site("no-discovery", seed=13)
    with serve(site) as server:
        source = f'[[sources]]\nname = "old"\nhomepage = "{server.url("/")}"\n'
        config = CONFIG + source + "allow_private_address = true\n"
        (tmp_path / "newsdesk.toml").write_text(config, encoding="utf-8")
        ran = invoke("sources", "add", server.url("/"), "--allow-private-address", cwd=tmp_path)
        checked = invoke("sources", "check", "old", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    table = proposed(ran.stdout)
    assert "feeds" not in table and "sitemaps" not in table
    assert table["follow_article_links"] is True
    assert "Add `follow_article_links = true`" in checked.stdout, checked.stdout
