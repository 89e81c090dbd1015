"""Postings on their way to a segment: pooled in memory by term, spilled to sorted runs on
disk when the pool outgrows its memory, merged term by term when the segment is written."""

from __future__ import annotations

import heapq
import marshal
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import chain, groupby, islice
from operator import itemgetter
from typing import Any

from whoosh.writing import PostingPool as WhooshPostingPool

from searchlib.engine.fields import TermListPositions

Posting = tuple[int, float, bytes]
"""A document's number, the term's weight in it (its count) and Whoosh's encoded value."""
TermPostings = tuple[tuple[str, bytes], Iterable[Posting]]
"""A term (its field and bytes) with its postings, in document order."""


class PostingPool(WhooshPostingPool):
    """Whoosh's posting pool, keeping postings grouped by term: sorting the terms costs far
    less than sorting every posting, and the writer takes each term's postings in one piece.

    When a segment outgrows ``memory_mb`` the pool spills its terms, sorted, to a run file
    on disk (with ``marshal``, in chunks); at the end the runs are merged term by term.
    """

    CHUNK = 4_000
    """Postings per chunk of a run: merging holds one chunk of each run in memory."""
    MERGE_AT_ONCE = 100
    """Runs merged at once at the least; as many more as the pool's memory holds a chunk of
    (``merged_at_once``)."""
    MOST_OPEN_RUNS = 1_000
    """Runs merged at once at the most (each is an open file)."""

    def __init__(self, *arguments: Any, **options: Any) -> None:
        super().__init__(*arguments, **options)
        self._fields: dict[str, defaultdict[bytes, list[Posting]]] = {}

    def add(self, posting: tuple[Any, ...]) -> None:
        """Add a ``(field, term, document, weight, value)`` posting (Whoosh's interface)."""
        field, term, number, weight, value = posting
        self._terms_of(field)[term].append((number, weight, value))
        self._grow(POSTING_SIZE + len(term) + len(value or b""))

    def add_terms(self, field: str, number: int, terms: list[str | None], boost: float) -> None:
        """Add the postings of a term list, the text of ``field`` in document ``number``."""
        held = self._terms_of(field)
        size = 0
        for term, count, encoded in TermListPositions.postings(terms):
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
        at_once = self.merged_at_once()
        while len(self.runs) > at_once:
            # Merging the first runs into one keeps the runs in document order.
            path, run = self._new_run()
            self._write_run(run, self._merged(self.runs[:at_once]))
            self.runs[:at_once] = [path]
        runs, self.runs = self.runs, []
        return self._merged(runs)

    def merged_at_once(self) -> int:
        """How many runs the last merge takes at once: as many as the pool's memory holds a
        chunk of, so that the runs of a segment of any size are merged in one pass (at a
        million articles, a worker's 137 runs once took a pass over 100 of them first).

        >>> PostingPool(None, None, limitmb=128).merged_at_once()
        279
        """
        held = self.limit // (self.CHUNK * POSTING_SIZE)
        return max(self.MERGE_AT_ONCE, min(held, self.MOST_OPEN_RUNS))

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
                for part in pieces(postings, self.CHUNK):
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


def pieces(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last may be shorter).

    >>> list(pieces(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    items = iter(items)
    while piece := list(islice(items, size)):
        yield piece
