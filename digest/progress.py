"""Progress of the service's long work, for whoever watches it: the crawl child's running
counts (written by crawler/progress.py) and closing lines, read by the process that
started it; and the service's way of showing them, a counted log line a minute.

A terminal display (``cli/progress.py``) and the service's log (``LogEvery``) are both a
``Watcher``: ``crawl`` gets each started source's counts about once a second, ``crawled``
the finished crawl's ``runs`` row (with what the crawl printed), ``pages`` the count of
pages processed.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

log = logging.getLogger("newsdesk.jobs")
FOLDER = ".crawl-progress"  # under the data directory: one folder per running crawl


class Watcher(Protocol):
    def crawl(self, counts: dict[str, dict[str, int]]) -> None: ...

    def crawled(self, run: dict[str, Any]) -> None: ...

    def pages(self, done: int, total: int, state: str) -> None: ...


def crawl_line(counts: dict[str, dict[str, int]]) -> str:
    """``src 12 new pages, 40 requests; …`` (and processed articles when there are any)."""
    return "; ".join(f"{name} {_counted(c)}" for name, c in counts.items())


def totals_line(counts: dict[str, dict[str, int]]) -> str:
    """``4 sources: 12 new pages, 40 requests``: the counts summed, for a narrow line."""
    summed = {k: sum(c.get(k, 0) for c in counts.values()) for k in ("pages", "requests")}
    summed["processed"] = sum(c.get("processed", 0) for c in counts.values())
    return f"{len(counts)} sources: {_counted(summed)}"


def _counted(c: dict[str, int]) -> str:
    text = f"{c.get('pages', 0)} new pages, {c.get('requests', 0)} requests"
    return text + (f", {c['processed']} processed" if c.get("processed") else "")


class LogEvery:
    """The service's watcher: a counted log line at most once a period, and the crawl's
    closing lines (its report per source, its complaints) in the log."""

    def __init__(self, seconds: float = 60) -> None:
        self.seconds = seconds
        self.last = time.monotonic()

    def _due(self) -> bool:
        if time.monotonic() - self.last < self.seconds:
            return False
        self.last = time.monotonic()
        return True

    def crawl(self, counts: dict[str, dict[str, int]]) -> None:
        if counts and self._due():
            log.info("crawl in progress: %s", crawl_line(counts))

    def crawled(self, run: dict[str, Any]) -> None:
        for line in (run.get("output") or "").splitlines():
            log.info("crawl run=%s %s", run["id"], line)
        for line in (run.get("complaints") or "").splitlines():
            log.warning("crawl run=%s %s", run["id"], line)

    def pages(self, done: int, total: int, state: str) -> None:
        if self._due():
            log.info("process in progress: %s/%s pages", done, total)


class ChildOutput:
    """Where a watched crawl child writes its running counts (``--progress-dir``) and what
    it prints, so that its lines do not land in the middle of a live display: a folder
    ``DATA_DIR/.crawl-progress/RUN_ID``, removed when the crawl is over (and, left by a
    killed service, by the next start's recovery: ``remove_leftovers``)."""

    def __init__(self, data_dir: Path, run_id: int) -> None:
        self.folder = data_dir / FOLDER / str(run_id)
        self.stdout: IO[bytes] | None = None
        self.stderr: IO[bytes] | None = None

    def __enter__(self) -> ChildOutput:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.stdout = (self.folder / "stdout.txt").open("w+b")
        self.stderr = (self.folder / "stderr.txt").open("w+b")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for handle in (self.stdout, self.stderr):
            if handle is not None:
                handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def args(self) -> list[str]:
        return ["--progress-dir", str(self.folder)]

    def counts(self) -> dict[str, dict[str, int]]:
        """Each started source's latest counts (a file replaced as it was read: next time)."""
        found: dict[str, dict[str, int]] = {}
        for path in sorted(self.folder.glob("*.json")):
            try:
                found[path.stem] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
        return found

    def printed(self) -> tuple[str, str]:
        """What the child wrote to its standard output and its standard error."""
        return _read(self.stdout), _read(self.stderr)


def _read(handle: IO[bytes] | None) -> str:
    if handle is None:
        return ""
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")


def remove_leftovers(data_dir: Path, older_than_seconds: float) -> int:
    """Remove the folders of crawls that ended without removing theirs (their process was
    killed), older than any running crawl can be; return how many."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    for folder in (data_dir / FOLDER).glob("*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed
