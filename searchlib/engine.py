"""The engine adapter: the only module that imports Whoosh.

Whoosh is frozen upstream; everything searchlib needs from it passes through the small
surface here (open/create, a locked writer, a searcher, query translation), so it can be
replaced without touching the rest.
"""

from __future__ import annotations

import heapq
import inspect
import marshal
import os
import pickle
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain, groupby, islice, pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

from searchlib.deferred_imports import deferring, forwarder
from searchlib.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    SearchlibError,
)
from searchlib.schema import FIELDS, Document, Field, held_forms

# Whoosh imports these at start-up without needing them on searchlib's path (see
# searchlib.deferred_imports); asyncio.iscoroutinefunction is inspect's since Python 3.11.
_UNUSED_BY_WHOOSH = {
    "urllib.request": {"urlretrieve": forwarder("urllib.request", "urlretrieve")},
    "asyncio": {
        "iscoroutinefunction": inspect.iscoroutinefunction,
        "ensure_future": forwarder("asyncio", "ensure_future"),
    },
}
with deferring(_UNUSED_BY_WHOOSH):
    from whoosh import fields as whoosh_fields
    from whoosh import query as whoosh_query
    from whoosh.analysis import SimpleAnalyzer
    from whoosh.codec.whoosh3 import (
        LENGTHS_COLUMN,
        WHOOSH3_HEADER_MAGIC,
        W3Codec,
        W3FieldWriter,
        W3TermInfo,
    )
    from whoosh.codec.whoosh3 import _lenfield as _length_column_name
    from whoosh.columns import CompressedBytesColumn
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.structfile import StructFile
    from whoosh.formats import Positions
    from whoosh.index import TOC, EmptyIndexError, FileIndex, LockError
    from whoosh.lang.porter2 import stem as porter2_stem
    from whoosh.reading import SegmentReader, TermNotFound
    from whoosh.system import pack_uint, pack_ushort
    from whoosh.util.numeric import byte_to_length
    from whoosh.writing import PostingPool, SegmentWriter

INDEX_NAME = "MAIN"
"""Whoosh's name for the index: its files are ``_MAIN_<generation>.toc`` and ``MAIN_*``."""
OPEN_ATTEMPTS = 10
"""Reads of the latest commit retried when commits keep replacing it meanwhile."""
FORMS_FIELD = next(field.name for field in FIELDS if field.kind == "forms")
LENGTH_OF_BYTE = [byte_to_length(code) for code in range(256)]
"""Whoosh stores each field length as one byte; the lengths those bytes stand for."""


def _whoosh_field(field: Field) -> whoosh_fields.FieldType:
    # Text arrives pre-analysed as term lists, so the analyzer is only a placeholder that
    # Whoosh pickles into its table of contents; it is never run.
    if field.kind in ("stemmed", "exact"):
        text = whoosh_fields.TEXT(analyzer=SimpleAnalyzer(), stored=field.stored, phrase=True)
        text.format = _TermListPositions(field_boost=text.format.field_boost)
        return text
    if field.kind == "forms":
        return whoosh_fields.COLUMN(CompressedBytesColumn())
    if field.kind == "id":
        return whoosh_fields.ID(stored=field.stored, unique=field.name == "id")
    if field.kind == "date":
        return whoosh_fields.DATETIME(stored=field.stored)
    return whoosh_fields.STORED()


class _TermListPositions(Positions):
    """Whoosh's positions format, for fields whose values are lists of terms (searchlib
    analyses text itself); ``_SegmentWriter`` turns a list into postings with ``postings``,
    where Whoosh would first wrap each term in a token object."""

    @staticmethod
    def postings(terms: list[str]) -> Iterator[tuple[str, int, bytes]]:
        """Each distinct term of ``terms`` with its count and Whoosh's encoding of its
        positions (the count, then the pickled gaps between positions)."""
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(terms):
            positions.setdefault(term, []).append(position)
        for term, places in positions.items():
            if len(places) == 1:
                yield term, 1, _one_position(places[0])
            else:
                gaps = [places[0], *(later - earlier for earlier, later in pairwise(places))]
                yield term, len(places), pack_uint(len(places)) + pickle.dumps(gaps, 2)


_ONE_POSITION: dict[int, bytes] = {}


def _one_position(position: int) -> bytes:
    """The encoding of a term found once, at ``position`` (most terms of a text): cached,
    since pickling costs more than looking it up."""
    encoded = _ONE_POSITION.get(position)
    if encoded is None:
        encoded = _ONE_POSITION[position] = pack_uint(1) + pickle.dumps([position], 2)
    return encoded


Posting = tuple[int, float, bytes]
"""A document's number, the term's weight in it (its count) and Whoosh's encoded value."""
TermPostings = tuple[tuple[str, bytes], Iterable[Posting]]
"""A term (its field and bytes) with its postings, in document order."""


class _PostingPool(PostingPool):
    """Whoosh's posting pool, keeping postings grouped by term: sorting the terms costs far
    less than sorting every posting, and the writer takes each term's postings in one piece.

    When a segment outgrows ``memory_mb`` the pool spills its terms, sorted, to a run file
    on disk (with ``marshal``, in chunks); at the end the runs are merged term by term.
    """

    CHUNK = 4_000
    """Postings per chunk of a run: merging holds one chunk of each run in memory."""
    MERGE_AT_ONCE = 100
    """Runs merged at once (each is an open file)."""

    def __init__(self, *arguments: Any, **options: Any) -> None:
        super().__init__(*arguments, **options)
        self._fields: dict[str, defaultdict[bytes, list[Posting]]] = {}

    def add(self, posting: tuple[Any, ...]) -> None:
        """Add a ``(field, term, document, weight, value)`` posting (Whoosh's interface)."""
        field, term, number, weight, value = posting
        self._terms_of(field)[term].append((number, weight, value))
        self._grow(POSTING_SIZE + len(term) + len(value or b""))

    def add_terms(self, field: str, number: int, terms: list[str], boost: float) -> None:
        """Add the postings of a term list, the text of ``field`` in document ``number``."""
        held = self._terms_of(field)
        size = 0
        for term, count, encoded in _TermListPositions.postings(terms):
            term_bytes = term.encode("utf-8")
            held[term_bytes].append((number, count * boost, encoded))
            size += POSTING_SIZE + len(term_bytes) + len(encoded)
        self._grow(size)

    def _terms_of(self, field: str) -> defaultdict[bytes, list[Posting]]:
        terms = self._fields.get(field)
        if terms is None:
            terms = self._fields[field] = defaultdict(list)
        return terms

    def _grow(self, size: int) -> None:
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def save(self) -> None:
        """Spill the terms held in memory to a new run."""
        if self._fields:
            path, run = self._new_run()
            self._write_run(run, self._sorted_terms())
            self.runs.append(path)
            self._fields = {}
        self.currentsize = 0

    def _sorted_terms(self) -> Iterator[TermPostings]:
        for field, terms in sorted(self._fields.items()):
            for term, postings in sorted(terms.items()):
                yield (field, term), postings

    def iter_postings(self) -> Iterator[tuple[Any, ...]]:
        """Every posting as ``(field, term, document, weight, value)``, sorted (Whoosh's
        interface)."""
        for (field, term), postings in self.terms():
            for number, weight, value in postings:
                yield field, term, number, weight, value

    def terms(self) -> Iterable[TermPostings]:
        """Every term with its postings, sorted by field and term."""
        if not self.runs:
            return self._sorted_terms()
        self.save()
        while len(self.runs) > self.MERGE_AT_ONCE:
            # Merging the first runs into one keeps the runs in document order.
            path, run = self._new_run()
            self._write_run(run, self._merged(self.runs[: self.MERGE_AT_ONCE]))
            self.runs[: self.MERGE_AT_ONCE] = [path]
        runs, self.runs = self.runs, []
        return self._merged(runs)

    def _merged(self, paths: list[str]) -> Iterator[TermPostings]:
        """The terms of runs written one after another, each term's postings joined."""
        merged = heapq.merge(*(self._read_run(path) for path in paths), key=_TERM)
        for term, parts in groupby(merged, key=_TERM):
            # Parts come in the order of the runs (later runs hold later documents), and
            # are read as they are written: a common word's postings needn't fit in memory.
            yield term, chain.from_iterable(postings for _, postings in parts)

    def _write_run(self, run: Any, terms: Iterable[TermPostings]) -> None:
        """Write terms in chunks of about ``CHUNK`` postings (a term with more is split in
        parts, which merging joins again)."""
        chunk: list[tuple[tuple[str, bytes], list[Posting]]] = []
        size = 0
        with run:
            for term, postings in terms:
                for part in _pieces(postings, self.CHUNK):
                    chunk.append((term, part))
                    size += len(part)
                    if size >= self.CHUNK:
                        marshal.dump(chunk, run)
                        chunk, size = [], 0
            if chunk:
                marshal.dump(chunk, run)

    def _read_run(self, path: str) -> Iterator[TermPostings]:
        run = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(run)
                except EOFError:
                    return
                yield from chunk
        finally:
            run.close()
            self._remove_run(path)


POSTING_SIZE = 120
"""An estimate of the bytes of memory a posting takes (a tuple, a number, a weight) beside
its value's bytes, and its term's bytes for its share of the term."""
_TERM = itemgetter(0)


class _FieldWriter(W3FieldWriter):
    """Whoosh's writer of terms and postings, with ``add_terms`` writing each term's postings
    in one go rather than through Whoosh's per-posting calls (which were a third of a
    worker's time; its ``add_postings`` keeps them), in the same file format, with two of
    Whoosh's own options that it fails to apply: a term in one document keeps its posting in
    its term entry, and small blocks are not compressed."""

    def add_terms(self, schema: Any, terms: Iterable[TermPostings]) -> None:
        """Write each term with its postings, sorted by field and term."""
        for (field, term), postings in terms:
            if field != self._fieldname:
                self.start_field(field, schema[field])
            info = self._term_info(postings)
            self._tindex.add(pack_ushort(self._fieldid) + term, info.to_bytes())

    def _term_info(self, postings: Iterable[Posting]) -> Any:
        """Write a term's postings a block at a time; returns its statistics and where its
        postings are (or, for a term in one document, the posting itself)."""
        info = W3TermInfo()
        blocks = _blocks(postings)
        first = next(blocks)
        numbers, weights, values, last = first
        if last and len(numbers) == 1:
            _count_block(info, numbers, weights)
            info.set_inlined(numbers, weights, values)
            return info
        start = self._postfile.tell()
        self._postfile.write(WHOOSH3_HEADER_MAGIC)
        for numbers, weights, values, last in chain([first], blocks):
            _count_block(info, numbers, weights)
            self._write_block(numbers, weights, values, last)
        info.set_extent(start, self._postfile.tell() - start)
        return info

    def _write_block(
        self, numbers: list[int], weights: list[float], values: list[bytes], last: bool
    ) -> None:
        gaps = tuple(later - earlier for earlier, later in pairwise([0, *numbers]))
        data = pickle.dumps((gaps, _mini_weights(weights), self._mini_values(values)), 2)
        compression = 0
        if len(data) >= COMPRESS_FROM:
            compression = self._codec._compression
            data = zlib.compress(data, compression)
        # Whoosh's block header: postings, last number, top weight, compression, and the
        # minimum and maximum length codes (no length statistics: 0).
        header = pickle.dumps((len(numbers), numbers[-1], max(weights), compression, 0, 0), 2)
        size = len(header) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(header + data)

    def _mini_values(self, values: list[bytes]) -> Any:
        size = self._format.fixed_value_size()
        if size is None or size < 0:
            return tuple(values)
        return None if size == 0 else b"".join(values)


BLOCK_LIMIT = 128
"""Postings per block (Whoosh's own limit)."""
COMPRESS_FROM = 64
"""Blocks this many bytes or more are compressed: smaller ones don't shrink."""


def _pieces(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last may be shorter).

    >>> list(_pieces(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    items = iter(items)
    while piece := list(islice(items, size)):
        yield piece


def _blocks(
    postings: Iterable[Posting],
) -> Iterator[tuple[list[int], list[float], list[bytes], bool]]:
    """A term's postings in blocks: numbers, weights (rounded to the 32-bit floats Whoosh
    keeps), values, and whether the block is the last."""
    pieces = _pieces(postings, BLOCK_LIMIT)
    block = next(pieces)
    while block:
        following = next(pieces, None)
        numbers, weights, values = zip(*block, strict=True)
        yield (
            list(numbers),
            array("f", weights).tolist(),
            [value or b"" for value in values],
            following is None,
        )
        block = following


def _count_block(info: Any, numbers: list[int], weights: list[float]) -> None:
    """Add a block's postings to a term's statistics (as Whoosh does, block by block)."""
    if info._minid is None:
        info._minid = numbers[0]
    info._maxid = numbers[-1]
    info._weight += sum(weights)
    info._df += len(numbers)
    info._maxweight = max(info._maxweight, *weights)


def _mini_weights(weights: list[float]) -> Any:
    """Whoosh's compact weights: ``None`` when all are 1, one number when all are equal."""
    if all(weight == 1.0 for weight in weights):
        return None
    if all(weight == weights[0] for weight in weights):
        return weights[0]
    return tuple(weights)


class _Codec(W3Codec):
    """Whoosh's codec with searchlib's writer of terms and postings, without per-block
    length statistics (they serve only Whoosh's own scorers, which searchlib doesn't use,
    and looking them up costs a tenth of indexing), compressing posting blocks at zlib's
    fastest level (level 1 makes them as small as Whoosh's level 3, for less time)."""

    length_stats = False

    def field_writer(self, storage: Any, segment: Any) -> _FieldWriter:
        return _FieldWriter(self, storage, segment)


_CODEC = _Codec(compression=1)


def _storage(directory: Path) -> FileStorage:
    # Without mmap, Whoosh reads a segment's parts from its file as needed; with it, it
    # copies every part (postings included) into memory when a searcher opens.
    return FileStorage(str(directory), supports_mmap=False)


def snowball_stem(word: str) -> str:
    """Whoosh's Snowball English stemmer, in pure Python (no NLTK import); searchlib uses it
    through ``analysis.stem`` for words an index never saw.

    >>> snowball_stem("sanctuaries")
    'sanctuari'
    """
    return porter2_stem(word)


def _schema(fields: Sequence[Field]) -> whoosh_fields.Schema:
    return whoosh_fields.Schema(**{field.name: _whoosh_field(field) for field in fields})


def _open(storage: FileStorage, schema: whoosh_fields.Schema) -> FileIndex:
    # A commit deletes the table of contents it replaces: when that happens between finding
    # the latest one and reading it, read the new one rather than call the index unreadable.
    for _ in range(OPEN_ATTEMPTS - 1):
        generation = _latest_generation(storage)
        try:
            return FileIndex(storage, schema=schema, indexname=INDEX_NAME)
        except FileNotFoundError:
            if _latest_generation(storage) == generation:
                raise
    return FileIndex(storage, schema=schema, indexname=INDEX_NAME)


def _latest_generation(storage: FileStorage) -> int:
    return TOC._latest_generation(storage, INDEX_NAME)


class Engine:
    """A Whoosh index in a directory, opened with searchlib's schema."""

    def __init__(self, directory: Path, *, create: bool = False) -> None:
        self.directory = directory
        schema = _schema(FIELDS)
        try:
            storage = _storage(directory)
            if create:
                directory.mkdir(parents=True, exist_ok=True)
                self._index = FileIndex.create(storage, schema, INDEX_NAME)
            else:
                self._index = _open(storage, schema)
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
        try:
            return self._index.doc_count()
        except Exception as error:
            raise _unreadable(self.directory, error) from error

    @contextmanager
    def writer(self, timeout: float, memory_mb: int = 256) -> Iterator[Writer]:
        """A writer holding the index lock; commits on success, cancels on error."""
        try:
            writer = _SegmentWriter(self._index, timeout=timeout, limitmb=memory_mb, codec=_CODEC)
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
            return Searcher(self._index.searcher())
        except Exception as error:
            raise _unreadable(self.directory, error) from error


class _SegmentWriter(SegmentWriter):
    """Whoosh's writer, adding documents and writing their postings faster (with its own
    posting pool: Whoosh ignores its ``poolclass`` option), and without the reference cycle
    that kept the files of the segments it read open (and, once merged away, undeletable)
    until the garbage collector ran."""

    def __init__(self, index: FileIndex, **options: Any) -> None:
        super().__init__(index, **options)
        self.pool = _PostingPool(self._tempstorage, self.newsegment, limitmb=options["limitmb"])

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
        if isinstance(field.format, _TermListPositions):
            self.pool.add_terms(name, self.docnum, value, field.format.field_boost)
            return len(value)
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

    For child processes of a process whose ``Writer`` holds the lock: only it may commit the
    segment (``Writer.add_segment``); until then no reader sees it. Once that process has
    gone (killed), ``add`` and ``finish`` raise ``SearchlibError``: the segment can never be
    committed, and the next lock holder deletes files it doesn't know. Postings beyond
    ``memory_mb`` (an estimate) spill to disk in sorted runs.
    """

    def __init__(self, directory: Path, memory_mb: int) -> None:
        self._lock_holder = os.getppid()
        index = FileIndex(_storage(directory), schema=_schema(FIELDS))
        self._writer = _SegmentWriter(index, _lk=False, limitmb=memory_mb, codec=_CODEC)

    def add(self, document: Document) -> None:
        """Add a new document (replacing older ones is the committing writer's job)."""
        self._check_lock_holder()
        self._writer.add_document(**_field_values(document))

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


def _field_values(document: Document) -> dict[str, Any]:
    values: dict[str, Any] = dict(document.indexed)
    for name, value in document.stored.items():
        # Whoosh stores a field's indexed value unless told otherwise; stored-only fields
        # take their value directly.
        values[f"_stored_{name}" if name in values else name] = value
    return values


class Searcher:
    """Reads one commit of the index: postings and lengths for ranking, stored fields."""

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()
        self._leaves: list[tuple[Any, int]] = list(self._reader.leaf_readers())
        self._lengths: dict[str, bytes] = {}
        self._deleted: set[int] | None = None
        self._scales: dict[tuple[str, float, float], list[float]] = {}
        self._forms: Any = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index files."""
        self._searcher.close()
        # Results may keep this searcher (to compare with the current one): drop what it
        # holds, so a closed searcher keeps no file or buffer alive.
        self._searcher = self._reader = self._forms = None
        self._leaves, self._lengths = [], {}

    def is_current(self) -> bool:
        """Whether no commit has happened since this searcher opened."""
        return self._searcher.up_to_date()

    def document_count(self) -> int:
        """How many live documents this commit holds."""
        return self._reader.doc_count()

    def all_documents(self) -> set[int]:
        """The numbers of every live document."""
        return set(range(self._reader.doc_count_all())) - self.deleted()

    def deleted(self) -> set[int]:
        """The numbers of deleted documents (their postings remain until a merge)."""
        if self._deleted is None:
            self._deleted = {
                base + number
                for leaf, base in self._leaves
                if leaf.has_deletions()
                for number in leaf.deleted_docs_set
            }
        return self._deleted

    def average_length(self, field: str) -> float:
        """The mean number of terms ``field`` holds per document."""
        documents = self._reader.doc_count_all()
        return self._reader.field_length(field) / documents if documents else 0.0

    def frequencies(
        self, pairs: Iterable[tuple[str, str, float]], length_weight: float
    ) -> dict[int, float]:
        """Per document, the sum over ``(field, term, weight)`` pairs of the term's frequency
        times ``weight``, divided by the field's relative length (BM25F's combined
        frequency): ``1 - b + b * length / average`` with ``b = length_weight``.
        """
        combined: dict[int, float] = {}
        get = combined.get
        for field, term, weight in pairs:
            average = self.average_length(field)
            if not average:
                continue
            lengths = self._field_lengths(field)
            scale = self._scale(field, weight, length_weight, average)
            for base, numbers, counts in self._postings(field, term):
                for number, count in zip(numbers, counts, strict=True):
                    document = base + number
                    combined[document] = get(document, 0.0) + count * scale[lengths[document]]
        return combined

    def _scale(
        self, field: str, weight: float, length_weight: float, average: float
    ) -> list[float]:
        """``_length_scale`` for each of the 256 length codes (lengths are stored as bytes)."""
        key = (field, weight, length_weight)
        if key not in self._scales:
            self._scales[key] = [
                _length_scale(weight, length_weight, average, code) for code in range(256)
            ]
        return self._scales[key]

    def frequency(self, number: int, pair: tuple[str, str, float], length_weight: float) -> float:
        """``frequencies`` of one ``(field, term, weight)`` pair, in document ``number`` only."""
        field, term, weight = pair
        average = self.average_length(field)
        count = self._count(number, field, term)
        if not (average and count):
            return 0.0
        code = self._field_lengths(field)[number]
        return count * _length_scale(weight, length_weight, average, code)

    def _count(self, number: int, field: str, term: str) -> float:
        """How often ``term`` occurs in ``field`` of document ``number``."""
        for leaf, base in self._leaves:
            if base <= number < base + leaf.doc_count_all():
                try:
                    matcher = leaf.postings(field, term)
                except TermNotFound:
                    return 0.0
                # Skips whole blocks of postings: one document's count costs little. (A
                # matcher over only deleted documents starts inactive, and can't skip.)
                if matcher.is_active():
                    matcher.skip_to(number - base)
                found = matcher.is_active() and matcher.id() == number - base
                return matcher.weight() if found else 0.0
        return 0.0

    def document_frequency(self, field: str, term: str) -> int:
        """How many documents hold ``term`` in ``field`` (deleted ones until a merge)."""
        return self._reader.doc_frequency(field, term)

    def document_number(self, field: str, value: str) -> int | None:
        """The number of the live document whose ``field`` is ``value``, if any."""
        return self._searcher.document_number(**{field: value})

    def _postings(self, field: str, term: str) -> Iterator[tuple[int, Any, Any]]:
        """``(base, numbers, counts)`` blocks of a term's postings, deleted documents included."""
        term_bytes = term.encode("utf-8")
        for leaf, base in self._leaves:
            try:
                info = leaf._terms.term_info(field, term_bytes)
            except TermNotFound:
                continue
            if info.is_inlined():
                numbers, counts, _ = info.inlined_postings()
                yield base, numbers, counts
                continue
            matcher = leaf._terms.matcher(field, term_bytes, leaf.schema[field].format)
            # Whole blocks at a time: Whoosh's per-posting matcher calls cost ten times more.
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                yield base, matcher._ids, matcher._weights
                matcher._next_block()

    def _field_lengths(self, field: str) -> bytes:
        """Every document's length code for ``field``, one byte per document number."""
        if field not in self._lengths:
            self._lengths[field] = b"".join(_leaf_lengths(leaf, field) for leaf, _ in self._leaves)
        return self._lengths[field]

    def phrase_documents(self, field: str, terms: Sequence[str], slop: int = 0) -> set[int]:
        """Documents with ``terms`` in order in ``field``, at most ``slop`` words apart."""
        phrase = whoosh_query.Phrase(field, list(terms), slop=slop + 1)
        return set(self._searcher.docs_for_query(phrase))

    def date_documents(self, field: str, start: datetime | None, end: datetime | None) -> set[int]:
        """Documents whose ``field`` date is in ``[start, end)`` (an open end is ``None``)."""
        dates = whoosh_query.DateRange(field, start, end, endexcl=True)
        return set(self._searcher.docs_for_query(dates))

    def forms_held(self, number: int, forms: Iterable[str]) -> set[str]:
        """Which of ``forms`` document ``number`` holds as exact word forms."""
        if self._forms is None:
            if not self._reader.has_column(FORMS_FIELD):
                return set()
            self._forms = self._reader.column_reader(FORMS_FIELD)
        return held_forms(self._forms[number], forms)

    def stored_fields(self, number: int) -> dict[str, Any]:
        """The stored fields of document ``number``."""
        return self._searcher.stored_fields(number)

    def stored(self, field: str, value: str) -> dict[str, Any] | None:
        """The stored fields of the document whose ``field`` is ``value``."""
        return self._searcher.document(**{field: value})

    def terms(self, field: str) -> Iterator[str]:
        """Every term of ``field`` held by a live document."""
        reader = self._reader
        check_live = reader.has_deletions()
        for term in reader.lexicon(field):
            text = term.decode("utf-8")
            if not check_live or self._searcher.document_number(**{field: text}) is not None:
                yield text


def _length_scale(weight: float, length_weight: float, average: float, code: int) -> float:
    """BM25F's factor for a term's count in a field whose length is stored as byte ``code``:
    ``weight`` over the field's relative length."""
    return weight / (1 - length_weight + length_weight * LENGTH_OF_BYTE[code] / average)


def _leaf_lengths(leaf: Any, field: str) -> bytes:
    documents = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_length_column_name(field), LENGTHS_COLUMN)
    if column is None:
        return bytes(documents)
    # A length column stores one byte per document up to the last non-zero one.
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(documents - len(stored))


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


def check(directory: Path) -> list[str]:
    """What is wrong with the engine's files in ``directory``: an unreadable table of
    contents, or a segment that is missing, can't be opened or read, or doesn't hold the
    documents the table of contents lists. Checks a commit no writer replaced meanwhile.

    >>> import tempfile
    >>> check(Engine(Path(tempfile.mkdtemp()), create=True).directory)
    []
    """
    storage = _storage(directory)
    problems: list[str] = []
    for _ in range(OPEN_ATTEMPTS):
        generation = _latest_generation(storage)
        problems = _commit_problems(storage, generation)
        if _latest_generation(storage) == generation:
            break
    return problems


def _commit_problems(storage: FileStorage, generation: int) -> list[str]:
    schema = _schema(FIELDS)
    try:
        table_of_contents = TOC.read(storage, INDEX_NAME, generation, schema)
    except Exception as error:  # Whoosh fails on garbled files with any exception type
        _close_files_left_open(error)
        name = TOC._filename(INDEX_NAME, generation)
        return [f"{name}, the table of contents, can't be read ({_describe(error)})"]
    problems = []
    for segment in table_of_contents.segments:
        problems += _segment_problems(storage, schema, segment)
    return problems


def _segment_problems(
    storage: FileStorage, schema: whoosh_fields.Schema, segment: Any
) -> list[str]:
    label = f"segment {segment.segment_id()}"
    file = segment.make_filename(segment.COMPOUND_EXT)
    if segment.is_compound() and not storage.file_exists(file):
        return [f"{label}: its file {file} is missing"]
    try:
        reader = SegmentReader(storage, schema, segment)
    except Exception as error:
        _close_files_left_open(error)
        return [f"{label}: can't be opened ({_describe(error)})"]
    try:
        return _document_problems(reader, label)
    except Exception as error:
        return [f"{label}: can't be read ({_describe(error)})"]
    finally:
        reader.close()


def _document_problems(reader: Any, label: str) -> list[str]:
    # Every document has one id term, so the id postings show which documents the segment
    # holds, independently of the count the table of contents records.
    held = {
        number for term in reader.lexicon("id") for number in reader.postings("id", term).all_ids()
    }
    listed = reader.doc_count()
    if len(held) != listed:
        return [f"{label}: the table of contents says {listed} documents, it holds {len(held)}"]
    for number in sorted(held):
        if "id" not in reader.stored_fields(number):
            return [f"{label}: document {number} has no stored id"]
    return []


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
