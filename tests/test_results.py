"""Snippets, highlights and the plain-data view of hits."""

from __future__ import annotations

from searchlib import Article, Index
from searchlib.results import Snippet, make_snippet

from .conftest import HIT_KEYS, SEED_ID


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
