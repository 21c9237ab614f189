"""Progress of long work on standard error. On a terminal: one live line, redrawn as the
counts change, cut to the terminal's width, and cleared for any log line written
meanwhile. Elsewhere (a pipe, cron, a log): a counted line every PERIOD_SECONDS and one at
the end of each phase."""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TextIO

import click

from digest.progress import crawl_line, totals_line

PERIOD_SECONDS = 10.0


def counted(counts: Mapping[str, int]) -> str:
    """``10 article, 2 not_article``: a result's counts by kind, in name order."""
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


class Progress(logging.Filter):
    """A ``digest.progress.Watcher`` for a person: ``with Progress() as p:
    jobs.run_crawl(..., progress=p.crawl)``. One object shows a crawl and then its
    processing, each on its own line."""

    def __init__(self, out: TextIO | None = None) -> None:
        super().__init__()
        self.out = out or sys.stderr
        self.live = self.out.isatty()
        self.label = self.line = self.shown = ""
        self.started = self.said = time.monotonic()

    def crawl(self, counts: dict[str, dict[str, int]]) -> None:
        if counts:
            line = crawl_line(counts)
            self._update("crawling", line if len(line) < 60 else totals_line(counts))

    def crawled(self, run: dict[str, Any]) -> None:
        """The crawl is over: its last count stays, then what it printed."""
        self._finish()
        click.echo(run.get("output") or "", nl=False)
        click.echo(run.get("complaints") or "", nl=False, err=True)

    def survey(self, responses: int) -> None:
        self._update("surveying", f"{responses} responses")

    def pages(self, done: int, total: int, state: str) -> None:
        self._update("processing", f"{done}/{total} pages")

    def _update(self, label: str, line: str) -> None:
        if label != self.label:
            self._finish()
            if self.label:  # the first phase's clock runs from the start
                self.started = time.monotonic()
            self.label, self.said = label, time.monotonic()
            self._attach()  # the service's logging may have been set up since (run --once)
        self.line = line
        if self.live:
            self._draw()
        elif time.monotonic() - self.said >= PERIOD_SECONDS:
            self._say()

    def _text(self) -> str:
        return f"{self.label}: {self.line} ({time.monotonic() - self.started:.0f}s)"

    def _draw(self) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.out.write(f"\r{self._text()[:width]}\033[K")
        self.out.flush()
        self.shown = self.line

    def _say(self) -> None:
        self.out.write(self._text() + "\n")
        self.out.flush()
        self.said = time.monotonic()
        self.shown = self.line

    def _finish(self) -> None:
        """The phase's last count stays: its line drawn again if a log line cleared it,
        and ended, on a terminal; said elsewhere, unless it was just said."""
        if self.live and self.line:
            if self.shown != self.line:
                self._draw()
            self.out.write("\n")
            self.out.flush()
        elif not self.live and self.line and self.line != self.shown:
            self._say()
        self.line = self.shown = ""

    def filter(self, record: logging.LogRecord) -> bool:
        """A log line is about to be written: clear the live line first (the next count
        draws it again below)."""
        if self.live and self.shown:
            self.out.write("\r\033[K")
            self.out.flush()
            self.shown = ""
        return True

    def _attach(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.addFilter(self)  # once: a handler keeps a filter once

    def __enter__(self) -> Progress:
        self._attach()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self)
        self._finish()
