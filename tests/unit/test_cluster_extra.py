"""redis and scrapy-redis are the optional 'cluster' extra: without them a single machine
works as before, and every way into cluster mode says in one line what to install
(exit 2) instead of showing an ImportError's traceback.

Each test runs a Python in which the two packages cannot be imported (``None`` in
``sys.modules``, set before anything else runs), as on a machine without the extra. No
test reaches the network: the import fails before any connection is tried.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cluster import EXTRA_MISSING, require_cluster_extra
from tests.redisserver import free_port

ROOT = Path(__file__).parents[2]
# Block the extra's packages, then run the module named by the first argument as
# `python -m` would, with the remaining arguments.
WITHOUT_EXTRA = (
    "import runpy, sys\n"
    "sys.modules.update(redis=None, scrapy_redis=None)\n"
    "module = sys.argv.pop(1)\n"
    "sys.argv[0] = module\n"
    "runpy.run_module(module, run_name='__main__', alter_sys=True)\n"
)
SOURCE = '[[sources]]\nname = "a"\nhomepage = "https://example.com/"\n'
LINE = f"newsdesk: {EXTRA_MISSING}\n"


def without_extra(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m ARGS`` without the cluster extra, importing this checkout."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}
    for name in ("NEWSDESK_CONFIG", "NEWSDESK_DATA_DIR", "NEWSDESK_REDIS_URL"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def python_without_extra(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = cwd / "check.py"
    script.write_text(code, encoding="utf-8")
    return without_extra("check", cwd=cwd)


def test_the_check_passes_with_the_extra_installed() -> None:
    require_cluster_extra()  # the test extra installs redis and scrapy-redis


def test_the_check_names_the_extra(tmp_path: Path) -> None:
    result = python_without_extra(
        "from digest.cluster import ClusterExtraMissing, require_cluster_extra\n"
        "from digest.config import ConfigError\n"
        "try:\n"
        "    require_cluster_extra()\n"
        "except ClusterExtraMissing as exc:\n"
        "    assert isinstance(exc, ConfigError)\n"
        "    print(exc)\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "cluster mode needs the 'cluster' extra: pip install -e '.[cluster]'\n"
    )


def test_connecting_and_the_cluster_crawler_need_the_extra(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = python_without_extra(
        "from digest.cluster import ClusterExtraMissing, connect\n"
        "try:\n"
        f"    connect({url!r})\n"
        "except ClusterExtraMissing as exc:\n"
        "    print(exc)\n"
        "try:\n"
        "    import crawler.cluster.run\n"
        "except ClusterExtraMissing as exc:\n"
        "    print(exc)\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [EXTRA_MISSING] * 2


def test_a_single_machine_needs_no_extra(tmp_path: Path) -> None:
    result = python_without_extra(
        "import scheduler, crawler.__main__, crawler.settings, digest.jobs\n"
        "from crawler.pipelines import persist\n",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_the_crawl_process_with_redis_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "newsdesk.toml").write_text(SOURCE, encoding="utf-8")
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there; never reached
    result = without_extra("crawler", "--config", "newsdesk.toml", "--redis", url, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, LINE)


@pytest.mark.parametrize("command", ["worker", "ingest", "crawl"])
def test_cluster_commands_are_one_clear_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "newsdesk.toml").write_text(SOURCE, encoding="utf-8")
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = without_extra(
        "scheduler", "--config", "newsdesk.toml", command, "--redis", url, cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (2, LINE)
