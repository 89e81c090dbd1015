"""Every request is bounded: deep pages refused, long queries cut, slow ones stopped, and
any HTML page read in linear time (issue 14, cases 6 to 8)."""

from __future__ import annotations

import contextlib
import string
import time
import warnings
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from searchlib import Article, Index, QueryError, RequestLimitError
from searchlib.articles import markup, pages
from searchlib.articles.pages import read_page
from searchlib.engine.reading import Searcher
from searchlib.search import exact_forms, pipeline, suggestions
from searchlib.search.bounds import MAX_PHRASE_WORDS, MAX_RESULT_WINDOW
from searchlib.search.deadline import Deadline
from searchlib.search.grammar import parse
from searchlib.search.planning import MAX_FUZZY_WORDS
from searchlib.search.suggestions import SUGGESTED_WORDS
from searchlib_cli.main import main as searchlib_command
from searchlib_cli.search import search as search_command

WORDS = ["walrus", "harbour", "council", "budget", "election", "minister", "storm", "river"]


def _made_up(number: int) -> str:
    """A word no index holds, different for every number."""
    letters = string.ascii_lowercase
    return "zq" + "".join(letters[number // 26**place % 26] for place in range(4))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """300 tiny articles, every one holding "walrus"."""
    path = tmp_path_factory.mktemp("bounds") / "index"
    with Index(path) as index:
        index.add(
            *(
                Article(
                    id=f"a{number}",
                    headline=f"Walrus {WORDS[number % 8]}",
                    body=f"The walrus saw the {WORDS[number % 7]} and the {WORDS[number % 5]}.",
                )
                for number in range(300)
            )
        )
        yield index


def _search(index: Index, query: str, **options: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return index.search(query, **options)  # type: ignore[arg-type]


def test_a_deep_page_does_the_work_of_the_hits_that_exist(
    small: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks: list[int] = []
    rescore = exact_forms._with_exact_bonus
    monkeypatch.setattr(
        exact_forms,
        "_with_exact_bonus",
        lambda *arguments: blocks.append(1) or rescore(*arguments),
    )
    results = small.search("walrus", limit=10, offset=MAX_RESULT_WINDOW - 10)
    assert len(results) == 0 and results.total == 300
    assert len(blocks) == 300 // exact_forms.EXACT_FORM_BLOCK


def test_hits_beyond_the_result_window_are_refused(small: Index) -> None:
    with pytest.raises(RequestLimitError, match=r"offset \+ limit can be at most 10,000"):
        small.search("walrus", limit=1, offset=MAX_RESULT_WINDOW)
    with pytest.raises(RequestLimitError, match=r"got 1,000,000"):
        small.search("walrus", limit=10**6)
    with pytest.raises(RequestLimitError):
        small.similar("a1", limit=MAX_RESULT_WINDOW + 1)
    with pytest.raises(RequestLimitError, match=r"got 100,000,000,000,000,000,010"):
        small.search("walrus", offset=10**20)
    assert len(small.search("walrus", limit=MAX_RESULT_WINDOW)) == 300


def test_the_commands_refuse_huge_numbers_in_one_line(small: Index) -> None:
    folder = str(small.path)
    for command, arguments, message in [
        (search_command, ["walrus", "--offset", "9" * 20], "is not in the range 0<=x<=9999"),
        (search_command, ["walrus", "-n", "1000000000"], "is not in the range 1<=x<=500"),
        (search_command, ["walrus", "--offset", "9995"], "offset + limit can be at most 10,000"),
        (search_command, ["walrus", "--timeout", "0"], "is not in the range x>0"),
        (search_command, ["walrus", "--timeout", "nan"], "nan is not a number of seconds"),
        (searchlib_command, ["similar", "a1", "-n", "1000000000"], "1<=x<=500"),
    ]:
        result = CliRunner().invoke(command, [*arguments, "--index", folder])
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_did_you_mean_checks_only_the_first_words(
    small: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    better = suggestions._better_word
    monkeypatch.setattr(
        suggestions,
        "_better_word",
        lambda searcher, vocabulary, form, fields: (
            checked.append(form) or better(searcher, vocabulary, form, fields)
        ),
    )
    _search(small, " ".join(["walrsu", *map(_made_up, range(200))]))
    assert len(checked) == SUGGESTED_WORDS
    assert _search(small, "walrsu").suggestion == "walrus"


def test_fuzzy_words_beyond_the_first_are_searched_as_typed(
    small: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    vocabulary = small._folder.vocabulary
    compared: list[str] = []
    near = vocabulary.near
    monkeypatch.setattr(
        vocabulary,
        "near",
        lambda word, edits, limit: compared.append(word) or near(word, edits, limit),
    )
    query = " ".join(f"{_made_up(number)}~2" for number in range(200)) + " walrsu~"
    with pytest.warns(UserWarning) as warned:
        small.search(query)
    assert len(compared) == MAX_FUZZY_WORDS
    assert any(
        f"searched the fuzzy words after the first {MAX_FUZZY_WORDS} as typed" in str(each.message)
        for each in warned
    )


def test_a_long_joined_word_is_cut_and_said(small: Index) -> None:
    chain = "-".join(["walrus", *map(_made_up, range(10_000))])
    with pytest.warns(UserWarning, match=f"searched the first {MAX_PHRASE_WORDS} words of"):
        results = small.search(chain)
    assert len(results) == 0


def test_a_search_past_its_time_limit_is_stopped_with_what_to_do(small: Index) -> None:
    with pytest.raises(
        RequestLimitError, match=r"took more than 1e-09 s and was stopped: .*--timeout"
    ):
        small.search("walrus harbour", timeout=1e-9)
    with pytest.raises(RequestLimitError):
        small.similar("a1", timeout=1e-9)
    assert len(small.search("walrus harbour", timeout=None)) == 10
    for timeout in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="timeout must be a positive number"):
            small.search("walrus", timeout=timeout)


NASTY = {
    "200 words": " ".join(WORDS * 25),
    "200 unknown words": " ".join(map(_made_up, range(200))),
    "200 fuzzy words": " ".join(f"{_made_up(number)}~2" for number in range(200)),
    "200 prefixes": " ".join(f"{a}{b}*" for a in "abcdefghij" for b in "aeiourstlm" * 2),
    "200 phrases": " ".join(f'"walrus saw the {WORDS[n % 8]}"~{n % 50}' for n in range(200)),
    "200 long phrases": " ".join('"' + " ".join(["walrus"] * 40) + f'"~{n}' for n in range(200)),
    "10,000-word chain": "-".join(map(_made_up, range(10_000))),
    "10,000-word chain of one word": "-".join(["walrus"] * 10_000),
    "deep nesting": "(" * 10_000 + "walrus" + ")" * 10_000,
    "nested groups": " ".join("(walrus OR (storm AND (river -budget)))" for _ in range(60)),
    "200 dates": " ".join(f"date:{year}" for year in range(1900, 2100)),
    "NOT chain": "NOT " * 10_000 + "walrus",
    "a 100,000-letter word": "w" * 100_000,
    "a 100,000-letter fuzzy word": "w" * 100_000 + "~2",
    "200 fields": " ".join(f"{field}:walrus" for field in ["headline", "body", "quotes"] * 67),
}


@pytest.mark.parametrize("query", NASTY.values(), ids=NASTY.keys())
def test_every_nasty_query_answers_or_is_refused_promptly(small: Index, query: str) -> None:
    started = time.monotonic()
    with contextlib.suppress(QueryError, RequestLimitError):
        _search(small, query, limit=10)
    assert time.monotonic() - started < 10  # generous: each takes well under a second


@pytest.mark.parametrize(
    ("html", "body"),
    [
        ("<p>walrus</p>" + "<a" * 50_000, "walrus"),
        ("<p>walrus</p>" + "<!--x>" * 20_000, "walrus"),
        ("<p>walrus</p>" + "</a" * 50_000, "walrus"),
        ("<p>walrus</p><![0", "walrus"),
        ("<p>walrus <![CDATA[x]]>and <![if IE]>seal</p>", "walrus and seal"),
    ],
)
def test_pages_with_markup_left_open_read_promptly(html: str, body: str) -> None:
    started = time.monotonic()
    assert read_page(html).body == body
    assert time.monotonic() - started < 2  # 100 KB of "<a" took 18.8 s


def test_a_headline_over_deep_blocks_reads_promptly() -> None:
    started = time.monotonic()
    page = read_page("<h1>Walrus" + "<blockquote>" * 50_000)
    assert page.headline == "Walrus"
    assert time.monotonic() - started < 2  # 200 KB took 9.2 s


def test_a_page_the_parser_gives_up_on_is_read_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def give_up(self: object, data: str) -> None:
        raise AssertionError("expected name token")

    monkeypatch.setattr(markup._PageReader, "feed", give_up)  # the reader of pages
    page = read_page("<title>Rain</title><p>It rained &amp; rained.</p>")
    assert page == pages.Page(None, None, None, "Rain It rained & rained.")


@pytest.mark.parametrize(
    ("query", "operators"),
    [
        ('"' + " ".join(["walrus"] * 40) + '"', True),
        ("-".join(["walrus"] * 40), True),
        ("body:" + "-".join(["walrus"] * 40), True),
        ("-".join(["walrus"] * 40), False),
    ],
)
def test_phrases_and_joined_words_are_cut_to_their_first_words(query: str, operators: bool) -> None:
    parsed = parse(query, operators)
    (leaf,) = parsed.root.should if parsed.root.should else (parsed.root,)
    assert leaf.text.count("walrus") == MAX_PHRASE_WORDS
    assert parsed.warnings == [
        f"searched the first {MAX_PHRASE_WORDS} words of {query[:40]}…: a phrase has at most "
        f"{MAX_PHRASE_WORDS} words"
    ]


def test_a_hits_similar_articles_are_bounded_too(
    small: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "DEFAULT_TIMEOUT", 1e-9)
    (hit,) = small.search("walrus", limit=1, timeout=None)
    with pytest.raises(RequestLimitError):
        hit.similar()


def test_did_you_mean_stops_at_the_deadline_and_keeps_the_query() -> None:
    # Neither the searcher nor the vocabulary is asked once the time is up.
    syntax = parse("walrsu harbuor").root
    assert suggestions.suggestion(None, None, "walrsu harbuor", syntax, Deadline(0)) is None  # type: ignore[arg-type]


def test_explaining_every_hit_reads_each_words_postings_once(
    small: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[object] = []
    postings = Searcher.frequencies
    monkeypatch.setattr(
        Searcher,
        "frequencies",
        lambda self, pairs, length_weight: (
            read.append(pairs) or postings(self, pairs, length_weight)
        ),
    )
    results = small.search("walrus harbour walrus storm", limit=100)
    searched = len(read)
    explanations = [hit.explain() for hit in results]
    assert len(explanations) == 100 and all(each.score > 0 for each in explanations)
    assert len(read) - searched == 3  # once per distinct word, not per hit
