"""Render a digest with Jinja2 templates (Markdown, HTML, Atom) and as JSON, and publish
files atomically.

Every format is made from one plain structure, ``digest_dict``: the JSON file is that
structure (docs/digest-json.md), and the Atom feed re-renders the last digests from their
JSON files. HTML is autoescaped, carries a Content-Security-Policy that allows no script
and no remote resource, and links only http(s) URLs.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from digest.config import fault_point

if TYPE_CHECKING:
    from digest.build import Digest

SCHEMA = "newsdesk.digest/1"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str | None) -> str:
    """Escape the characters that would turn article text into Markdown markup."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def md_url(url: str) -> str:
    """A URL safe inside a Markdown link target."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), else "#": no javascript:, data: or file: link survives."""
    return url if url and urlsplit(url.strip()).scheme in ("http", "https") else "#"


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("digest", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md_escape, md_url=md_url, safe_url=safe_url)
    return env


def digest_dict(digest: Digest) -> dict[str, Any]:
    """The digest as plain data: what the JSON file holds and every template reads."""
    data = asdict(digest)
    data["day"] = digest.day.isoformat()
    data["count"] = digest.count
    return {"schema": SCHEMA, **data}


def digest_json(digest: Digest) -> str:
    return json.dumps(digest_dict(digest), ensure_ascii=False, indent=2) + "\n"


def render_markdown(digest: Digest) -> str:
    return _env().get_template("digest.md").render(d=digest_dict(digest))


def render_html(digest: Digest) -> str:
    return _env().get_template("digest.html").render(d=digest_dict(digest))


def render_feed(json_files: list[Path], *, now: datetime) -> str:
    """An Atom feed with one entry per digest, newest first, from the digests' JSON files."""
    digests = [json.loads(p.read_text(encoding="utf-8")) for p in json_files]
    fragment = _env().get_template("sections.html")
    entries = [{"d": d, "content": fragment.render(d=d)} for d in digests]
    updated = now.astimezone(UTC).isoformat(timespec="seconds")
    return _env().get_template("feed.xml").render(entries=entries, updated=updated)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        fault_point(f"before-replace:{path.name}")
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
