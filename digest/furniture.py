"""What trafilatura lets through, taken out again: furniture lines inside the article
container, the headline repeated on top of the body, and a body split over several
containers of which trafilatura kept one.

Each rule is general (no site, page or URL is named) and was kept only where it raised
precision on the benchmark pages without lowering recall (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

# Lines that are navigation or promotion, not reporting. Matched against the whole line.
FURNITURE_LINE = re.compile(
    r"""^(
      (read|see|view)\s+(more|also)\b.*          # "Read more: …", "See also …"
    | also\s+(read|on|see)\b.*                   # "Also read: …", "Also on example.com …"
    | related(\s+(articles?|stories|news|content|coverage))?\s*:.*
    | \[related\b.*                              # "[Related: …]"
    | more:
    | don'?t\s+miss\b.*
    | you\s+(may|might)\s+also\s+(like|enjoy)\b.*
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
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
SHORTCODE = re.compile(r"\[(\w+)\b[^\]]*\].*\[/\1\]")  # WordPress shortcodes left as text


def clean_body(text: str, *, title: str | None, standfirst: str | None) -> str:
    """The body without furniture lines and without the headline repeated on top."""
    kept = [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]
    kept = _drop_repeated_head(kept, title, standfirst)
    return "\n".join(line for line in kept if not _is_furniture(line))


def _is_furniture(line: str) -> bool:
    return bool(FURNITURE_LINE.match(line) or SHORTCODE.search(line))


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

    Taken only when those containers hold at least 1.3 times the words trafilatura kept
    and contain nearly all of them."""
    words: dict[tuple[str, str], int] = defaultdict(int)
    paragraphs: dict[tuple[str, str], list[str]] = defaultdict(list)
    parents: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for para in tree.iter("p"):
        parent = para.getparent()
        line = " ".join(para.text_content().split())
        if parent is None or not parent.get("class") or not line:
            continue
        key = (parent.tag, parent.get("class"))
        words[key] += len(line.split())
        paragraphs[key].append(line)
        parents[key].add(parent)
    if not words:
        return None
    best = max(words, key=lambda k: words[k])
    kept = text.split()
    if len(parents[best]) < 2 or words[best] < 1.3 * max(len(kept), 1) or not kept:
        return None
    joined = set(" ".join(paragraphs[best]).split())
    inside = sum(1 for word in kept if word in joined) / len(kept)
    return "\n".join(paragraphs[best]) if inside > 0.8 else None
