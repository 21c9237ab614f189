"""Serve a folder of static pages on 127.0.0.1, for the offline demo and the tests.

``__BASE__`` in .html, .xml and .txt files is replaced by the server's own address, so
feeds, sitemaps and canonical links point back at it whatever port it got.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SAMPLE_SITE = Path(__file__).with_name("sample_site")
TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
}


class _Handler(SimpleHTTPRequestHandler):
    base_url = ""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in TEXT_TYPES or not path.is_file():
            super().do_GET()
            return
        body = path.read_text(encoding="utf-8").replace("__BASE__", self.server_base()).encode()
        self.send_response(200)
        self.send_header("Content-Type", TEXT_TYPES[path.suffix])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def server_base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def log_message(self, format: str, *args: Any) -> None:
        self.server.requests_seen.append(self.path)  # type: ignore[attr-defined]


@contextmanager
def serve_site(root: Path = SAMPLE_SITE, host: str = "127.0.0.1") -> Iterator[ThreadingHTTPServer]:
    """Serve ``root`` on a free port of ``host`` until the block ends.

    The server's ``requests_seen`` lists every path requested, for tests.
    """
    server = ThreadingHTTPServer((host, 0), partial(_Handler, directory=str(root)))
    server.requests_seen = []  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="siteserver", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"
