"""Serve a generated site fast enough that the server is not what a benchmark measures.

With nginx on the PATH (Debian: ``apt-get install nginx-light``), the site is served by
nginx on 127.0.0.1: one worker process, sendfile, ETag and Last-Modified, no logs. The
``__BASE__`` placeholders that crawler.siteserver fills in on the fly are written into the
files first. Without nginx, it falls back to crawler.siteserver (a Python threaded server
in the benchmark's own process, which then competes for the same cores).

Either way, run (a) of bench/pipeline.py, a fetch-only crawl, shows how fast the server
answers: the other runs are slower by many times.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.siteserver import SUBSTITUTED, serve_site

NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{
        text/html html;
        application/xml xml;
        text/plain txt;
        application/gzip gz;
        application/pdf pdf;
    }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
    }}
}}
"""


@contextmanager
def serve_generated(root: Path, generate: Callable[[str], object]) -> Iterator[str]:
    """Call ``generate(base_url)`` to write the site into ``root``, serve it, and yield a
    label naming the server. The base URL is chosen before the site is written."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )
    if nginx is None:
        with serve_site(root) as server:
            root.mkdir(parents=True, exist_ok=True)
            generate(server.base_url)
            yield f"crawler.siteserver (Python) at {server.base_url}"
        return
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    generate(base)
    _fill_base(root, base)
    with _nginx(nginx, root, port):
        yield f"nginx at {base}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fill_base(root: Path, base: str) -> None:
    for path in root.rglob("*"):
        if path.suffix in SUBSTITUTED and path.is_file():
            text = path.read_text(encoding="utf-8")
            if "__BASE__" in text:
                path.write_text(text.replace("__BASE__", base), encoding="utf-8")


@contextmanager
def _nginx(nginx: str, root: Path, port: int) -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="nginx-") as tmp:
        user = "user root root;" if os.geteuid() == 0 else ""  # workers must read root's files
        conf = Path(tmp, "nginx.conf")
        conf.write_text(
            NGINX_CONF.format(user=user, tmp=tmp, port=port, root=root.resolve()),
            encoding="utf-8",
        )
        proc = subprocess.Popen([nginx, "-c", str(conf), "-p", tmp], stderr=subprocess.PIPE)
        try:
            _wait_listening(port, proc)
            yield
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            error = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"nginx exited with {proc.returncode}: {error.strip()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within 10 s")
