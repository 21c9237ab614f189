"""Extraction and summaries while the crawl runs (``crawl --process``).

Fetching costs a few CPU milliseconds a page and extraction plus a summary several times
that, so a crawl that only stores pages leaves the cores idle while it waits on the
network, and processing afterwards leaves the network idle. With this, each fetched page
goes straight from the crawl to digest.process's worker pool (one worker per core) and
its outcome comes back to the crawl process, which saves it with the next batch of pages:
the store still has one writer.

The pool is shared by every source's spider in the process. Pages in flight are bounded
(``PagePool.limit``): when the workers fall behind, ``submit`` makes the item wait. Scrapy
alone would go on downloading (its own back-off counts only response bytes, and a waiting
page holds much more), so once WAIT_HIGH pages wait, every crawler's engine is paused
(downloads under way finish) until no more than WAIT_LOW wait. The crawl goes at the pace
of the slower side and memory stays flat however large the site.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable

from scrapy.core.engine import ExecutionEngine
from twisted.internet.defer import Deferred

from digest.config import load_config
from digest.process import WORKER_MODULES, Outcome, PagePool, Task
from digest.store import FetchedPage, StoredPage

Done = Callable[[Outcome], None]
WAIT_HIGH = 16  # pages waiting for a worker at which the crawl pauses
WAIT_LOW = 8  # and resumes
START_METHOD = "forkserver"
# What a worker needs (trafilatura, sumy, NLTK...), imported once, in the fork server.
PRELOAD = [*WORKER_MODULES, "digest.process"]


def start_fork_server() -> None:
    """Start the fork server that the workers will be forked from, importing extraction
    and summaries once. Workers are not forked from the crawl itself, which would copy its
    reactor, threads and sockets into every worker, nor spawned, which would have each
    import everything again. A no-op once it runs."""
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(PRELOAD)
    from multiprocessing import forkserver

    forkserver.ensure_running()


class CrawlProcessor:
    """The crawl process's worker pool, fed from the reactor thread."""

    _shared: CrawlProcessor | None = None

    def __init__(self, config_path: str) -> None:
        # The fork server and the workers start with the first page to process: none in
        # a crawl that fetches none (an unchanged re-run imports neither trafilatura nor
        # sumy anywhere). Forked from the preloaded server, each worker warms up
        # (start_worker) in about half a second, before it takes a page and that page's
        # clock starts.
        self.pool = PagePool(load_config(config_path), start_method=START_METHOD)
        self.started = False
        self.in_flight = 0
        self.waiting: deque[tuple[FetchedPage, Done, Deferred[None]]] = deque()
        self.idle: list[Deferred[None]] = []
        self.engines: list[ExecutionEngine] = []  # the crawls fed from here, paused together
        self.paused = False
        self.pauses = self.most_waiting = 0  # for the crawl's stats

    @classmethod
    def acquire(cls, config_path: str, engine: ExecutionEngine) -> CrawlProcessor:
        """The process's one processor (created by its first user)."""
        if cls._shared is None:
            cls._shared = cls(config_path)
        cls._shared.engines.append(engine)
        return cls._shared

    def release(self, engine: ExecutionEngine) -> None:
        """One user is done; the last one lets the workers exit."""
        self.engines.remove(engine)
        if not self.engines:
            type(self)._shared = None
            self.pool.close()

    def submit(self, page: FetchedPage, done: Done) -> Deferred[None]:
        """Hand ``page`` to a worker; ``done`` gets its outcome in the reactor thread. The
        Deferred fires once the page is with the pool: at once while fewer than the limit
        are in flight, later otherwise (back-pressure on the crawl)."""
        handed: Deferred[None] = Deferred()
        self.waiting.append((page, done, handed))
        self._pump()
        self.most_waiting = max(self.most_waiting, len(self.waiting))
        if len(self.waiting) >= WAIT_HIGH and not self.paused:
            self.paused = True
            self.pauses += 1
            for engine in self.engines:
                engine.pause()
        return handed

    def drained(self) -> Deferred[None]:
        """Fires when no page is waiting or in flight."""
        result: Deferred[None] = Deferred()
        self.idle.append(result)
        self._check_idle()
        return result

    def _pump(self) -> None:
        from twisted.internet import reactor  # the crawl installed its reactor by now

        if self.waiting and not self.started:
            start_fork_server()
            self.started = True
        while self.waiting and self.in_flight < self.pool.limit:
            page, done, handed = self.waiting.popleft()
            stored = StoredPage(page.url, page.source, page.fetched_at, page.html)
            task = self.pool.submit(stored)
            self.in_flight += 1

            def finished(_future: object, task: Task = task, done: Done = done) -> None:
                reactor.callFromThread(self._finished, task, done)  # from the pool's thread

            task.future.add_done_callback(finished)
            handed.callback(None)

    def _finished(self, task: Task, done: Done) -> None:
        self.in_flight -= 1
        done(self.pool.outcome(task))
        self._pump()
        if self.paused and len(self.waiting) <= WAIT_LOW:
            self.paused = False
            for engine in self.engines:
                engine.unpause()
                _wake(engine)
        self._check_idle()

    def _check_idle(self) -> None:
        if self.in_flight or self.waiting:
            return
        idle, self.idle = self.idle, []
        for waiter in idle:
            waiter.callback(None)


def _wake(engine: ExecutionEngine) -> None:
    """Have an unpaused engine send requests now: it would otherwise wait for its next
    heartbeat (5 s) when nothing else is under way, and the workers would sit idle. Scrapy
    has no public call for this; without the private slot, the heartbeat still comes."""
    slot = getattr(engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
