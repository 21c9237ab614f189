"""Text at the boundaries: what the store may hold, and what a terminal may be shown.

Pages come from servers newsdesk does not control. A title holding ESC, BEL or U+0001
would make the Atom feed invalid XML (XML 1.0 forbids most C0 characters) and could
retitle or clear the operator's terminal when printed. So control characters are taken
out once, when an article is saved (``clean_text``), and output that is printed to a
terminal makes any that an older store still holds visible (``terminal_safe``).
"""

from __future__ import annotations

import re

# C0 (but tab and newline), DEL, C1, lone surrogates and the two non-characters that
# XML 1.0 forbids. Carriage returns are turned into newlines first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("\r\n?|\x85|\u2028|\u2029")
_LINE_SPACE = re.compile("[\t\n]+")
# What a terminal must not receive raw: every C0 but newline and tab, DEL and C1 (U+009B
# is a one-character CSI on many terminals), and the bidi controls that reorder a line.
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` without control characters. Line breaks (CR, CRLF, NEL, U+2028/9) become
    newlines in ``multiline`` text (an article's body) and spaces elsewhere (a title),
    where tabs become spaces too. Nothing else is changed."""
    text = _CONTROL.sub("", _BREAKS.sub("\n", text))
    return text if multiline else _LINE_SPACE.sub(" ", text)


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on written as a visible escape
    (ESC as ``\\u001b``); newlines and tabs are kept. The escapes are JSON's, so JSON
    output stays valid JSON with the same values."""
    return _TERMINAL.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
