"""Turn stored raw pages into articles: extract, judge, summarise, save.

Runs after each crawl, outside Scrapy: CPU-heavy extraction would stall the crawler's
event loop, and keeping raw pages means ``--reprocess`` can rebuild every article after
trafilatura, sumy or a rule changes, with no re-crawl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from digest import store
from digest.config import Config
from digest.extract import extract
from digest.summarise import summarise

Progress = Callable[[int, int, str], None]


@dataclass
class ProcessResult:
    counts: Counter[str] = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False

    def as_detail(self) -> dict[str, object]:
        return {"counts": dict(self.counts), "errors": self.errors, "interrupted": self.interrupted}


def process_pages(
    db: Database,
    cfg: Config,
    *,
    reprocess: bool = False,
    source: str | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> ProcessResult:
    """Process every pending page (every stored page with ``reprocess``).

    A page that fails is marked 'failed' with its error and the others go on.
    """
    result = ProcessResult()
    urls = store.pages_to_process(db, reprocess=reprocess, source=source)
    for done, url in enumerate(urls, start=1):
        if should_stop():
            result.interrupted = True
            break
        state = process_page(db, cfg, url, result)
        result.counts[state] += 1
        if progress:
            progress(done, len(urls), state)
    return result


def process_page(db: Database, cfg: Config, url: str, result: ProcessResult) -> str:
    page = store.load_page(db, url)
    try:
        found = extract(page.html, page.url)
        if not found.is_article:
            store.mark_page(db, url, "not_article", found.reason)
            return "not_article"
        row = found.as_row()
        row["source"] = page.source
        row["title"] = found.title or found.text.split("\n", 1)[0][:120]
        row["summary"] = summarise(found.text, sentences=cfg.summary_sentences)
        store.save_article(db, row, page_url=url, first_seen_at=page.first_seen_at)
    except Exception as exc:  # one bad page must not stop the run; its error is kept
        message = f"{type(exc).__name__}: {exc}"
        result.errors[url] = message
        store.mark_page(db, url, "failed", message)
        return "failed"
    return "article"
