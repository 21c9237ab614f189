"""Turn stored raw pages into articles: extract, judge, summarise, save.

Runs after each crawl, outside Scrapy: CPU-heavy extraction would stall the crawler's
event loop, and keeping raw pages means ``--reprocess`` rebuilds every article after
trafilatura, sumy or a rule changes, with no re-crawl.

Extraction and summaries run in a pool of worker processes (pebble), one page per task
with a hard time limit: trafilatura has none as a library, and a hostile page must not
hang the service. A worker that overruns is killed and replaced. Each worker, replacements
included, loads extraction and summaries and runs them once on a tiny page before it takes
a page (``start_worker``): the clock starts when a worker takes a page, so a page's time
limit is spent on that page, never on ~2 s of imports. This process stays the store's
only writer and saves outcomes in batches of SAVE_BATCH, one transaction each. A page that
fails or times out MAX_ATTEMPTS times is quarantined.

The same pool runs inside a crawl (``crawl --process``, see crawler/pipelines/processing.py):
pages go to the workers as they are fetched, and the crawl process saves the outcomes.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessFuture, ProcessPool
from sqlite_utils import Database

from digest import store
from digest.config import Config, Rules, Source, Topic, fault_active

Progress = Callable[[int, int, str], None]
PAGE_TIMEOUT_SECONDS = 30.0
SAVE_BATCH = 25  # outcomes saved per transaction
WORKER_MODULES = ("digest.extract", "digest.summarise", "digest.stories")  # what work() uses
PR_SET_PDEATHSIG = 1
# Tests only: with $NEWSDESK_FAULT=slow-page, a page holding the mark hangs in work(), far
# past any time limit, so the time limit is tested without depending on machine speed.
SLOW_PAGE_FAULT = "slow-page"
SLOW_PAGE_MARK = "<!-- newsdesk-fault: slow-page -->"
SLOW_PAGE_SECONDS = 60.0
WARM_UP_HTML = (
    "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    "<p>The workers load extraction before the first page. They run it once, here.</p>"
    "</article></body></html>"
)
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent() -> None:
    """In a child process (a crawl, an extraction worker): on Linux, ask the kernel to kill
    it when its parent dies, even by SIGKILL, so that nothing outlives a killed newsdesk:
    no crawl writing on its own, no worker holding the data directory's lock (a forked
    child shares it). prctl is looked up on import, in the parent: the child only calls it."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class ProcessResult:
    counts: Counter[str] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    store_error: str | None = None  # the store could not be written: the rest stays pending

    def as_detail(self) -> dict[str, object]:
        return {
            "counts": dict(self.counts),
            "errors": self.errors,
            "interrupted": self.interrupted,
            "store_error": self.store_error,
        }


def rules_for(source: Source) -> Rules:
    return Rules(drop_selectors=source.drop_selectors, body_selector=source.body_selector)


def work(
    html: str, url: str, rules: Rules, sentences: int, words: int, topics: Sequence[Topic] = ()
) -> dict[str, Any]:
    """One page, in a worker process: the extracted article and, for an article, its
    summary and the watch topics it matches. Extraction and summaries are imported in
    the workers (by ``start_worker``, or before by a crawl's fork server, see PRELOAD in
    crawler/pipelines/processing.py), not by every process that hands out pages."""
    from digest.extract import extract
    from digest.stories import topics_of
    from digest.summarise import summarise

    if fault_active(SLOW_PAGE_FAULT) and SLOW_PAGE_MARK in html:
        time.sleep(SLOW_PAGE_SECONDS)
    found = extract(html, url, rules)
    row = found.as_dict()
    row["summary"] = None
    row["topics"] = []
    if found.is_article:
        row["summary"] = summarise(found.text, sentences=sentences, words=words, title=found.title)
        row["topics"] = [t.name for t in topics_of(row, topics)]
    return row


@dataclass(frozen=True)
class Task:
    """A page handed to a worker."""

    url: str
    source: str
    first_seen_at: str
    future: ProcessFuture[dict[str, Any]]


@dataclass(frozen=True)
class Outcome:
    """What a worker made of a page: the extracted row, or the error that stopped it."""

    url: str
    source: str
    first_seen_at: str
    row: dict[str, Any] | None
    error: str | None


class PagePool:
    """The worker processes, one per core by default, with a hard time limit per page."""

    def __init__(
        self,
        cfg: Config,
        *,
        workers: int | None = None,
        timeout: float = PAGE_TIMEOUT_SECONDS,
        start_method: str | None = None,
    ) -> None:
        self.size = workers or cfg.process_workers or os.cpu_count() or 1
        self.limit = self.size * 2  # pages in flight at most: a short queue keeps memory flat
        self.timeout = timeout
        self.rules = {src.name: rules_for(src) for src in cfg.sources}
        self.options = (cfg.summary_sentences, cfg.summary_words, cfg.topics)
        context = multiprocessing.get_context(start_method)
        # pebble starts the workers at the first submit: none when there is nothing to do.
        self.pool = ProcessPool(max_workers=self.size, context=context, initializer=start_worker)

    def submit(self, page: store.StoredPage) -> Task:
        rules = self.rules.get(page.source, Rules())
        future = self.pool.submit(work, self.timeout, page.html, page.url, rules, *self.options)
        return Task(page.url, page.source, page.first_seen_at, future)

    def outcome(self, task: Task) -> Outcome:
        """The task's outcome; waits for it if it is not done."""
        row = error = None
        try:
            row = task.future.result()
        except FutureTimeout:
            error = f"extraction took longer than {self.timeout:g} s"
        except Exception as exc:  # the worker's error, re-raised here; the page keeps it
            error = f"{type(exc).__name__}: {exc}"
        return Outcome(task.url, task.source, task.first_seen_at, row, error)

    def close(self, *, now: bool = False) -> None:
        """Let the workers finish (or, with ``now``, kill them) and wait for them to exit."""
        self.pool.stop() if now else self.pool.close()
        self.pool.join()


def start_worker() -> None:
    """Each worker's start, before it takes its first page (pebble runs the pool's
    initializer first and starts a page's clock only when a worker takes the page): die
    with the parent, then load extraction and summaries and run them once on a tiny page,
    so the first page's time limit is not spent on imports (~2 s, issue #15) or on what
    the first extraction and summary set up (~0.2 s more, even in a preloaded fork)."""
    die_with_parent()
    # A worker whose initializer raises exits: pebble starts another that fails the same
    # way, or calls the whole pool broken. Each page meets the error in work() and keeps it.
    with contextlib.suppress(Exception):
        _warm_up()


def _warm_up() -> None:
    for name in WORKER_MODULES:
        importlib.import_module(name)
    from digest.extract import extract
    from digest.summarise import summarise

    found = extract(WARM_UP_HTML, "https://warm-up.invalid/", Rules())
    summarise(found.text, sentences=1, words=20)


def save_outcomes(db: Database, outcomes: Sequence[Outcome], result: ProcessResult) -> list[str]:
    """Save a batch of outcomes in one transaction; return each page's new state. On
    StoreBusy or StoreFull nothing is saved and the pages stay pending."""
    with store.write(db):
        states = [_save(db, outcome, result) for outcome in outcomes]
    result.counts.update(states)
    return states


def process_pages(
    db: Database,
    cfg: Config,
    *,
    reprocess: bool = False,
    source: str | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    workers: int | None = None,
    timeout: float = PAGE_TIMEOUT_SECONDS,
) -> ProcessResult:
    """Process every page waiting for it (every stored page with ``reprocess``)."""
    result = ProcessResult()
    urls = store.pages_to_process(db, reprocess=reprocess, source=source)
    if not urls:
        return result  # no worker started: nothing to load ~2 s of imports for
    pool = PagePool(cfg, workers=workers, timeout=timeout)
    in_flight: deque[Task] = deque()
    done: list[Outcome] = []

    def save() -> None:
        before = sum(result.counts.values())
        for n, state in enumerate(save_outcomes(db, done, result), start=before + 1):
            if progress:
                progress(n, len(urls), state)
        done.clear()

    stopped = True  # unless the loop ends normally: kill the workers rather than wait
    try:
        for url in urls:
            if should_stop():
                result.interrupted = True
                break
            in_flight.append(pool.submit(store.load_page(db, url)))
            if len(in_flight) >= pool.limit:
                done.append(pool.outcome(in_flight.popleft()))
            if len(done) >= SAVE_BATCH:
                save()
        while in_flight:
            done.append(pool.outcome(in_flight.popleft()))
        save()
        stopped = result.interrupted
    except (store.StoreBusy, store.StoreFull) as exc:
        result.store_error = str(exc)  # this batch and the rest stay pending
    finally:
        pool.close(now=stopped)
    return result


def _save(db: Database, outcome: Outcome, result: ProcessResult) -> str:
    if outcome.error is not None:
        result.errors[outcome.url] = outcome.error
        return store.record_failure(db, outcome.url, outcome.error)
    row = dict(outcome.row or {})
    if not row["is_article"]:
        store.mark_page(db, outcome.url, "not_article", row["reason"])
        return "not_article"
    row.update(
        source=outcome.source,
        title=row["title"] or row["text"].split("\n", 1)[0][:120],
        author=", ".join(row["authors"]) or row["credit"],
    )
    store.save_article(db, row, page_url=outcome.url, first_seen_at=outcome.first_seen_at)
    store.set_topics(db, row["url"], row["topics"])
    return "article"
