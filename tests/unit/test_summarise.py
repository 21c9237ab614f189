from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digest.summarise import split_sentences, summarise
from tests.conftest import FIXTURES

TEXT = (FIXTURES / "example_paragraphs.txt").read_text(encoding="utf-8")


def test_summary_is_a_few_of_the_articles_own_sentences_in_order() -> None:
    sentences = split_sentences(TEXT)
    summary = summarise(TEXT, sentences=3)
    picked = [s for s in sentences if s in summary]
    assert 2 <= len(picked) <= 4
    assert " ".join(picked) == summary  # nothing but whole article sentences, in order
    assert summarise(TEXT, sentences=3) == summary  # deterministic


def test_sentence_count_follows_the_setting() -> None:
    sentences = split_sentences(TEXT)
    for n in (1, 2, 4):
        assert sum(s in summarise(TEXT, sentences=n) for s in sentences) == n


def test_abbreviations_do_not_split_sentences() -> None:
    text = "Mr. Khan met U.S. officials on Nov. 5 in Washington. Talks went well."
    assert split_sentences(text) == [
        "Mr. Khan met U.S. officials on Nov. 5 in Washington.",
        "Talks went well.",
    ]


def test_empty_text_has_an_empty_summary() -> None:
    assert summarise("  \n", sentences=3) == ""


def test_summarising_needs_no_nltk_data(tmp_path: Path) -> None:
    # With NLTK's data path pointing at an empty folder, a punkt lookup would raise.
    env = {**os.environ, "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path)}
    code = (
        "import nltk, sys; nltk.data.path[:] = [sys.argv[1]];"
        "from digest.summarise import summarise;"
        "print(summarise(open(sys.argv[2], encoding='utf-8').read(), sentences=2))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), str(FIXTURES / "example_paragraphs.txt")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert list(tmp_path.iterdir()) == []  # and nothing was downloaded
