"""Who wrote an article: people apart from the desk, wire or agency credited.

``authors(tree, ld, tags)`` is the entry point; ``split_byline`` cleans a list of byline
strings.

Where the names come from, first found wins:

1. the JSON-LD article's ``author`` (a string, a Person, a list; a bare ``@id`` is looked
   up in the page's other JSON-LD objects; an Organization is a credit);
2. the byline <meta> tags (``author``, ``article:author``, ``parsely-author``, ...); a
   value that is a profile URL becomes the text of the page's link to that URL, or nothing;
3. the visible byline, found in one pass: ``itemprop=author`` (its nested
   ``itemprop=name`` first), ``rel=author`` links, an author or byline class holding a
   name, any byline class, any author class, a link to an author's page; the innermost
   element of a kind, with its like neighbours (several authors side by side); never in
   comments, testimonials, navigation or the footer;
4. a "By ..." line, or a "By" label and the element after it, just below the headline;
5. a user name or slug the page declares ("kffnirmitap"), else one it shows: only when
   nothing above names a person.

A visible byline naming every declared person and more (with full names) replaces the
declared list: feeds often keep only the first author. Every candidate goes through the
same cleaning: labels in several languages ("By", "Von", "Par", "Por", "Door", "Di",
"Av", "Autor:"), dates, e-mail addresses, handles, URLs, image credits, job titles and
post-nominal letters taken off; names split on commas, pipes, bullets, spaced dashes and
the conjunctions of several languages; the site itself, its domain, a desk, a wire, an
agency or an organisation moved to the credit (a wire before the site's own name).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from digest.pagetags import MetaTags, ld_objects, text

# Bylines that name a desk, a wire service or the newsroom rather than a person.
CREDIT = re.compile(
    r"\b(desk|staff|team|bureau|newsroom|editorial|editors|wire|wires|agenc(y|ies)|report"
    r"|reporters|correspondents|news\s+service|web\s+news|redaktion(en)?|rédaction"
    r"|redacci[oó]n|redazione|redactie|redaksjonen|redaktionen|redakce|redakcja|toimitus"
    r"|nachrichtenagentur|agencias|agenzia|agentur(en)?)\b"
    r"|^(reuters|ap|associated\s+press|afp|agence\s+france-presse|app|pti|ani|ians|bloomberg"
    r"|xinhua|dpa|efe|ansa|nni|online|inp|upi|kyodo|yonhap|tass|anadolu|bernama|press\s+trust"
    r"\s+of\s+india|apa|sda|keystone-sda|anp|ntb|tt|ritzau|čtk|ctk|pap|epd|kna|lusa|aap"
    r"|pa|pa\s+media|europa\s+press|adnkronos|canadian\s+press|jiji)$",
    re.IGNORECASE,
)
# What a person does, after the name: "Ann Lee, Senior Staff Writer" ends at the comma.
ROLE = re.compile(
    r"\b(writer|reporter|correspondent|editor|columnists?|contributor|journalist|director"
    r"|manager|head|lead|founder|co-founder|ceo|cto|cfo|coo|officer|president|chair(man|woman)?"
    r"|specialist|analyst|technologist|scientist|expert|strategist|consultant|researcher"
    r"|professor|fellow|intern|producer|host|presenter|photographer|designer|engineer"
    r"|developer|marketer|coordinator|representative|associate|assistant|advis[eo]r"
    r"|attorney|lawyer|m\.?d|ph\.?d|redakteur(in)?|korrespondent(in)?|journalistin"
    r"|rédact(eur|rice)|journaliste|envoyée?\s+spéciale?|periodista|redactora?|corresponsal"
    r"|giornalista|redattrice|redattore|inviat[oa]|jornalista|correspondente|verslaggever"
    r"|redacteur|journalist|skribent|reporteri|toimittaja)\b",
    re.IGNORECASE,
)
# A label before the names: "By", "Written by:", "Von", "Par", "Autor:", "Texto:".
LABEL = (
    r"(?:(?:(?:written|posted|reported|words|story|compiled|edited)\s+by|by|(?:ein\s+\w+\s+)?von"
    r"|geschrieben\s+von|(?:écrit\s+)?par|(?:escrito\s+)?por|door|(?:scritto\s+)?da|di|av|af)"
    r"(?:\s*:|(?=\s)|$)"
    r"|(?:authors?|autor(?:in|en|es|as|a)?|auteur(?:e|s)?|autore|forfatter|författare"
    r"|kirjoittaja|text|texte|texto|tekst|testo|source|quelle|fuente|fonte|kilde|källa|zdroj"
    r"|作者)\s*[:：])"
)
BYLINE_LABEL = re.compile(rf"^\s*{LABEL}\s*", re.IGNORECASE)
LABEL_ONLY = re.compile(rf"^\s*{LABEL}\s*$", re.IGNORECASE)
# The label words that are also the first word of a name: taken off only when at least
# two words follow and the next is not a name particle ("von der Leyen", "Di Maio").
NAME_LIKE_LABEL = re.compile(r"^(?:von|di|da|af|av|door)$", re.IGNORECASE)
# Words of a name that are lower case: "Ursula von der Leyen", "Michiel de Jong".
PARTICLES = frozenset(
    {"van", "von", "der", "den", "dem", "de", "del", "della", "degli", "dei", "di", "da"}
    | {"du", "des", "dos", "das", "do", "le", "la", "el", "al", "bin", "ben", "ibn", "ter"}
    | {"ten", "te", "zu", "zur", "y", "e", "i", "af", "av"}
)
# Not names: the label of a byline box, a placeholder, a social network.
NOT_NAMES = frozenset(
    {"author", "authors", "the author", "about the author", "written by", "posted by", "by"}
    | {"admin", "administrator", "guest", "guest author", "guest post", "anonymous", "unknown"}
    | {"autor", "autorin", "auteur", "redaktion", "contributor", "contributors", "more by"}
    | {"facebook", "twitter", "x", "instagram", "linkedin", "youtube", "email", "e-mail"}
    | {"share", "print"}
)
IMAGE_CREDIT = re.compile(
    r"^\s*[(\[]?\s*(image|images|photo|photos|photograph|picture|pictures|foto|fotos|bild|bilder"
    r"|illustration|graphic|video|credit|credits)\b"
    r"|getty\s*images|shutterstock|istock|alamy|imago|picture[\s-]alliance|unsplash"
    r"|afp\s+photo|ap\s+photo",
    re.IGNORECASE,
)
# Separators between names, in several languages; the short conjunctions that are also
# parts of names or other words (Spanish "y", Italian and Portuguese "e", Catalan and
# Polish "i", Czech "a", Dutch "en") only between two names of two words or more:
# "Ortega y Gasset" is one name, "Ana García en Madrid" one person.
SEPARATORS = re.compile(
    r"\s*(?:[,;|•·/]|\s(?:&|--?|–|—)\s|(?-i:(?<=[a-z]{3})\.\s(?=[A-Z]))"
    r"|\s(?:and|und|og|och|et|ve|ja|és|и|with|mit|avec|con|com|met)\s)\s*",
    re.IGNORECASE,
)
WEAK_SEPARATOR = re.compile(r"\s+(?:y|e|i|a|en)\s+")
MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli"
    r"|okt|dez|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre"
    r"|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre"
    r"|noviembre|diciembre"
)
# Where the links after the names start: "Ann Lee Follow", "Ann Lee View more articles".
AFTER_NAMES = re.compile(
    r"\s+(?:follow|folgen|suivre|seguir|view\s+(?:all|more|profile)|see\s+all|read\s+more"
    r"|more\s+(?:articles|stories|posts)\s+by|(?:all|more)\s+(?:articles|stories|posts))\b.*$",
    re.IGNORECASE,
)
# Where a date or a time starts in a byline line: the rest of the line goes.
DATE_TAIL = re.compile(
    r"(?:\s+(?:on|at|am|le|el|il|op|den|de|dia|the)\b)?"
    r"(?:\s*\b(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?)?"
    r"(?:\s*(?:\b(?i:" + MONTHS + r")|(?<=[a-z])(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov"
    r"|Dec))[a-zé]*\.?\s*(?=\d))?"
    r"\s*\d.*$"
    r"|\s*\b(?:last\s+)?(?:updated|published|modified|aktualisiert|veröffentlicht|publié"
    r"|mis\s+à\s+jour|actualizado|publicado|aggiornato|pubblicato|bijgewerkt|gepubliceerd"
    r"|oppdatert|publisert|uppdaterad|publicerad|před|hace|il\s+y\s+a|vor\s+\d)\b.*$",
    re.IGNORECASE,
)
# One-word user names: andrew.keaveney, emma-mackenzie, kffnirmitap, CBSNews
HANDLE = re.compile(r"^(?=.*[^\W\d_])(?:[^\W_]+(?:[._-][^\W_]+)+|[a-z0-9_]+|\w*[a-z][A-Z]\w*)$")
NAME_SLUG = re.compile(r"^[a-z]{2,}(?:-[a-z]{2,}){1,3}$")  # emma-mackenzie
# Letters after a name: "Dylan Bailey, MS, RD", "Michael Greger, M.D. FACLM"
CREDENTIALS = re.compile(r"^(?:(?:[A-Z]\.?){2,6}|Ph\.?\s?D\.?|M\.?D\.?|Jr\.?|Sr\.?|[IV]{2,3})$")
ORGANISATION = re.compile(
    r"\b(center|centre|institute|institut|association|university|universität|université"
    r"|universidad|department|council|foundation|stiftung|society|committee|agency|ministry"
    r"|office|organi[sz]ation|group|inc|ltd|llc|gmbh|ag|corp|corporation|company|services"
    r"|network|media|magazine|journal|press|verlag|verein|partners|lab|labs|club|project"
    r"|program|programme|school|college|hospital|clinic|government)\b",
    re.IGNORECASE,
)
TLD = r"(?:[a-z]{2}|com|org|net|info|news|online|media|blog|biz|gov|edu|app|dev|tech|site|live)"
DOMAIN = re.compile(rf"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.{TLD}/?$", re.IGNORECASE)
BARE_DOMAIN_IN_BRACKETS = re.compile(
    rf"[(\[]\s*(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.{TLD}/?\s*[)\]]", re.IGNORECASE
)
# What follows a site's name in a byline naming the site: "Spiegel Online", "STERN.de".
SITE_SUFFIX = re.compile(r"^(?:online|digital|de|com|news|tv|redaktion|magazin|magazine|net)$")
ORGANIZATION_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "organisation", "ngo"}
)
META_NAMES = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "cxenseparse:author",
)
MAX_BYLINE = 160  # characters: a longer text is a bio or a teaser, not a byline


class _Site:
    """The site's own names (og:site_name, publisher, domain): a byline naming them is the
    publisher, not a person."""

    def __init__(self, names: list[str], url: str | None) -> None:
        self.names = [n for n in dict.fromkeys(names) if len(_key(n)) >= 3]
        self.keys = {_key(n) for n in self.names}
        host = (urlsplit(url).hostname or "") if url else ""
        labels = [p for p in host.lower().split(".") if p and p != "www"]
        generic = {"com", "co", "org", "net", "gov", "ac", "edu", "news"}
        core = [p for p in labels[:-1] if p not in generic]
        if core and len(core[-1]) >= 2:
            self.keys.add(_key(core[-1]))

    def is_named(self, value: str) -> bool:
        key = _key(value)
        if not key:
            return False
        if key in self.keys:
            return True
        # "STERN.de", "Spiegel Online": the site's name and a suffix
        return any(
            len(k) >= 4 and key.startswith(k) and SITE_SUFFIX.match(key[len(k) :])
            for k in self.keys
        )

    def cut(self, line: str) -> tuple[str, str | None]:
        """A visible byline with the site's name after the person ("Brian Truitt USA
        TODAY"): the line without it, and the name."""
        for name in self.names:
            found = re.search(rf"(?:^|\s|\W)({re.escape(name)})\s*$", line, re.IGNORECASE)
            if found and found.start(1) > 0:
                return line[: found.start(1)].rstrip(" ,|-–—/"), found.group(1)
        return line, None


class _Found:
    """What one or more byline strings yield: people, a credit, and user names or slugs
    kept only for when nothing better turns up."""

    def __init__(self) -> None:
        self.people: list[str] = []
        self.credit: str | None = None
        self.weak: list[str] = []

    def add(self, other: _Found) -> None:
        keys = {_key(p) for p in self.people}
        self.people += [p for p in other.people if _key(p) not in keys]
        self.credit = self.credit or other.credit
        self.weak += [w for w in other.weak if w not in self.weak]

    def person(self, name: str) -> None:
        if _key(name) not in {_key(p) for p in self.people}:
            self.people.append(name)

    def credited(self, name: str) -> None:
        self.credit = self.credit or name


def authors(tree: Any, ld: dict[str, Any], tags: MetaTags) -> tuple[tuple[str, ...], str | None]:
    """(people, credit) of the page: JSON-LD and meta authors first, the visible byline
    otherwise, a user name or slug the page declares last; a desk, agency or the site
    itself named in a byline becomes the credit."""
    site = _site(tree, ld, tags)
    declared = _declared(tree, ld, tags, site)
    visible = _visible(tree, site)
    if not visible.people and not declared.people:
        visible.add(_headline_byline(tree, site))
    people = declared.people
    keys = {_key(p) for p in people}
    more = [p for p in visible.people if _key(p) not in keys]
    if visible.people and (
        not people or (keys < {_key(p) for p in visible.people} and all(" " in p for p in more))
    ):
        people = visible.people  # the page shows everyone the feed names, and more
    credits = [c for c in (declared.credit, visible.credit) if c]
    credit = next((c for c in credits if not site.is_named(c)), next(iter(credits), None))
    if not people:  # a user name the page declares, else one it shows
        people = [_from_slug(w) for w in declared.weak or visible.weak]
    return tuple(people), credit


def split_byline(names: list[str]) -> tuple[tuple[str, ...], str | None]:
    """People apart from a desk or agency credit: ["By Ann Lee, Reuters"] -> (Ann Lee,), Reuters."""
    found = _split(names, None)
    people = found.people or [_from_slug(w) for w in found.weak]
    return tuple(people), found.credit


def _split(names: list[str], site: _Site | None, *, declared: bool = True) -> _Found:
    found = _Found()
    for raw in names:
        found.add(_parse_line(raw, site, declared=declared))
    return found


def _parse_line(raw: str, site: _Site | None, *, declared: bool) -> _Found:
    found = _Found()
    line = " ".join(unicodedata.normalize("NFKC", raw).replace("\u200b", "").split())
    if not line or IMAGE_CREDIT.search(line):
        return found
    line = AFTER_NAMES.sub("", line)
    labelled = bool(BYLINE_LABEL.match(line))
    organisation = bool(BARE_DOMAIN_IN_BRACKETS.search(line))  # "Deutsche Welle (www.dw.com)"
    line = re.sub(r"\((?:with|avec|mit|con|com|met|med)\s+([^)]*)\)", r", \1", line, flags=re.I)
    line = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", line)  # "Richard (R.J.) Eskow"
    line = re.sub(r"\S+@\S+\.\w+|https?://\S+|(?<!\w)@\w+", " ", line)
    line = _drop_label(" ".join(line.split())).strip(" .,;|-–—:")
    if site and site.is_named(line):
        found.credited(line)  # "98 Buck Social" on 98bucksocial.com
        return found
    if not _is_domain(line):
        line = DATE_TAIL.sub("", line)
    if site and not declared:
        line, site_name = site.cut(line)
        if site_name:
            found.credited(site_name)
    line = line.strip(" .,;|-–—:")
    if not line:
        return found
    if organisation or (ORGANISATION.search(line) and not re.search(r"[,;|•·/]", line)):
        found.credited(line)  # "Center for Drug Evaluation and Research" is one name
        return found
    for part in _parts(line):
        name = _drop_label(part.strip(" .·-–—:,'\"“”‘’*"))
        if re.match(r"^[\w ]{1,20}:", name):
            continue  # "design: Scott McDaniel": a credit line, not the byline
        if not name or name.casefold() in NOT_NAMES:
            continue
        if found.people and ROLE.search(name):
            break  # "Ann Lee, Senior Staff Writer, ...": the rest describes her
        if (
            _is_domain(name)
            or (site and site.is_named(name))
            or CREDIT.search(name)
            or ORGANISATION.search(name)
            or re.match(r"the\s", name, re.IGNORECASE)
        ):
            found.credited(name)
        elif found.people and CREDENTIALS.match(name):
            continue  # "Ann Lee, PhD"
        elif ROLE.search(name):
            found.credited(name)  # "Staff Writer", "Paycom Blog Contributor" alone
        elif len(name.split()) == 1 and HANDLE.match(name):
            if declared or not name.islower() or not labelled:
                found.weak.append(name)  # kffnirmitap, andrew.keaveney, emma-mackenzie
            else:
                found.person(name)  # shown on the page as the byline: "by ibby"
        elif declared and len(name) > 2 and name.isupper() and " " not in name:
            found.credited(name)  # "MECLABS"
        else:
            name, organisation_after = _case_switch(_drop_initials(name))
            if _is_name(name):
                found.person(name)
                if organisation_after:
                    found.credited(organisation_after)
    return found


def _drop_label(line: str) -> str:
    found = BYLINE_LABEL.match(line)
    if not found:
        return line
    rest = line[found.end() :]
    words = rest.split()
    name_like = NAME_LIKE_LABEL.match(found.group(0).strip(" :")) and ":" not in found.group(0)
    if name_like and (len(words) < 2 or words[0].casefold() in PARTICLES):
        return line  # "Di Maio", "von der Leyen"
    return rest


def _drop_initials(name: str) -> str:
    """An avatar's initials or a credential glued before a name: "CM Craig McCarthy",
    "FAND Dylan Bailey" -> the name."""
    words = name.split()
    if len(words) < 3 or not words[0].isupper() or words[1].isupper():
        return name
    if words[0] == "".join(w[0] for w in words[1:]) or CREDENTIALS.match(words[0]):
        return " ".join(words[1:])
    return name


def _case_switch(name: str) -> tuple[str, str | None]:
    """A name and a publication told apart by their case: "SIBYLLA BRODY McClatchy
    Newspapers", "Marc Kay WASHINGTON POST" -> the name, and the rest as a credit."""
    words = name.split()
    caps = [w.isupper() and len(w) > 1 for w in words]
    if not all(w[0].isupper() for w in words):
        return name, None
    for i in range(2, len(words) - 1):
        same_before, same_after = len(set(caps[:i])) == 1, len(set(caps[i:])) == 1
        if same_before and same_after and caps[0] != caps[i]:
            return " ".join(words[:i]), " ".join(words[i:])
    return name, None


def _parts(line: str) -> list[str]:
    parts: list[str] = []
    for chunk in SEPARATORS.split(line):
        pieces = WEAK_SEPARATOR.split(chunk)
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            parts += pieces
        else:
            parts.append(chunk)
    return parts


def _is_name(name: str) -> bool:
    """Whether a cleaned part reads as a person's name: letters, at most six words, not a
    sentence."""
    words = name.split()
    if not words or len(name) > 60 or len(words) > 6:
        return False
    if not re.fullmatch(r"[^\W\d_]+(?:[ .'’‘-]+[^\W\d_]+)*\.?", name):
        return False
    if len(words) == 1 and len(name) <= 3 and name.isupper():
        return False  # an avatar's initials, "CM"
    cased = [w for w in words if w[0].lower() != w[0].upper()]
    upper = [w for w in cased if w[0].isupper()]
    lower = [w for w in cased if w[0].islower() and w.casefold() not in PARTICLES]
    return not (upper and lower)  # "Denise Everheart is a freelance writer"


def _from_slug(value: str) -> str:
    """A user name as it is; a name slug as the name ("emma-mackenzie" -> "Emma Mackenzie")."""
    if NAME_SLUG.match(value):
        return " ".join(w.capitalize() for w in value.split("-"))
    return value


def _key(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold().strip()
    value = re.sub(r"^(https?://)?(www\.)?", "", value)
    if _is_domain(value):
        value = value.split("/")[0].rsplit(".", 1)[0]
    value = re.sub(r"^the\s+", "", value)
    return re.sub(r"[\W_]+", "", value)


def _is_domain(value: str) -> bool:
    return " " not in value.strip() and bool(DOMAIN.match(value.strip()))


def _site(tree: Any, ld: dict[str, Any], tags: MetaTags) -> _Site:
    names = [
        v
        for n in ("og:site_name", "application-name", "publisher", "article:publisher")
        for v in tags.values.get(n, [])
        if "/" not in v
    ]
    publisher = ld.get("publisher")
    for item in publisher if isinstance(publisher, list) else [publisher]:
        names += _ld_names(item)
    url = tags.get("og:url") or next(
        (str(u) for u in tree.xpath("/html/head/link[@rel='canonical']/@href")), None
    )
    return _Site(names, url)


def _declared(tree: Any, ld: dict[str, Any], tags: MetaTags, site: _Site) -> _Found:
    """People and credit the page declares: JSON-LD, else the first byline meta tag that
    names someone."""
    found = _Found()
    value = ld.get("author")
    items = value if isinstance(value, list) else [value] if value else []
    names: list[str] = []
    index: dict[str, Any] | None = None
    for item in items:
        if isinstance(item, dict) and not item.get("name") and item.get("@id"):
            if index is None:  # {"@id": ...}: the Person is elsewhere in the @graph
                index = {str(o.get("@id")): o for o in ld_objects(tree) if o.get("name")}
            item = index.get(str(item["@id"]), item)
        types = item.get("@type", "") if isinstance(item, dict) else ""
        types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        item_names = _ld_names(item)
        if item_names and any(str(t).lower() in ORGANIZATION_TYPES for t in types):
            found.credited(item_names[0])
            continue
        if not item_names and isinstance(item, dict):
            item_names = [n for n in [_link_text(tree, item.get("url"))] if n]
        names += item_names
    found.add(_split(names, site))
    if found.people:
        return found
    for meta in META_NAMES:
        values = [
            _link_text(tree, v) or "" if re.match(r"https?://|www\.|/", v) else v
            for v in tags.values.get(meta, [])
        ]
        from_meta = _split([v for v in values if v], site)
        found.add(from_meta)
        if from_meta.people:
            return found
    return found


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("name")
    values = value if isinstance(value, list) else [value]
    return [n for n in (text(v) for v in values) if n]


def _link_text(tree: Any, url: Any) -> str | None:
    """The text of the page's link to a profile URL ("/auteur/5631-alexandre-hervaud")."""
    url = text(url)
    if not url or not url.startswith(("http", "/")):
        return None
    path = urlsplit(url).path
    if len(path) < 2:
        return None
    for link in tree.xpath("//a[@href=$u or @href=$p]", u=url, p=path):
        found = " ".join(link.text_content().split())
        if found and _is_name(found):
            return found
    return None


# Paths of the pages about a writer: a link to one names the writer.
AUTHOR_PAGES = (
    "author",
    "authors",
    "autor",
    "autoren",
    "autores",
    "auteur",
    "auteurs",
    "autore",
    "autori",
    "contributor",
    "contributors",
    "journalist",
    "journalisten",
    "reporter",
    "redakteur",
    "forfatter",
    "skribent",
)
# Elements that may hold the visible byline, found in one pass and ranked in ``_ranked``:
# schema.org itemprop=author, rel=author links, an author or byline class holding a name,
# any byline class, any author class, a link to an author's page.
CANDIDATES = (
    "//*[contains(@itemprop, 'author') or contains(@rel, 'author') or contains(@class, 'uthor')"
    " or contains(@class, 'UTHOR') or contains(@class, 'yline') or contains(@class, 'YLINE')"
    " or contains(@class, 'autor') or contains(@class, 'auteur')"
    " or self::a[contains(@href, '/aut') or contains(@href, '/contrib')"
    " or contains(@href, '/journalist') or contains(@href, '/reporter')"
    " or contains(@href, '/redakteur') or contains(@href, '/forfatter')"
    " or contains(@href, '/skribent')]]"
)
AUTHOR_PAGE = re.compile(rf"/(?:{'|'.join(AUTHOR_PAGES)})/", re.IGNORECASE)
# Class or id words of a block that is not the article's byline.
NOT_BYLINE = re.compile(
    r"authority|comment|testimonial|bio\b|bio[-_]|description|desc\b|avatar|image|img|photo"
    r"|social|follow|more-by|related|recommend|popular|share|role|job|position|designation"
    r"|date|time|title|count|list-item-author|login|logout|account|menu|signin|sign-in",
    re.IGNORECASE,
)


def _visible(tree: Any, site: _Site) -> _Found:
    """The first visible byline that names someone; the elements of one kind that sit
    together (siblings, or children of siblings) are one byline of several people."""
    result = _Found()
    for nodes in _ranked(tree.xpath(CANDIDATES)):
        nodes = [n for n in nodes if _byline_node(n)]
        if not nodes:
            continue
        containers = {a for n in nodes for a in n.iterancestors()}
        nodes = [n for n in nodes if n not in containers] or nodes  # the name, not its box
        first = nodes[0]
        group = [first] + [n for n in nodes[1:] if _together(first, n)]
        found = _Found()
        for node in group:
            found.add(_split(_node_names(node), site, declared=False))
        if found.people:
            found.credit = found.credit or result.credit
            return found
        result.credit = result.credit or found.credit
        result.weak = result.weak or found.weak
    return result


def _tokens(value: str | None) -> list[str]:
    return (value or "").lower().split()


WRITER_CLASSES = ("byline", "author", "autor", "auteur")
RANKS: tuple[Callable[[Any], bool], ...] = (
    lambda n: "author" in _tokens(n.get("itemprop")) and n.tag != "meta",
    lambda n: n.tag == "a" and "author" in _tokens(n.get("rel")),
    lambda n: any(w in _class(n) for w in WRITER_CLASSES) and "name" in _class(n),
    lambda n: "byline" in _class(n),
    lambda n: any(w in _class(n) for w in WRITER_CLASSES[1:]) and n.tag not in ("meta", "img"),
    lambda n: n.tag == "a" and bool(AUTHOR_PAGE.search(n.get("href") or "")),
)


def _class(node: Any) -> str:
    return (node.get("class") or "").lower()


def _ranked(candidates: list[Any]) -> list[list[Any]]:
    """The candidates of each rank, in document order."""
    return [[n for n in candidates if rank(n)] for rank in RANKS]


def _together(first: Any, other: Any) -> bool:
    """Two elements of the same kind side by side: <a rel=author>A</a>, <a rel=author>B</a>."""
    if other.tag != first.tag or other.get("class") != first.get("class"):
        return False
    parent, other_parent = first.getparent(), other.getparent()
    if other_parent is parent:
        return True
    if parent is None or other_parent is None:
        return False
    return parent.getparent() is not None and other_parent.getparent() is parent.getparent()


def _byline_node(node: Any) -> bool:
    if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript", "svg"):
        return False
    own = f"{node.get('class') or ''} {node.get('id') or ''}"
    if NOT_BYLINE.search(own) and "name" not in own.lower():
        return False
    for parent in node.iterancestors():
        marks = f"{parent.get('class') or ''} {parent.get('id') or ''}".lower()
        if "comment" in marks or "testimonial" in marks or parent.tag in ("footer", "nav"):
            return False
    return True


def _node_names(node: Any) -> list[str]:
    names = node.xpath(".//*[@itemprop='name']")
    if names:
        return [n.get("content") or _text(n) for n in names]
    found = _text(node)
    return [found] if found and len(found) <= MAX_BYLINE else []


def _text(node: Any) -> str:
    parts = node.xpath(".//text()[not(ancestor::script or ancestor::style)]")
    return " ".join(" ".join(str(p) for p in parts).split())


def _headline_byline(tree: Any, site: _Site) -> _Found:
    """A "By ..." line, or a "By" label and the element after it, among the first elements
    below a headline."""
    for node in tree.xpath("//h1/following::*[position() <= 40][not(self::script or self::style)]"):
        own = " ".join((node.text or "").split())
        if not own:
            continue
        if LABEL_ONLY.match(own):  # <span>By</span> <a>Ann Lee</a>, <p>By <a>Ann Lee</a></p>
            after = node.getnext()
            lines = [_text(node), own + " " + (node.tail or "").strip()]
            lines += [own + " " + _text(after)] if after is not None else []
        elif BYLINE_LABEL.match(own) and len(own) <= MAX_BYLINE:
            lines = [_text(node)]
        else:
            continue
        found = _split([n for n in lines if len(n) <= MAX_BYLINE], site, declared=False)
        if found.people:
            return found
    return _Found()
