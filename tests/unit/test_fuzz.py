"""Random and truncated input through the parts that read the outside world: the URL
cleaner, the config loader and extraction. Only the documented error types may come out."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import ConfigError, load_config, parse_config
from digest.extract import extract
from digest.urls import canonical_url, clean_url
from tests.conftest import EXAMPLE_PATH, SITE

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
URLISH = st.text(alphabet=string.printable + "äß€[]@%", max_size=80)
EXAMPLE = (SITE / EXAMPLE_PATH.strip("/") / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("url", ["http://[", "http://[::1", "http://a:99999/", "http://a:port/"])
def test_unparseable_urls_clean_to_nothing(url: str) -> None:
    assert clean_url(url) == ""
    assert canonical_url("https://a.example/x/", url) == "https://a.example/x/"


@FUZZ
@given(URLISH, st.one_of(st.none(), URLISH))
def test_url_cleaning_never_raises(url: str, declared: str | None) -> None:
    assert isinstance(clean_url(url), str)
    assert isinstance(canonical_url("https://a.example/x/", declared), str)
    assert clean_url(clean_url(url)) == clean_url(url)  # cleaning twice changes nothing


toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "data_dir",
                "timezone",
                "digest_time",
                "crawl_interval_minutes",
                "sources",
                "topics",
                "notify",
                "summary_words",
                "user_agent",
                "bogus",
            ]
        ),
        toml_values,
        max_size=5,
    )
)
def test_any_config_mapping_loads_or_raises_config_error(raw: dict) -> None:
    raw = {k: v for k, v in raw.items() if v is not None}
    try:
        parse_config(raw, Path("/nowhere/newsdesk.toml"))
    except ConfigError as exc:
        assert "newsdesk.toml" in str(exc)


@FUZZ
@given(st.binary(max_size=300))
def test_any_config_file_loads_or_raises_config_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("cfg") / "newsdesk.toml"
    path.write_bytes(data)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)


@FUZZ
@given(st.integers(min_value=0, max_value=len(EXAMPLE)), st.text(max_size=200))
def test_truncated_or_noisy_html_never_crashes_extraction(cut: int, noise: str) -> None:
    result = extract(EXAMPLE[:cut] + noise, "https://profit.example/a/")
    assert isinstance(result.text, str)
    assert result.is_article or result.reason


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_extraction(data: bytes) -> None:
    result = extract(data.decode("utf-8", errors="replace"), "https://profit.example/a/")
    assert result.is_article or result.reason


def test_nul_bytes_and_deep_nesting_are_handled() -> None:
    deep = "<div>" * 5000 + "<p>" + "word " * 200 + "</p>" + "</div>" * 5000
    for html in (EXAMPLE.replace("<p>", "<p>\x00", 3), deep, "\x00" * 1000):
        result = extract(html, "https://profit.example/a/")
        assert result.is_article or result.reason
