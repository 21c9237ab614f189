"""The README's promises and the code agree."""

from __future__ import annotations

import re
from pathlib import Path

from scheduler import _parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    first, second = shell_blocks(README)[:2]
    assert first.strip().endswith("newsdesk demo")
    assert second.strip().endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = shell_blocks(README)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_every_command_is_documented_in_the_readme() -> None:
    subcommands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in subcommands:
        assert f"`newsdesk {name}" in README, f"newsdesk {name} is not in the README table"


def test_data_dir_is_ignored_but_kept() -> None:
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/data/*" in ignore and "!/data/.gitkeep" in ignore
    assert (ROOT / "data" / ".gitkeep").exists()
