"""The cluster's one ingest writer: it takes the pages that crawl workers pushed into Redis
and commits them to the SQLite store in batches, with the same ``store.save_pages`` a
single-machine crawl uses. Processing and digests then run on this machine as usual.

Nothing is lost when this process dies: a batch is moved (LMOVE) into a processing list,
committed, and only then deleted, in one MULTI with the update of the known sets; a
writer that starts finds any batch left there and commits it again (saving a page is an
upsert, so twice is harmless). When Redis goes away (restart, network) the writer waits
and reconnects with backoff; it never exits on its own for that.

Exactly one writer runs per Redis: it holds a key with a TTL that it renews, naming its
host, PID and the PID's start time. A second writer refuses to start while that holder
lives; one whose holder is gone takes the role over at once: a holder on this host whose
process is dead (or a zombie, or whose PID now belongs to a later process), or any holder
whose lease ran out (the key expired).

The writer also keeps the workers' view of the store current: after each batch it adds
the stored URLs to the known sets, and it copies the store's whole seen set into them at
start and whenever the ``known:synced`` marker is gone (Redis lost its data), which it
checks every ``MARKER_SECONDS``. A copy renews the role as it goes.

A failure that is not Redis being away or the store being busy (a Redis error reply, an
SQLite error, a bug) is logged and the batch is tried again with backoff; after
``MAX_ATTEMPTS`` failed commits (counted in Redis, so restarts count too) the batch is
moved to the ``pages:failed`` list, logged, and the writer goes on. A batch set aside, a
failure the writer ended on, or a lost role is kept in ``error``, and
``crawl_with_ingest`` turns it into a failed crawl rather than an ok one with pages
missing; so are pages still waiting in Redis when its crawl ends (issue #15).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from digest import store
from digest.cluster import (
    ATTEMPTS,
    DEAD,
    DEAD_KEPT,
    FAILED,
    INGEST_LOCK,
    KNOWN_ARTICLES,
    KNOWN_LISTINGS,
    KNOWN_SYNCED,
    PAGES,
    PROCESSING,
    PayloadError,
    RedisUnavailable,
    connect,
    decode_page,
    holder_gone,
    holder_host_pid,
    holder_ident,
    payload_limit,
    url_member,
)
from digest.config import Config, redact

if TYPE_CHECKING:
    from redis import Redis
    from sqlite_utils import Database

log = logging.getLogger("newsdesk.ingest")

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 10.0
TAKE_TIMEOUT = 1  # seconds (whole) a BLMOVE waits for a page before the loop looks around
SYNC_CHUNK = 1000
DRAIN_SECONDS = 60.0  # after a crawl, the longest its ingest thread goes on emptying the queue
STANDBY_SECONDS = 1.0  # how often a crawl's standby writer checks whether the role is free
MARKER_SECONDS = 5.0  # how often the writer checks that Redis still has the known sets
MAX_ATTEMPTS = 3  # failed commits of one batch before it is set aside in pages:failed
T = TypeVar("T")

# Set the role to us (ARGV[1]) when it is free, already ours, or still held by ARGV[3], a
# holder found gone (so of two writers taking over at once, one wins); otherwise return
# who holds it.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] or holder == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return holder
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class IngestBusy(Exception):
    """Another ingest writer holds the role for this Redis."""


class IngestFailed(Exception):
    """The pages of a crawl are not all in the store: its ingest writer failed, or pages
    still wait in Redis. ``result`` is what the crawl returned; ``summary`` says why in a
    few words."""

    def __init__(
        self, message: str, result: Any, *, summary: str = "the ingest writer failed"
    ) -> None:
        super().__init__(message)
        self.result = result
        self.summary = summary


class IngestWriter:
    """Commit pages from Redis to the store until ``stop`` is set (see the module doc)."""

    def __init__(
        self,
        cfg: Config,
        redis_url: str,
        *,
        stop: threading.Event | None = None,
    ) -> None:
        self.cfg = cfg
        self.url = redis_url
        self.stop = stop or threading.Event()
        self.drain = threading.Event()  # set: leave the loop once the queue is empty
        self.ident = holder_ident(os.getpid())
        self.limit = payload_limit(cfg.max_page_mib)
        self.sources = {s.name for s in cfg.sources}
        self.counts: Counter[str] = Counter()
        self.error: str | None = None  # the last failure that was not Redis or a busy store
        self.redis: Redis | None = None
        self.held = False  # whether this writer ever held the role
        self._renewed = 0.0
        self._checked = 0.0  # when the known:synced marker was last checked

    # --- the role ------------------------------------------------------------------------

    def claim(self) -> None:
        """Connect and take the writer role; RedisUnavailable or IngestBusy otherwise.
        A holder that is gone (see ``holder_gone``) is taken over at once. Also fills the
        known sets from the store, and brings the store's schema up to date now, in the
        caller's thread, so that a crawl started next does not race the writer's thread
        to migrate it."""
        if self.redis is None:
            self.redis = connect(self.url)
        holder = self._claim()
        if holder is not None and holder_gone(holder) and self._claim(gone=holder) is None:
            log.warning("took over the ingest role from %s: its process is gone", holder)
            holder = None
        if holder is not None:
            raise IngestBusy(self._busy(holder))
        self.held = True
        db = store.open_db(self.cfg.db_path)
        try:
            self._sync_known(db, force=True)  # before any worker asks
        finally:
            db.close()

    def _claim(self, gone: str = "") -> str | None:
        """Take or renew the role (also from ``gone``); None when it is ours, else who
        holds it."""
        assert self.redis is not None
        ttl_ms = int(self.cfg.cluster.lease_seconds * 1000)
        got = self.redis.eval(_CLAIM, 1, INGEST_LOCK, self.ident, ttl_ms, gone)
        self._renewed = time.monotonic()
        return None if got == 1 else bytes(got).decode("utf-8", "replace")

    def _busy(self, holder: str) -> str:
        assert self.redis is not None
        host, pid = holder_host_pid(holder)
        if host == socket.gethostname():
            where = f"process {pid} on this machine"
        else:
            left = max(int(self.redis.pttl(INGEST_LOCK)), 0) / 1000
            where = f"on {host or 'another host'}, its lease lapses in {left:.0f} s unless renewed"
        return (
            f"another ingest writer ({holder}) is running for {redact(self.url)} ({where}); "
            "run one per Redis, on the machine that holds the store"
        )

    def _renew(self) -> bool:
        return self._claim() is None

    def _keep_role(self) -> None:
        if time.monotonic() - self._renewed < self.cfg.cluster.lease_seconds / 3:
            return
        if not self._renew():
            raise IngestBusy(f"lost the ingest role for {redact(self.url)} to another writer")

    def _release(self) -> None:
        try:
            if self.redis is not None:
                self.redis.eval(_RELEASE, 1, INGEST_LOCK, self.ident)
        except Exception as exc:  # the key expires on its own; say why and go on
            log.warning("could not release the ingest role: %s", exc)

    # --- the loop ------------------------------------------------------------------------

    def run(self, *, drain: bool = False) -> Counter[str]:
        """Commit batches until ``stop`` is set, or with ``drain`` until no page waits.
        Returns the counts: saved, unchanged, rejected, batches, failed. Call ``claim``
        first. Raises IngestBusy when another writer took the role."""
        import redis

        if drain:
            self.drain.set()
        db = store.open_db(self.cfg.db_path)
        backoff, down_since = BACKOFF_FIRST, 0.0
        failure: str | None = None  # the last failure not yet followed by a good step
        try:
            while not self.stop.is_set():
                try:
                    self._keep_role()
                    self._sync_known(db)
                    taken = self._step(db)
                    if down_since:
                        log.warning("Redis is back after %.1f s", time.monotonic() - down_since)
                    backoff, down_since, failure = BACKOFF_FIRST, 0.0, None
                    if not taken and self.drain.is_set() and self._queue_empty():
                        break
                    continue
                except (redis.ConnectionError, redis.TimeoutError) as exc:
                    if not down_since:
                        down_since = time.monotonic()
                        log.warning("Redis at %s unavailable (%s): retrying", redact(self.url), exc)
                except (store.StoreBusy, store.StoreFull) as exc:
                    log.warning("store not writable now (%s): the batch stays queued", exc)
                except IngestBusy as exc:
                    self.error = str(exc)
                    log.error("%s", exc)
                    raise
                except Exception as exc:  # a Redis error reply, SQLite, a bug: see the module doc
                    failure = f"{type(exc).__name__}: {exc}"
                    log.exception("ingest failed (%s): the batch is tried again", failure)
                    self._failed_attempt()
                self.stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        finally:
            if failure:  # it ended failing: pages may be left out of the store
                self.error = self.error or failure
            self._release()
            db.close()
        return self.counts

    def _failed_attempt(self) -> None:
        assert self.redis is not None
        try:
            if self.redis.exists(PROCESSING):
                self.redis.incr(ATTEMPTS)
        except Exception as exc:  # Redis itself failing: the next loop says so
            log.warning("could not count the failed attempt: %s", exc)

    def _step(self, db: Database) -> int:
        """Commit one batch: the one a dead writer left in the processing list, else up
        to ``ingest_batch_size`` new pages. Returns how many payloads it handled."""
        assert self.redis is not None
        r = self.redis
        # redis-py types replies as bytes | str; connect() does not decode them: bytes
        batch = cast(list[bytes], r.lrange(PROCESSING, 0, -1))
        if batch and int(r.get(ATTEMPTS) or 0) >= MAX_ATTEMPTS:
            self._set_aside(batch)
            return len(batch)
        if not batch:
            if r.blmove(PAGES, PROCESSING, TAKE_TIMEOUT, "RIGHT", "LEFT") is None:
                return 0
            pipe = r.pipeline(transaction=False)  # one round trip; each move stays atomic
            for _ in range(self.cfg.cluster.ingest_batch_size - 1):
                pipe.lmove(PAGES, PROCESSING, "RIGHT", "LEFT")  # on an empty list: nothing
            pipe.lrange(PROCESSING, 0, -1)
            batch = pipe.execute()[-1]
        self._commit(db, batch)
        return len(batch)

    def _set_aside(self, batch: list[bytes]) -> None:
        """A batch that failed MAX_ATTEMPTS times: into pages:failed, out of the way."""
        assert self.redis is not None
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(FAILED, *batch)
        pipe.delete(PROCESSING, ATTEMPTS)
        pipe.execute()
        self.counts.update(failed=len(batch))
        self.error = self.error or f"a batch of {len(batch)} pages failed to commit, set aside"
        log.error(
            "a batch of %s pages failed to commit %s times: moved to %s (LMOVE it back to "
            "%s to try again once the cause is fixed)", len(batch), MAX_ATTEMPTS, FAILED, PAGES,
        )  # fmt: skip

    def _commit(self, db: Database, batch: list[bytes]) -> None:
        pages, bad = [], []
        for data in batch:
            try:
                page = decode_page(data, limit=self.limit)
                if page.source not in self.sources:
                    raise PayloadError(f"{page.url}: source {page.source!r} is not configured")
                pages.append(page)
            except PayloadError as exc:
                log.warning("page payload rejected (kept in %s): %s", DEAD, exc)
                bad.append(data)
        saved, unchanged = store.save_pages(db, pages) if pages else (0, 0)
        assert self.redis is not None
        pipe = self.redis.pipeline(transaction=True)
        for page in pages:
            _mark_known(pipe, page.url, listing=page.not_article is not None)
        if bad:
            pipe.lpush(DEAD, *bad)
            pipe.ltrim(DEAD, 0, DEAD_KEPT - 1)
        pipe.delete(PROCESSING, ATTEMPTS)
        pipe.execute()
        self.counts.update(saved=saved, unchanged=unchanged, rejected=len(bad), batches=1)
        log.debug(
            "ingested %s pages (%s new or changed, %s unchanged)", len(pages), saved, unchanged
        )

    def _queue_empty(self) -> bool:
        return self.waiting() == 0

    def waiting(self) -> int:
        """Pages in Redis not yet in the store: queued, or in a batch being committed."""
        assert self.redis is not None
        return int(self.redis.llen(PAGES)) + int(self.redis.llen(PROCESSING))

    def wait_for_role(self) -> bool:
        """Stand by while another writer holds the role, and take it once that one is gone
        (dead here, or its lease ran out). True once the role is ours; False when ``stop``
        is set, or ``drain`` is set and no page waits (the other writer stored them)."""
        import redis

        while not self.stop.is_set():
            try:
                self.claim()
                return True
            except IngestBusy:
                if self.drain.is_set() and self._queue_empty():
                    return False
            except (redis.ConnectionError, redis.TimeoutError, RedisUnavailable) as exc:
                log.warning("standby ingest writer: Redis unavailable (%s): retrying", exc)
            self.stop.wait(STANDBY_SECONDS)
        return False

    def _sync_known(self, db: Database, *, force: bool = False) -> None:
        """Copy the store's seen set into the known sets: with ``force``, or when the
        marker of a complete copy is gone (checked every MARKER_SECONDS)."""
        assert self.redis is not None
        if not force:
            if time.monotonic() - self._checked < MARKER_SECONDS:
                return
            self._checked = time.monotonic()
            if self.redis.exists(KNOWN_SYNCED):
                return
            log.warning("the known sets are gone from Redis (it lost its data): copying again")
        pipe = self.redis.pipeline(transaction=False)
        count = 0
        for count, (url, is_listing) in enumerate(store.known_urls(db), start=1):
            _mark_known(pipe, url, listing=is_listing)
            if count % SYNC_CHUNK == 0:
                pipe.execute()
                self._keep_role()  # a store of millions takes a while
        pipe.set(KNOWN_SYNCED, self.ident)
        pipe.execute()
        self._checked = time.monotonic()
        log.info("known sets synced: %s URLs from the store", count)


def _mark_known(pipe: Any, url: str, *, listing: bool) -> None:
    """A stored article page is fetched no more; a stored listing is read for its links."""
    member = url_member(url)
    if listing:
        pipe.sadd(KNOWN_LISTINGS, member)
    else:
        pipe.sadd(KNOWN_ARTICLES, member)
        pipe.srem(KNOWN_LISTINGS, member)


def start_in_thread(writer: IngestWriter, *, standby: bool = False) -> threading.Thread:
    """Run a claimed writer in a daemon thread (with ``standby``, one whose claim was
    refused: it waits to take the role over, see ``wait_for_role``); set ``writer.drain``
    or ``writer.stop`` to end it."""

    def run() -> None:
        try:
            if not standby or writer.wait_for_role():
                writer.run()
        except BaseException as exc:  # kept in writer.error; the thread's end is no secret
            writer.error = writer.error or f"{type(exc).__name__}: {exc}"
            log.exception("the ingest writer stopped")

    thread = threading.Thread(target=run, name="ingest", daemon=True)
    thread.start()
    return thread


def crawl_with_ingest(cfg: Config, crawl: Callable[[], T]) -> tuple[T, Counter[str] | None]:
    """Call ``crawl()`` while this process ingests the cluster's pages, or, while another
    ingest writer lives, stands by to take its role over if it goes (so ``newsdesk crawl
    --redis`` on the store machine needs nothing else). After the crawl it waits, at most
    ``DRAIN_SECONDS`` plus a lease, until no page waits in Redis.

    Returns crawl's result and what was ingested here (None: another writer stored the
    pages). RedisUnavailable when Redis cannot be reached. IngestFailed (with crawl's
    result) when the writer failed or pages still wait, so the crawl is not taken for a
    good one: it ends ok only when every page it fetched is in the store."""
    writer = IngestWriter(cfg, cfg.cluster.redis_url)
    try:
        writer.claim()
        standby = False
    except IngestBusy as exc:
        log.info("%s: this crawl stands by to take over if that writer goes", exc)
        standby = True
    thread = start_in_thread(writer, standby=standby)
    try:
        result = crawl()
    finally:
        writer.drain.set()  # the crawl has ended: empty the queue, then stop
        thread.join(timeout=DRAIN_SECONDS + cfg.cluster.lease_seconds)
        writer.stop.set()
        thread.join()
    if writer.error:
        raise IngestFailed(f"the ingest writer failed: {writer.error}", result)
    _check_none_waiting(writer, result)
    return result, writer.counts if writer.held else None


def _check_none_waiting(writer: IngestWriter, result: Any) -> None:
    """IngestFailed naming how many pages still wait in Redis, if any do."""
    import redis

    assert writer.redis is not None
    try:
        waiting = writer.waiting()
        raw = writer.redis.get(INGEST_LOCK) if waiting else None
    except redis.RedisError as exc:
        raise IngestFailed(
            f"cannot tell whether pages wait for the ingest writer: {exc}",
            result,
            summary="pages may wait for the ingest writer",
        ) from None
    if not waiting:
        return
    who = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else "no writer holds it"
    raise IngestFailed(
        f"{waiting} pages wait in Redis for the ingest writer ({who}) and are not in the "
        "store: start `newsdesk ingest` on the store machine (or run this crawl again)",
        result,
        summary=f"{waiting} pages wait for the ingest writer",
    )
