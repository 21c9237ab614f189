"""Only a Python version check: pip on an older Python otherwise fails in its resolver with
a conflict about some dependency, not with the reason. Everything else is in
pyproject.toml."""

import sys

if sys.version_info < (3, 11):  # noqa: UP036 (this file exists to run on older Pythons)
    found = ".".join(str(n) for n in sys.version_info[:3])
    sys.exit(
        f"newsdesk needs Python 3.11 or newer; this is Python {found} ({sys.executable}). "
        "Install Python 3.11+ and create the virtual environment with it: "
        "python3.11 -m venv .venv"
    )

from setuptools import setup

setup()
