"""The ``newsdesk`` group: the options every command takes, and the one place where a
failure a user can meet becomes one line on standard error and an exit code.

Exit codes: 0 done, 1 failed at run time, 2 bad input (click's usage errors too), 141
when the reader of the output went away (``| head``); after a stop signal 0 for SIGTERM
and 130 for Ctrl-C. ``--debug`` shows the traceback of an unexplained failure instead.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from digest import failures, query, stopping, store
from digest.build import DigestBusy
from digest.config import REDIS_URL_ENV, Config, ConfigError, load_config, require_sources
from digest.days import DayOutOfRange
from digest.service import setup_logging

F = TypeVar("F", bound=Callable[..., Any])

# Commands with work to wind down: the first stop signal sets a flag their jobs watch.
COOPERATIVE = ("crawl", "process", "run", "demo")
BAD_INPUT = (ConfigError, DayOutOfRange, query.QueryError, FileNotFoundError)


@dataclass
class State:
    """What the group's and the command's common options set, and the stop request."""

    config: str | None = None
    debug: bool = False
    request: stopping.StopRequest = field(default_factory=stopping.StopRequest)
    cfg: Config | None = None

    def load(self, *, redis: str | None = None) -> Config:
        """The config, loaded once (``--redis`` goes through the config layer, so the
        crawl subprocess sees it too)."""
        if redis:
            os.environ[REDIS_URL_ENV] = redis
        self.cfg = load_config(self.config)
        return self.cfg


def state() -> State:
    return click.get_current_context().ensure_object(State)


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value not in (None, False):
        setattr(ctx.ensure_object(State), str(param.name), value)


def common_options(command: F) -> F:
    """--config and --debug, taken before or after the command's name alike ("newsdesk
    --config X status" and "newsdesk status --config X")."""
    command = click.option(
        "--config",
        metavar="FILE",
        expose_value=False,
        callback=_remember,
        help="Config file (default: $NEWSDESK_CONFIG or ./newsdesk.toml).",
    )(command)
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Show the traceback of a failure, not one line.",
    )(command)


def config(*, writes: bool = False, crawls: bool = False, redis: str | None = None) -> Config:
    """The loaded config for this command. ``crawls``: at least one source is needed;
    ``writes``: the store is read whole (quick_check, about a second per GB) before the
    command writes to it."""
    cfg = state().load(redis=redis)
    if crawls:
        require_sources(cfg)
    if writes and cfg.db_path.exists():
        db = store.open_db(cfg.db_path)
        try:
            store.verify(db, fts=False)
        finally:
            db.close()
    return cfg


def fail(message: str, code: int = 2) -> click.exceptions.Exit:
    """Say ``message`` as the command's one line of failure; raise what this returns."""
    return click.exceptions.Exit(_said(message, code))


class NewsdeskGroup(click.Group):
    """Runs a command under the stop-signal handlers and turns its return value and the
    failures a user can meet into exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        own = ctx.ensure_object(State)
        try:
            code = super().invoke(ctx)
        except BAD_INPUT as exc:
            code = _said(exc, 2)
        except DigestBusy as exc:  # refused at run time, not bad input
            code = _said(exc, 1)
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as cat does
            _drop_stdout()
            code = 128 + signal.SIGPIPE
        except stopping.Stopped as exc:
            click.echo(f"newsdesk: stopped ({exc})", err=True)
            code = stopping.exit_code(exc.signum)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:
            message = failures.explain(exc, store=own.cfg.db_path if own.cfg else None)
            if message is None or own.debug:
                raise
            code = _said(message, 1)
        if own.request.is_set():
            code = stopping.exit_code(own.request.signum)
        raise click.exceptions.Exit(code or 0)


def _said(exc: BaseException | str, code: int) -> int:
    click.echo(f"newsdesk: {exc}", err=True)
    return code


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@click.group(
    cls=NewsdeskGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@common_options
@click.pass_context
def newsdesk(ctx: click.Context) -> None:
    """Business-news monitoring desk: crawl the sources, keep the articles, write a daily
    digest, and query the SQLite store."""
    setup_logging(None)
    own = ctx.ensure_object(State)
    own.request = stopping.install(cooperative=ctx.invoked_subcommand in COOPERATIVE)


def main(argv: list[str] | None = None) -> int:
    """The console script: run one command and return its exit code."""
    try:
        code = newsdesk.main(args=argv, prog_name="newsdesk", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 1
    return code if isinstance(code, int) else 0
