"""Tests for parsing raw article text: layout, boilerplate, quotations and speakers."""

from __future__ import annotations

import doctest
import hashlib
import time
from pathlib import Path
from types import ModuleType

import pytest

import searchlib.articles.boilerplate
import searchlib.articles.captions
import searchlib.articles.parse
import searchlib.articles.quotes
import searchlib.articles.speakers
from searchlib.articles.article import Article, Quote
from searchlib.articles.boilerplate import boilerplate_phrases, strip_boilerplate
from searchlib.articles.images import split_caption
from searchlib.articles.parse import is_headline, parse_article
from searchlib.articles.quotes import extract_quotes
from searchlib.data import data_lines

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_a130046a36110d8b.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parse"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Article:
    return parse_article(seed_text, path=str(SEED))


# --- the seed article (golden) -------------------------------------------------------


def test_seed_caption_and_credit(seed: Article) -> None:
    assert seed.caption is not None
    assert seed.caption.startswith("A January rally against Miami-Dade County Mayor Carlos Gimenez")
    assert seed.caption.endswith("sanctuary area.")
    assert seed.credit == "Alan Diaz / AP"


def test_seed_has_no_headline_and_its_title_is_the_lead(seed: Article) -> None:
    assert seed.headline is None
    assert seed.title.startswith("President Trump and his attorney general, Jeff Sessions")
    assert seed.title.endswith("…")


def test_seed_body_is_the_article_without_the_appeal(seed: Article) -> None:
    assert seed.body.startswith("President Trump and his attorney general")
    assert seed.body.endswith("seem to be targeting the most vulnerable people, not the worst.”")
    for appeal in ("Your support matters", "Become a member", "tax-deductible", "Give today"):
        assert appeal not in seed.body
    assert "(Alan Diaz / AP)" not in seed.body
    assert len(seed.body.split("\n\n")) == 9


def test_seed_id_and_path(seed: Article, seed_text: str) -> None:
    expected = hashlib.blake2b(seed_text.encode("utf-8"), digest_size=8).hexdigest()
    assert seed.id == expected
    assert seed.path == str(SEED)
    assert parse_article(seed_text, id="given").id == "given"


SEED_QUOTES = [
    ("So-called ‘sanctuary’ policies make all of us less safe", "Jeff Sessions"),
    ("As part of accomplishing the Department of Justice’s top priority", "Jeff Sessions"),
    ("From now on, the Department will only provide Byrne JAG grants", "Jeff Sessions"),
    ("one of the Justice Department’s most popular grant programs,", "The Associated Press"),
    ("which provides police departments money to buy", "The Associated Press"),
    ("And you’ve seen the stories about some of these animals.", "Trump"),
    ("are un-American.", "Thomas Homan"),
    ("criminal activity,", "Thomas Homan"),
    ("contempt", None),
    ("seem to be targeting the most vulnerable people, not the worst.", None),
]


@pytest.mark.parametrize(
    ("number", "start", "speaker"), [(n, *q) for n, q in enumerate(SEED_QUOTES)]
)
def test_seed_quote(seed: Article, number: int, start: str, speaker: str | None) -> None:
    quote = seed.quotes[number]
    assert quote.text.startswith(start)
    assert quote.speaker == speaker


def test_seed_quote_texts_are_exact(seed: Article) -> None:
    assert len(seed.quotes) == len(SEED_QUOTES)
    texts = [quote.text for quote in seed.quotes]
    assert texts[0].endswith("who have committed crimes,")
    assert texts[2].endswith("wanted by federal authorities.")
    assert texts[5].endswith("they’re not being protected any longer, folks.")
    assert texts[6:9] == ["are un-American.", "criminal activity,", "contempt"]
    assert seed.speakers == ["Jeff Sessions", "The Associated Press", "Trump", "Thomas Homan"]


# --- layout: headline, caption, paragraphs ---------------------------------------------


def test_bbc_style_article() -> None:
    article = parse_article((FIXTURES / "bbc_style.txt").read_text(encoding="utf-8"))
    assert article.headline == "Council backs new harbour plan"
    assert article.title == "Council backs new harbour plan"
    assert article.caption is None
    assert article.body.startswith("A plan to rebuild the harbour at Portwick")
    assert article.quotes == [
        Quote("This is a great day for the town.", "Margaret Hollis"),
        Quote(
            "The harbour has been neglected for too long and the fishing fleet deserves better.",
            "Margaret Hollis",
        ),
        Quote("tight but workable", "David Orme"),
        Quote("We have checked every figure twice,", "David Orme"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Ad sales boost Time Warner profit",
        "Could Yukos be a blessing in disguise?",
        "Rivals of the £400 Apple...",
        "Preview: Ireland v England (Sun)",
        "France v Wales (Sat)",
    ],
)
def test_short_first_line_before_a_blank_line_is_the_headline(line: str) -> None:
    assert is_headline(line)
    article = parse_article(f"{line}\n\nThe body starts here. It goes on.")
    assert article.headline == line
    assert article.body == "The body starts here. It goes on."


@pytest.mark.parametrize(
    "text",
    [
        "Sessions spoke on Tuesday.\n\nThe body.",
        "He said this:\n\nThe body.",
        'He called it "nonsense."\n\nThe body.',
        "Ministers met, and then,\n\nThe body.",
        " ".join(["word"] * 31) + "\n\nThe body.",
        "A first line\nand a second line\n\nThe body.",
        "Only one short line",
    ],
)
def test_sentences_and_long_lines_are_not_headlines(text: str) -> None:
    article = parse_article(text)
    assert article.headline is None
    assert article.body == text.strip()


@pytest.mark.parametrize(
    ("line", "caption", "credit"),
    [
        (
            "Supporters cheer at a rally in Ohio. (AP Photo/Alex Brandon)",
            "Supporters cheer at a rally in Ohio.",
            "AP Photo/Alex Brandon",
        ),
        (
            "A protester in London. (Jane Doe/Getty Images)",
            "A protester in London.",
            "Jane Doe/Getty Images",
        ),
        (
            "Police stand guard. Photograph: Jane Doe/Reuters",
            "Police stand guard.",
            "Jane Doe/Reuters",
        ),
        ("Crowds in Paris. (AFP)", "Crowds in Paris.", "AFP"),
        ("A rally in Miami. (Alan Diaz / AP)", "A rally in Miami.", "Alan Diaz / AP"),
    ],
)
def test_caption_credit_variants(line: str, caption: str, credit: str) -> None:
    assert split_caption(line) == (caption, credit)
    article = parse_article(f"{line}\n\nThe article itself.")
    assert (article.caption, article.credit, article.body) == (
        caption,
        credit,
        "The article itself.",
    )


@pytest.mark.parametrize(
    "first",
    [
        "Officials met the acting director of Immigration and Customs Enforcement (ICE)",
        "Trump spoke about gangs (a stereotypical assumption to begin with)",
        "The vote is expected to be close (and/or delayed)",
        "Fixtures for the weekend (Sat/Sun)",
    ],
)
def test_a_paragraph_ending_in_a_parenthetical_is_not_a_caption(first: str) -> None:
    text = f"{first}. It was a long day for everyone involved.\n\nMore text follows."
    article = parse_article(text)
    assert article.caption is None
    assert article.credit is None
    assert article.body == text


def test_line_endings_and_byte_order_mark_are_normalised() -> None:
    article = parse_article(
        "\ufeffCouncil backs plan\r\n\r\nFirst line.\r\nSame paragraph.\r\rNext."
    )
    assert article.headline == "Council backs plan"
    assert article.body == "First line.\nSame paragraph.\n\nNext."


def test_runs_of_blank_lines_collapse() -> None:
    article = parse_article("One paragraph.\n\n\n   \n\t\nAnother paragraph.  \n")
    assert article.body == "One paragraph.\n\nAnother paragraph."


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\ufeff \r\n\t ", "\ufeff"])
def test_empty_or_blank_input(text: str) -> None:
    article = parse_article(text)
    assert (article.body, article.headline, article.caption, article.quotes) == ("", None, None, [])
    assert article.title == ""
    assert len(article.id) == 16


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 lone surrogate \udfff",
        '"' * 5000,
        "“" * 5000 + "”" * 5000,
        "(" * 1000 + ")" * 1000,
        "Photograph: " * 1000,
        "He said:\n\n" * 500,
        "\x00\x0b\x0c\u2028\u2029\x85 control characters",
        "Mr " * 1000 + "said",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    article = parse_article(text)
    assert isinstance(article.body, str)


def test_a_long_line_parses_in_linear_time() -> None:
    line = ('Mr Smith Jones said: "A quote, " he said, and the ' * 2500) + "A" * 100_000
    started = time.perf_counter()
    article = parse_article(line)
    assert time.perf_counter() - started < 5
    assert article.body == line


_WIRE_PARAGRAPH = (
    "THE PRIME MINISTER TONY BLAIR TOLD REPORTERS IN LONDON ON MONDAY THAT THE GOVERNMENT "
    "WOULD NOT BACK DOWN OVER PLANS FOR NEW IDENTITY CARDS DESPITE FIERCE OPPOSITION FROM "
    "CIVIL LIBERTIES GROUPS "
)


@pytest.mark.parametrize(
    "text",
    [
        ("Ab " * 150) + '"A quote," he said.',
        ("Ab " * 150) + '"A quote."',
        ("A " * 150) + '"A quote."',
        ("Ab " * 60) + ': "A quote."',
        ("A " * 150) + 'x said: "A quote."',
        '"A quote," said ' + "Ab " * 40 + "x.",
        '"A quote," said ' + "Ab of " * 50 + "x.",
        _WIRE_PARAGRAPH + '"WE WILL NOT BACK DOWN," HE SAID.',
        _WIRE_PARAGRAPH + '"WE WILL NOT BACK DOWN."',
        "\n\n".join([_WIRE_PARAGRAPH + '"WE WILL NOT BACK DOWN," HE SAID.'] * 1000),
    ],
    ids=[
        "capitalised words, then he said",
        "capitalised words before a quote",
        "capital letters before a quote",
        "capitalised words before a colon",
        "capital letters before a speech verb",
        "capitalised words after a speech verb",
        "names joined by of after a speech verb",
        "all-caps paragraph",
        "all-caps paragraph without attribution",
        "a thousand all-caps paragraphs",
    ],
)
def test_runs_of_capitalised_words_parse_quickly(text: str) -> None:
    # Most took seconds to hours while a row of capitalised words could split many ways.
    started = time.perf_counter()
    article = parse_article(text)
    assert time.perf_counter() - started < 2
    assert article.quotes


# --- boilerplate ----------------------------------------------------------------------


def test_boilerplate_phrases_are_packaged_lowercase() -> None:
    lines = data_lines("boilerplate.txt")  # the file as shipped, not the loader's output
    assert [line for line in lines if line != line.lower()] == []
    assert "your support matters" in boilerplate_phrases()


def test_prompt_lines_are_dropped_anywhere() -> None:
    paragraphs = [
        "The council met on Tuesday.",
        "Read more: Council backs harbour plan",
        "It approved the budget.",
        "Sign up for our newsletter",
        "Share this article",
        "The meeting ended at noon.",
    ]
    assert strip_boilerplate(paragraphs) == [
        "The council met on Tuesday.",
        "It approved the budget.",
        "The meeting ended at noon.",
    ]


def test_an_article_about_members_keeps_its_text() -> None:
    text = (
        "The golf club voted to admit women as full members for the first time.\n\n"
        "Become a member of the club now and the benefits are immediate, organisers tell "
        "new recruits at the gate.\n\n"
        "Members pay £2,000 a year."
    )
    assert parse_article(text).body == text


def test_a_trailing_appeal_is_cut_only_when_it_runs_to_the_end() -> None:
    article_paragraphs = ["The vote was close.", "Become a member, the union urged its staff."]
    appeal = ["Support our journalism.", "Your tax-deductible contribution helps.", "Give today."]
    assert strip_boilerplate(article_paragraphs + appeal) == article_paragraphs
    assert strip_boilerplate([*appeal, "The vote was close, officials said."]) == [
        "Your tax-deductible contribution helps.",
        "The vote was close, officials said.",
    ]


# --- quotations and speakers ----------------------------------------------------------


def test_unbalanced_quotes_stay_in_their_paragraph() -> None:
    text = (
        'Mr Brown said "the plan will fail and nobody closed this.\n\n'
        + "A long second paragraph of plain reporting. " * 20
        + '\n\nLater, the minister called it "a good start".'
    )
    quotes = parse_article(text).quotes
    assert [quote.text for quote in quotes] == [
        "the plan will fail and nobody closed this.",
        "a good start",
    ]
    assert quotes[0].speaker == "Brown"


def test_a_quotation_continuing_over_paragraphs_keeps_its_speaker() -> None:
    text = 'Mrs Hollis said: "This is a great day.\n\n"We waited ten years for it."\n\n"Not me."'
    assert parse_article(text).quotes == [
        Quote("This is a great day.", "Hollis"),
        Quote("We waited ten years for it.", "Hollis"),
        Quote("Not me.", None),
    ]


def test_apostrophes_and_inner_single_quotes_belong_to_the_quotation() -> None:
    text = "“Don’t call them ‘sanctuary’ cities,” Homan’s deputy said. Homan’s agents agreed."
    assert parse_article(text).quotes == [Quote("Don’t call them ‘sanctuary’ cities,", None)]


def test_he_said_resolves_to_the_person_last_named() -> None:
    text = (
        "Jeff Sessions announced the rules on Tuesday.\n\n"
        "“We will act now,” he said. “Cities must comply.”"
    )
    assert parse_article(text).quotes == [
        Quote("We will act now,", "Jeff Sessions"),
        Quote("Cities must comply.", "Jeff Sessions"),
    ]


def test_he_said_without_a_named_person_has_no_speaker() -> None:
    assert parse_article("“We will act now,” he said.").quotes == [Quote("We will act now,", None)]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"We will win," said Mr Smith.', "Smith"),
        ('Dr Jane Smith chairs the board.\n\n"We will win," said Mr Smith.', "Jane Smith"),
        ('"We will win," Prime Minister Tony Blair told MPs.', "Tony Blair"),
        ('"We will win," said Sir Alex. Sir Alex Ferguson smiled.', "Alex Ferguson"),
        ('"We will win," chairman and chief executive Richard Parsons said.', "Richard Parsons"),
        ('Mr McLetchie asked: "Would it not be ironic?"', "McLetchie"),
        ('The figure was "too low", according to the Associated Press.', "Associated Press"),
    ],
)
def test_speakers_are_named_without_titles(text: str, speaker: str) -> None:
    assert parse_article(text).quotes[0].speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        'Mr Smith said it was fine. "We are pleased," the company said.',
        'Mr Smith spoke first. "A lot more guys are capable of it," said the American.',
        'Mr Smith spoke first. Critics called the plan "a disgrace".',
        'One of Homan’s agents said the culture was "toxic".',
    ],
)
def test_unnamed_speakers_are_none(text: str) -> None:
    assert parse_article(text).quotes[-1].speaker is None


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('Sen. Kennedy said: "We will win."', "Kennedy"),
        ('"It is low," said Bank of Japan chief Toshihiko Fukui.', "Toshihiko Fukui"),
        ('"It is busy," says Cara Diemont of IT firm Dimension Data.', "Cara Diemont"),
        (
            'Scottish National Party Justice Minister Kenny MacAskill said it was "a fiasco".',
            "Kenny MacAskill",
        ),
    ],
)
def test_speakers_in_runs_of_capitalised_words(text: str, speaker: str) -> None:
    assert parse_article(text).quotes[0].speaker == speaker


def test_an_abbreviated_title_ends_no_sentence() -> None:
    quotes = parse_article("“We will win,” said Sen. Kennedy, “and soon.”").quotes
    assert [quote.speaker for quote in quotes] == ["Kennedy", "Kennedy"]


def test_a_descriptive_title_is_not_part_of_the_name() -> None:
    text = (
        "Leader Michael Howard said the checks would help.\n\n"
        '"Nearly two thirds of people with TB are born abroad," said Mr Howard.'
    )
    assert parse_article(text).quotes[0].speaker == "Michael Howard"


@pytest.mark.parametrize(
    "text",
    [
        # Someone named mid-sentence, not as its subject, may be "he".
        "Coach Luis Aragones was charged over his remarks. “I meant no offence,” he said. "
        "Spain's minister of sport Jaime Lissavetzky backed the decision. "
        "“We will have zero tolerance,” he said.",
        # So may someone named by surname alone, after a fuller mention.
        "James McIlroy is in form. Russian Dmitriy Bogdanov won last week and then claimed "
        "the title was his, but McIlroy is unfazed.\n\nHe admitted: “He looked good.”",
        # A titled but unnamed speaker may be "he" too.
        "Mr Smith spoke first. A spokesman said: “No.” “Never,” he added.",
        "Mr Smith spoke first. “No,” said a spokesman. “Never,” he added.",
    ],
    ids=["name mid-sentence", "surname alone", "unnamed spokesman", "spokesman after"],
)
def test_he_said_after_a_rival_has_no_speaker(text: str) -> None:
    assert parse_article(text).quotes[-1].speaker is None


@pytest.mark.parametrize(
    "title",
    [
        "the premiere of Polar Express",
        "the film Polar Express",
        "the Polar Express film",
        "“Polar Express”",
    ],
)
def test_he_is_never_a_film(title: str) -> None:
    text = (
        f"Tom Hanks was in London for {title}. “It is snowing,” said Hanks. "
        "Polar Express is based on a children's book. He crossed a bridge which he said was "
        "“almost impossible to get across”."
    )
    assert parse_article(text).quotes[-1].speaker == "Tom Hanks"


def test_places_and_events_are_no_rivals() -> None:
    text = (
        "Mr Howard said the plans were already working in Canada, New Zealand and Australia "
        "and had been praised at the World Cup.\n\n“It is very important,” he said."
    )
    assert parse_article(text).quotes[0].speaker == "Howard"


def test_block_quote_after_an_attribution_with_a_colon() -> None:
    text = "Mr Brown told the BBC:\n\nWe will not give up. Never.\n\nThe talks resume today."
    assert parse_article(text).quotes == [Quote("We will not give up. Never.", "Brown")]


def test_a_colon_without_an_attribution_starts_no_block_quote() -> None:
    assert parse_article("Main points of the plan:\n\nA ban on smoking in pubs.").quotes == []


def test_tiny_quotes_are_ignored() -> None:
    assert extract_quotes(['He gave it an "A" grade and a "B+" too.']) == [Quote("B+", None)]


@pytest.mark.parametrize(
    "module",
    [
        searchlib.articles.parse,
        searchlib.articles.boilerplate,
        searchlib.articles.captions,
        searchlib.articles.quotes,
        searchlib.articles.speakers,
    ],
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith spoke in St. Louis on Monday. It rained.",
            "Mr. Smith spoke in St. Louis on Monday.",
        ),
        ("He met J. Smith. Then he left.", "He met J. Smith."),
        ("The U.S. economy grew. Later it slowed.", "The U.S. economy grew."),
        ("“He left.” Then we did.", "“He left.”"),
    ],
)
def test_a_lead_ends_at_a_sentence_not_an_abbreviation(text: str, expected: str) -> None:
    assert Article(id="a", body=text).title == expected
