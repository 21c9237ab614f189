from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from digest.config import ConfigError, load_config, settings_help
from tests.conftest import newsdesk

ROOT = Path(__file__).resolve().parents[2]
SOURCE = '[[sources]]\nname = "a"\nhomepage = "https://example.com/"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newsdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_with_its_four_sources() -> None:
    cfg = load_config(ROOT / "newsdesk.toml")
    assert [s.name for s in cfg.sources] == [
        "profit",
        "dawn-business",
        "business-recorder",
        "tribune-business",
    ]
    assert cfg.timezone == "Asia/Karachi"
    assert cfg.digest_time == time(7, 0)
    assert cfg.data_dir == ROOT / "data"
    assert "+https://" in cfg.user_agent


def test_defaults_apply_when_keys_are_absent(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, SOURCE))
    assert cfg.timezone == "Asia/Karachi"
    assert cfg.summary_sentences == 3
    assert cfg.sources[0].domains == ("example.com",)
    assert cfg.db_path == tmp_path / "data" / "newsdesk.db"


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'timezone = "UTC"\ncrawl_intervall = 5\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"{path}:2: crawl_intervall: unknown key" in str(err.value)


def test_unknown_key_inside_a_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.feed: unknown key"):
        load_config(write(tmp_path, SOURCE + 'feed = "https://example.com/rss"\n'))


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"newsdesk.toml:1: summary_sentences: expected a whole number from 1 to 50, "
        r"got 'three'",
    ):
        load_config(write(tmp_path, 'summary_sentences = "three"\n'))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('digest_time = "7am"\n', "digest_time: expected a 24-hour time"),
        ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone"),
        ('[[sources]]\nname = "a"\n', r"sources\[0\]\.homepage: required key is missing"),
        (SOURCE + "article_patterns = ['(']\n", r"sources\[0\]\.article_patterns: bad regular"),
        (SOURCE.replace("https://example.com/", "ftp://example.com/"), "expected an http"),
        (SOURCE + SOURCE, "duplicate source name"),
        ('user_agent = "bot"\n', "user_agent: expected a contact URL"),
        (SOURCE + "concurrency = 0\n", r"sources\[0\]\.concurrency: expected a whole number"),
        (SOURCE + "concurrency = 500\n", r"sources\[0\]\.concurrency: .* from 1 to 32"),
        ("timezone = \n", "not valid TOML"),
    ],
)
def test_bad_values_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found"):
        load_config(tmp_path / "nope.toml")


def test_environment_overrides_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "elsewhere"))
    assert load_config(write(tmp_path, SOURCE)).data_dir == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crawl_interval_minutes = 5\nbogus = 1\n", "bogus: unknown key"),
        ('crawl_interval_minutes = "often"\n', "crawl_interval_minutes: expected a number"),
        (None, "config file not found"),
    ],
)
def test_cli_exits_non_zero_on_a_bad_config(
    tmp_path: Path, text: str | None, expected: str
) -> None:
    if text is not None:
        write(tmp_path, text)
    result = newsdesk("--config", "newsdesk.toml", "digest", cwd=tmp_path)
    assert result.returncode == 2
    assert str(tmp_path / "newsdesk.toml") in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, _default, _help in settings_help():
        assert f"`{name}`" in docs, f"{name} is missing from docs/settings.md"


def test_every_custom_scrapy_setting_is_documented() -> None:
    from crawler import settings

    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in dir(settings):
        if name.startswith("NEWSDESK_"):
            assert f"`{name}`" in docs, f"{name} is missing from docs/settings.md"


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", "A", "x y", ""])
def test_a_source_name_cannot_name_a_path(tmp_path: Path, name: str) -> None:
    text = SOURCE.replace('name = "a"', f"name = {name!r}".replace("'", '"'))
    with pytest.raises(ConfigError, match=r"sources\[0\]\.name"):
        load_config(write(tmp_path, text))


def test_a_digest_date_cannot_name_a_path(tmp_path: Path) -> None:
    write(tmp_path, SOURCE)
    result = newsdesk("digest", "--date", "../../etc/passwd", cwd=tmp_path)
    assert result.returncode == 2
    assert "expected a date like 2026-11-26" in result.stderr
    assert not (tmp_path / "data" / "digests").exists()


def test_a_notify_url_apprise_cannot_use_is_refused_at_load(tmp_path: Path) -> None:
    good = 'json://localhost:8080/hook", "mailto://user:pw@example.com'
    assert load_config(write(tmp_path, SOURCE + f'\n[notify]\nurls = ["{good}"]\n')).notify.urls
    text = SOURCE + '\n[notify]\nurls = [\n  "json://localhost/",\n  "slak://s3cret@x",\n]\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    message = str(caught.value)
    line = text.splitlines().index("urls = [") + 1
    assert f"newsdesk.toml:{line}: notify.urls: URL 2 (slak://…)" in message
    assert "s3cret" not in message  # never echo a credential


def test_crawling_commands_need_a_source(tmp_path: Path) -> None:
    write(tmp_path, 'timezone = "UTC"\n')
    crawl = newsdesk("crawl", cwd=tmp_path)
    assert crawl.returncode == 2
    assert 'no [[sources]] table: add one per site to follow (README, "Adding a site")' in (
        crawl.stderr
    )
    assert not (tmp_path / "data" / "newsdesk.db").exists()
