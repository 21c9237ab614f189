"""An article's headline and standfirst, from what the page declares and shows.

``headline(tree, ld, tags, site)`` and ``standfirst(tree, ld, tags)`` are the two entry
points; ``digest.metadata`` calls them. Every rule is general: none names a site.

The headline is the one the reader sees, taken in this order:

1. an element marked as the headline (an <h1>, itemprop headline, a headline or title
   class) that the page's declared title (JSON-LD headline, og:title, twitter:title) or
   its <title> confirms: the same words, a whole piece of them ("Topic: «Headline» |
   Site"), or nearly the same words (an <h1> that rewords the SEO title). An <h1> that is
   the site's logo or a section's name ("Sport") is only a short piece of the <title>;
2. the page's one <h1> in the article, when no title confirms it;
3. a piece of a title that the page shows as a text of its own (an old page's <b>);
4. the page's one <h1> that shares words with the titles, or its one element with a
   headline class;
5. the declared title, else the <title>, without the site's and section's names.

HTML entities are decoded everywhere, twice for a twice-escaped one ("&amp;#8217;").

The standfirst is the page's own description (og:description, description,
twitter:description, JSON-LD), unless it is the body's first paragraph; an element
marked as a standfirst counts only next to the headline, never in a teaser box elsewhere
on the page, and only when the page has no description or a cut one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from digest.pagetags import MetaTags, text

# Separators between a headline and a site's or section's name, spaced ("Headline | Site",
# "Site : Headline", "Headline - Sport - Site") or not ("Headline|Site", "标题_网站").
SEPARATORS = re.compile(
    r"\s+(?:[|\-–—~•·»«›‹>/\\*:]|-{2,}|:{2}|>{2}|\|{2})\s+|\s*[|｜]\s*|\s*_+\s*"
)
# Separators that say "part of": a short piece before them is a site or a section (before
# a dash, it is as likely the headline's first words: "Brexit - what happens next").
HIERARCHICAL = re.compile(r"[|｜:»›>/\\_]|::")
# Decoration around a title: "=> Headline <=", "## Headline", "*** Headline ***".
DECORATION = re.compile(r"^[\s#=>*•·|~\-»›]+(?=\w|[\"“‘'«(\[¿¡「『【])|(?<=\S)[\s=<*|~]+$")
# Elements marked as the article's headline by their class or id.
HEADLINE_MARK = re.compile(
    r"(^|[-_ ])(headline|(entry|post|article|story|news|page|main|single|content|td-post)"
    r"[-_]?(title|headline|heading)|title[-_](article|post|story|entry))([-_ ]|$)",
    re.IGNORECASE,
)
# Ancestors of an <h1> that is the site's logo or a box's title, not the headline.
FURNITURE_MARK = re.compile(
    r"logo|brand|masthead|site[-_]?(title|name)|navbar|\bnav|menu|sidebar|sidenav|widget|footer"
    r"|promo|advert|\bads?\b|modal|popup|newsletter|cookie",
    re.IGNORECASE,
)
ARTICLE_MARK = re.compile(r"article|story|entry|\bpost\b|post[-_]|headline", re.IGNORECASE)
# What sets a piece of a title off from the rest: more than a space, an apostrophe or a
# comma ("Headline - Site", "Topic: «Headline»", "标题_网站", "「見出し」").
SEPARATOR_CHARS = re.compile(r"[^\w\s',.]")
# A name before an unspaced colon: the site's when it is its name or its host name
# ("NDTV.com: Headline"); anything else is the headline's own ("Review: Headline").
SITE_COLON = re.compile(r"^([^:：]{2,40})[:：]\s+(\S.*)$")
# Where a broken page's <title> runs on into a script or the next tags.
BROKEN_TITLE = re.compile(r"<[a-zA-Z!/]|-->")
# Elements inside a headline that are a kicker or a label, not the headline's words.
KICKER_MARK = re.compile(
    r"kicker|overline|eyebrow|topline|roofline|dachzeile|spitzmarke|surtitre|antetitulo"
    r"|descriptor|label|flag|badge|(^|[-_ ])(date|time)([-_ ]|$)|sr-only|visually-hidden",
    re.IGNORECASE,
)
TEXTS_XPATH = (
    "//text()[not(parent::title or parent::script or parent::style or parent::noscript)]"
    "[string-length() < 400][string-length(normalize-space()) >= 8]"
)
# A class or id that names an element the article's headline (for ``_lone_marked``).
LONE_MARK = re.compile(
    r"headline(?!s)|(article|story|post|entry|news)[-_]?(story[-_]?)?(title|heading)",
    re.IGNORECASE,
)
TITLE_MARK = re.compile(r"title|headline", re.IGNORECASE)
# Elements that may hold the headline: <h1>, itemprop headline, a class or an id with
# "title" or "headline" in it (attributes first: much faster than testing every element).
_MARKED = " or ".join(f"contains(., '{w}')" for w in ("itle", "ITLE", "eadline", "EADLINE"))
CANDIDATES_XPATH = (
    f"//h1 | //*[@itemprop='headline'] | //@class[{_MARKED}]/.. | //@id[{_MARKED}]/.."
)
# Tags that hold no headline: containers of a whole page part, scripts, form fields.
NOT_HEADLINE_TAGS = frozenset(
    {
        "html",
        "body",
        "main",
        "article",
        "section",
        "aside",
        "nav",
        "footer",
        "form",
        "ul",
        "ol",
        "table",
        "tbody",
        "tr",
        "script",
        "style",
        "noscript",
        "title",
        "meta",
        "link",
        "input",
        "select",
        "option",
        "button",
        "label",
        "img",
        "svg",
        "iframe",
        "textarea",
    }
)
MAX_HEADLINE_CHARS = 300
MAX_STANDFIRST_WORDS = 120  # a longer "description" is a page's text, not its standfirst
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK = re.compile(f"[{_CJK}]")
# What one Chinese, Japanese or Korean character counts for in a length in words.
CJK_WORD = 1 / 3
# A word: a run of letters and digits, or one Chinese, Japanese or Korean character.
WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
DOMAIN_LIKE = re.compile(r"\b[\w-]+\.(com|net|org|info|biz|[a-z]{2})(\.[a-z]{2})?\b", re.IGNORECASE)
GENERIC_HOST_LABELS = frozenset(
    ["www", "com", "net", "org", "info", "biz", "co", "gov", "edu", "ac"]
)

STANDFIRST_CLASSES = re.compile(
    r"(^|[-_ ])(standfirst|subtitle|sub-title|subheadline|sub-headline|dek|deck|excerpt|lede"
    r"|summary|strapline|kicker-text|title-sub|post-sub-title|article-sub)([-_ ]|$)",
    re.IGNORECASE,
)
# Boxes of other stories: a class-marked "excerpt" in one is that story's, not this one's.
TEASER_BOX = re.compile(
    r"related|must[-_]?read|teaser|promo|recommend|more[-_]|popular|trending|widget|sidebar"
    r"|module|card|carousel|slider|feed|listing|also|latest|next|prev|other",
    re.IGNORECASE,
)
_STANDFIRST_WORDS = [
    "tandfirst",
    "ubtitle",
    "ub-title",
    "ubheadline",
    "ub-headline",
    "dek",
    "Dek",
    "deck",
    "Deck",
    "xcerpt",
    "lede",
    "Lede",
    "ummary",
    "trapline",
    "kicker-text",
    "title-sub",
    "article-sub",
]
STANDFIRST_XPATH = "//@class[{}]/..".format(
    " or ".join(f"contains(., '{w}')" for w in _STANDFIRST_WORDS)
)
NOT_NEAR_TAGS = frozenset({"a", "aside", "nav", "footer", "li"})
TRUNCATED = re.compile(r"(\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")


def headline(tree: Any, ld: dict[str, Any], tags: MetaTags, site: str | None) -> str | None:
    """The article's headline (see the module's notes for the order of the rules)."""
    declared = _declared(ld, tags)
    page_title = _page_title(tree)
    references = list(dict.fromkeys([*declared, *([page_title] if page_title else [])]))
    keys = _site_keys(site, tree, tags, ld, references)
    refs = [(_words(ref), clean_title(ref, None, guess=True, site_keys=keys)) for ref in references]
    candidates = _candidates(tree)
    confirmed = _confirmed_headline(candidates, refs, keys)
    if confirmed:
        return confirmed
    h1 = _one_h1(tree, keys)
    lone = _lone_h1(h1, refs, in_article=True)
    shown = _visible_piece(tree, [words for words, _ in refs], keys)
    if lone and (not shown or _size(lone) >= _size(shown)):
        return lone
    return (
        shown
        or _lone_h1(h1, refs, in_article=False)
        or _lone_marked(candidates, keys)
        or clean_title(declared[0] if declared else page_title, site, guess=True, site_keys=keys)
    )


def clean_title(
    title: str | None,
    site: str | None,
    *,
    guess: bool = False,
    site_keys: frozenset[str] = frozenset(),
) -> str | None:
    """The headline without a trailing or leading site or section name ("… | CBC News",
    "EuroNews : …", "… - Soccer - Sport - Breaking News"), HTML entities decoded. With
    ``guess``, short pieces at the ends are taken for names even when they do not match
    the site's name."""
    title = _unescape(title)
    if not title:
        return None
    title = _undecorate(title) or title
    keys = site_keys | _name_keys(site)
    named = SITE_COLON.match(title)  # "NDTV.com: Headline", "Harbour Post: Headline"
    if named and (_key(named.group(1)) in keys or DOMAIN_LIKE.fullmatch(named.group(1))):
        title = named.group(2)
    pieces = _split(title)
    if len(pieces) < 3:
        return title
    texts = pieces[0::2]
    start, end = 0, len(texts)  # the kept pieces are texts[start:end]
    # the piece with most words (a date's numbers are no words) is the headline's own
    longest = max(range(len(texts)), key=lambda i: _size(re.sub(r"\d", "", texts[i])))

    def is_site(i: int) -> bool:
        return i != longest and _looks_like_site(texts[i], keys)

    def is_short(i: int, short: float, separator: str, dropped: str | None) -> bool:
        # a short piece behind another kind of separator than the names dropped so far
        # is the headline's own ("Kino zerstören – Anwohner protestieren | Kultur | Site")
        if not guess or i == longest or dropped not in (None, separator.strip()):
            return False
        rest = sum(_size(t) for j, t in enumerate(texts[start:end], start) if j != i)
        return _size(texts[i]) <= short and rest >= 4

    dropped_end: str | None = None
    dropped_start: str | None = None
    while end - start > 1:
        before_last, after_first = pieces[2 * end - 3], pieces[2 * start + 1]
        if is_site(end - 1):
            end -= 1
        elif is_short(end - 1, 3, before_last, dropped_end):
            end, dropped_end = end - 1, before_last.strip()
        elif is_site(start):
            start += 1
        elif HIERARCHICAL.search(after_first) and is_short(start, 3, after_first, dropped_start):
            start, dropped_start = start + 1, after_first.strip()
        else:
            break
    return "".join(pieces[2 * start : 2 * end - 1]).strip() or title


def _declared(ld: dict[str, Any], tags: MetaTags) -> list[str]:
    """The titles the page declares, the JSON-LD headline first, unless another one is
    the same headline uncut (a JSON-LD headline is often cut at 110 characters)."""
    found = [
        t
        for t in (
            _unescape(text(ld.get("headline"))),
            _unescape(tags.get("og:title")),
            _unescape(tags.get("twitter:title")),
        )
        if t and len(t) <= MAX_HEADLINE_CHARS
    ]
    if len(found) > 1:
        head = _key(TRUNCATED.sub("", found[0]))
        longer = [t for t in found[1:] if len(t) > len(found[0])]
        whole = next((t for t in longer if _key(t).startswith(head)), None)
        if whole:
            found.insert(0, whole)
    return found


def _page_title(tree: Any) -> str | None:
    """The <title>, without what a broken page lets into it (a script, the next tags)."""
    found = tree.find("head/title")
    nodes = [found] if found is not None else tree.xpath("//title[not(ancestor::svg)]")
    for node in nodes:
        title = _unescape(BROKEN_TITLE.split(node.text_content(), maxsplit=1)[0])
        if title:
            return title
    return None


def _split(title: str) -> list[str]:
    """The title's pieces and separators, alternating: part, separator, part, …"""
    pieces = SEPARATORS.split(title)
    separators = SEPARATORS.findall(title)
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i:
            if not out[-1].strip() or not piece.strip():  # "a | | b": merge empty parts
                out[-1] += separators[i - 1] + piece
                continue
            out.append(separators[i - 1])
        out.append(piece)
    # an underscore only separates when what follows it is short ("…_English_Xinhua")
    merged: list[str] = [out[0]]
    for separator, piece in zip(out[1::2], out[2::2], strict=True):
        if "_" in separator and _size(piece) > 3:
            merged[-1] += separator + piece
        else:
            merged += [separator, piece]
    return merged


def _confirmed_headline(
    candidates: list[tuple[Any, bool]], refs: list[tuple[Words, str | None]], keys: frozenset[str]
) -> str | None:
    """The element marked as a headline that the declared title or the <title> confirms
    best (see ``_match``); ``refs`` are the titles' words, each with its cleaned form."""
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for order, (node, strong) in enumerate(candidates):
        found = _node_text(node)
        if not found:
            continue
        words = _words(found)
        if not strong and not any(words.key in ref.key for ref, _ in refs):
            continue  # a title class only counts for the same words as a title's
        for ref, cleaned in refs:
            score, headline = _match(words, ref, cleaned, strong, keys)
            if score > 0 and (best is None or (score, -order) > best):
                best, chosen = (score, -order), headline or found
    return chosen


def _candidates(tree: Any) -> list[tuple[Any, bool]]:
    """Elements that may hold the headline, in page order, each with whether it is marked
    as the headline (an <h1>, itemprop headline, a headline class) or only as a title."""
    found = []
    for node in tree.xpath(CANDIDATES_XPATH):
        if not isinstance(node.tag, str) or node.tag in NOT_HEADLINE_TAGS:
            continue
        marks = _marks(node)
        strong = (
            node.tag == "h1"
            or node.get("itemprop") == "headline"
            or bool(HEADLINE_MARK.search(marks))
        )
        if strong or TITLE_MARK.search(marks):
            found.append((node, strong))
    return found


def _node_text(node: Any) -> str | None:
    """An element's text without a kicker or a label inside it ("<span class=kicker>
    Topic</span>"), a line break as a space; None for a whole box of text."""
    if node.xpath("string-length()") > 3 * MAX_HEADLINE_CHARS:
        return None
    parts: list[str] = []
    for piece in node.xpath(".//text()"):
        owner = piece.getparent()
        if piece.is_tail:  # the text after an element belongs to that element's parent
            if owner.tag == "br":
                parts.append(" ")
            owner = owner.getparent()
        while owner is not None and owner is not node and not _left_out(owner):
            owner = owner.getparent()
        if owner is node:
            parts.append(str(piece))
    found = _unescape("".join(parts))
    if not found or len(found) > MAX_HEADLINE_CHARS:
        return None
    return _undecorate(found) or None


def _left_out(element: Any) -> bool:
    """A comment, a script or an element whose class says kicker, label or date."""
    return (
        not isinstance(element.tag, str)
        or element.tag in ("script", "style", "noscript")
        or bool(KICKER_MARK.search(_marks(element)))
    )


def _match(
    candidate: Words,
    reference: Words,
    cleaned: str | None,
    strong: bool,
    keys: frozenset[str],
) -> tuple[float, str | None]:
    """How well a reference title confirms a visible candidate, and the headline that
    follows (None: the candidate as it is shown): 3 when they are the same words; 2 to 3
    for the candidate as a whole piece of the reference ("Headline" in "Topic: «Headline»
    | Site"); 1 to 2 for the reference without its site's name inside an <h1> that also
    holds a label or a date ("Title: Headline"); up to 1 for a near match (an <h1> that
    rewords the SEO title a little); 0 for none."""
    if not candidate.key or not reference.key:
        return 0.0, None
    if candidate.key == reference.key:
        return 3.0, None
    if _is_site_name(candidate.text, keys):
        return 0.0, None
    size, ref_size = _size(candidate.text), _size(reference.text)
    if _piece_at(candidate, reference, bounded=True):
        if size >= 3 or size > ref_size - size:
            return 2.0 + size / max(ref_size, 1), None
        return 0.0, None
    if not strong:
        return 0.0, None
    if cleaned and _size(cleaned) >= 3 and 2 * _size(cleaned) >= size:
        # after a label or a date, the reference's words; before more words, the fuller
        # headline ("Headline, Reviewed by a Student")
        inner = _words(cleaned)
        if candidate.key.startswith(inner.key):
            return 1.0 + _size(cleaned) / max(size, 1), None
        if _piece_at(inner, candidate, bounded=False):
            return 1.0 + _size(cleaned) / max(size, 1), cleaned
    # a reference cut short ("Headline (Includ…") that begins the candidate
    head = _compact(TRUNCATED.sub("", reference.text))
    if len(head) >= 20 and candidate.key.startswith(head):
        return 1.0, None
    dice = _dice(_tokens(candidate.text), _tokens(_main_piece(reference.text)))
    return (dice if dice >= 0.6 else 0.0), None


def _one_h1(tree: Any, keys: frozenset[str]) -> tuple[Any, str] | None:
    """The page's one <h1> outside the logo, navigation and side boxes (the one in the
    article when there are several), with its text, unless that is a word or the site's
    name."""
    h1s = [(h, _node_text(h)) for h in tree.xpath("//h1") if not _in_furniture(h)]
    texts = [(h, t) for h, t in h1s if t]
    if len(texts) > 1:
        texts = [(h, t) for h, t in texts if _in_article(h)]
    if len(texts) != 1:
        return None
    node, found = texts[0]
    if _size(found) < 2 or _is_site_name(found, keys):
        return None
    return node, found


def _lone_h1(
    h1: tuple[Any, str] | None, refs: list[tuple[Words, str | None]], *, in_article: bool
) -> str | None:
    """The page's one <h1> (``_one_h1``), when no title confirms it: it counts when it
    sits in the article (``in_article``), or when it has several words and shares words
    with the titles."""
    if h1 is None:
        return None
    node, found = h1
    if in_article:
        return found if _in_article(node) or not refs else None
    if _size(found) < 4:
        return None
    words = {w for w in _tokens(_norm(found)) if len(w) > 3 or CJK.match(w)}
    for _, cleaned in refs:
        if words & set(_tokens(_norm(cleaned or ""))):
            return found
    return None


def _lone_marked(candidates: list[tuple[Any, bool]], keys: frozenset[str]) -> str | None:
    """The page's one element whose class or id names it the article's headline
    ("headline", "article_title", "storyTitle"), outside links, lists and side boxes, when
    no title confirms one: an old page's headline is often a <span class="headline">."""
    found = [
        node
        for node, _ in candidates
        if node.tag != "h1"
        and LONE_MARK.search(_marks(node))
        and not any(a.tag == "li" for a in node.iterancestors())
        and not _in_furniture(node)
    ]
    texts = {t for t in map(_node_text, found) if t}
    if len(texts) != 1:
        return None
    headline = texts.pop()
    return headline if _size(headline) >= 3 and not _is_site_name(headline, keys) else None


def _visible_piece(tree: Any, references: list[Words], keys: frozenset[str]) -> str | None:
    """The longest piece of a title ("Site - Section - Headline") that the page shows as
    a text of its own, in whatever element: an old page's headline is often a <b> or a
    <font>."""
    refs = [words for words in references if words.key]
    best: tuple[float, str] | None = None
    for node in tree.xpath(TEXTS_XPATH):
        found = " ".join(str(node).split())
        key = _key(found)
        if len(key) < 6 or not any(key in ref.key for ref in refs):
            continue
        size = _size(found)
        if (best is not None and size <= best[0]) or _is_site_name(found, keys):
            continue
        words = _words(found)
        for ref in refs:
            if size < 3 and size <= _size(ref.text) - size:
                continue
            if _piece_at(words, ref, bounded=True):
                # not the rest of a word after an inline tag ("<em>Apollo</em>-Kino …"),
                # and outside the logo and the navigation
                parent = node.getparent()
                glued = node.is_tail and not str(node)[:1].isspace()
                if parent is not None and not glued and not _in_furniture(parent, links=False):
                    best = (size, found)
                break
    return _undecorate(best[1]) if best else None


def _in_furniture(node: Any, *, links: bool = True) -> bool:
    """Inside the logo, the navigation, a side box or (with ``links``) a link."""
    for parent in [node, *node.iterancestors()]:
        if parent.tag in ("nav", "aside", "footer", "button") or (links and parent.tag == "a"):
            return True
        if FURNITURE_MARK.search(_marks(parent)):
            return True
    return False


def _in_article(node: Any) -> bool:
    """In an <article>, <main> or article body, or a box whose class or id says so (not
    the <body>: a blog's says "single-post" around everything)."""
    for parent in [node, *node.iterancestors()]:
        if parent.tag in ("body", "html"):
            return False
        if parent.tag in ("article", "main") or parent.get("itemprop") == "articleBody":
            return True
        if ARTICLE_MARK.search(_marks(parent)):
            return True
    return False


class Words(NamedTuple):
    """A text normalised (case, quotes and dashes), its words with their offsets in it,
    and the words run together; a Chinese, Japanese or Korean character is a word."""

    text: str
    spans: list[tuple[str, int, int]]
    key: str


def _words(value: str) -> Words:
    normal = _norm(value)
    spans = [(m.group(), m.start(), m.end()) for m in WORD.finditer(normal)]
    return Words(normal, spans, "".join(w for w, _, _ in spans))


def _key(value: str) -> str:
    """A text's words run together: what ``Words.key`` is, made faster."""
    return "".join(WORD.findall(unicodedata.normalize("NFKC", value).casefold()))


def _piece_at(needle: Words, hay: Words, *, bounded: bool) -> bool:
    """Whether the needle's words are words of the hay, one after another (spelled
    without their spaces and punctuation: "Pakistan's" is "Pakistans"), and, when
    ``bounded``, set off from the rest by a separator, a bracket or a quote."""
    target, spans = needle.key, hay.spans
    if not target or target not in hay.key:
        return False
    for i in range(len(spans)):
        run = ""
        for j in range(i, len(spans)):
            run += spans[j][0]
            if not target.startswith(run):
                break
            if run == target:
                if not bounded or (_bounded(hay, i - 1, i) and _bounded(hay, j, j + 1)):
                    return True
                break
    return False


def _bounded(hay: Words, left: int, right: int) -> bool:
    """Whether a separator (more than a space, an apostrophe or a comma) stands between
    two neighbouring words; the text's ends count as separators."""
    if left < 0 or right >= len(hay.spans):
        return True
    gap = hay.text[hay.spans[left][2] : hay.spans[right][1]]
    return bool(SEPARATOR_CHARS.search(gap))


def _main_piece(title: str) -> str:
    """The longest piece of a title split at its separators."""
    return max(_split(title)[0::2], key=_size)


def _site_keys(
    site: str | None, tree: Any, tags: MetaTags, ld: dict[str, Any], references: list[str]
) -> frozenset[str]:
    """The site's name, its host's labels ("karachicommerce") and the names of the form
    "example.com" in its titles, lower case, letters and digits only."""
    keys = set(_name_keys(site))
    url = (
        tags.get("og:url")
        or text(ld.get("url"))
        or next(iter(tree.xpath("//link[@rel='canonical']/@href")), None)
    )
    hosts = [urlsplit(str(url)).hostname or ""] if url and "//" in str(url) else []
    hosts += [m.group() for ref in references for m in DOMAIN_LIKE.finditer(ref)]
    for host in hosts:
        for label in host.lower().split("."):
            if len(label) >= 3 and label not in GENERIC_HOST_LABELS:
                keys.add(_compact(label))
    return frozenset(keys)


def _name_keys(site: str | None) -> frozenset[str]:
    key = _key(site or "")
    return frozenset({key}) if key else frozenset()


def _looks_like_site(piece: str, keys: frozenset[str]) -> bool:
    return _is_site_name(piece, keys) or bool(DOMAIN_LIKE.search(piece))


def _is_site_name(piece: str, keys: frozenset[str]) -> bool:
    """Whether a text is the site's name: one of its keys, part of one, or a text that
    holds one ("The Hindu")."""
    key = _key(piece)
    if not key or not keys:
        return False
    return any(key == k or (len(k) >= 4 and k in key) or (len(key) >= 4 and key in k) for k in keys)


def _marks(element: Any) -> str:
    """An element's class and id, for the patterns that mark what it holds."""
    return f"{element.get('class', '')} {element.get('id', '')}"


def _undecorate(title: str) -> str:
    return DECORATION.sub("", title).strip()


def _unescape(value: str | None) -> str | None:
    """Text on one line with HTML entities decoded, twice for a twice-escaped one
    ("&amp;#8217;")."""
    if not value:
        return None
    for _ in range(2):
        if "&" not in value:
            break
        value = html.unescape(value)
    return " ".join(value.split()) or None


def _norm(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).translate(QUOTES).casefold()
    return " ".join(value.split())


def _compact(value: str) -> str:
    return "".join(WORD.findall(value))


def _tokens(value: str) -> list[str]:
    return WORD.findall(_norm(value))


def _size(value: str) -> float:
    """Length in words, a Chinese, Japanese or Korean character counting for a third."""
    return sum(CJK_WORD if CJK.match(w) else 1.0 for w in WORD.findall(value))


def _dice(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa and sb else 0.0


def standfirst(tree: Any, ld: dict[str, Any], tags: MetaTags) -> str | None:
    """The sentence or two under the headline that sums the story up: the page's own
    description (og:description, description, twitter:description, JSON-LD), unless it
    is the body's first paragraph; an element marked as a standfirst next to the
    headline when the page has no description or only a cut one that it completes."""
    description = next(
        (
            d
            for d in (
                _unescape(tags.get("og:description")),
                _unescape(tags.get("description")),
                _unescape(tags.get("twitter:description")),
                _unescape(text(ld.get("description"))),
            )
            if d and 4 <= _size(d) <= MAX_STANDFIRST_WORDS
        ),
        None,
    )
    if description and _is_lede(tree, description):
        description = None
    if description and not TRUNCATED.search(description):
        return description
    near = _marked_standfirst(tree)
    if near and description:
        head = _key(TRUNCATED.sub("", description))
        return near if _key(near).startswith(head[: max(len(head) - 8, 1)]) else description
    return near or description


def _marked_standfirst(tree: Any) -> str | None:
    """The first element marked as a standfirst that sits next to the page's <h1> or in
    the article with it, and not in a box of other stories."""
    for node in tree.xpath(STANDFIRST_XPATH):
        if node.tag not in ("p", "div", "h2", "span"):
            continue
        if not STANDFIRST_CLASSES.search(node.get("class", "")):
            continue
        found = _unescape(node.text_content())
        if found and 8 <= _size(found) <= MAX_STANDFIRST_WORDS and _near_headline(node):
            return found
    return None


def _near_headline(node: Any) -> bool:
    """Within a few levels of the page's <h1> (or in the <article> that holds it), and in
    no link, list item or box of other stories on the way up."""
    for level, parent in enumerate(node.iterancestors()):
        if level >= 6 or not isinstance(parent.tag, str):
            return False
        marks = _marks(parent)
        if parent.tag in NOT_NEAR_TAGS or TEASER_BOX.search(marks):
            return False
        if (level < 4 or parent.tag == "article") and parent.find(".//h1") is not None:
            return True
    return False


def _is_lede(tree: Any, description: str) -> bool:
    """Whether the description is one of the body's paragraphs (a <p> not marked as a
    standfirst): word for word, or its opening cut short with "…"."""
    cut = bool(TRUNCATED.search(description))
    key = _key(TRUNCATED.sub("", description))
    if len(key) < 40:
        return False
    for node in tree.iter("p"):
        content = node.text_content()
        if len(content) < len(key) or STANDFIRST_CLASSES.search(node.get("class", "")):
            continue
        found = _key(content)
        if found == key or (cut and found.startswith(key)):
            return True
    return False
