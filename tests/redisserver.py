"""A real ``redis-server`` for the scale-out tests: 127.0.0.1, a free port, its own folder.

It runs with the append-only file on (``appendfsync always``) and snapshots off, so a
restart keeps the queues, as a production Redis configured for newsdesk would
(``durable=False``: no persistence at all, for ``bench/workers.py``, which imports this).

When ``redis-server`` is missing the tests fail with a message saying how to install it
if ``$CI`` is set (CI must run them), and are skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

MISSING = (
    "redis-server is not installed; the scale-out tests need a real one: "
    "apt-get install -y redis-server (.ci/run does this)"
)


def redis_binary() -> str:
    """Path of redis-server; fails the test in CI, skips it elsewhere, when missing."""
    found = shutil.which("redis-server")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(MISSING)
    pytest.skip(MISSING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, binary: str, folder: Path, *, durable: bool = True) -> None:
        self.binary = binary
        self.folder = folder
        self.durable = durable
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> None:
        args = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port)]
        args += ["--dir", str(self.folder), "--save", ""]
        if self.durable:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        args += ["--daemonize", "no", "--protected-mode", "yes"]
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}: see {log.name}")

    def stop(self) -> None:
        """Shut down as a service manager would (SIGTERM: the AOF is flushed)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


@contextmanager
def running_redis(folder: Path) -> Iterator[RedisServer]:
    """A redis-server in ``folder`` for the duration of the block."""
    folder.mkdir(parents=True, exist_ok=True)
    server = RedisServer(redis_binary(), folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
