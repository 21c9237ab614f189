"""Turn stored raw pages into articles: extract, judge, summarise, save.

Runs after each crawl, outside Scrapy: CPU-heavy extraction would stall the crawler's
event loop, and keeping raw pages means ``--reprocess`` rebuilds every article after
trafilatura, sumy or a rule changes, with no re-crawl.

Extraction and summaries run in a pool of worker processes (pebble), one page per task
with a hard time limit: trafilatura has none as a library, and a hostile page must not
hang the service. A worker that overruns is killed and replaced. This process stays the
store's only writer. A page that fails or times out MAX_ATTEMPTS times is quarantined.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessFuture, ProcessPool
from sqlite_utils import Database

from digest import store
from digest.config import Config, Source, Topic
from digest.extract import Rules, extract
from digest.stories import topics_of
from digest.summarise import summarise

Progress = Callable[[int, int, str], None]
PAGE_TIMEOUT_SECONDS = 30.0


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


def work(html: str, url: str, rules: Rules, sentences: int, words: int) -> dict[str, Any]:
    """One page, in a worker process: the extracted article and, for an article, its summary."""
    found = extract(html, url, rules)
    row = found.as_dict()
    row["summary"] = (
        summarise(found.text, sentences=sentences, words=words, title=found.title)
        if found.is_article
        else None
    )
    return row


@dataclass(frozen=True)
class _Task:
    url: str
    source: str
    first_seen_at: str
    future: ProcessFuture[dict[str, Any]]


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
    rules = {src.name: rules_for(src) for src in cfg.sources}
    size = workers or os.cpu_count() or 1
    in_flight: deque[_Task] = deque()

    def finish_oldest() -> None:
        state = _finish(db, in_flight.popleft(), result, timeout, cfg.topics)
        if progress:
            progress(sum(result.counts.values()), len(urls), state)

    with ProcessPool(max_workers=size) as pool:
        try:
            for url in urls:
                if should_stop():
                    result.interrupted = True
                    break
                in_flight.append(_submit(pool, db, url, cfg, rules, timeout))
                if len(in_flight) >= size * 2:  # a short queue: memory stays flat
                    finish_oldest()
            while in_flight:
                finish_oldest()
        except (store.StoreBusy, store.StoreFull) as exc:
            result.store_error = str(exc)  # this page and the rest stay pending
            pool.stop()
    return result


def _submit(
    pool: ProcessPool, db: Database, url: str, cfg: Config, rules: dict[str, Rules], timeout: float
) -> _Task:
    page = store.load_page(db, url)
    future = pool.submit(
        work,
        timeout,
        page.html,
        page.url,
        rules.get(page.source, Rules()),
        cfg.summary_sentences,
        cfg.summary_words,
    )
    return _Task(url, page.source, page.first_seen_at, future)


def _finish(
    db: Database, task: _Task, result: ProcessResult, timeout: float, topics: Sequence[Topic]
) -> str:
    try:
        row = task.future.result()
    except FutureTimeout:
        state = _failed(db, task.url, f"extraction took longer than {timeout:g} s", result)
    except Exception as exc:  # the worker's error, re-raised here; the page keeps it
        state = _failed(db, task.url, f"{type(exc).__name__}: {exc}", result)
    else:
        state = _save(db, task, row, topics)
    result.counts[state] += 1
    return state


def _failed(db: Database, url: str, error: str, result: ProcessResult) -> str:
    result.errors[url] = error
    return store.record_failure(db, url, error)


def _save(db: Database, task: _Task, row: dict[str, Any], topics: Sequence[Topic]) -> str:
    if not row["is_article"]:
        store.mark_page(db, task.url, "not_article", row["reason"])
        return "not_article"
    row.update(
        source=task.source,
        title=row["title"] or row["text"].split("\n", 1)[0][:120],
        author=", ".join(row["authors"]) or row["credit"],
    )
    store.save_article(db, row, page_url=task.url, first_seen_at=task.first_seen_at)
    store.set_topics(db, row["url"], [t.name for t in topics_of(row, topics)])
    return "article"
