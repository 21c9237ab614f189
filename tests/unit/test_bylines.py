"""Bylines: people apart from the credit, in several languages, from JSON-LD, meta tags and
the visible page; image credits, slugs, URLs, handles and the site itself never taken for
a person."""

from __future__ import annotations

import json
from typing import Any

import pytest
from trafilatura.utils import load_html

from digest.bylines import authors, split_byline
from digest.pagetags import MetaTags, ld_articles


def page(head: str = "", body: str = "") -> tuple[tuple[str, ...], str | None]:
    """authors() of a small page, read as digest.metadata reads it."""
    html = (
        f"<html><head><title>T</title>{head}</head><body><main><article>"
        f"<h1>Harbour traffic falls</h1>{body}<p>{'Text of the story. ' * 30}</p>"
        "</article></main></body></html>"
    )
    tree = load_html(html)
    return authors(tree, next(ld_articles(tree), {}), MetaTags(tree))


def ld(author: Any, **extra: Any) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "author": author, **extra}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(name: str, content: str) -> str:
    attr = "property" if ":" in name else "name"
    return f'<meta {attr}="{name}" content="{content}">'


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("Von Anna Schmidt und Jonas Weber", ("Anna Schmidt", "Jonas Weber")),
        ("Autor: Anna Schmidt und Jonas Weber", ("Anna Schmidt", "Jonas Weber")),
        ("Kari Nordmann og Ola Nordmann", ("Kari Nordmann", "Ola Nordmann")),
        ("Av Kari Nordmann og Ola Nordmann", ("Kari Nordmann", "Ola Nordmann")),
        ("Por Ana García y Luis Pérez", ("Ana García", "Luis Pérez")),
        ("Par Camille Lefèvre et Théo Marchand", ("Camille Lefèvre", "Théo Marchand")),
        ("di Mario Rossi e Luca Bianchi", ("Mario Rossi", "Luca Bianchi")),
        ("Door Jan de Vries en Piet Jansen", ("Jan de Vries", "Piet Jansen")),
        ("Anna Svensson och Erik Larsson", ("Anna Svensson", "Erik Larsson")),
        ("Ayşe Yılmaz ve Mehmet Demir", ("Ayşe Yılmaz", "Mehmet Demir")),
        ("Marta Puig i Pere Soler", ("Marta Puig", "Pere Soler")),
        ("By Ann Lee, Bob Smith & Cy Young", ("Ann Lee", "Bob Smith", "Cy Young")),
        ("Written by: Ann Lee and Bob Smith", ("Ann Lee", "Bob Smith")),
        (
            "Martin Dupont (avec Léa Martin et Paul Roy)",
            ("Martin Dupont", "Léa Martin", "Paul Roy"),
        ),
        ("Иван Петров и Анна Смирнова", ("Иван Петров", "Анна Смирнова")),
    ],
)
def test_names_are_split_and_the_label_taken_off_in_several_languages(
    byline: str, people: tuple[str, ...]
) -> None:
    assert split_byline([byline]) == (people, None)


@pytest.mark.parametrize(
    "name",
    [
        "José Ortega y Gasset",  # a short conjunction inside one name
        "Joan Puig i Cadafalch",
        "Ursula von der Leyen",  # "von" is part of the name, not the German label
        "Von der Leyen",
        "Luigi Di Maio",
        "Byron Smith",  # "By" only as a word
        "田中太郎",
    ],
)
def test_a_name_that_looks_like_a_label_or_a_list_stays_whole(name: str) -> None:
    assert split_byline([name]) == ((name,), None)


@pytest.mark.parametrize(
    ("byline", "people", "credit"),
    [
        ("Staff Report", (), "Staff Report"),
        ("By Ann Lee, Reuters", ("Ann Lee",), "Reuters"),
        ("Ann Lee and Bob Smith, Business Desk", ("Ann Lee", "Bob Smith"), "Business Desk"),
        ("Max Mustermann, dpa", ("Max Mustermann",), "dpa"),
        ("AFP/dpa", (), "AFP"),
        ("Quelle: dpa", (), "dpa"),
        ("Ann Lee | The Texas Newsroom", ("Ann Lee",), "The Texas Newsroom"),
        ("Redaktion Wirtschaft", (), "Redaktion Wirtschaft"),
        ("Paycom Blog Contributor", (), "Paycom Blog Contributor"),  # a role, no person
        ("Center for Drug Evaluation and Research", (), "Center for Drug Evaluation and Research"),
        ("Marc Kay WASHINGTON POST", ("Marc Kay",), "WASHINGTON POST"),
        ("SIBYL BRODY McClatchy Newspapers", ("SIBYL BRODY",), "McClatchy Newspapers"),
        ("Ann Lee — Reuters", ("Ann Lee",), "Reuters"),
    ],
)
def test_a_desk_wire_or_organisation_is_the_credit(
    byline: str, people: tuple[str, ...], credit: str
) -> None:
    assert split_byline([byline]) == (people, credit)


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("By Ann Lee, Senior Staff Writer", ("Ann Lee",)),
        ("Daniel Roe, Senior Director, Content & Marketing, Acme and Partners", ("Daniel Roe",)),
        ("Ann Lee, PhD", ("Ann Lee",)),
        ("Dylan Moss, MS, RD, FAND", ("Dylan Moss",)),
        ("Ann Lee, ann.lee@example.com", ("Ann Lee",)),
        ("Ann Lee @annlee", ("Ann Lee",)),
        ("Ann Lee Follow on X", ("Ann Lee",)),
        ("By Ann Lee December 17, 2025", ("Ann Lee",)),
        ("Luke KimDecember 17, 2025", ("Luke Kim",)),  # glued in the page's text
        ("Liam Fitz · Tue 10 Mar 2026, 6:30am", ("Liam Fitz",)),
        ("Ann Lee Updated: 2 hours ago", ("Ann Lee",)),
        ("Richard (R.J.) Roe", ("Richard Roe",)),
        ("Jose Alto View More Articles", ("Jose Alto",)),
        ("Dr. Ann Lee", ("Dr. Ann Lee",)),
    ],
)
def test_titles_credentials_contacts_and_dates_are_taken_off(
    byline: str, people: tuple[str, ...]
) -> None:
    assert split_byline([byline]) == (people, None)


@pytest.mark.parametrize(
    "byline",
    [
        "(Image: Getty Images)",
        "Photo: Ann Lee",
        "Foto: dpa/picture alliance",
        "Getty Images",
        "@annlee",
        "https://example.com/author/emma-mackenzie",
        "The Author",
        "Written by",
    ],
)
def test_image_credits_handles_urls_and_labels_are_nobody(byline: str) -> None:
    assert split_byline([byline]) == ((), None)


@pytest.mark.parametrize(
    ("byline", "credit"),
    [
        ("Deutsche Welle (www.dw.com)", "Deutsche Welle"),
        ("STERN.de", "STERN.de"),
        ("mdr.de", "mdr.de"),
    ],
)
def test_a_domain_is_a_publisher_not_a_person(byline: str, credit: str) -> None:
    assert split_byline([byline]) == ((), credit)


def test_a_user_name_or_slug_is_kept_only_when_nothing_else_names_anyone() -> None:
    assert split_byline(["kffnirmitap"]) == (("kffnirmitap",), None)
    assert split_byline(["emma-mackenzie"]) == (("Emma Mackenzie",), None)
    assert split_byline(["andrew.keaveney", "Ann Lee"]) == (("Ann Lee",), None)
    assert split_byline(["262588213843476"]) == ((), None)  # a numeric profile id


# Whole pages: where the names come from.


def test_json_ld_people_come_first_whatever_their_shape() -> None:
    people = [{"@type": "Person", "name": "Ann Lee"}, "Bob Smith", {"name": ["Cy Young"]}]
    assert page(ld(people)) == (("Ann Lee", "Bob Smith", "Cy Young"), None)


def test_a_json_ld_author_given_by_id_is_looked_up_in_the_graph() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "NewsArticle", "author": {"@id": "#ann"}, "headline": "H"},
            {"@type": "Person", "@id": "#ann", "name": "Ann Lee"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    assert page(head + meta("author", "annlee_admin")) == (("Ann Lee",), None)


def test_the_publisher_as_author_is_the_credit_and_the_visible_byline_names_the_person() -> None:
    head = ld(
        {"@type": "Organization", "name": "Harbour Times"},
        publisher={"@type": "Organization", "name": "Harbour Times"},
    )
    body = '<div class="byline">By <a href="/people/ann-lee">Ann Lee</a> | Reuters</div>'
    assert page(head, body) == (("Ann Lee",), "Reuters")


@pytest.mark.parametrize(
    "author",
    ["Harbour Times", "harbourtimes.co.uk", "The Harbour Times", "HARBOUR TIMES"],
)
def test_the_site_named_as_author_is_the_credit(author: str) -> None:
    head = meta("og:site_name", "Harbour Times") + meta("author", author)
    head += meta("og:url", "https://harbourtimes.example/news/1")
    assert page(head) == ((), author)


def test_the_site_name_after_a_visible_name_is_the_credit() -> None:
    head = ld({"@type": "Person", "name": ", Harbour Times"})
    head += meta("og:site_name", "Harbour Times")
    body = '<div class="byline-section">Ann Lee Harbour Times</div>'
    assert page(head, body) == (("Ann Lee",), "Harbour Times")


def test_a_profile_url_in_the_meta_tags_is_the_text_of_the_link_to_it() -> None:
    url = "https://harbourtimes.example/auteur/5631-camille-lefevre"
    head = meta("article:author", url)
    body = f'<p>Par <a href="{url}">Camille Lefèvre</a></p>'
    assert page(head, body) == (("Camille Lefèvre",), None)


def test_a_profile_url_with_no_link_on_the_page_names_nobody() -> None:
    head = meta("article:author", "https://www.facebook.com/harbourtimes")
    assert page(head) == ((), None)


@pytest.mark.parametrize(
    "name", ["parsely-author", "sailthru.author", "dc.creator", "byl", "article:author"]
)
def test_the_byline_meta_tags(name: str) -> None:
    assert page(meta(name, "By Ann Lee")) == (("Ann Lee",), None)


def test_a_handle_in_the_meta_tags_gives_way_to_the_visible_byline() -> None:
    head = meta("author", "andrew.keaveney")
    body = '<div class="author-info"><span class="author_name">Denise Ever</span></div>'
    assert page(head, body) == (("Denise Ever",), None)
    assert page(head) == (("andrew.keaveney",), None)


@pytest.mark.parametrize(
    "body",
    [
        '<span itemprop="author" itemscope><meta itemprop="url" content="/a">'
        '<span itemprop="name">Ann Lee</span> Senior Writer</span>',
        '<a rel="author" href="/ann">Ann Lee</a>',
        '<div class="author"><span class="author__photo"></span>'
        '<a class="author__name">Ann Lee</a><span class="author__date">2 hours ago</span></div>',
        '<p class="byline">By</p><span itemprop="author">Ann Lee</span>',
        '<div class="post-meta"><span>By</span> <a href="/x">Ann Lee</a></div>',
        '<div class="meta"><p>Written by</p><p>Ann Lee</p></div>',
        '<div class="article-author">The Author</div>'
        '<span class="author-meta--name">Ann Lee</span>',
        '<div class="byline">Ann Lee • 8h</div>',
        '<div class="author-box">CM Ann Lee Last updated on 17 December 2025</div>',
    ],
)
def test_the_visible_byline_in_its_usual_forms(body: str) -> None:
    assert page(body=body) == (("Ann Lee",), None)


def test_several_visible_authors_side_by_side() -> None:
    body = (
        '<p>By <a rel="author" href="/a">Ann Lee</a>'
        ' and <a rel="author" href="/b">Bob Smith</a></p>'
    )
    assert page(body=body) == (("Ann Lee", "Bob Smith"), None)


def test_comment_authors_testimonials_and_image_credits_are_not_the_byline() -> None:
    body = (
        '<figure><figcaption><span class="image-author">(Image: Getty Images)</span>'
        "</figcaption></figure>"
        '<ol class="comments"><li><span class="comment-author">Rita Reader</span></li></ol>'
        '<div class="testimonial-author-wrapper">Tom Client</div>'
        '<span class="author-name">Ann Lee</span>'
    )
    assert page(body=body) == (("Ann Lee",), None)


def test_a_visible_byline_naming_more_people_than_the_feed_wins() -> None:
    head = meta("author", "Ann Lee")
    body = (
        '<a href="/author/ann/">Ann Lee</a> <a href="/author/bob/">Bob Smith</a>'
        ' <a href="/author/cy/">Cy Young</a>'
    )
    assert page(head, body) == (("Ann Lee", "Bob Smith", "Cy Young"), None)


def test_the_declared_people_win_over_a_different_visible_name() -> None:
    head = ld({"@type": "Person", "name": "Ann Lee"})
    body = '<span class="byline">Related: Bob Smith</span>'
    assert page(head, body) == (("Ann Lee",), None)


def test_a_desk_in_the_visible_byline_is_the_credit_beside_the_declared_people() -> None:
    head = ld({"@type": "Person", "name": "Ann Lee"})
    body = '<div class="byline">By Ann Lee, Business Desk</div>'
    assert page(head, body) == (("Ann Lee",), "Business Desk")


def test_a_user_name_shown_after_by_is_the_byline() -> None:
    assert page(body='<p class="byline">by ibby</p>') == (("ibby",), None)
    body = '<span class="author-name">ibby</span><div class="byline">By Ann Lee</div>'
    assert page(body=body) == (("Ann Lee",), None)


def test_a_page_with_no_byline_names_nobody() -> None:
    assert page(meta("twitter:creator", "@harbourtimes")) == ((), None)
