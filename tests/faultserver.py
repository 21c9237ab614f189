"""A raw-socket HTTP server on 127.0.0.1 that misbehaves on purpose, one way per path.

Each behaviour writes bytes straight to the socket, so it can break HTTP as real servers
do: stall, trickle, lie about sizes, never end, or not speak HTTP at all.
"""

from __future__ import annotations

import gzip
import socketserver
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import brotli

from crawler.siteserver import serving

PARAGRAPH = "<p>{{para}} Paragraph {n} keeps going with more words about markets.</p>"
ARTICLE = (
    "<html><head><title>{title}</title>{meta}</head><body><article><h1>{title}</h1>"
    + "".join(PARAGRAPH.format(n=n) for n in range(12))
    + "</article></body></html>"
)
MiB = 1024 * 1024


def page(title: str, para: str, meta: str = "") -> str:
    return ARTICLE.format(title=title, para=para, meta=meta)


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


def full(body: bytes, content_type: str = "text/html", **headers: str) -> bytes:
    return head(Content_Type=content_type, Content_Length=str(len(body)), **headers) + body


@cache
def gzip_bomb() -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    chunk = b"\0" * MiB
    return b"".join([*(squeeze.compress(chunk) for _ in range(64)), squeeze.flush()])


@cache
def brotli_bomb() -> bytes:
    return brotli.compress(b"\0" * 64 * MiB, quality=5)


def slowloris(send: Callable[[bytes], None]) -> None:
    send(head(Content_Type="text/html", Content_Length="100000"))
    for _ in range(600):
        send(b"<")
        time.sleep(1)


def endless_chunks(send: Callable[[bytes], None]) -> None:
    send(head(Content_Type="text/html", Transfer_Encoding="chunked"))
    chunk = b"x" * 65536
    while True:
        send(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def oversized(send: Callable[[bytes], None]) -> None:
    send(head(Content_Type="text/html", Content_Length=str(200 * MiB)))
    block = b"a" * MiB
    for _ in range(200):
        send(block)


def behaviours(base: str) -> dict[str, Callable[[Callable[[bytes], None]], None]]:
    def fixed(data: bytes) -> Callable[[Callable[[bytes], None]], None]:
        return lambda send: send(data)

    def hang(send: Callable[[bytes], None]) -> None:
        time.sleep(120)

    sjis = page("日本の株価", "東京株式市場で日経平均株価は続伸した。").encode("shift_jis")
    latin1 = page("Café prices", "Zürich exporters saw crème brûlée demand rise.").encode("latin-1")
    cp1252 = page(
        "Quotes", "He said \u201cprices rose\u201d \u2013 again.", '<meta charset="windows-1252">'
    ).encode("cp1252")
    wrong_meta = page(
        "Tokyo", "Prices in Zürich and Tōkyō rose.", '<meta charset="iso-8859-1">'
    ).encode("utf-8")
    return {
        "/hang": hang,
        "/slowloris": slowloris,
        "/oversized": oversized,
        "/endless": endless_chunks,
        "/gzip-bomb": fixed(full(gzip_bomb(), Content_Encoding="gzip")),
        "/brotli-bomb": fixed(full(brotli_bomb(), Content_Encoding="br")),
        "/gzip-as-html": fixed(full(gzip.compress(b"<p>zipped</p>" * 1000))),
        "/report": fixed(full(b"%PDF-1.4 not html", "application/pdf")),
        "/loop-a": fixed(head("302 Found", Location=f"{base}/loop-b", Content_Length="0")),
        "/loop-b": fixed(head("302 Found", Location=f"{base}/loop-a", Content_Length="0")),
        "/broken-chunks": fixed(
            head(Content_Type="text/html", Transfer_Encoding="chunked")
            + b"zz-not-hex\r\nhello\r\n0\r\n\r\n"
        ),
        "/http09": fixed(b"<html>no status line, no headers</html>\n"),
        "/latin1": fixed(full(latin1, "text/html; charset=iso-8859-1")),
        "/cp1252": fixed(full(cp1252, "text/html")),
        "/utf8-wrong-meta": fixed(full(wrong_meta, "text/html")),
        "/sjis": fixed(full(sjis, "text/html; charset=shift_jis")),
    }


class _Handler(socketserver.BaseRequestHandler):
    server: FaultServer

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode("latin-1") if data.count(b" ") >= 2 else "/"
        self.server.seen.append(path)
        action = self.server.routes.get(path.split("?")[0])
        try:
            if action is None:
                self.request.sendall(
                    full(self.server.index(), "text/html")
                    if path == "/"
                    else head("404 Not Found", Content_Length="0")
                )
            else:
                action(self.request.sendall)
        except OSError:
            pass  # the client gave up: that is the point of most of these


class FaultServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.routes = behaviours(self.base_url)
        self.seen: list[str] = []

    def index(self) -> bytes:
        links = "".join(f'<a href="{path}">{path}</a>' for path in self.routes)
        return f"<html><body>{links}</body></html>".encode()


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    with serving(FaultServer()) as server:
        yield server
