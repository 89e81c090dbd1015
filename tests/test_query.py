"""Query plans: analysed words expanded over fields, boolean structure, expansions, warnings.

The syntax itself is tested in test_grammar.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from searchlib.analysis import stem
from searchlib.errors import QueryError
from searchlib.search.grammar import parse
from searchlib.search.planning import Bool, Dates, Phrase, Terms, plan


class Lexicon:
    """The index's vocabulary, done directly over a few words."""

    words = ("economy", "economic", "economies", "sessions", "session", "sanctuary")

    def stems(self, words):
        return {word: stem(word) for word in words}

    def prefixed(self, prefix, limit):
        return [word for word in self.words if word.startswith(prefix)][:limit]

    def near(self, word, edits, limit):
        return [each for each in self.words if each[:3] == word[:3]][:limit]


def planned(query: str, operators: bool = True):
    return plan(parse(query, operators), Lexicon())


def test_word_expands_over_text_fields_and_keeps_its_exact_form() -> None:
    result = planned("Sessions -grants")
    (word,) = result.root.should
    assert word == Terms(
        (
            ("headline", "session", 2.0),
            ("caption", "session", 1.0),
            ("body", "session", 1.0),
            ("quotes", "session", 0.5),
            ("credit", "sessions", 0.5),
        )
    )
    assert result.exact_forms == {"sessions"}  # excluded words earn no bonus
    assert result.root.must_not[0].pairs[0] == ("headline", "grant", 2.0)


def test_field_clause_searches_one_field_and_hyphenated_word_is_a_phrase() -> None:
    assert planned("speaker:Sessions").root.should == (Terms((("speaker", "sessions", 1.0),)),)
    (phrase,) = planned("Miami-Dade").root.should
    assert isinstance(phrase, Phrase)
    assert ("body", ("miami", "dade")) in phrase.fields
    assert phrase.slop == 0


def test_proximity_phrase_keeps_its_slop() -> None:
    (phrase,) = planned('"sanctuary cities"~5').root.should
    assert isinstance(phrase, Phrase) and phrase.slop == 5
    assert [word.pairs[2] for word in phrase.words] == [
        ("body", "sanctuari", 1.0),
        ("body", "citi", 1.0),
    ]


def test_boolean_structure_survives_analysis() -> None:
    root = planned("(Byrne AND JAG) OR police NOT cameras").root
    assert isinstance(root.should[0], Bool) and len(root.should[0].must) == 2
    assert len(root.must_not) == 1


def test_prefix_becomes_the_index_words_that_start_with_it() -> None:
    result = planned("econ*")
    (word,) = result.root.should
    assert {term for field, term, _ in word.pairs if field == "body"} == {"economi", "econom"}
    assert {"economy", "economic", "economies"} <= result.terms
    assert result.exact_forms == set()  # only typed words earn the exact-form bonus


def test_fuzzy_word_becomes_near_index_words() -> None:
    (word,) = planned("Sesions~").root.should  # the fake lexicon: same first three letters
    assert ("body", "session", 1.0) in word.pairs


def test_prefix_with_no_index_word_is_reported() -> None:
    result = planned("zzz* Byrne")
    assert "no indexed word fits zzz*" in result.warnings


def test_date_range_becomes_a_date_node() -> None:
    (dates,) = planned("date:2017").root.should
    assert dates == Dates(datetime(2017, 1, 1), datetime(2018, 1, 1))


def test_symbols_and_stop_words_are_ignored_and_reported() -> None:
    result = planned("C++ ++ the grants")
    assert result.warnings == [
        "searched C++ as c: ignored '++'",
        "ignored ++: only punctuation or symbols",
        "ignored the: only common words (stop words), which are not indexed",
    ]
    assert len(result.root.should) == 2  # "c" and "grants"


def test_plain_queries_drop_stop_words_and_symbols_silently() -> None:
    result = planned('the IL-6: "raises" C++', operators=False)
    assert result.warnings == []
    (words,) = result.root.should  # one clause: ranked by score alone, without tiers
    assert len(words.should) == 3


@pytest.mark.parametrize("query", ["", "   ", "!!!", '"', "the of and", "- +", "NOT", "()"])
def test_nothing_searchable_raises_query_error(query: str) -> None:
    with pytest.raises(QueryError, match="nothing to search for"):
        planned(query)


def test_only_exclusions_match_everything_else() -> None:
    root = planned("-headline:police").root
    assert root.must == () and root.should == () and len(root.must_not) == 1
