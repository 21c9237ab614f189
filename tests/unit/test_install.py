"""Installing on a Python that is too old says so, instead of a resolver conflict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A real interpreter, not a version manager's shim (which may refuse to run 3.10 here).
FOUND = [str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python"))]
FOUND += [p for p in ("/usr/bin/python3.10", "/usr/local/bin/python3.10") if Path(p).exists()]
OLD = FOUND[0] if FOUND else None


@pytest.mark.skipif(OLD is None, reason="no Python 3.10 on this machine")
def test_an_older_python_is_told_which_python_is_needed() -> None:
    result = subprocess.run(
        [str(OLD), "setup.py", "--name"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "newsdesk needs Python 3.11 or newer; this is Python 3.10" in result.stderr


def test_this_python_gets_past_the_check() -> None:
    result = subprocess.run(
        [sys.executable, "setup.py", "--name"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "newsdesk"
