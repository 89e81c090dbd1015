"""Checking an index for damage: its engine files and its vocabulary, read but not changed."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from searchlib.engine import integrity as engine_integrity
from searchlib.engine.directory import Engine
from searchlib.errors import IndexNotFoundError
from searchlib.storage.shards import is_sharded, shard_count, shard_path
from searchlib.storage.vocabulary import FILENAME, incompatibility


def check(path: str | os.PathLike[str]) -> list[str]:
    """What is wrong with the index at ``path``, one line per problem (none: ``[]``).

    Opens every segment and compares the documents it holds with the count the table of
    contents records, reads every document's stored fields and every term's postings, and
    reads the vocabulary and the metadata the index was built with (of another format or
    analyzer, that alone: the segments wouldn't read); of a sharded index, every shard.

    >>> import tempfile
    >>> from searchlib import Index
    >>> with Index(tempfile.mkdtemp() + "/index") as index:
    ...     check(index.path)
    []
    """
    directory = Path(path)
    if is_sharded(directory):
        problems = [
            f"{shard_path(directory, shard).name}: {problem}"
            for shard in range(shard_count(directory))
            for problem in check(shard_path(directory, shard))
        ]
        return problems + _vocabulary_problems(directory / FILENAME)
    if not Engine.exists(directory):
        raise IndexNotFoundError(f"no index in {directory}; build one with `searchlib index PATH`")
    vocabulary = _vocabulary_problems(directory / FILENAME)
    if any(problem.startswith(_INCOMPATIBLE) for problem in vocabulary):
        # Segments of another format read as damaged ones: the format is what to fix.
        return vocabulary
    return engine_integrity.check(directory) + vocabulary


_INCOMPATIBLE = "built with"
"""How the problem of an index built with another analyzer or format starts."""


def _vocabulary_problems(file: Path) -> list[str]:
    if not file.is_file():
        return [f"{file.name} is missing; delete the folder and index your articles again"]
    try:
        # Connecting never creates tables (opening the index would): a check only reads.
        with closing(sqlite3.connect(file)) as connection:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            metadata = dict(connection.execute("SELECT key, value FROM metadata"))
            connection.execute("SELECT count(*) FROM stems").fetchone()
    except sqlite3.Error as error:
        return [f"{file.name} can't be read ({type(error).__name__}: {error})"]
    problems = [] if verdict == "ok" else [f"{file.name} is damaged ({verdict})"]
    if not metadata:
        problems.append(f"{file.name} records no analyzer: creating the index was cut short")
    elif differing := incompatibility(metadata):
        problems.append(
            f"{_INCOMPATIBLE} {differing}: delete the folder and index your articles again"
        )
    return problems
