"""Every number in the config is finite and within a documented range, checked at load
with the file, line and key (issue #15, item 1)."""

from __future__ import annotations

import re
import typing
from dataclasses import fields
from pathlib import Path

import pytest

from cli.tools import demo_config
from digest.config import (
    Bounds,
    Cluster,
    Config,
    ConfigError,
    Notify,
    Source,
    Topic,
    load_config,
    settings_bounds,
)
from tests.conftest import newsdesk

ROOT = Path(__file__).resolve().parents[2]
SOURCE = '[[sources]]\nname = "a"\nhomepage = "https://example.com/"\n'
BOUNDS = settings_bounds()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_with(name: str, value: str) -> tuple[str, str, int]:
    """(TOML text setting ``name`` to ``value``, the key an error names, its line)."""
    if name.startswith("sources[]."):
        key = name.removeprefix("sources[].")
        return f"{SOURCE}{key} = {value}\n", f"sources[0].{key}", 4
    if name.startswith("cluster."):
        return f"[cluster]\n{name.removeprefix('cluster.')} = {value}\n", name, 2
    return f'timezone = "UTC"\n{name} = {value}\n', name, 2


def rejects(tmp_path: Path, name: str, value: str) -> str:
    text, key, line = config_with(name, value)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: {key}: expected "), message
    bounds = BOUNDS[name]
    assert bounds.expected(whole=WHOLE[name]) in message
    assert bounds.text.removeprefix("0, or ") in message, message
    return message


def accepts(tmp_path: Path, name: str, value: str) -> None:
    text, _key, _line = config_with(name, value)
    load_config(write(tmp_path, text))


def numeric_fields() -> list[tuple[str, typing.Any]]:
    found = []
    tables = ((Config, ""), (Source, "sources[]."), (Topic, "topics[]."), (Notify, "notify."))
    for cls, prefix in (*tables, (Cluster, "cluster.")):
        hints = typing.get_type_hints(cls)
        found += [(prefix + f.name, f) for f in fields(cls) if hints[f.name] in (int, float)]
    return found


WHOLE = {name: f.type == "int" for name, f in numeric_fields()}  # int (not float) settings


def test_every_numeric_setting_has_bounds_that_hold_its_default() -> None:
    numeric = numeric_fields()
    assert len(numeric) == len(BOUNDS) == 19
    for name, f in numeric:
        bounds = f.metadata["bounds"]
        assert isinstance(bounds, Bounds), f"{name} has no bounds"
        assert 0 <= bounds.low <= bounds.high < 10**7, name
        assert bounds.allows(f.default), f"{name}'s default {f.default} is out of its range"


def test_every_range_is_documented_in_the_settings_table() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, bounds in BOUNDS.items():
        rows = [line for line in docs.splitlines() if line.startswith(f"| `{name}` |")]
        assert len(rows) == 1, f"{name} has no row in docs/settings.md"
        assert f"| {bounds.text}" in rows[0], f"{name}: docs/settings.md lacks {bounds.text!r}"


# The reproductions of issue #15, each quoted as the user wrote it.
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("crawl_interval_minutes = nan", "expected a number from 0.01 to 525600, got nan"),
        ("crawl_interval_minutes = inf", "expected a number from 0.01 to 525600, got inf"),
        ("crawl_interval_minutes = 1e300", "expected a number from 0.01 to 525600, got 1e+300"),
        ("max_page_mib = nan", "expected a number from 0.1 to 256, got nan"),
        ("download_timeout_seconds = nan", "expected a number from 1 to 600, got nan"),
        ("download_delay = 1e300", "expected a number from 0 to 60, got 1e+300"),
        ("sitemap_max_age_days = nan", "expected a number from 0.01 to 3650, got nan"),
        (
            "catch_up_days = 1e11",
            "expected a whole number from 0 to 365, got 100000000000.0 "
            "(a whole number is written without a decimal point or exponent)",
        ),
    ],
)
def test_the_reported_values_are_refused_at_load(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, f'timezone = "UTC"\n{text}\n')
    key = text.split(" =")[0]
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}:2: {key}: {message}"


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_each_setting_refuses_non_finite_and_out_of_range_values(tmp_path: Path, name: str) -> None:
    bounds = BOUNDS[name]
    below = bounds.low - 1 if bounds.low >= 1 else bounds.low / 2
    if bounds.zero or bounds.low == 0:
        below = -1
    for value in ("nan", "+inf", "-inf", "1e300", repr(below), repr(bounds.high * 2)):
        rejects(tmp_path, name, value)
    if bounds.zero:
        accepts(tmp_path, name, "0")
        message = rejects(tmp_path, name, repr(bounds.low / 2))  # below the shortest interval
        assert ": expected 0, or a number from 0.01 to 525600, got 0.005" in message


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_each_setting_takes_both_ends_of_its_range(tmp_path: Path, name: str) -> None:
    bounds = BOUNDS[name]
    for end in (bounds.low, bounds.high):
        number = int(end) if float(end).is_integer() else end
        accepts(tmp_path, name, str(number))


@pytest.mark.parametrize(("name", "hint"), [(n, f.type) for n, f in numeric_fields()])
def test_booleans_are_not_numbers_and_whole_numbers_take_no_point(
    tmp_path: Path, name: str, hint: str
) -> None:
    message = rejects(tmp_path, name, "true")
    assert message.endswith("got True")
    if hint == "int":
        message = rejects(tmp_path, name, "3.0")
        assert "written without a decimal point or exponent" in message
    else:
        accepts(tmp_path, name, "3")  # a float setting takes an integer


def test_a_huge_integer_is_refused_without_printing_it(tmp_path: Path) -> None:
    message = rejects(tmp_path, "summary_words", "9" * 400)
    assert message.endswith("got a number of more than 30 digits")
    with pytest.raises(ConfigError, match="not valid TOML"):  # Python's 4300-digit limit
        load_config(write(tmp_path, f"summary_words = {'9' * 5000}\n"))


def test_the_error_names_the_line_in_the_source_it_belongs_to(tmp_path: Path) -> None:
    second = SOURCE.replace('"a"', '"b"')
    path = write(tmp_path, f"{SOURCE}max_pages = 10\n\n{second}max_pages = 0\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}:9: sources[1].max_pages: expected a whole number")


def test_a_top_level_key_is_not_found_in_a_source_table(tmp_path: Path) -> None:
    path = write(tmp_path, f"{SOURCE}crawl_interval_minutes = 5\n")
    text = path.read_text(encoding="utf-8")
    path.write_text("crawl_interval_minutes = -1\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{path}:1: crawl_interval_minutes:")):
        load_config(path)


@pytest.mark.parametrize(
    "setting",
    [  # values the test suite and the benchmarks use: fast tests need sub-minute intervals
        "crawl_interval_minutes = 0.05",
        "crawl_interval_minutes = 0.1",
        "crawl_interval_minutes = 0.15",
        "crawl_interval_minutes = 100000",
        "crawl_timeout_minutes = 0.05",
        "download_delay = 0.0",
        "download_timeout_seconds = 2",
        "max_page_mib = 2",
        "process_workers = 1",
        "keep_pages_days = 30",
    ],
)
def test_values_the_tests_and_benchmarks_use_still_load(tmp_path: Path, setting: str) -> None:
    load_config(write(tmp_path, f"{setting}\n{SOURCE}max_pages = 4000\nconcurrency = 16\n"))
    load_config(write(tmp_path, "[cluster]\nlease_seconds = 3\nmax_queued_pages = 20\n"))


def test_the_demo_config_loads(tmp_path: Path) -> None:
    load_config(write(tmp_path, demo_config("http://127.0.0.1:8000")))


def test_the_service_refuses_a_nan_interval_before_it_starts(tmp_path: Path) -> None:
    write(tmp_path, f"crawl_interval_minutes = nan\n{SOURCE}")
    result = newsdesk("--config", "newsdesk.toml", "run", "--once", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert f"{tmp_path / 'newsdesk.toml'}:1: crawl_interval_minutes: expected" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "newsdesk.db").exists()
