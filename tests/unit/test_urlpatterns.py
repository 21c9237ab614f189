"""Learning article URL patterns from a judged sample (digest/urlpatterns.py), and the
``[[sources]]`` table they go into (digest/survey.py). Each case holds back URLs the
learner never saw and checks the patterns on them, as the crawler applies them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crawler.parsing import is_article_candidate
from digest.config import Source, parse_config
from digest.sourcetable import default_name, toml_table
from digest.urlpatterns import Learned, learn, pick_sample, shape

B = "https://news.example"


def taken(learned: Learned, url: str) -> bool:
    """Whether the crawler would fetch ``url`` as an article under the learned rules."""
    source = Source(
        name="s",
        homepage=B + "/",
        article_patterns=learned.article_patterns,
        deny_patterns=learned.deny_patterns,
    )
    return is_article_candidate(url, source)


def test_a_url_is_read_as_kinds_of_segments_an_ending_and_query_keys() -> None:
    found = shape(f"{B}/2026/12/05/pakistan-invites-japanese-firms/")
    assert [(s.kind, s.words) for s in found.segments] == [
        ("num", 1),
        ("num", 1),
        ("num", 1),
        ("slug", 4),
    ]
    assert found.slash and not found.extension
    page = shape(f"{B}/list.php?page=2&cat=markets")
    assert page.extension == ".php"
    assert [(k, v.kind) for k, v in page.query] == [("cat", "word"), ("page", "num")]


def test_date_paths_against_tag_and_author_pages() -> None:
    articles = [f"{B}/2026/11/{d:02d}/kse-100-closes-higher-on-bank-{d}/" for d in range(1, 9)]
    others = [f"{B}/tag/{t}/" for t in ("banking", "trade", "supply-chain")]
    others += [f"{B}/author/sana-mirza/", f"{B}/2026/11/"]
    learned = learn(
        {**dict.fromkeys(articles[:3], True), **dict.fromkeys(others, False)}, articles + others
    )
    assert all(taken(learned, u) for u in articles)  # five never sampled
    assert not any(taken(learned, u) for u in others)
    assert taken(learned, f"{B}/2027/01/31/rupee-gains-against-the-dollar/")
    assert not taken(learned, f"{B}/tag/energy/")


def test_slug_length_splits_articles_from_tag_pages_under_one_prefix() -> None:
    articles = [f"{B}/news/pakistan-invites-japanese-firms-to-mining-{i}" for i in range(6)]
    tags = [f"{B}/news/{t}" for t in ("climate-change", "supply-chain-finance", "oil-and-gas")]
    learned = learn(
        {**dict.fromkeys(articles[:2], True), **dict.fromkeys(tags[:2], False)}, articles + tags
    )
    assert all(taken(learned, u) for u in articles)
    assert not any(taken(learned, u) for u in tags)  # "oil-and-gas" was never sampled
    assert taken(learned, f"{B}/news/state-bank-holds-policy-rate-at-ten")


def test_a_path_word_seen_only_outside_articles_is_denied_and_new_sections_still_match() -> None:
    articles = [f"{B}/{s}/cement-sales-rise-in-the-north-{i}" for i, s in enumerate("ab" * 3)]
    articles = [u.replace("/a/", "/business/").replace("/b/", "/markets/") for u in articles]
    tags = [f"{B}/tag/cement-sales-in-the-north-region", f"{B}/tag/rupee-outlook-for-the-year"]
    learned = learn({**dict.fromkeys(articles, True), **dict.fromkeys(tags, False)}, articles)
    assert learned.deny_patterns and "tag" in learned.deny_patterns[0]
    assert taken(learned, f"{B}/economy/textile-exports-rise-nine-percent")  # unseen section
    assert not taken(learned, f"{B}/tag/textile-exports-and-imports-this-year")


def test_the_one_path_word_of_articles_is_named_when_listings_share_their_shape() -> None:
    articles = [f"{B}/story/{n}" for n in (48213, 48214, 50001)]
    listings = [f"{B}/section/1", f"{B}/section/2"]
    learned = learn({**dict.fromkeys(articles, True), **dict.fromkeys(listings, False)}, [])
    assert learned.article_patterns == (r"^https?://[^/]+/story/\d+$",)
    assert not learned.deny_patterns


def test_query_string_ids_match_any_id_and_no_other_query() -> None:
    articles = [f"{B}/article.php?id={n}" for n in (7, 123, 98765)]
    learned = learn(
        {articles[0]: True, f"{B}/list.php?cat=markets": False, f"{B}/index.php": False},
        articles,
    )
    assert all(taken(learned, u) for u in articles)
    assert not taken(learned, f"{B}/list.php?cat=economy")
    assert not taken(learned, f"{B}/article.php?id=5&page=2")


def test_pages_no_rule_separates_are_reported_and_the_majority_decides() -> None:
    urls = [f"{B}/p/{n}" for n in range(5)]
    learned = learn({urls[0]: True, urls[1]: True, urls[2]: False}, urls)
    assert learned.conflicts == [urls[2]]
    rule = learned.article[0]
    assert (rule.sampled, rule.articles, rule.links) == (3, 2, 5)
    assert rule.precision == pytest.approx(2 / 3)


def test_groups_with_no_article_or_no_sample_give_no_pattern() -> None:
    learned = learn({f"{B}/about/": False}, [f"{B}/about/", f"{B}/topics/energy?x=1"])
    assert learned.article == [] and learned.unsampled == 1


def test_the_sample_covers_every_shape_before_a_second_page_of_any() -> None:
    urls = [f"{B}/2026/11/{d:02d}/slug-of-story-{d}/" for d in range(1, 30)]
    urls += [f"{B}/tag/{t}/" for t in ("a", "b", "c")]
    urls += [f"{B}/author/sana-mirza/", f"{B}/about/", f"{B}/?page=2"]
    picked = pick_sample(urls, 5)
    assert len({shape(u).key for u in picked}) == 5
    more = pick_sample(urls, 40, known=picked)
    assert not set(more) & set(picked)
    assert set(more) | set(picked) <= set(urls)
    # once each tag page's word has been seen, a shape's pages stop being sampled
    assert len([u for u in more if "/tag/" in u]) <= 3


def test_the_proposed_table_is_valid_toml_and_a_valid_source(tmp_path: Path) -> None:
    articles = [f"{B}/news/pakistan-invites-japanese-firms-{i}" for i in range(3)]
    learned = learn({**dict.fromkeys(articles, True), f"{B}/news/climate-change": False}, [])
    table = {
        "name": default_name("https://www.profit.pakistantoday.com.pk/"),
        "homepage": "https://www.profit.pakistantoday.com.pk/",
        "feeds": ["https://www.profit.pakistantoday.com.pk/feed/"],
        "article_patterns": list(learned.article_patterns),
        "allow_private_address": True,
    }
    text = toml_table(table)
    raw = tomllib.loads(text)
    assert raw["sources"][0] == table
    cfg = parse_config(raw, tmp_path / "newsdesk.toml", text)  # RE2 compiles the patterns
    assert cfg.sources[0].name == "profit-pakistantoday-com-pk"
    assert cfg.sources[0].article_regexes[0].search(articles[0] + "-more")


def test_an_id_at_the_end_of_a_slug_sets_articles_apart_from_section_pages() -> None:
    articles = [f"{B}/news/business-6812345{n}" for n in range(4)]
    articles += [f"{B}/news/world-asia-6799001{n}" for n in range(2)]
    sections = [f"{B}/news/science_and_environment", f"{B}/news/in_pictures"]
    learned = learn(
        {**dict.fromkeys(articles[::2], True), **dict.fromkeys(sections, False)},
        articles + sections,
    )
    assert all(taken(learned, u) for u in articles)
    assert not any(taken(learned, u) for u in sections)
    assert taken(learned, f"{B}/news/uk-politics-68000001")


def test_month_names_in_date_paths_are_not_pinned_and_case_is_kept() -> None:
    articles = [f"{B}/Business/2025/dec/{d:02d}/shares-rise-as-rates-fall-{d}" for d in range(1, 6)]
    learned = learn(dict.fromkeys(articles[:2], True), articles)
    assert all(taken(learned, u) for u in articles)
    assert taken(learned, f"{B}/Business/2026/jan/02/rupee-opens-the-year-higher")


def test_articles_under_several_sections_deny_the_other_words_not_name_the_sections() -> None:
    articles = [f"{B}/{s}/oil-prices-climb-on-supply-cuts-{i}" for i, s in enumerate("ab")]
    articles = [u.replace("/a/", "/business/").replace("/b/", "/markets/") for u in articles]
    authors = [f"{B}/authors/john-smith-and-co", f"{B}/authors/sana-mirza-khan-jr"]
    learned = learn({**dict.fromkeys(articles, True), **dict.fromkeys(authors, False)}, [])
    assert taken(learned, f"{B}/legal/court-rules-on-merger-of-two-banks")  # unseen section
    assert not taken(learned, f"{B}/authors/zara-sheikh-the-writer")


def test_a_page_linked_with_and_without_its_slash_matches_either_way() -> None:
    articles = [f"{B}/2025/11/0{d}/pakistan-invites-japanese-firms/" for d in range(1, 4)]
    learned = learn(dict.fromkeys(articles, True), articles)
    assert taken(learned, f"{B}/2025/11/05/state-bank-holds-the-rate")
    assert taken(learned, f"{B}/2025/11/05/state-bank-holds-the-rate/")
