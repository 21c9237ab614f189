"""A source's URL patterns run on RE2, in linear time; a pattern RE2 cannot take is
refused at load with the file, line, key and reason, never run on Python's ``re``
(issue #15, item 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.parsing import is_article_candidate
from digest.config import ConfigError, Source, load_config
from tests.unit.test_config import SOURCE, write


def test_a_backtracking_pattern_is_judged_at_once() -> None:
    # Issue #15: `article_patterns = ['(a+)+$']` and links like `/aaaa…a!` kept the crawl
    # at 92% CPU. Run in a child process, so a regression fails on the (very generous)
    # timeout instead of hanging the test run.
    code = (
        "from crawler.parsing import is_article_candidate\n"
        "from digest.config import Source\n"
        "src = Source(name='a', homepage='https://example.com/', "
        "article_patterns=('(a+)+$',), deny_patterns=('(x+x+)+y',))\n"
        "site = 'https://example.com/'\n"
        "for n in (36, 10_000):\n"
        "    assert not is_article_candidate(site + 'a' * n + '!', src)\n"
        "    assert is_article_candidate(site + 'x' * n + 'a', src)  # deny tried, no match\n"
        "    assert not is_article_candidate(site + 'x' * n + 'ya', src)  # denied\n"
        "    assert is_article_candidate(site + 'a' * n, src)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_patterns_are_compiled_once_per_config(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, SOURCE + "article_patterns = ['/news/\\d+', '/story/']\n"))
    src = cfg.sources[0]
    assert src.article_regexes is src.article_regexes  # one compiled tuple, reused per URL
    assert [p.search("https://example.com/news/42") is not None for p in src.article_regexes] == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(\d+)/\1", r"invalid escape sequence: \1"),  # a backreference
        ("/news/(?=\\d)", "invalid perl operator: (?="),  # a lookahead
        ("(?<!amp)/story/", "invalid perl operator: (?<!"),  # a lookbehind
        (r"/story/\Z", r"invalid escape sequence: \Z"),  # RE2 spells it \z
    ],
)
@pytest.mark.parametrize("key", ["article_patterns", "deny_patterns"])
def test_syntax_re2_lacks_is_refused_at_load_with_the_reason(
    tmp_path: Path, pattern: str, reason: str, key: str
) -> None:
    path = write(tmp_path, f"{SOURCE}{key} = ['{pattern}']\n")  # a TOML literal string
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}:4: sources[0].{key}: regular expression {pattern!r}")
    assert f"does not support ({reason})" in message
    assert "no backreferences or lookarounds" in message


def test_a_broken_pattern_is_still_called_bad(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE + "article_patterns = ['/ok/', '(']\n")
    with pytest.raises(ConfigError, match=r":4: sources\[0\]\.article_patterns: bad regular"):
        load_config(path)


def test_an_anchored_pattern_matches_as_before() -> None:
    src = Source(
        name="p",
        homepage="https://profit.example/",
        article_patterns=(r"^https://profit\.example/\d{4}/\d{2}/\d{2}/[^/]+/?$",),
        deny_patterns=("(?i)/SPONSORED/",),
    )
    assert is_article_candidate("https://profit.example/2026/11/26/copper-rises/", src)
    assert not is_article_candidate("https://profit.example/2026/11/26/a/b/", src)
    assert not is_article_candidate("https://profit.example/sponsored/2026/11/26/x/", src)
