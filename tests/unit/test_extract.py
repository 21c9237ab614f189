from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from digest import extract as extract_module
from digest.extract import extract
from digest.furniture import clean_body, drop_other_stories, recover_split_body
from digest.store import BRIEF_VERDICTS
from digest.urls import canonical_url
from tests.conftest import EXAMPLE_PATH, FIXTURES, FURNITURE, SITE

BASE = "https://profit.example"


def page(path: str) -> str:
    html = (SITE / path.strip("/") / "index.html").read_text(encoding="utf-8")
    return html.replace("__BASE__", BASE)


def test_example_keeps_the_eight_paragraphs_and_nothing_else() -> None:
    result = extract(page(EXAMPLE_PATH), BASE + EXAMPLE_PATH)
    paragraphs = (FIXTURES / "example_paragraphs.txt").read_text(encoding="utf-8").splitlines()
    assert result.is_article
    assert result.text.split("\n") == paragraphs
    for furniture in FURNITURE:
        assert furniture not in result.text


def test_example_metadata() -> None:
    result = extract(page(EXAMPLE_PATH), BASE + EXAMPLE_PATH + "?utm_source=x#comments")
    assert result.title == "Pakistan invites Japanese firms to invest in mineral sector"
    assert result.authors == ()
    assert result.credit == "Monitoring Desk"  # a desk, not a person
    assert result.published_at == "2025-11-05T09:32:10+00:00"  # 14:32:10 at +05:00
    assert result.site_name == "Profit by Pakistan Today"
    assert result.language == "en"
    assert result.url == BASE + EXAMPLE_PATH


@pytest.mark.parametrize("path", ["/tag/japan/", "/author/monitoring-desk/"])
def test_archive_pages_are_not_articles(path: str) -> None:
    result = extract(page(path), BASE + path)
    assert not result.is_article
    assert "not an article page" in (result.reason or "")


def test_a_short_page_is_not_an_article() -> None:
    head = '<head><meta property="og:type" content="article"></head>'
    html = f"<html>{head}<body><article><p>Just a line of text here.</p></article></body></html>"
    result = extract(html, BASE + "/x/")
    assert not result.is_article
    assert "too short" in (result.reason or "")
    assert (result.reason or "").startswith(BRIEF_VERDICTS)  # known to the store as a brief


def test_a_short_page_that_says_nothing_of_itself_is_not_called_a_brief() -> None:
    """A small tag page with no og:type and no date: not an article, and not a brief, so
    the crawl keeps reading it for links."""
    items = "".join(f'<li><a href="/story-{i}/">Story {i}</a></li>' for i in range(5))
    page = f"<html><body><ul>{items}</ul><p>Five stories.</p></body></html>"
    result = extract(page, BASE + "/tag/copper/")
    assert result.reason == "not an article: no article markup and no publication date"
    assert not (result.reason or "").startswith(BRIEF_VERDICTS)


@pytest.mark.parametrize(
    ("page_url", "declared", "expected"),
    [
        ("https://a.example/x/?utm_source=t&b=2&a=1#c", None, "https://a.example/x/?a=1&b=2"),
        ("https://a.example/x/?fbclid=1", "https://a.example/canon/", "https://a.example/canon/"),
        ("https://a.example/x/", "https://evil.example/y/", "https://a.example/x/"),
        ("https://a.example/x/", "/rel/", "https://a.example/rel/"),
        ("HTTPS://A.Example/x", None, "https://a.example/x"),
    ],
)
def test_canonical_url(page_url: str, declared: str | None, expected: str) -> None:
    assert canonical_url(page_url, declared) == expected


# --- body: furniture lines, teaser and summary boxes, split bodies, other stories --------

PARAGRAPH = (
    "The council approved the budget on Tuesday after a debate that lasted most of the "
    "evening, with members arguing over the cost of road repairs and new street lighting."
)


@pytest.mark.parametrize(
    "line",
    [
        "MORE: Council approves new bus routes",
        "[Read: Cafeteria workers to get a raise]",
        "Read next: The bridge that took ten years",
        "Lesen Sie auch: Was die Koalition jetzt plant",
        "Mehr zum Thema",
        "Das könnte Sie auch interessieren",
        "Lire aussi : Les critiques du projet de loi",
        "Lee también: El Gobierno aprueba el plan",
        "Leia também: O plano do governo",
        "Related stories",
        "| Related Articles |",
        "- Related: Council approves new bus routes",
        "Most viewed in business",
        "Externer Inhalt",
        "Link zum YouTube-Inhalt",
        "Link zum YouTube-Inhalt: youtube.com/watch?v=abc",
        "Link to YouTube content",
        "Embedded content",
        "Watch on YouTube",
        "View this post on Instagram",
        "Photo: Jane Doe/Agency",
        "(Photo by Jane Doe/Getty Images)",
        "Photo courtesy of the city council",
        "Foto: dpa",
        "Follow us on Facebook, Instagram and X for the latest news.",
        "Get the day's top headlines delivered to your inbox every morning.",
        "Published: Friday, January 11, 2008",
        "© Example News 2026. All rights reserved.",
    ],
)
def test_furniture_lines_go(line: str) -> None:
    assert clean_body(f"{PARAGRAPH}\n{line}\n{PARAGRAPH}", title=None, standfirst=None) == (
        f"{PARAGRAPH}\n{PARAGRAPH}"
    )


@pytest.mark.parametrize(
    "line",
    [
        "More than 200 people attended the meeting.",
        "Related work on the bridge will start in May.",
        "Picture this: a bridge that nobody crosses.",
        "Image Processing Onramp from MathWorks",
        "Published in 2008, the report found that most people were wrong.",
        "Key takeaways",  # English summary boxes are body on the benchmark pages
        "Link zur Studie: Die Forscher haben 400 Haushalte befragt.",
    ],
)
def test_reporting_lines_stay(line: str) -> None:
    text = f"{PARAGRAPH}\n{line}\n{PARAGRAPH}"
    assert clean_body(text, title=None, standfirst=None) == text


def test_a_teaser_box_at_the_end_goes_with_its_standfirsts() -> None:
    body = [PARAGRAPH] * 6
    box = [
        "Related stories",
        "Council approves new bus routes for the northern townships",
        "The changes shorten the longest morning ride in the district by twenty minutes.",
        "Cafeteria workers to get a 4 percent raise",
        "The agreement also adds two paid training days and a new overtime rule for summer.",
    ]
    assert clean_body("\n".join(body + box), title=None, standfirst=None) == "\n".join(body)


def test_a_teaser_box_in_the_middle_goes_and_the_body_after_it_stays() -> None:
    first, second = [PARAGRAPH] * 5, [PARAGRAPH.replace("Tuesday", "Friday")] * 3
    box = ["Don't miss", "Bridge closed for a week", "Ice fishing derby returns to the bay"]
    text = "\n".join(first + box + second)
    assert clean_body(text, title=None, standfirst=None) == "\n".join(first + second)


def test_a_heading_left_over_from_a_box_goes_alone() -> None:
    first, second = [PARAGRAPH] * 5, [PARAGRAPH.replace("Tuesday", "Friday")] * 4
    text = "\n".join([*first, "Most read in world news", *second])
    assert clean_body(text, title=None, standfirst=None) == "\n".join(first + second)


def test_a_teaser_heading_early_in_the_body_is_only_a_line() -> None:
    body = [PARAGRAPH] * 6
    text = "\n".join(["Related coverage", "- Budget vote delayed", *body])
    expected = "\n".join(["- Budget vote delayed", *body])
    assert clean_body(text, title=None, standfirst=None) == expected


def test_a_german_summary_box_goes_with_its_points() -> None:
    text = "\n".join(["Das Wichtigste in Kürze", "- Erster Punkt.", "- Zweiter Punkt.", PARAGRAPH])
    assert clean_body(text, title=None, standfirst=None) == PARAGRAPH


def story_page(*, next_headline: str) -> str:
    half = "<p>" + PARAGRAPH + "</p>"
    other = "<p>" + PARAGRAPH.replace("council", "harbour board") + "</p>"
    return f"""<html><body><div id="content">
    <article><h1>Council passes budget</h1>
      <div class="body">{half * 2}</div><div class="ad">Advertisement</div>
      <div class="body">{half}</div></article>
    <article>{next_headline}<div class="body">{other * 6}</div></article>
    </div></body></html>"""


@pytest.mark.parametrize(
    "headline",
    [
        "<h1>Harbour board approves fish market</h1>",
        '<h2><a href="/harbour/">Harbour board approves fish market</a></h2>',
        "<h2>Harbour board approves fish market</h2><time>13 January</time>",
    ],
)
def test_a_split_body_is_not_joined_to_the_next_story(headline: str) -> None:
    tree = load_html(story_page(next_headline=headline))
    kept = "\n".join([PARAGRAPH] * 2)  # trafilatura kept the first half
    recovered = recover_split_body(tree, kept)
    assert recovered == "\n".join([PARAGRAPH] * 3)


def test_a_split_body_is_joined_across_a_list_of_plain_items() -> None:
    item = f'<h3>Item</h3><div class="text"><p>{PARAGRAPH}</p></div>'
    items = f'<article class="item">{item}</article>' * 4
    tree = load_html(f"<html><body><main><section>{items}</section></main></body></html>")
    assert recover_split_body(tree, PARAGRAPH) == "\n".join([PARAGRAPH] * 4)


def test_a_split_body_is_not_joined_to_link_lists() -> None:
    links = "".join(f'<a href="/s/{n}">Story number {n} of the day</a> ' for n in range(12))
    tree = load_html(
        f'<html><body><div class="col"><p>{links}</p></div>'
        f'<div class="col"><p>{PARAGRAPH}</p></div></body></html>'
    )
    assert recover_split_body(tree, PARAGRAPH) is None


def test_lines_of_another_story_on_the_page_go() -> None:
    tree = load_html(story_page(next_headline="<h1>Harbour board approves fish market</h1>"))
    other = PARAGRAPH.replace("council", "harbour board")
    text = "\n".join([PARAGRAPH, other])
    assert drop_other_stories(tree, text, "Council passes budget") == PARAGRAPH


def test_a_short_precise_pass_gives_way_to_a_plain_one_that_finds_much_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {True: " ".join(["word"] * 60), False: " ".join(["word"] * 400)}
    monkeypatch.setattr(
        extract_module, "_trafilatura", lambda tree, url, *, favor_precision: texts[favor_precision]
    )
    assert extract_module._body_text(None, BASE) == texts[False]


@pytest.mark.parametrize(("precise", "plain"), [(250, 2000), (60, 100)])
def test_a_precise_pass_stays_otherwise(
    monkeypatch: pytest.MonkeyPatch, precise: int, plain: int
) -> None:
    texts = {True: " ".join(["word"] * precise), False: " ".join(["word"] * plain)}
    monkeypatch.setattr(
        extract_module, "_trafilatura", lambda tree, url, *, favor_precision: texts[favor_precision]
    )
    assert extract_module._body_text(None, BASE) == texts[True]


def _listing_item(n: int) -> str:
    return (
        f'<li><a href="/news/story-{n}">Cement maker number {n} raises its output in Sindh</a>'
        f' <time datetime="2026-11-{n + 1:02d}T09:00:00+05:00">November {n + 1}</time>'
        f"<p>Dealers in Karachi say demand held steady through the month of trading.</p></li>"
    )


def test_a_page_that_lists_other_pages_headlines_is_a_listing_not_an_article() -> None:
    """No og:type, a date and enough words: only its links show it is a section page."""
    items = "".join(_listing_item(n) for n in range(8))
    html = f"<html><head><title>Business</title></head><body><h1>Business</h1><ul>{items}</ul>"
    html += "</body></html>"
    result = extract(html, BASE + "/business/")
    assert not result.is_article
    assert result.reason is not None and result.reason.startswith("a listing: 8 headline links")


def test_an_article_with_a_related_stories_box_stays_an_article() -> None:
    body = " ".join(
        f"<p>The company said sales of cement rose {n} percent in the quarter as builders in "
        "Lahore and Karachi resumed work on housing schemes delayed by the rains.</p>"
        for n in range(6)
    )
    related = "".join(_listing_item(n) for n in range(3))
    html = (
        "<html><head><title>Cement sales rise</title>"
        '<meta property="article:published_time" content="2026-11-05T09:00:00+05:00">'
        f"</head><body><article><h1>Cement sales rise</h1>{body}"
        f"<h2>Related</h2><ul>{related}</ul></article></body></html>"
    )
    result = extract(html, BASE + "/news/cement-sales-rise")
    assert result.is_article, result.reason
