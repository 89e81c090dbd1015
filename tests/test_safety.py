"""Nothing lost, nothing crashes: killed builds, concurrent readers and writers, damaged
index files, hostile files and queries, terminal safety, and open files over a long run.

Processes to kill are forked from the test process (``multiprocessing``'s fork context), so
they start at once with searchlib already imported; SIGKILL gives them no chance to clean up.
"""

from __future__ import annotations

import builtins
import errno
import gc
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchlib import (
    Article,
    Index,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexStorageError,
    QueryError,
    QueryWarning,
    Quote,
    SearchlibError,
    SkippedFileWarning,
)
from searchlib.engine import files as engine_files
from searchlib.engine.writing import Writer
from searchlib.schema import to_document
from searchlib.storage import integrity
from searchlib.storage.vocabulary import FILENAME, Vocabulary
from searchlib_cli.main import main as searchlib_command
from searchlib_cli.search import search as search_command

BATCHES = 20
PER_BATCH = 100
STORIES = BATCHES * PER_BATCH
COMMITTED = range(0, STORIES + 1, PER_BATCH)
"""The article counts a build of ``BATCHES`` folders can leave: whole folders only."""
KILLS = 20

if "fork" in multiprocessing.get_all_start_methods():
    forking: Any = multiprocessing.get_context("fork")
else:
    forking = None
needs_fork = pytest.mark.skipif(forking is None, reason="needs os.fork to start processes to kill")
needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to see processes and open files"
)


def story(number: int) -> str:
    return (
        f"Walrus story {number}\n\nThe walrus{number} swam past the harbour at dawn. "
        # Words of its own in every five: no two stories are versions of one another.
        + "".join(
            f"Fishermen counted seals{number}x{n} and gulls near the pier. " for n in range(4)
        )
        + f"The end of story {number}.\n"
    )


def story_id(number: int) -> str:
    return f"batch{number // PER_BATCH:02}/story{number:04}"


def write_stories(root: Path, batches: int = BATCHES) -> Path:
    """``batches`` folders of ``PER_BATCH`` stories each; each folder is one commit."""
    for number in range(batches * PER_BATCH):
        folder = root / f"batch{number // PER_BATCH:02}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"story{number:04}.txt").write_text(story(number))
    return root


def build(stories: Path, index_path: Path) -> None:
    """Index the folders of ``stories`` one commit each, in order."""
    with Index(index_path) as index:
        for folder in sorted(stories.iterdir()):
            index.add_folder(folder, workers=1)


def assert_committed(index_path: Path) -> int:
    """The index opens and holds whole folders of complete stories; returns how many."""
    with Index(index_path) as index:
        count = len(index)
        assert count in COMMITTED
        results = index.search("walrus", limit=count + 1)
        assert results.total == len(results) == count
        assert {hit.id for hit in results} == {story_id(number) for number in range(count)}
        for hit in results:
            number = int(hit.id[-4:])
            assert hit.article.headline == f"Walrus story {number}"
            assert hit.article.body.endswith(f"The end of story {number}.")
        if count:  # its own word, looked up through the vocabulary
            assert [hit.id for hit in index.search(f"walrus{count - 1}")] == [story_id(count - 1)]
    assert integrity.check(index_path) == []
    return count


def hold_lock(index_path: Path, article_id: str, locked: Any, release: Any) -> None:
    """In a child process: hold the index lock with ``article_id`` written but not committed,
    set ``locked``, and keep the lock until ``release`` is set (at most 60 s), then commit."""
    with Index(index_path) as index, index._folder.writing() as (writer, stemmer):
        writer.update(to_document(Article(id=article_id, body="walrus"), stemmer))
        locked.set()
        release.wait(60)


def start(target: Callable[..., None], *arguments: Any) -> Any:
    """A forked process running ``target(*arguments)``."""
    process = forking.Process(target=target, args=arguments)
    process.start()
    return process


def die() -> None:
    """Kill this process as ``kill -9`` would: no cleanup runs."""
    os.kill(os.getpid(), signal.SIGKILL)


# Crash safety


@needs_fork
def test_a_build_killed_at_random_moments_keeps_its_last_commit(tmp_path: Path) -> None:
    stories = write_stories(tmp_path / "stories")
    seed = random.randrange(2**32)
    print(f"random seed {seed}")  # shown if the test fails
    delays = random.Random(seed)
    index_path, kills, complete_builds = tmp_path / "index-0", 0, 0
    while kills < KILLS:
        process = start(build, stories, index_path)
        process.join(delays.uniform(0.0, 0.8))
        if process.exitcode is None:
            process.kill()
            process.join()
            kills += 1
            assert_committed(index_path)  # the next round re-runs the build on it
        else:
            assert process.exitcode == 0
            assert assert_committed(index_path) == STORIES
            complete_builds += 1
            index_path = tmp_path / f"index-{complete_builds}"
    build(stories, index_path)  # a re-run completes what the last kill cut short
    assert assert_committed(index_path) == STORIES


class _DyingFile:
    """A file that kills its process halfway through its third write."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._writes = 0

    def write(self, data: bytes) -> int:
        self._writes += 1
        if self._writes == 3:
            self._file.write(data[: len(data) // 2])
            self._file.flush()
            die()
        return self._file.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def die_writing(accepts: Callable[[str], bool]) -> None:
    """From now on, die halfway through writing a file whose name ``accepts`` accepts."""
    real_open = builtins.open

    def dying_open(file: Any, mode: str = "r", *arguments: Any, **keywords: Any) -> Any:
        opened = real_open(file, mode, *arguments, **keywords)
        if "w" in mode and isinstance(file, str | os.PathLike) and accepts(Path(file).name):
            return _DyingFile(opened)
        return opened

    builtins.open = dying_open


def die_when_called(owner: Any, name: str, before: bool = True) -> None:
    """From now on, die when ``owner.name`` is called (before or after it runs)."""
    real = getattr(owner, name)

    def dying(*arguments: Any, **keywords: Any) -> Any:
        if before:
            die()
        result = real(*arguments, **keywords)
        die()
        return result

    setattr(owner, name, dying)


def die_renaming_a_table_of_contents(before: bool) -> None:
    """From now on, die when a table of contents is renamed into place (before or after)."""
    real_rename = os.rename

    def dying_rename(source: Any, target: Any) -> None:
        if before and str(target).endswith(".toc"):
            die()
        real_rename(source, target)
        if str(target).endswith(".toc"):
            die()

    os.rename = dying_rename  # type: ignore[assignment]


CRASH_POINTS: dict[str, tuple[Callable[[], None], int]] = {
    # Where the second folder's commit dies, and how many stories it leaves.
    "halfway through a segment file": (
        lambda: die_writing(lambda name: name.endswith(".seg")),
        PER_BATCH,
    ),
    "halfway through the table of contents": (
        lambda: die_writing(lambda name: name.startswith("_MAIN_") and ".toc" in name),
        PER_BATCH,
    ),
    "before the new table of contents replaces the old": (
        lambda: die_renaming_a_table_of_contents(before=True),
        PER_BATCH,
    ),
    "before old files are removed": (
        lambda: die_renaming_a_table_of_contents(before=False),
        2 * PER_BATCH,
    ),
    "while recording the vocabulary": (lambda: die_when_called(Vocabulary, "add"), PER_BATCH),
    "after the commit": (lambda: die_when_called(Writer, "commit", before=False), 2 * PER_BATCH),
}


@needs_fork
@pytest.mark.parametrize("crash_point", CRASH_POINTS)
def test_a_build_killed_at_each_step_of_a_commit_keeps_a_whole_commit(
    tmp_path: Path, crash_point: str
) -> None:
    stories = write_stories(tmp_path / "stories", batches=2)
    index_path = tmp_path / "index"
    with Index(index_path) as index:
        index.add_folder(stories / "batch00")
    arm, left = CRASH_POINTS[crash_point]

    def killed_build() -> None:
        arm()
        with Index(index_path) as index:
            index.add_folder(stories / "batch01", workers=1)

    process = start(killed_build)
    process.join()
    assert process.exitcode == -signal.SIGKILL
    assert assert_committed(index_path) == left
    build(stories, index_path)
    assert assert_committed(index_path) == 2 * PER_BATCH


@needs_fork
@pytest.mark.parametrize("before", [True, False], ids=["before", "while"])
def test_an_index_killed_while_being_created_opens_and_fills(tmp_path: Path, before: bool) -> None:
    stories = write_stories(tmp_path / "stories", batches=1)

    def killed_creation() -> None:
        if before:
            die_when_called(Vocabulary, "set_metadata")
        else:  # with the vocabulary file made, but no metadata in it
            die_when_called(Vocabulary, "_connect", before=False)
        Index(tmp_path / "index")

    process = start(killed_creation)
    process.join()
    assert process.exitcode == -signal.SIGKILL
    assert assert_committed(tmp_path / "index") == 0
    build(stories, tmp_path / "index")
    assert assert_committed(tmp_path / "index") == PER_BATCH


def first_search(folder: Path, arm: Callable[[], None]) -> None:
    """In a child process: arm a crash, then search in ``folder``, which has ./seeds and no
    index yet."""
    os.chdir(folder)
    arm()
    run(search_command, "walrus")


def die_moving_a_table_of_contents_in() -> None:
    """From now on, die when a table of contents is moved into place."""
    real_replace = os.replace

    def dying_replace(source: Any, target: Any) -> None:
        if str(target).endswith(".toc"):
            die()
        real_replace(source, target)

    os.replace = dying_replace  # type: ignore[assignment]


FIRST_BUILD_CRASH_POINTS: dict[str, Callable[[], None]] = {
    "while indexing ./seeds": lambda: die_when_called(Writer, "commit"),
    "after indexing them": lambda: die_when_called(Writer, "commit", before=False),
    "while moving the index into place": die_moving_a_table_of_contents_in,
}


@needs_fork
@pytest.mark.parametrize("crash_point", FIRST_BUILD_CRASH_POINTS)
def test_a_first_search_killed_while_building_leaves_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_point: str
) -> None:
    write_stories(tmp_path / "seeds", batches=1)
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / ".gitkeep").touch()  # as in a fresh clone
    monkeypatch.delenv("SEARCHLIB_INDEX", raising=False)
    process = start(first_search, tmp_path, FIRST_BUILD_CRASH_POINTS[crash_point])
    process.join()
    assert process.exitcode == -signal.SIGKILL
    with pytest.raises(IndexNotFoundError):
        Index(tmp_path / "index", create=False)
    monkeypatch.chdir(tmp_path)
    result = run(search_command, "walrus", "--json")  # builds it again
    assert result.exit_code == 0 and "building it from ./seeds" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["index", "seeds"]
    assert len(json.loads(result.stdout)) == 10
    with Index(tmp_path / "index", create=False) as index:
        assert len(index) == index.search("walrus").total == PER_BATCH
    assert integrity.check(tmp_path / "index") == []


def child_processes(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def is_running(process: int) -> bool:
    try:
        state = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@needs_fork
@needs_proc
def test_workers_of_a_killed_indexer_stop_without_finishing_or_leaving_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories = write_stories(tmp_path / "stories", batches=30)
    for folder in sorted(stories.iterdir())[1:]:  # one big folder, for two workers
        for file in folder.iterdir():
            file.rename(stories / "batch00" / file.name)
        folder.rmdir()
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # the system's temporary folder
    index_path = tmp_path / "index"
    Index(index_path).close()

    def indexer() -> None:
        with Index(index_path) as index:
            index.add_folder(stories / "batch00", workers=2)

    process = start(indexer)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    # Terms files appear as writers start: the indexer's own, then one per worker.
    while (len(workers) < 2 or len(list(index_path.glob("MAIN_*.trm"))) < 3) and (
        time.monotonic() < deadline
    ):
        workers = child_processes(process.pid)
        time.sleep(0.01)
    assert len(workers) == 2
    process.kill()
    process.join()
    while any(map(is_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(map(is_running, workers))
    assert list(index_path.rglob("*.result")) == []  # neither finished its share
    assert list(temporary.iterdir()) == []
    assert assert_committed(index_path) == 0
    with Index(index_path) as index:
        assert len(index.add_folder(stories / "batch00", workers=1).added) == 30 * PER_BATCH
    assert integrity.check(index_path) == []
    # The next commit deleted what the killed one had written (segments, jobs).
    assert {path.suffix for path in index_path.iterdir()} == {"", ".seg", ".toc", ".sqlite3"}
    assert len(list(index_path.glob("*.seg"))) == 1


# Concurrency


@needs_fork
def test_searches_while_indexing_see_whole_commits(tmp_path: Path) -> None:
    stories = write_stories(tmp_path / "stories", batches=10)
    index_path = tmp_path / "index"
    Index(index_path).close()
    process = start(build, stories, index_path)
    seen: list[int] = []
    with Index(index_path) as reused:
        while process.is_alive():
            with Index(index_path) as fresh:
                assert len(fresh) in COMMITTED
            count = len(reused)
            assert count in COMMITTED
            found = {hit.id for hit in reused.search("walrus", limit=10 * PER_BATCH)}
            # A commit may land between counting and searching, never inside either.
            assert len(found) >= count
            assert found == {story_id(number) for number in range(len(found))}
            seen.append(count)
        process.join()
        assert process.exitcode == 0
        assert seen == sorted(seen) and len(set(seen)) > 2
        assert len(reused) == reused.search("walrus").total == 10 * PER_BATCH


def test_opening_while_a_commit_replaces_the_table_of_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_path = tmp_path / "index"
    writer = Index(index_path)
    writer.add(Article(id="first", body="walrus"))
    real_listdir = os.listdir
    commits, committing = 0, False

    def listdir_then_commit(path: Any) -> list[str]:
        # Each of the reader's first two listings of the folder is followed by a commit,
        # which deletes the table of contents the reader has just found there.
        nonlocal commits, committing
        names = real_listdir(path)
        if Path(path) == index_path and commits < 2 and not committing:
            committing = True
            writer.add(Article(id=f"during {commits}", body="walrus"))
            committing, commits = False, commits + 1
        return names

    monkeypatch.setattr(os, "listdir", listdir_then_commit)
    with Index(index_path) as reader:
        assert commits == 2
        assert len(reader) == 3
    writer.close()


@needs_fork
def test_a_second_indexer_waits_for_the_lock_then_fails_clearly(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    Index(index_path).close()
    locked, release = forking.Event(), forking.Event()
    process = start(hold_lock, index_path, "held", locked, release)
    assert locked.wait(30)
    started = time.monotonic()
    with (
        Index(index_path, lock_timeout=0.5) as index,
        pytest.raises(IndexLockedError, match=r"being written by another process \(waited 0.5 s\)"),
    ):
        index.add(Article(id="second", body="walrus"))
    assert time.monotonic() - started >= 0.5
    release.set()  # the holder commits while this one waits
    with Index(index_path, lock_timeout=30) as index:
        index.add(Article(id="second", body="walrus"))
        assert sorted(hit.id for hit in index.search("walrus")) == ["held", "second"]
    process.join()
    assert process.exitcode == 0
    assert integrity.check(index_path) == []


def create_and_add(index_path: Path, article_id: str, ready: Any) -> None:
    """In a child process: once every process is ready, open (so create) the index and add
    an article."""
    ready.wait()
    with Index(index_path, lock_timeout=60) as index:
        index.add(Article(id=article_id, body=f"walrus {article_id}"))


@needs_fork
def test_processes_creating_one_index_at_once_make_one_and_lose_nothing(tmp_path: Path) -> None:
    for trial in range(10):
        index_path = tmp_path / f"index-{trial}"
        ready = forking.Barrier(4)
        processes = [start(create_and_add, index_path, f"p{number}", ready) for number in range(4)]
        for process in processes:
            process.join()
        assert [process.exitcode for process in processes] == [0, 0, 0, 0]
        with Index(index_path, create=False) as index:
            found = sorted(hit.id for hit in index.search("walrus"))
        assert found == ["p0", "p1", "p2", "p3"]
        assert integrity.check(index_path) == []


def test_one_index_searched_by_threads_while_threads_add_to_it(tmp_path: Path) -> None:
    failures: list[BaseException] = []

    def reported(work: Callable[[], None]) -> Callable[[], None]:
        def run_reported() -> None:
            try:
                work()
            except BaseException as failure:  # the test's thread reports it
                failures.append(failure)

        return run_reported

    def stories(prefix: str, count: int) -> list[Article]:
        return [Article(id=f"{prefix}{n:03}", body=f"walrus {prefix}{n}") for n in range(count)]

    with Index(tmp_path / "index", lock_timeout=60) as index:
        index.add(*stories("first", PER_BATCH))

        def search() -> None:
            for number in range(30):
                # Consistency is tested, not speed: a loaded machine may pass 2 s.
                query = "walrus seal" if number % 2 else "walrus"
                results = index.search(query, limit=5, timeout=60)
                assert results.total % PER_BATCH == 0  # whole commits
                assert len(results) == 5
                assert index.get(results[0].id) == results[0].article
                assert len(index) % PER_BATCH == 0

        def add(prefix: str) -> Callable[[], None]:
            return lambda: [
                index.add(*stories(f"{prefix}{batch}-", PER_BATCH)) for batch in range(3)
            ]

        threads = [threading.Thread(target=reported(search)) for _ in range(8)]
        threads += [threading.Thread(target=reported(add(prefix))) for prefix in "xy"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(index) == index.search("walrus").total == 7 * PER_BATCH
    assert integrity.check(tmp_path / "index") == []


@needs_fork
def test_the_lock_of_a_killed_indexer_is_free_at_once(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    with Index(index_path) as index:
        index.add(Article(id="kept", body="walrus"))
    locked = forking.Event()
    process = start(hold_lock, index_path, "lost", locked, forking.Event())  # never released
    assert locked.wait(30)
    process.kill()
    process.join()
    with Index(index_path, lock_timeout=0) as index:
        index.add(Article(id="after", body="walrus"))
        assert sorted(hit.id for hit in index.search("walrus")) == ["after", "kept"]
    assert integrity.check(index_path) == []


# Integrity


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """An index of two folders of stories (two segments)."""
    stories = write_stories(tmp_path / "stories", batches=2)
    build(stories, tmp_path / "index")
    return tmp_path / "index"


def run(command: Any, *arguments: str) -> Result:
    return CliRunner().invoke(command, list(arguments), catch_exceptions=False)


def truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def smallest_segment(index_path: Path) -> Path:
    return min(index_path.glob("*.seg"), key=lambda file: file.stat().st_size)


def table_of_contents(index_path: Path) -> Path:
    return next(index_path.glob("_MAIN_*.toc"))


def miscount_a_segment(index_path: Path) -> None:
    """Write a table of contents that gives a segment one document more than it holds."""
    storage = engine_files.FileStorage(str(index_path))
    contents = engine_files.TOC.read(storage, engine_files.INDEX_NAME)
    contents.segments[0]._doccount += 1
    contents.generation += 1
    contents.write(storage, engine_files.INDEX_NAME)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated segment": (
        lambda path: truncate(smallest_segment(path)),
        r"segment MAIN_\w+: can't be opened \(EOFError",
    ),
    "missing segment": (
        lambda path: smallest_segment(path).unlink(),
        r"segment MAIN_\w+: its file MAIN_\w+\.seg is missing",
    ),
    "truncated table of contents": (
        lambda path: truncate(table_of_contents(path)),
        r"_MAIN_\d+\.toc, the table of contents, can't be read",
    ),
    "miscounted segment": (
        miscount_a_segment,
        r"segment MAIN_\w+: the table of contents says 101 documents, it holds 100",
    ),
    "garbled vocabulary": (
        lambda path: (path / FILENAME).write_bytes(b"not a database" * 100),
        rf"{FILENAME} can't be read \(DatabaseError: file is not a database\)",
    ),
    "missing vocabulary": (
        lambda path: (path / FILENAME).unlink(),
        rf"{FILENAME} is missing",
    ),
}


def test_check_passes_a_sound_index(built: Path) -> None:
    assert integrity.check(built) == []
    result = run(searchlib_command, "check", "--index", str(built))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"{built}: {2 * PER_BATCH} articles, no problems found\n",
        "",
    )


@pytest.mark.parametrize("damage", DAMAGE)
def test_check_says_what_is_wrong_in_one_line(built: Path, damage: str) -> None:
    harm, message = DAMAGE[damage]
    harm(built)
    result = run(searchlib_command, "check", "--index", str(built))
    assert (result.exit_code, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {built}: ")
    assert_matches(message, line)


def assert_matches(pattern: str, text: str) -> None:
    assert re.search(pattern, text), f"{pattern!r} not in {text!r}"


COMMANDS: dict[str, list[str]] = {
    "search": ["walrus"],
    "stats": ["stats"],
    "show": ["show", story_id(0)],
    "index": ["index", "STORIES"],
    "check": ["check"],
}


@pytest.mark.parametrize(
    "damage", ["truncated segment", "truncated table of contents", "garbled vocabulary"]
)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_reports_a_damaged_index_in_one_line(
    built: Path, damage: str, command: str
) -> None:
    DAMAGE[damage][0](built)
    arguments = [
        str(built.parent / "stories") if argument == "STORIES" else argument
        for argument in COMMANDS[command]
    ]
    runnable = search_command if command == "search" else searchlib_command
    result = run(runnable, *arguments, "--index", str(built))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert_matches(r"can't be (read|opened) \((EOFError|error|DatabaseError): ", result.stderr)


# The operating system's refusals


class _FullDiskFile:
    """A file on a full disk: writing to it fails."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", self._file.name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def fill_the_disk_writing(monkeypatch: pytest.MonkeyPatch, accepts: Callable[[str], bool]) -> None:
    """Writing a file whose name ``accepts`` accepts fails: the disk is full."""
    real_open = builtins.open

    def full_open(file: Any, mode: str = "r", *arguments: Any, **keywords: Any) -> Any:
        opened = real_open(file, mode, *arguments, **keywords)
        if "w" in mode and isinstance(file, str | os.PathLike) and accepts(Path(file).name):
            return _FullDiskFile(opened)
        return opened

    monkeypatch.setattr(builtins, "open", full_open)


class _FullDatabase:
    """A database connection on a full disk: changes fail."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def executemany(self, *arguments: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def __enter__(self) -> _FullDatabase:
        return self

    def __exit__(self, *exception: object) -> None:
        self._connection.rollback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def fill_the_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recording words in the vocabulary fails: the disk is full."""
    real_connect = Vocabulary._connect
    monkeypatch.setattr(Vocabulary, "_connect", lambda self: _FullDatabase(real_connect(self)))


FULL_DISK_POINTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "writing a segment's terms": lambda patch: fill_the_disk_writing(
        patch, lambda name: name.endswith(".trm")
    ),
    "assembling the segment": lambda patch: fill_the_disk_writing(
        patch, lambda name: name.endswith(".seg")
    ),
    "writing the table of contents": lambda patch: fill_the_disk_writing(
        patch, lambda name: name.startswith("_MAIN_")
    ),
    "recording the vocabulary": fill_the_vocabulary,
}


@pytest.mark.parametrize("point", FULL_DISK_POINTS)
def test_a_full_disk_fails_an_update_in_one_line_and_takes_back_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    stories = write_stories(tmp_path / "stories", batches=2)
    index_path = tmp_path / "index"
    with Index(index_path) as index:
        index.add_folder(stories / "batch00")
    files = sorted(os.listdir(index_path))
    update = ["index", str(stories / "batch01"), "--index", str(index_path)]
    with monkeypatch.context() as patch:
        FULL_DISK_POINTS[point](patch)
        result = run(searchlib_command, *update)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: the disk holding {index_path} is full: free some space and run again; "
        f"the index keeps its last complete update\n"
    )
    assert sorted(os.listdir(index_path)) == files  # the failed update's space is free again
    assert assert_committed(index_path) == PER_BATCH
    assert run(searchlib_command, *update).exit_code == 0  # with space, it goes through
    assert assert_committed(index_path) == 2 * PER_BATCH


FULL_DISK_IN_WORKERS = """
import builtins, errno

real_open = builtins.open


def full_open(file, mode="r", *arguments, **keywords):
    if "w" in mode and str(file).endswith(".seg"):
        raise OSError(errno.ENOSPC, "No space left on device", str(file))
    return real_open(file, mode, *arguments, **keywords)


builtins.open = full_open
"""


def test_a_full_disk_in_a_worker_is_reported_as_the_indexer_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories = write_stories(tmp_path / "stories", batches=3)
    index_path = tmp_path / "index"
    with Index(index_path) as index:
        index.add_folder(stories / "batch00")
    files = sorted(os.listdir(index_path))
    hooks = tmp_path / "hooks"  # run as each worker starts: its segment can't be written
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(FULL_DISK_IN_WORKERS)
    monkeypatch.setenv("PYTHONPATH", str(hooks))
    with Index(index_path) as index, pytest.raises(IndexStorageError) as caught:
        index.add_folder(stories, workers=2)
    assert str(caught.value) == (
        f"the disk holding {index_path} is full: free some space and run again; "
        f"the index keeps its last complete update"
    )
    assert sorted(os.listdir(index_path)) == files
    assert assert_committed(index_path) == PER_BATCH


def refuse_writing(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    """Opening a file in ``folder`` to write fails with ``code`` (read-only, forbidden...):
    a stand-in for ``chmod``, which doesn't stop root."""
    message = os.strerror(code)
    real_open, real_os_open = builtins.open, os.open

    def refused(file: Any) -> bool:
        return isinstance(file, str | os.PathLike) and Path(file).parent == folder

    def refusing_open(file: Any, mode: str = "r", *arguments: Any, **keywords: Any) -> Any:
        if refused(file) and set(mode) & set("wax+"):
            raise OSError(code, message, str(file))
        return real_open(file, mode, *arguments, **keywords)

    def refusing_os_open(file: Any, flags: int, *arguments: Any, **keywords: Any) -> int:
        if refused(file) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(code, message, str(file))
        return real_os_open(file, flags, *arguments, **keywords)

    monkeypatch.setattr(builtins, "open", refusing_open)
    monkeypatch.setattr(os, "open", refusing_os_open)


REFUSALS = {
    "read-only": (errno.EROFS, "{folder} is read-only: to change the index, copy it to a "
                  "writable folder"),
    "forbidden": (errno.EACCES, "no permission to use {folder}/MAIN_WRITELOCK: give yourself "
                  "access to {folder}, or use another folder"),
    "failing": (errno.EIO, "the disk holding {folder} failed to read or write (I/O error): "
                "check it, then run again"),
}  # fmt: skip


@pytest.mark.parametrize("refusal", REFUSALS)
def test_an_index_that_cannot_be_written_says_why_in_one_line_and_can_be_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: str
) -> None:
    stories = write_stories(tmp_path / "stories", batches=1)
    index_path = tmp_path / "index"
    with Index(index_path) as index:
        index.add_folder(stories / "batch00")
    code, advice = REFUSALS[refusal]
    refuse_writing(monkeypatch, index_path, code)
    expected = f"{advice.format(folder=index_path)}; the index keeps its last complete update"
    with Index(index_path) as index:
        assert index.search("walrus").total == PER_BATCH
        with pytest.raises(IndexStorageError) as caught:
            index.add(Article(id="new", body="walrus"))
    assert str(caught.value) == expected
    result = run(searchlib_command, "index", str(stories), "--index", str(index_path))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {expected}\n")


def test_an_index_whose_folder_has_gone_says_so(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    index = Index(index_path)
    index.add(Article(id="a1", body="walrus"))
    assert index.search("walrus").total == 1
    shutil.rmtree(index_path)
    gone = (
        f"the index folder {index_path} has gone (deleted or moved while in use): build it "
        f"again with `searchlib index PATH`"
    )
    for use in (
        lambda: index.add(Article(id="a2", body="walrus")),
        lambda: index.search("walrus"),
        lambda: index.get("a1"),
        lambda: len(index),
        index.stats,
    ):
        with pytest.raises(IndexStorageError) as caught:
            use()
        assert str(caught.value) == gone
    index.close()


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ("afile", "{path} is a file, not a folder: choose another path"),
        (
            "afile/index",
            "can't create an index in {path} (Not a directory): choose a folder you can write to",
        ),
        pytest.param(
            "/proc/nope/index",
            "can't create an index in {path} (No such file or directory): choose a folder "
            "you can write to",
            marks=needs_proc,
        ),
    ],
)
def test_a_path_that_cannot_hold_an_index_fails_in_one_line(
    tmp_path: Path, place: str, message: str
) -> None:
    (tmp_path / "afile").write_text("not a folder")
    path = tmp_path / place
    with pytest.raises(IndexStorageError) as caught:
        Index(path)
    assert str(caught.value) == message.format(path=path)
    assert not (tmp_path / "afile" / "index").exists()


PIPED_COMMANDS = {
    "search": ["searchlib_cli.search:search", "walrus", "-n", "50"],
    "stats": ["searchlib_cli.main:main", "stats"],
    "show": ["searchlib_cli.main:main", "show", story_id(0)],
    "similar": ["searchlib_cli.main:main", "similar", story_id(0)],
    "check": ["searchlib_cli.main:main", "check"],
}


@pytest.mark.parametrize("command", PIPED_COMMANDS)
def test_a_reader_gone_from_the_output_ends_a_command_quietly(built: Path, command: str) -> None:
    entry, *arguments = PIPED_COMMANDS[command]
    module, function = entry.split(":")
    script = f"from {module} import {function}; {function}()"
    process = subprocess.Popen(
        [sys.executable, "-c", script, *arguments, "--index", str(built)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # as `| head -1` does once it has its line, only sooner
    errors = process.stderr.read()
    process.stderr.close()
    assert (process.wait(timeout=60), errors) == (141, b"")


# Hostile files


def test_hostile_files_are_indexed_or_skipped_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 100)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "invalid_utf8.txt").write_bytes(b"Bad bytes\n\nwalrus \xff\xfe\xc3\x28 \xed\xa0\x80")
    (folder / "mixed.txt").write_bytes(
        "Mixed\n\nwalrus café ".encode() + "naïve".encode("latin-1") + b" \x93quoted\x94"
    )
    (folder / "nested.txt").write_text(
        "Nested\n\nwalrus " + '"' * 10_000 + " middle " + "“" * 5_000 + "”" * 3_000 + "\n"
    )
    (folder / "unbalanced.txt").write_text("Unbalanced\n\n" + 'He said "walrus ' * 5_000)
    (folder / "long_line.txt").write_text("Long\n\n" + "walrus seal gull " * 62_000)
    with (folder / "huge.txt").open("w") as huge:  # 100 MB, one article
        huge.write("Huge\n\n")
        for _ in range(100):
            huge.write(("walrus and seals. " * 55_555)[:1_000_000])
    (folder / "loop_a.txt").symlink_to(folder / "loop_b.txt")
    (folder / "loop_b.txt").symlink_to(folder / "loop_a.txt")
    (folder / "folder_loop").symlink_to(folder)
    with Index(tmp_path / "index") as index, pytest.warns(SkippedFileWarning) as caught:
        report = index.add_folder(folder)
    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert reasons == {
        "binary.txt": "binary file (contains NUL bytes)",
        "empty.txt": "empty file",
        "loop_a.txt": "can't read it (Too many levels of symbolic links)",
        "loop_b.txt": "can't read it (Too many levels of symbolic links)",
    }
    assert {str(warning.message) for warning in caught} == {
        f"skipped {folder / name}: {reason}" for name, reason in reasons.items()
    }
    indexed = {"invalid_utf8", "mixed", "nested", "unbalanced", "long_line", "huge"}
    assert {Path(path).stem for path in report.added} == indexed
    with Index(tmp_path / "index") as index:
        assert {hit.id.split("/")[1] for hit in index.search("walrus", limit=10)} == indexed
        assert [hit.id for hit in index.search("naïve")] == ["hostile/mixed"]
        assert [hit.id for hit in index.search("café")] == ["hostile/mixed"]
        assert "café naïve “quoted”" in index.get("hostile/mixed").body
        huge_article = index.get("hostile/huge")
        assert huge_article is not None
        assert len(huge_article.body) < 1_000_000  # cut at the length limit
    assert integrity.check(tmp_path / "index") == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_skipped_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "fine.txt").write_text(story(1))
    (folder / "secret.txt").write_text(story(2))
    (folder / "secret.txt").chmod(0)
    with Index(tmp_path / "index") as index, pytest.warns(SkippedFileWarning, match="secret"):
        report = index.add_folder(folder)
    assert report.skipped == [(str(folder / "secret.txt"), "can't read it (Permission denied)")]
    assert len(report.added) == 1


# Hostile queries


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """A small index with quotations, speakers, credits and odd words."""
    with Index(tmp_path_factory.mktemp("queries") / "index") as index:
        index.add(
            Article(
                id="byrne",
                headline="Byrne JAG grants",
                body='U.S. police said "walrus sanctuary cities" don’t get 1,000 grants.',
                credit="Alan Diaz / AP",
                quotes=[Quote("walrus sanctuary cities", "Jeff Sessions")],
            ),
            Article(id="cafe", body="Café naïve ßtraße İstanbul 15.8m 1980s walrus walruses"),
            Article(id="plain", body="Marathon runners run in the cold; the walrus ran."),
        )
        yield index


QUERY_PIECES = [
    *'"+-:*?~^()[]{}\\/!&|',
    *"“”‘’«»\x00\x1b\x9b\u202e\u200b\ufeff",
    "body:", "headline:", "speaker:", "credit:", "quotes:", "caption:", "nosuchfield:", "BODY:",
    "AND", "OR", "NOT", "the", "of", "walrus", "walruses", "Byrne", "U.S.", "don’t", "1,000",
    "15.8m", "Café", "ß", "İ", "𝔘𝔫𝔦", " ", "  ", "\t", "\n", "~2", "~99999", "date:",
    "date:2017", "date:>=2017-06-01", "date:[2017 TO *]", "[", " TO ", "]", "2017-13-45",
]  # fmt: skip
INDEXED_WORDS = (
    "walrus walruses Byrne grants sanctuary cities U.S. don’t 1,000 Café naïve run".split()
)
clauses = st.tuples(
    st.sampled_from(["", "", "+", "-", '"', "body:", "speaker:", "headline:", "nosuchfield:"]),
    st.sampled_from([*INDEXED_WORDS, "Sessions", "AP", "the", "of", "zebra"]),
    st.sampled_from(["", "", '"', "*", ":", "'s", "-", "~", "~1"]),
).map("".join)
nested = st.tuples(st.sampled_from('("“['), st.integers(0, 400), st.integers(0, 400)).map(
    lambda parts: (
        parts[0] * parts[1]
        + "walrus"
        + {"(": ")", "[": "]", "“": "”"}.get(parts[0], '"') * parts[2]
    )
)
queries = st.one_of(
    st.text(),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Zs", "Po", "Lu"])),
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=4)), max_size=40).map(
        "".join
    ),
    st.lists(clauses, min_size=1, max_size=8).map(" ".join),  # mostly words the index holds
    nested,
)
HYPOTHESIS = settings(
    deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(HYPOTHESIS, max_examples=2500)
@given(query=queries, operators=st.booleans(), offset=st.integers(0, 3))
def test_any_query_gives_a_ranked_list_or_a_clear_error(
    searchable: Index, query: str, operators: bool, offset: int
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QueryWarning)
        try:
            results = searchable.search(query, limit=2, offset=offset, operators=operators)
        except SearchlibError as error:  # QueryError above all: a message for people
            assert str(error)
            return
    hits = list(results)
    assert [hit.rank for hit in hits] == list(range(offset + 1, offset + len(hits) + 1))
    assert len({hit.id for hit in hits}) == len(hits) <= 2
    assert results.total >= (offset + len(hits) if hits else 0)
    assert all(math.isfinite(hit.score) for hit in hits)
    assert all(searchable.get(hit.id) == hit.article for hit in hits)
    json.dumps(results.to_dicts())
    assert all(isinstance(message, str) for message in results.warnings)


@settings(HYPOTHESIS, max_examples=200)
@given(query=queries.filter(lambda query: not {"\x00", "\n", "\r"} & set(query)))
def test_the_search_command_answers_any_query_in_its_format(searchable: Index, query: str) -> None:
    # (A command line can't hold NUL; line breaks are the next test's.)
    result = run(search_command, "--index", str(searchable.path), "--json", "--", query)
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert result.stdout == "" and result.stderr.startswith("Error: ")
        assert "unexpected failure" not in result.stderr
        assert result.stderr.count("\n") == 1
    else:
        assert isinstance(json.loads(result.stdout), list)


def test_a_query_with_a_line_break_fails_in_one_line(searchable: Index) -> None:
    result = run(search_command, "--index", str(searchable.path), '"\n')
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


# Output safety


CONTROL = [chr(code) for code in [*range(0, 9), *range(11, 32), *range(127, 160)]]


def test_terminal_output_carries_no_control_characters_from_articles(tmp_path: Path) -> None:
    hostile = "\x1b[2J\x1b]0;owned\x07\x9b31m\x9d8;;http://x\x9c\x00\x08"
    with Index(tmp_path / "index") as index:
        index.add(
            Article(
                id="evil",
                headline=f"Walrus {hostile} headline",
                caption=f"Caption {hostile}",
                credit=f"Credit {hostile}",
                body=f"The walrus {hostile} spoke. “Walrus {hostile} words,” said Evil {hostile}.",
                quotes=[Quote(f"Walrus {hostile} words", f"Evil {hostile} Speaker")],
            )
        )
    where = ["--index", str(tmp_path / "index"), "--color", "never"]
    for result in (
        run(search_command, "walrus", *where),
        run(searchlib_command, "show", "evil", *where),
    ):
        assert result.exit_code == 0
        assert "Walrus" in result.stdout and "Evil" in result.stdout
        assert not set(result.stdout) & set(CONTROL), repr(result.stdout)
    as_json = run(searchlib_command, "show", "evil", "--index", str(tmp_path / "index"), "--json")
    assert hostile in json.loads(as_json.stdout)["body"]  # JSON escapes, and keeps, the text


def test_terminal_output_carries_no_control_characters_from_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "evil\x1b]0;owned\x07\x9b2J.txt").write_text(story(1))
    where = ["--index", str(tmp_path / "index"), "--color", "never"]
    with Index(tmp_path / "index") as index:
        index.add_folder(folder)
    for result in (
        run(search_command, "walrus", *where),
        run(searchlib_command, "show", "stories/evil\x1b]0;owned\x07\x9b2J", *where),
    ):
        assert result.exit_code == 0
        assert not set(result.stdout) & set(CONTROL), repr(result.stdout)


# Resources


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def without_garbage_collection() -> Iterator[None]:
    """Files only a garbage collection would close count as open."""
    gc.disable()
    yield
    gc.enable()


@needs_proc
@pytest.mark.usefixtures("without_garbage_collection")
def test_thousands_of_searches_and_commits_leave_no_files_open(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    with Index(index_path) as index:
        index.add(*(Article(id=f"a{number}", body=f"walrus {number} seal") for number in range(50)))
    garbled = tmp_path / "garbled"
    shutil.copytree(index_path, garbled)
    truncate(table_of_contents(garbled))
    before = open_files()
    counts = []
    with Index(index_path) as index:
        for number in range(3000):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", QueryWarning)
                try:
                    results = index.search(["walrus seal", str(number), "+++", "the"][number % 4])
                    assert results.total >= len(results)
                except QueryError:
                    pass
            if number % 100 == 0:  # a commit: the next search opens a new searcher
                index.add(Article(id=f"new{number}", body="walrus"))
                counts.append(open_files())
            if number % 1000 == 999:
                index.close()
    assert open_files() == before
    assert max(counts) <= before + 12  # the segments and the vocabulary, not every commit's
    for _ in range(200):
        with Index(index_path) as index:
            index.search("walrus")
        with pytest.raises(IndexCorruptError):
            Index(garbled)
    assert open_files() == before
