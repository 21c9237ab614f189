"""What crawl workers and the store machine agree on when they meet in Redis: the key names,
the form a fetched page travels in, how to connect, and how the ingest writer's role names
its holder (so that a writer that is gone can be told from one that lives).

Workers on any machine push fetched pages into one Redis list; one ingest writer on the
machine that holds the SQLite store takes them out and commits them (``digest/ingest.py``).
The ingest writer also tells the workers which URLs the store already knows, through two
Redis sets, because a worker cannot read SQLite on another machine.

Only the cluster mode imports this module; a single machine never imports ``redis``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import secrets
import socket
import zlib
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import ConfigError, redact
from digest.store import FetchedPage, process_alive

if TYPE_CHECKING:
    from redis import Redis

PREFIX = "newsdesk:"
PAGES = PREFIX + "pages"  # list: workers LPUSH, the ingest writer takes from the right
PROCESSING = PREFIX + "pages:processing"  # list: the batch the ingest writer is committing
DEAD = PREFIX + "pages:dead"  # list: payloads that could not be read (capped)
FAILED = PREFIX + "pages:failed"  # list: batches that failed to commit again and again
ATTEMPTS = PREFIX + "pages:processing:attempts"  # failed commits of the processing batch
KNOWN_ARTICLES = PREFIX + "known:articles"  # set of url_member(): article pages in the store
KNOWN_LISTINGS = PREFIX + "known:listings"  # set of url_member(): stored pages that are not
INGEST_LOCK = PREFIX + "ingest:writer"  # string with a TTL: who the one ingest writer is
KNOWN_SYNCED = PREFIX + "known:synced"  # string: the known sets hold the whole store
DEAD_KEPT = 1000

MIB = 1024 * 1024
EXTRA_MISSING = "cluster mode needs the 'cluster' extra: pip install -e '.[cluster]'"
_HEADER_FIELDS = tuple(f.name for f in fields(FetchedPage) if f.name != "html")


class ClusterExtraMissing(ConfigError):
    """redis or scrapy-redis is not installed. A ConfigError, so that the command line
    says it in one line and exits 2."""


def require_cluster_extra(*modules: str) -> None:
    """ClusterExtraMissing unless ``redis`` and ``modules`` import: the 'cluster' extra's
    packages (the crawler adds its ``scrapy_redis``; digest never imports Scrapy). Every
    way into cluster mode passes here: ``connect``, and the import of ``crawler.cluster``."""
    for name in ("redis", *modules):
        try:
            importlib.import_module(name)
        except ImportError:
            raise ClusterExtraMissing(EXTRA_MISSING) from None


class RedisUnavailable(Exception):
    """Redis cannot be reached (or refused us); the message names the URL and what to do."""


class PayloadError(ValueError):
    """A page payload that is too large or not one of ours."""


def connect(url: str, *, timeout: float = 10.0) -> Redis:
    """A client for ``url`` whose connection has been checked with a PING.

    Raises RedisUnavailable with a one-line message when the URL is malformed, the server
    cannot be reached, or it wants a password we did not give; ClusterExtraMissing when
    the 'cluster' extra is not installed."""
    require_cluster_extra()
    import redis

    try:
        client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=min(timeout, 5.0),
            health_check_interval=15,
        )
        client.ping()
    except ValueError as exc:
        raise RedisUnavailable(f"{redact(url)} is not a usable Redis URL: {exc}") from None
    except redis.AuthenticationError as exc:
        raise RedisUnavailable(
            f"Redis at {redact(url)} refused the password ({exc}): put it in the URL as "
            "redis://:PASSWORD@HOST:PORT/DB"
        ) from None
    except redis.RedisError as exc:
        raise RedisUnavailable(
            f"cannot reach Redis at {redact(url)} ({exc}): start redis-server there, or fix "
            "--redis / [cluster] redis_url"
        ) from None
    return client


def url_member(url: str) -> bytes:
    """A URL's member in the known sets: 16 bytes whatever the URL's length, so a set of a
    million URLs takes about 72 MB of Redis memory (measured on Redis 7.0, 64-bit; see
    docs/scale-out.md)."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=16).digest()


def payload_limit(max_page_mib: float) -> int:
    """Most bytes a page payload may hold once decompressed: the page cap (``max_page_mib``)
    times four, because text decoded from a one-byte charset can grow up to that much in
    UTF-8, plus room for the header."""
    return int(max_page_mib * MIB * 4) + 64 * 1024


def encode_page(page: FetchedPage, *, limit: int) -> bytes:
    """One page as it travels through Redis: zlib(JSON header line + UTF-8 text).

    The text is not put inside the JSON so that it is not escaped; the header has no raw
    newline (JSON escapes them), so the first newline ends it."""
    header = {name: getattr(page, name) for name in _HEADER_FIELDS}  # no copy of the html
    raw = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + page.html.encode()
    if len(raw) > limit:
        raise PayloadError(f"{page.url}: {len(raw)} bytes, over the {limit}-byte page limit")
    return zlib.compress(raw, 6)


def decode_page(data: bytes, *, limit: int) -> FetchedPage:
    """The page in a payload; PayloadError when it is not a payload of ours or would
    decompress past ``limit`` (whoever can write to Redis could send a zip bomb)."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise PayloadError(f"not a page payload: {exc}") from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise PayloadError(f"a page payload decompresses past {limit} bytes")
    head, _, body = raw.partition(b"\n")
    try:
        header = json.loads(head)
        values = {name: header[name] for name in _HEADER_FIELDS}
        page = FetchedPage(html=body.decode("utf-8"), **values)
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"not a page payload: {exc!r}") from None
    texts = (page.url, page.source, page.final_url, page.content_type, page.fetched_at)
    if not all(isinstance(t, str) for t in texts) or type(page.http_status) is not int:
        raise PayloadError("not a page payload: a field of the wrong type")
    if page.not_article is not None and not isinstance(page.not_article, str):
        raise PayloadError("not a page payload: a field of the wrong type")
    return page


# --- who holds the ingest writer's role (INGEST_LOCK's value) ----------------------------


def holder_ident(pid: int) -> str:
    """What the role's key holds for a writer: ``host:pid:start:token``, where ``start`` is
    when process ``pid`` started (``started``), so a PID used again later is told apart."""
    return f"{socket.gethostname()}:{pid}:{started(pid)}:{secrets.token_hex(3)}"


def holder_host_pid(holder: str) -> tuple[str, int | None]:
    """The host and PID a holder names; ("", None) for a value not of that form."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return (host, int(pid)) if host and pid.isdigit() else ("", None)


def holder_gone(holder: str) -> bool:
    """Whether the writer named ``holder`` is gone for sure: it ran on this host, and its
    PID is dead, a zombie, or now a process started at another time. A holder on another
    host (or of a form we cannot read) is never taken for gone: its lease decides."""
    host, pid = holder_host_pid(holder)
    if host != socket.gethostname() or pid is None:
        return False
    if not process_alive(pid):
        return True
    parts = holder.split(":")
    then, now = (parts[2] if len(parts) == 4 else ""), started(pid)
    return bool(then and now) and then != now


def started(pid: int) -> str:
    """When process ``pid`` started, in clock ticks since boot (field 22 of
    /proc/PID/stat); "" where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    values = stat.rpartition(")")[2].split()  # the name in parentheses may hold spaces
    return values[19] if len(values) > 19 and values[19].isdigit() else ""
