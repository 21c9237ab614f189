"""The service and its outputs: run, digest, service install, browse, recover."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

import scheduler
from cli.app import common_options, config, fail, newsdesk, state
from cli.options import Day, Number
from cli.progress import Progress
from digest import jobs, store
from digest.service import install_unit


@newsdesk.command()
@click.option("--once", is_flag=True, help="Crawl, process and digest once, then exit.")
@common_options
def run(once: bool) -> int:
    """The background service (one round with --once).

    Crawls and processes on an interval, writes the digest daily, and stops cleanly on
    SIGTERM or Ctrl-C."""
    if not once:
        return scheduler.serve(config(crawls=True))
    cfg = config(crawls=True)
    with Progress() as progress:
        done = scheduler.run_once(cfg, state().request.event, progress)
    for day in done.final_days:
        click.echo(f"final digest of {day} written")
    if done.today is not None:
        paths = done.today
        click.echo(f"digest (provisional, today so far): {paths['markdown']}")
        click.echo(f"        {paths['html']}")
    return done.code


@newsdesk.command()
@click.option(
    "--date",
    "day",
    type=Day(),
    help="The day, from the store's first run to today (a past day's digest is final, "
    "today's provisional). Default: today so far.",
)
@click.option(
    "--remove",
    is_flag=True,
    help="Remove the --date day's digest instead: its files, feed entry and record.",
)
@common_options
def digest(day: date | None, remove: bool) -> int:
    """Write a day's digest (default: today so far), or remove one."""
    cfg = config(writes=True)
    if remove:
        if day is None:
            raise fail("digest --remove needs --date YYYY-MM-DD")
        files, had_row = jobs.remove_digest(cfg, day)
        if not files and not had_row:
            raise fail(f"there is no digest of {day} to remove", 1)
        click.echo("\n".join(f"removed {path}" for path in files) or "removed its record")
        return 0
    day = day or datetime.now(cfg.tz).date()
    jobs.check_digest_day(cfg, day)
    paths = jobs.run_digest(cfg, day)
    click.echo("\n".join(str(paths[k]) for k in ("markdown", "html", "json", "feed")))
    return 0


@newsdesk.command()
@click.argument("action", type=click.Choice(["install"]))
@click.option(
    "--user",
    is_flag=True,
    help="A user unit in ~/.config/systemd/user (no root needed).",
)
@click.option(
    "--unit-dir", type=click.Path(file_okay=False, path_type=Path), help="Write the unit here."
)
@common_options
def service(action: str, user: bool, unit_dir: Path | None) -> int:
    """Install newsdesk as a systemd user service.

    ACTION: install, which writes the unit and prints how to start it."""
    if not user:
        raise fail("service install needs --user (a user unit, no root needed)")
    cfg = config()
    unit = install_unit(
        cfg, unit_dir or Path.home() / ".config" / "systemd" / "user", sys.executable
    )
    click.echo(
        f"wrote {unit}\nstart it with:\n  systemctl --user daemon-reload\n"
        "  systemctl --user enable --now newsdesk\n"
        "  loginctl enable-linger $USER   # keep it running after you log out"
    )
    return 0


@newsdesk.command()
@click.option("--port", type=Number(int, 1, 65535), default=8001, help="Port (default 8001).")
@common_options
def browse(port: int) -> int:
    """Datasette over the store, read-only, on 127.0.0.1."""
    from digest.browse import browse as serve_datasette

    return serve_datasette(config(), port=port)


@newsdesk.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new store to write (default: DATA_DIR/newsdesk.recovered.db).",
)
@common_options
def recover(output: Path | None) -> int:
    """Salvage a damaged store into a new file.

    Copies every row SQLite can still read, and says how to put the new store in place."""
    cfg = config()
    target = output or cfg.data_dir / "newsdesk.recovered.db"
    try:
        counts = store.salvage(cfg.db_path, target)
    except FileExistsError as exc:
        raise fail(str(exc)) from None
    kept = ", ".join(f"{n} {table}" for table, n in counts.items())
    click.echo(
        f"recovered into {target}: {kept}\n"
        f"to use it: stop the service, keep {cfg.db_path} somewhere safe, delete its -wal and "
        f"-shm files, move {target} to {cfg.db_path}, and start the service again"
    )
    return 0
