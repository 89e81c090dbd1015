"""Query plans: analysed words expanded over fields, boolean structure, expansions, warnings.

The syntax itself is tested in test_grammar.py.
"""

from __future__ import annotations

import fnmatch
import json
import random
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchlib import Article, Index
from searchlib.analysis import stem
from searchlib.errors import QueryError
from searchlib.search.exact_forms import EXACT_FORM_BONUS, _with_exact_bonus
from searchlib.search.grammar import parse
from searchlib.search.planning import Bool, Dates, Phrase, Terms, plan
from searchlib.search.ranking import Ranked
from searchlib_cli.search import search as search_command


class Lexicon:
    """The index's vocabulary, done directly over a few words."""

    words = ("economy", "economic", "economies", "sessions", "session", "sanctuary")

    def stems(self, words):
        return {word: stem(word) for word in words}

    def forms(self, stems):
        return {word for word in self.words if stem(word) in stems}

    def prefixed(self, prefix, limit):
        return [word for word in self.words if word.startswith(prefix)][:limit]

    def near(self, word, edits, limit):
        return [each for each in self.words if each[:3] == word[:3]][:limit]

    def matching(self, pattern, limit):
        return sorted(fnmatch.filter(self.words, pattern), key=len)[:limit]


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
    weights = {term: weight for field, term, weight in word.pairs if field == "body"}
    # Weighed by similarity, as Lucene does: "sessions" is 1 edit from the 7 letters typed.
    assert weights == {"session": pytest.approx(1 - 1 / 7)}


def test_wildcards_become_the_index_words_that_fit_them() -> None:
    for query in ("econom*s", "*conomies", "ECONOMI?S", "eco?om*"):
        (word,) = planned(query).root.should
        assert ("body", "economi", 1.0) in word.pairs, query
    (word,) = planned("ec?nomy").root.should
    assert {term for field, term, _ in word.pairs if field == "body"} == {"economi"}


def test_an_expansion_past_the_cap_is_cut_with_a_warning(monkeypatch) -> None:
    monkeypatch.setattr(Lexicon, "words", tuple(f"word{n:03}" for n in range(60)))
    result = planned("wor*")
    (word,) = result.root.should
    assert len({term for field, term, _ in word.pairs if field == "body"}) == 50
    assert result.warnings == [
        "wor* fits more than 50 indexed words: searched the 50 shortest (word000 … word049)"
    ]
    assert "searched the 50 shortest" in planned("*or?0*").warnings[0]


def test_a_wildcard_word_with_punctuation_is_ignored() -> None:
    assert planned("co-c*a Byrne").warnings == [
        "ignored co-c*a: a prefix, wildcard or fuzzy word must be one word"
    ]


def test_a_prefix_or_fuzzy_word_of_common_words_alone_is_ignored() -> None:
    for query in ("the-of* Byrne", "of-the~ Byrne"):
        typed = query.split()[0]
        assert planned(query).warnings == [
            f"ignored {typed}: a prefix, wildcard or fuzzy word must be one word"
        ]


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


@pytest.mark.parametrize("query", ["", "   ", "!!!", '"', "- +", "NOT", "()"])
def test_nothing_searchable_raises_query_error(query: str) -> None:
    with pytest.raises(QueryError, match="nothing to search for"):
        planned(query)


def test_common_words_alone_are_one_phrase_of_their_words_in_order() -> None:
    (phrase,) = planned("the of and").root.should
    assert isinstance(phrase, Phrase) and phrase.words == ()
    assert phrase.sequence == (frozenset({"the"}), frozenset({"of"}), frozenset({"and"}))


def test_a_phrase_with_common_words_spans_their_places() -> None:
    (phrase,) = planned('"Bank of England"').root.should
    assert [word.pairs[0][1] for word in phrase.words] == ["bank", "england"]
    assert (phrase.slop, phrase.apart) == (0, 2)  # "bank" and "england": two places apart
    assert phrase.sequence[1] == frozenset({"of"}) and "bank" in phrase.sequence[0]


def test_only_exclusions_match_everything_else() -> None:
    root = planned("-headline:police").root
    assert root.must == () and root.should == () and len(root.must_not) == 1


# Whole queries, through Index.search and the search command, on a few made-up articles.

NEWS = {
    "cocoa": "Cocoa prices rose as the cocoa harvest in Ghana shrank.",
    "cola": "Coca-Cola sold more cola in Ghana.",
    "coffee": "Coffee growers met in Brazil.",
    "woman": "A woman and a women's team won in Zurich.",
    "cafe": "The café in Zürich serves coffee.",
    "bank": "The Bank of England raised rates.",
    "for": "A bank for England was proposed by growers.",
    "plain": "A CAFE AND A CREME BRULEE IN ZURICH.",
}


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """An index folder holding ``NEWS``."""
    with Index(tmp_path / "news") as index:
        index.add(*(Article(id=name, body=body) for name, body in NEWS.items()))
    return tmp_path / "news"


def ids(folder: Path, query: str) -> list[str]:
    with Index(folder) as index:
        return [hit.id for hit in index.search(query)]


def command(folder: Path, *arguments: str) -> Result:
    return CliRunner().invoke(search_command, ["--index", str(folder), *arguments])


def test_a_query_may_start_with_a_dash(news: Path) -> None:
    assert "cocoa" not in ids(news, "-cocoa") and "cola" in ids(news, "-cocoa")
    for arguments in (["--", "-cocoa"], ["-cocoa"], ["-cocoa", "-n", "9"], ["-n9", "-cocoa"]):
        result = command(news, *arguments)
        assert result.exit_code == 0, result.output
        assert "cola" in result.stdout and "cocoa prices" not in result.stdout.lower()
    assert "search -- -cocoa" in command(news, "--help").stdout
    assert "No such option '--jsn'" in command(news, "cocoa", "--jsn").output


def test_a_boost_multiplies_a_words_score_and_the_explanation_adds_up(news: Path) -> None:
    assert planned("cocoa^2").root.should[0].boost == 2.0  # type: ignore[union-attr]
    assert planned("(cocoa coffee)^2 crop").root.should[0].should[0].boost == 2.0  # type: ignore[union-attr]
    with Index(news) as index:
        boosted = index.search("cocoa^3 coffee^0.5")
        (phrase,) = index.search('"cocoa harvest"^2')
        (unboosted,) = index.search('"cocoa harvest"')
        # The words' scores are boosted, not the bonus for their exact forms.
        assert phrase.score - phrase.explain().bonus == pytest.approx(
            2 * (unboosted.score - unboosted.explain().bonus)
        )
        for hit in boosted:
            assert hit.explain().score == pytest.approx(hit.score)
    assert boosted[0].id == "cocoa" and ids(news, "cocoa^0.1 coffee")[0] != "cocoa"
    result = command(news, "cocoa^0.1 (coffee Brazil)^3", "--explain")
    assert result.exit_code == 0 and result.stdout.startswith("1. Coffee growers met in Brazil.")


def test_wildcards_inside_and_before_words(news: Path) -> None:
    assert set(ids(news, "co*a")) == {"cocoa", "cola"}  # Coca-Cola: "coca" and "cola"
    assert ids(news, "*coa") == ["cocoa"]
    assert set(ids(news, "wom?n")) == {"woman"}
    assert "did you mean" not in command(news, "*coa").output
    result = command(news, "*coa", "--json")
    assert result.exit_code == 0 and '"id": "cocoa"' in result.stdout
    assert "warning" not in result.stderr


def test_a_fuzzy_word_ranks_the_word_as_typed_first(news: Path) -> None:
    with Index(news) as index:
        results = index.search("cocoa~2")
        assert [hit.id for hit in results] == ["cocoa", "cola"]  # cola: "coca"
        (cola,) = [hit for hit in results if hit.id == "cola"]
        assert cola.explain().score == pytest.approx(cola.score)
    assert ids(news, "coca~2") == ["cola", "cocoa"]
    result = command(news, "cocoa~2", "--csv", "--fields", "id")
    assert result.stdout.split() == ["id", "cocoa", "cola"]


def test_accents_fold_and_the_form_typed_ranks_first(news: Path) -> None:
    for query in ("cafe", "café", "CAFÉ", "Cafe~"):
        assert set(ids(news, query)) == {"cafe", "plain"}, query
    assert ids(news, "café")[0] == "cafe" and ids(news, "cafe")[0] == "plain"
    assert ids(news, "Zürich")[0] == "cafe" and set(ids(news, "Zurich")) == {
        "woman", "cafe", "plain"
    }  # fmt: skip
    assert ids(news, '"crème brûlée"') == ["plain"]
    result = command(news, "Cafe", "--json")
    hits = {hit["id"]: hit for hit in json.loads(result.stdout)}
    snippet = hits["cafe"]["snippet"]
    assert [snippet[start:end] for start, end in hits["cafe"]["highlights"]] == ["café"]


@pytest.fixture
def names(tmp_path: Path) -> Path:
    """An index folder where Tony Blair is common, blame rarer, Glaxo rare beside glad."""
    texts = [
        *(f"Tony Blair spoke on day {n}." for n in range(12)),
        *(f"They blame the rain on day {n}." for n in range(4)),
        *(f"We are glad of day {n}." for n in range(25)),
        "Glaxo shares rose. Glaxo said so.",
        "Exel bought Exel shares from Exel.",
        *(f"Excel sheets, day {n}." for n in range(20)),
    ]
    with Index(tmp_path / "names") as index:
        index.add(*(Article(id=f"a{n}", body=text) for n, text in enumerate(texts)))
    return tmp_path / "names"


def test_did_you_mean_judges_each_word(names: Path) -> None:
    with Index(names) as index:
        assert index.search("Tony Blare").suggestion == "Tony Blair"  # Tony finds 12
        assert index.search("tony blaer").suggestion == "tony blair"
        for correct in ("Glaxo", "Exel", "Tony Blair", "blame"):
            assert index.search(correct).suggestion is None, correct
    result = command(names, "Tony Blare")
    assert result.exit_code == 0 and "did you mean: Tony Blair?" in result.stderr
    assert "did you mean" not in command(names, "Glaxo").stderr


def test_a_query_looks_up_the_stems_of_all_its_words_at_once() -> None:
    asked: list[list[str]] = []

    class Counting(Lexicon):
        def stems(self, words):
            asked.append(list(words))
            return super().stems(words)

    result = plan(parse('economy "sanctuary sessions" -economic'), Counting())
    assert asked == [["economy", "sanctuary", "sessions", "economic"]]
    assert result.stems["sessions"] == "session"


def _unpruned_bonus(block: list[Ranked], held: dict[int, int], wanted: int) -> list[Ranked]:
    """The exact-form bonus with every contender's forms read (as it was)."""
    largest = EXACT_FORM_BONUS * 2
    last = block[min(wanted, len(block)) - 1]
    contenders = [
        ranked
        for ranked in block
        if ranked.tier < last.tier
        or (ranked.tier == last.tier and ranked.score >= last.score - largest)
    ]
    rescored = [
        Ranked(ranked.number, ranked.score + EXACT_FORM_BONUS * held[ranked.number], ranked.tier)
        for ranked in contenders
    ]
    return sorted(rescored, key=lambda ranked: (ranked.tier, -ranked.score))[:wanted]


class _Forms:
    """A searcher whose document ``n`` holds ``held[n]`` of the query's two forms."""

    def __init__(self, held: dict[int, int]) -> None:
        self.held, self.read = held, 0

    def forms_held(self, number: int, forms: set[str]) -> set[str]:
        self.read += 1
        return set(sorted(forms)[: self.held[number]])


def test_the_exact_form_bonus_reads_only_forms_that_can_change_the_page() -> None:
    chance = random.Random(18)
    for _ in range(500):
        scores = sorted(chance.choice([1.0, 1.5, 2.0, 2.25, 3.0, 4.0]) for _ in range(50))
        tiers = sorted(chance.choice([0, 0, 1, 2]) for _ in range(50))
        block = [
            Ranked(number, score, tier)
            for number, (tier, score) in enumerate(zip(tiers, reversed(scores), strict=True))
        ]
        block.sort(key=lambda ranked: (ranked.tier, -ranked.score))
        held = {number: chance.choice([0, 1, 2]) for number in range(50)}
        wanted = chance.choice([1, 10, 20, 50])
        expected = _unpruned_bonus(block, held, wanted)
        assert _with_exact_bonus(_Forms(held), block, {"a", "b"}, wanted, {}) == expected  # type: ignore[arg-type]
    # Ten documents that hold both forms leave the ten below them, a bonus short, unread.
    block = [Ranked(number, 10.0 - number / 10) for number in range(50)]
    searcher = _Forms({number: 2 if number < 10 else 0 for number in range(50)})
    found = _with_exact_bonus(searcher, block, {"a", "b"}, 10, {})  # type: ignore[arg-type]
    assert [ranked.number for ranked in found] == list(range(10)) and searcher.read == 10
