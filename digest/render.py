"""Render a digest to Markdown and HTML with Jinja2 templates, and publish files atomically."""

from __future__ import annotations

import os
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

if TYPE_CHECKING:
    from digest.build import Digest

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str | None) -> str:
    """Escape the characters that would turn article text into Markdown markup."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def md_url(url: str) -> str:
    """A URL safe inside a Markdown link target."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("digest", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["md_url"] = md_url
    return env


def render_markdown(digest: Digest) -> str:
    return _env().get_template("digest.md").render(d=digest)


def render_html(digest: Digest) -> str:
    return _env().get_template("digest.html").render(d=digest)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
