"""``newsdesk sources add URL`` and ``sources check NAME``: propose a ``[[sources]]`` table
from a site's address, and see whether a source's rules still fit its site
(digest/survey.py does the work)."""

from __future__ import annotations

import click

from cli.app import common_options, fail, newsdesk, state
from cli.options import Number
from cli.progress import Progress
from digest import sourcetable, survey
from digest.config import SOURCE_NAME, Config, ConfigError, find_config, parse_config


@newsdesk.group()
@common_options
def sources() -> None:
    """Add a site from its address, or check a source's rules against its site."""


@sources.command()
@click.argument("url")
@click.option("--name", help="The source's name (default: from the site's host).")
@click.option("--write", is_flag=True, help="Append the table to the config file.")
@click.option(
    "--allow-private-address",
    is_flag=True,
    help="The site is on a loopback or private address (an intranet site, a test).",
)
@click.option(
    "--budget",
    type=Number(int, 10, 200),
    default=survey.BUDGET,
    show_default=True,
    help="Requests the survey may make, robots.txt included.",
)
@common_options
def add(url: str, name: str | None, write: bool, allow_private_address: bool, budget: int) -> int:
    """Survey the site at URL and print a [[sources]] table for it.

    Reads robots.txt, the homepage, its feeds, sitemaps and section pages, fetches a small
    sample of the links found, judges each page with the extractor and learns
    article_patterns and deny_patterns from the URLs. Nothing is written without --write."""
    if not url.startswith(("http://", "https://")):
        raise fail(f"{url}: give the site's address as an http:// or https:// URL")
    cfg = _config_or_defaults()
    name = name or sourcetable.default_name(url)
    if not SOURCE_NAME.fullmatch(name):
        raise fail(f"--name {name!r}: use lower-case letters, digits, '-' and '_'")
    if any(s.name == name for s in cfg.sources):
        raise fail(f"{cfg.config_path}: a source named {name!r} exists; choose one with --name")
    target = ["--url", url, "--name", name]
    target += ["--allow-private-address"] if allow_private_address else []
    found = _run(cfg, target, budget)
    proposal = survey.propose(found, url, name=name, allow_private=allow_private_address)
    click.echo("\n".join(survey.report(proposal)))
    table = sourcetable.toml_table(proposal.source)
    click.echo("\n" + table, nl=False)
    if not write:
        click.echo(f"\n(not written: add --write to append it to {cfg.config_path})")
        return 0
    assert cfg.config_path is not None
    sourcetable.append_source(cfg.config_path, table)
    click.echo(f"\nAppended to {cfg.config_path}.")
    return 0


@sources.command("check")
@click.argument("name")
@click.option(
    "--budget",
    type=Number(int, 10, 200),
    default=30,
    show_default=True,
    help="Requests the check may make, robots.txt included.",
)
@common_options
def check_source(name: str, budget: int) -> int:
    """Fetch a small sample with source NAME's current rules and say what they would keep
    and why. Exits 1 when a sampled article would be dropped or a sampled non-article
    kept: a sign that the site changed its layout."""
    cfg = state().load()
    source = cfg.source(name)
    result = survey.check(_run(cfg, ["--source", name], budget), source)
    click.echo("\n".join(survey.check_report(result)))
    return 1 if result.missed or result.wrongly_kept else 0


def _config_or_defaults() -> Config:
    """The config; its defaults when the file does not exist yet (``--write`` makes it)."""
    path = find_config(state().config)
    if path.exists():
        return state().load()
    try:
        return parse_config({}, path.resolve())
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _run(cfg: Config, target: list[str], budget: int) -> survey.Survey:
    with Progress() as progress:
        try:
            found = survey.run_survey(cfg, target, budget=budget, watch=progress.survey)
        except survey.SurveyFailed as exc:
            raise fail(f"the survey failed: {exc}", 1) from None
    if why := found.unreachable():
        raise fail(f"could not read the site: {why}", 1)
    return found
