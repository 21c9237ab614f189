"""Adding a site from its address, and checking a source's rules against the site.

``newsdesk sources add URL`` and ``sources check NAME`` run a survey (``python -m
crawler.survey``, a small, bounded crawl through the crawl's own politeness, robots and
address rules) and read what it recorded here: each fetched page is judged by the
extractor (``digest.extract``: is it an article, and why not), and
``digest.urlpatterns.learn`` turns those verdicts into ``article_patterns`` and
``deny_patterns`` over every link found. Nothing is written unless asked
(``append_source``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digest.config import Config, Rules, Source
from digest.jobs import end_group, wait_child
from digest.process import die_with_parent
from digest.urlpatterns import Learned, learn

BUDGET = 55  # requests a survey may make, robots.txt included
MIN_SECTION_ARTICLES = 3  # article links a page needs to be proposed as a section


@dataclass
class Survey:
    """What a survey recorded, by kind."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)
    sitemaps: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    robots_sitemaps: list[str] = field(default_factory=list)
    moved_to: str | None = None  # the homepage redirected to another host

    def unreachable(self) -> str | None:
        """Why the survey read no page at all (the site down, robots.txt refusing or
        unavailable), or None."""
        if any(p.get("html") is not None for p in self.pages):
            return None
        why = [f"{f['url']}: {f['why']}" for f in self.failed]
        return why[0] if why else "no HTML page was read"

    @property
    def links(self) -> list[str]:
        """Every link found on the pages, in the feeds and in the sitemaps, each once."""
        found: dict[str, None] = {}
        for record in (*self.pages, *self.feeds, *self.sitemaps):
            if not record.get("index"):
                found.update(dict.fromkeys(record.get("links") or ()))
        found.update(dict.fromkeys(p["url"] for p in self.pages))
        return list(found)


@dataclass(frozen=True)
class Verdict:
    """The extractor's judgement of one fetched page."""

    url: str
    article: bool
    reason: str | None
    title: str | None = None
    published: str | None = None
    text: str = ""


class SurveyFailed(Exception):
    """The survey process could not run or reach the site."""


def read_survey(path: Path) -> Survey:
    survey = Survey()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        kind = record["kind"]
        if kind == "page":
            survey.pages.append(record)
        elif kind in ("feed", "sitemap"):
            (survey.feeds if kind == "feed" else survey.sitemaps).append(record)
        elif kind == "summary":
            survey.requests = int(record["requests"])
            survey.robots_sitemaps = list(record["robots_sitemaps"])
            survey.moved_to = record.get("moved_to")
        elif kind == "failed":
            survey.failed.append(record)
    return survey


def run_survey(
    cfg: Config,
    target: list[str],
    *,
    budget: int = BUDGET,
    watch: Callable[[int], None] | None = None,
) -> Survey:
    """Run ``python -m crawler.survey`` with ``target`` (``--url URL ...`` or ``--source
    NAME``) and read its records. ``watch`` is called about once a second with the number
    of responses recorded so far."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-survey-") as folder:
        out, errors = Path(folder, "survey.jsonl"), Path(folder, "stderr.txt")
        config = cfg.config_path
        if config is None or not config.exists():  # sources add before the file exists
            config = Path(folder, "defaults.toml")
            config.write_text("", encoding="utf-8")
        cmd = [sys.executable, "-m", "crawler.survey", "--config", str(config)]
        cmd += ["--out", str(out), "--budget", str(budget), *target]
        with errors.open("wb") as stderr:
            child = subprocess.Popen(
                cmd,
                start_new_session=True,
                preexec_fn=die_with_parent,
                stderr=stderr,
            )
            counted = _Lines(out)
            tick = (lambda: watch(counted())) if watch else None
            try:
                status = wait_child(child, cfg.crawl_timeout_minutes * 60, None, tick)
            except BaseException:
                end_group(child)
                raise
        if status == "timeout":
            raise SurveyFailed(f"the survey took longer than {cfg.crawl_timeout_minutes} minutes")
        said = errors.read_text(encoding="utf-8", errors="replace").strip()
        if child.returncode != 0 or not out.exists():
            raise SurveyFailed(said or f"the survey exited {child.returncode}")
        return read_survey(out)


class _Lines:
    """The records the survey has written so far, counted from where the last call
    stopped: the file holds every page's HTML and is not read again each second."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.count = path, 0, 0

    def __call__(self) -> int:
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                new = f.read()
        except OSError:
            return self.count
        self.offset += len(new)
        self.count += new.count(b"\n")
        return self.count


def judge(survey: Survey, source: Source | None = None) -> dict[str, Verdict]:
    """The extractor's verdict on every HTML page the survey fetched (with the source's
    extraction rules, when checking one)."""
    from digest.extract import extract

    rules = Rules(source.drop_selectors, source.body_selector) if source else None
    verdicts = {}
    for page in survey.pages:
        if page.get("html") is None:
            verdicts[page["url"]] = Verdict(page["url"], False, "not HTML")
            continue
        found = extract(page["html"], page["url"], rules)
        verdicts[page["url"]] = Verdict(
            page["url"],
            found.is_article,
            found.reason,
            found.title,
            found.published_local or found.published_at,
            found.text,
        )
    return verdicts


# --- sources add ----------------------------------------------------------------------------


@dataclass
class Proposal:
    source: dict[str, Any]  # the [[sources]] table's keys
    learned: Learned
    survey: Survey
    verdicts: dict[str, Verdict]
    links: list[str]


def propose(survey: Survey, url: str, *, name: str, allow_private: bool = False) -> Proposal:
    """The ``[[sources]]`` table for the surveyed site: its feeds, the sitemaps robots.txt
    does not name, its section pages, and the learned patterns."""
    verdicts = judge(survey)
    links = survey.links
    learned = learn({u: v.article for u, v in verdicts.items()}, links)
    table: dict[str, Any] = {"name": name, "homepage": survey.moved_to or url}
    sections = _sections(survey, verdicts, learned)
    if sections:
        table["sections"] = sections
    if survey.feeds:
        table["feeds"] = [f["url"] for f in survey.feeds]
    sitemaps = [s["url"] for s in survey.sitemaps if s["url"] not in survey.robots_sitemaps]
    if sitemaps:
        table["sitemaps"] = [s for s in sitemaps if _not_a_child(s, survey)]
    if learned.article:
        table["article_patterns"] = list(learned.article_patterns)
    if learned.deny:
        table["deny_patterns"] = list(learned.deny_patterns)
    if _no_article_lists(survey):
        table["follow_article_links"] = True
    if allow_private:
        table["allow_private_address"] = True
    return Proposal(table, learned, survey, verdicts, links)


def _no_article_lists(survey: Survey) -> bool:
    """No feed and no sitemap: only related links reach past the homepage and sections,
    so the source should read them (``follow_article_links``)."""
    return not survey.feeds and not survey.sitemaps


def _not_a_child(url: str, survey: Survey) -> bool:
    """Whether the sitemap is not one an index read in the survey lists (the crawl reads
    an index's sitemaps itself)."""
    return not any(url in (s.get("links") or ()) for s in survey.sitemaps if s.get("index"))


def _sections(survey: Survey, verdicts: dict[str, Verdict], learned: Learned) -> list[str]:
    """Fetched section pages (not articles) that link to enough articles."""
    found = []
    for page in survey.pages:
        if page.get("role") != "section" or verdicts[page["url"]].article:
            continue
        hits = [u for u in page["links"] if learned.takes(u)]
        if len(hits) >= MIN_SECTION_ARTICLES:
            found.append(page["url"])
    return found


def report(proposal: Proposal, *, samples: int = 3) -> list[str]:
    """What the survey found and why the patterns are what they are."""
    survey, learned, verdicts = proposal.survey, proposal.learned, proposal.verdicts
    lines = [f"Surveyed {proposal.source['homepage']} with {survey.requests} requests."]
    if survey.moved_to:
        lines.append(f"The homepage redirected to {survey.moved_to}: the table uses that address.")
    lines += _found_lines(survey)
    counted = Counter(_reason_kind(v) for v in verdicts.values())
    lines.append(
        f"Pages fetched and judged: {len(verdicts)} ("
        + ", ".join(f"{n} {kind}" for kind, n in counted.most_common())
        + ")."
    )
    lines.append(f"Links found: {len(proposal.links)}.")
    if not learned.article:
        lines.append("No article found among the sampled pages: no article_patterns proposed.")
    for rule in learned.article + learned.deny:
        label = "article" if rule.kind == "article" else "deny"
        precision = "-" if rule.precision is None else f"{rule.precision:.2f}"
        lines.append(
            f"  {label} pattern {rule.pattern}\n"
            f"    matches {rule.links} links found; {rule.sampled} sampled, of which "
            f"{rule.articles} articles (precision on the sample {precision})"
        )
    if learned.unsampled:
        lines.append(f"Links of shapes no sampled page had (left out): {learned.unsampled}.")
    for url in learned.conflicts:
        kind = "an article" if verdicts[url].article else "not an article"
        lines.append(f"  the patterns get this sampled page wrong ({kind}): {url}")
    articles = [v for v in verdicts.values() if v.article][:samples]
    if articles:
        lines.append("Sample articles:")
        lines += [_sample_line(v) for v in articles]
    return lines


def _found_lines(survey: Survey) -> list[str]:
    lines = []
    for feed in survey.feeds:
        how = "probed" if feed.get("probe") else "announced"
        lines.append(f"Feed: {feed['url']} ({len(feed['links'])} entries; {how})")
    for sitemap in survey.sitemaps:
        kind = (
            "index"
            if sitemap.get("index")
            else "news sitemap"
            if sitemap.get("news")
            else "sitemap"
        )
        named = "named in robots.txt" if sitemap["url"] in survey.robots_sitemaps else "found"
        lines.append(
            f"Sitemap: {sitemap['url']} ({kind}, {len(sitemap['links'])} entries; {named})"
        )
    if not survey.feeds:
        lines.append("Feeds: none found.")
    if not survey.sitemaps:
        lines.append("Sitemaps: none found.")
    sections = [p["url"] for p in survey.pages if p.get("role") == "section"]
    lines.append(f"Section pages read: {len(sections)}.")
    return lines


def _reason_kind(verdict: Verdict) -> str:
    if verdict.article:
        return "articles"
    return (verdict.reason or "not an article").split(" (")[0].split(":")[0]


def _sample_line(verdict: Verdict) -> str:
    from digest.summarise import summarise

    summary = summarise(verdict.text, sentences=1, title=verdict.title) if verdict.text else ""
    when = (verdict.published or "no date")[:10]
    return f"  - {verdict.title or '(no title)'} ({when})\n    {summary}\n    {verdict.url}"


# --- sources check --------------------------------------------------------------------------


@dataclass
class Check:
    source: Source
    survey: Survey
    verdicts: dict[str, Verdict]
    links: list[str]
    samples: set[str]

    def kept(self, url: str) -> bool:
        return self.source.takes_as_article(url)

    @property
    def sampled(self) -> list[Verdict]:
        """The verdicts on the sampled links (not on the start pages)."""
        return [v for v in self.verdicts.values() if v.url in self.samples]

    @property
    def missed(self) -> list[Verdict]:
        """Sampled articles the rules would not fetch."""
        return [v for v in self.sampled if v.article and not self.kept(v.url)]

    @property
    def wrongly_kept(self) -> list[Verdict]:
        """Sampled pages the rules would fetch as articles that are not articles. Without
        ``article_patterns`` every link is fetched and judged after extraction: none."""
        if not self.source.article_patterns:
            return []
        return [v for v in self.sampled if not v.article and self.kept(v.url)]


def check(survey: Survey, source: Source) -> Check:
    samples = {p["url"] for p in survey.pages if p.get("role") == "sample"}
    return Check(source, survey, judge(survey, source), survey.links, samples)


def check_report(result: Check) -> list[str]:
    src, survey = result.source, result.survey
    kept = [u for u in result.links if result.kept(u)]
    lines = [f"Source {src.name!r}: {survey.requests} requests to its start pages and a sample."]
    lines += _found_lines(survey)
    lines.append(f"Links found: {len(result.links)}; the rules keep {len(kept)} as articles.")
    judged = Counter(
        ("kept" if result.kept(v.url) else "dropped", v.article) for v in result.sampled
    )
    for side in ("kept", "dropped"):
        yes, no = judged[(side, True)], judged[(side, False)]
        lines.append(
            f"Sampled pages the rules {'keep' if side == 'kept' else 'drop'}: "
            f"{yes + no} ({yes} articles, {no} not)"
        )
    for verdict in result.wrongly_kept:
        lines.append(f"  kept but not an article ({verdict.reason}): {verdict.url}")
    for verdict in result.missed:
        lines.append(f"  an article the rules drop: {verdict.url}")
    if result.missed or result.wrongly_kept:
        lines.append(
            "The rules no longer fit this sample: the site may have changed its layout. "
            f"Run `newsdesk sources add {src.homepage} --name NEW` to see new patterns."
        )
    else:
        lines.append("The rules agree with every sampled page.")
    if _no_article_lists(survey) and not src.follow_article_links:
        lines.append(
            "No feed and no sitemap: new articles are found only on the homepage and "
            "sections. Add `follow_article_links = true` to this source to read its "
            "articles' related links as well."
        )
    return lines
