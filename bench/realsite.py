"""A news site whose article pages are real news pages, for bench/pipeline.py.

The site's structure (home, sections with pagination, RSS and Atom feeds, sitemaps,
robots.txt) is bench/site.py's; each article page is instead a copy of a real page from a
folder of ``<id>.html.gz`` files, such as ``../shared/data/extraction/scrapinghub`` (181
English news pages, about 110 KB each; see ``../shared/data/README.md``). The pages are
taken in order of id and cycled: article ``k`` (serial number, 1 = the oldest) is page
``(k - 1) mod n_pages``.

Each copy is the page's bytes with its own identity moved to the article's URL on this
site, so that every copy is a distinct article: the ``href`` of ``<link rel=canonical>``
and of ``<base>``, and the ``content`` of ``<meta property|name=og:url>`` (a tag written
with backslash-escaped quotes, inside a script, is left alone). Other identifiers
(twitter:url, JSON-LD ``url``) are left as they are: newsdesk takes an article's identity
from rel=canonical, else og:url. One ``<nav>`` of same-site links (the article's section
and up to two related, older articles) is added before the last ``</body>``, as real
pages link to their section and related stories. Everything else is byte for byte the
real page, so the weight is real.

Listing pages, feeds and sitemaps stay generated: their headlines are bench/site.py's
invented ones, not the real pages' titles.

    python -m bench.realsite OUT_DIR [--articles 2000] [--pages DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from bench.site import SiteInfo, generate_site

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "data" / "extraction" / "scrapinghub"
MANIFEST = "real-pages.json"

_TAG = re.compile(rb"<(link|meta|base)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class RealSiteInfo(SiteInfo):
    """bench/site.py's SiteInfo, plus which real page each article is a copy of."""

    pages_dir: Path = Path()
    page_ids: dict[str, str] = field(default_factory=dict)  # article path -> page id
    rewritten: dict[str, int] = field(default_factory=dict)  # tag kind -> pages rewritten

    @property
    def distinct_pages(self) -> int:
        return len(set(self.page_ids.values()))


def load_pages(pages_dir: Path) -> dict[str, bytes]:
    """Every ``<id>.html.gz`` of ``pages_dir``, decompressed, by id, in order of id."""
    files = sorted(pages_dir.glob("*.html.gz"))
    if not files:
        raise FileNotFoundError(f"no *.html.gz pages in {pages_dir}")
    return {f.name.removesuffix(".html.gz"): gzip.decompress(f.read_bytes()) for f in files}


def _retarget(tag: bytes, name: bytes, url: bytes) -> tuple[bytes, str | None]:
    """``tag`` (a ``name`` tag) with its identity attribute set to ``url``, and which kind
    it was (None: not an identity tag, returned as is)."""
    if b'\\"' in tag or b"\\'" in tag:  # markup inside a script string, not a tag
        return tag, None
    name = name.lower()
    attrs = [(m.group(1).lower(), m) for m in _ATTR.finditer(tag, 1 + len(name))]
    values = {k: (m.group(2) or b"").strip(b"\"'").strip().lower() for k, m in attrs}
    if name == b"link" and b"canonical" in values.get(b"rel", b"").split():
        kind, target = "canonical", b"href"
    elif name == b"meta" and b"og:url" in (values.get(b"property"), values.get(b"name")):
        kind, target = "og:url", b"content"
    elif name == b"base" and b"href" in values:
        kind, target = "base", b"href"
    else:
        return tag, None
    for key, m in attrs:
        if key == target and m.group(2) is not None:
            quote = m.group(2)[:1] if m.group(2)[:1] in (b'"', b"'") else b'"'
            start, end = m.span(2)
            return tag[:start] + quote + url + quote + tag[end:], kind
    return tag, None


def rewrite_identity(html: bytes, url: str) -> tuple[bytes, set[str]]:
    """``html`` with its canonical link, og:url and base href pointing at ``url``; and the
    kinds of tag rewritten."""
    kinds: set[str] = set()
    target = url.encode()

    def one(m: re.Match[bytes]) -> bytes:
        tag, kind = _retarget(m.group(0), m.group(1), target)
        if kind:
            kinds.add(kind)
        return tag

    return _TAG.sub(one, html), kinds


def add_links(html: bytes, links: list[tuple[str, str]]) -> bytes:
    """``html`` with a ``<nav>`` of ``(path, text)`` links before its last ``</body>`` (at
    the end when there is none)."""
    items = "".join(f'<li><a href="{path}">{_escape(text)}</a></li>' for path, text in links)
    nav = f'<nav class="site-links"><ul>{items}</ul></nav>\n'.encode()
    ends = list(_BODY_END.finditer(html))
    at = ends[-1].start() if ends else len(html)
    return html[:at] + nav + html[at:]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_real_site(
    folder: Path, pages_dir: Path, n_articles: int, base: str, now: datetime
) -> RealSiteInfo:
    """Write a site of ``n_articles`` articles into ``folder`` (bench/site.py's structure,
    real article pages from ``pages_dir``) for the server at ``base``; describe it, and
    write the article-to-page map into ``folder/real-pages.json``."""
    pages = load_pages(pages_dir)
    ids = list(pages)
    base = base.rstrip("/")
    page_ids: dict[str, str] = {}
    rewritten: Counter[str] = Counter()

    def article_page(article, related) -> bytes:  # bench.site.ArticlePage
        page_id = ids[(article.serial - 1) % len(ids)]
        html, kinds = rewrite_identity(pages[page_id], base + article.path)
        links = [(f"/{article.section}/", article.section.replace("-", " ").title())]
        links += [(r.path, r.headline) for r in related[:2]]
        page_ids[article.path] = page_id
        rewritten.update(kinds)
        return add_links(html, links)

    info = generate_site(folder, n_articles, now=now, base=base, article_page=article_page)
    rewritten["pages"] = len(page_ids)
    manifest = {
        "pages_dir": str(pages_dir),
        "distinct_pages": len(set(page_ids.values())),
        "pages_rewritten": dict(rewritten),
        "articles": page_ids,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    common = {f.name: getattr(info, f.name) for f in fields(SiteInfo)}
    return RealSiteInfo(**common, pages_dir=pages_dir, page_ids=page_ids, rewritten=dict(rewritten))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.realsite", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now().astimezone().replace(microsecond=0)
    info = build_real_site(args.out_dir, args.pages, args.articles, args.base, now)
    print(
        f"{len(info.articles)} articles from {info.distinct_pages} real pages of "
        f"{info.pages_dir}; tags rewritten (pages): {info.rewritten}"
    )


if __name__ == "__main__":
    main()
