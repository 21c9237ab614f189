"""Shared fixtures: a real HTTP server on 127.0.0.1 and configs that point at it."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.siteserver import serve_site
from digest.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
EXAMPLE_PATH = "/2025/11/05/pakistan-invites-japanese-firms-to-invest-in-mineral-sector/"
FURNITURE = (
    "LEAVE A REPLY",
    "Please enter your comment",
    "Please enter your name here",
    "Must Read",
    "Karachi Coastal",
    "Our monitoring team diligently searches",
)


@pytest.fixture(scope="session")
def site() -> Iterator[object]:
    """The fixture news site, served on a free port of 127.0.0.1 for the whole session."""
    with serve_site(SITE) as server:
        yield server


@pytest.fixture
def site_url(site: object) -> str:
    return site.base_url  # type: ignore[attr-defined]


def source_toml(name: str, base: str, *, patterns: bool = True, extra: str = "") -> str:
    text = f"""
[[sources]]
name = "{name}"
homepage = "{base}/"
sections = ["{base}/category/business/"]
sitemaps = ["{base}/sitemap.xml"]
allow_private_address = true
"""
    if patterns:
        text += "article_patterns = ['/\\d{4}/\\d{2}/\\d{2}/[^/]+/$']\n"
    return text + extra


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Config]:
    """Write a newsdesk.toml into tmp_path (store under tmp_path/data) and load it."""

    def write(sources: str, settings: str = "") -> Config:
        path = tmp_path / "newsdesk.toml"
        path.write_text(f"download_delay = 0.0\n{settings}\n{sources}", encoding="utf-8")
        return load_config(path)

    return write


def newsdesk(
    *args: str, cwd: Path, timeout: float = 120, **kw: object
) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsdesk` command line in a subprocess."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NEWSDESK_CONFIG", None)
    env.pop("NEWSDESK_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kw,  # type: ignore[call-overload]
    )


@dataclass
class Ran:
    """A command's outcome, named as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, cwd: Path, stdin: str | None = None) -> Ran:
    """Run a `newsdesk` command in this process with click's CliRunner, from ``cwd``. The
    root logger and the signal handlers the command sets are put back afterwards."""
    from cli import newsdesk as group

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    signals = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Unset for the command and put back after it (--redis sets NEWSDESK_REDIS_URL).
    unset = ("NEWSDESK_CONFIG", "NEWSDESK_DATA_DIR", "NEWSDESK_REDIS_URL")
    runner = CliRunner(env=dict.fromkeys(unset))
    try:
        with contextlib.chdir(cwd):
            result = runner.invoke(group, list(args), input=stdin, prog_name="newsdesk")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for sig, handler in signals.items():
            signal.signal(sig, handler)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
