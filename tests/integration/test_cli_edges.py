"""The command line at its edges, as other tools behave: options before or after the
command's name, output cut short by `| head`, and a demo that never touches a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import newsdesk
from tests.integration.test_pipeline import crawled  # a crawled and processed store

__all__ = ["crawled"]


def test_config_and_debug_go_before_or_after_the_command(crawled: Path, tmp_path: Path) -> None:
    config = crawled.parent.parent / "newsdesk.toml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = newsdesk("--config", str(config), "articles", "--format", "json", cwd=elsewhere)
    after = newsdesk("articles", "--format", "json", "--config", str(config), cwd=elsewhere)
    debug = newsdesk(
        "articles", "--debug", "--format", "json", "--config", str(config), cwd=elsewhere
    )
    assert before.returncode == after.returncode == debug.returncode == 0, after.stderr
    assert before.stdout == after.stdout == debug.stdout
    assert "Pakistan invites Japanese firms" in after.stdout
    missing = newsdesk("status", "--config", str(tmp_path / "nope.toml"), cwd=elsewhere)
    assert missing.returncode == 2 and "nope.toml" in missing.stderr


def test_output_into_a_closed_pipe_ends_quietly(crawled: Path) -> None:
    """`newsdesk export | head` where head has already gone: no traceback, the exit status
    of a program stopped by SIGPIPE (141), as cat or grep give."""
    cwd = crawled.parent.parent
    for command in (
        ["export", "--format", "csv"],
        ["articles"],
        ["search", "oil OR mineral", "--format", "json"],
        ["status"],
    ):
        read_end, write_end = os.pipe()
        os.close(read_end)  # nobody will read: the first write fails with EPIPE
        try:
            result = subprocess.run(
                [sys.executable, "-m", "scheduler", *command],
                cwd=cwd,
                stdout=write_end,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            os.close(write_end)
        assert result.returncode == 141, (command, result.stderr)
        assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, command


def test_the_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    real = tmp_path / "data"
    (real / "digests").mkdir(parents=True)
    (real / "newsdesk.db").write_bytes(b"a real store, not the demo's")
    result = newsdesk("demo", "--data-dir", str(real), cwd=tmp_path)
    assert result.returncode == 2
    assert "holds files the demo did not write" in result.stderr
    assert (real / "newsdesk.db").read_bytes() == b"a real store, not the demo's"
    assert (real / "digests").is_dir()


def test_show_finds_an_article_with_or_without_its_trailing_slash(crawled: Path) -> None:
    cwd = crawled.parent.parent
    rows = json.loads(newsdesk("articles", "--format", "json", cwd=cwd).stdout)
    url = next(r["url"] for r in rows if r["url"].endswith("/"))
    with_slash = newsdesk("show", url, cwd=cwd)
    without = newsdesk("show", url.rstrip("/"), cwd=cwd)
    assert with_slash.returncode == without.returncode == 0, without.stderr
    assert with_slash.stdout == without.stdout
