"""A realistic newsdesk store of N articles for bench/store.py, written through the
project's own store API, so its tables, indexes and sizes are the real ones.

Articles are first seen over D local days from 12 sources (weekdays busier than weekends,
office hours busier than nights) and saved as the crawl and process jobs save them: raw
pages with ``store.save_pages`` (zlib-compressed, a batch per transaction), then the
articles with ``store.save_article`` (FTS5 triggers, aliases) and their watch topics
(``digest.stories.topics_of``, ``store.set_topics``), a batch per transaction. Then an
hourly crawl of every source as ``crawl_sources`` rows, and the digest of every complete
day with ``digest.build.publish_digest``, as the service would have written them (story
ids, the ``digests`` table, the Atom feed of the last 30).

Not real: no page goes through extraction or summarisation (the summary is the text's lead
sentences, about 60 words). Texts come from bench/site.py's sentence templates plus some
of ours, with thousands of invented company, place and person names drawn Zipf-wise, and
the sentences of tests/fixtures; about 12% of articles are syndicated copies of another
source's story of the same day (a new headline and first paragraph). The raw page is the
article's HTML inside a real news page's furniture (one of the 181 pages of
../shared/data/extraction/scrapinghub per source, chosen across that set's size range)
when that folder exists, else a synthetic page of similar size.
"""

from __future__ import annotations

import bisect
import gzip
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import site
from digest import build, store
from digest.config import Config
from digest.stories import topics_of

ROOT = Path(__file__).resolve().parents[1]
REAL_PAGES = ROOT.parent / "shared" / "data" / "extraction" / "scrapinghub"
FIXTURE_TEXTS = [
    ROOT / "tests" / "fixtures" / "example_paragraphs.txt",
    *sorted((ROOT / "tests" / "fixtures" / "summaries").glob("*.txt")),
]
TZ = "Asia/Karachi"
SOURCES = (  # name, share of the articles
    ("profit", 1.6),
    ("dawn-business", 1.4),
    ("business-recorder", 2.0),
    ("tribune-business", 1.2),
    ("ledger-wire", 1.0),
    ("harbour-times", 0.8),
    ("indus-markets", 0.9),
    ("capital-post", 0.6),
    ("frontier-economy", 0.5),
    ("bazaar-daily", 0.7),
    ("exchange-watch", 0.4),
    ("northern-trade", 0.3),
)
TOPICS = (
    ("Minerals", ("copper", "rare earth", "minerals")),
    ("Energy", ("crude oil", "solar panels", "power tariff")),
    ("Rates", ("policy rate", "central bank")),
    ("Textiles", ("cotton yarn", "denim", "textile exports")),
)
BATCH = 500  # pages per save_pages transaction
SYNDICATED = 0.12  # share of articles that copy another source's story of the day
ALIASED = 0.05  # share of articles first fetched under another URL (an alias)
CRAWL_EVERY = timedelta(hours=1)


def _v(words: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in words.replace("\n", "|").split("|") if w.strip())


def _weights(n: int, exponent: float = 1.05) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n, for random.choices(cum_weights=...)."""
    total, out = 0.0, []
    for position in range(1, n + 1):
        total += position**-exponent
        out.append(total)
    return out


# --- words and texts ---------------------------------------------------------------------

SYLLABLES = _v(
    "ka|ra|chi|la|hor|mul|tan|pesh|sia|gwa|dar|que|bo|lan|thar|hun|za|swat|kir|jhe|lum|ma|"
    "noor|sa|bad|pur|ganj|kot|zai|wal|ba|ri|da|mir|par|sha|gul|nag|ram|tar|bel|pan|sar|dha|"
    "lo|ni|qa|si|ya|fi|ro|zu|me|ve|do|ku|ha|bi|tor|gan|vel|mor|fen|ash"
)
INDUSTRIES = _v(
    "Cement|Textiles|Bank|Power|Steel|Foods|Pharma|Motors|Telecom|Oil|Fertiliser|Glass|Paper|"
    "Logistics|Capital|Holdings|Mills|Sugar|Refinery|Chemicals|Insurance|Airways|Shipping|"
    "Agro|Energy|Securities|Leasing|Ceramics|Packaging|Cables"
)
FIRST_NAMES = _v(
    "Ayesha|Bilal|Sana|Omar|Hina|Kamran|Nadia|Tariq|Zara|Imran|Farah|Usman|Maryam|Asad|Rabia|"
    "Hamza|Saima|Faisal|Amna|Junaid|Mehwish|Adnan|Sadia|Waqar|Iqra|Shahid|Nida|Fahad|Lubna|Ali"
)
MORE_GOODS = _v(
    "palm oil|sugar|lithium|rare earth|gold|coal|natural gas|LNG|petrol|diesel|tractors|"
    "motorcycles|fertiliser|cotton|leather|footwear|tiles|glass|paper|chemicals|plastics|"
    "pharmaceuticals|seafood|mangoes|citrus|dates|onions|potatoes|maize|lentils|tea|"
    "software services|freight|cables|batteries|steel billets|ceramics|sportswear|towels"
)
MORE_SENTENCES = _v("""
The {goods} industry in {place} has struggled with power outages and a shortage of gas.
{co} said the new line would cut its reliance on imported {goods} by half.
According to a filing with the exchange, {co} will raise {amt} through a rights issue.
{person} warned that a weaker rupee would push up the cost of imported {goods}.
The policy rate decision is due in {month}, and most economists expect no change.
Officials in {place} said the tariff on {goods} would be reviewed before the budget.
Brokers said foreign investors were net buyers of {co} shares for a third week.
The textile exports figure for {month} was the highest in two years, the ministry said.
{co} and {co2} signed a memorandum to build a {goods} terminal near {place}.
Rare earth and copper deposits near {place} could attract foreign miners, {person} said.
The power tariff for industrial users in {place} rose {pct} from {month}.
Crude oil imports fell {pct} in {month} as refineries cut runs for maintenance.
The central bank said remittances from workers abroad rose {pct} to {amt} in {month}.
Solar panels worth {amt} were imported in the {qtr}, customs data showed.
Demand for cotton yarn and denim from buyers in Europe remained soft, {person} said.""")


def _names(rng: random.Random, count: int, low: int, high: int) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high)))
        seen[word.capitalize()] = None
    return list(seen)


def _fixture_sentences() -> list[str]:
    out: list[str] = []
    for path in FIXTURE_TEXTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            out += [s.strip() + "." for s in line.split(". ") if len(s.split()) >= 6]
    return [s.replace("..", ".") for s in out]


class Corpus:
    """Business-news text: bench/site.py's templates, a long tail of invented names."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        roots = _names(rng, 6000, 2, 3)
        self.pools: dict[str, list[str]] = {
            "co": [f"{r} {rng.choice(INDUSTRIES)}" for r in roots[:3000]],
            "place": [*site.PLACES, *roots[3000:5000]],
            "person": [f"{rng.choice(FIRST_NAMES)} {r}" for r in roots[5000:]],
            "goods": [*site.GOODS, *MORE_GOODS],
            "role": list(site.ROLES),
            "qtr": list(site.QUARTERS),
            "month": list(site.MONTH_NAMES),
        }
        self.cum = {k: _weights(len(v)) for k, v in self.pools.items()}
        self.sentences = [*site.SENTENCES, *MORE_SENTENCES]
        self.quotes = _fixture_sentences()

    def pick(self, rng: random.Random, pool: str) -> str:
        cum = self.cum[pool]
        return self.pools[pool][bisect.bisect(cum, rng.random() * cum[-1])]

    def article(self, rng: random.Random) -> dict[str, Any]:
        """Title, standfirst and paragraphs of one article, about one company and good."""
        focus = {"co": self.pick(rng, "co"), "goods": self.pick(rng, "goods")}
        focus["place"] = self.pick(rng, "place")
        slots = _Slots(self, rng, focus)
        title = rng.choice(site.HEADLINES).format_map(slots).replace(" percent", "%")
        paragraphs = [
            site.paragraph(rng, self.sentences, slots, pick=8) for _ in range(_paragraph_count(rng))
        ]
        if rng.random() < 0.5:
            at = rng.randrange(len(paragraphs))
            paragraphs[at] += " " + rng.choice(self.quotes)
        return {
            "title": title[0].upper() + title[1:],
            "standfirst": rng.choice(site.DEKS).format_map(slots),
            "paragraphs": paragraphs,
            "focus": focus,
        }


def _paragraph_count(rng: random.Random) -> int:
    """4 to 16 paragraphs, most often 7 or 8 (about 450 words, real business news' middle)."""
    return max(4, min(16, round(rng.gauss(7.5, 2.5))))


class _Slots(dict):  # type: ignore[type-arg]
    """Template values; half of the names are the article's own company, good and place."""

    def __init__(self, corpus: Corpus, rng: random.Random, focus: dict[str, str]) -> None:
        super().__init__()
        self.corpus, self.rng, self.focus = corpus, rng, focus

    def __missing__(self, key: str) -> str:
        base = key.rstrip("2")
        if key == "Goods":
            return self["goods"].capitalize()
        if base in self.focus and key == base and self.rng.random() < 0.5:
            return self.focus[base]
        if base in self.corpus.pools:
            return self.corpus.pick(self.rng, base)
        template, high = site.NUMBERS[key]
        return template.format(self.rng.randint(2, high), self.rng.randint(1, 9))


def lead_summary(paragraphs: list[str], words: int = 60) -> str:
    """Whole sentences from the top of the text, up to about ``words`` words."""
    out: list[str] = []
    for sentence in " ".join(paragraphs).split(". "):
        out.append(sentence.rstrip(".") + ".")
        if sum(s.count(" ") + 1 for s in out) >= words:
            break
    return " ".join(out)


# --- raw pages -------------------------------------------------------------------------------


def load_shells(count: int, folder: Path = REAL_PAGES) -> tuple[list[str], str]:
    """``count`` page templates with an ``<!--ARTICLE-->`` mark after ``<body>``, and where
    they came from: real pages spread over the set's size range, else synthetic ones."""
    files = sorted(folder.glob("*.html.gz")) if folder.is_dir() else []
    if not files:
        shells = [_synthetic_shell(random.Random(k)) for k in range(count)]
        return shells, "synthetic pages (no real pages found)"
    pages = [gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in files]
    pages = [p for p in pages if "<body" in p.lower()]
    pages.sort(key=len)
    picked = [pages[int((k + 0.5) * len(pages) / count)] for k in range(count)]
    shells = []
    for page in picked:
        at = page.lower().index("<body")
        at = page.index(">", at) + 1
        shells.append(page[:at] + "<!--ARTICLE-->" + page[at:])
    sizes = sorted(len(s.encode()) for s in shells)
    where = f"{folder.relative_to(ROOT.parent)}" if folder.is_relative_to(ROOT.parent) else folder
    return shells, (
        f"{count} real news pages from ../{where} (of {len(pages)}, spread over their size "
        f"range: {sizes[0] // 1024}-{sizes[-1] // 1024} KB)"
    )


def _synthetic_shell(rng: random.Random) -> str:
    """About 100 KB: navigation, inline script and style, sidebar, comments, footer."""
    words = _names(rng, 400, 1, 3)
    script = "".join(
        f"var {rng.choice(words).lower()}{rng.randint(0, 99)}=function(a,b){{return a."
        f"{rng.choice(words).lower()}(b,{rng.randint(0, 9999)})}};"
        for _ in range(900)
    )
    nav = "".join(f'<li><a href="/{w.lower()}/">{w}</a></li>' for w in words[:150])
    body = f"<!--ARTICLE--><ul class='menu'>{nav}</ul>{site.SIDEBAR}{site.COMMENTS}"
    return (
        f"<!doctype html><html><head>{site.STYLE}<script>{script}</script></head>"
        f"<body>{body}<footer>{nav}</footer></body></html>"
    )


def page_html(shell: str, article: dict[str, Any], related: list[tuple[str, str]]) -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in article["paragraphs"])
    links = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in related)
    block = (
        f'<article class="post"><h1>{article["title"]}</h1>\n<p class="dek">'
        f'{article["standfirst"]}</p>\n<p class="byline">By {article["author"]}</p>\n'
        f'<div class="entry-content">\n{paragraphs}</div></article>\n'
        f'<section class="related"><h2>Latest</h2><ul>{links}</ul></section>\n'
    )
    return shell.replace("<!--ARTICLE-->", block, 1)


# --- the plan: when and where each article was first seen -------------------------------


@dataclass(frozen=True)
class Slot:
    serial: int
    seen: datetime  # UTC
    source: str


HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 11, 10, 9, 8, 6, 5, 4, 3, 2, 1]
WEEKDAY = [1.0, 1.05, 1.05, 1.0, 0.85, 0.55, 0.5]  # Monday first


def plan(n: int, days: int, end: datetime, tz: ZoneInfo, rng: random.Random) -> list[Slot]:
    """``n`` first sightings over the ``days`` local days ending with ``end``'s (today is
    partial), weekday-weighted, in office hours mostly, oldest first."""
    last = end.astimezone(tz).date()
    day_list = [last - timedelta(days=k) for k in range(days)][::-1]
    day_w = [WEEKDAY[d.weekday()] * rng.uniform(0.85, 1.15) for d in day_list]
    names, shares = zip(*SOURCES, strict=True)
    slots: list[Slot] = []
    while len(slots) < n:
        day = rng.choices(day_list, day_w)[0]
        hour = rng.choices(range(24), HOURS)[0]
        local = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
        seen = (local + timedelta(seconds=rng.randrange(3600))).astimezone(UTC)
        if seen < end:
            slots.append(Slot(0, seen, rng.choices(names, shares)[0]))
    slots.sort(key=lambda s: s.seen)
    return [Slot(k + 1, s.seen, s.source) for k, s in enumerate(slots)]


# --- generation through the store API -----------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _host(source: str) -> str:
    return f"https://www.{source}.example"


@dataclass
class Generator:
    """Writes articles, their raw pages, topics, crawl runs and past digests."""

    cfg: Config
    corpus: Corpus
    shells: dict[str, str]
    rng: random.Random
    recent: list[tuple[str, date, dict[str, Any]]] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)  # lead url -> copies' urls
    raw_bytes: int = 0

    def article(self, slot: Slot) -> tuple[dict[str, Any], store.FetchedPage]:
        rng, day = self.rng, slot.seen.astimezone(self.cfg.tz).date()
        self.recent = [r for r in self.recent if r[1] == day][-400:]
        lead = self._pick_original(slot.source) if rng.random() < SYNDICATED else None
        body = self.corpus.article(rng) if lead is None else self._copy(lead[2])
        row = self._row(slot, body)
        if lead is None:
            self.recent.append((slot.source, day, {**body, "url": row["url"]}))
        else:
            self.groups.setdefault(lead[2]["url"], []).append(row["url"])
        related = [(r[2]["url"], r[2]["title"]) for r in self.recent[-20:]]
        html = page_html(self.shells[slot.source], {**body, **row}, related)
        self.raw_bytes += len(html.encode("utf-8"))
        fetched = _iso(slot.seen)
        page = store.FetchedPage(
            row["page_url"], slot.source, row["page_url"], 200, "text/html", html, fetched
        )
        return row, page

    def _pick_original(self, source: str) -> tuple[str, date, dict[str, Any]] | None:
        """A story another source carried earlier the same day, if there is one."""
        others = [r for r in self.recent if r[0] != source]
        return self.rng.choice(others) if others else None

    def _copy(self, original: dict[str, Any]) -> dict[str, Any]:
        """A syndicated copy: the same text with a new first paragraph and headline."""
        rng = self.rng
        fresh = self.corpus.article(rng)
        paragraphs = [fresh["paragraphs"][0], *original["paragraphs"][1:]]
        return {**original, "title": fresh["title"], "paragraphs": paragraphs}

    def _row(self, slot: Slot, body: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        slug = "-".join(body["title"].lower().replace("%", "").split()[:8])
        url = f"{_host(slot.source)}/{slot.seen:%Y/%m/%d}/{slug}-{slot.serial}/"
        published = slot.seen - timedelta(minutes=rng.randint(5, 240))
        author = rng.choice([*site.AUTHORS, self.corpus.pick(rng, "person")])
        desk = author.endswith("Desk")
        return {
            "url": url,
            "page_url": url + "amp/" if rng.random() < ALIASED else url,
            "source": slot.source,
            "title": body["title"],
            "standfirst": body["standfirst"],
            "author": author,
            "authors": [] if desk else [author],
            "credit": author if desk else None,
            "published_at": _iso(published)[:10] if rng.random() < 0.03 else _iso(published),
            "modified_at": _iso(slot.seen) if rng.random() < 0.2 else None,
            "language": "en",
            "site_name": slot.source.replace("-", " ").title(),
            "image_url": f"{_host(slot.source)}/images/{slot.serial}.jpg",
            "tags": rng.sample(site.TAGS, rng.randint(2, 4)),
            "categories": [rng.choice(("Business", "Markets", "Economy", "Companies"))],
            "summary": lead_summary(body["paragraphs"]),
            "text": "\n".join(body["paragraphs"]),
        }

    def save(self, db: Any, slots: list[Slot]) -> None:
        """One batch as the crawl then the process job write it: the pages in one
        transaction, then their articles and topics (digest.stories.topics_of) in one."""
        made = [self.article(slot) for slot in slots]
        store.save_pages(db, [page for _, page in made])
        with store.write(db):
            for row, page in made:
                store.save_article(db, row, page_url=page.url, first_seen_at=page.fetched_at)
                topics = [t.name for t in topics_of(row, self.cfg.topics)]
                store.set_topics(db, row["url"], topics)

    def record_crawls(self, db: Any, slots: list[Slot], end: datetime) -> int:
        """An hourly crawl of every source over the span, as crawl_sources rows: pages
        saved are the articles first seen in that hour, ~1% of source crawls fail."""
        hour_of = lambda t: t.replace(minute=0, second=0, microsecond=0)  # noqa: E731
        counts = Counter((hour_of(s.seen), s.source) for s in slots)
        hour, runs = hour_of(slots[0].seen), 0
        while hour < end:
            run_id = store.start_run(db, "crawl")
            for name, _ in SOURCES:
                store.record_source_run(db, run_id, name, self._report(hour, counts[hour, name]))
            store.finish_run(db, run_id, "ok", {"bench_started_at": _iso(hour)})
            hour, runs = hour + CRAWL_EVERY, runs + 1
        return runs

    def _report(self, hour: datetime, saved: int) -> dict[str, Any]:
        failed = self.rng.random() < 0.01
        seconds = self.rng.uniform(5, 40) + 2.5 * saved
        return {
            "status": "failed" if failed else ("ok" if saved else "empty"),
            "started_at": _iso(hour),
            "finished_at": _iso(hour + timedelta(seconds=seconds)),
            "duration_s": round(seconds, 1),
            "requests": 8 + saved,
            "pages_saved": 0 if failed else saved,
            "pages_unchanged": 0,
            "listings_read": 6,
            "not_modified": 4,
            "known_skipped": self.rng.randint(20, 120),
            "errors": {"timeout": 1} if failed else {},
            "first_error": "TimeoutError: homepage took longer than 30 s" if failed else None,
        }


def write_config(folder: Path, keep_days: int) -> Path:
    """A newsdesk.toml for the bench store: its sources, watch topics, keep_pages_days."""
    lines = [
        f"data_dir = {json.dumps(str(folder / 'data'))}",
        f'timezone = "{TZ}"',
        f"keep_pages_days = {keep_days}",
        "",
    ]
    for name, _ in SOURCES:
        lines += ["[[sources]]", f'name = "{name}"', f'homepage = "{_host(name)}/"', ""]
    for name, terms in TOPICS:
        lines += ["[[topics]]", f'name = "{name}"', f"terms = {json.dumps(list(terms))}", ""]
    path = folder / "newsdesk.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-9)
    end = "\n" if done >= total else ""
    print(f"\r  {label}: {done:,}/{total:,} ({rate:,.0f}/s)", end=end, file=sys.stderr, flush=True)


@dataclass
class Generated:
    articles: int
    seconds: float  # articles and pages
    raw_bytes: int
    shells: str
    copies: int
    crawls: int
    history: list[float]  # publish_digest seconds of each past day, in order
    history_seconds: float  # the past digests and the crawl runs


def generate(cfg: Config, n: int, days: int, seed: int, end: datetime) -> Generated:
    """Fill a fresh store at ``cfg.db_path`` and write the digests of its past days."""
    started = time.perf_counter()
    rng = random.Random(seed)
    shells, origin = load_shells(len(SOURCES))
    gen = Generator(
        cfg, Corpus(seed), {s[0]: shell for s, shell in zip(SOURCES, shells, strict=True)}, rng
    )
    slots = plan(n, days, end, cfg.tz, rng)
    db = store.open_db(cfg.db_path)
    store.sync_sources(db, [(s.name, s.homepage) for s in cfg.sources])
    for at in range(0, n, BATCH):
        gen.save(db, slots[at : at + BATCH])
        _progress("articles", min(at + BATCH, n), n, started)
    saved = time.perf_counter()
    crawls = gen.record_crawls(db, slots, end)
    history = publish_past_digests(db, cfg, slots, end)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    copies = sum(len(v) for v in gen.groups.values())
    return Generated(
        n,
        saved - started,
        gen.raw_bytes,
        origin,
        copies,
        crawls,
        history,
        time.perf_counter() - saved,
    )


def publish_past_digests(db: Any, cfg: Config, slots: list[Slot], end: datetime) -> list[float]:
    """Every complete day's digest, oldest first, as the service would have written them
    (this fills story ids, the digests table and the Atom feed's last 30 digests)."""
    first = slots[0].seen.astimezone(cfg.tz).date()
    today = end.astimezone(cfg.tz).date()
    days = [first + timedelta(days=k) for k in range((today - first).days)]
    seconds, started = [], time.perf_counter()
    for k, day in enumerate(days, 1):
        now = datetime.combine(day + timedelta(days=1), cfg.digest_time, cfg.tz)
        t0 = time.perf_counter()
        build.publish_digest(db, day, cfg=cfg, now=now)
        seconds.append(time.perf_counter() - t0)
        _progress("past digests", k, len(days), started)
    return seconds
