"""Tokens, exact forms, stop words and stems."""

from __future__ import annotations

import pytest
from nltk.tokenize import RegexpTokenizer

from searchlib.analysis import (
    TOKEN_PATTERN,
    Stemmer,
    content_words,
    exact_form,
    stem,
    stop_words,
    tokenize,
    words,
    written_content_words,
)

from .conftest import SEED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Homan’s agents", ["homan", "agents"]),
        ("Miami-Dade County", ["miami", "dade", "county"]),
        ("the U.S. and the US", ["the", "us", "and", "the", "us"]),
        ("Byrne JAG grants; ICE agents", ["byrne", "jag", "grants", "ice", "agents"]),
        (
            "48 hours, 1,000 people, a £15.8m signing in the 1980s",
            ["48", "hours", "1000", "people", "a", "15.8m", "signing", "in", "the", "1980s"],
        ),
        ("don’t and O'Brien", ["don't", "and", "o'brien"]),
        ("sanctuary cities’ receipt", ["sanctuary", "cities", "receipt"]),
        ("C++ !!! ...", ["c"]),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_token_spans_point_at_the_raw_text() -> None:
    text = "Sessions’ announcement in Youngstown, Ohio."
    spans = [text[token.start : token.end] for token in tokenize(text)]
    assert spans == ["Sessions", "announcement", "in", "Youngstown", "Ohio"]


def test_tokenizer_is_the_nltk_regexp_tokenizer_on_the_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    nltk_tokens = RegexpTokenizer(TOKEN_PATTERN).tokenize(text)
    assert words(text) == [exact_form(token) for token in nltk_tokens]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("running", "run"),
        ("hopping", "hop"),
        ("calculated", "calcul"),
        ("calculate", "calcul"),
        ("sanctuaries", "sanctuari"),
        ("sanctuary", "sanctuari"),
        ("us", "us"),
        ("jag", "jag"),
        ("15.8m", "15.8m"),
    ],
)
def test_stem_is_snowball_not_whoosh_porter(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_stop_words_keep_us_and_capitalised_words() -> None:
    assert "us" not in stop_words()
    assert {"the", "it", "who", "and"} <= stop_words()
    assert content_words("The US told us IT is WHO it is") == ["us", "told", "us", "it", "who"]


def test_stemmer_remembers_what_it_stemmed() -> None:
    stemmer = Stemmer()
    assert stemmer.stems(["grants", "grant", "running"]) == ["grant", "grant", "run"]
    assert stemmer.seen == {"grants": "grant", "grant": "grant", "running": "run"}


def test_accents_fold_for_matching_and_stay_in_the_written_form() -> None:
    assert words("Café CAFÉ cafe Zürich naïve Ångström") == [
        "cafe", "cafe", "cafe", "zurich", "naive", "angstrom"
    ]  # fmt: skip
    assert written_content_words("The Café in Zürich") == ["café", "zürich"]
    assert content_words("The Café in Zürich") == ["cafe", "zurich"]
    assert [token.text for token in tokenize("crème brûlée")] == ["creme", "brulee"]
