"""A ``[[sources]]`` table as TOML text, and appended to the config file: what
``newsdesk sources add --write`` does with the table digest/survey.py proposes."""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.config import Config, ConfigError, parse_config


def default_name(url: str) -> str:
    """A source name from the site's host: ``www.profit.pakistantoday.com.pk`` gives
    ``profit-pakistantoday-com-pk``."""
    host = (urlsplit(url).hostname or "site").lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9_-]+", "-", host).strip("-_") or "site"


def toml_table(values: dict[str, Any]) -> str:
    """One ``[[sources]]`` table as TOML text. Patterns are literal strings (no escapes)."""
    lines = ["[[sources]]"]
    for key, value in values.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if len(value) <= 1:
            return "[" + ", ".join(_toml_value(v) for v in value) + "]"
        return "[\n" + "".join(f"    {_toml_value(v)},\n" for v in value) + "]"
    text = str(value)
    if "'" not in text and "\\" in text and text.isprintable() and "\x7f" not in text:
        return f"'{text}'"  # a literal string: a pattern's backslashes stay as written
    # JSON's escapes are TOML's; TOML also refuses DEL as written
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def append_source(path: Path, table: str) -> Config:
    """Append ``table`` to the config file at ``path`` (made when missing), once the whole
    file with it loads as a valid config; raise ConfigError, writing nothing, otherwise.
    The file keeps its mode (a config holding a notify password may be 0600)."""
    path = path.resolve()  # a symlinked config: the file it points to is changed
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    text = before.rstrip("\n") + "\n\n" + table if before.strip() else table
    try:
        cfg: Config = parse_config(tomllib.loads(text), path, text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML with the new table: {exc}") from None
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return cfg


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
