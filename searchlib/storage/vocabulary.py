"""The index's vocabulary: every exact word form it has seen, with its stem.

Kept beside the Whoosh files in a small SQLite database, so that a query (and the
highlighter) can stem words by lookup instead of importing NLTK. A word the index has never
seen is stemmed by Whoosh's pure-Python Snowball stemmer, which agrees with NLTK's on all
but 6 of the 72,565 distinct words of the BBC, Reuters and SciFact corpora. The same
database holds the index's metadata (analyzer identity, format version, keyword fields) and
the band keys through which versions of one story find each other (``searchlib.shingles``).
"""

from __future__ import annotations

import errno
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from searchlib.analysis import ANALYZER_NAME, edit_distance, stem
from searchlib.engine.files import refused
from searchlib.engine.stemming import snowball_stem
from searchlib.errors import IndexCorruptError, IndexLockedError, SearchlibError
from searchlib.schema import FORMAT_VERSION

FILENAME = "searchlib.sqlite3"
_BATCH = 500  # stays under SQLite's limit on bound parameters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stems (word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stems_by_stem ON stems (stem);
CREATE TABLE IF NOT EXISTS metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bands (key INTEGER, id TEXT, PRIMARY KEY (key, id)) WITHOUT ROWID;
"""
# SQLite's messages for what the operating system refused, as the error it would raise.
_REFUSALS = {
    "disk is full": errno.ENOSPC,
    "readonly database": errno.EROFS,
    "disk I/O error": errno.EIO,
    "unable to open database file": errno.EACCES,
    "access permission denied": errno.EACCES,
}


class Vocabulary:
    """Word → stem lookups and index metadata, stored in ``directory``. Threads may share
    it: they take turns with its database connection.

    >>> import tempfile
    >>> vocabulary = Vocabulary(tempfile.mkdtemp())
    >>> vocabulary.add({"running": "run"})
    >>> vocabulary.stems(["running", "cities"])
    {'running': 'run', 'cities': 'citi'}
    """

    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / FILENAME
        self._connection: sqlite3.Connection | None = None
        self._turn = threading.RLock()

    def exists(self) -> bool:
        """Whether the database file is there."""
        return self.path.is_file()

    @contextmanager
    def _connected(self) -> Iterator[sqlite3.Connection]:
        """The connection, for one thread at a time; SQLite's failures as ours."""
        with self._turn:
            try:
                if self._connection is None:
                    self._connection = self._connect()
                yield self._connection
            except sqlite3.Error as error:
                failure = self._failure(error)
                if failure is None:
                    raise
                raise failure from error

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            connection.executescript(_SCHEMA)
        except BaseException:
            connection.close()
            raise
        return connection

    def _failure(self, error: sqlite3.Error) -> SearchlibError | None:
        """The error to raise for a failure of the database: the operating system's
        refusal, another process's lock, or damage (``None``: none of these)."""
        message = str(error)
        code = next((code for text, code in _REFUSALS.items() if text in message), None)
        if code is not None:
            return refused(self.path.parent, OSError(code, message, str(self.path)))
        if "database is locked" in message:
            return IndexLockedError(
                f"{self.path} is being written by another process (waited 30 s); try again "
                f"when it has finished"
            )
        if type(error) is sqlite3.DatabaseError:  # not a database, or a damaged one
            return IndexCorruptError(
                f"{self.path} can't be read ({type(error).__name__}: {message}); delete the "
                f"folder and build it again with `searchlib index PATH`"
            )
        return None

    def close(self) -> None:
        """Close the database connection (it reopens on next use)."""
        with self._turn:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def add(self, stems: Mapping[str, str]) -> None:
        """Record word → stem pairs (idempotent)."""
        with self._connected() as connection, connection:
            # In the table's order: a third faster than inserting a worker's words at random.
            rows = sorted(stems.items())
            connection.executemany("INSERT OR IGNORE INTO stems VALUES (?, ?)", rows)

    def every_stem(self) -> dict[str, str]:
        """Every word the vocabulary holds, with its stem (to gather shards' vocabularies)."""
        with self._connected() as connection:
            return dict(connection.execute("SELECT word, stem FROM stems"))

    def add_bands(self, bands: Iterable[tuple[int, str]]) -> None:
        """Record ``(band key, article id)`` pairs (``searchlib.shingles.band_keys``;
        idempotent). Pairs of replaced or deleted articles stay: a search compares the
        signatures of the articles an id names now."""
        with self._connected() as connection, connection:
            connection.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", bands)

    def replace_bands(self, bands: Iterable[tuple[int, str]]) -> None:
        """Keep these ``(band key, article id)`` pairs only, in one transaction.

        >>> import tempfile
        >>> vocabulary = Vocabulary(tempfile.mkdtemp())
        >>> vocabulary.add_bands([(7, "gone"), (8, "kept")])
        >>> vocabulary.replace_bands([(8, "kept")])
        >>> vocabulary.every_band()
        [(8, 'kept')]
        """
        with self._connected() as connection, connection:
            connection.execute("DELETE FROM bands")
            connection.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", bands)

    def every_band(self) -> list[tuple[int, str]]:
        """Every ``(band key, article id)`` pair (to gather shards' vocabularies)."""
        with self._connected() as connection:
            return list(connection.execute("SELECT key, id FROM bands"))

    def band_sharers(self, keys: Iterable[int]) -> Counter[str]:
        """The ids of the articles whose bodies had any of these band keys, each with how
        many of them it had.

        >>> import tempfile
        >>> vocabulary = Vocabulary(tempfile.mkdtemp())
        >>> vocabulary.add_bands([(7, "a"), (7, "b"), (8, "b"), (9, "c")])
        >>> sorted(vocabulary.band_sharers([7, 8]).items()), sorted(vocabulary.sharing_ids())
        ([('a', 1), ('b', 2)], ['a', 'b'])
        """
        rows = self._select("SELECT key, id FROM bands WHERE key IN", list(keys))
        return Counter(article_id for _, article_id in rows)

    def sharing_ids(self) -> set[str]:
        """The ids of the articles that had a band key with another."""
        shared = "SELECT key FROM bands GROUP BY key HAVING count(*) > 1"
        with self._connected() as connection:
            rows = connection.execute(f"SELECT id FROM bands WHERE key IN ({shared})")
            return {article_id for (article_id,) in rows}

    def stems(self, words: Iterable[str]) -> dict[str, str]:
        """Stems for ``words``: looked up, or computed when the index never saw the word."""
        wanted = list(dict.fromkeys(words))
        found = dict(self._select("SELECT word, stem FROM stems WHERE word IN", wanted))
        return {word: found.get(word) or stem(word, snowball_stem) for word in wanted}

    def forms(self, stems: Iterable[str]) -> set[str]:
        """Every exact word form the index holds for the given stems."""
        rows = self._select("SELECT word, stem FROM stems WHERE stem IN", list(stems))
        return {word for word, _ in rows}

    def prefixed(self, prefix: str, limit: int) -> list[str]:
        """Words starting with ``prefix``, shortest first.

        >>> import tempfile
        >>> vocabulary = Vocabulary(tempfile.mkdtemp())
        >>> vocabulary.add({"economy": "economi", "economic": "econom", "eco": "eco"})
        >>> vocabulary.prefixed("econ", 10)
        ['economy', 'economic']
        """
        with self._connected() as connection:
            rows = connection.execute(
                "SELECT word FROM stems WHERE word >= ? AND word < ? "
                "ORDER BY length(word), word LIMIT ?",
                (prefix, prefix + "\U0010ffff", limit),
            ).fetchall()
        return [word for (word,) in rows]

    def near(self, word: str, edits: int, limit: int, first_typo: bool = False) -> list[str]:
        """Words within ``edits`` edits of ``word`` (see ``edit_distance``), closest first:
        those with its first letter (typos seldom start a word, and the scan is short), and
        with ``first_typo`` those a typo in the first two letters tells (did-you-mean:
        "irus" is "virus", "Ktars" "Stars", "oLrds" "Lords").

        >>> import tempfile
        >>> vocabulary = Vocabulary(tempfile.mkdtemp())
        >>> vocabulary.add({"sessions": "session", "session": "session", "lessons": "lesson"})
        >>> vocabulary.near("sesions", 2, 10)
        ['sessions', 'session']
        """
        first, second = word[:1], word[1:2]
        with self._connected() as connection:
            rows = connection.execute(
                "SELECT word FROM stems WHERE word >= ? AND word < ? "
                "AND length(word) BETWEEN ? AND ?",
                (first, first + "\U0010ffff", len(word) - edits, len(word) + edits),
            ).fetchall()
            if first_typo:  # the first letter changed, dropped, added or swapped
                rows += connection.execute(
                    "SELECT word FROM stems WHERE length(word) BETWEEN ? AND ? "
                    "AND substr(word, 1, 1) != ? "
                    "AND (substr(word, 1, 1) = ? OR substr(word, 2, 1) IN (?, ?))",
                    (len(word) - edits, len(word) + edits, first, second, first, second),
                ).fetchall()
        distances = ((edit_distance(word, each, edits), each) for (each,) in rows)
        return [each for distance, each in sorted(distances) if distance <= edits][:limit]

    def matching(self, pattern: str, limit: int) -> list[str]:
        """Words that fit ``pattern``, whose ``*`` stands for any letters and ``?`` for one,
        shortest first. A pattern that starts with letters looks among the words starting
        with them; one that starts with a wildcard reads every word (tens of milliseconds).

        >>> import tempfile
        >>> vocabulary = Vocabulary(tempfile.mkdtemp())
        >>> vocabulary.add({"cocoa": "cocoa", "coca": "coca", "women": "women"})
        >>> vocabulary.matching("co*a", 10), vocabulary.matching("*oa", 10)
        (['coca', 'cocoa'], ['cocoa'])
        """
        # GLOB's wildcards are these; "[" (its other one) is no letter, so never in a word.
        with self._connected() as connection:
            rows = connection.execute(
                "SELECT word FROM stems WHERE word GLOB ? ORDER BY length(word), word LIMIT ?",
                (pattern, limit),
            ).fetchall()
        return [word for (word,) in rows]

    def metadata(self) -> dict[str, str]:
        """The stored metadata (empty for a new index)."""
        with self._connected() as connection:
            return dict(connection.execute("SELECT key, value FROM metadata"))

    def set_metadata(self, values: Mapping[str, str]) -> None:
        """Store metadata values, replacing earlier ones."""
        with self._connected() as connection, connection:
            connection.executemany("INSERT OR REPLACE INTO metadata VALUES (?, ?)", values.items())

    def keyword_fields(self) -> tuple[str, ...]:
        """The keyword fields declared for the index's articles (``topic``, ``place``)."""
        return tuple(json.loads(self.metadata().get("keyword_fields", "[]")))

    def declare_keyword_fields(self, names: Iterable[str]) -> None:
        """Add keyword fields to those declared (once declared, always kept: articles
        indexed with them keep their values)."""
        known = self.keyword_fields()
        wanted = [*known, *(name for name in names if name not in known)]
        if len(wanted) > len(known):
            self.set_metadata({"keyword_fields": json.dumps(wanted)})

    def _select(self, statement: str, values: Sequence[object]) -> list[tuple[Any, str]]:
        rows: list[tuple[Any, str]] = []
        with self._connected() as connection:
            for offset in range(0, len(values), _BATCH):
                batch = values[offset : offset + _BATCH]
                placeholders = ",".join("?" * len(batch))
                rows.extend(connection.execute(f"{statement} ({placeholders})", batch))
        return rows


def incompatibility(metadata: Mapping[str, str]) -> str | None:
    """What in an index's recorded ``metadata`` this searchlib can't read (its analyzer,
    its document format), or ``None``.

    >>> incompatibility({"analyzer": ANALYZER_NAME, "format": FORMAT_VERSION}) is None
    True
    >>> incompatibility({"analyzer": ANALYZER_NAME, "format": "1"})  # doctest: +ELLIPSIS
    "format '1' (this searchlib: '...')"
    """
    ours = {"analyzer": ANALYZER_NAME, "format": FORMAT_VERSION}
    differing = [
        f"{name} {metadata.get(name)!r} (this searchlib: {value!r})"
        for name, value in ours.items()
        if metadata.get(name) != value
    ]
    return " and ".join(differing) or None
