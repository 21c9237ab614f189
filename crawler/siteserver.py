"""Serve a folder of static pages on 127.0.0.1, for the offline demo, tests and benchmarks.

``__BASE__`` in .html, .xml and .txt files is replaced by the server's own address, so
feeds, sitemaps and canonical links point back at it whatever port it got. Responses
carry an ETag and Last-Modified and answer conditional requests with 304, as a well-run
news site does. ``server.overrides`` maps a path to a status code to answer instead
(tests use it for a robots.txt that answers 503), and ``server.log`` records every
request as (time, path, status).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

SAMPLE_SITE = Path(__file__).with_name("sample_site")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
}
SUBSTITUTED = (".html", ".xml", ".txt")


def base_url(server: ThreadingHTTPServer) -> str:
    """``http://host:port`` of a server listening on 127.0.0.1."""
    host, port = server.server_address[:2]
    if isinstance(host, bytes):  # typed str | bytes; an AF_INET server's host is a str
        host = host.decode("ascii")
    return f"http://{host}:{port}"


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        super().__init__(address, partial(_Handler, directory=str(root)))
        self.root = root
        self.log: list[tuple[float, str, int]] = []
        self.overrides: dict[str, int] = {}
        self.redirects: dict[str, str] = {}  # path -> Location, answered with a 302

    @property
    def requests_seen(self) -> list[str]:
        return [path for _, path, _ in self.log]

    @property
    def base_url(self) -> str:
        return base_url(self)


class _Handler(SimpleHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in self.server.redirects:
            self._send(302, b"", {"Location": self.server.redirects[path]})
            return
        if path in self.server.overrides:
            self._send(self.server.overrides[path], b"overridden\n", {})
            return
        file = self._file(path)
        if file is None:
            self._send(404, b"not found\n", {})
            return
        body = file.read_bytes()
        if file.suffix in SUBSTITUTED:
            body = body.replace(b"__BASE__", self.server.base_url.encode())
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
        mtime = file.stat().st_mtime
        headers = {
            "ETag": etag,
            "Last-Modified": formatdate(mtime, usegmt=True),
            "Content-Type": TYPES.get(file.suffix, "application/octet-stream"),
        }
        if self._not_modified(etag, mtime):
            self._send(304, b"", headers)
        else:
            self._send(200, body, headers)

    def _file(self, path: str) -> Path | None:
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        return file if file.is_file() else None

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if self.headers.get("If-None-Match"):
            return etag in [t.strip() for t in self.headers["If-None-Match"].split(",")]
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.server.log.append((time.monotonic(), self.path, status))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_site(root: Path = SAMPLE_SITE, host: str = "127.0.0.1") -> Iterator[SiteServer]:
    """Serve ``root`` on a free port of ``host`` until the block ends."""
    with serving(SiteServer((host, 0), root)) as server:
        yield server


S = TypeVar("S", bound=ThreadingHTTPServer)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """Run ``server`` in a thread until the block ends, then shut it down and close it
    (the sample site here, the generated sites of bench/schemes.py, the tests' servers)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
