"""The one typed, frozen configuration object, loaded once per entry point.

Precedence: environment variables (``NEWSDESK_DATA_DIR``) over the TOML file over the
defaults written here. Every field carries a one-line help text; ``docs/settings.md``
lists them all and a test keeps that table in step with this module.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tomllib
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import re2  # google-re2 ships no type hints: pyproject.toml's [tool.mypy] says so
from cssselect import GenericTranslator, SelectorError

CONFIG_ENV = "NEWSDESK_CONFIG"
DATA_DIR_ENV = "NEWSDESK_DATA_DIR"
REDIS_URL_ENV = "NEWSDESK_REDIS_URL"  # overrides [cluster] redis_url (newsdesk crawl --redis)
DEFAULT_CONFIG_NAME = "newsdesk.toml"
SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")  # a [[sources]] name, whole


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""


@dataclass(frozen=True)
class Bounds:
    """The values a numeric setting may take: finite, from ``low`` to ``high``, and 0 too
    when ``zero`` (where 0 means "the default"). Checked at load, listed in docs/settings.md.
    Without them nan, inf or 1e300 passed and broke the crawl or the service later (#15)."""

    low: float
    high: float
    zero: bool = False

    def allows(self, value: float) -> bool:
        if isinstance(value, float) and not math.isfinite(value):
            return False  # nan compares false with everything, inf is above no bound
        return self.low <= value <= self.high or (self.zero and value == 0)

    @property
    def text(self) -> str:
        """The range as docs/settings.md shows it: "1 to 50", "0, or 0.01 to 525600"."""
        return self._with_zero(f"{_plain(self.low)} to {_plain(self.high)}")

    def expected(self, *, whole: bool) -> str:
        """What an error message asks for: "a whole number from 1 to 32"."""
        kind = "a whole number" if whole else "a number"
        return self._with_zero(f"{kind} from {_plain(self.low)} to {_plain(self.high)}")

    def _with_zero(self, span: str) -> str:
        return f"0, or {span}" if self.zero else span


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _help(
    text: str, default: Any = MISSING, factory: Any = MISSING, *, bounds: Bounds | None = None
) -> Any:
    metadata = {"help": text, "bounds": bounds}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


MAX_CONCURRENCY = 32  # requests to one site at a time, at the most
YEAR_MINUTES = 365 * 24 * 60


@dataclass(frozen=True)
class Source:
    """One website to watch (a ``[[sources]]`` table)."""

    name: str = _help("Short name: lower-case letters, digits, '-' and '_'.")
    homepage: str = _help("The site's front page (http or https URL).")
    sections: tuple[str, ...] = _help("Section pages to scan for article links.", ())
    feeds: tuple[str, ...] = _help(
        "RSS/Atom feeds; more are discovered from <link rel=alternate> on the pages.", ()
    )
    sitemaps: tuple[str, ...] = _help("Sitemap URLs (urlset or sitemap index).", ())
    allowed_domains: tuple[str, ...] = _help(
        "Hosts the crawl may fetch (subdomains included); default: the homepage's host.", ()
    )
    article_patterns: tuple[str, ...] = _help(
        "Regular expressions; a URL matching one is fetched as an article. Empty: every "
        "on-site link is fetched and classified after extraction.",
        (),
    )
    deny_patterns: tuple[str, ...] = _help("Regular expressions for URLs never fetched.", ())
    max_pages: int = _help(
        "Most article pages fetched from this source in one crawl.", 200, bounds=Bounds(1, 100_000)
    )
    drop_selectors: tuple[str, ...] = _help(
        "CSS selectors of page parts to remove before extraction (boxes the general rules miss).",
        (),
    )
    body_selector: str = _help(
        "CSS selector of the element that holds the article body, when the general rules fail.",
        "",
    )
    crawl_interval_minutes: float = _help(
        "This source's own crawl interval; 0: the global crawl_interval_minutes.",
        0.0,
        bounds=Bounds(0.01, YEAR_MINUTES, zero=True),
    )
    allow_private_address: bool = _help(
        "Let this source's own hosts be loopback or private addresses (an intranet site, "
        "tests). Links to other non-public hosts stay refused.",
        False,
    )
    max_depth: int = _help(
        "How many pages deep pagination and tag/section pages are followed from a start page.",
        3,
        bounds=Bounds(0, 10),  # crawler/settings.py's DEPTH_LIMIT (12) is the backstop
    )
    follow_article_links: bool = _help(
        "Read new article pages for links to more articles (their related stories). Off: a "
        "site's new articles come from its listings, feeds and sitemaps, and related links "
        "mostly lead to older stories, which would enter the day's digest as new. On for a "
        "site with no feed or sitemap whose sections show only their newest few.",
        False,
    )
    concurrency: int = _help(
        "Requests to this site at a time.", 2, bounds=Bounds(1, MAX_CONCURRENCY)
    )
    autothrottle: bool = _help(
        "Adapt the pace to the site's response times (Scrapy's AutoThrottle). Turn off only "
        "for a site you run yourself.",
        True,
    )

    @property
    def hosts(self) -> tuple[str, ...]:
        """The exact hosts of the homepage, sections, feeds and sitemaps."""
        urls = (self.homepage, *self.sections, *self.feeds, *self.sitemaps)
        return tuple(dict.fromkeys((urlsplit(u).hostname or "").lower() for u in urls))

    @property
    def domains(self) -> tuple[str, ...]:
        return self.allowed_domains or (urlsplit(self.homepage).hostname or "",)

    @property
    def article_regexes(self) -> tuple[Any, ...]:
        """``article_patterns`` compiled with RE2, once (see url_patterns)."""
        return url_patterns(self.article_patterns)

    @property
    def deny_regexes(self) -> tuple[Any, ...]:
        """``deny_patterns`` compiled with RE2, once (see url_patterns)."""
        return url_patterns(self.deny_patterns)

    def takes_as_article(self, url: str) -> bool:
        """Whether the patterns let ``url`` be fetched as an article: no deny pattern
        matches it, and an article pattern does (any URL, when there is none)."""
        if any(p.search(url) for p in self.deny_regexes):
            return False
        allowed = self.article_regexes
        return not allowed or any(p.search(url) for p in allowed)


@dataclass(frozen=True)
class Rules:
    """A source's extraction rules (``[[sources]]`` keys ``drop_selectors``, ``body_selector``),
    as digest.extract applies them."""

    drop_selectors: tuple[str, ...] = ()
    body_selector: str = ""


@dataclass(frozen=True)
class Topic:
    """A subject the reader watches (a ``[[topics]]`` table): matching stories open the digest."""

    name: str = _help('The section heading, e.g. "Minerals".')
    terms: tuple[str, ...] = _help(
        "Words or phrases, matched case-insensitively as whole words in title, summary and text.",
        (),
    )


@dataclass(frozen=True)
class Notify:
    """Where to send each day's digest (the ``[notify]`` table)."""

    urls: tuple[str, ...] = _help(
        "Apprise URLs (mailto://, slack://, tgram://, json://, …); empty: send nothing.", ()
    )


@dataclass(frozen=True)
class Cluster:
    """Crawling on several machines through one Redis server (the ``[cluster]`` table; see
    docs/scale-out.md). With no ``redis_url`` everything runs on this machine, as before."""

    redis_url: str = _help(
        "Redis URL of the shared frontier, e.g. redis://:PASSWORD@10.0.0.5:6379/0; "
        "empty: crawl on this machine only.",
        "",
    )
    lease_seconds: float = _help(
        "A worker silent this long is taken for dead; the requests it had taken are queued again.",
        30.0,
        bounds=Bounds(1, 3600),
    )
    max_queued_pages: int = _help(
        "Fetched pages waiting in Redis for the ingest writer before the workers pause.",
        1000,
        bounds=Bounds(1, 1_000_000),
    )
    ingest_batch_size: int = _help(
        "Pages the ingest writer commits per transaction.", 50, bounds=Bounds(1, 10_000)
    )
    dupefilter_days: int = _help(
        "Days the shared duplicate filter remembers a requested URL (one Redis key per day).",
        7,
        bounds=Bounds(1, 365),
    )


@dataclass(frozen=True)
class Config:
    """Everything newsdesk needs to run; see docs/settings.md."""

    data_dir: Path = _help(
        "Where the SQLite store and digest files live; relative to the config file.",
        Path("data"),
    )
    timezone: str = _help(
        "IANA zone that defines the digest day and the digest time.", "Asia/Karachi"
    )
    digest_time: time = _help(
        "Local time (HH:MM or HH:MM:SS) at which yesterday's digest is written.", time(7, 0)
    )
    # Sub-minute intervals and timeouts are for tests; the longest interval, a year, is
    # "never on a schedule" (the scale-out tests and bench/workers.py use 100000).
    crawl_interval_minutes: float = _help(
        "Minutes between crawl-and-process runs of the service.",
        60,
        bounds=Bounds(0.01, YEAR_MINUTES),
    )
    crawl_timeout_minutes: float = _help(
        "Wall-clock cap on one crawl subprocess.", 30.0, bounds=Bounds(0.01, 24 * 60)
    )
    catch_up_days: int = _help(
        "Missed digests (machine off, service down) written on start, for this many past days.",
        3,
        bounds=Bounds(0, 365),
    )
    keep_pages_days: int = _help(
        "Raw HTML of pages older than this is dropped by the weekly maintenance (rows stay).",
        90,
        bounds=Bounds(0, 3650),
    )
    user_agent: str = _help(
        "User-Agent sent to sites; must carry a contact URL.",
        "newsdesk/0.1 (+https://github.com/newsdesk/newsdesk)",
    )
    download_delay: float = _help(
        "Seconds between requests to the same site.", 1.0, bounds=Bounds(0, 60)
    )
    download_timeout_seconds: float = _help(
        "Longest a single download may take, slow senders included.",
        30.0,
        bounds=Bounds(1, 600),
    )
    max_page_mib: float = _help(
        "Largest response kept, after decompression (MiB); larger ones are cut off.",
        10.0,
        bounds=Bounds(0.1, 256),
    )
    summary_sentences: int = _help(
        "Most sentences in an article's summary.", 3, bounds=Bounds(1, 50)
    )
    sitemap_max_age_days: float = _help(
        "Sitemap entries dated longer ago are skipped (crawl --backfill DAYS reaches further).",
        3.0,
        bounds=Bounds(0.01, 3650),
    )
    summary_words: int = _help(
        "Word budget of a summary (whole sentences, in article order).",
        70,
        bounds=Bounds(1, 2000),
    )
    process_workers: int = _help(
        "Worker processes that extract and summarise pages; 0: one per CPU core.",
        0,
        bounds=Bounds(0, 256),
    )
    sources: tuple[Source, ...] = _help("The sites to watch ([[sources]] tables).", ())
    topics: tuple[Topic, ...] = _help("Watch topics ([[topics]] tables).", ())
    notify: Notify = _help("Digest delivery ([notify] table).", Notify())
    cluster: Cluster = _help("Crawling on several machines ([cluster] table).", Cluster())
    config_path: Path | None = field(default=None, metadata={"help": "Set by the loader."})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "newsdesk.db"

    @property
    def digests_dir(self) -> Path:
        return self.data_dir / "digests"

    def source(self, name: str) -> Source:
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named {name!r} in {self.config_path} (known: {known})")


def find_config(explicit: str | Path | None) -> Path:
    """The config file to use: the argument, else $NEWSDESK_CONFIG, else ./newsdesk.toml."""
    path = explicit or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME
    return Path(path)


def load_config(path: str | Path | None = None) -> Config:
    """Read, check and freeze the configuration; raise ConfigError naming file and key."""
    cfg_path = find_config(path).resolve()
    try:
        text = cfg_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{cfg_path}: config file not found (pass --config PATH or set {CONFIG_ENV})"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{cfg_path}: cannot read config file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{cfg_path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        raw = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer of more than 4300 digits
        raise ConfigError(f"{cfg_path}: not valid TOML: {exc}") from None
    return parse_config(raw, cfg_path, text)


def parse_config(raw: dict[str, Any], cfg_path: Path, text: str = "") -> Config:
    """Build a Config from an already-parsed TOML mapping."""
    where = _Where(cfg_path, text)
    values = _check_table(Config, raw, where, prefix="")
    if os.environ.get(DATA_DIR_ENV):
        values["data_dir"] = Path(os.environ[DATA_DIR_ENV])
    data_dir = Path(values.get("data_dir", Path("data")))
    values["data_dir"] = data_dir if data_dir.is_absolute() else cfg_path.parent / data_dir
    if os.environ.get(REDIS_URL_ENV):
        cluster = values.get("cluster", Cluster())
        values["cluster"] = replace(cluster, redis_url=os.environ[REDIS_URL_ENV])
    cfg = Config(**values, config_path=cfg_path)
    _check_semantics(cfg, where)
    return cfg


@dataclass(frozen=True)
class _Where:
    path: Path
    text: str

    def error(self, key: str, message: str) -> ConfigError:
        line = _line_of(self.text, key)
        at = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{at}: {key}: {message}")


_HEADER = re.compile(r"^\s*\[")


def _line_of(text: str, key: str) -> int | None:
    """The line of ``key`` ("summary_words", "sources[1].max_pages", "cluster.lease_seconds",
    "topics[0]"), looked for in its own table: the second source's bad key is not reported
    at the first source's line."""
    lines = text.splitlines()
    head, _, leaf = key.partition(".")
    name, _, index = head.rstrip("]").partition("[")
    headers = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    if not leaf and not index:  # a top-level key: TOML puts those before the first table
        top = headers[0] if headers else len(lines)
        return _first(lines, name, 0, top) or _first(lines, name, 0, len(lines))
    table = _key_pattern(name)
    own = [i for i in headers if table.match(lines[i])]
    nth = int(index or 0)
    if nth >= len(own):  # an inline table, or dotted keys
        return _first(lines, leaf or name, 0, len(lines))
    start = own[nth]
    end = next((i for i in headers if i > start), len(lines))
    return (_first(lines, leaf, start, end) if leaf else None) or start + 1


def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(key)}\s*=|^\s*\[\[?\s*{re.escape(key)}\s*\]")


def _first(lines: list[str], key: str, start: int, end: int) -> int | None:
    """The 1-based number of the first line from ``start`` to ``end`` that sets ``key``."""
    pattern = _key_pattern(key)
    return next((i + 1 for i in range(start, end) if pattern.match(lines[i])), None)


def _check_table(cls: type, raw: Any, where: _Where, prefix: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise where.error(prefix or "(top level)", "expected a table")
    hints = get_type_hints(cls)
    spec = {f.name: f for f in fields(cls) if f.name != "config_path"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if key not in spec:
            raise where.error(name, f"unknown key (known keys: {', '.join(sorted(spec))})")
        bounds = spec[key].metadata.get("bounds")
        if bounds is None:
            values[key] = _coerce(hints[key], value, where, name)
        else:
            values[key] = _number(hints[key], bounds, value, where, name)
    for f in fields(cls):
        if f.default is MISSING and f.default_factory is MISSING and f.name not in values:
            raise where.error(f"{prefix}{f.name}", "required key is missing")
    return values


def _number(hint: Any, bounds: Bounds, value: Any, where: _Where, name: str) -> Any:
    """``value`` as the setting's type (int or float), if it is a number within ``bounds``."""
    whole = hint is int
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not (whole and isinstance(value, float)) and bounds.allows(value):
        return float(value) if hint is float else value
    note = ""
    if whole and isinstance(value, float):  # TOML reads 1e11 and 3.0 as floats
        note = " (a whole number is written without a decimal point or exponent)"
    raise where.error(name, f"expected {bounds.expected(whole=whole)}, got {_shown(value)}{note}")


def _shown(value: Any) -> str:
    """``value`` for an error message, cut short (an integer may have thousands of digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return "a number of more than 30 digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _coerce(hint: Any, value: Any, where: _Where, name: str) -> Any:
    simple = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if hint in simple:
        ok = isinstance(value, hint) and not (hint is int and isinstance(value, bool))
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not ok:
            raise where.error(name, f"expected {simple[hint]}, got {value!r}")
        return value
    if hint is Path:
        return Path(_coerce(str, value, where, name))
    if hint is time:
        text = _coerce(str, value, where, name)
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?", text)
        if not match:
            raise where.error(name, f'expected a 24-hour time like "07:00", got {value!r}')
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    if hint == tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise where.error(name, f"expected a list of strings, got {value!r}")
        return tuple(value)
    if hint in (tuple[Source, ...], tuple[Topic, ...]):
        table = hint.__args__[0]
        if not isinstance(value, list):
            raise where.error(name, f"expected [[{name}]] tables")
        return tuple(
            table(**_check_table(table, item, where, f"{name}[{i}]."))
            for i, item in enumerate(value)
        )
    if hint is Notify:
        return Notify(**_check_table(Notify, value, where, f"{name}."))
    if hint is Cluster:
        return Cluster(**_check_table(Cluster, value, where, f"{name}."))
    raise TypeError(f"no coercion for {hint}")  # a programming error, not a user one


def _check_semantics(cfg: Config, where: _Where) -> None:
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.error("timezone", f"unknown time zone {cfg.timezone!r}") from None
    _check_cluster(cfg.cluster, where)
    _check_notify(cfg.notify, where)
    if "+http" not in cfg.user_agent:
        raise where.error("user_agent", "expected a contact URL in it, like '(+https://...)'")
    for i, topic in enumerate(cfg.topics):
        if not topic.name.strip() or not [t for t in topic.terms if t.strip()]:
            raise where.error(f"topics[{i}]", "expected a name and at least one term")
    seen: set[str] = set()
    for i, src in enumerate(cfg.sources):
        _check_source(src, where, f"sources[{i}]")
        if src.name in seen:
            raise where.error(f"sources[{i}].name", f"duplicate source name {src.name!r}")
        seen.add(src.name)


def require_sources(cfg: Config) -> None:
    """For the commands that crawl: a config without a [[sources]] table is refused at
    once (reading commands work on it)."""
    if not cfg.sources:
        raise ConfigError(
            f"{cfg.config_path}: no [[sources]] table: add one per site to follow"
            ' (README, "Adding a site")'
        )


def _check_notify(notify: Notify, where: _Where) -> None:
    """Every [notify] URL is one Apprise can send to, checked now rather than at the first
    digest."""
    if not notify.urls:
        return
    import apprise  # only when there is something to check: its import takes a moment

    quiet = logging.getLogger("apprise")  # it would log the URL, password and all
    level, quiet.level = quiet.level, logging.CRITICAL + 1
    try:
        bad = [i for i, url in enumerate(notify.urls, 1) if not apprise.Apprise().add(url)]
    finally:
        quiet.setLevel(level)
    if bad:
        scheme = notify.urls[bad[0] - 1].split("://")[0]
        raise where.error(
            "notify.urls",
            f"URL {bad[0]} ({scheme}://…) is not one Apprise can send to"
            " (its forms: https://github.com/caronc/apprise/wiki)",
        )


def _check_source(src: Source, where: _Where, at: str) -> None:
    if not SOURCE_NAME.fullmatch(src.name):
        raise where.error(
            f"{at}.name", f"expected lower-case letters, digits, - or _; got {src.name!r}"
        )
    for key in ("homepage", "sections", "feeds", "sitemaps"):
        value = getattr(src, key)
        for url in (value,) if isinstance(value, str) else value:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise where.error(f"{at}.{key}", f"expected an http(s) URL, got {url!r}")
    for key in ("article_patterns", "deny_patterns"):
        for pattern in getattr(src, key):
            problem = _pattern_problem(pattern)
            if problem:
                raise where.error(f"{at}.{key}", problem)
        url_patterns(getattr(src, key))  # compiled here, once: the crawl reuses them
    for key in ("drop_selectors", "body_selector"):
        value = getattr(src, key)
        for selector in (value,) if isinstance(value, str) else value:
            if selector and not _valid_selector(selector):
                raise where.error(f"{at}.{key}", f"not a CSS selector: {selector!r}")


@lru_cache(maxsize=1024)
def url_patterns(patterns: tuple[str, ...]) -> tuple[Any, ...]:
    """A source's ``article_patterns`` or ``deny_patterns``, compiled once with RE2, whose
    matching time grows linearly with the URL: ``(a+)+$`` against ``/aaaa…a!`` kept
    Python's backtracking ``re`` busy for the whole crawl, starving every other source
    (#15). Raises re2.error on a pattern RE2 cannot take; load_config rejects those."""
    return tuple(_compile(pattern) for pattern in patterns)


def _compile(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print the error to stderr; it is raised instead
    return re2.compile(pattern, options)


def _pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, worded for the config's author; None if it can."""
    try:
        _compile(pattern)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""  # RE2's message, as bytes
        reason = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    else:
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"bad regular expression {pattern!r}: {exc}"
    return (
        f"regular expression {pattern!r} uses syntax that RE2, the linear-time engine URLs "
        f"are matched with, does not support ({reason}): no backreferences or lookarounds; "
        r"write \z for \Z"
    )


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"//([^@/]*)@", "//***@", url)


def _check_cluster(cluster: Cluster, where: _Where) -> None:
    url = cluster.redis_url
    if url and (urlsplit(url).scheme not in ("redis", "rediss", "unix") or url.endswith("://")):
        raise where.error(
            "cluster.redis_url", f"expected a redis://HOST:PORT/DB URL, got {redact(url)!r}"
        )


def _valid_selector(selector: str) -> bool:
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError:
        return False
    return True


FAULT_ENV = "NEWSDESK_FAULT"


def fault_active(name: str) -> bool:
    """For crash tests only: whether $NEWSDESK_FAULT names this fault."""
    return os.environ.get(FAULT_ENV) == name


def fault_point(name: str) -> None:
    """For crash tests only: when $NEWSDESK_FAULT names this point, stop here for a minute
    so the test can kill the process at exactly this step. Does nothing otherwise."""
    if os.environ.get(FAULT_ENV) == name:
        import time

        time.sleep(60)


def settings_help() -> list[tuple[str, str, str]]:
    """(name, default, help) for every setting, for the docs table and its test."""
    rows = []
    for name, f in _settings():
        default = "(required)" if f.default is MISSING else repr(f.default)
        rows.append((name, default, f.metadata["help"]))
    return rows


def settings_bounds() -> dict[str, Bounds]:
    """The allowed range of every numeric setting, by its name in settings_help()."""
    return {name: f.metadata["bounds"] for name, f in _settings() if f.metadata["bounds"]}


def _settings() -> list[tuple[str, Field[Any]]]:
    tables: tuple[tuple[type, str], ...] = (
        (Config, ""),
        (Source, "sources[]."),
        (Topic, "topics[]."),
        (Notify, "notify."),
        (Cluster, "cluster."),
    )
    skip = ("config_path", "sources", "topics", "notify", "cluster")
    return [
        (prefix + f.name, f) for cls, prefix in tables for f in fields(cls) if f.name not in skip
    ]
