"""Snippets, highlights, and the plain-data, pandas and HTML views of hits."""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from searchlib import Article, Index, QueryWarning, Quote, Results, SearchlibError
from searchlib.analysis import TOKEN, tokenize
from searchlib.results.hits import HIT_KEYS as RESULT_KEYS
from searchlib.results.occurrences import matching_tokens
from searchlib.results.snippets import Snippet, make_snippet

from .conftest import FIXTURES, HIT_KEYS, REPOSITORY, SEED_ID


def highlighted(snippet: Snippet) -> list[str]:
    return [snippet.text[start:end] for start, end in snippet.highlights]


def test_two_matches_a_window_apart_both_show() -> None:
    filler = " ".join(f"word{n}" for n in range(40))
    text = f"{filler} Byrne " + " ".join(f"gap{n}" for n in range(27)) + f" JAG {filler}"
    assert highlighted(make_snippet(text, {"byrne", "jag"})) == ["Byrne", "JAG"]


def test_snippet_keeps_quote_marks_and_collapses_whitespace() -> None:
    text = "Intro words here.\n\nSessions said: “Byrne JAG\ngrants go to cities.”\n\nNext."
    snippet = make_snippet(text, {"byrne"}, words=7)
    assert snippet.text == "…said: “Byrne JAG grants go to cities.”…"
    assert highlighted(snippet) == ["Byrne"]


def test_no_match_gives_the_opening_words() -> None:
    snippet = make_snippet("One two three four five six", {"zebra"}, words=3)
    assert (snippet.text, snippet.highlights) == ("One two three…", ())


def test_a_huge_article_is_only_scanned_so_far() -> None:
    text = "start " + "word " * 200_000 + "Byrne"
    assert highlighted(make_snippet(text, {"byrne"})) == []
    assert make_snippet(text, {"start"}).text.startswith("start word")


@pytest.mark.parametrize(
    "case", json.loads((FIXTURES / "snippets.json").read_text(encoding="utf-8")), ids=str
)
def test_snippets_are_those_of_whole_text_tokenizing(case: dict[str, object]) -> None:
    # Made by the snippets of before (which tokenized every article whole), on real articles.
    text = (REPOSITORY / str(case["file"])).read_text(encoding="utf-8")
    snippet = make_snippet(text, set(case["matching"]), int(case["words"]))  # type: ignore[call-overload, arg-type]
    assert snippet.text == case["text"]
    assert [list(span) for span in snippet.highlights] == case["highlights"]


_PIECES = [
    "U.S.", "us", "US", "U.S.A.", "the", "Grant", "grants", "grant's", "Grant’s", "O'Brien",
    "o’brien", "1,000", "1000", "15.8m", "1980s", "café", "CAFÉ", "x_grant", "Miami-Dade",
    "“Byrne", "Byrne”.", "ﬁne", "it's", "e.g.", "eg", "overgrowth", "growth", "—", "£5", "…",
]  # fmt: skip
_FORMS = ["us", "usa", "grant", "grants", "o'brien", "1000", "15.8m", "cafe", "dade", "fine",
          "it", "eg", "growth", "grow", "byrne", "5", "1980s", "a"]  # fmt: skip


def _whole_text_window(text: str, matching: set[str], words: int) -> tuple[list[str], list[str]]:
    """The window ``make_snippet`` must choose, from every token of the text: its tokens,
    and those of them that match, as written."""
    tokens = list(tokenize(text))
    places = [index for index, token in enumerate(tokens) if token.text in matching]
    best, best_key, context = 0, (0, 0), min(3, words // 4)
    for place in places[:200]:
        for first in (place - context, place):
            start = max(0, min(first, len(tokens) - words))
            inside = [tokens[i].text for i in places if start <= i < start + words]
            if (len(set(inside)), len(inside)) > best_key:
                best, best_key = start, (len(set(inside)), len(inside))
    window = tokens[best : best + words]
    written = [text[token.start : token.end] for token in window]
    return written, [
        raw for raw, token in zip(written, window, strict=True) if token.text in matching
    ]


def test_snippets_choose_the_window_whole_text_tokenizing_would() -> None:
    chance = random.Random(18)
    for _ in range(3000):
        count = chance.choice([1, 3, 10, 40, 120])
        pieces = [chance.choice(_PIECES) if chance.random() < 0.5 else f"w{chance.randrange(9)}"
                  for _ in range(count)]  # fmt: skip
        text = "".join(
            piece + chance.choice([" ", " ", "\n", ", ", "-", "'", ""]) for piece in pieces
        )
        matching = set(chance.sample(_FORMS, chance.randrange(1, 4)))
        words = chance.choice([3, 5, 30])
        if not TOKEN.search(text):
            continue
        tokens, matches = _whole_text_window(text, matching, words)
        snippet = make_snippet(text, matching, words)
        assert TOKEN.findall(snippet.text) == tokens, (text, matching, words)
        assert highlighted(snippet) == matches, (text, matching, words)


def test_matching_tokens_are_those_tokenizing_finds() -> None:
    text = "U.S.A. and the U.S.: Grant’s grants, O'Brien's 1,000 growth; overgrowth café x_grant"
    for matching in ({"usa", "us"}, {"grant", "o'brien"}, {"1000", "growth"}, {"cafe", "grant"}):
        expected = [token for token in tokenize(text) if token.text in matching]
        assert matching_tokens(text, matching, len(text)) == expected


def test_parts_and_marked_agree() -> None:
    snippet = Snippet("the Byrne JAG grants", ((4, 9), (10, 13)))
    assert list(snippet.parts()) == [
        ("the ", False),
        ("Byrne", True),
        (" ", False),
        ("JAG", True),
        (" grants", False),
    ]
    assert snippet.marked("<b>", "</b>") == "the <b>Byrne</b> <b>JAG</b> grants"


def test_hit_dict_has_exactly_the_documented_keys(filled: Index) -> None:
    (row, *_) = filled.search("Byrne JAG").to_dicts()
    assert list(row) == HIT_KEYS
    assert row["id"] == SEED_ID and row["speakers"] == ["Jeff Sessions"]
    assert all(row["snippet"][start:end] in ("Byrne", "JAG") for start, end in row["highlights"])


def test_a_speaker_match_names_the_speaker(filled: Index) -> None:
    (hit,) = filled.search("speaker:Homan")
    assert hit.fields == ("speaker",)
    assert hit.speakers == ("Thomas Homan",)


def test_highlights_follow_stems_to_every_form(index: Index) -> None:
    index.add(Article(id="a", body="The runner was running; she runs daily."))
    (hit,) = index.search("run")
    assert highlighted(hit.snippet) == ["running", "runs"]


class _Parsed(HTMLParser):
    """The tags and the text of an HTML fragment, as a browser reads them."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text = ""
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


_LAYOUT_TAGS = {"div", "p", "code", "table", "thead", "tbody", "tr", "th", "td", "b", "br"}
_ARTICLE_TAGS = {"div", "h3", "h4", "p", "b", "code", "ul", "li"}
_SCRIPT = "<script>alert(1)</script>"


def test_html_views_show_article_and_query_text_as_text(index: Index) -> None:
    index.add(
        Article(
            id="evil",
            headline=f"{_SCRIPT} walrus",
            body=f"The walrus {_SCRIPT} & more.\n\nA second paragraph.",
            quotes=[Quote("<i>walrus</i> ahoy", speaker="<b>Al</b>")],
        )
    )
    found = index.search("walrus <b>")
    table = _Parsed(found._repr_html_())
    assert table.tags == _LAYOUT_TAGS | {"mark"}
    assert "walrus <b>" in table.text and _SCRIPT in table.text and "<b>Al</b>" in table.text
    assert "<mark>walrus</mark>" in found._repr_html_()
    assert _Parsed(found[0]._repr_html_()).tags == _LAYOUT_TAGS - {"div", "p"} | {"mark"}
    article = index.get("evil")
    assert article is not None
    page = _Parsed(article._repr_html_())
    assert page.tags == _ARTICLE_TAGS
    assert f"{_SCRIPT} walrus" in page.text and "<b>Al</b>: “<i>walrus</i> ahoy”" in page.text
    assert article._repr_html_().count("<p>") == 2  # the body's paragraphs
    assert "Headline:" not in page.text  # it is the title already


def test_html_results_count_and_warn(filled: Index) -> None:
    page = _Parsed(filled.search("Byrne", limit=1)._repr_html_())
    assert "Byrne: 1-1 of 2 hits" in page.text
    with pytest.warns(QueryWarning):
        warned = filled.search("nosuchfield:walrus")
    assert (
        "warning: unknown field 'nosuchfield': searched walrus"
        in _Parsed(warned._repr_html_()).text
    )
    assert "table" not in _Parsed(warned._repr_html_()).tags


def test_summary_counts_pages(filled: Index) -> None:
    assert filled.search("Byrne").summary == "2 hits"
    assert filled.search("Byrne", limit=1, offset=1).summary == "2-2 of 2 hits"
    assert filled.search("Byrne", offset=5).summary == "none from rank 6 on, of 2 hits"


def test_hit_keys_are_the_keys_of_a_hit(filled: Index) -> None:
    assert list(RESULT_KEYS) == HIT_KEYS == list(filled.search("Byrne")[0].to_dict())


def test_to_pandas_has_a_row_a_hit_and_a_column_a_key(filled: Index) -> None:
    pytest.importorskip("pandas")
    table = filled.search("Byrne JAG").to_pandas()
    assert table.shape == (2, len(HIT_KEYS)) and list(table.columns) == HIT_KEYS
    assert table.loc[0, "id"] == SEED_ID and table.loc[0, "speakers"] == ["Jeff Sessions"]
    assert list(filled.search("walrus").to_pandas().columns) == HIT_KEYS


def test_to_pandas_without_pandas_says_how_to_install_it(
    filled: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # what `import pandas` finds uninstalled
    with pytest.raises(ImportError, match=r"pip install 'searchlib\[pandas\]'"):
        filled.search("Byrne").to_pandas()


def test_a_hit_explains_itself_and_pickles_as_plain_data(filled: Index) -> None:
    hit = filled.search("Byrne JAG")[0]
    words_line, bonus_line = str(hit.explain()).splitlines()
    assert words_line.startswith("byrne: body ") and "; jag: body " in words_line
    assert bonus_line == "exact forms +1.00 (byrne, jag)"
    copy = pickle.loads(pickle.dumps(hit))
    assert copy.to_dict() == hit.to_dict() and copy.origin is None
    with pytest.raises(SearchlibError, match="has no index to ask"):
        copy.similar()


def test_a_stem_is_explained_by_the_same_form_whatever_python_s_hash_seed() -> None:
    # A prefix's forms of one stem and length ("computers", "computing"): the label took the
    # first the set of terms gave, which changed from one run to the next.
    code = (
        "from searchlib.search.pipeline import _labels\n"
        "from searchlib.search.planning import Bool, Plan\n"
        "forms = {f'comput{letter}s' for letter in 'abcdefgh'}\n"
        "class Lexicon:\n"
        "    def stems(self, words): return {word: 'comput' for word in words}\n"
        "print(_labels(Plan(Bool(), terms=forms), Lexicon())['comput'])\n"
    )
    labels = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(5)
    }
    assert labels == {"computas\n"}


def test_facets_of_results_made_by_hand_are_empty() -> None:
    made = Results("walrus", [], count=lambda: 0)
    assert made.facets == {}
    assert made.suggestion is None
