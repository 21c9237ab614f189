"""The lead comes first and no summary opens mid-story (issue #16).

Every article here is written for these tests: short business stories with the leads a
digest meets (a plain lead, a hook, a question, a dateline, a byline, a quotation), a
one-sentence article and a list-heavy one.
"""

from __future__ import annotations

import pytest

from digest.summarise import (
    first_sentence,
    informative_lead,
    is_informative_lead,
    opens_mid_story,
    split_sentences,
    summarise,
)

RATE_LEAD = (
    "The Central Bank of Ruritania kept its benchmark interest rate at 9.25 percent on "
    "Thursday, its fourth hold in a row, citing stubborn food inflation."
)
RATE = "\n".join(
    [
        RATE_LEAD,
        "The decision matched the forecasts of 11 of the 13 economists polled by the Courier "
        "last week.",
        "In its statement, the Monetary Policy Committee said headline inflation rose to 7.9 "
        "percent in October from 7.1 percent in September, driven by wheat and sugar prices.",
        "It said the external account had improved as exports of rice and cotton picked up.",
        "However, the committee warned that a rise in global oil prices could push inflation "
        "above its target range of 5 to 7 percent next year.",
        "Deputy Governor Anna Petrov told reporters that real interest rates remained positive.",
    ]
)
HOOK = "\n".join(
    [
        "Call it a cement price war.",
        "Cement makers in the northern region cut the price of a 50kg bag by Rs. 120 this "
        "month, dealers said on Saturday, as new kilns flooded the market.",
        "The cuts began when one mill offered discounts to distributors in central Punjab.",
        "Despatches fell 8 percent year-on-year to 3.3 million tonnes in October.",
        "Analysts expect margins to shrink further before demand recovers in the spring.",
    ]
)
QUESTION = "\n".join(
    [
        "Is the rupee's slide finally over?",
        "Pakistan's rupee gained 0.4 percent against the dollar on Tuesday, its third rise, "
        "as exporters sold dollars ahead of the month end.",
        "They expect the currency to hold steady until the next import payments fall due.",
        "Dealers said the central bank had not intervened in the interbank market this week.",
    ]
)
DATELINE = "\n".join(
    [
        "By Staff Reporter",
        "KARACHI:",
        "Photo: Containers stacked at the East Wharf.",
        "KARACHI: The port trust began operating automated gates at its East Wharf terminals "
        "on Wednesday, part of a Rs. 9.6 billion upgrade meant to halve truck waiting times.",
        "Hauliers must now book a time slot through a mobile application.",
        "The trust expects average turnaround to fall below five hours by June.",
    ]
)
QUOTE_FIRST = "\n".join(
    [
        '"Nobody wants to hold stock when prices are falling," said a dealer in Rawalpindi.',
        "Steel bar prices fell by Rs. 8,000 a tonne in November, the steepest monthly drop "
        "this year, as builders delayed purchases and mills cleared their inventories.",
        "He said orders had halved since September.",
        "Mills have cut output by about a fifth, according to the steel producers' association.",
    ]
)
ONE_SENTENCE = (
    "Northwind Airways will resume daily flights between Lahore and Dubai from December 1, "
    "the airline said on Monday."
)
LIST_HEAVY = "\n".join(
    [
        "Pakistan's exports rose 6 percent to $2.9 billion in October, led by textiles and "
        "rice, the statistics bureau said on Thursday.",
        "Main gains:",
        "- Textiles: $1.6 billion",
        "- Rice: $310 million",
        "- Surgical goods: $45 million",
        "Imports fell 3 percent to $4.6 billion, narrowing the trade deficit to $1.7 billion.",
        "Officials said lower oil prices had cut the import bill.",
    ]
)
ARTICLES = {
    "rate": RATE,
    "hook": HOOK,
    "question": QUESTION,
    "dateline": DATELINE,
    "quote-first": QUOTE_FIRST,
    "one-sentence": ONE_SENTENCE,
    "list-heavy": LIST_HEAVY,
}
BUDGETS = [(1, 70), (2, 40), (3, 70), (3, 30), (5, 120)]


def first_of(summary: str) -> str:
    return split_sentences(summary)[0]


def test_the_lead_is_kept_when_it_is_informative() -> None:
    summary = summarise(RATE)
    assert summary.startswith(RATE_LEAD)
    assert informative_lead(RATE) == RATE_LEAD


def test_one_sentence_picks_the_lead_not_the_committees_statement() -> None:
    assert summarise(RATE, sentences=1) == RATE_LEAD


@pytest.mark.parametrize(
    ("name", "opening"), [("hook", "Cement makers"), ("question", "Pakistan's rupee")]
)
def test_a_hook_or_question_lead_gives_way_to_the_first_informative_sentence(
    name: str, opening: str
) -> None:
    text = ARTICLES[name]
    summary = summarise(text)
    assert informative_lead(text) is None  # the first sentence is not informative
    assert summary.startswith(opening)
    assert "?" not in summary and "price war" not in summary


def test_a_dateline_and_byline_are_furniture_and_the_dated_lead_is_kept() -> None:
    summary = summarise(DATELINE)
    assert summary.startswith("KARACHI: The port trust began operating automated gates")
    assert "Staff Reporter" not in summary and "Photo" not in summary
    assert first_sentence(DATELINE) == informative_lead(DATELINE)


def test_a_quotation_lead_is_not_the_opener() -> None:
    summary = summarise(QUOTE_FIRST)
    assert informative_lead(QUOTE_FIRST) is None
    assert summary.startswith("Steel bar prices fell")
    assert not summary.startswith('"')


def test_a_one_sentence_article_is_its_own_summary() -> None:
    assert summarise(ONE_SENTENCE) == ONE_SENTENCE
    assert summarise(ONE_SENTENCE, words=5) == ONE_SENTENCE  # the lead alone, whole


def test_a_list_heavy_article_keeps_its_lead_and_no_list_items() -> None:
    summary = summarise(LIST_HEAVY)
    assert summary.startswith("Pakistan's exports rose 6 percent")
    assert "Main gains" not in summary and "- " not in summary


@pytest.mark.parametrize("name", ARTICLES)
@pytest.mark.parametrize(("sentences", "words"), BUDGETS)
def test_no_summary_opens_with_a_sentence_that_leans_on_one_left_out(
    name: str, sentences: int, words: int
) -> None:
    text = ARTICLES[name]
    opening = first_of(summarise(text, sentences=sentences, words=words))
    assert opening == first_sentence(text) or not opens_mid_story(opening)


@pytest.mark.parametrize("name", ARTICLES)
@pytest.mark.parametrize(("sentences", "words"), BUDGETS)
def test_budgets_hold_with_whole_sentences_unless_the_lead_alone_is_longer(
    name: str, sentences: int, words: int
) -> None:
    text = ARTICLES[name]
    summary = summarise(text, sentences=sentences, words=words)
    sentences_ = [s for s in split_sentences(text) if any(c.islower() for c in s)]  # no "KARACHI:"
    picked = [s for s in sentences_ if s in summary]
    assert " ".join(picked) == summary  # whole article sentences, in order
    assert len(picked) <= sentences
    lead = informative_lead(text)
    if lead is not None and len(lead.split()) > words:
        assert summary == lead
    else:
        assert len(summary.split()) <= words or len(picked) == 1


def test_a_lead_longer_than_the_budget_comes_back_alone_and_whole() -> None:
    assert summarise(RATE, words=10) == RATE_LEAD


@pytest.mark.parametrize(
    "sentence",
    [
        "It said the external account had improved.",
        "This is the second cut in a month.",
        "They expect the currency to hold steady.",
        "He said orders had halved since September.",
        "Their shares fell 4 percent.",
        "But the committee warned of higher oil prices.",
        "However, exports slowed in November.",
        "Meanwhile, the rupee weakened.",
        "In addition, the bank raised its reserve requirement.",
        "In its statement, the committee said inflation rose.",
        "The decision matched the forecasts of most economists.",
        "The memorandum offers 190 MHz in the 3.5 GHz band.",
        "The venture, named Indus Motors, is 60 percent owned by Ashraf Industries.",
        "KARACHI: The cut is the second in a month.",
        '"They have my guarantee," said the chairman.',
    ],
)
def test_dependent_openings_are_detected(sentence: str) -> None:
    assert opens_mid_story(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        RATE_LEAD,
        "The price of cement rose 4 percent last month.",
        "The State Bank of Pakistan kept its policy rate unchanged on Tuesday.",
        "US crude prices rose above $53 a barrel on Monday.",
        "This week, the central bank sold $200 million of dollar bonds.",
        "Retail prices in Lahore fell to Rs. 1,290 a bag.",
        "KARACHI: Workers' remittances rose to $3.4 billion in October.",
        "Deputy Governor Anna Petrov told reporters that rates were positive.",
        "The world's biggest carmaker General Motors is recalling 200,000 vehicles.",
    ],
)
def test_self_contained_openings_pass(sentence: str) -> None:
    assert not opens_mid_story(sentence)


@pytest.mark.parametrize(
    ("sentence", "informative"),
    [
        (RATE_LEAD, True),
        ("The dollar hit its highest level against the euro in three months on Monday.", True),
        ("Call it a cement price war.", False),
        ("Is the rupee's slide finally over?", False),
        ('"We cannot compete at these prices," the chairman said on Monday.', False),
        ("It was the deal nobody in the market expected to see this year.", False),
        ("Main gains:", False),
    ],
)
def test_informative_leads_are_told_from_hooks(sentence: str, informative: bool) -> None:
    assert is_informative_lead(sentence) is informative
