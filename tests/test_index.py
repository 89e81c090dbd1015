"""Index: building, incremental sync, searching, locking and refusing what it can't use."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from searchlib import (
    Article,
    Index,
    IndexCorruptError,
    IndexIncompatibleError,
    IndexLockedError,
    IndexNotFoundError,
    QueryError,
    QueryWarning,
    SearchlibError,
    SkippedFileWarning,
)
from searchlib.engine import Writer
from searchlib.vocabulary import FILENAME, Vocabulary

from .conftest import SEED_ID


def stored_vocabulary(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path / FILENAME)) as connection:
        return sorted(connection.execute("SELECT word, stem FROM stems"))


def ids(results) -> list[str]:
    return [hit.id for hit in results]


def test_add_folder_indexes_every_article_recursively(index: Index, articles: Path) -> None:
    report = index.add_folder(articles)
    assert len(report.added) == 6
    assert (report.updated, report.removed, report.unchanged, report.skipped) == ([], [], 0, [])
    assert len(index) == 6
    assert index.get("articles/world/economy").headline == "US economy grows faster than expected"


def test_second_sync_skips_unchanged_files(index: Index, articles: Path) -> None:
    index.add_folder(articles)
    report = index.add_folder(articles)
    assert (report.added, report.updated, report.removed, report.unchanged) == ([], [], [], 6)
    assert len(index) == 6


def test_sync_replaces_changed_adds_new_and_removes_deleted(index: Index, articles: Path) -> None:
    index.add_folder(articles)
    (articles / "world" / "runners.txt").write_text("Marathon moved\n\nThe zebra race moved.\n")
    (articles / "world" / "economy.txt").unlink()
    (articles / "world" / "new.txt").write_text("Giraffes escape\n\nTwo giraffes escaped.\n")
    report = index.add_folder(articles)
    assert [Path(path).name for path in report.updated] == ["runners.txt"]
    assert [Path(path).name for path in report.removed] == ["economy.txt"]
    assert [Path(path).name for path in report.added] == ["new.txt"]
    assert len(index) == 6
    assert ids(index.search("zebra")) == ["articles/world/runners"]
    assert ids(index.search("marathon")) == ["articles/world/runners"]  # the new headline
    assert index.search("thousands").total == 0  # the old body is gone
    assert index.get("articles/world/economy") is None
    assert ids(index.search("giraffes")) == ["articles/world/new"]


def test_syncing_one_folder_leaves_other_folders_alone(filled: Index, articles: Path) -> None:
    (articles / "world" / "economy.txt").unlink()
    filled.add_folder(articles)
    assert filled.get(SEED_ID) is not None


def test_add_file_indexes_one_file_without_removing_others(index: Index, articles: Path) -> None:
    index.add_folder(articles)
    (articles / "world" / "extra.txt").write_text("Extra edition\n\nOne more story.\n")
    report = index.add_file(articles / "world" / "extra.txt")
    assert len(report.added) == 1 and report.removed == []
    assert index.get("world/extra") is not None
    assert len(index) == 7


def test_json_lines_records_are_indexed_and_bad_lines_named(index: Index, tmp_path: Path) -> None:
    lines = [
        '{"_id": "4983", "title": "White matter imaging", '
        '"text": "Short intro\\n\\nDiffusion MRI."}',
        "not json",
        '{"title": "No id here", "text": "Lost."}',
        "",
        '{"id": "r-1", "headline": "COCOA REVIEW", "body": "Showers in Bahia.", '
        '"date": "1987-02-26T15:01:01", "source": "Reuters"}',
    ]
    records = tmp_path / "corpus.jsonl.gz"
    records.write_bytes(gzip.compress("\n".join(lines).encode()))
    with pytest.warns(SkippedFileWarning) as caught:
        report = index.add_file(records)
    assert report.added == ["4983", "r-1"]
    assert [(Path(where).name, reason) for where, reason in report.skipped] == [
        ("corpus.jsonl.gz:2", "not JSON (Expecting value)"),
        ("corpus.jsonl.gz:3", "no id (_id or id)"),
    ]
    assert len(caught) == 2
    assert ids(index.search("headline:imaging")) == ["4983"]
    assert index.get("4983").body == "Short intro\n\nDiffusion MRI."  # no headline taken
    cocoa = index.get("r-1")
    assert (cocoa.headline, cocoa.source, cocoa.date.year) == ("COCOA REVIEW", "Reuters", 1987)
    assert index.get("4983").source == "corpus"
    with pytest.warns(SkippedFileWarning):
        index.add_file(records)  # records replace the articles with their ids
    assert len(index) == 2


def test_bad_files_are_skipped_with_named_warnings(index: Index, articles: Path) -> None:
    (articles / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (articles / "empty.txt").write_text("  \n\n")
    (articles / "dangling.txt").symlink_to(articles / "nowhere.txt")
    with pytest.warns(SkippedFileWarning) as caught:
        report = index.add_folder(articles)
    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert reasons["binary.txt"] == "binary file (contains NUL bytes)"
    assert reasons["empty.txt"] == "empty file"
    assert reasons["dangling.txt"].startswith("can't read it")
    assert {str(warning.message).split(":")[0] for warning in caught} == {
        f"skipped {articles / name}" for name in ("binary.txt", "empty.txt", "dangling.txt")
    }
    assert len(index) == 6


def test_an_indexed_file_that_turns_unreadable_keeps_its_article(
    index: Index, articles: Path
) -> None:
    index.add_folder(articles)
    (articles / "world" / "runners.txt").write_bytes(b"")
    with pytest.warns(SkippedFileWarning):
        index.add_folder(articles)
    assert ids(index.search("marathon")) == ["articles/world/runners"]


def test_encodings_latin1_and_bom_with_crlf(filled: Index) -> None:
    latin1 = filled.get("articles/sport/latin1")
    assert latin1.headline == "Chelsea fined over £15.8m signing"
    assert ids(filled.search("£15.8m")) == ["articles/sport/latin1"]
    crlf = filled.get("articles/sport/bom_crlf")
    assert crlf.headline == "Judge advocate named"
    assert "\r" not in crlf.body


def test_a_write_failure_midway_keeps_the_last_commit(
    index: Index, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.add_folder(articles)
    (articles / "world" / "fresh.txt").write_text("Fresh story\n\nAbout walruses.\n")
    (articles / "world" / "runners.txt").write_text("Changed\n\nAbout zebras.\n")
    original = Writer.update
    calls = 0

    def failing_update(writer: Writer, document) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        original(writer, document)

    monkeypatch.setattr(Writer, "update", failing_update)
    with pytest.raises(OSError, match="disk full"):
        index.add_folder(articles)
    monkeypatch.undo()
    assert len(index) == 6
    assert index.search("walruses").total == 0
    assert ids(index.search("marathon")) == ["articles/world/runners"]
    assert len(index.add_folder(articles).added) == 1  # a re-run completes the job


def test_a_file_the_parser_chokes_on_is_skipped(
    index: Index, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchlib.preparation

    def choking_to_article(*arguments):
        raise RecursionError("too deep")

    monkeypatch.setattr(searchlib.preparation, "to_article", choking_to_article)
    with pytest.warns(SkippedFileWarning, match=r"can't parse it \(RecursionError: too deep\)"):
        report = index.add_folder(articles)
    assert len(report.skipped) == 6 and len(index) == 0


def test_worker_processes_index_the_same_as_one_process(
    tmp_path: Path, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchlib.preparation

    monkeypatch.setattr(searchlib.preparation, "PARALLEL_FROM", 2)
    (articles / "binary.txt").write_bytes(b"\x00\x01")
    results = {}
    for workers in (1, 2):
        path = tmp_path / f"index-{workers}"
        with Index(path) as index, pytest.warns(SkippedFileWarning):
            report = index.add_folder(articles, workers=workers)
            results[workers] = (
                sorted(report.added),
                report.skipped,
                [(hit.id, round(hit.score, 6)) for hit in index.search("said session", limit=20)],
                stored_vocabulary(path),
            )
        assert len(list(path.glob("*.seg"))) == workers  # each worker wrote a segment
    assert results[1] == results[2]
    assert len(results[2][0]) == 6
    assert ("sessions", "session") in results[2][3]  # stems learnt by the workers


def test_workers_run_from_a_script_without_a_main_guard(tmp_path: Path, articles: Path) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import searchlib.preparation\n"
        "from searchlib import Index\n"
        "searchlib.preparation.PARALLEL_FROM = 2\n"
        f"with Index({str(tmp_path / 'index')!r}) as index:\n"
        f"    print(len(index.add_folder({str(articles)!r}, workers=2).added), len(index))\n"
    )
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "6 6\n", "")
    assert len(list((tmp_path / "index").glob("*.seg"))) == 2


def test_workers_replace_changed_files(
    index: Index, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchlib.preparation

    monkeypatch.setattr(searchlib.preparation, "PARALLEL_FROM", 2)
    index.add_folder(articles, workers=2)
    (articles / "world" / "runners.txt").write_text("Marathon moved\n\nThe zebra race moved.\n")
    report = index.add_folder(articles, workers=2)
    assert (len(report.updated), report.unchanged) == (1, 5)
    assert len(index) == 6
    assert ids(index.search("zebra")) == ["articles/world/runners"]
    assert index.search("thousands").total == 0


def test_a_file_that_would_take_an_indexed_files_id_is_skipped(
    index: Index, articles: Path
) -> None:
    index.add_folder(articles)
    (articles / "world" / "runners.md").write_text("Another\n\nSame name, other suffix.\n")
    with pytest.warns(
        SkippedFileWarning, match=r"id 'articles/world/runners' is taken by .*runners.txt"
    ):
        report = index.add_folder(articles)
    assert [Path(path).name for path, _ in report.skipped] == ["runners.md"]
    assert ids(index.search("marathon")) == ["articles/world/runners"]
    assert len(index) == 6


def test_a_folder_with_an_indexed_folders_name_cannot_take_its_ids(
    index: Index, tmp_path: Path
) -> None:
    for name in ("first", "second"):
        (tmp_path / name / "seeds").mkdir(parents=True)
        (tmp_path / name / "seeds" / "story.txt").write_text(f"Story\n\nThe {name} walrus.\n")
    index.add_folder(tmp_path / "first" / "seeds")
    with pytest.warns(SkippedFileWarning, match="id 'seeds/story' is taken by"):
        report = index.add_folder(tmp_path / "second" / "seeds")
    assert report.added == [] and len(report.skipped) == 1
    assert "first walrus" in index.get("seeds/story").body


def test_add_file_keeps_the_id_a_folder_gave(index: Index, articles: Path) -> None:
    index.add_folder(articles)
    (articles / "world" / "runners.txt").write_text("Marathon moved\n\nThe zebra race.\n")
    report = index.add_file(articles / "world" / "runners.txt")
    assert len(report.updated) == 1
    assert ids(index.search("zebra")) == ["articles/world/runners"]
    assert len(index) == 6


def test_files_the_listing_misses_are_kept_unless_deleted(
    index: Index, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.add_folder(articles)
    (articles / "notes.html").write_text("Notes\n\nAbout otters.\n")
    index.add_file(articles / "notes.html")  # not a suffix a folder sync lists
    sport = articles / "sport"
    real_scandir = os.scandir

    def failing_scandir(path):
        if Path(path) == sport:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", failing_scandir)
    with pytest.warns(SkippedFileWarning, match="can't list this folder"):
        report = index.add_folder(articles)
    monkeypatch.undo()
    assert report.removed == []
    assert [Path(path).name for path, _ in report.skipped] == ["sport"]
    assert len(index) == 7
    (articles / "notes.html").unlink()
    assert [Path(path).name for path in index.add_folder(articles).removed] == ["notes.html"]


def test_articles_with_every_word_rank_first(index: Index) -> None:
    index.add(
        Article(id="some", body="grants grants grants grants grants for cities " * 3),
        Article(id="every", body="Byrne grants were announced for police departments " * 8),
    )
    assert ids(index.search("Byrne grants")) == ["every", "some"]


def test_required_words_keep_articles_without_the_optional_ones(index: Index) -> None:
    index.add(
        Article(id="both", body="Byrne JAG grants"),
        Article(id="required only", body="JAG grants for cities"),
        Article(id="optional only", body="Byrne spoke"),
    )
    assert ids(index.search("+JAG Byrne")) == ["both", "required only"]
    assert ids(index.search("+JAG Byrne police")) == ["both", "required only"]


def test_pages_agree_with_one_long_page(index: Index) -> None:
    index.add(*(Article(id=f"s{n:02}", body=f"session {n} " + "filler " * n) for n in range(60)))
    index.add(Article(id="plural", body="sessions " + "filler " * 30))
    whole = ids(index.search("sessions", limit=60))
    assert whole[0] == "plural"  # the exact form lifts it above shorter stemmed matches
    pages = [ids(index.search("sessions", limit=10, offset=start)) for start in range(0, 60, 10)]
    assert [hit for page in pages for hit in page] == whole
    assert len(set(whole)) == 60


def test_bad_paging_and_very_long_queries(filled: Index) -> None:
    with pytest.raises(ValueError, match="can't be negative"):
        filled.search("marathon", limit=-1)
    with pytest.warns(QueryWarning, match="only the first 200 words were searched"):
        results = filled.search(" ".join(["marathon"] + [f"word{n}" for n in range(1000)]))
    assert ids(results)[0] == "articles/world/runners"


def test_exact_form_outranks_a_stemmed_match(index: Index, articles: Path) -> None:
    index.add_folder(articles)
    # Both articles match the stem "session" (BM25 prefers the singular one); only the
    # exact form can put the plural one first.
    assert ids(index.search("session")) == ["articles/world/session", "articles/world/sessions"]
    assert ids(index.search("sessions")) == ["articles/world/sessions", "articles/world/session"]


def test_us_is_searchable_in_any_case(filled: Index) -> None:
    found = ids(filled.search("US"))
    assert found == ids(filled.search("us"))
    assert found == ["articles/world/economy", SEED_ID]  # the seed: "all of us less safe"


def test_phrase_field_and_exclusion(filled: Index) -> None:
    assert ids(filled.search('"judge advocate"')) == ["articles/sport/bom_crlf"]
    assert filled.search('"advocate judge"').total == 0
    assert ids(filled.search("speaker:Sessions")) == [SEED_ID]
    assert ids(filled.search("credit:AP")) == [SEED_ID]
    assert ids(filled.search("headline:marathon")) == ["articles/world/runners"]
    assert filled.search("headline:Byrne").total == 0
    assert SEED_ID not in ids(filled.search("Byrne -sanctuary"))
    assert SEED_ID in ids(filled.search("Byrne"))


def test_hits_carry_title_snippet_fields_and_speakers(filled: Index) -> None:
    results = filled.search("Byrne JAG")
    assert ids(results) == [SEED_ID, "articles/sport/bom_crlf"]  # the second has only Byrne
    hit = results[0]
    assert hit.id == SEED_ID and hit.rank == 1 and hit.score > 0
    assert hit.title.startswith("President Trump and his attorney general, Jeff Sessions")
    assert hit.headline is None
    assert hit.snippet.marked("[", "]").count("[Byrne] [JAG]") == 1
    assert hit.fields == ("body", "quotes")
    assert hit.speakers == ("Jeff Sessions",)
    assert hit.path.endswith("000_a130046a36110d8b.txt")


def test_limit_and_offset_page_through_results(filled: Index) -> None:
    everything = ids(filled.search("said", limit=10))
    assert len(everything) >= 3
    assert ids(filled.search("said", limit=2)) == everything[:2]
    assert ids(filled.search("said", limit=2, offset=1)) == everything[1:3]
    assert filled.search("said", limit=1).total == len(everything)


def test_query_warnings_are_python_warnings_too(filled: Index) -> None:
    with pytest.warns(QueryWarning, match="unknown field 'nosuchfield'"):
        results = filled.search("nosuchfield:Byrne")
    assert set(ids(results)) == {"articles/sport/bom_crlf", SEED_ID}
    with pytest.raises(QueryError):
        filled.search("+++")


def test_get_returns_the_parsed_article(filled: Index) -> None:
    article = filled.get(SEED_ID)
    assert article.credit == "Alan Diaz / AP"
    assert len(article.quotes) == 10
    assert "Your support matters" not in article.body
    assert filled.get("no/such/id") is None


def test_a_second_writer_gets_a_clear_lock_error(tmp_path: Path, articles: Path) -> None:
    with Index(tmp_path / "index") as first, first._writing():
        second = Index(tmp_path / "index", lock_timeout=0.2)
        with pytest.raises(IndexLockedError, match="being written by another process"):
            second.add_folder(articles)
    assert len(Index(tmp_path / "index")) == 0


def test_missing_index_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="searchlib index PATH"):
        Index(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


def test_a_folder_that_is_not_an_index_is_never_written_to(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SearchlibError, match="not empty and holds no index"):
        Index(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_an_index_from_another_analyzer_is_refused(tmp_path: Path) -> None:
    Index(tmp_path / "index").close()
    Vocabulary(tmp_path / "index").set_metadata({"analyzer": "whoosh-porter"})
    with pytest.raises(IndexIncompatibleError, match="whoosh-porter"):
        Index(tmp_path / "index")


def test_an_index_without_its_vocabulary_is_refused_not_recreated(
    tmp_path: Path, articles: Path
) -> None:
    with Index(tmp_path / "index") as index:
        index.add_folder(articles)
    (tmp_path / "index" / FILENAME).unlink()
    with pytest.raises(IndexCorruptError, match=f"has lost its {FILENAME} file"):
        Index(tmp_path / "index")
    assert not (tmp_path / "index" / FILENAME).exists()


def test_a_garbled_index_gives_a_clear_error(tmp_path: Path, articles: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add_folder(articles)
    for table_of_contents in (tmp_path / "index").glob("*.toc"):
        table_of_contents.write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="can't be read"):
        Index(tmp_path / "index").search("marathon")


def test_searches_reuse_one_searcher_and_leak_no_files(filled: Index) -> None:
    descriptors = Path("/proc/self/fd")
    if not descriptors.exists():
        pytest.skip("needs /proc to count open files")
    filled.search("marathon")
    before = len(list(descriptors.iterdir()))
    for _ in range(200):
        filled.search("marathon runners")
    assert len(list(descriptors.iterdir())) <= before


def test_total_is_counted_on_demand_even_after_close(filled: Index) -> None:
    results = filled.search("said")
    filled.close()
    assert results.total == len(filled.search("said", limit=50))
    filled.close()
    assert results.total >= 3 and filled._searcher is None
    fresh = filled.search("said")
    filled.close()
    assert fresh.total == results.total and filled._searcher is None


def test_searcher_sees_new_commits(index: Index) -> None:
    index.add(Article(id="a", body="first walrus"))
    assert index.search("walrus").total == 1
    index.add(Article(id="b", body="second walrus"))
    assert index.search("walrus").total == 2


def test_searching_never_imports_nltk(tmp_path: Path, articles: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add_folder(articles)
    script = (
        "import sys; from searchlib import Index;"
        f"index = Index({str(tmp_path / 'index')!r});"
        "hits = index.search('sessions marathon runners');"
        "assert len(hits) == 3, len(hits);"
        "assert len(index.search('walruses runnings')) == 2;"  # words the index never saw
        "print('nltk' in sys.modules)"
    )
    environment = {**os.environ, "PYTHONWARNINGS": "error"}
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True
    )
    assert output.stdout.strip() == "False"
