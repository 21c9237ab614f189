"""Headline and standfirst: the visible headline when the page's titles confirm it, the
declared title or the <title> without the site's and section's names otherwise, entities
decoded; the standfirst from the page's description, never from a teaser box."""

from __future__ import annotations

from typing import Any

import pytest
from trafilatura.utils import load_html

from digest.pagetags import MetaTags, ld_articles
from digest.titles import clean_title, headline, standfirst

PARAGRAPH = (
    "<p>The council approved the plan on Tuesday evening after a debate that lasted more "
    "than four hours, with several members asking for changes to the timetable.</p>"
)


def page(head: str = "", body: str = "") -> tuple[Any, dict[str, Any], MetaTags]:
    tree = load_html(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
    return tree, next(ld_articles(tree), {}), MetaTags(tree)


def title_of(head: str, body: str = PARAGRAPH, site: str | None = None) -> str | None:
    tree, ld, tags = page(head, body)
    return headline(tree, ld, tags, site or tags.get("og:site_name"))


def standfirst_of(head: str, body: str) -> str | None:
    tree, ld, tags = page(head, body)
    return standfirst(tree, ld, tags)


def og(title: str) -> str:
    return f'<meta property="og:title" content="{title}">'


# ---------------------------------------------------------------- entities


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            "<title>Stadtrat will Altbau zerst&amp;ouml;ren</title>",
            "Stadtrat will Altbau zerstören",
        ),
        (
            og("The &amp;#8216;family&amp;#8217; business that runs the port"),
            "The ‘family’ business that runs the port",
        ),
        (og("Top 27 Software Tools &amp;#038; Platforms"), "Top 27 Software Tools & Platforms"),
        (
            og("Bolsa: el Ibex sube &amp;#8211; la banca lidera las ganancias"),
            "Bolsa: el Ibex sube – la banca lidera las ganancias",
        ),
        (
            og("Paris Baguette wants to be America&amp;#039;s bakery"),
            "Paris Baguette wants to be America's bakery",
        ),
        (
            "<title>L&#8217;&eacute;t&eacute; le plus chaud depuis 1947</title>",
            "L’été le plus chaud depuis 1947",
        ),
    ],
)
def test_entities_are_decoded_even_when_escaped_twice(head: str, expected: str) -> None:
    assert title_of(head) == expected


# ---------------------------------------------------------------- site and section names


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        (
            "Under-siege coach quits after third defeat in a row | Sport",
            None,
            "Under-siege coach quits after third defeat in a row",
        ),
        (
            "Ministerin kündigt Reform der Pflegeversicherung an | DW | 28.04.2023",
            None,
            "Ministerin kündigt Reform der Pflegeversicherung an",
        ),
        (
            "Kino zerstören – Anwohner protestieren | Kultur | Rheinblick | 28.04.2023",
            None,
            "Kino zerstören – Anwohner protestieren",
        ),
        (
            "Wasserstoff-Zug fährt erstmals im Linienbetrieb - Die Neue Südtiroler Tageszeitung",
            "Die Neue Südtiroler Tageszeitung",
            "Wasserstoff-Zug fährt erstmals im Linienbetrieb",
        ),
        (
            "Starbucks founder back at helm amid sliding sales_English_Xinhua",
            None,
            "Starbucks founder back at helm amid sliding sales",
        ),
        (
            "United sign Brazilian striker on five-year deal - Soccer - Sport - Breaking News",
            None,
            "United sign Brazilian striker on five-year deal",
        ),
        (
            "EuroNews : Parliament approves new rules for rescue ships",
            None,
            "Parliament approves new rules for rescue ships",
        ),
        (
            "GlossLip » Ten lipsticks that survive a long lunch",
            None,
            "Ten lipsticks that survive a long lunch",
        ),
        (
            "Le gouvernement présente son budget pour 2026 - Le Monde",
            "Le Monde",
            "Le gouvernement présente son budget pour 2026",
        ),
        (
            "El Banco Central mantiene los tipos de interés | Economía | El Diario",
            None,
            "El Banco Central mantiene los tipos de interés",
        ),
        (
            "宇航员在太空中喝酒会怎么样？后果很严重_探索者_光明网",
            None,
            "宇航员在太空中喝酒会怎么样？后果很严重",
        ),
        ("央行宣布下调存款准备金率 | 财经频道", None, "央行宣布下调存款准备金率"),
        (
            "トレンドマイクロ、無線LANを安全に使うアプリ「フリーWi-Fiプロテクション」を公開｜テックニュース",
            None,
            "トレンドマイクロ、無線LANを安全に使うアプリ「フリーWi-Fiプロテクション」を公開",
        ),
        (
            "ارتفاع أسعار النفط بعد قرار أوبك خفض الإنتاج | الجزيرة نت",
            None,
            "ارتفاع أسعار النفط بعد قرار أوبك خفض الإنتاج",
        ),
    ],
)
def test_site_and_section_names_are_dropped(title: str, site: str | None, expected: str) -> None:
    assert title_of(f"<title>{title}</title>", site=site) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Brexit - what happens next for the Irish border",  # a dash after the first word
        "Review: the new electric estate car is quiet, quick and roomy",  # a colon, not spaced
        "Kino zerstören – Anwohner protestieren gegen den Abriss",  # one kind of separator
        "Tokyo stocks close higher",  # no separator at all
    ],
)
def test_a_headline_with_its_own_punctuation_is_kept_whole(title: str) -> None:
    assert title_of(f"<title>{title}</title>") == title


def test_the_site_is_known_by_its_host_name() -> None:
    head = (
        "<title>NDTV.com: Modi and party leaders discuss poll strategies</title>"
        '<meta property="og:url" content="https://www.harbourpost.example/news/1234">'
    )
    assert title_of(head) == "Modi and party leaders discuss poll strategies"
    head = "<title>Storm closes the harbour for a second day - Harbour Post</title>" + (
        '<link rel="canonical" href="https://www.harbourpost.example/news/1234">'
    )
    assert title_of(head) == "Storm closes the harbour for a second day"


def test_a_broken_title_that_runs_into_a_script_is_cut() -> None:
    tree = load_html(
        "<html><head><title>Israel closes vital Gaza crossings - Ne<script>var ad = 1;"
        "</script></title></head><body><p>Text of the page.</p></body></html>"
    )
    assert headline(tree, {}, MetaTags(tree), None) == "Israel closes vital Gaza crossings"


# ---------------------------------------------------------------- visible headline


def test_the_visible_headline_wins_over_the_seo_title() -> None:
    head = og("Ferry Fares 2026: 5 Things To Know About The New Timetable | Courier") + (
        "<title>Ferry Fares 2026: 5 Things To Know About The New Timetable | Courier</title>"
    )
    body = (
        '<header class="site"><div class="logo"><a href="/">Courier</a></div></header>'
        '<article><h1 class="entry-title">Island ferry fares to rise as winter sailings are cut'
        f"</h1>{PARAGRAPH}</article>"
    )
    assert title_of(head, body) == "Island ferry fares to rise as winter sailings are cut"


def test_a_near_copy_of_the_declared_title_is_the_headline() -> None:
    head = og("Top 10 IT Security Best Practices for 2025: Protect Your Business")
    body = f"<h1>IT &amp; Cybersecurity Best Practices to Protect Your Business</h1>{PARAGRAPH}"
    assert title_of(head, body) == "IT & Cybersecurity Best Practices to Protect Your Business"


@pytest.mark.parametrize(
    ("declared", "shown", "expected"),
    [
        ("Klimapolitik: «Wir haben keine Zeit mehr»", "Wir haben keine Zeit mehr", None),
        (
            "Climat : « Nous n’avons plus le temps », dit la ministre",
            "« Nous n’avons plus le temps », dit la ministre",
            None,
        ),
        ("专题：嫦娥六号完成月背采样任务", "嫦娥六号完成月背采样任务", None),
        ("特集：「見出しの本文がここに入ります」", "見出しの本文がここに入ります", None),
        (
            "Klimapolitik: «Wir haben keine Zeit mehr»",
            '<span class="kicker">Klimapolitik</span> Wir haben keine Zeit mehr',
            "Wir haben keine Zeit mehr",
        ),
    ],
)
def test_a_kicker_before_the_headline_is_dropped(
    declared: str, shown: str, expected: str | None
) -> None:
    body = f"<article><h1>{shown}</h1>{PARAGRAPH}</article>"
    assert title_of(og(declared), body) == (expected or shown)


def test_a_label_or_date_inside_the_h1_is_not_the_headline() -> None:
    head = og("AlignMerge: Merging Language Models with Geometric Constraints")
    body = (
        '<h1 class="title"><span class="descriptor">Title:</span>AlignMerge: Merging Language '
        f"Models with Geometric Constraints</h1>{PARAGRAPH}"
    )
    assert title_of(head, body) == "AlignMerge: Merging Language Models with Geometric Constraints"
    head = "<title>Jeremy Clarkson ripped off - Digital Lifestyle - Macworld UK</title>"
    body = f"<h1><span>Wednesday, 09 January 2008</span> Jeremy Clarkson ripped off</h1>{PARAGRAPH}"
    assert title_of(head, body) == "Jeremy Clarkson ripped off"


def test_a_line_break_in_the_headline_is_a_space() -> None:
    head = og("Storm closes the harbour for a second day")
    body = f"<article><h1>Storm closes the harbour<br>for a second day</h1>{PARAGRAPH}</article>"
    assert title_of(head, body) == "Storm closes the harbour for a second day"


@pytest.mark.parametrize(
    "logo",
    [
        '<div id="header"><h1>Sport</h1></div>',
        '<div class="logo"><h1><a href="/">Harbour Post</a></h1></div>',
        '<div id="subheader"><h1>Latest News</h1></div>',
    ],
)
def test_an_h1_that_is_the_logo_or_a_section_is_not_the_headline(logo: str) -> None:
    head = "<title>Aussies need doubles win at Hopman Cup - Tennis - Sport - Harbour Post</title>"
    body = f'{logo}<div id="story"><h2>Aussies need doubles win at Hopman Cup</h2>{PARAGRAPH}</div>'
    assert title_of(head, body) == "Aussies need doubles win at Hopman Cup"


def test_the_headline_of_an_old_page_is_found_in_its_text() -> None:
    head = "<title>icScotland - Ryan dismayed by Gloucester</title>"
    body = (
        '<table><tr><td><p><font class="big"><strong>Ryan dismayed by Gloucester</strong></font>'
        f"</p>{PARAGRAPH}</td></tr></table>"
    )
    assert title_of(head, body) == "Ryan dismayed by Gloucester"


def test_a_title_that_is_only_the_site_name_gives_way_to_the_article_h1() -> None:
    head = "<title>The Calgary Sun</title>"
    body = (
        '<div class="logo">The Calgary Sun</div>'
        f'<div id="story"><h1>Red-hot frontrunners</h1>{PARAGRAPH}</div>'
    )
    assert title_of(head, body) == "Red-hot frontrunners"


def test_a_headline_class_is_used_when_nothing_else_says_which_is_the_headline() -> None:
    head = "<title>Winona Daily News - 6.0</title>"
    body = (
        '<div class="box"><h1>HOT JOBS</h1></div><div class="box"><h1>COUPONS</h1></div>'
        f'<table><tr><td><p class="headline">Peterson eyes rushing title, playoffs</p>{PARAGRAPH}'
        "</td></tr></table>"
    )
    assert title_of(head, body) == "Peterson eyes rushing title, playoffs"


def test_a_teaser_title_elsewhere_is_not_the_headline() -> None:
    head = "<title>Council approves the harbour plan | Harbour Post</title>"
    body = (
        f"<article><h1>Council approves the harbour plan</h1>{PARAGRAPH}</article>"
        '<aside><h3 class="entry-title"><a href="/x">Council approves the school plan</a></h3>'
        "</aside>"
    )
    assert title_of(head, body) == "Council approves the harbour plan"


def test_a_cut_json_ld_headline_gives_way_to_the_whole_one() -> None:
    whole = (
        "Fix It Friday: How To Arrange Your Living Room (Including One Universal Trick That Works)"
    )
    head = (
        '<script type="application/ld+json">{"@type": "Article", "headline": '
        '"Fix It Friday: How To Arrange Your Living Room (Including"}</script>' + og(whole)
    )
    assert title_of(head, "<p>No headline shown.</p>") == whole


# ---------------------------------------------------------------- clean_title


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Sweden holds rates :: Harbour Post", "Harbour Post", "Sweden holds rates"),
        ("Harbour Post | Sweden holds rates", "Harbour Post", "Sweden holds rates"),
        ("Sweden holds rates - Reuters", None, "Sweden holds rates - Reuters"),  # no guessing
        ("=> The One to Watch: Harmony One <=", None, "The One to Watch: Harmony One"),
        ("## Hyper-Local Regolith Binding", None, "Hyper-Local Regolith Binding"),
        (None, "Harbour Post", None),
        ("", None, None),
    ],
)
def test_clean_title(title: str | None, site: str | None, expected: str | None) -> None:
    assert clean_title(title, site) == expected


def test_clean_title_guesses_short_names_at_the_ends() -> None:
    assert clean_title(
        "Sweden holds rates, signals easing is over - Reuters", None, guess=True
    ) == ("Sweden holds rates, signals easing is over")


# ---------------------------------------------------------------- standfirst

DESCRIPTION = "Exporters say dozens of mills could shut after the government raised the gas tariff."
MUST_READ = (
    '<div class="td_block_wrap td_block_must_read"><h4 class="block-title">Must Read</h4>'
    '<div class="td_module_wrap"><h3 class="entry-title"><a href="/x">Cement despatches rise'
    '</a></h3><div class="td-excerpt">Domestic sales improved as construction resumed on '
    "several public-sector road projects after winter delays.</div></div></div>"
)
ARTICLE = (
    "<article><header><h1>Textile exporters warn of mill closures</h1></header>"
    f"{PARAGRAPH}</article>"
)


def test_the_description_wins_over_a_must_read_teaser_excerpt() -> None:
    head = f'<meta property="og:description" content="{DESCRIPTION}">'
    assert standfirst_of(head, ARTICLE + MUST_READ) == DESCRIPTION
    assert standfirst_of(head, MUST_READ + ARTICLE) == DESCRIPTION


def test_a_teaser_excerpt_is_never_the_standfirst() -> None:
    assert standfirst_of("", ARTICLE + MUST_READ) is None


@pytest.mark.parametrize("name", ["description", "twitter:description"])
def test_the_meta_description_counts_too(name: str) -> None:
    head = f'<meta name="{name}" content="{DESCRIPTION}">'
    assert standfirst_of(head, ARTICLE + MUST_READ) == DESCRIPTION


def test_the_json_ld_description_counts_too() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"description": "{DESCRIPTION}"}}</script>'
    )
    assert standfirst_of(head, ARTICLE + MUST_READ) == DESCRIPTION


def test_a_standfirst_next_to_the_headline_is_used_without_a_description() -> None:
    dek = "Exporters say dozens of spinning and weaving mills could shut within months."
    body = (
        "<article><header><h1>Textile exporters warn of mill closures</h1>"
        f'<p class="standfirst">{dek}</p></header>{PARAGRAPH}</article>{MUST_READ}'
    )
    assert standfirst_of("", body) == dek


def test_a_cut_description_gives_way_to_the_whole_standfirst() -> None:
    dek = "Exporters say dozens of spinning and weaving mills could shut within months of the rise."
    head = '<meta name="description" content="Exporters say dozens of spinning and weaving mills…">'
    body = (
        f'<article><h1>Textile exporters warn of mill closures</h1><p class="dek">{dek}</p>'
        f"{PARAGRAPH}</article>"
    )
    assert standfirst_of(head, body) == dek


def test_a_description_that_is_the_first_paragraph_is_not_a_standfirst() -> None:
    lede = (
        "The council approved the plan on Tuesday evening after a debate that lasted more "
        "than four hours, with several members asking for changes to the timetable."
    )
    head = f'<meta property="og:description" content="{lede}">'
    assert standfirst_of(head, ARTICLE) is None
    body = ARTICLE.replace("<p>", '<p class="FirstParagraph">')
    assert standfirst_of(head, body) is None
    cut = f'<meta property="og:description" content="{lede[:90]}…">'
    assert standfirst_of(cut, ARTICLE) is None


def test_a_description_shown_as_the_standfirst_is_the_standfirst() -> None:
    head = f'<meta property="og:description" content="{DESCRIPTION}">'
    body = (
        "<article><h1>Textile exporters warn of mill closures</h1>"
        f'<p class="article-standfirst">{DESCRIPTION}</p>{PARAGRAPH}</article>'
    )
    assert standfirst_of(head, body) == DESCRIPTION


def test_entities_in_the_description_are_decoded() -> None:
    head = (
        '<meta property="og:description" '
        'content="Prices rise &amp;#8211; and the bank waits for more data.">'
    )
    assert standfirst_of(head, ARTICLE) == "Prices rise – and the bank waits for more data."
