"""The README's promises and the code agree."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import MISSING
from datetime import time
from pathlib import Path, PurePath

from cli import newsdesk
from digest.config import _settings as config_settings

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
    for name in newsdesk.commands:
        assert f"`newsdesk {name}" in README, f"newsdesk {name} is not in the README table"


def test_data_dir_is_ignored_but_kept() -> None:
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/data/*" in ignore and "!/data/.gitkeep" in ignore
    assert (ROOT / "data" / ".gitkeep").exists()


def toml_value(value: object) -> str:
    """A Python default as it is written in newsdesk.toml: `true`, `[]`, `"text"`, `60`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, time):  # the config reads "HH:MM" or "HH:MM:SS" strings
        return json.dumps(value.strftime("%H:%M:%S" if value.second else "%H:%M"))
    if isinstance(value, str | PurePath):
        return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML rendering for {value!r}")


def test_settings_defaults_are_shown_as_toml() -> None:
    """docs/settings.md shows each default as the TOML one would write (`false`, `[]`,
    `"data"`), not as a Python repr (`False`, `()`, `'data'`)."""
    assert toml_value(()) == "[]" and toml_value(("a",)) == '["a"]'
    assert toml_value(False) == "false" and toml_value(time(7, 0)) == '"07:00"'
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, f in config_settings():
        if f.default is MISSING and f.default_factory is MISSING:
            shown = "(required)"
        else:
            value = f.default if f.default is not MISSING else f.default_factory()
            if value is None:
                shown = "(unset)"
            else:
                rendered = toml_value(value)
                assert "v" in tomllib.loads(f"v = {rendered}"), rendered  # valid TOML
                shown = f"`{rendered}`"
        rows = [line for line in docs.splitlines() if line.startswith(f"| `{name}` |")]
        assert len(rows) == 1, f"{name} has no row in docs/settings.md"
        cell = rows[0].split(" | ")[1]
        assert cell == shown, f"{name}: docs/settings.md shows {cell}, the default is {shown}"


def module_map() -> set[str]:
    """The paths the README's module map names (the block under "How it is built"): each
    line is a file or folder, indented under its folder, then its purpose."""
    block = re.search(r"## How it is built\n\n```\n(.*?)```", README, flags=re.S)
    assert block, "the README has lost its module map"
    named: set[str] = set()
    parents: list[tuple[int, str]] = []  # (indent, folder) of the lines above
    for line in block.group(1).splitlines():
        indent = len(line) - len(line.lstrip())
        name = line.split()[0]
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = (parents[-1][1] if parents else "") + name
        named.add(path)
        if name.endswith("/"):
            parents.append((indent, path))
        named.update(path[: i + 1] for i, c in enumerate(path) if c == "/")  # its folders
    return named


def test_every_module_is_in_the_readme_module_map() -> None:
    named = module_map()
    modules = sorted(
        p.relative_to(ROOT).as_posix()
        for package in ("crawler", "digest")
        for p in (ROOT / package).rglob("*.py")
    )
    assert "digest/config.py" in modules
    for module in modules:
        # a package's __init__.py is described by the package's own line
        wanted = module.removesuffix("__init__.py") if module.endswith("/__init__.py") else module
        assert wanted in named, f"{wanted} is missing from the README's module map"
    for path in named:
        if path.startswith(("crawler/", "digest/")):
            assert (ROOT / path).exists(), f"the README's module map names {path}, which is gone"


def test_ci_runs_the_checkers_before_the_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    checkers = re.search(r"^pytest\(\) \{\n(.*?)\n\}$", ci, flags=re.S | re.M)
    assert checkers is not None, "the pytest function that runs the checkers first"
    steps = [step.strip() for step in checkers[1].split("&&")]
    assert steps == ["ruff check .", "ruff format --check .", "mypy", 'command pytest "$@"']
    assert ci.index("pytest() {") < ci.index(shell_blocks(README)[1].strip())
