"""Versions of one story: signatures, stories kept right through updates, collapsed
results, and the `duplicates` command."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Article, Index, SearchlibError
from searchlib.analysis import Stemmer
from searchlib.indexing import workers
from searchlib.schema import to_document
from searchlib.search import duplicates
from searchlib.shingles import band_keys, jaccard, shingles, signature, similarity
from searchlib.storage.vocabulary import Vocabulary
from searchlib_cli.main import main as searchlib_command
from searchlib_cli.search import search as search_command

STORY = (
    "The harbour authority said on Tuesday that the new container terminal would open in "
    "March, two years later than planned, after storms damaged the breakwater last winter. "
    "Shipping lines had been told to expect delays of several weeks while cranes were "
    "repaired and dredging finished. The mayor called the news disappointing but said the "
    "city would still gain hundreds of jobs once ships began to call at the terminal. "
    "Local fishermen, who had opposed the project from the start, welcomed the pause."
)
OTHER = (
    "A rare orchid found growing on a railway embankment has been moved to a botanical "
    "garden, where gardeners hope it will flower again next spring after the move. "
    "Volunteers spent three days digging around its roots by hand with small trowels."
)


def edited(text: str) -> str:
    """The story with its last sentence dropped and a sentence added."""
    sentences = text.split(". ")
    return ". ".join(sentences[:-1]) + ". Work on the quay walls resumed on Monday morning."


def test_signatures_are_the_same_in_every_process() -> None:
    script = (
        "from searchlib.shingles import signature; import sys; "
        f"sys.stdout.write(signature({STORY.split()!r}).hex())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {signature(STORY.split()).hex()}


def test_similarity_estimates_shingle_jaccard() -> None:
    one, other = STORY.split(), edited(STORY).split()
    true = jaccard(shingles(one), shingles(other))
    assert 0.6 < true < 0.9
    assert abs(similarity(signature(one), signature(other)) - true) < 0.15
    assert similarity(signature(one), signature(OTHER.split())) < 0.1
    assert set(band_keys(signature(one))) & set(band_keys(signature(other)))
    assert not set(band_keys(signature(one))) & set(band_keys(signature(OTHER.split())))


def test_near_versions_are_one_hit_with_the_others_counted(index: Index) -> None:
    index.add(
        Article(id="a", body=STORY, headline="Terminal delayed"),
        Article(id="b", body=edited(STORY), headline="Harbour terminal late"),
        Article(id="c", body=STORY, headline="Terminal opening put back"),
        Article(id="d", body=OTHER + " The harbour garden", headline="Orchid moved"),
    )
    results = index.search("harbour terminal")
    assert len(results) == 2 and results.total == 4 and results.stories == 2
    assert [hit.duplicates for hit in results] == [2, 0]
    assert results.summary == "2 stories (4 articles)"
    assert index.search("harbour terminal", limit=1).summary == "1-1 of 2 stories (4 articles)"
    past = index.search("harbour terminal", offset=2)
    assert (len(past), past.stories) == (0, 2)
    assert past.summary == "none from rank 3 on, of 2 stories (4 articles)"
    assert results.to_dicts()[0]["duplicates"] == 2
    every = index.search("harbour terminal", collapse=False)
    assert len(every) == 4 and every.stories is None and every.summary == "4 hits"
    assert [hit.duplicates for hit in every] == [0, 0, 0, 0]
    assert index.search("harbour terminal", duplicate_threshold=1.0).stories == 3


def test_a_search_counts_no_stories_unless_asked(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting stories reads every shared band key: more than the rest of a search costs.
    index.add(Article(id="a", body=STORY), Article(id="b", body=STORY))
    monkeypatch.setattr(Vocabulary, "sharing_ids", lambda self: pytest.fail("counted"))
    results = index.search("harbour")
    assert results.summary == "1 story (2 articles)" and results[0].duplicates == 1
    counted = index.search("harbour", limit=0, timeout=30)  # no page: ranked no deeper
    assert (len(counted), counted.total) == (0, 2)


def test_similar_leaves_out_the_articles_own_versions_and_collapses_the_rest(
    index: Index,
) -> None:
    follow_up = (
        "Fishermen who opposed the project called the pause disappointing news on Tuesday: "
        "local storms had damaged their boats too, and two weeks of delays were planned "
        "while the project was still told to expect hundreds of ships."
    )
    index.add(
        Article(id="a", body=STORY),
        Article(id="b", body=edited(STORY)),
        Article(id="c", body=STORY),
        Article(id="d", body=follow_up),
        Article(id="e", body=follow_up),
    )
    alike = index.similar("a")
    assert [(hit.id, hit.duplicates) for hit in alike] == [("d", 1)]
    every = index.similar("a", collapse=False)
    assert {hit.id for hit in every[:2]} == {"b", "c"}  # its versions, most alike
    shown = CliRunner().invoke(
        searchlib_command, ["similar", "a", "--index", str(index.path), "--json"]
    )
    assert [hit["id"] for hit in json.loads(shown.stdout)] == ["d"]


def test_collapsing_fills_the_page_and_pages_agree(index: Index) -> None:
    index.add(*(Article(id=f"twin{n:03}", body=STORY) for n in range(120)))
    others = ["Harbour seals seen at dawn", "Harbour ferry fares rise", "Harbour lights go out"]
    index.add(*(Article(id=f"other{n}", body=body) for n, body in enumerate(others)))
    first = index.search("harbour", limit=2)
    second = index.search("harbour", limit=2, offset=2)
    shown = [hit.id for hit in [*first, *second]]
    assert len(shown) == 4 == len(set(shown)) and first.stories == 4
    assert sum(hit.duplicates for hit in [*first, *second]) == 119


def test_stories_follow_additions_replacements_and_deletions(index: Index) -> None:
    index.add(Article(id="a", body=STORY, date=datetime(2020, 1, 2)))
    index.add(Article(id="b", body=edited(STORY), date=datetime(2020, 1, 1)))
    assert [article.id for article in index.versions("a")] == ["b", "a"]  # earliest first
    index.add(Article(id="b", body=OTHER))  # replaced by another story
    assert [article.id for article in index.versions("a")] == ["a"]
    index.add(Article(id="c", body=STORY))
    assert [[article.id for article in story] for story in index.duplicates()] == [["a", "c"]]
    index.delete("a")
    assert index.duplicates() == []
    assert index.search("harbour").stories == 1


def test_stories_chain_through_versions_across_commits(index: Index) -> None:
    middle = edited(STORY)
    far = edited(middle.replace("mayor", "deputy mayor"))
    index.add(Article(id="a", body=STORY))
    index.add(Article(id="c", body=far))
    index.add(Article(id="b", body=middle))
    assert [article.id for article in index.versions("c")] == ["a", "b", "c"]


def test_folders_in_step_and_worker_segments_find_versions(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for number in range(6):
        (folder / f"{number}.txt").write_text(f"Headline {number}\n\n{STORY}", encoding="utf-8")
    (folder / "other.txt").write_text(f"Orchid\n\n{OTHER}", encoding="utf-8")
    with Index(tmp_path / "index") as index:
        index.add_folder(folder, workers=2)
        assert [len(story) for story in index.duplicates()] == [6]
        for number in range(3):
            (folder / f"{number}.txt").unlink()
        index.add_folder(folder)
        assert [len(story) for story in index.duplicates()] == [3]


def test_bad_thresholds_and_unknown_ids_are_clear_errors(index: Index) -> None:
    index.add(Article(id="a", body=STORY))
    with pytest.raises(SearchlibError, match="threshold"):
        index.search("harbour", duplicate_threshold=0)
    with pytest.raises(SearchlibError, match="no article with id 'zz'"):
        index.versions("zz")


def test_the_command_line_collapses_lists_and_shows_versions(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add(
            Article(id="a", body=STORY, headline="Terminal delayed"),
            Article(id="b", body=edited(STORY), headline="Harbour terminal late"),
            Article(id="d", body=OTHER, headline="Orchid moved"),
        )
    runner = CliRunner()
    where = ["--index", str(tmp_path / "index")]
    shown = runner.invoke(search_command, ["harbour terminal", *where])
    assert shown.exit_code == 0 and "+1 version" in shown.stdout
    assert "1 story (2 articles)" in shown.stdout
    every = runner.invoke(search_command, ["harbour terminal", "--all-versions", "--json", *where])
    assert [hit["duplicates"] for hit in json.loads(every.stdout)] == [0, 0]
    listed = runner.invoke(searchlib_command, ["duplicates", *where, "--json"])
    assert listed.exit_code == 0
    assert [[version["id"] for version in story] for story in json.loads(listed.stdout)] == [
        ["a", "b"]
    ]
    alone = runner.invoke(searchlib_command, ["duplicates", "d", *where])
    assert alone.exit_code == 1 and "no duplicates" in alone.stdout
    missing = runner.invoke(searchlib_command, ["duplicates", "zz", *where])
    assert missing.exit_code == 2 and "no article with id" in missing.stderr
    bad = runner.invoke(search_command, ["harbour", "--duplicate-threshold", "2", *where])
    assert bad.exit_code == 2


def test_versions_are_found_across_shards(tmp_path: Path) -> None:
    with Index.create(tmp_path / "sharded", shards=3) as index:
        index.add(*(Article(id=f"twin{n}", body=STORY) for n in range(6)))
        index.add(Article(id="other", body=OTHER))
        assert [len(story) for story in index.duplicates()] == [6]
        results = index.search("harbour")
        assert len(results) == 1 and results[0].duplicates == 5 and results.stories == 1
        index.delete("twin0", "twin1")
        assert [article.id for article in index.versions("twin5")] == [
            f"twin{n}" for n in range(2, 6)
        ]


def test_a_worker_writes_its_band_keys_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker's memory stays bounded: its keys reach the database before its segment ends.
    monkeypatch.setattr(workers, "BANDS_AT_ONCE", 12)  # a story has 8 keys
    Index(tmp_path / "index").close()
    stemmer = Stemmer()
    builder = workers._BandsSending(tmp_path / "index", 16, stemmer)
    for number in range(3):
        builder.add(to_document(Article(id=f"twin{number}", body=STORY), stemmer))
    keys = [key for key, _ in stemmer.bands]
    assert {article_id for _, article_id in stemmer.bands} == {"twin2"}
    assert set(Vocabulary(tmp_path / "index").band_sharers(keys)) == {"twin0", "twin1"}
    builder.send_bands()
    builder.finish()
    assert not stemmer.bands
    assert set(Vocabulary(tmp_path / "index").band_sharers(keys)) == {"twin0", "twin1", "twin2"}


def test_articles_sharing_one_band_with_many_are_not_compared_with_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sixty stories whose boilerplate falls in one band (key -1 stands for it), and two true
    # twins: each hit compared with every other made a search of many hits take minutes.
    comparisons = []
    monkeypatch.setattr(
        duplicates, "similarity", lambda *pair: comparisons.append(pair) or similarity(*pair)
    )
    monkeypatch.setattr(duplicates, "band_keys", lambda value: [*band_keys(value), -1])
    stories = [
        Article(id=f"s{n:02}", body=" ".join(f"walrus{n}x{k}" for k in range(20)) + " walrus")
        for n in range(60)
    ]
    twins = [Article(id=f"twin{n}", body=STORY + " Walrus.") for n in range(2)]
    with Index(tmp_path / "index") as index:
        index.add(*stories, *twins)
        index._folder.vocabulary.add_bands((-1, article.id) for article in stories + twins)
        results = index.search("walrus", limit=100)
        assert sorted(hit.id for hit in results if hit.duplicates) == ["twin0"]
        assert len(results) == 61
    assert len(comparisons) <= 4


def test_a_story_printed_many_times_keeps_its_edited_versions(tmp_path: Path) -> None:
    words = [f"harbour{number}" for number in range(300)]
    copies = [Article(id=f"copy{n:02}", body=" ".join(words)) for n in range(60)]
    edits = []
    for number, place in enumerate((10, 50, 100, 150)):
        edited_words = [*words[:place], "zebra", "quokka", *words[place + 2 :]]
        edits.append(Article(id=f"edit{number}", body=" ".join(edited_words)))
    with Index(tmp_path / "index") as index:
        index.add(*copies, *edits)
        assert [len(story) for story in index.duplicates()] == [64]
        assert len(index.versions("edit0")) == 64


def test_finding_a_story_of_many_copies_reads_each_body_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = [Article(id=f"copy{n:03}", body=f"{STORY} Withdrawn.") for n in range(300)]
    with Index(tmp_path / "index") as index:
        index.add(*copies)
        looked_up = []
        searcher_class = type(index._folder.searcher())
        find = searcher_class.document_number
        monkeypatch.setattr(
            searcher_class,
            "document_number",
            lambda self, *key: looked_up.append(key) or find(self, *key),
        )
        results = index.search("withdrawn")
        assert [hit.duplicates for hit in results] == [299]
    assert len(looked_up) <= 2 * len(copies)


@pytest.mark.parametrize("threshold", [float("nan"), "0.5", 0])
def test_a_bad_threshold_is_refused_with_every_version_shown_too(
    tmp_path: Path, threshold: object
) -> None:
    with Index(tmp_path / "index") as index:
        index.add(Article(id="a", body=STORY))
        for collapse in (True, False):
            with pytest.raises(SearchlibError, match="duplicate threshold"):
                index.search("harbour", collapse=collapse, duplicate_threshold=threshold)  # type: ignore[arg-type]


def test_optimizing_keeps_the_band_keys_of_the_articles_held_only(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add(*(Article(id=f"twin{n}", body=STORY) for n in range(3)))
        index.add(Article(id="twin0", body=f"{OTHER} {OTHER}"))  # replaced: its keys stay
        index.delete("twin1")
        vocabulary = index._folder.vocabulary
        searcher = index._folder.searcher()
        keys = {
            article_id: set(
                band_keys(searcher.signature(searcher.document_number("id", article_id)))
            )
            for article_id in ("twin0", "twin2")
        }
        assert {article_id for _, article_id in vocabulary.every_band()} == {
            "twin0",
            "twin1",
            "twin2",
        }
        assert len(vocabulary.every_band()) > len(keys["twin0"]) + len(keys["twin2"])
        index.optimize()
        held = {(key, article_id) for article_id, each in keys.items() for key in each}
        assert set(vocabulary.every_band()) == held
        assert [hit.id for hit in index.search("harbour")] == ["twin2"]
