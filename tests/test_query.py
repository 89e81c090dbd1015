"""Lenient query parsing and the plans it turns into."""

from __future__ import annotations

import pytest

from searchlib.analysis import stem
from searchlib.errors import QueryError
from searchlib.query import AllOf, AnyOf, Excluding, Phrase, Term, parse, plan


def stems(words):  # the vocabulary's job, done directly
    return {word: stem(word) for word in words}


def test_clauses_with_signs_fields_and_phrases() -> None:
    parsed = parse('Byrne +JAG -"body cameras" speaker:Sessions headline:"judge advocate"')
    assert [(c.text, c.field, c.occur) for c in parsed.clauses] == [
        ("Byrne", None, "should"),
        ("JAG", None, "must"),
        ("body cameras", None, "must_not"),
        ("Sessions", "speaker", "should"),
        ("judge advocate", "headline", "should"),
    ]
    assert parsed.warnings == []


def test_without_operators_every_item_is_a_plain_word() -> None:
    parsed = parse('IL-6: -"raises" +x speaker:y', operators=False)
    assert [(c.text, c.field, c.occur) for c in parsed.clauses] == [
        ("IL-6:", None, "should"),
        ('-"raises"', None, "should"),
        ("+x", None, "should"),
        ("speaker:y", None, "should"),
    ]
    assert parsed.warnings == []


def test_unknown_field_is_reported_and_its_word_still_searched() -> None:
    parsed = parse("nosuchfield:x")
    assert [(c.text, c.field) for c in parsed.clauses] == [("x", None)]
    assert "unknown field 'nosuchfield'" in parsed.warnings[0]


def test_a_field_name_followed_by_a_space_is_reported() -> None:
    parsed = parse("speaker: Sessions")
    assert [c.text for c in parsed.clauses] == ["speaker:", "Sessions"]
    assert parsed.warnings == ["'speaker:' needs its word right after the colon (speaker:word)"]


def test_unclosed_quote_becomes_a_phrase_with_a_warning() -> None:
    parsed = parse('"sanctuary cities')
    assert [c.text for c in parsed.clauses] == ["sanctuary cities"]
    assert "unclosed quote" in parsed.warnings[0]


def test_symbols_and_stop_words_are_ignored_and_reported() -> None:
    result = plan(parse("C++ ++ the grants"), stems)
    assert result.warnings == [
        "ignored ++: only punctuation or symbols",
        "ignored the: only common words (stop words), which are not indexed",
    ]
    assert len(result.should) == 2  # "c" and "grants"


@pytest.mark.parametrize("query", ["", "   ", "!!!", '"', "the of and", "- +"])
def test_nothing_searchable_raises_query_error(query: str) -> None:
    with pytest.raises(QueryError, match="nothing to search for"):
        plan(parse(query), stems)


def test_word_expands_over_text_fields_and_keeps_its_exact_form() -> None:
    result = plan(parse("Sessions -grants"), stems)
    (expanded,) = result.should
    assert isinstance(expanded, AnyOf)
    assert [(part.field, part.text) for part in expanded.parts] == [
        ("headline", "session"),
        ("caption", "session"),
        ("body", "session"),
        ("quotes", "session"),
        ("credit", "sessions"),
    ]
    assert result.exact_forms == {"sessions"}  # excluded words earn no bonus


def test_hyphenated_word_is_a_phrase_and_field_clause_searches_one_field() -> None:
    hyphenated = plan(parse("Miami-Dade"), stems).should[0]
    assert Phrase("body", ("miami", "dade"), 1.0) in hyphenated.parts
    assert plan(parse("speaker:Sessions"), stems).should == [Term("speaker", "sessions", 1.0)]


def test_required_clauses_add_a_last_tier_of_their_own() -> None:
    every, some, required_only = plan(
        parse("+headline:jag headline:byrne headline:grants"), stems
    ).tiers()
    jag, byrne, grants = (Term("headline", stemmed, 2.0) for stemmed in ("jag", "byrn", "grant"))
    assert every == AllOf((jag, byrne, grants))
    assert some == AllOf((jag, AnyOf((byrne, grants))))
    assert required_only == jag


def test_tiers_rank_all_words_before_some_and_exclude_negatives() -> None:
    result = plan(parse("headline:byrne headline:jag -headline:police"), stems)
    every, some = result.tiers()
    byrne, jag, police = (Term("headline", stemmed, 2.0) for stemmed in ("byrn", "jag", "polic"))
    assert every == Excluding(AllOf((byrne, jag)), police)
    assert some == Excluding(AnyOf((byrne, jag)), police)


def test_only_exclusions_match_everything_else() -> None:
    (tier,) = plan(parse("-headline:police"), stems).tiers()
    assert isinstance(tier, Excluding)
    assert type(tier.include).__name__ == "Everything"
