"""Tests for photo captions and credits in text saved from a page: captions without a credit
(an agency's dated caption, a line echoing a sentence of the text), credits on lines of their
own, and lines that only look like either. Fixtures are excerpts of real pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchlib import Article, parse_article
from searchlib.articles.article import Image
from searchlib.articles.captions import dated_caption, echoed_captions
from searchlib.articles.images import credit_line, split_caption

NEWS = Path(__file__).resolve().parent / "fixtures" / "news"


@pytest.fixture(scope="module")
def child_care() -> Article:
    return parse_article((NEWS / "child_care.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dollar() -> Article:
    return parse_article((NEWS / "dollar_bill.txt").read_text(encoding="utf-8"))


def test_agency_captions_through_the_body_leave_it(child_care: Article) -> None:
    assert [image.caption for image in child_care.images] == [
        "Adriane Burnett reads to her son Karter Robinson in Birmingham, Alabama, April 14, 2024.",
        "FILE - Mike and Jane Roberts tend to their son, Dennis, at their Pocatello, Idaho, "
        "home on March 1, 2024.",
        "Adriane Burnett helps her son Josiah with his studies April 14, 2024, in Birmingham, Ala.",
    ]
    assert child_care.caption == child_care.images[0].caption
    assert "Adriane" not in child_care.body and "FILE" not in child_care.body


def test_a_dated_sentence_of_the_story_stays_in_the_body(child_care: Article) -> None:
    paragraphs = child_care.body.split("\n\n")
    assert paragraphs[0].startswith("After a series of lower-paying jobs")
    assert paragraphs[-1] == "The new child care rules take effect on January 1, 2025."
    assert child_care.quotes[0].speaker == "Nicole Slemp"


@pytest.mark.parametrize(
    "paragraph",
    [
        "The new rules take effect on January 1, 2025.",
        "The plant closed in Flint, Michigan, on May 1, 2020, the company said.",
        "Burnett filed for bankruptcy. She sold her car in Birmingham, Alabama, April 14, 2024.",
        '"We were there," she recalled of the rally in Austin, Texas, March 3, 2024.',
        "FILE is the name of the command that lists them.",
        "The first line\nof a poem, April 14, 2024.",
    ],
)
def test_prose_is_no_dated_caption(paragraph: str) -> None:
    assert not dated_caption(paragraph)


def test_captions_echoing_the_text_leave_the_body_once(dollar: Article) -> None:
    assert [image.caption for image in dollar.images] == [
        "Currency collectors nationwide are on hunt for some rare dollar bills, willing to pay "
        "up to $150,000 for those with a specific printing error",
        "According to the personal finance blog Wealthynickel , two batches of $1 bills printed "
        "in 2014 and 2016 contain this particular error from the US Bureau of Engraving and "
        "Printing",
        "Only nine of these pairs have been matched, leaving millions of rare $1 bills out there",
    ]
    paragraphs = dollar.body.split("\n\n")
    sentence = "Only nine of these pairs have been matched, leaving millions of rare $1 bills"
    assert paragraphs.count(f"{sentence} out there.") == 1
    assert sum(paragraph.startswith("Currency collectors") for paragraph in paragraphs) == 1


@pytest.mark.parametrize(
    "paragraphs",
    [
        # A headline repeated above the text is no sentence of it.
        [
            "Rain hits Leeds as rivers burst their banks again",
            "Rain hits Leeds as rivers burst their banks again",
            "It rained.",
        ],
        # A standfirst shorter than the sentence it sums up.
        [
            "Collectors are on the hunt for rare dollar bills",
            "Collectors are on the hunt for rare dollar bills, willing to pay up to $150,000.",
        ],
        # A sentence quoted inside another one.
        [
            "the council voted to rebuild the pier in Portwick this year",
            "Officials said the council voted to rebuild the pier in Portwick this year.",
        ],
    ],
)
def test_lines_that_repeat_no_sentence_are_no_echo(paragraphs: list[str]) -> None:
    assert echoed_captions(paragraphs) == set()


def test_a_record_given_its_title_keeps_echoes_and_dated_lines() -> None:
    text = (
        "Officials met in Portwick on Monday and voted to rebuild the pier.\n\n"
        "Officials met in Portwick on Monday and voted to rebuild the pier\n\n"
        "Divers inspect the pier in Portwick, Maine, April 14, 2024."
    )
    assert parse_article(text, headline="Pier").images == []


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("cristianstorto - stock.adobe.com", "cristianstorto - stock.adobe.com"),
        ("Jon Super/Getty Images", "Jon Super/Getty Images"),
        ("Getty Images/iStockphoto", "Getty Images/iStockphoto"),
        (
            "Source: Natl Inst. for Space Research (INPE), Brazil",
            "Natl Inst. for Space Research (INPE), Brazil",
        ),
        ("Image credit: TechRadar (Image credit: Google)", "TechRadar (Image credit: Google)"),
        ("Jon Super/AP", "Jon Super/AP"),
        ("Niall Carson/PA Images via Getty Images", "Niall Carson/PA Images via Getty Images"),
        ("Shutterstock shares fall", None),
        ("Fixtures for the weekend (Sat/Sun)", None),
        ("Financial Times/Stock Exchange index", None),
        ("TIMES EDT/GMT", None),
        ("Getty Images said on Monday it would cut 300 jobs.", None),
        ("Photographers from Getty Images and Shutterstock covered the wedding", None),
    ],
)
def test_credit_lines_without_brackets_or_label(line: str, credit: str | None) -> None:
    assert credit_line(line) == credit


@pytest.mark.parametrize(
    ("line", "split"),
    [
        (
            "The 25% tariff will apply starting on March 12. (Unsplash)",
            ("The 25% tariff will apply starting on March 12.", "Unsplash"),
        ),
        ("Bheki/ Informal Traders/ City of Johannesburg", None),
    ],
)
def test_caption_splits(line: str, split: tuple[str, str] | None) -> None:
    assert split_caption(line) == split


def test_a_credit_line_between_paragraphs_is_a_photo_of_its_own() -> None:
    text = (
        "Council backs new harbour plan\n\ncristianstorto - stock.adobe.com\n\n"
        "The council met on Monday.\n\nThe 25% levy applies from March. (Unsplash)\n\nIt voted."
    )
    article = parse_article(text)
    assert article.images == [
        Image(None, "cristianstorto - stock.adobe.com"),
        Image("The 25% levy applies from March.", "Unsplash"),
    ]
    assert article.body == "The council met on Monday.\n\nIt voted."


def test_a_byline_with_a_slash_is_never_a_caption() -> None:
    text = (
        "Leaders debate ahead of the election\n\nBy Jo Li\n\nThe party leaders met on Saturday.\n\n"
        "He spoke first.\n\nShe answered.\n\n"
        "By Takeo Maeda and Tatsuya Tanoue / Yomiuri Shimbun Staff Writers\n\nIt ended late."
    )
    assert parse_article(text).images == []


@pytest.mark.parametrize(
    "line",
    [
        "Its second-generation models, like the Creative Zen Micro Photo, is due out in the "
        "summer. It will have 5GB of memory on board.",
        '"A couple of years ago, DTT had a bad image," said Olivier Gerolami, of TNT.',
        "People enjoy digital content, like audio, video and images, when they want.",
        "With agencies paying for exclusive phone pictures, especially of celebrities.",
    ],
)
def test_prose_going_on_after_a_photo_word_is_no_caption(line: str) -> None:
    assert split_caption(line) is None
    assert parse_article(f"Digital TV\n\n{line}\n\nIt launched.").images == []
