"""The ingest boundary: whatever file names, folders, records and pages come in, indexing
goes on, what reaches the index is valid Unicode, and a re-run finds everything unchanged."""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib import Article, Index, Quote, SearchlibError, SkippedFileWarning
from searchlib.articles.pages import read_page
from searchlib.indexing import folders
from searchlib.indexing.preparation import content_hash
from searchlib.schema import Document, FileState
from searchlib.storage import integrity
from searchlib_cli.main import main as searchlib_command
from searchlib_cli.search import search as search_command

STORY = b"Walrus story\n\nThe walrus swam past the harbour at dawn.\n"


def valid(value: object) -> bool:
    """Whether ``value`` (and every string in it) can be written as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def assert_readable(index: Index, word: str = "walrus") -> None:
    """Every hit of ``word``, and the article behind it, is valid text in every form."""
    results = index.search(word, limit=1000)
    assert valid(results.to_dicts())
    for hit in results:
        article = index.get(hit.id)
        assert article is not None and valid(article.to_dict())


# Lone surrogates


def test_a_lone_surrogate_in_a_record_reaches_the_index_as_a_replacement_character(
    index: Index, tmp_path: Path
) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text(
        '{"_id": "p1", "text": "walrus \\ud800 one"}\n'
        '{"_id": "p2\\udc00", "title": "T \\udfff", "text": "walrus two"}\n'
    )
    report = index.add_file(records)
    assert (report.added, report.skipped) == (["p1", "p2\ufffd"], [])
    assert index.get("p1").body == "walrus \ufffd one"
    assert index.get("p2\udc00").headline == "T \ufffd"  # the id is cleaned the same way
    assert_readable(index)
    for output in ([], ["--json"], ["--csv"]):
        result = CliRunner().invoke(search_command, ["walrus", "--index", str(index.path), *output])
        assert result.exit_code == 0, result.output
    assert integrity.check(index.path) == []


def test_hand_made_articles_with_lone_surrogates_are_stored_cleaned(index: Index) -> None:
    index.add(
        Article(
            id="a\udcff",
            body="walrus \ud83d body",
            headline="h\udc80",
            caption="c\udfff",
            credit="cr\ud800",
            quotes=[Quote("q\ud800", "Sp\udc00")],
            path="/p\udcff.txt",
            source="s\ud800",
        )
    )
    article = index.get("a\ufffd")
    assert article is not None
    assert valid(article.to_dict())
    assert (article.body, article.credit, article.quotes[0].speaker) == (
        "walrus \ufffd body",
        "cr\ufffd",
        "Sp\ufffd",
    )
    assert_readable(index)


def test_check_names_stored_text_that_is_not_valid_unicode(index: Index) -> None:
    # As an index built before text was cleaned holds it.
    with index._folder.writing() as (writer, _):
        writer.update(Document({"id": "old", "body": []}, {"id": "old", "body": "walrus \ud800"}))
    problems = integrity.check(index.path)
    assert len(problems) == 1
    assert "'old'" in problems[0] and "Unicode" in problems[0] and "again" in problems[0]


# File names


ODD_NAMES = {
    b"bad\xff\xfe.txt": "bad\\xff\\xfe",
    b"x\ty.txt": "x\ty",
    b"line\nbreak.txt": "line\nbreak",
    b"caf\xc3\xa9.txt": "caf\u00e9",
    b"plain.txt": "plain",
}


def write_odd_names(folder: Path) -> None:
    folder.mkdir()
    for number, name in enumerate(ODD_NAMES):
        with open(os.path.join(os.fsencode(folder), name), "wb") as file:
            file.write(STORY + b"Story number %d.\n" % number)


@pytest.mark.parametrize("workers", [1, 2])
def test_file_names_of_any_bytes_index_once_and_stay_unchanged(
    index: Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(folders, "PARALLEL_FROM", 2)
    folder = tmp_path / "odd"
    write_odd_names(folder)
    report = index.add_folder(folder, workers=workers)
    assert (len(report.added), report.skipped) == (len(ODD_NAMES), [])
    assert valid(report.added)
    ids = {f"odd/{stem}" for stem in ODD_NAMES.values()}
    assert {hit.id for hit in index.search("walrus", limit=10)} == ids
    bad = index.get("odd/bad\\xff\\xfe")
    assert bad is not None and bad.path == str(folder / "bad\\xff\\xfe.txt")
    assert "Story number 0." in bad.body
    assert "Story number 1." in index.get("odd/x\ty").body
    assert_readable(index)

    again = index.add_folder(folder, workers=workers)
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 5)

    raw = os.path.join(os.fsencode(folder), b"bad\xff\xfe.txt")
    with open(raw, "ab") as file:
        file.write(b"A new line.\n")
    assert index.add_folder(folder, workers=workers).updated == [bad.path]
    os.remove(raw)
    assert index.add_folder(folder, workers=workers).removed == [bad.path]
    assert index.get("odd/bad\\xff\\xfe") is None and len(index) == 4
    assert integrity.check(index.path) == []


def test_file_states_written_tab_separated_are_still_read(index: Index, tmp_path: Path) -> None:
    # As indexes before file states were written as JSON hold them, tabs in names included.
    folder = tmp_path / "old"
    folder.mkdir()
    names = ("kept", "tab\tkept", "gone")
    for name in names:
        (folder / f"{name}.txt").write_bytes(STORY)
    with index._folder.writing() as (writer, _):
        for name in names:
            state = "\t".join([str(folder / f"{name}.txt"), content_hash(STORY), f"old/{name}"])
            writer.update(
                Document({"id": f"old/{name}", "file_state": state}, {"id": f"old/{name}"})
            )
    assert FileState.from_term(state) == FileState(
        str(folder / "gone.txt"), content_hash(STORY), "old/gone"
    )
    (folder / "gone.txt").unlink()
    report = index.add_folder(folder)
    assert (report.added, report.removed, report.unchanged) == ([], [str(folder / "gone.txt")], 2)
    assert index.get("old/gone") is None and len(index) == 2


# Folders


def chain(top: Path, depth: int, name: str) -> None:
    """``top``, holding a folder ``name`` holding one ... ``depth`` deep, the last holding a
    story; built and taken apart by renames, so no path handled is long."""
    scratch = top.parent / "scratch"
    top.mkdir()
    (top / "deep.txt").write_bytes(STORY)
    for _ in range(depth):
        scratch.mkdir()
        top.rename(scratch / name)
        scratch.rename(top)


def unchain(top: Path, name: str) -> None:
    """Remove what ``chain`` built (``shutil.rmtree`` recurses once per level)."""
    scratch = top.parent / "scratch"
    while (top / name).is_dir():
        (top / name).rename(scratch)
        for entry in top.iterdir():
            entry.unlink()
        top.rmdir()
        scratch.rename(top)
    for entry in top.iterdir():
        entry.unlink()
    top.rmdir()


def test_a_folder_a_thousand_levels_deep_is_indexed(index: Index, tmp_path: Path) -> None:
    top = tmp_path / "deep"
    chain(top, 1000, "d")
    try:
        report = index.add_folder(top)
        assert (len(report.added), report.skipped) == (1, [])
        assert [hit.id for hit in index.search("walrus")] == ["deep" + "/d" * 1000 + "/deep"]
    finally:
        unchain(top, "d")


def test_paths_too_long_to_open_are_skipped_with_a_warning(index: Index, tmp_path: Path) -> None:
    top = tmp_path / "long"
    chain(top, 500, "d" * 20)  # 10,500 characters: beyond any system's limit on a path
    (top / "short.txt").write_bytes(STORY)
    try:
        with pytest.warns(SkippedFileWarning, match="can't list this folder"):
            report = index.add_folder(top)
        assert [Path(path).name for path in report.added] == ["short.txt"]
        assert len(report.skipped) == 1 and "too long" in report.skipped[0][1]
    finally:
        unchain(top, "d" * 20)


# Symbolic links


def test_a_link_to_a_file_outside_the_folder_is_skipped_and_removed(
    index: Index, tmp_path: Path
) -> None:
    outside = tmp_path / "private.txt"
    outside.write_text("Private\n\nThe walrus password is secret.\n")
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "story.txt").write_bytes(STORY)
    (folder / "leak.txt").write_bytes(STORY)
    (folder / "again.txt").symlink_to("story.txt")  # inside: indexed under its own name
    index.add_folder(folder)
    (folder / "leak.txt").unlink()
    (folder / "leak.txt").symlink_to(outside)
    with pytest.warns(SkippedFileWarning, match="leak.txt: a symbolic link to a file outside"):
        report = index.add_folder(folder)
    assert report.skipped == [
        (str(folder / "leak.txt"), "a symbolic link to a file outside the folder")
    ]
    assert report.removed == [str(folder / "leak.txt")]
    assert {hit.id for hit in index.search("walrus")} == {"shared/story", "shared/again"}
    assert index.search("password").total == 0


# Ids


def test_add_keeps_the_last_article_of_an_id(index: Index) -> None:
    index.add(
        Article(id="x", body="first walrus"),
        Article(id="y", body="other walrus"),
        Article(id="x", body="second walrus"),
        Article(id="z\ud800", body="first seal"),
        Article(id="z\udfff", body="second seal"),  # the same id once cleaned
    )
    assert len(index) == 3
    assert index.get("x").body == "second walrus"
    assert index.get("z\ufffd").body == "second seal"
    assert index.search("first").total == 0


# Files add_file can't read


def test_add_file_refuses_a_file_that_is_neither_an_article_nor_records(
    index: Index, tmp_path: Path
) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4 walrus\n")
    with pytest.raises(SearchlibError, match=r"x\.pdf.*\.txt.*\.jsonl"):
        index.add_file(pdf)
    assert len(index) == 0
    result = CliRunner().invoke(searchlib_command, ["index", str(pdf), "--index", str(index.path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert ".txt" in result.stderr and "Traceback" not in result.stderr


def test_a_number_too_long_for_python_is_read_as_written(index: Index, tmp_path: Path) -> None:
    records = tmp_path / "numbers.jsonl"
    long_number = "9" * 5000
    records.write_text(
        f'{{"_id": {long_number}, "text": "walrus long"}}\n'
        f'{{"_id": 7, "text": "walrus {long_number}"}}\n'
    )
    report = index.add_file(records)
    assert (report.added, report.skipped) == ([long_number, "7"], [])


# Anything at all


HYPOTHESIS = settings(deadline=None, database=None, max_examples=25)
file_names = st.tuples(
    st.binary(min_size=1, max_size=60).filter(lambda name: b"/" not in name and b"\0" not in name),
    st.sampled_from([b".txt", b".md", b".html", b".HTM", b".text", b"", b".pdf"]),
).map(b"".join)
contents = st.one_of(
    st.just(STORY),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: ("walrus " + text).encode("utf-8", "surrogatepass")),
)


@HYPOTHESIS
@given(files=st.dictionaries(file_names, contents, min_size=1, max_size=8))
def test_any_file_names_index_or_skip_and_then_stay_unchanged(files: dict[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch, "folder")
        folder.mkdir()
        for name, data in files.items():
            if name not in (b".", b".."):
                with open(os.path.join(os.fsencode(folder), name), "wb") as file:
                    file.write(data)
        with warnings.catch_warnings(), Index(Path(scratch, "index")) as index:
            warnings.simplefilter("ignore", SkippedFileWarning)
            report = index.add_folder(folder, workers=1)
            found = list(folders.find_files(folder))
            assert len(report.added) + len(report.skipped) == len(found)
            assert valid([report.added, report.skipped])
            again = index.add_folder(folder, workers=1)
            assert (again.added, again.updated, again.removed) == ([], [], [])
            assert again.unchanged == len(report.added) == len(index)
            assert_readable(index)
            assert integrity.check(index.path) == []


any_text = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])))
"""Text with lone surrogates too (as JSON escapes write them)."""
BIG = "\0big:"
json_values = st.one_of(
    any_text,
    any_text.map(lambda text: "walrus " + text),
    st.integers(),
    st.integers(4301, 6000).map(lambda digits: f"{BIG}{digits}"),  # too long for int()
    st.floats(),
    st.booleans(),
    st.none(),
)
records = st.dictionaries(
    st.one_of(
        st.sampled_from(["_id", "id", "title", "text", "body", "caption", "credit", "date"]),
        any_text,
    ),
    json_values,
)


def json_line(record: dict) -> str:
    """``record`` as a line of JSON, with the numbers ``BIG`` stands for written out."""
    line = json.dumps(record)
    return re.sub(r'"\\u0000big:(\d+)"', lambda match: "9" * int(match[1]), line) + "\n"


@HYPOTHESIS
@given(lines=st.lists(records, min_size=1, max_size=8))
def test_any_json_strings_and_numbers_in_records_index_or_skip(lines: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        file = Path(scratch, "records.jsonl")
        file.write_text("".join(json_line(line) for line in lines))
        with warnings.catch_warnings(), Index(Path(scratch, "index")) as index:
            warnings.simplefilter("ignore", SkippedFileWarning)
            report = index.add_file(file)
            assert len(report.added) + len(report.skipped) == len(lines)
            assert valid([report.added, report.skipped])
            assert len(index) == len(set(report.added))
            for article_id in report.added:
                article = index.get(article_id)
                assert article is not None and valid(article.to_dict())
            assert_readable(index)
            assert integrity.check(index.path) == []


TAGS = (
    "html head title body article main header footer nav aside form h1 h2 p blockquote li ul"
    " figure figcaption q a b span div script style noscript template svg br img table td"
).split()
attributes = st.lists(
    st.tuples(st.sampled_from(["class", "href", "id", "x"]), st.text(max_size=10)), max_size=2
).map(lambda pairs: "".join(f' {name}="{value}"' for name, value in pairs))
HTML_PIECES = [
    "&amp;", "&#xd800;", "&#x110000;", "&#0;", "&bogus;", "<!-- c -->", "<!--", "</p>", "<p",
    "</>", "<!DOCTYPE html>", "<?php x ?>", "<![CDATA[walrus]]>", "<![if x]>", "“", '"',
]  # fmt: skip
html_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(HTML_PIECES),
)
markup = st.recursive(
    html_text,
    lambda children: st.tuples(
        st.sampled_from(TAGS), attributes, st.lists(children, max_size=4), st.booleans()
    ).map(
        lambda parts: (
            f"<{parts[0]}{parts[1]}>{''.join(parts[2])}" + (f"</{parts[0]}>" if parts[3] else "")
        )
    ),
    max_leaves=30,
)


@settings(deadline=None, database=None, max_examples=300)
@given(page=st.lists(markup, max_size=5).map("".join))
def test_any_nesting_of_html_tags_and_text_reads_as_a_page(page: str) -> None:
    read = read_page(page)  # '<![0' (issue 14, case 8) is left to the tests of pages
    assert all(part is None or isinstance(part, str) for part in read)
    assert valid(list(read))
