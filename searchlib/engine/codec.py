"""Writing a segment's terms and postings, a term at a time, and reading a term's postings
back a block at a time: Whoosh's files and term entries, with blocks of postings of
searchlib's own (``HEADER``), which ranking reads without unpickling."""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3TermInfo,
)
from whoosh.system import pack_ushort

from searchlib.engine.blocks import (
    BLOCK_SIZE,
    HEADER,
    block_columns,
    block_positions,
    encoded_block,
)
from searchlib.engine.columns import PerDocumentReader, PerDocumentWriter
from searchlib.engine.postings import Posting, TermPostings, pieces


class FieldWriter(W3FieldWriter):
    """Whoosh's writer of terms and postings, with ``add_terms`` writing each term's postings
    in one go rather than through Whoosh's per-posting calls (which were a third of a
    worker's time), in searchlib's blocks, and with one of Whoosh's own options that it
    fails to apply: a term in one document keeps its posting in its term entry."""

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
        info = TermInfo()
        blocks = _blocks(postings)
        first = next(blocks)
        numbers, weights, values, last = first
        if last and len(numbers) == 1:
            _count_block(info, numbers, weights)
            info.set_inlined(numbers, [_whole(weight) for weight in weights], values)
            return info
        start = self._postfile.tell()
        self._postfile.write(WHOOSH3_HEADER_MAGIC)
        previous = 0
        for numbers, weights, values, last in chain([first], blocks):
            _count_block(info, numbers, weights)
            compression = self._codec._compression
            self._postfile.write(
                encoded_block(previous, numbers, weights, values, last, compression)
            )
            previous = numbers[-1]
        info.set_extent(start, self._postfile.tell() - start)
        return info

    def start_term(self, text: bytes) -> None:
        # Whoosh's per-posting calls would write its own block format, which searchlib's
        # readers don't read.
        raise TypeError("searchlib writes a term's postings with add_terms")


BLOCK_LIMIT = 128
"""Postings per block (Whoosh's own limit)."""
TERM_PROTOCOL = 3
"""The pickle protocol of a posting kept in its term entry: like 4 for bytes, without 4's
nine bytes of framing, which a posting this small would feel."""


def _blocks(
    postings: Iterable[Posting],
) -> Iterator[tuple[list[int], list[float], list[bytes], bool]]:
    """A term's postings in blocks: numbers, weights (rounded to the 32-bit floats Whoosh
    keeps), values, and whether the block is the last."""
    parts = pieces(postings, BLOCK_LIMIT)
    block = next(parts)
    while block:
        following = next(parts, None)
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


class TermInfo(W3TermInfo):
    """Whoosh's term entry, its posting (when it keeps one) pickled with ``TERM_PROTOCOL``:
    Whoosh's 2 pickles the posting's positions as a call that decodes a string (a term entry
    of 65 bytes, not 25)."""

    def to_bytes(self) -> bytes:
        inlined = self._inlined
        if inlined is None:
            return super().to_bytes()
        self._inlined = ()  # Whoosh's statistics alone, then the posting pickled here
        try:
            statistics = super().to_bytes()[: self._struct.size]
        finally:
            self._inlined = inlined
        return statistics + pickle.dumps(inlined, TERM_PROTOCOL)


def _whole(weight: float) -> float | int:
    """A weight that is a whole number (a count) as an integer: pickled in 2 bytes, not 9."""
    return int(weight) if weight.is_integer() else weight


class BlockMatcher(W3LeafMatcher):
    """Whoosh's matcher of a term's postings on disk, reading searchlib's blocks: segment
    merges and Whoosh's own queries read postings through it."""

    def _goto(self, position: int) -> None:
        # Whoosh's reset leaves no last number; a block's gaps start from its last.
        self._previous = 0 if self._maxid is None else self._maxid
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        head = self._postfile.get(position, BLOCK_SIZE.size + HEADER.size)
        (size,) = BLOCK_SIZE.unpack_from(head)
        flags, count, last, top, numbers_size = HEADER.unpack_from(head, BLOCK_SIZE.size)
        self._lastblock = size < 0
        self._nextoffset = position + BLOCK_SIZE.size + abs(size)
        self._dataoffset = position + len(head)
        self._blocklength, self._maxid, self._maxweight = count, last, top
        self._flags, self._numbers_size = flags, numbers_size
        self._minlength = self._maxlength = 0  # no length statistics (``Codec``)

    def _read_data(self) -> None:
        self._data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        numbers = self._data[: self._numbers_size]
        gaps, self._weights = block_columns(self._flags, self._blocklength, numbers)
        self._ids = list(accumulate(gaps, initial=self._previous))
        del self._ids[0]

    def _read_weights(self) -> None:
        self._read_ids()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        if self._fixedsize == 0:
            self._values = (None,) * self._blocklength
        else:
            positions = self._data[self._numbers_size :]
            self._values = block_positions(self._flags, self._blocklength, positions)


class Codec(W3Codec):
    """Whoosh's codec with searchlib's writer and reader of terms and postings, without
    per-block length statistics (they serve only Whoosh's own scorers, which searchlib
    doesn't use, and looking them up costs a tenth of indexing), compressing posting blocks
    at zlib's fastest level."""

    length_stats = False

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)

    def per_document_writer(self, storage: Any, segment: Any) -> PerDocumentWriter:
        return PerDocumentWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> PerDocumentReader:
        return PerDocumentReader(storage, segment)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return BlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


CODEC = Codec(compression=1)
"""The codec of every segment searchlib writes."""
