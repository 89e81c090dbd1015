"""Writing a segment's terms and postings, a term at a time, and reading a term's postings
back a block at a time: Whoosh's files and term entries, with blocks of postings of
searchlib's own (``_HEADER``), which ranking reads without unpickling."""

from __future__ import annotations

import pickle
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, pairwise
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3TermInfo,
)
from whoosh.system import pack_ushort

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
COMPRESS_FROM = 64
"""A block's part this many bytes or more is compressed, if that makes it smaller."""

# A block of postings: its size in bytes (negative for a term's last block), ``_HEADER``,
# then two parts. The first holds the gaps between document numbers (the first one's from
# the last number of the block before, or 0) and the counts, as arrays of the narrowest
# unsigned integers that hold them (counts as 32-bit floats when they aren't whole): what
# ranking reads, with ``array`` or NumPy and no unpickling. The second holds each
# posting's positions (``TermListPositions``), after an array of their lengths: only
# phrases read it. Each part is compressed apart.
_BLOCK_SIZE = Struct("!i")
_HEADER = Struct("<BHIfH")
"""Flags, postings, last document number, top count, and the first part's length."""
_GAPS = ("B", "H", "I")
_COUNTS = ("", "B", "H", "f")
"""The counts' arrays; none when every count is 1."""
_LENGTHS = ("", "B", "H", "I")
"""The arrays of positions' lengths; none when no posting has positions."""
_COUNTS_SHIFT = 2
_LENGTHS_SHIFT = 4
_NUMBERS_COMPRESSED = 64
_POSITIONS_COMPRESSED = 128
_WIDTH = {"B": 1, "H": 2, "I": 4, "f": 4}
_NUMPY_TYPES = {"B": "<u1", "H": "<u2", "I": "<u4", "f": "<f4"}
_SWAPPED = sys.byteorder == "big"


def encoded_block(
    previous: int,
    numbers: list[int],
    weights: list[float],
    values: list[bytes],
    last: bool,
    compression: int,
) -> bytes:
    """A block of postings as written: document ``numbers`` in order, after ``previous``
    (the last of the term's block before, or 0), their ``weights`` (counts) and ``values``
    (positions, encoded), each part compressed at zlib level ``compression`` if that
    makes it smaller; ``last``: whether it is the term's last block."""
    flags, columns = _packed_numbers(previous, numbers, weights)
    positions = b""
    if any(values):
        lengths_code, lengths = _packed([len(value) for value in values], _LENGTHS)
        flags |= lengths_code << _LENGTHS_SHIFT
        positions = lengths + b"".join(values)
    columns, compressed = _compressed(columns, compression)
    flags |= _NUMBERS_COMPRESSED if compressed else 0
    positions, compressed = _compressed(positions, compression)
    flags |= _POSITIONS_COMPRESSED if compressed else 0
    header = _HEADER.pack(flags, len(numbers), numbers[-1], max(weights), len(columns))
    size = len(header) + len(columns) + len(positions)
    return _BLOCK_SIZE.pack(-size if last else size) + header + columns + positions


def _compressed(data: bytes, level: int) -> tuple[bytes, bool]:
    if len(data) >= COMPRESS_FROM:
        packed = zlib.compress(data, level)
        if len(packed) < len(data):
            return packed, True
    return data, False


def _packed(numbers: Sequence[int], typecodes: Sequence[str]) -> tuple[int, bytes]:
    """``numbers`` as a little-endian array of the narrowest of ``typecodes`` that holds
    them (the first, if empty, holds none), and its place in ``typecodes``."""
    largest = max(numbers)
    code = next(
        place
        for place, typecode in enumerate(typecodes)
        if typecode and largest < 1 << (8 * array(typecode).itemsize)
    )
    return code, _little_endian(array(typecodes[code], numbers))


def _little_endian(values: array[Any]) -> bytes:
    if _SWAPPED:
        values.byteswap()
    return values.tobytes()


def _packed_numbers(previous: int, numbers: list[int], weights: list[float]) -> tuple[int, bytes]:
    """A block's flags for its gaps and counts, and the first part: both arrays."""
    gaps_code, gaps = _packed(
        [number - before for before, number in pairwise([previous, *numbers])], _GAPS
    )
    flags = gaps_code
    if any(weight != 1.0 for weight in weights):
        if all(weight.is_integer() for weight in weights) and max(weights) < 1 << 16:
            counts_code, counts = _packed([int(weight) for weight in weights], _COUNTS)
        else:
            counts_code, counts = len(_COUNTS) - 1, _little_endian(array("f", weights))
        flags |= counts_code << _COUNTS_SHIFT
        gaps += counts
    return flags, gaps


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


def written_blocks(data: bytes) -> Iterator[tuple[int, int, int, int, bytes, bytes]]:
    """Each block of a term's postings ``data`` (the term's whole extent in the postings
    file, read at once) as written: its size in bytes, its flags, its count of postings,
    its last document number, and its two parts (see ``_HEADER``), as stored."""
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("no postings at this place of the postings file")
    position = 4
    while True:
        (size,) = _BLOCK_SIZE.unpack_from(data, position)
        start = position + _BLOCK_SIZE.size
        flags, count, last, _, numbers_size = _HEADER.unpack_from(data, start)
        middle = start + _HEADER.size + numbers_size
        end = start + abs(size)
        yield (
            end - position,
            flags,
            count,
            last,
            data[start + _HEADER.size : middle],
            data[middle:end],
        )
        if size < 0:
            return
        position = end


def _columns(flags: int, count: int, part: bytes) -> tuple[array[int], Sequence[float]]:
    """A block's gaps between document numbers and its counts, from its first part."""
    if flags & _NUMBERS_COMPRESSED:
        part = zlib.decompress(part)
    gaps_type = _GAPS[flags & 3]
    gaps = _array(gaps_type, part[: count * _WIDTH[gaps_type]])
    counts_type = _COUNTS[flags >> _COUNTS_SHIFT & 3]
    if not counts_type:
        return gaps, [1] * count
    return gaps, _array(counts_type, part[count * _WIDTH[gaps_type] :])


def _array(typecode: str, data: bytes) -> array[Any]:
    values = array(typecode, data)
    if _SWAPPED:
        values.byteswap()
    return values


def read_blocks(data: bytes) -> Iterator[tuple[list[int], Sequence[float]]]:
    """The document numbers and counts of each block of a term's postings ``data`` (see
    ``written_blocks``)."""
    previous = 0
    for _, flags, count, last, numbers, _ in written_blocks(data):
        gaps, counts = _columns(flags, count, numbers)
        found = list(accumulate(gaps, initial=previous))
        del found[0]
        yield found, counts
        previous = last


def read_arrays(data: bytes, numpy: Any) -> tuple[Any, Any]:
    """The document numbers (64-bit integers) and counts (floats) of all of a term's
    postings ``data``, as NumPy arrays (``numpy``: the module, imported by the caller)."""
    gaps, counts = [], []
    for _, flags, count, _, numbers, _ in written_blocks(data):
        if flags & _NUMBERS_COMPRESSED:
            numbers = zlib.decompress(numbers)
        gaps_type = _GAPS[flags & 3]
        gaps.append(numpy.frombuffer(numbers, _NUMPY_TYPES[gaps_type], count))
        counts_type = _COUNTS[flags >> _COUNTS_SHIFT & 3]
        if counts_type:
            offset = count * _WIDTH[gaps_type]
            counts.append(numpy.frombuffer(numbers, _NUMPY_TYPES[counts_type], count, offset))
        else:
            counts.append(numpy.ones(count))
    found = numpy.cumsum(numpy.concatenate(gaps), dtype=numpy.int64)
    return found, numpy.concatenate(counts).astype(float)


def read_values(
    data: bytes, among: Sequence[int] | None = None
) -> Iterator[tuple[list[int], list[bytes]]]:
    """The document numbers and values (a posting's positions, as its field's format
    encodes them) of each block of a term's postings ``data`` (see ``written_blocks``);
    with ``among`` (document numbers, in order), only of the blocks that may hold one of
    them."""
    first = previous = 0
    for _, flags, count, last, numbers, positions in written_blocks(data):
        # A block holds numbers from the one after the last block's last to its own last.
        if among is None or bisect_left(among, first) < bisect_right(among, last):
            gaps, _ = _columns(flags, count, numbers)
            found = list(accumulate(gaps, initial=previous))
            del found[0]
            yield found, _positions(flags, count, positions)
        first, previous = last + 1, last


def _positions(flags: int, count: int, part: bytes) -> list[bytes]:
    """Each posting's positions, from a block's second part."""
    lengths_type = _LENGTHS[flags >> _LENGTHS_SHIFT & 3]
    if not lengths_type:
        return [b""] * count
    if flags & _POSITIONS_COMPRESSED:
        part = zlib.decompress(part)
    lengths = _array(lengths_type, part[: count * _WIDTH[lengths_type]])
    ends = list(accumulate(lengths, initial=count * _WIDTH[lengths_type]))
    return [part[start:end] for start, end in pairwise(ends)]


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
        head = self._postfile.get(position, _BLOCK_SIZE.size + _HEADER.size)
        (size,) = _BLOCK_SIZE.unpack_from(head)
        flags, count, last, top, numbers_size = _HEADER.unpack_from(head, _BLOCK_SIZE.size)
        self._lastblock = size < 0
        self._nextoffset = position + _BLOCK_SIZE.size + abs(size)
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
        gaps, self._weights = _columns(self._flags, self._blocklength, numbers)
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
            self._values = _positions(self._flags, self._blocklength, positions)


class Codec(W3Codec):
    """Whoosh's codec with searchlib's writer and reader of terms and postings, without
    per-block length statistics (they serve only Whoosh's own scorers, which searchlib
    doesn't use, and looking them up costs a tenth of indexing), compressing posting blocks
    at zlib's fastest level."""

    length_stats = False

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return BlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


CODEC = Codec(compression=1)
"""The codec of every segment searchlib writes."""
