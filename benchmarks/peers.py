"""Peers of searchlib for benchmarks/scale.py: SQLite FTS5 (the standard library's sqlite3)
and tantivy (``pip install '.[bench]'``), built on the same articles and asked the same
queries, so that each figure of searchlib is a ratio to theirs in one run.

Both index an article's headline and body, both stored (as searchlib stores them, for
titles and snippets), and rank by BM25 with the headline weighted 2 to the body's 1 (as
searchlib weighs them). A query is the OR of its words, each quoted so that no word is
read as their query syntax; the answer is the best 10 hits' headlines.

- FTS5: ``tokenize='porter unicode61 remove_diacritics 2'`` (Porter's stemmer over
  Unicode words), ranked ``ORDER BY rank`` with the rank set to ``bm25(2.0, 1.0)``.
- tantivy: the ``en_stem`` tokenizer (lower case, Snowball English stemmer, as searchlib's)
  and its default BM25; the writer's threads are tantivy's choice (one per core).
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

TOP = 10


class Peer(Protocol):
    name: str

    def add(self, articles: Iterable[dict[str, str]]) -> None: ...
    def titles(self, words: list[str]) -> list[str]: ...
    def bytes_on_disk(self) -> int: ...
    def close(self) -> None: ...


def articles_of(path: Path) -> Iterator[dict[str, str]]:
    """The articles of a JSON Lines file (gzipped)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


class Fts5:
    """SQLite FTS5 in a database file of its own."""

    name = "FTS5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = sqlite3.connect(path)
        self._connection.executescript(
            """
            CREATE VIRTUAL TABLE IF NOT EXISTS articles USING fts5(
                headline, body, tokenize='porter unicode61 remove_diacritics 2');
            INSERT INTO articles(articles, rank) VALUES('rank', 'bm25(2.0, 1.0)');
            """
        )

    def add(self, articles: Iterable[dict[str, str]]) -> None:
        with self._connection:
            self._connection.executemany(
                "INSERT INTO articles(headline, body) VALUES (?, ?)",
                ((article["headline"], article["body"]) for article in articles),
            )

    def titles(self, words: list[str]) -> list[str]:
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        rows = self._connection.execute(
            "SELECT headline FROM articles WHERE articles MATCH ? ORDER BY rank LIMIT ?",
            (match, TOP),
        )
        return [headline for (headline,) in rows]

    def bytes_on_disk(self) -> int:
        return sum(path.stat().st_size for path in self.path.parent.glob(self.path.name + "*"))

    def close(self) -> None:
        self._connection.close()


class Tantivy:
    """tantivy in a folder of its own."""

    name = "tantivy"

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        builder = tantivy.SchemaBuilder()
        for field in ("headline", "body"):
            builder.add_text_field(field, stored=True, tokenizer_name="en_stem")
        self._schema = builder.build()
        self._index = tantivy.Index(self._schema, path=str(folder))
        self._document = tantivy.Document
        self._searcher: Any = None

    def add(self, articles: Iterable[dict[str, str]]) -> None:
        writer = self._index.writer()
        for article in articles:
            writer.add_document(self._document(headline=article["headline"], body=article["body"]))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()

    def titles(self, words: list[str]) -> list[str]:
        text = " ".join('"' + word.replace('"', " ") + '"' for word in words)
        query = self._index.parse_query(
            text, ["headline", "body"], field_boosts={"headline": 2.0, "body": 1.0}
        )
        searcher = self._searcher
        hits = searcher.search(query, TOP).hits
        return [searcher.doc(address)["headline"][0] for _, address in hits]

    def bytes_on_disk(self) -> int:
        return sum(path.stat().st_size for path in self.folder.rglob("*") if path.is_file())

    def close(self) -> None:
        self._searcher = None


def peers(workspace: Path) -> list[Peer]:
    """FTS5 and, when it is installed, tantivy, each new in ``workspace``."""
    for name in ("fts5.sqlite3", "tantivy"):
        path = workspace / name
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
    found: list[Peer] = [Fts5(workspace / "fts5.sqlite3")]
    try:
        found.append(Tantivy(workspace / "tantivy"))
    except ImportError:
        print("tantivy skipped: not installed (pip install '.[bench]')", flush=True)
    return found
