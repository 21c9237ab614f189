"""Every path decodes a page's bytes the same way: the crawl (a Scrapy response), a saved
file and a download (``digest.pages``). Valid UTF-8 wins over a wrong declaration; real
one-byte and CJK charsets are still read by their declaration."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import HtmlResponse

from crawler.parsing import page_text
from digest.pages import decode, decode_html

WORDS = "Zölle für Stahl: Über 30 % – „Schutz“ oder Strafe?"
CHINESE = "上海证券交易所周一收盘上涨"


def page(declared: str, body: str) -> str:
    head = f'<meta charset="{declared}"><title>t</title>'
    return f"<html><head>{head}</head><body><p>{body}</p></body></html>"


CASES = [
    # (what, bytes, HTTP content type, text that must come out)
    ("UTF-8 saved with an old gb2312 declaration", page("gb2312", CHINESE).encode(), None, CHINESE),
    ("UTF-8 declaring iso-8859-1", page("iso-8859-1", WORDS).encode(), None, WORDS),
    (
        "UTF-8 served as windows-1252",
        page("utf-8", WORDS).encode(),
        "text/html; charset=windows-1252",
        WORDS,
    ),
    ("UTF-8 with a byte-order mark", b"\xef\xbb\xbf" + page("utf-8", WORDS).encode(), None, WORDS),
    ("real gb2312", page("gb2312", CHINESE).encode("gb2312"), None, CHINESE),
    (
        "real Latin-1",
        page("iso-8859-1", "Zölle für Stahl").encode("latin-1"),
        None,
        "Zölle für Stahl",
    ),
    (
        "real Windows-1252 declared over HTTP only",
        f"<p>{WORDS}</p>".encode("cp1252"),
        "text/html; charset=windows-1252",
        WORDS,
    ),
    ("real Shift-JIS", page("shift_jis", "東京の株価").encode("shift_jis"), None, "東京の株価"),
]


@pytest.mark.parametrize(("what", "body", "content_type", "text"), CASES, ids=[c[0] for c in CASES])
def test_crawl_file_and_download_decode_alike(
    what: str, body: bytes, content_type: str | None, text: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    crawled = page_text(HtmlResponse("https://news.example/a/", body=body, headers=headers))
    saved = decode(body)  # a file: no HTTP header
    downloaded = decode(gzip.compress(body), content_type)
    assert text in crawled
    assert crawled == downloaded == decode_html(body, content_type)
    if content_type is None:
        assert saved == crawled
    assert "Ã" not in crawled and "\ufeff" not in crawled
