"""Stopping a command by hand: Ctrl-C (SIGINT) or SIGTERM.

A command with work to wind down (a crawl, processing, ``run --once``, the demo) is
*cooperative*: the first signal sets ``StopRequest.event``, the jobs see it, end their
children and record the run as ``interrupted``; a second signal stops at once. Any other
command stops at once: the signal raises ``Stopped`` where the command is.

Either way the process exits 0 after SIGTERM and 130 after Ctrl-C (the shell's convention
for SIGINT), with a one-line note and no traceback.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType


class Stopped(KeyboardInterrupt):
    """The command was stopped by a signal (a KeyboardInterrupt, so ``except
    KeyboardInterrupt`` cleanup code runs for SIGTERM too)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopRequest:
    """The stop flag a cooperative command's jobs watch, and the signal that set it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None

    def is_set(self) -> bool:
        return self.event.is_set()


def install(*, cooperative: bool) -> StopRequest:
    """Handle SIGINT and SIGTERM for this process's command (main thread only)."""
    request = StopRequest()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if cooperative and not request.is_set():
            request.signum = signum
            request.event.set()
            name = signal.Signals(signum).name
            print(f"newsdesk: {name}: stopping (again to stop at once)", file=sys.stderr)
            return
        raise Stopped(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return request


def exit_code(signum: int | None) -> int:
    """130 after Ctrl-C, 0 after SIGTERM (a requested stop is not a failure)."""
    return 130 if signum == signal.SIGINT else 0
