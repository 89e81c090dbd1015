"""Writing documents: the writer of one commit, and the segment builder that worker
processes use to write segments for the lock holder's commit."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter as WhooshSegmentWriter

from searchlib.engine.codec import CODEC
from searchlib.engine.fields import TermListPositions, whoosh_schema
from searchlib.engine.files import close_files_left_open, open_storage, remove_uncommitted
from searchlib.engine.postings import PostingPool
from searchlib.errors import SearchlibError
from searchlib.schema import Document


class SegmentWriter(WhooshSegmentWriter):
    """Whoosh's writer, adding documents and writing their postings faster (with its own
    posting pool: Whoosh ignores its ``poolclass`` option), and without the reference cycle
    that kept the files of the segments it read open (and, once merged away, undeletable)
    until the garbage collector ran."""

    def __init__(self, index: FileIndex, **options: Any) -> None:
        try:
            super().__init__(index, **options)
        except BaseException as error:
            close_files_left_open(error)
            close_quietly(self)
            raise
        self.pool = PostingPool(self._tempstorage, self.newsegment, limitmb=options["limitmb"])

    def add_document(self, **values: Any) -> None:
        """Whoosh's ``add_document`` for searchlib's schema (no boosts, spelling fields or
        term vectors), adding each term list's postings to the pool in one batch."""
        self._check_state()
        perdoc, number = self.perdocwriter, self.docnum
        perdoc.start_doc(number)
        try:
            for name in sorted(name for name in values if not name.startswith("_")):
                value = values[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = self._index_value(name, field, value)
                stored = values.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    column_value = field.to_column_value(stored)
                    perdoc.add_column_value(name, field.column_type, column_value)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _index_value(self, name: str, field: Any, value: Any) -> int:
        """Add the postings of one field's value; returns its length (0 if not scored)."""
        if isinstance(field.format, TermListPositions):
            self.pool.add_terms(name, self.docnum, value, field.format.field_boost)
            return len(value) - value.count(None)  # stop words' places aren't words
        length = 0
        if field.indexed:
            for term, count, weight, encoded in field.index(value):
                self.pool.add((name, term, self.docnum, weight, encoded))
                length += count if field.scorable else 0
        return length

    def _flush_segment(self) -> None:
        # Whoosh's, handing the pool's postings to the field writer term by term.
        self.perdocwriter.close()
        self.fieldwriter.add_terms(self.schema, self.pool.terms())
        self.fieldwriter.close()

    def _finish(self) -> None:
        searcher = self._searcher
        super()._finish()
        if searcher is not None:
            del searcher._orig_close  # a bound method of the searcher, stored on it


def close_quietly(writer: WhooshSegmentWriter) -> None:
    """Close the files a failed writer has open (Whoosh's cancel, but closing may fail as
    writing did, on a full disk: the files are deleted all the same)."""
    parts = [getattr(writer, name, None) for name in ("perdocwriter", "fieldwriter")]
    for part in parts:
        if part is not None and not part.is_closed:
            try:
                part.close()
            except Exception as error:
                close_files_left_open(error)
    with suppress(Exception):
        writer.pool.cleanup()


def release_lock(writer: WhooshSegmentWriter) -> None:
    """Release the index lock if ``writer`` holds it."""
    lock = getattr(writer, "writelock", None)
    if lock is not None and lock.fd is not None:
        lock.release()


class Writer:
    """Adds, replaces and deletes documents inside one commit."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self._segments: list[Any] = []
        self._merge_all = False

    def merge_all(self) -> None:
        """Merge every segment into one at the commit, dropping deleted documents (what
        Whoosh calls optimizing: a full rewrite, as long as a fresh build)."""
        self._merge_all = True

    def update(self, document: Document) -> None:
        """Add a document, replacing any with the same id."""
        self._writer.update_document(**field_values(document))

    def delete(self, field: str, value: str) -> int:
        """Delete the documents whose ``field`` is ``value``; returns how many."""
        if not self._writer.segments:
            # Nothing committed to delete (Whoosh deletes from committed segments only),
            # and a fresh build deletes every new id first: each would open a searcher.
            return 0
        return self._writer.delete_by_term(field, value)

    def add_segment(self, segment: Any) -> None:
        """Commit a segment a ``SegmentBuilder`` wrote, along with this writer's changes."""
        self._segments.append(segment)

    def commit(self) -> None:
        """Make every change visible at once (Whoosh's commit, plus any added segments)."""
        writer = self._writer
        if not self._segments:
            writer.commit(optimize=self._merge_all)
            return
        # Whoosh's own commit, with the built segments added before the table of contents is
        # written (as its multiprocessing writer does).
        segments = writer._merge_segments(None, self._merge_all, None)
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(segments + self._segments)
        writer._finish()

    def abandon(self) -> None:
        """After a failure: delete every file this commit wrote (its segment, its workers'
        segments, spilled postings), so that a full disk has its space back, and release
        the lock. The index keeps its last commit."""
        writer = self._writer
        if writer.is_closed:  # it committed, then failed tidying up
            return
        try:
            # Whoosh's cancel, but closing the files may fail as writing them did (on a full
            # disk, flushing); they are deleted all the same.
            close_quietly(writer)
            with suppress(OSError):  # the folder has gone: nothing to delete
                remove_uncommitted(writer.storage)
            writer._finish()
        finally:
            release_lock(writer)


class SegmentBuilder:
    """Writes documents as a new segment of an index without taking its lock.

    For child processes of a process whose ``Writer`` holds the lock: only it may commit the
    segment (``Writer.add_segment``); until then no reader sees it. Once that process has
    gone (killed), ``add`` and ``finish`` raise ``SearchlibError``: the segment can never be
    committed, and the next lock holder deletes files it doesn't know. Postings beyond
    ``memory_mb`` (an estimate) spill to disk in sorted runs.
    """

    def __init__(self, directory: Path, memory_mb: int) -> None:
        self._lock_holder = os.getppid()
        index = FileIndex(open_storage(directory), schema=whoosh_schema())
        self._writer = SegmentWriter(index, _lk=False, limitmb=memory_mb, codec=CODEC)

    def add(self, document: Document) -> None:
        """Add a new document (replacing older ones is the committing writer's job)."""
        self._check_lock_holder()
        self._writer.add_document(**field_values(document))

    def _check_lock_holder(self) -> None:
        # An orphan is adopted by another process, so its parent's id changes.
        if os.getppid() != self._lock_holder:
            raise SearchlibError("the indexing process that started this worker has gone")

    def finish(self) -> Any:
        """Close the segment; returns it for ``Writer.add_segment`` (``None`` if empty)."""
        self._check_lock_holder()
        writer = self._writer
        segment = writer._finalize_segment() if writer._added else None
        if segment is None:
            writer._close_segment()
        # The temporary folder is shared with the committing writer, which removes it.
        return segment


def field_values(document: Document) -> dict[str, Any]:
    """A document as keyword arguments of Whoosh's ``add_document``."""
    values: dict[str, Any] = dict(document.indexed)
    for name, value in document.stored.items():
        # Whoosh stores a field's indexed value unless told otherwise; stored-only fields
        # take their value directly.
        values[f"_stored_{name}" if name in values else name] = value
    return values
