"""What trafilatura lets through, taken out again: furniture lines inside the article
container (teasers, embed placeholders, picture credits, promotion, tag and date lines),
boxes of teasers and summary boxes, the headline repeated on top of the body, the lines of
another story on the same page; and a body split over several containers of the same
story of which trafilatura kept one.

Each rule is general (no site, page or URL is named) and was kept only where it raised
precision on the benchmark pages without lowering recall (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from typing import Any

# "Related", "Related stories", "Related to this story", "Related articles that may interest you"
RELATED = (
    r"related(\s+([\w'’-]+\s+){0,2}(articles?|stories|news|content|coverage|posts|links|videos?"
    r"|topics|reading|reads|publications|galleries|podcasts|trackers|to\s+(this\s+)?\w+))?"
    r"(\s+(that\s+)?(may|might)\s+interest\s+you)?"
)
# Lines that are navigation or promotion, not reporting. Matched against the whole line
# (a list item without its bullet, a table row cell by cell).
FURNITURE_LINE = re.compile(
    r"""^(
      (read|see|view)\s+(more|also)\b.*          # "Read more: …", "See also …"
    | also\s+(read|on|see)\b.*                   # "Also read: …", "Also on example.com …"
    | related(\s+(articles?|stories|news|content|coverage))?\s*:.*
    | don'?t\s+miss\b.*
    | you\s+(may|might)\s+(also\s+)?(like|enjoy|be\s+interested\s+in)\b.*
    | (recommended|trending|most\s+read|popular)(\s+(for\s+you|stories|articles|now))?:?
    | advertisement|sponsored(\s+content)?|ad
    | (\d+\s+)?comments?|leave\s+a\s+(reply|comment).*|post\s+comment
    | (log|sign)\s+in\s+to\s+(comment|reply).*
    | like\s+this\s+(story|article)\??.*
    | share(\s+(this|on|via)\b.*)?|copy\s+link|\d+(\.\d+)?k?\s+shares?
    | .*\bnewsletter\s*$                          # a newsletter box's title
    | thanks\s+for\s+signing\s+up.*
    | order\s+reprints|print\s+(this\s+)?article
    | this\s+copy\s+is\s+for\s+your\s+personal.*
    | write\s+to\s+\S.*\bat\s+\S+@\S+             # "Write to Jane Doe at jane@example.com"
    | have\s+a\s+(news\s+)?tip\b.*
    | \S.{0,60}\bmay\s+be\s+reached\s+at\s+\S+@\S+.*
    | tell\s+us\s+what\s+you\s+think.*
    | market\s+data\s+(is\s+)?delayed\b.*
    | this\s+(article|story|report)\s+was\s+(produced|prepared|generated|written)\s+by\b.*
    | updated\s+(at\s+|on\s+)?\d.*
    | (an\s+error\s+(has\s+)?occurred|there\s+was\s+an\s+error).*
    | (listen|download|itunes|spotify)\s*:\s*https?://\S+
    | (subscribe\s+to\s+(continue|keep)\s+reading|you\s+have\s+reached\s+your\s+limit\b
       |already\s+a\s+subscriber\??|to\s+continue\s+reading\b|(get|unlock)\s+unlimited\s+access\b
       |see\s+(all\s+)?subscription\s+options|subscribe\s+now\b).*
    | (we\s+use\s+cookies\b|this\s+(web)?site\s+uses\s+cookies\b|accept\s+(all\s+)?cookies).*
    | [-_|:=*~•·\s]*                              # rules, empty list items, table borders
    # another story's headline between paragraphs: "MORE: …", "[Read: …]", "Read next: …"
    | more\s*:.*
    | \[(related|read|see|watch|more)\b.*
    | (read|watch)\s+next\b.*
    # read-also teasers in other languages: German, French, Spanish, Portuguese, Italian, Dutch
    | (lesen\s+sie\s+(auch|mehr|hier|weiter)|weiterlesen|mehr\s+(zum\s+thema|dazu)
       |das\s+k(ö|oe)nnte\s+sie\s+(auch\s+)?interessieren|auch\s+interessant|siehe\s+auch
       |(à\s+)?lire\s+(aussi|également|la\s+suite)|voir\s+aussi|sur\s+le\s+m(ê|e)me\s+sujet
       |(lee|lea|leer)\s+(también|tambien|además|más)|ver\s+también|te\s+puede\s+interesar
       |leia\s+(também|mais)|veja\s+também|leggi\s+anche|lees\s+(ook|meer)|zie\s+ook)\b.*
    # the heading of a box of teasers: "Related", "More stories", "Most viewed", "Latest news"
    | {RELATED}\s*:?
    | more\s+(news|stories|articles|headlines|videos|features)
    | most\s+(read|viewed|popular|commented|shared|e-?mailed)(\s+\S+){0,4}\s*:?
    | latest\s+(news|stories|headlines|articles|videos|discussions)
    # what an embedded player or post leaves as text: "Externer Inhalt", "Watch on YouTube"
    | (link\s+(zu[mr]?\s+)?\S+[-\s](inhalt|video|beitrag)|link\s+to\s+\S+\s+(content|video|post))
       (\s*:\s*\S+)?                             # "Link zum YouTube-Inhalt: youtube.com/…"
    | (externer|eingebetteter)\s+inhalt\b.*|(external|embedded|third[-\s]party)\s+content
    | (contenu|contenido)\s+(externe|externo|embebido|incrustado)\b.*
    | (watch|view)\s+(this\s+)?(video\s+|post\s+|photo\s+)?on\s+(youtube|vimeo|instagram|facebook
       |tiktok|twitter|x)
    | a\s+post\s+shared\s+by\b.*
    | your\s+browser\s+does\s+(not|n.t)\s+support\b.*|(please\s+)?enable\s+javascript\b.*
    | (this|the)\s+(video|content|embed|media)\s+(is\s+)?(not\s+available|unavailable
       |cannot\s+be\s+(displayed|played)|could\s+not\s+be\s+loaded)\b.*
    | (inhalte?|content)\s+(von|from)\s+\S+\s+(anzeigen|laden|zulassen|erlauben|show|load|allow)\b.*
    # a picture credit: "Photo: Jane Doe/Agency", "Photo courtesy of …", "(Photo by …)"
    | [(\[]?(photo(graph)?s?|image|picture|foto|bild)(\s*[:©|]|(\s+(credit|courtesy|of|by|source))+
       \s*:?)\s*([^.!?]|\.(?=\S)){1,60}[)\]]?
    # promotion: "Sign up for our newsletter …", "Follow us on Instagram …"
    | (sign\s+up|subscribe|get)\b.{0,120}\b(newsletters?|inbox)\b.*
    | follow\s+(us|me|\S+(\s+\S+){0,5}?)\s+on\s+(facebook|twitter|instagram|youtube|linkedin
       |tiktok|telegram|threads|bluesky|mastodon|whatsapp|x)\b.*
    # the page's record of the story: date lines, copyright, tag list
    | (last\s+)?(updated|published|posted)(\s+on)?\s*:?\s*(\S+\s+){0,5}\S*\d{4}\b(\s+\S+){0,4}
    | (©|copyright\s*(©|\d{4})).{0,150}|.{0,120}\ball\s+rights\s+reserved\b.{0,200}
    | tags|((hot\s+)?tags?|topics|filed\s+under|schlagw(ö|oe)rter)\s*:.*
    )$""".replace("{RELATED}", RELATED),
    re.IGNORECASE | re.VERBOSE,
)
# Sentences that are furniture, read where a summary picks sentences (digest/summarise.py):
# a caption or pointer at the start ("Photo: …", "Read more", "Watch:"), a picture credit
# or a reporting credit anywhere in it, or a paragraph that ends in a picture credit.
CAPTION_START = re.compile(
    r"^\W*(?:(?:photo|photograph|image|picture|pic|video|graphic|illustration|caption)s?"
    r"(?:\s+credits?)?\s*[:|]|credits?\s*:|file\s+(?:photo|image|picture)|"
    r"scroll\s+down\s+for|click\s+here|read\s+more\b|also\s+read\b|watch\s*:)",
    re.IGNORECASE,
)
PHOTO_CREDIT = r"\(\s*(?:photo|image|picture|file\s+photo|credit)s?\b[^)]*\)"
CREDIT_IN_SENTENCE = re.compile(
    PHOTO_CREDIT + r"|\b(?:reporting|writing|editing|additional\s+reporting)\s+by\s",
    re.IGNORECASE,
)
ENDS_WITH_PHOTO_CREDIT = re.compile(PHOTO_CREDIT + r"\W*$", re.IGNORECASE)

SHORTCODE = re.compile(r"\[(\w+)\b[^\]]*\].*\[/\1\]")  # WordPress shortcodes left as text
BULLET = re.compile(r"^[-*•]\s+")
# The heading of a box of teasers (in the body's second half): cut with the teasers below it.
TEASER_HEADING = re.compile(
    r"""^(
      {RELATED}
    | more\s+(news|stories|articles|headlines|videos|features)\b.{0,40}|more\s+from\s+.{1,40}
    | (other|more)\s+.{0,30}\s+(columns|stories|articles|news)
    | you\s+(may|might)\s+(also\s+)?(like|enjoy|be\s+interested).*
    | most\s+(read|viewed|popular|commented|shared|e-?mailed).{0,40}
    | latest\s+(news|stories|headlines|articles|videos|discussions)
    | recommended(\s+(for\s+you|stories|articles|reading))?
    | read\s+next|also\s+read|don.t\s+miss|top\s+stories|trending(\s+now)?
    | das\s+k(ö|oe)nnte\s+sie\s+(auch\s+)?interessieren|mehr\s+zum\s+thema|weitere\s+artikel
    | (à\s+)?lire\s+aussi|sur\s+le\s+m(ê|e)me\s+sujet|(noticias|art[ií]culos)\s+relacionad[oa]s
    | te\s+puede\s+interesar|leia\s+tamb[eé]m|leggi\s+anche|lees\s+ook|zie\s+ook
    )\s*:?$""".replace("{RELATED}", RELATED),
    re.IGNORECASE | re.VERBOSE,
)
# The heading of a summary box whose bullet points restate the story (German, French, Spanish,
# Portuguese, Italian, Dutch). English "Key points" / "Summary" boxes stay: the benchmark
# pages count them as body.
SUMMARY_HEADING = re.compile(
    r"""^(
      das\s+wichtigste(\s+(in\s+k(ü|ue)rze|im\s+(ü|ue)berblick|zusammengefasst))?
    | (kurz\s+)?zusammengefasst|in\s+aller\s+k(ü|ue)rze|auf\s+einen\s+blick
    | l['’]essentiel|en\s+bref|lo\s+(esencial|m(á|a)s\s+importante)|en\s+resumen
    | em\s+resumo|in\s+sintesi|in\s+het\s+kort
    )\s*:?$""",
    re.IGNORECASE | re.VERBOSE,
)
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
TEASERS_AFTER = 0.5  # a teaser box comes after at least this share of the body's words
TEASERS_TAIL = 0.2  # after a teaser heading, a tail shorter than this share is all teasers


def clean_body(text: str, *, title: str | None, standfirst: str | None) -> str:
    """The body without furniture lines, summary and teaser boxes, and without the
    headline repeated on top."""
    kept = [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]
    kept = _drop_repeated_head(kept, title, standfirst)
    kept = _cut_teasers(_cut_summary(kept))
    return "\n".join(line for line in kept if not _is_furniture(line))


def _is_furniture(line: str) -> bool:
    if line.startswith("|"):  # a table row: furniture when every cell is
        return all(_is_furniture(cell.strip()) for cell in line.strip("| ").split(" | "))
    line = BULLET.sub("", line)
    return bool(FURNITURE_LINE.match(line) or SHORTCODE.search(line))


def _cut_teasers(lines: list[str]) -> list[str]:
    """Without boxes of teasers: from a heading such as "Related stories" or "Most read"
    in the body's second half to the end when little text follows it; else, when a
    headline or a list follows it, up to where two sentences in a row show the body
    carrying on. A heading followed by sentences is a box's leftover title, dropped as a
    furniture line."""
    counts = [len(line.split()) for line in lines]
    total = sum(counts)
    kept: list[str] = []
    seen = 0
    at = 0
    while at < len(lines):
        line = lines[at]
        if seen >= TEASERS_AFTER * total and TEASER_HEADING.match(line.strip("| ")):
            if total - seen < TEASERS_TAIL * total:  # a short tail: teasers to the end
                break
            if at + 1 < len(lines) and not _sentence(lines[at + 1]):
                at += 1
                while at < len(lines) and not (
                    _sentence(lines[at]) and at + 1 < len(lines) and _sentence(lines[at + 1])
                ):
                    at += 1
                continue
        kept.append(line)
        seen += counts[at]
        at += 1
    return kept


def _cut_summary(lines: list[str]) -> list[str]:
    """Without a summary box: its heading and the list of points right below it."""
    kept: list[str] = []
    at = 0
    while at < len(lines):
        if SUMMARY_HEADING.match(lines[at]) and at + 1 < len(lines) and BULLET.match(lines[at + 1]):
            at += 1
            while at < len(lines) and BULLET.match(lines[at]):
                at += 1
            continue
        kept.append(lines[at])
        at += 1
    return kept


def _sentence(line: str) -> bool:
    """A line of running text: long enough, ending as a sentence, no list item or row."""
    return (
        len(line.split()) > 12
        and bool(SENTENCE_END.search(line))
        and not line.startswith(("-", "|", "•", "*"))
    )


def _drop_repeated_head(lines: list[str], title: str | None, standfirst: str | None) -> list[str]:
    """Without lines that repeat the headline or the standfirst (fields of their own)."""
    heads = {_key(t) for t in (title, standfirst) if t}
    heads.discard("")
    return [line for line in lines if _key(line) not in heads]


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def recover_split_body(tree: Any, text: str) -> str | None:
    """A body split over sibling containers of one class (an ad or a video between two
    halves) of which trafilatura kept one: all of them, in page order, or None.

    Only containers of the same story count: starting from the one that holds what
    trafilatura kept, the neighbours in page order up to the first that is not text
    (mostly links), lies in another page region (``main``) or follows a story boundary
    (another headline: an ``h1``, a linked heading, an ``article`` with its own headline
    or dateline). Taken only when those containers hold at least 1.3 times the words
    trafilatura kept and contain nearly all of them."""
    kept = text.split()
    if not kept:
        return None
    words: dict[tuple[str, str], int] = defaultdict(int)
    containers: dict[tuple[str, str], list[Any]] = defaultdict(list)
    paragraphs: dict[Any, list[str]] = defaultdict(list)
    for para in tree.iter("p"):
        parent = para.getparent()
        parts = para.text_content().split()
        if parent is None or not parent.get("class") or not parts:
            continue
        key = (parent.tag, parent.get("class"))
        words[key] += len(parts)
        if parent not in paragraphs:
            containers[key].append(parent)
        paragraphs[parent].append(" ".join(parts))
    if not words:
        return None
    best = max(words, key=lambda k: words[k])
    if len(containers[best]) < 2 or words[best] < 1.3 * len(kept):
        return None
    run = _same_story(tree, containers[best], paragraphs, _key(text))
    joined = [line for container in run for line in paragraphs[container]]
    joined_words = " ".join(joined).split()
    if len(run) < 2 or len(joined_words) < 1.3 * len(kept):
        return None
    inside = set(joined_words)
    share = sum(1 for word in kept if word in inside) / len(kept)
    return "\n".join(joined) if share > 0.8 else None


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
LINKY = 0.5  # a container whose paragraphs are mostly link text is a list of teasers


def _same_story(
    tree: Any, containers: list[Any], paragraphs: dict[Any, list[str]], kept: str
) -> list[Any]:
    """The containers around the one of which trafilatura kept most (paragraphs found in
    the kept text, in words), in page order, up to the first one on either side that
    belongs to another story."""

    def found(container: Any) -> int:
        return sum(len(line.split()) for line in paragraphs[container] if _key(line) in kept)

    anchor = max(containers, key=found)
    order = {el: i for i, el in enumerate(tree.iter())}
    first = last = containers.index(anchor)
    while last + 1 < len(containers) and _continues(containers[last], containers[last + 1], order):
        last += 1
    while first > 0 and _continues(containers[first - 1], containers[first], order):
        first -= 1
    return containers[first : last + 1]


def _continues(before: Any, after: Any, order: dict[Any, int]) -> bool:
    """Whether container ``after`` carries on the story of container ``before``: both
    text (not link lists) in the same region, and no story boundary between them."""
    if max(_link_share(before), _link_share(after)) >= LINKY:
        return False
    if _region(before) is not _region(after):
        return False
    start, end = order[_last(before)], order[after]
    for el in before.getroottree().getroot().iter(*HEADINGS, "article"):
        if not start < order.get(el, -1) < end:
            continue  # not between the two (an article holding both starts before them)
        if el.tag == "h1" or (el.tag in HEADINGS and _linked(el)):
            return False  # another story's headline, or a teaser's
        if el.tag == "article" and _story(el):
            return False  # another story begins (``after`` may be inside it)
    return True


def _story(article: Any) -> bool:
    """An ``article`` element with a headline or a dateline of its own: another story."""
    return any(True for _ in article.iter("h1", "time")) or any(
        _linked(h) for h in article.iter(*HEADINGS)
    )


def _linked(element: Any) -> bool:
    return any(a.get("href") for a in element.iter("a"))


def _link_share(container: Any) -> float:
    text = links = 0
    for p in container.iter("p"):
        text += len(p.text_content().split())
        links += sum(len(a.text_content().split()) for a in p.iter("a"))
    return links / text if text else 1.0


def _region(element: Any) -> Any:
    return next(
        (a for a in element.iterancestors() if a.tag == "main" or a.get("role") == "main"), None
    )


def _last(element: Any) -> Any:
    """The last element inside ``element`` in page order (itself when it is empty)."""
    return deque(element.iter(), maxlen=1)[0]


def drop_other_stories(tree: Any, text: str, title: str | None) -> str:
    """The text without the lines of other stories on the page: when the page holds several
    ``article`` elements with a headline (``h1``) of their own (the next story of an
    endless scroll, a story appended below), lines found only in one of the others go.
    The page's own story is the one whose headline is the page title, else the first."""
    stories = [a for a in tree.iter("article") if a.find(".//h1") is not None]
    stories = [a for a in stories if not any(o in stories for o in a.iterancestors())]
    if len(stories) < 2:
        return text
    headline = _key(title or "")
    own = next(
        (a for a in stories if any(_key(h.text_content()) == headline for h in a.iter("h1"))),
        stories[0],
    )
    own_text = _key(own.text_content())
    others = [_key(a.text_content()) for a in stories if a is not own]
    kept = []
    for line in text.splitlines():
        key = _key(line)
        if key and key not in own_text and any(key in other for other in others):
            continue
        kept.append(line)
    return "\n".join(kept)
