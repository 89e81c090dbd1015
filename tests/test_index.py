"""Index: building, incremental sync, searching, locking and refusing what it can't use."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from whoosh.codec import whoosh3

from searchlib import (
    Article,
    Index,
    IndexCorruptError,
    IndexIncompatibleError,
    IndexLockedError,
    IndexNotFoundError,
    QueryError,
    QueryWarning,
    Quote,
    SearchlibError,
    SkippedFileWarning,
)
from searchlib.analysis import words
from searchlib.engine import columns
from searchlib.engine.reading import Searcher
from searchlib.engine.writing import Writer
from searchlib.indexing.progress import count_items
from searchlib.indexing.workers import FileShare
from searchlib.schema import FORMAT_VERSION
from searchlib.search import phrases
from searchlib.storage.integrity import check
from searchlib.storage.vocabulary import FILENAME, Vocabulary

from .conftest import FIXTURES, SEED_ID


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


def test_html_pages_give_headline_caption_and_body_without_the_page_around(index: Index) -> None:
    assert len(index.add_folder(FIXTURES / "pages").added) == 1
    page = index.get("pages/harbour")
    assert page.headline == "Council backs new harbour plan"  # not the site's <h1> or <title>
    assert (page.caption, page.credit) == (
        "Fishing boats in Portwick harbour at dawn.",
        "Alan Diaz / AP",
    )
    assert page.body.startswith("A plan to rebuild the harbour at Portwick has been approved")
    assert "The scheme will cost £12m & take three years. “This is a great day" in page.body
    for elsewhere in ("track", "font", "Home", "Ann Lee", "Read more", "newsletter", "©"):
        assert elsewhere not in page.body
    assert "Support our journalism" not in page.body  # boilerplate, as in text files
    assert "“The harbour has been neglected for too long.\n\nThe fishing fleet" in page.body
    assert "Opposition councillors called it “money the town does not have”." in page.body
    assert "Cost: £12m\n\nWork starts in spring" in page.body
    assert (page.quotes[0].text, page.quotes[0].speaker) == (
        "This is a great day for the town,",
        "Margaret Hollis",
    )
    assert ids(index.search("credit:AP")) == ["pages/harbour"]


@pytest.mark.parametrize(
    ("html", "headline", "body"),
    [
        ("<title>Rain | Post</title><body><p>It rained.</p></body>", "Rain", "It rained."),
        (
            "<header><h1>Post</h1></header><h1>Rain</h1><main><p>It rained.</p></main><p>More</p>",
            "Rain",
            "It rained.",
        ),
        (
            "<div>It rained.<br><br>It <b>poured</b>.</div><div>Wet</div>",
            None,
            "It rained.\n\nIt poured.\n\nWet",
        ),
    ],
)
def test_html_without_article_or_paragraphs_falls_back(
    index: Index, tmp_path: Path, html: str, headline: str | None, body: str
) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "page.htm").write_text(html)
    index.add_folder(tmp_path / "pages")
    page = index.get("pages/page")
    assert (page.headline, page.body) == (headline, body)


@pytest.mark.parametrize("compress", [False, True])
def test_csv_rows_are_records_and_bad_rows_named(
    index: Index, tmp_path: Path, compress: bool
) -> None:
    rows = (
        "\ufeffid,title,body,date\n"
        'n1,Harbour plan,"Short intro\n\n""We will fix it,"" Ann Hollis said.",2024-03-01\n'
        "n2,Too many,fields,here,oops\n"
        ",No id,Lost.,\n"
        "\n"
        f"n3,Walruses,{'walrus ' * 30_000},\n"  # beyond the csv module's default field limit
    )
    news = tmp_path / ("news.csv.gz" if compress else "news.csv")
    news.write_bytes(gzip.compress(rows.encode()) if compress else rows.encode())
    with pytest.warns(SkippedFileWarning) as caught:
        report = index.add_file(news)
    assert report.added == ["n1", "n3"]
    assert [(Path(where).name, reason) for where, reason in report.skipped] == [
        (f"{news.name}:5", "5 fields where the header has 4"),  # rows are numbered by line
        (f"{news.name}:6", "no id (_id or id)"),
    ]
    assert len(caught) == 2
    harbour = index.get("n1")
    assert (harbour.headline, harbour.date.year, harbour.source) == ("Harbour plan", 2024, "news")
    assert harbour.body == 'Short intro\n\n"We will fix it," Ann Hollis said.'
    assert harbour.quotes[0].speaker == "Ann Hollis"
    assert ids(index.search("walrus")) == ["n3"]


def test_a_csv_file_without_an_id_column_is_an_error(index: Index, tmp_path: Path) -> None:
    news = tmp_path / "bbc.csv"
    news.write_text("category,filename,title,content\nbusiness,001.txt,Ad sales up,Profits rose.\n")
    with pytest.raises(SearchlibError, match=r"bbc.csv has no id column \(_id or id\); name one"):
        index.add_file(news)
    assert len(index) == 0
    report = index.add_file(news, fields={"id": "filename", "body": "content"})
    assert report.added == ["001.txt"]
    assert (index.get("001.txt").headline, index.get("001.txt").body) == (
        "Ad sales up",
        "Profits rose.",
    )


def test_fields_map_our_fields_to_a_records_keys(index: Index, tmp_path: Path) -> None:
    record = {"uuid": "u1", "name": "Harbour plan", "content": "Rebuilt.", "title": "Not this"}
    records = tmp_path / "dump.jsonl"
    records.write_text(json.dumps(record) + "\n")
    report = index.add_file(records, fields={"id": "uuid", "headline": "name", "body": "content"})
    assert report.added == ["u1"]
    assert (index.get("u1").headline, index.get("u1").body) == ("Harbour plan", "Rebuilt.")
    fields = "id, headline, body, caption, credit, date, source"
    with pytest.raises(SearchlibError, match=f"no field 'text' .*; the fields are {fields}, or"):
        index.add_file(records, fields={"text": "content"})


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_adds_up_to_the_files_done(
    index: Index, articles: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    import searchlib.indexing.folders

    monkeypatch.setattr(searchlib.indexing.folders, "PARALLEL_FROM", 2)
    done: list[int] = []
    index.add_folder(articles, workers=workers, progress=done.append)
    assert sum(done) == count_items(articles) == 6
    assert min(done) > 0
    done.clear()
    index.add_folder(articles, workers=workers, progress=done.append)  # unchanged count too
    assert sum(done) == 6


def test_progress_counts_records_skipped_or_not(index: Index, tmp_path: Path) -> None:
    records = tmp_path / "corpus.jsonl"
    records.write_text('{"_id": "a", "text": "One."}\nnot json\n\n{"_id": "b", "text": "Two."}\n')
    done: list[int] = []
    with pytest.warns(SkippedFileWarning):
        index.add_file(records, progress=done.append)
    assert sum(done) == count_items(records) == 3


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
    import searchlib.indexing.preparation

    def choking_to_article(*arguments):
        raise RecursionError("too deep")

    monkeypatch.setattr(searchlib.indexing.preparation, "to_article", choking_to_article)
    with pytest.warns(SkippedFileWarning, match=r"can't parse it \(RecursionError: too deep\)"):
        report = index.add_folder(articles)
    assert len(report.skipped) == 6 and len(index) == 0


def test_worker_processes_index_the_same_as_one_process(
    tmp_path: Path, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchlib.indexing.folders

    monkeypatch.setattr(searchlib.indexing.folders, "PARALLEL_FROM", 2)
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
        "import searchlib.indexing.folders\n"
        "from searchlib import Index\n"
        "searchlib.indexing.folders.PARALLEL_FROM = 2\n"
        f"with Index({str(tmp_path / 'index')!r}) as index:\n"
        f"    print(len(index.add_folder({str(articles)!r}, workers=2).added), len(index))\n"
    )
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "6 6\n", "")
    assert len(list((tmp_path / "index").glob("*.seg"))) == 2


def test_workers_run_the_package_that_started_them_from_any_folder(
    tmp_path: Path, articles: Path
) -> None:
    # A folder called searchlib where the build runs (a checkout of another version, say).
    decoy = tmp_path / "here" / "searchlib"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the decoy was imported')\n")
    script = tmp_path / "build.py"
    script.write_text(
        "import searchlib.indexing.folders\n"
        "from searchlib import Index\n"
        "searchlib.indexing.folders.PARALLEL_FROM = 2\n"
        f"with Index({str(tmp_path / 'index')!r}) as index:\n"
        f"    print(len(index.add_folder({str(articles)!r}, workers=2).added))\n"
    )
    completed = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=decoy.parent,
    )
    assert (completed.returncode, completed.stdout) == (0, "6\n"), completed.stderr


def test_a_worker_imports_nltks_stemmer_alone(tmp_path: Path, articles: Path) -> None:
    pytest.importorskip("numpy")  # installed with the test extras (pandas)
    Index(tmp_path / "index").close()
    files = sorted(articles.rglob("*.txt"))
    job = tmp_path / "share-0.pickle"
    share = FileShare([(path, None, path.stem) for path in files], "articles")
    job.write_bytes(pickle.dumps((share, tmp_path / "index", 16)))
    check = (
        "import sys; from pathlib import Path; from searchlib.indexing.workers import run_job\n"
        f"run_job(Path({str(job)!r}))\n"
        "names = ('numpy', 'scipy', 'nltk', 'nltk.corpus', 'nltk.tokenize', 'nltk.stem.snowball')\n"
        "print(sorted(name for name in names if name in sys.modules))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120
    )
    expected = "['nltk', 'nltk.stem.snowball']\n"
    assert (completed.returncode, completed.stdout) == (0, expected), completed.stderr
    assert job.with_suffix(".result").is_file()


def test_a_submodule_that_needs_its_package_is_imported_with_it(tmp_path: Path) -> None:
    package = tmp_path / "needy"
    package.mkdir()
    (package / "__init__.py").write_text("HELPER = 'from the package'\n")
    (package / "part.py").write_text("from needy import HELPER\n")
    check = (
        "from searchlib.deferred_imports import submodule_alone\n"
        "print(submodule_alone('needy', 'part', {}).HELPER)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])},
    )
    assert (completed.returncode, completed.stdout) == (0, "from the package\n"), completed.stderr


def test_workers_replace_changed_files(
    index: Index, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchlib.indexing.folders

    monkeypatch.setattr(searchlib.indexing.folders, "PARALLEL_FROM", 2)
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
    (articles / ".notes.txt").write_text("Notes\n\nAbout otters.\n")
    index.add_file(articles / ".notes.txt")  # hidden: a folder sync doesn't list it
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
    (articles / ".notes.txt").unlink()
    assert [Path(path).name for path in index.add_folder(articles).removed] == [".notes.txt"]


PHRASE_ARTICLES = [
    Article(id="bank-of", body="Rates rose, the Bank of England said. Bankers take note."),
    Article(id="bank-for", body="A Bank for England campaign started."),
    Article(id="bank-next", body="Bank England talks. Who knows what it means."),
    Article(id="band", headline="Take That tour", body="The band will tour again."),
    Article(id="who", headline="The Who", body="The Who played. To be or not to be, he said."),
]


def test_phrases_keep_their_common_words(index: Index) -> None:
    index.add(*PHRASE_ARTICLES)
    assert ids(index.search('"Bank of England"')) == ["bank-of"]
    assert ids(index.search('"Bank for England"')) == ["bank-for"]
    assert ids(index.search('"Bank England"')) == ["bank-next"]
    assert set(ids(index.search("take"))) == {"bank-of", "band"}
    assert ids(index.search('"Take That"')) == ["band"]
    # Slop lets other words in, common words' places counted: "Bank ? England".
    assert set(ids(index.search('"Bank England"~1'))) == {"bank-of", "bank-for", "bank-next"}


def test_common_words_in_phrases_match_as_written_with_any_apostrophe(index: Index) -> None:
    index.add(Article(id="curly", body="We don’t know yet, she said."))
    assert ids(index.search('"don\'t know"')) == ["curly"]
    assert ids(index.search('"we don\'t"')) == ["curly"]


def test_phrases_with_common_words_find_numbers_acronyms_and_accents_as_read(
    index: Index,
) -> None:
    index.add(
        Article(id="acronym", body="Exports to the U.S.s' neighbours rose."),
        Article(id="number", body="A rally of 1,000 people."),
        Article(id="accent", body="We met at the Café Nord."),
    )
    assert ids(index.search('"the U.S."')) == ["acronym"]
    assert ids(index.search('"of 1,000"')) == ["number"]
    assert ids(index.search('"at the cafe"')) == ids(index.search('"at the café"')) == ["accent"]


def test_common_words_in_phrases_are_read_as_written_where_lower_case_splits_a_word(
    index: Index,
) -> None:
    # Lower-cased, "İ" is an "i" and a combining dot, which no word holds: the name of
    # Istanbul's ferries, "İDO", would read as "i do".
    index.add(
        Article(id="ferries", body="Ferries run by İDO were cancelled."),
        Article(id="vows", body="I do, she said."),
    )
    assert ids(index.search('"I do"')) == ["vows"]


def test_a_text_without_spaces_is_read_about_once_for_a_phrase_s_common_words(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quick pattern passes 2,000 times, but "the'who" is one word: the words around
    # each place, cut at spaces, are the whole text, which must not be read 2,000 times.
    body = "the'who/" * 2000
    index.add(Article(id="run-on", body=body))
    read: list[int] = []

    def counted(text: str) -> list[str]:
        read.append(len(text))
        return words(text)

    monkeypatch.setattr(phrases, "words", counted)
    assert index.search('"the who"').total == 0
    assert sum(read) <= 2 * len(body)


def test_a_phrase_of_common_words_reads_only_the_articles_the_rest_allows(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.add(*PHRASE_ARTICLES)
    read: list[int] = []
    stored_fields = Searcher.stored_fields

    def counted(self: Searcher, number: int) -> dict:
        read.append(number)
        return stored_fields(self, number)

    monkeypatch.setattr(Searcher, "stored_fields", counted)
    for query in ('bank AND "of the"', '+bank +"the who"', 'bank -"the who"'):
        read.clear()
        index.search(query, limit=1)
        assert len(read) <= 4, query  # bank's three articles (and the hit shown), not all five


def test_common_words_alone_take_slop_but_not_names_fields_or_operators(index: Index) -> None:
    index.add(*PHRASE_ARTICLES, Article(id="band-who", body="The band who played on."))
    assert ids(index.search('"the who"')) == ["who"]
    assert set(ids(index.search('"the who"~1'))) == {"who", "band-who"}
    for query in ('speaker:"the who"', "the AND of", "who^2 the"):
        with pytest.raises(QueryError, match="nothing to search for"):
            index.search(query)


def test_a_query_of_common_words_alone_is_a_phrase(index: Index) -> None:
    index.add(*PHRASE_ARTICLES)
    assert ids(index.search('"The Who"')) == ["who"]
    assert ids(index.search("The Who")) == ["who"]
    assert ids(index.search("to be or not to be")) == ["who"]
    assert ids(index.search("be or not to")) == ["who"]
    assert ids(index.search("The Who", operators=False)) == ["who"]
    assert ids(index.search('"to be or not"')) == ["who"]
    assert ids(index.search('"not to be or"')) == []
    # Outside phrases, common words neither match nor score.
    with pytest.warns(QueryWarning, match="^ignored the: only common words"):
        assert index.search("Bank the").total == index.search("Bank").total
    plain = index.search("bank of the", operators=False)
    assert [hit.score for hit in plain] == [hit.score for hit in index.search("bank")]


def test_articles_with_every_word_rank_first(index: Index) -> None:
    index.add(
        Article(id="some", body="grants grants grants grants grants for cities " * 3),
        Article(id="every", body="Byrne grants were announced for police departments " * 8),
    )
    assert ids(index.search("Byrne grants")) == ["every", "some"]


def test_a_word_that_recurs_where_it_occurs_outweighs_one_used_in_passing(index: Index) -> None:
    # "cocoa" and "export" are each in three articles of two indexed words, so idf and
    # BM25 score the first two articles alike; only "cocoa" recurs in the others.
    index.add(
        Article(id="export", body="export filler"),
        Article(id="cocoa", body="cocoa filler"),
        *(Article(id=f"cocoa-{n}", body="cocoa cocoa") for n in range(2)),
        *(Article(id=f"export-{n}", body="export words") for n in range(2)),
    )
    scores = {hit.id: hit.score for hit in index.search("cocoa export", limit=10)}
    assert scores["cocoa"] > scores["export"]


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
    with Index(tmp_path / "index") as first, first._folder.writing():
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


def test_an_index_of_another_format_is_refused_by_its_own_name_with_what_to_do(
    tmp_path: Path,
) -> None:
    Index.create(tmp_path / "sharded", shards=2).close()
    for place in (tmp_path / "sharded", *sorted((tmp_path / "sharded").glob("shard-*"))):
        Vocabulary(place).set_metadata({"format": "6"})
    with pytest.raises(IndexIncompatibleError) as refused:
        Index(tmp_path / "sharded")
    message = str(refused.value)
    assert message.startswith(f"the index in {tmp_path / 'sharded'} was built with format '6'")
    assert "analyzer" not in message and message.endswith("index your articles again")
    assert any("index your articles again" in problem for problem in check(tmp_path / "sharded"))


def test_the_check_of_an_index_of_another_format_says_so_and_not_that_it_is_damaged(
    tmp_path: Path, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Format 7 kept stored fields in Whoosh's own column, which format 8 can't read.
    monkeypatch.setattr(columns, "STORED_COLUMN", whoosh3.STORED_COLUMN)
    with Index(tmp_path / "index") as index:
        index.add_folder(articles)
    monkeypatch.undo()
    Vocabulary(tmp_path / "index").set_metadata({"format": "7"})
    assert check(tmp_path / "index") == [
        f"built with format '7' (this searchlib: '{FORMAT_VERSION}'): delete the folder and "
        "index your articles again"
    ]


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
    assert results.total >= 3 and not filled._folder._searchers
    fresh = filled.search("said")
    filled.close()
    assert fresh.total == results.total and not filled._folder._searchers


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


def names(results) -> set[str]:
    """The hits' file names, the seed as "seed"."""
    return {"seed" if hit.id == SEED_ID else hit.id.rsplit("/", 1)[-1] for hit in results}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("marathon runners", {"runners"}),
        ('"judge general"', set()),
        ('"judge general"~1', {"bom_crlf"}),  # "judge advocate general": one word between
        ("session AND sunday", {"session"}),
        ("marathon OR chelsea", {"runners", "latin1"}),
        ("session NOT sunday", {"sessions", "seed"}),
        ("session -council", {"session", "seed"}),
        ("+sunday session", {"session", "runners"}),
        ("session OR marathon AND sunday", {"session", "sessions", "seed", "runners"}),
        ("(session OR marathon) AND sunday", {"session", "runners"}),
        ("headline:training", {"session"}),
        ("caption:Gimenez", {"seed"}),
        ("body:marathon", {"runners"}),
        ("quotes:budget", {"sessions"}),
        ("speaker:Snow", {"economy"}),
        ("credit:Diaz", {"seed"}),
        ("marath*", {"runners"}),
        ("sess*", {"session", "sessions", "seed"}),
        ("Chelsa~", {"latin1"}),
        ("Chelsae~2", {"latin1"}),
    ],
)
def test_each_operator_finds_what_it_says(filled: Index, query: str, found: set[str]) -> None:
    assert names(filled.search(query)) == found


def test_date_filters_find_records_by_their_date(index: Index, tmp_path: Path) -> None:
    records = [
        {"id": "jan", "title": "Cocoa harvest", "text": "Cocoa rose.", "date": "2017-01-15"},
        {"id": "jun", "title": "Cocoa exports", "text": "Cocoa fell.", "date": "2017-06-02"},
        {"id": "old", "title": "Cocoa review", "text": "Cocoa was cheap.", "date": "1987-02-26"},
    ]
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))
    index.add_file(tmp_path / "wire.jsonl")
    assert names(index.search("date:2017-06")) == {"jun"}
    assert names(index.search("date:[2017-01-01 TO *]")) == {"jan", "jun"}
    assert names(index.search("date:<2017")) == {"old"}
    assert names(index.search("cocoa AND date:>=2017-02-01")) == {"jun"}


DATED = [
    {"id": "jan", "title": "Cocoa harvest", "text": "Cocoa rose.", "date": "2017-01-15"},
    {"id": "jun", "title": "Cocoa exports", "text": "Cocoa fell.", "date": "2017-06-02"},
    {"id": "next", "title": "Cocoa outlook", "text": "Cocoa held.", "date": "2018-03-01"},
    {"id": "old", "title": "Cocoa review", "text": "Cocoa was cheap.", "date": "1987-02-26"},
]
"""Records dated so that each date form the README shows finds a different set."""
README_DATES = [
    ("date:2017", {"jan", "jun"}),
    ("date:2017-06", {"jun"}),
    ("date:>=2017-06-01", {"jun", "next"}),
    ("date:<2018", {"jan", "jun", "old"}),
    ("date:[2017-01-01 TO *]", {"jan", "jun", "next"}),
]


@pytest.mark.parametrize(("query", "found"), README_DATES)
def test_each_date_form_the_readme_shows(
    index: Index, tmp_path: Path, query: str, found: set[str]
) -> None:
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(record) + "\n" for record in DATED))
    index.add_file(tmp_path / "wire.jsonl")
    assert names(index.search(query)) == found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("headline:(session OR marathon)", {"session", "sessions", "runners"}),
        ("headline:(Byrne OR marathon)", {"runners"}),  # Byrne is in bodies only
        ("Miami-Dade", {"seed"}),
        ("U.S.", {"economy", "seed"}),  # "US" in economy; the seed has only the pronoun "us"
        ("Gimenes~2", {"seed"}),
    ],
)
def test_field_groups_hyphens_dots_and_two_edits(
    filled: Index, query: str, found: set[str]
) -> None:
    assert names(filled.search(query)) == found


def test_lenient_queries_warn_and_search_the_rest(filled: Index) -> None:
    with pytest.warns(QueryWarning, match=r"^searched C\+\+ as c: ignored '\+\+'$"):
        assert names(filled.search("C++ Byrne")) == {"bom_crlf", "seed"}
    with pytest.warns(QueryWarning, match='^ignored ": empty quotes$'):
        assert names(filled.search('Byrne "')) == {"bom_crlf", "seed"}
    with pytest.warns(QueryWarning, match='^unclosed quote: read "Byrne JAG" to the end as a'):
        assert names(filled.search('"Byrne JAG')) == {"seed"}
    with pytest.warns(QueryWarning, match="^ignored the: only common words"):
        assert names(filled.search("Byrne the")) == {"bom_crlf", "seed"}
    assert names(filled.search("of the")) >= {"seed"}  # common words alone: a phrase
    with pytest.raises(QueryError, match='nothing to search for: ignored ": empty quotes'):
        filled.search('"')


def test_a_query_that_finds_little_suggests_near_words_the_index_holds(filled: Index) -> None:
    results = filled.search("Sesions sanctuery")
    assert (results.total, results.suggestion) == (0, "Sessions sanctuary")
    fielded = filled.search('speaker:SESIONS "sanctuery cities" -Trump')
    assert fielded.suggestion == 'speaker:SESSIONS "sanctuary cities" -Trump'
    assert filled.search("Sessions sanctuary").suggestion is None  # nothing to correct
    assert filled.search("walrus").suggestion is None  # nothing near it


def test_a_rare_word_gives_way_only_to_a_near_word_in_many_more_articles(index: Index) -> None:
    index.add(
        Article(id="typo", body="The goverment and Bryne said no."),
        *(Article(id=f"g{n}", body=f"The government said {n}.") for n in range(11)),
        *(Article(id=f"b{n}", body=f"Byrne said {n}.") for n in range(5)),
    )
    assert index.search("goverment").suggestion == "government"  # in 11 articles, not 1
    assert index.search("Bryne").suggestion is None  # Byrne is in only 5


def test_similar_ranks_articles_by_the_distinctive_words_they_share(index: Index) -> None:
    index.add(
        Article(
            id="target",
            headline="Cocoa harvest in Ghana",
            body="Ghana's cocoa farmers expect a record cocoa harvest, traders said.",
        ),
        Article(id="close", body="Cocoa farmers in Ghana brought the harvest in early."),
        Article(id="loose", body="Traders said coffee farmers had a record year."),
        Article(id="unrelated", body="Marathon runners braved the cold."),
    )
    similar = index.similar("target")
    assert ids(similar) == ["close", "loose"]
    assert {"cocoa", "ghana", "harvest"} <= set(similar.query.split())
    assert ids(index.search("cocoa")[0].similar(1)) == ["close"]
    with pytest.raises(SearchlibError, match="no article with id 'nope'"):
        index.similar("nope")


def test_similar_ranks_by_score_not_first_by_how_many_words_are_shared(index: Index) -> None:
    filler = " ".join(f"filler{n}" for n in range(200))
    index.add(
        Article(id="target", body="Cocoa harvest in Ghana, Ivory Coast exporters."),
        # More than a block of ranks (EXACT_FORM_BLOCK) holding every word, barely.
        *(
            Article(id=f"all four {n}", body=f"{filler} cocoa harvest Ghana exporters {filler}")
            for n in range(60)
        ),
        Article(id="three, mostly", body="Cocoa harvest, Ghana. " * 5),
        *(Article(id=f"other{n}", body=f"Other news {n}.") for n in range(200)),
    )
    assert ids(index.similar("target", limit=2)) == ["three, mostly", "all four 0"]


def test_facets_count_every_matching_article_not_only_the_page(index: Index) -> None:
    sessions, homan = "Jeff Sessions", "Thomas Homan"
    index.add(
        Article(
            id="a",
            body="Walrus news.",
            quotes=[Quote("Walrus!", sessions), Quote("Again.", sessions)],
            credit="AP",
            source="wire",
        ),
        Article(id="b", body="Walrus news.", quotes=[Quote("No.", homan), Quote("Yes.", sessions)]),
        Article(id="c", body="Walrus news.", credit="Reuters", source="desk", authors=["Jo Li"]),
        Article(id="d", body="Other news.", quotes=[Quote("Hi.", "Mary Jones")], source="wire"),
    )
    results = index.search("walrus", limit=1)
    expected = {
        "speaker": [(sessions, 2), (homan, 1)],
        "credit": [("AP", 1), ("Reuters", 1)],
        "source": [("desk", 1), ("wire", 1)],
        "author": [("Jo Li", 1)],
    }
    assert len(results) == 1 and results.facets == expected
    later = index.search("walrus")
    index.close()  # the search's document numbers are gone: facets match the query again
    assert later.facets == expected
    # Like "a": b, c and d, which share "news"; "a" itself (from the wire too) is left out.
    assert index.similar("a").facets["source"] == [("desk", 1), ("wire", 1)]


def test_explain_splits_a_hits_score_between_words_and_fields(filled: Index) -> None:
    hit = filled.search("Byrne JAG")[0]
    explanation = hit.explain()
    assert [(word, field) for word, field, _ in explanation.contributions] == [
        ("byrne", "body"),
        ("byrne", "quotes"),
        ("jag", "body"),
        ("jag", "quotes"),
    ]
    assert (explanation.exact_forms, explanation.bonus) == (("byrne", "jag"), 1.0)
    total = sum(contribution.score for contribution in explanation.contributions)
    assert total == pytest.approx(hit.score - explanation.bonus)
    stemmed = filled.search("marathons")[0].explain()  # words show as typed; no exact form
    assert {word for word, _, _ in stemmed.contributions} == {"marathons"}
    assert {field for _, field, _ in stemmed.contributions} == {"headline", "body"}
    assert stemmed.bonus == 0.0


def test_explain_a_hit_whose_segment_holds_the_word_only_in_deleted_articles(
    index: Index,
) -> None:
    index.add(Article(id="a", body="zeta alpha"), Article(id="b", headline="zeta news", body="x"))
    index.add(Article(id="a", body="alpha only"))  # "zeta" left only in b and a deleted copy
    (hit,) = index.search("zeta")
    assert {field for _, field, _ in hit.explain().contributions} == {"headline"}


@pytest.fixture
def cocoa(index: Index) -> Index:
    """Cocoa alone, dense in a short text, outscores a long text holding cocoa and Ghana
    both."""
    filler = " ".join(f"word{number}" for number in range(300))
    index.add(
        Article(id="only-cocoa", body="Cocoa cocoa cocoa cocoa."),
        Article(id="both", body=f"Cocoa crops in Ghana. {filler}"),
        *(Article(id=f"ghana-{number}", body="Ghana news.") for number in range(20)),
    )
    return index


def test_every_word_ranks_first_even_when_one_word_scores_more(cocoa: Index) -> None:
    # The exact-form bonus must not undo the tier that puts articles with every word first.
    hits = cocoa.search("cocoa ghana")
    assert [hit.id for hit in hits[:2]] == ["both", "only-cocoa"]
    assert hits[0].score < hits[1].score


def test_plain_words_are_ranked_by_score_alone(cocoa: Index) -> None:
    # A claim's or a headline's words are seldom all in one article: with operators=False
    # the article holding every word doesn't go first for it.
    hits = cocoa.search("cocoa ghana", operators=False)
    assert [hit.id for hit in hits[:2]] == ["only-cocoa", "both"]


def test_records_shared_among_workers_match_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [
        {"id": f"r{number}", "headline": f"Walrus report {number}", "body": f"Seal {number}."}
        for number in range(40)
    ]
    records[30] = {"id": "r3", "headline": "Walrus report three, revised", "body": "Newer."}
    lines = [json.dumps(record) for record in records]
    lines.insert(10, "not json")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n")
    single, shared = tmp_path / "single", tmp_path / "shared"
    with Index(single) as index, pytest.warns(SkippedFileWarning):
        index.add_file(corpus, workers=1)
    monkeypatch.setattr("searchlib.indexing.records.PARALLEL_RECORDS_FROM", 0)
    with Index(shared) as index, pytest.warns(SkippedFileWarning) as caught:
        report = index.add_file(corpus, workers=2)
    assert [str(warning.message) for warning in caught] == [
        f"skipped {corpus}:11: not JSON (Expecting value)"
    ]
    assert len(report.added) == 39  # each id once: r3 is given twice
    with Index(single) as one, Index(shared) as two:
        assert len(one) == len(two) == 39
        assert two.get("r3").headline == "Walrus report three, revised"
        for number in (0, 1, 39):
            assert two.get(f"r{number}") == one.get(f"r{number}")
        assert [hit.id for hit in two.search("revised")] == ["r3"]


def test_a_segment_bigger_than_its_memory_spills_to_disk_and_reads_back(tmp_path: Path) -> None:
    from searchlib.analysis import Stemmer
    from searchlib.engine.directory import Engine
    from searchlib.schema import to_document

    articles = [
        Article(id=f"a{number}", body=" ".join(f"w{(number * 7 + k) % 499}" for k in range(300)))
        for number in range(200)
    ]
    postings = []
    for name, memory_mb in (("small", 1), ("large", 256)):
        engine = Engine.create(tmp_path / name)
        with engine.writer(timeout=1, memory_mb=memory_mb) as writer:
            stemmer = Stemmer()
            for article in articles:
                writer.update(to_document(article, stemmer))
        with engine.searcher() as searcher:
            postings.append(
                [searcher.frequencies([("body", f"w{k}", 1.0)], 0.75) for k in range(499)]
            )
    assert postings[0] == postings[1]
    assert len(list((tmp_path / "small").glob("*.seg"))) == 1


def test_a_record_that_fails_to_parse_is_skipped_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib.indexing import preparation

    corpus = tmp_path / "news.jsonl"
    corpus.write_text('{"id": "a", "body": "Walrus."}\n{"id": "b", "body": "Odd."}\n')
    parse = preparation.record_to_article

    def fragile(record, source, fields):
        if record["id"] == "b":
            raise RuntimeError("boom")
        return parse(record, source, fields)

    monkeypatch.setattr(preparation, "record_to_article", fragile)
    with Index(tmp_path / "index") as index, pytest.warns(SkippedFileWarning, match="boom"):
        report = index.add_file(corpus, workers=1)
    assert report.added == ["a"]
    assert report.skipped == [(f"{corpus}:2", "can't parse it (RuntimeError: boom)")]
