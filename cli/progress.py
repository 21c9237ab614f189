"""Progress of long work on standard error: on a terminal one live line, redrawn as the
counts change; otherwise (a pipe, cron, a log) a counted line every PERIOD_SECONDS and one
at the end."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from digest.jobs import crawl_line

PERIOD_SECONDS = 10.0


class Progress:
    """``with Progress() as p: jobs.run_crawl(..., progress=p.crawl)``; one object can show
    a crawl and then its processing, each on its own line."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.label = ""
        self.out = out or sys.stderr
        self.live = self.out.isatty()
        self.started = self.said = time.monotonic()
        self.line = ""
        self.shown = ""

    def crawl(self, counts: dict[str, dict[str, int]]) -> None:
        if counts:
            self._update("crawling", crawl_line(counts))

    def pages(self, done: int, total: int, state: str) -> None:
        self._update("processing", f"{done}/{total} pages")

    def _update(self, label: str, line: str) -> None:
        if label != self.label:
            self._finish()
            self.label, self.started, self.said, self.shown = label, time.monotonic(), 0.0, ""
        self.line = line
        now = time.monotonic()
        if self.live:
            text = f"\r{self.label}: {line} ({now - self.started:.0f}s)\033[K"
            self.out.write(text)
            self.out.flush()
            self.shown = line
        elif now - self.said >= PERIOD_SECONDS:
            self._say()

    def _say(self) -> None:
        elapsed = time.monotonic() - self.started
        self.out.write(f"{self.label}: {self.line} ({elapsed:.0f}s)\n")
        self.out.flush()
        self.said = time.monotonic()
        self.shown = self.line

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._finish()

    def _finish(self) -> None:
        """The last count of the phase stays: a line end on a terminal, else its line."""
        if self.live and self.shown:
            self.out.write("\n")  # keep the last count on screen
            self.out.flush()
        elif not self.live and self.line and self.line != self.shown:
            self._say()
