"""When an article was published, as the page states it and shows it.

A page's timestamp keeps the page's own UTC offset ("2026-04-28T23:30:00+09:00"): its
calendar day is the day in the publisher's zone, the day readers there saw it. ``to_utc``
gives the same moment in UTC for sorting and filtering.

The declared publication time (JSON-LD, meta tags, <time>) is checked against the dates
the page shows around its headline: a template may declare the day the page was
generated. When the page shows dates there, none of them the declared day, the first one
that is neither labelled as an update ("Updated 18 Dec 2025") nor the declared
modification day is taken. A page that declares nothing is left to the extractor's wider
guess (htmldate, in ``digest.extract``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from digest.clock import read_iso, to_utc_iso
from digest.pagetags import MetaTags, first_attr, text

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "updated",
)
LEADING_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Month names (their first three letters identify them) in the languages news is most
# often written in; a date shown as "18 Dec 2025", "Dec 18, 2025", "18. Dezember 2025",
# "18 de diciembre de 2025", "2025-12-18" or "18.12.2025".
MONTHS = {
    **dict.fromkeys(("jan", "janv", "ene", "gen", "jän", "januar", "janeiro"), 1),
    **dict.fromkeys(("feb", "fév", "fev", "febr"), 2),
    **dict.fromkeys(("mar", "mär", "mrt", "marz", "mars", "março"), 3),
    **dict.fromkeys(("apr", "avr", "abr"), 4),
    **dict.fromkeys(("may", "mai", "mag", "mei", "mayo", "maio"), 5),
    **dict.fromkeys(("jun", "juin", "giu", "juni", "junio", "junho"), 6),
    **dict.fromkeys(("jul", "juil", "lug", "juli", "julio", "julho"), 7),
    **dict.fromkeys(("aug", "aoû", "aou", "ago", "août"), 8),
    **dict.fromkeys(("sep", "sept", "set"), 9),
    **dict.fromkeys(("oct", "okt", "ott", "out"), 10),
    **dict.fromkeys(("nov",), 11),
    **dict.fromkeys(("dec", "déc", "dez", "dic", "des"), 12),
}
_MONTH = r"(?P<{}>[^\W\d_]{{3,10}})\.?"
SHOWN_DATES = re.compile(
    r"\b(?P<y1>(?:19|20)\d\d)-(?P<m1>\d\d)-(?P<d1>\d\d)\b"
    rf"|\b{_MONTH.format('mon2')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)\b"
    rf"|\b(?P<d3>\d{{1,2}})(?:\.|st|nd|rd|th|er)?\s+(?:de\s+)?{_MONTH.format('mon3')},?\s+"
    r"(?:de\s+)?(?P<y3>(?:19|20)\d\d)\b"
    r"|\b(?P<d4>\d{1,2})\.(?P<m4>\d{1,2})\.(?P<y4>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
UPDATE_LABEL = re.compile(
    r"(updated|last\s+(updated|modified|reviewed)|modified|reviewed|revised|aktualisiert"
    r"|mis\s+à\s+jour|actualizad[oa]|atualizad[oa]|aggiornat[oa]|bijgewerkt)\W{0,3}"
    r"(on|am|le|el|em|il|op)?\W{0,3}$",
    re.IGNORECASE,
)
NOT_SHOWN = ("script", "style", "noscript", "template", "nav", "footer", "aside", "form")
SHOWN_TEXT_LIMIT = 30_000  # characters read from the top: headlines come before this
WINDOW_BEFORE, WINDOW_AFTER = 200, 300  # characters of shown text around the headline (fitted)


def published(
    tree: Any, ld: dict[str, Any], tags: MetaTags, headline: str | None = None
) -> str | None:
    """The article's publication time (see the module's rule)."""
    declared = _declared_published(tree, ld, tags)
    if declared is None:
        return None  # the caller's guess (htmldate) reads the page's dates more widely
    shown = shown_dates(tree, headline)
    update = _day(modified(tree, ld, tags) or "")
    plain = [day for day, is_update in shown if not is_update and day != update]
    if plain and _day(declared) not in {day for day, _ in shown}:
        return plain[0].isoformat()  # a template's date, not the one the page shows
    return declared


def modified(tree: Any, ld: dict[str, Any], tags: MetaTags) -> str | None:
    return normalise(text(ld.get("dateModified")) or tags.get(*MODIFIED_META))


def _declared_published(tree: Any, ld: dict[str, Any], tags: MetaTags) -> str | None:
    """JSON-LD article, meta tags, then <time>."""
    for value in (text(ld.get("datePublished")), tags.get(*PUBLISHED_META), _time_element(tree)):
        found = normalise(value)
        if found:
            return found
    return None


def shown_dates(tree: Any, headline: str | None) -> list[tuple[date, bool]]:
    """Dates shown around the headline, in page order, each with whether the page labels
    it as an update."""
    body = tree.find(".//body") if tree.tag != "body" else tree
    if body is None:
        return []
    parts, length = [], 0
    for part in _shown_text(body):
        parts.append(part)
        length += len(part)
        if length > SHOWN_TEXT_LIMIT:
            break
    shown = " ".join(" ".join(parts).split())
    where = shown.find(headline) if headline else -1
    if where < 0:
        window = shown[: WINDOW_BEFORE + WINDOW_AFTER]
    else:
        window = shown[max(0, where - WINDOW_BEFORE) : where + len(headline or "") + WINDOW_AFTER]
    found = []
    for match in SHOWN_DATES.finditer(window):
        day = _to_date(match)
        if day is not None:
            label = window[max(0, match.start() - 40) : match.start()]
            found.append((day, bool(UPDATE_LABEL.search(label))))
    return found


def _shown_text(element: Any) -> Iterator[str]:
    """The text a reader sees, in page order (without scripts, navigation, footers,
    asides, forms and hidden elements)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag not in NOT_SHOWN and element.get("hidden") is None:
        if element.text and tag:
            yield element.text
        for child in element:
            yield from _shown_text(child)
    if element.tail:
        yield element.tail


def _to_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    year = groups["y1"] or groups["y2"] or groups["y3"] or groups["y4"]
    month_name = groups["mon2"] or groups["mon3"]
    if month_name:
        key = month_name.lower()
        month = MONTHS.get(key) or MONTHS.get(key[:4]) or MONTHS.get(key[:3])
    else:
        month = int(groups["m1"] or groups["m4"])
    day = int(groups["d1"] or groups["d2"] or groups["d3"] or groups["d4"])
    if not month:
        return None
    try:
        return date(int(year), month, day)
    except ValueError:
        return None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def normalise(value: str | None) -> str | None:
    """A timestamp as ISO 8601 to the second with the offset the page gave ("Z" is
    +00:00); without an offset, as written; a bare date stays a date; None when it is not
    a date."""
    if not value:
        return None
    raw = value.strip()
    moment = _parse(raw)
    if moment is None:
        match = LEADING_DATE.match(raw)
        return match.group(0) if match else None
    if len(raw) == 10 and LEADING_DATE.fullmatch(raw):
        return raw
    return moment.isoformat(timespec="seconds")


def to_utc(value: str | None) -> str | None:
    """The same moment in UTC; a timestamp without an offset, or a bare date, as it is."""
    found = normalise(value)
    if not found or len(found) == 10:
        return found
    moment = read_iso(found)
    if moment.tzinfo is None:
        return found
    return to_utc_iso(moment)


def _parse(raw: str) -> datetime | None:
    try:
        return read_iso(raw.replace("z", "+00:00"))  # pages write a lower-case z too
    except ValueError:
        pass
    try:  # RFC 2822, as feeds and some meta tags write it
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None


def _time_element(tree: Any) -> str | None:
    return first_attr(
        tree, "//time[@itemprop='datePublished']/@datetime | //time[@datetime]/@datetime"
    )
