"""Render a digest with Jinja2 templates (Markdown, HTML, Atom) and as JSON, and publish
files atomically.

Every format is made from one plain structure, ``digest_dict``: the JSON file is that
structure (docs/digest-json.md), and the Atom feed re-renders the last digests from their
JSON files. HTML is autoescaped, carries a Content-Security-Policy that allows no script
and no remote resource, and links only http(s) URLs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
from dataclasses import asdict
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from digest.clock import to_utc_iso
from digest.config import fault_active, fault_point
from digest.text import clean_text

if TYPE_CHECKING:
    from digest.build import Digest

SCHEMA = "newsdesk.digest/1"
# Inline markup anywhere (emphasis, code, links, HTML, tables, strikethrough and the ~~~
# fence, an entity such as &copy;), and the block markers that count at a line's start
# (a list item, an ordered one, a thematic break). Headings and quotes are covered by #
# and > anywhere.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~]|&(?=#?\w+;))")
_MD_LINE_START = re.compile(r"^([-+=]|\d+[.)])")


def md_escape(text: str | None) -> str:
    """Article text as one line of Markdown that reads as the text and nothing else."""
    line = _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))  # cleaned by digest_dict
    return _MD_LINE_START.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], line)


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
    """The digest as plain data: what the JSON file holds and every template reads. Its
    strings carry no control character (an older store may still hold some)."""
    data = asdict(digest)
    data["day"] = digest.day.isoformat()
    data["count"] = digest.count
    cleaned: dict[str, Any] = _clean({"schema": SCHEMA, **data})
    return cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def digest_json(digest: Digest) -> str:
    return json.dumps(digest_dict(digest), ensure_ascii=False, indent=2) + "\n"


def render_markdown(digest: Digest) -> str:
    return _env().get_template("digest.md").render(d=digest_dict(digest))


def render_html(digest: Digest) -> str:
    return _env().get_template("digest.html").render(d=digest_dict(digest))


FEED_CACHE = ".feed"  # beside the digests: each one's rendered feed entry, made once


def render_feed(json_files: list[Path], *, now: datetime) -> str:
    """An Atom feed with one entry per digest, newest first, from the digests' JSON files.

    Each digest's entry is rendered once and kept in ``.feed/`` beside the files, rendered
    again only when its JSON file or the templates change: the feed is rewritten with every
    digest, and rendering 30 digests of ~2,000 stories each anew took longer than building
    the day's digest (issue #9 item 5); entries of digests no longer in the feed are
    removed. feed.xml sees each digest's fields but ``sections``, and ``content``, its
    sections as HTML."""
    entries = [_feed_entry(p) for p in json_files]
    kept = {f"{p.stem}.entry.json" for p in json_files}
    for folder in {p.parent / FEED_CACHE for p in json_files}:
        for old in folder.glob("*.entry.json"):
            if old.name not in kept:  # a digest that left the feed
                old.unlink(missing_ok=True)
    updated = to_utc_iso(now)
    return _env().get_template("feed.xml").render(entries=entries, updated=updated)


def _feed_entry(path: Path) -> dict[str, Any]:
    """One digest's entry: its fields but sections, and its sections as HTML."""
    stat = path.stat()
    key = f"{stat.st_mtime_ns} {stat.st_size} {_templates_version()}"
    cached = path.parent / FEED_CACHE / f"{path.stem}.entry.json"
    try:
        entry = json.loads(cached.read_text(encoding="utf-8"))
        if entry.pop("key") == key:
            return {"d": entry["d"], "content": entry["content"]}
    except (OSError, ValueError, KeyError):
        pass  # none yet, or unreadable: render it again
    d = _clean(json.loads(path.read_text(encoding="utf-8")))  # written by any version
    d.setdefault("final", True)  # digests written before provisional ones existed
    content = _env().get_template("sections.html").render(d=d)
    entry = {"d": {k: v for k, v in d.items() if k != "sections"}, "content": content}
    write_atomic(cached, json.dumps({"key": key, **entry}, ensure_ascii=False))
    return entry


@cache
def _templates_version() -> str:
    env = _env()
    loader = env.loader
    assert loader is not None
    sources = [loader.get_source(env, name)[0] for name in ("sections.html", "feed.xml")]
    return hashlib.sha256("\0".join(sources).encode("utf-8")).hexdigest()[:16]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that a reader sees the old file or the new one, never half of one.
    The file gets the mode any new file gets here (0644 under the usual umask 022), so a
    web server can serve the digests and the feed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fault_active("disk-full"):  # tests: the disk is full when a digest is written
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        fault_point(f"before-replace:{path.name}")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new temporary file beside ``path``, created with mode 0666 less the umask
    (``tempfile.mkstemp`` would make it 0600 whatever the umask)."""
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
