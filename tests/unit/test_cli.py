"""The command line in this process (click's CliRunner): every command's options, the
values it refuses, and the progress display's two forms."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cli import newsdesk as group
from cli import progress
from cli.progress import Progress
from tests.conftest import invoke, source_toml


@pytest.mark.parametrize("command", sorted(group.commands))
def test_every_command_takes_the_common_options_after_its_name(command: str) -> None:
    result = invoke(command, "--help", cwd=Path.cwd())
    assert result.returncode == 0, result.stderr
    assert "--config FILE" in result.stdout and "--debug" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--config", "nope.toml", "status"),
        ("status", "--config", "nope.toml"),
        ("articles", "--config", "nope.toml", "--limit", "3"),
    ],
)
def test_a_missing_config_is_bad_input_wherever_it_is_given(tmp_path: Path, args: tuple) -> None:
    result = invoke(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.toml" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("articles", "--limit", "0"), "expected 1 to 1,000,000, got '0'"),
        (("articles", "--limit", "nan"), "expected a number, got 'nan'"),
        (("browse", "--port", "70000"), "expected 1 to 65,535"),
        (("crawl", "--backfill", "inf"), "expected 0.01 to 3,650"),
        (("digest", "--date", "26/11/2026"), "expected a date like 2026-11-26"),
        (("articles", "--format", "xml"), "'xml' is not one of 'table', 'json', 'csv'"),
        (("nosuch",), "No such command 'nosuch'"),
    ],
)
def test_bad_values_are_refused_before_anything_runs(
    tmp_path: Path, write_config: Callable[..., object], args: tuple, said: str
) -> None:
    write_config(source_toml("a", "http://127.0.0.1:9"))
    result = invoke(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert said in result.stderr
    assert not (tmp_path / "data" / "newsdesk.db").exists()  # nothing ran


def test_digest_remove_needs_a_date(tmp_path: Path, write_config: Callable[..., object]) -> None:
    write_config(source_toml("a", "http://127.0.0.1:9"))
    result = invoke("digest", "--remove", cwd=tmp_path)
    assert result.returncode == 2
    assert "digest --remove needs --date YYYY-MM-DD" in result.stderr


def test_service_install_writes_a_unit_that_runs_this_config(
    tmp_path: Path, write_config: Callable[..., object]
) -> None:
    write_config(source_toml("a", "http://127.0.0.1:9"))
    refused = invoke("service", "install", "--unit-dir", "units", cwd=tmp_path)
    assert refused.returncode == 2 and "needs --user" in refused.stderr
    result = invoke("service", "install", "--user", "--unit-dir", "units", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    unit = (tmp_path / "units" / "newsdesk.service").read_text()
    assert f"-m scheduler --config {tmp_path / 'newsdesk.toml'} run" in unit
    assert f"WorkingDirectory={tmp_path}" in unit
    assert "systemctl --user enable --now newsdesk" in result.stdout


def test_summarise_jsonl_names_the_line_it_cannot_read(tmp_path: Path) -> None:
    result = invoke("summarise", "--jsonl", "-", cwd=tmp_path, stdin='{"text": "A."}\n[1]\n')
    assert result.returncode == 2
    assert '-:2: expected a JSON object with a "text" field' in result.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_redraws_one_line_and_keeps_the_last() -> None:
    out = Terminal()
    with Progress(out) as shown:
        for done in range(1, 4):
            shown.crawl({"a": {"pages": done, "requests": 2 * done}})
        shown.crawled({"output": "", "complaints": ""})
        shown.pages(5, 5, "article")
    text = out.getvalue()
    assert text.count("\rcrawling: a ") == 3 and "\rcrawling: a 3 new pages, 6 requests" in text
    # the crawl's last count stays on its line; processing gets its own, ended at the close
    assert "\x1b[K\n\rprocessing: 5/5 pages" in text and text.endswith("\x1b[K\n")


def test_a_log_line_clears_the_live_line_which_comes_back(monkeypatch) -> None:
    out = Terminal()
    handler = logging.StreamHandler(out)
    monkeypatch.setattr(logging.getLogger(), "handlers", [handler])
    with Progress(out) as shown:
        shown.crawl({"a": {"pages": 1, "requests": 2}})
        logging.getLogger("newsdesk.test").warning("a log line")
    assert handler.filters == []  # taken off at the end
    text = out.getvalue()
    # cleared before the log line, and the last count drawn again below it at the end
    assert "requests (0s)\x1b[K\r\x1b[Ka log line\n\rcrawling: a 1 new pages" in text
    assert text.endswith("\x1b[K\n")


def test_a_live_line_never_outgrows_the_terminal(monkeypatch) -> None:
    monkeypatch.setattr(
        progress.shutil, "get_terminal_size", lambda fallback: os.terminal_size((40, 24))
    )
    out = Terminal()
    with Progress(out) as shown:
        sources = {f"source-{n}": {"pages": n, "requests": 3 * n} for n in range(6)}
        shown.crawl(sources)
    drawn = out.getvalue().split("\r")[1].split("\x1b[K")[0]
    assert drawn.startswith("crawling: 6 sources: 15 new pages, 45")  # summed when long
    assert len(drawn) <= 39


def test_progress_elsewhere_is_counted_lines_not_one_a_page(monkeypatch) -> None:
    monkeypatch.setattr(progress, "PERIOD_SECONDS", 3600)  # no time-based line in between
    out = io.StringIO()
    with Progress(out) as shown:
        for done in range(1, 101):
            shown.pages(done, 100, "article")
    assert [line.split(" (")[0] for line in out.getvalue().splitlines()] == [
        "processing: 100/100 pages"  # its end; with more time, one every PERIOD_SECONDS
    ]
    assert "\r" not in out.getvalue()


def test_a_duplicate_source_is_reported_at_its_own_line(tmp_path: Path) -> None:
    sources = "".join(
        f'\n[[sources]]\nname = "{name}"\nhomepage = "https://{host}.example/"\n'
        for name, host in (("a", "a"), ("b", "b"), ("a", "c"))
    )
    (tmp_path / "newsdesk.toml").write_text("download_delay = 0.0\n" + sources)
    result = invoke("status", cwd=tmp_path)
    assert result.returncode == 2
    assert "newsdesk.toml:12: sources[2].name: duplicate source name 'a'" in result.stderr
