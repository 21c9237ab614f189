"""Pages as text, decoded one way everywhere (crawl, ``newsdesk extract`` on saved files and
folders, one live URL): ``decode_html``."""

from __future__ import annotations

import gzip
import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
MAX_BYTES = 10 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
FETCH_TIMEOUT = 30


class PageError(Exception):
    """A page that cannot be read; the message says which and why."""


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """HTML bytes as text. Bytes with non-ASCII characters that are valid UTF-8 are UTF-8
    whatever the page declares: real Latin-1, Windows-1252, GB2312 or Shift-JIS text is
    almost never valid UTF-8, while a page saved or served as UTF-8 that still declares
    its old charset is a common mistake. Otherwise the browser's order (w3lib): byte-order
    mark, the HTTP charset, <meta charset>, then a guess."""
    if not body.isascii():
        try:
            return body.decode("utf-8-sig")  # without a UTF-8 byte-order mark
        except UnicodeDecodeError:
            pass
    return html_to_unicode(content_type, body)[1]


def decode(body: bytes, content_type: str | None = None) -> str:
    """A page file's or download's bytes as text (``decode_html``); gzip files are
    unpacked first (at most MAX_BYTES)."""
    if body[:2] == GZIP_MAGIC:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as unpacked:
            body = unpacked.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise PageError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return decode_html(body, content_type)


def page_files(path: Path) -> list[Path]:
    """The page files at ``path``: the file itself, or every page file under a folder."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(PAGE_SUFFIXES)
        )
    if path.is_file():
        return [path]
    raise PageError(f"{path}: no such file or folder")


def fetch(url: str, user_agent: str) -> tuple[str, str]:
    """(final URL, decoded page) of a live http(s) URL."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PageError(f"{url}: only http and https URLs can be fetched")
    # S310: the scheme was checked above; only http(s) is opened
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            body = response.read(MAX_BYTES + 1)
            return response.geturl(), decode(body, response.headers.get("Content-Type"))
    except OSError as exc:
        raise PageError(f"{url}: {exc}") from None


def inputs(
    targets: list[str], *, url: str | None, user_agent: str
) -> Iterator[tuple[str, str, str]]:
    """(label, page URL, HTML) for each file, folder entry or live URL named."""
    for target in targets:
        if urlsplit(target).scheme in ("http", "https"):
            final, html = fetch(target, user_agent)
            yield target, final, html
            continue
        files = page_files(Path(target))
        for file in files:
            page_url = (
                url if url and len(targets) == 1 and len(files) == 1 else file.resolve().as_uri()
            )
            yield str(file), page_url, decode(file.read_bytes())
