"""The engine adapter: the only module that imports Whoosh.

Whoosh is frozen upstream; everything searchlib needs from it passes through the small
surface here (open/create, a locked writer, a searcher, query translation), so it can be
replaced without touching the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import fields as whoosh_fields
from whoosh import query as whoosh_query
from whoosh.analysis import SimpleAnalyzer
from whoosh.columns import CompressedBytesColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import EmptyIndexError, FileIndex, LockError
from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.scoring import BM25F
from whoosh.writing import SegmentWriter

from searchlib.errors import IndexCorruptError, IndexLockedError, IndexNotFoundError
from searchlib.query import AllOf, AnyOf, Everything, Excluding, Node, Phrase, Term
from searchlib.schema import FIELDS, Document, Field, decode_forms

FORMS_FIELD = next(field.name for field in FIELDS if field.kind == "forms")

BM25_K1 = 1.2
BM25_B = 0.75


def _whoosh_field(field: Field) -> whoosh_fields.FieldType:
    # Text arrives pre-analysed as term lists, so the analyzer is only a placeholder that
    # Whoosh pickles into its table of contents; it is never run.
    if field.kind in ("stemmed", "exact"):
        return whoosh_fields.TEXT(analyzer=SimpleAnalyzer(), stored=field.stored, phrase=True)
    if field.kind == "forms":
        return whoosh_fields.COLUMN(CompressedBytesColumn())
    if field.kind == "id":
        return whoosh_fields.ID(stored=field.stored, unique=field.name == "id")
    if field.kind == "date":
        return whoosh_fields.DATETIME(stored=field.stored)
    return whoosh_fields.STORED()


def snowball_stem(word: str) -> str:
    """Whoosh's Snowball English stemmer, in pure Python (no NLTK import); searchlib uses it
    through ``analysis.stem`` for words an index never saw.

    >>> snowball_stem("sanctuaries")
    'sanctuari'
    """
    return porter2_stem(word)


def _schema(fields: Sequence[Field]) -> whoosh_fields.Schema:
    return whoosh_fields.Schema(**{field.name: _whoosh_field(field) for field in fields})


@dataclass(frozen=True)
class EngineHit:
    """A document the engine matched: its number, score and word forms."""

    number: int
    score: float
    forms: set[str]


class Engine:
    """A Whoosh index in a directory, opened with searchlib's schema."""

    def __init__(self, directory: Path, *, create: bool = False) -> None:
        self.directory = directory
        schema = _schema(FIELDS)
        try:
            storage = FileStorage(str(directory))
            if create:
                directory.mkdir(parents=True, exist_ok=True)
                self._index = FileIndex.create(storage, schema, "MAIN")
            else:
                self._index = FileIndex(storage, schema=schema)
        except EmptyIndexError as error:
            raise IndexNotFoundError(f"no index in {directory}") from error
        except Exception as error:  # Whoosh fails on garbled files with any exception type
            raise _unreadable(directory, error) from error

    @staticmethod
    def exists(directory: Path) -> bool:
        """Whether ``directory`` holds a Whoosh index."""
        return directory.is_dir() and any(directory.glob("_MAIN_*.toc"))

    def doc_count(self) -> int:
        """How many documents the index holds."""
        return self._index.doc_count()

    @contextmanager
    def writer(self, timeout: float, memory_mb: int = 256) -> Iterator[Writer]:
        """A writer holding the index lock; commits on success, cancels on error."""
        try:
            writer = self._index.writer(timeout=timeout, limitmb=memory_mb)
        except LockError as error:
            raise IndexLockedError(
                f"the index in {self.directory} is being written by another process "
                f"(waited {timeout:g} s); try again when it has finished"
            ) from error
        wrapped = Writer(writer)
        try:
            yield wrapped
            wrapped.commit()
        except BaseException:
            # A failed commit leaves the last committed generation as it was; segment files
            # written for it are removed by the next commit. (A writer that closed while
            # failing needs no cancel, and cancelling it would hide the real error.)
            if not writer.is_closed:
                writer.cancel()
            raise

    def searcher(self) -> Searcher:
        """A searcher over the last commit; close it (or use ``with``)."""
        try:
            return Searcher(self._index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)))
        except Exception as error:
            raise _unreadable(self.directory, error) from error


class Writer:
    """Adds, replaces and deletes documents inside one commit."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self._segments: list[Any] = []

    def update(self, document: Document) -> None:
        """Add a document, replacing any with the same id."""
        self._writer.update_document(**_field_values(document))

    def delete(self, field: str, value: str) -> int:
        """Delete the documents whose ``field`` is ``value``; returns how many."""
        return self._writer.delete_by_term(field, value)

    def add_segment(self, segment: Any) -> None:
        """Commit a segment a ``SegmentBuilder`` wrote, along with this writer's changes."""
        self._segments.append(segment)

    def commit(self) -> None:
        """Make every change visible at once (Whoosh's commit, plus any added segments)."""
        writer = self._writer
        if not self._segments:
            writer.commit()
            return
        # Whoosh's own commit, with the built segments added before the table of contents is
        # written (as its multiprocessing writer does).
        segments = writer._merge_segments(None, None, None)
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(segments + self._segments)
        writer._finish()


class SegmentBuilder:
    """Writes documents as a new segment of an index without taking its lock.

    For worker processes of a ``Writer`` that holds the lock: only it may commit the
    segment (``Writer.add_segment``); until then no reader sees it.
    """

    def __init__(self, directory: Path, memory_mb: int = 128) -> None:
        index = FileIndex(FileStorage(str(directory)), schema=_schema(FIELDS))
        self._writer = SegmentWriter(index, _lk=False, limitmb=memory_mb)

    def add(self, document: Document) -> None:
        """Add a new document (replacing older ones is the committing writer's job)."""
        self._writer.add_document(**_field_values(document))

    def finish(self) -> Any:
        """Close the segment; returns it for ``Writer.add_segment`` (``None`` if empty)."""
        writer = self._writer
        segment = writer._finalize_segment() if writer._added else None
        if segment is None:
            writer._close_segment()
        # The temporary folder is shared with the committing writer, which removes it.
        return segment


def _field_values(document: Document) -> dict[str, Any]:
    values: dict[str, Any] = dict(document.indexed)
    for name, value in document.stored.items():
        # Whoosh stores a field's indexed value unless told otherwise; stored-only fields
        # take their value directly.
        values[f"_stored_{name}" if name in values else name] = value
    return values


class Searcher:
    """Runs queries against one commit of the index."""

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        self._forms: Any = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index files."""
        self._searcher.close()

    def is_current(self) -> bool:
        """Whether no commit has happened since this searcher opened."""
        return self._searcher.up_to_date()

    def search(self, node: Node, limit: int, excluded: set[int] | None = None) -> list[EngineHit]:
        """The ``limit`` best documents matching ``node``, skipping ``excluded`` numbers."""
        results = self._searcher.search(_translate(node), limit=limit, mask=excluded or None)
        forms = self._forms_column()
        return [
            EngineHit(
                hit.docnum,
                hit.score,
                decode_forms(forms[hit.docnum]) if forms is not None else set(),
            )
            for hit in results
        ]

    def _forms_column(self) -> Any:
        if self._forms is None and self._searcher.reader().has_column(FORMS_FIELD):
            self._forms = self._searcher.reader().column_reader(FORMS_FIELD)
        return self._forms

    def stored_fields(self, number: int) -> dict[str, Any]:
        """The stored fields of document ``number``."""
        return self._searcher.stored_fields(number)

    def count(self, node: Node) -> int:
        """How many documents match ``node``."""
        return sum(1 for _ in self._searcher.docs_for_query(_translate(node)))

    def stored(self, field: str, value: str) -> dict[str, Any] | None:
        """The stored fields of the document whose ``field`` is ``value``."""
        return self._searcher.document(**{field: value})

    def terms(self, field: str) -> Iterator[str]:
        """Every term of ``field`` held by a live document."""
        reader = self._searcher.reader()
        check_live = reader.has_deletions()
        for term in reader.lexicon(field):
            text = term.decode("utf-8")
            if not check_live or self._searcher.document_number(**{field: text}) is not None:
                yield text


def _translate(node: Node) -> whoosh_query.Query:
    if isinstance(node, Term):
        return whoosh_query.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, Phrase):
        return whoosh_query.Phrase(node.field, list(node.terms), boost=node.boost)
    if isinstance(node, AnyOf):
        return whoosh_query.Or([_translate(part) for part in node.parts])
    if isinstance(node, AllOf):
        return whoosh_query.And([_translate(part) for part in node.parts])
    if isinstance(node, Excluding):
        return whoosh_query.AndNot(_translate(node.include), _translate(node.exclude))
    if isinstance(node, Everything):
        return whoosh_query.Every()
    raise TypeError(f"not a query node: {node!r}")


def _unreadable(directory: Path, error: Exception) -> IndexCorruptError:
    _close_files_left_open(error)
    return IndexCorruptError(
        f"the index in {directory} can't be read ({type(error).__name__}: {error}); "
        f"delete the folder and build it again with `searchlib index PATH`"
    )


def _close_files_left_open(error: Exception) -> None:
    # Whoosh doesn't close the file it was reading when it fails; find it in the failed
    # frames and close it, so no handle leaks (and no ResourceWarning fires later).
    frame_link = error.__traceback__
    while frame_link is not None:
        for value in frame_link.tb_frame.f_locals.values():
            if isinstance(value, StructFile) and not value.is_closed:
                value.close()
        frame_link = frame_link.tb_next
