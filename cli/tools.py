"""Commands that need no config file: extract, summarise, and the offline demo."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.app import common_options, fail, newsdesk, state
from cli.options import Number
from cli.progress import Progress, counted
from digest import jobs, pages
from digest.config import Config, ConfigError, load_config
from digest.text import terminal_safe

if TYPE_CHECKING:
    from digest.extract import Extracted

# Extraction and summaries (trafilatura, sumy, NLTK) are imported by the commands that use
# them, so that the others start in a fraction of a second.


def _optional_config() -> Config:
    """The config file when one is given (--config), else the defaults."""
    own = state()
    return load_config(own.config) if own.config else Config()


@newsdesk.command()
@click.argument("targets", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--url", help="The page's address, for a single saved file.")
@click.option("--source", metavar="NAME", help="Apply this configured source's rules.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per page and line.")
@common_options
def extract(targets: tuple[str, ...], url: str | None, source: str | None, as_json: bool) -> int:
    """Show what newsdesk keeps of saved pages or a live URL. PATH_OR_URL: HTML files
    (.html, .html.gz), folders of them, or http(s) URLs."""
    from digest.config import Rules
    from digest.extract import extract as extract_page
    from digest.process import rules_for

    try:
        cfg = state().load() if source else _optional_config()
        rules = rules_for(cfg.source(source)) if source else Rules()
        for label, page_url, html in pages.inputs(
            list(targets), url=url, user_agent=cfg.user_agent
        ):
            shown = show_extracted(label, extract_page(html, page_url, rules), as_json=as_json)
            click.echo(terminal_safe(shown))
    except pages.PageError as exc:
        raise fail(str(exc)) from None
    return 0


def show_extracted(label: str, found: Extracted, *, as_json: bool) -> str:
    """One page's extraction as text, or as a JSON object whose ``published`` keeps the
    page's own offset (``published_utc`` beside it)."""
    verdict = "article" if found.is_article else f"not published: {found.reason}"
    if as_json:
        record = {"path": label, **found.as_dict()}
        record["published"] = record.pop("published_local")
        record["published_utc"] = record.pop("published_at")
        record["modified"] = record.pop("modified_at")
        return json.dumps(record, ensure_ascii=False)
    people = ", ".join(found.authors) or "-"
    return (
        f"== {label}\n{verdict}\ntitle: {found.title}\nauthors: {people}"
        f"  credit: {found.credit or '-'}\npublished: {found.published_local or '-'}"
        f"  language: {found.language or '-'}\n\n{found.text}\n"
    )


@newsdesk.command()
@click.argument("file", default="-", metavar="[FILE]")
@click.option("--words", type=Number(int, 1, 10_000), help="Word budget (default: the config's).")
@click.option(
    "--sentences", type=Number(int, 1, 1_000), help="Most sentences (default: the config's)."
)
@click.option("--title", help="The headline, so that a sentence repeating it is left out.")
@click.option(
    "--jsonl", is_flag=True, help="Read JSON Lines with a text field; write each with a summary."
)
@common_options
def summarise(
    file: str, words: int | None, sentences: int | None, title: str | None, jsonl: bool
) -> int:
    """Summarise a plain-text article, or JSON Lines.

    FILE: a text file, or - (the default) for standard input."""
    from digest.summarise import summarise as summarise_text

    cfg = _optional_config()
    try:
        # SIM115: closed by the with-block below
        source = sys.stdin if file == "-" else Path(file).open(encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise fail(str(exc)) from None
    budget = {"words": words or cfg.summary_words, "sentences": sentences or cfg.summary_sentences}
    with source:
        if not jsonl:
            click.echo(summarise_text(source.read(), title=title, **budget))
            return 0
        for number, line in enumerate(source, start=1):
            record = _record(line, f"{file}:{number}")
            if record is not None:
                record["summary"] = summarise_text(
                    record["text"], title=record.get("title"), **budget
                )
                click.echo(json.dumps(record, ensure_ascii=False))
    return 0


def _record(line: str, where: str) -> dict[str, Any] | None:
    """A JSON Lines record with a text, None for a blank line, else exit 2 saying where."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
        if isinstance(record, dict) and isinstance(record.get("text"), str):
            return record
    except ValueError:
        pass
    raise fail(f'{where}: expected a JSON object with a "text" field')


# --- the offline demo ---------------------------------------------------------------------

DEMO_MARK = ".newsdesk-demo"  # in a folder the demo made: the next demo may reset it


@newsdesk.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/demo"),
    help="Where the demo's store and digest go (default: data/demo). A folder the demo "
    "made is reset on each run; any other non-empty one is refused.",
)
@common_options
def demo(data_dir: Path) -> int:
    """Crawl the bundled sample site offline and write its digest."""
    from crawler.siteserver import SAMPLE_SITE, serve_site

    stop = state().request.event
    data_dir = _fresh_demo_folder(data_dir.resolve())
    with serve_site(SAMPLE_SITE) as server, Progress() as progress:
        base = server.base_url
        click.echo(f"serving the sample site at {base}/")
        cfg_path = data_dir / "newsdesk.toml"
        cfg_path.write_text(demo_config(base), encoding="utf-8")
        cfg = load_config(cfg_path)
        run = jobs.run_crawl(cfg, stop=stop, progress=progress.crawl)
        progress.crawled(run)
        if stop.is_set():
            return 0
        result = jobs.run_process(cfg, progress=progress.pages, stop=stop)
    click.echo(f"processed: {counted(result.counts)}")
    if stop.is_set():
        return 0
    paths = jobs.run_digest(cfg, datetime.now(cfg.tz).date())
    click.echo(f"digest written:\n  {paths['markdown']}\n  {paths['html']}")
    click.echo(_demo_next_steps(cfg_path))
    return 0 if run["status"] == "ok" and not result.errors else 1


def _fresh_demo_folder(data_dir: Path) -> Path:
    """``data_dir`` emptied of an earlier demo's store and digests, and marked as the
    demo's; a folder holding anything else is refused."""
    if data_dir.exists() and any(data_dir.iterdir()) and not _made_by_demo(data_dir):
        raise ConfigError(
            f"{data_dir} holds files the demo did not write; the demo resets its folder, so "
            "give it a new or empty one: newsdesk demo --data-dir DIR"
        )
    for old in ("newsdesk.db", "newsdesk.db-wal", "newsdesk.db-shm"):
        (data_dir / old).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "digests", ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DEMO_MARK).write_text("written by newsdesk demo\n", encoding="utf-8")
    return data_dir


def _made_by_demo(data_dir: Path) -> bool:
    """The demo's mark, or (from before the mark) the config the demo writes."""
    if (data_dir / DEMO_MARK).exists():
        return True
    try:
        head = (data_dir / "newsdesk.toml").read_text(encoding="utf-8")[:40]
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith("# Written by `newsdesk demo`")


def _demo_next_steps(cfg_path: Path) -> str:
    config = f"--config {shlex.quote(str(cfg_path))}"
    return (
        "\nthe demo's store, to try next:\n"
        f"  newsdesk search mineral {config}\n"
        f"  newsdesk articles --seen --since 1d {config}\n"
        f"  newsdesk status {config}\n"
        f"  newsdesk browse {config}   # Datasette, with pip install -e '.[browse]'"
    )


def demo_config(base: str) -> str:
    """The demo's config: one source, the sample site served at ``base``."""
    return f"""# Written by `newsdesk demo` for the bundled sample site at {base}/
data_dir = "."
download_delay = 0.0
crawl_timeout_minutes = 5

[[sources]]
name = "ledger"
homepage = "{base}/"
sections = ["{base}/business/"]
sitemaps = ["{base}/sitemap.xml"]
allow_private_address = true  # the sample site is served on 127.0.0.1
"""
