"""The query grammar: one test per construct, one per warning, and no input that raises."""

from __future__ import annotations

import time
from datetime import date

import pytest

from searchlib.search.grammar import FIELDS, MAX_DEPTH, MAX_LEAVES, parse
from searchlib.search.syntax import Bool, DateRange, Phrase, Syntax, Word

a, b, c, d = (Word(letter) for letter in "abcd")


def tree(query: str) -> Bool:
    """The tree of a query that must read without warnings."""
    parsed = parse(query)
    assert parsed.warnings == []
    return parsed.root


def read(query: str) -> tuple[Bool, list[str]]:
    parsed = parse(query)
    return parsed.root, parsed.warnings


# Words, phrases, proximity


def test_a_word_is_a_should_clause_and_keeps_what_was_typed() -> None:
    root = tree("Byrne")
    assert root == Bool(should=(Word("Byrne"),))
    assert root.should[0].typed == "Byrne"  # type: ignore[union-attr]


def test_juxtaposed_words_are_should_clauses() -> None:
    assert tree("Byrne JAG") == Bool(should=(Word("Byrne"), Word("JAG")))


def test_phrase() -> None:
    assert tree('"sanctuary cities"') == Bool(should=(Phrase("sanctuary cities"),))


def test_proximity_sets_the_slop() -> None:
    assert tree('"sanctuary cities"~5') == Bool(should=(Phrase("sanctuary cities", slop=5),))


def test_symbols_stay_in_the_word_for_the_analyser_to_judge() -> None:
    assert tree("C++ Miami-Dade U.S. 12:30 ++ - +") == Bool(
        should=tuple(Word(text) for text in ["C++", "Miami-Dade", "U.S.", "12:30", "++", "-", "+"])
    )


def test_text_glued_to_quotes_is_its_own_clause() -> None:
    assert tree('a"b c"d') == Bool(should=(a, Phrase("b c"), d))


# Operators


def test_or_means_the_same_as_juxtaposition() -> None:
    assert tree("a OR b") == tree("a b") == Bool(should=(a, b))


def test_and_requires_both_sides() -> None:
    assert tree("a AND b AND c") == Bool(must=(a, b, c))


def test_not_excludes() -> None:
    assert tree("a NOT b") == Bool(should=(a,), must_not=(b,))


def test_plus_requires_and_minus_excludes() -> None:
    assert tree('+JAG Byrne -"body cameras"') == Bool(
        must=(Word("JAG"),), should=(Word("Byrne"),), must_not=(Phrase("body cameras"),)
    )


def test_lower_case_operators_are_words() -> None:
    assert tree("a and b or not c") == Bool(
        should=tuple(Word(text) for text in ["a", "and", "b", "or", "not", "c"])
    )


def test_a_sign_before_an_operator_makes_it_a_word() -> None:
    assert tree("-AND c") == Bool(should=(c,), must_not=(Word("AND"),))


def test_the_outermost_of_several_operators_counts() -> None:
    assert tree("NOT NOT a") == tree("NOT -a") == Bool(must_not=(a,))
    assert tree("NOT +a") == Bool(must_not=(a,))


# Precedence


def test_and_binds_tighter_than_juxtaposition() -> None:
    assert tree("Byrne AND JAG police") == Bool(
        should=(Bool(must=(Word("Byrne"), Word("JAG"))), Word("police"))
    )


def test_and_binds_tighter_than_or() -> None:
    assert tree("a OR b AND c") == Bool(should=(a, Bool(must=(b, c))))


def test_and_not_is_one_clause() -> None:
    assert tree("a AND NOT b") == Bool(must=(a,), must_not=(b,))
    assert tree("a AND NOT b c") == Bool(should=(Bool(must=(a,), must_not=(b,)), c))


def test_signs_bind_tighter_than_and() -> None:
    assert tree("-a AND b") == Bool(must=(b,), must_not=(a,))
    assert tree("+a AND b") == Bool(must=(a, b))


def test_exclusions_joined_by_and_exclude_from_the_enclosing_clauses() -> None:
    assert tree("c NOT a AND NOT b") == Bool(should=(c,), must_not=(a, b))


# Parentheses


def test_parentheses_group_a_clause() -> None:
    assert tree("(a OR b) AND (c d)") == Bool(must=(Bool(should=(a, b)), Bool(should=(c, d))))


def test_redundant_parentheses_collapse() -> None:
    assert tree("((a))") == Bool(should=(a,))
    assert tree("((a b))") == Bool(should=(a, b))
    assert tree("c ((+a))") == Bool(should=(c, a))


def test_a_group_stays_one_should_clause() -> None:
    assert tree("a (b c)") == Bool(should=(a, Bool(should=(b, c))))


def test_nested_required_clauses_merge() -> None:
    assert tree("a AND (b AND NOT c)") == Bool(must=(a, b), must_not=(c,))


def test_excluded_group_excludes_each_of_its_words() -> None:
    assert tree("-(a b) c") == Bool(should=(c,), must_not=(a, b))
    assert tree("-(a AND b)") == Bool(must_not=(Bool(must=(a, b)),))


def test_required_group() -> None:
    assert tree("+(a OR b) c") == Bool(must=(Bool(should=(a, b)),), should=(c,))


def test_deep_nesting() -> None:
    assert tree("(a (b (c AND (d))))") == Bool(should=(a, Bool(should=(b, Bool(must=(c, d))))))


def test_a_group_of_only_exclusions_stays_a_group() -> None:
    assert tree("a (NOT b)") == Bool(should=(a, Bool(must_not=(b,))))


# Fields


@pytest.mark.parametrize("name", [name for name in FIELDS if name != "date"])
def test_every_text_field(name: str) -> None:
    assert tree(f"{name}:economy") == Bool(should=(Word("economy", name),))


def test_field_names_are_case_insensitive() -> None:
    assert tree("HeadLine:economy") == Bool(should=(Word("economy", "headline"),))


def test_field_phrase_and_typed_text() -> None:
    root = tree('speaker:"Jeff Sessions"~1')
    assert root == Bool(should=(Phrase("Jeff Sessions", "speaker", slop=1),))
    assert root.should[0].typed == 'speaker:"Jeff Sessions"~1'  # type: ignore[union-attr]


def test_field_before_parentheses_applies_to_every_leaf() -> None:
    assert tree('headline:(a OR "b c" -d)') == Bool(
        should=(Word("a", "headline"), Phrase("b c", "headline")),
        must_not=(Word("d", "headline"),),
    )


def test_inner_field_wins() -> None:
    assert tree("headline:(a body:b)") == Bool(should=(Word("a", "headline"), Word("b", "body")))


def test_signed_field_clause() -> None:
    assert tree("-credit:AP +speaker:Sessions") == Bool(
        must=(Word("Sessions", "speaker"),), must_not=(Word("AP", "credit"),)
    )


def test_a_word_after_the_field_keeps_its_colons() -> None:
    assert tree("body:IL-6:x") == Bool(should=(Word("IL-6:x", "body"),))


def test_an_unknown_name_with_a_space_after_the_colon_is_a_word() -> None:
    assert tree("Update: Sessions") == Bool(should=(Word("Update:"), Word("Sessions")))


# Prefix and fuzzy


def test_prefix() -> None:
    assert tree("econ* headline:immigr*") == Bool(
        should=(Word("econ", prefix=True), Word("immigr", "headline", prefix=True))
    )


def test_fuzzy_defaults_to_one_edit() -> None:
    assert tree("Byrne~") == Bool(should=(Word("Byrne", fuzzy=1),))


def test_fuzzy_with_edits() -> None:
    assert tree("Byrne~2 Byrne~1 Byrne~0") == Bool(
        should=(Word("Byrne", fuzzy=2), Word("Byrne", fuzzy=1), Word("Byrne"))
    )


def test_a_leading_tilde_belongs_to_the_word() -> None:
    assert tree("~/path ~") == Bool(should=(Word("~/path"), Word("~")))


# Boosts


def test_boosts_multiply_words_phrases_and_groups() -> None:
    assert tree('cocoa^2 "cocoa crop"~2^3 (a OR b)^0.5 headline:c^.5 econ*^2 d~2^4') == Bool(
        should=(
            Word("cocoa", boost=2.0),
            Phrase("cocoa crop", slop=2, boost=3.0),
            Bool(should=(a, b), boost=0.5),
            Word("c", "headline", boost=0.5),
            Word("econ", prefix=True, boost=2.0),
            Word("d", fuzzy=2, boost=4.0),
        )
    )


def test_a_boosted_group_of_one_boosts_its_clause_and_keeps_apart_from_others() -> None:
    assert tree("(a)^2") == Bool(should=(Word("a", boost=2.0),))
    assert tree("a AND (b AND c)^2") == Bool(must=(a, Bool(must=(b, c), boost=2.0)))


def test_unreadable_and_huge_boosts_are_said() -> None:
    assert read("a^x b^ ^c") == (
        Bool(should=(a, b, Word("^c"))),
        [
            "ignored ^x after a: a boost is a number (word^2, word^0.5)",
            "ignored ^ after b: a boost is a number (word^2, word^0.5)",
        ],
    )
    assert read("a^5000") == (
        Bool(should=(Word("a", boost=1000.0),)),
        ["read a^5000 as ^1000: at most 1000"],
    )


# Dates


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("date:2017", date(2017, 1, 1), date(2018, 1, 1)),
        ("date:2017-06", date(2017, 6, 1), date(2017, 7, 1)),
        ("date:2017-12", date(2017, 12, 1), date(2018, 1, 1)),
        ("date:2017-6-1", date(2017, 6, 1), date(2017, 6, 2)),
        ("date:2017-06-30", date(2017, 6, 30), date(2017, 7, 1)),
        ("date:[2017-01-01 TO 2017-06-30]", date(2017, 1, 1), date(2017, 7, 1)),
        ("date:[2017 TO 2018-03]", date(2017, 1, 1), date(2018, 4, 1)),
        ("date:[2017 to *]", date(2017, 1, 1), None),
        ("date:[* TO 2017]", None, date(2018, 1, 1)),
        ("date:[* TO *]", None, None),
        ("date:>=2017-06-01", date(2017, 6, 1), None),
        ("date:>2017-06", date(2017, 7, 1), None),
        ("date:<2018", None, date(2018, 1, 1)),
        ("date:<=2017-06", None, date(2017, 7, 1)),
        ("DATE:9999", date(9999, 1, 1), None),
        ('date:"2017"', date(2017, 1, 1), date(2018, 1, 1)),
    ],
)
def test_each_date_form_gives_half_open_bounds(query: str, start: date, end: date) -> None:
    root = tree(query)
    assert root == Bool(should=(DateRange(start, end),))
    assert root.should[0].typed == query  # type: ignore[union-attr]


def test_date_before_parentheses_reads_dates() -> None:
    assert tree("date:(2017 OR [2019 TO *] -2017-06)") == Bool(
        should=(DateRange(date(2017, 1, 1), date(2018, 1, 1)), DateRange(date(2019, 1, 1), None)),
        must_not=(DateRange(date(2017, 6, 1), date(2017, 7, 1)),),
    )


def test_date_filters_combine_with_words() -> None:
    assert tree("+date:2017 Byrne") == Bool(
        must=(DateRange(date(2017, 1, 1), date(2018, 1, 1)),), should=(Word("Byrne"),)
    )


# Plain text


def test_plain_text_is_whitespace_separated_words() -> None:
    parsed = parse('IL-6: -"raises" +x speaker:y (a OR b) c* AND', operators=False)
    assert parsed.plain
    assert parsed.warnings == []
    assert parsed.root == Bool(
        should=tuple(
            Word(text)
            for text in ["IL-6:", '-"raises"', "+x", "speaker:y", "(a", "OR", "b)", "c*", "AND"]
        )
    )


def test_plain_text_is_cut_after_the_maximum_with_a_warning() -> None:
    parsed = parse(" ".join(f"w{number}" for number in range(MAX_LEAVES + 5)), operators=False)
    assert len(parsed.root.should) == MAX_LEAVES
    assert parsed.warnings == [
        f"only the first {MAX_LEAVES} words were searched; ignored the rest: w200 w201 w202 "
        "w203 w204"
    ]


# Warnings: each names what was ignored and what was done


def test_unknown_field_searches_its_word_in_all_fields() -> None:
    root, warnings = read("nosuchfield:x")
    assert root == Bool(should=(Word("x"),))
    assert warnings == [
        "unknown field 'nosuchfield': searched x in all fields instead "
        "(fields: headline, caption, body, quotes, speaker, credit, author, date)"
    ]


def test_unknown_field_inside_a_field_group_keeps_the_group_field() -> None:
    root, warnings = read('headline:(nosuch:"x y")')
    assert root == Bool(should=(Phrase("x y", "headline"),))
    assert 'searched "x y" in headline: instead' in warnings[0]


def test_unknown_field_before_parentheses() -> None:
    root, warnings = read("nosuch:(a b)")
    assert root == Bool(should=(a, b))
    assert "unknown field 'nosuch': searched (…) in all fields" in warnings[0]


def test_field_without_its_word_is_ignored() -> None:
    root, warnings = read("speaker: Sessions")
    assert root == Bool(should=(Word("Sessions"),))
    assert warnings == [
        "speaker: needs its word right after the colon (speaker:word); ignored speaker:"
    ]


@pytest.mark.parametrize("query", ["headline:", "(body:)", "date: 2017"])
def test_field_at_the_end_or_before_a_space_is_ignored(query: str) -> None:
    _, warnings = read(query)
    assert len(warnings) == 1
    assert "needs its word right after the colon" in warnings[0]


def test_unclosed_quote_reads_to_the_end_as_a_phrase() -> None:
    root, warnings = read('Byrne "sanctuary (cities')
    assert root == Bool(should=(Word("Byrne"), Phrase("sanctuary (cities")))
    assert warnings == ['unclosed quote: read "sanctuary (cities" to the end as a phrase']


@pytest.mark.parametrize("query", ['""', '"  "', '"'])
def test_empty_quotes_are_ignored(query: str) -> None:
    root, warnings = read(query)
    assert root == Bool()
    assert warnings == [f"ignored {query}: empty quotes"]


def test_missing_closing_parentheses_are_closed_at_the_end() -> None:
    root, warnings = read("((a b) c")
    assert root == Bool(should=(Bool(should=(a, b)), c))
    assert warnings == ["missing ')': closed 1 '(' at the end of the query"]


def test_stray_closing_parentheses_are_ignored() -> None:
    root, warnings = read("a) b)")
    assert root == Bool(should=(a, b))
    assert warnings == ["ignored 2 ')' without a '(' before it"]


def test_empty_parentheses_are_ignored() -> None:
    root, warnings = read("a () headline:()")
    assert root == Bool(should=(a,))
    assert warnings == ["ignored (): empty parentheses"]


@pytest.mark.parametrize(
    ("query", "expected", "warning"),
    [
        ("a AND", Bool(should=(a,)), "ignored AND: it needs a clause on each side (a AND b)"),
        ("AND a", Bool(should=(a,)), "ignored AND: it needs a clause on each side (a AND b)"),
        ("(a AND) b", Bool(should=(a, b)), "ignored AND: it needs a clause on each side"),
        ("a AND AND b", Bool(must=(a, b)), "ignored AND: it needs a clause on each side"),
        ("OR b", Bool(should=(b,)), "ignored OR: it needs a clause on each side (a OR b)"),
        ("a OR", Bool(should=(a,)), "ignored OR: it needs a clause on each side (a OR b)"),
        ("NOT", Bool(), "ignored NOT: it needs a clause after it (NOT word)"),
        ("a NOT", Bool(should=(a,)), "ignored NOT: it needs a clause after it (NOT word)"),
        ("(a NOT) b", Bool(should=(a, b)), "ignored NOT: it needs a clause after it"),
    ],
)
def test_dangling_operators_are_ignored(query: str, expected: Bool, warning: str) -> None:
    root, warnings = read(query)
    assert root == expected
    assert len(warnings) == 1
    assert warnings[0].startswith(warning)


def test_repeated_mistakes_are_reported_once() -> None:
    root, warnings = read("a AND AND AND b OR OR c")
    assert root == Bool(should=(Bool(must=(a, b)), c))
    assert warnings == [
        "ignored AND: it needs a clause on each side (a AND b)",
        "ignored OR: it needs a clause on each side (a OR b)",
    ]


@pytest.mark.parametrize("query", ["*", "**", "-*"])
def test_a_lone_star_is_ignored(query: str) -> None:
    root, warnings = read(query)
    assert root == Bool()
    assert warnings == [
        f"ignored {query.lstrip('-')}: a * goes after at least 2 characters of a word (econ*)"
    ]


def test_a_prefix_of_one_character_is_searched_as_a_word() -> None:
    root, warnings = read("e*")
    assert root == Bool(should=(Word("e"),))
    assert warnings == [
        "ignored the * of e*: a prefix needs at least 2 characters (econ*); searched e"
    ]


def test_wildcards_inside_and_before_a_word() -> None:
    assert tree("co*a *coa wom?n headline:?ob cocoa?") == Bool(
        should=(
            Word("co*a", wildcard=True),
            Word("*coa", wildcard=True),
            Word("wom?n", wildcard=True),
            Word("?ob", "headline", wildcard=True),
            Word("cocoa?"),  # a question mark: people type questions
        )
    )


@pytest.mark.parametrize("query", ["*a", "?*?", "*a?"])
def test_a_wildcard_word_needs_two_other_characters(query: str) -> None:
    assert read(query) == (
        Bool(),
        [f"ignored {query}: a word with * or ? needs at least 2 other characters (co*a)"],
    )


def test_a_word_is_not_both_wildcard_and_fuzzy() -> None:
    root, warnings = read("co*a~2")
    assert root == Bool(should=(Word("co*a", wildcard=True),))
    assert "can't be both a wildcard and fuzzy" in warnings[0]


def test_a_word_is_not_both_prefix_and_fuzzy() -> None:
    root, warnings = read("econ*~")
    assert root == Bool(should=(Word("econ", prefix=True),))
    assert "ignored the ~ of econ*~" in warnings[0]


@pytest.mark.parametrize(
    ("query", "fuzzy", "warning"),
    [
        ("Byrne~x", 1, "read Byrne~x as Byrne~ (1 edit): after ~ write 1 or 2 (Byrne~2)"),
        ("Byrne~0.8", 1, "read Byrne~0.8 as Byrne~ (1 edit)"),
        ("Byrne~5", 2, "read Byrne~5 as Byrne~2: at most 2 edits"),
        ("Byrne~" + "9" * 5000, 2, "at most 2 edits"),
    ],
)
def test_fuzzy_with_a_bad_number(query: str, fuzzy: int, warning: str) -> None:
    root, warnings = read(query)
    assert root == Bool(should=(Word("Byrne", fuzzy=fuzzy),))
    assert len(warnings) == 1
    assert warning in warnings[0]


@pytest.mark.parametrize("slop", ["", "x", "-1"])
def test_proximity_with_a_bad_number_searches_the_exact_phrase(slop: str) -> None:
    root, warnings = read(f'"a b"~{slop}')
    assert root == Bool(should=(Phrase("a b"),))
    assert warnings == [
        f'ignored ~{slop} after "a b": proximity is a number of words ("a b"~5); '
        "searched the exact phrase"
    ]


def test_proximity_is_capped() -> None:
    root, warnings = read('"a b"~100000')
    assert root == Bool(should=(Phrase("a b", slop=100),))
    assert warnings == ['read "a b"~100000 with ~100: at most 100 words']


@pytest.mark.parametrize(
    "query", ["date:2017-13", "date:17", "date:June", "date:>=x", "date:[2017", "date:0000"]
)
def test_an_unreadable_date_is_ignored_and_the_formats_are_given(query: str) -> None:
    root, warnings = read(f"{query} Byrne")
    assert root == Bool(should=(Word("Byrne"),))
    assert warnings[0] == (
        f"ignored {query}: unreadable date; write date:2017, date:2017-06, date:2017-06-01, "
        "date:>=2017-06-01, date:<2018 or date:[2017-01-01 TO 2017-06-30] (* for an open end)"
    )


def test_an_empty_date_range_is_ignored() -> None:
    root, warnings = read("date:[2018 TO 2017]")
    assert root == Bool()
    assert warnings == ["ignored date:[2018 TO 2017]: no date is in it (it ends before it starts)"]


def test_a_range_outside_date_is_ignored() -> None:
    root, warnings = read("a [2017 TO 2018] headline:[a TO b]")
    assert root == Bool(should=(a,))
    assert warnings == [
        "ignored [2017 TO 2018]: only date: takes a range (date:[2017 TO 2018])",
        "ignored headline:[a TO b]: only date: takes a range (date:[a TO b])",
    ]


def test_clauses_beyond_the_maximum_are_cut() -> None:
    words = [f"w{number}" for number in range(MAX_LEAVES)]
    root, warnings = read(" AND ".join(words) + ' OR (more "words") and so on')
    assert root == Bool(must=tuple(Word(word) for word in words))
    assert warnings == [
        f"only the first {MAX_LEAVES} words were searched; "
        'ignored the rest: more "words") and so on'
    ]


def test_exactly_the_maximum_is_not_cut() -> None:
    root, warnings = read(" ".join(["w"] * MAX_LEAVES))
    assert len(root.should) == MAX_LEAVES
    assert warnings == []


def test_nesting_is_capped() -> None:
    depth = MAX_DEPTH + 10
    root, warnings = read("(" * depth + "a b" + ")" * depth)
    assert root == Bool(should=(a, b))
    assert warnings == [f"ignored 10 '(' nested deeper than {MAX_DEPTH} levels, with their ')'"]


# Robustness


def _leaves(node: Syntax) -> int:
    if isinstance(node, Bool):
        return sum(_leaves(child) for child in (*node.must, *node.should, *node.must_not))
    return 1


@pytest.mark.parametrize(
    "query",
    [
        "(" * 100_000,
        ")" * 100_000,
        "-(" * 50_000,
        "NOT " * 25_000 + "a",
        "a AND " * 20_000,
        "a OR " * 20_000,
        '"' + "a" * 99_999,
        '"a"~' * 25_000,
        "*" * 99_999 + "x",
        "~" * 99_999 + "x",
        "date:[" + "1" * 100_000,
        "date:[2017 TO " * 7_000,
        "a:" * 50_000,
        "x:(" * 33_000,
        "Note: " * 16_000,
        "speaker: " * 10_000,
        "[" * 100_000,
        "+" * 100_000,
        "a" * 100_000,
        "\x00\x1f\u200b😀\ud800 " * 20_000,
    ],
    ids=lambda query: repr(query[:12]),
)
def test_long_hostile_queries_parse_quickly(query: str) -> None:
    started = time.perf_counter()
    parsed = parse(query)
    assert time.perf_counter() - started < 1.0
    assert _leaves(parsed.root) <= MAX_LEAVES
    assert len(parsed.warnings) < 20


def test_no_string_raises() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")
    pieces = strategies.sampled_from(
        [
            *'()"+-*~:[]<>=',
            " ",
            "AND",
            "OR",
            "NOT",
            "TO",
            "a",
            "bc",
            "2017",
            "-06",
            "~2",
            "date:",
            "headline:",
            "nosuch:",
            "\x00",
            "\t",
            "😀",
            "\ud800",
        ]
    )
    queries = strategies.text(strategies.characters(exclude_categories=())) | strategies.lists(
        pieces, max_size=40
    ).map("".join)

    @hypothesis.settings(max_examples=1_000, deadline=None, database=None)
    @hypothesis.given(queries)
    def parses(query: str) -> None:
        for operators in (True, False):
            parsed = parse(query, operators)
            assert isinstance(parsed.root, Bool)
            assert all(isinstance(warning, str) for warning in parsed.warnings)
            assert _leaves(parsed.root) <= MAX_LEAVES

    parses()
