"""Blocks of postings, written and read: a term's postings in one segment, whole blocks at a
time (Whoosh's per-posting matcher calls cost some ten times more), read from its entry.

A block: its size in bytes (negative for a term's last block), ``HEADER``, then two parts.
The first holds the gaps between document numbers (the first one's from the last number of
the block before, or 0) and the counts, as arrays of the narrowest unsigned integers that
hold them (counts as 32-bit floats when they aren't whole): what ranking reads, with
``array`` or NumPy and no unpickling. The second holds each posting's positions
(``TermListPositions``), after an array of their lengths: only phrases read it, compressed
when that makes it smaller. The first is never compressed: decompressing it took a third of
a query's time at a million articles, and saved 5% of the index (536 bytes of postings an
article, not 777).
"""

from __future__ import annotations

import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence, Set
from itertools import accumulate, pairwise
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

COMPRESS_FROM = 64
"""A block's part this many bytes or more is compressed, if that makes it smaller."""

BLOCK_SIZE = Struct("!i")
"""A block's size (Whoosh's own int)."""
HEADER = Struct("<BHIfH")
"""Flags, postings, last document number, top count, and the first part's length."""
_HEAD_SIZE = BLOCK_SIZE.size + HEADER.size
_GAPS = ("B", "H", "I")
_COUNTS = ("", "B", "H", "f")
"""The counts' arrays; none when every count is 1."""
_LENGTHS = ("", "B", "H", "I")
"""The arrays of positions' lengths; none when no posting has positions."""
_COUNTS_SHIFT = 2
_LENGTHS_SHIFT = 4
_POSITIONS_COMPRESSED = 128
_WIDTH = {"": 0, "B": 1, "H": 2, "I": 4, "f": 4}
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
    (positions, encoded), the positions compressed at zlib level ``compression`` if that
    makes them smaller; ``last``: whether it is the term's last block."""
    flags, columns = _packed_numbers(previous, numbers, weights)
    positions = b""
    if any(values):
        lengths_code, lengths = _packed([len(value) for value in values], _LENGTHS)
        flags |= lengths_code << _LENGTHS_SHIFT
        positions = lengths + b"".join(values)
    positions, compressed = _compressed(positions, compression)
    flags |= _POSITIONS_COMPRESSED if compressed else 0
    header = HEADER.pack(flags, len(numbers), numbers[-1], max(weights), len(columns))
    size = len(header) + len(columns) + len(positions)
    return BLOCK_SIZE.pack(-size if last else size) + header + columns + positions


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
        if typecode and largest < 1 << (8 * _WIDTH[typecode])
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


def written_blocks(data: bytes) -> Iterator[tuple[int, int, int, int, bytes, bytes]]:
    """Each block of a term's postings ``data`` (the term's whole extent in the postings
    file, read at once) as written: its size in bytes, its flags, its count of postings,
    its last document number, and its two parts (see ``HEADER``), as stored."""
    for position, end, flags, count, last, numbers_size in _heads(data):
        middle = position + _HEAD_SIZE + numbers_size
        yield (
            end - position,
            flags,
            count,
            last,
            data[position + _HEAD_SIZE : middle],
            data[middle:end],
        )


def _heads(data: bytes) -> Iterator[tuple[int, int, int, int, int, int]]:
    """Where each block of a term's postings ``data`` starts and ends, and its flags,
    count, last number and first part's length."""
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("no postings at this place of the postings file")
    position = 4
    while True:
        (size,) = BLOCK_SIZE.unpack_from(data, position)
        flags, count, last, _, numbers_size = HEADER.unpack_from(data, position + BLOCK_SIZE.size)
        end = position + BLOCK_SIZE.size + abs(size)
        if position + _HEAD_SIZE + numbers_size > end:
            raise ValueError("a block of postings is damaged: its numbers overrun it")
        yield position, end, flags, count, last, numbers_size
        if size < 0:
            return
        position = end


def block_columns(flags: int, count: int, part: bytes) -> tuple[array[int], Sequence[float]]:
    """A block's gaps between document numbers and its counts, from its first part."""
    _check_numbers(flags, count, len(part))
    gaps_type, counts_type = _GAPS[flags & 3], _COUNTS[flags >> _COUNTS_SHIFT & 3]
    gaps = _array(gaps_type, part[: count * _WIDTH[gaps_type]])
    if not counts_type:
        return gaps, [1] * count
    return gaps, _array(counts_type, part[count * _WIDTH[gaps_type] :])


def _check_numbers(flags: int, count: int, size: int) -> None:
    """Raise ``ValueError`` unless a block's gaps and counts fill its first part of
    ``size`` bytes: a damaged block would read as other numbers."""
    width = _WIDTH[_GAPS[flags & 3]] + _WIDTH[_COUNTS[flags >> _COUNTS_SHIFT & 3]]
    if size != count * width:
        raise ValueError("a block of postings is damaged: its numbers don't fill it")


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
        gaps, counts = block_columns(flags, count, numbers)
        found = list(accumulate(gaps, initial=previous))
        del found[0]
        yield found, counts
        previous = last


def read_arrays(data: bytes, numpy: Any) -> tuple[Any, Any]:
    """The document numbers (64-bit integers) and counts (floats) of all of a term's
    postings ``data``, as NumPy arrays (``numpy``: the module, imported by the caller)."""
    gaps, counts = [], []
    for position, _, flags, count, _, numbers_size in _heads(data):
        _check_numbers(flags, count, numbers_size)
        start = position + _HEAD_SIZE  # read in place: NumPy's views of the part, no copies
        gaps_type, counts_type = _GAPS[flags & 3], _COUNTS[flags >> _COUNTS_SHIFT & 3]
        gaps.append(numpy.frombuffer(data, _NUMPY_TYPES[gaps_type], count, start))
        if counts_type:
            offset = start + count * _WIDTH[gaps_type]
            counts.append(numpy.frombuffer(data, _NUMPY_TYPES[counts_type], count, offset))
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
            gaps, _ = block_columns(flags, count, numbers)
            found = list(accumulate(gaps, initial=previous))
            del found[0]
            yield found, block_positions(flags, count, positions)
        first, previous = last + 1, last


def block_positions(flags: int, count: int, part: bytes) -> list[bytes]:
    """Each posting's positions, from a block's second part."""
    lengths_type = _LENGTHS[flags >> _LENGTHS_SHIFT & 3]
    if not lengths_type:
        return [b""] * count
    if flags & _POSITIONS_COMPRESSED:
        part = zlib.decompress(part)
    lengths = _array(lengths_type, part[: count * _WIDTH[lengths_type]])
    ends = list(accumulate(lengths, initial=count * _WIDTH[lengths_type]))
    if ends[-1] != len(part):
        raise ValueError("a block of postings is damaged: its positions don't fill it")
    return [part[start:end] for start, end in pairwise(ends)]


def term_blocks(base: int, leaf: Any, info: Any) -> Iterator[tuple[int, Any, Any]]:
    """``(base, numbers, counts)`` for each block of postings of the term whose entry in
    segment ``leaf`` (numbered from ``base``) is ``info``, deleted documents included."""
    if info.is_inlined():
        numbers, counts, _ = info.inlined_postings()
        yield base, numbers, counts
        return
    for numbers, counts in read_blocks(_extent(leaf, info)):
        yield base, numbers, counts


def term_arrays(leaf: Any, info: Any, numpy: Any) -> tuple[Any, Any]:
    """A term's postings in one segment (see ``term_blocks``) as two NumPy arrays: the
    documents' numbers in the segment (64-bit integers) and the counts (floats)."""
    if info.is_inlined():
        numbers, counts, _ = info.inlined_postings()
        return numpy.array(numbers, numpy.int64), numpy.array(counts, float)
    return read_arrays(_extent(leaf, info), numpy)  # type: ignore[no-any-return]


def term_values(
    leaf: Any, info: Any, among: Sequence[int] | None = None
) -> Iterator[tuple[Sequence[int], Sequence[bytes]]]:
    """``(numbers, values)`` for each block of postings of a term (see ``term_blocks``):
    the documents' numbers in the segment and the term's positions in each, encoded; with
    ``among`` (numbers in the segment, in order), of the blocks that may hold them only."""
    if info.is_inlined():
        numbers, _, values = info.inlined_postings()
        yield numbers, values
        return
    yield from read_values(_extent(leaf, info), among)


def postings_problem(leaf: Any, info: Any) -> str | None:
    """What is wrong with the postings of the term whose entry in segment ``leaf`` is
    ``info``, every block read in full (``None``: nothing): numbers out of order or past
    the segment's documents, or not as many as the entry counts. Raises what reading a
    damaged block raises (``ValueError``, ``zlib.error``, ``struct.error``)."""
    if info.is_inlined():
        return None
    data = _extent(leaf, info)
    held = size = previous = 0
    for block_size, flags, count, last, numbers, positions in written_blocks(data):
        gaps, _ = block_columns(flags, count, numbers)
        block_positions(flags, count, positions)
        # A term's first document may be 0, a gap of 0; never a later one.
        if 0 in gaps[1 if held == 0 else 0 :] or previous + sum(gaps) != last:
            return "are out of order"
        held, size, previous = held + count, size + block_size, last
    if len(WHOOSH3_HEADER_MAGIC) + size != len(data):
        return "don't fill their place in the postings file"
    if previous >= leaf.doc_count_all():
        return f"name document {previous} of a segment of {leaf.doc_count_all()}"
    if held != info.doc_frequency():
        return f"are {held}, where the term's entry counts {info.doc_frequency()}"
    return None


def prefix_counts(
    leaves: Iterable[tuple[Any, int]], field: str, prefix: str, documents: Set[int]
) -> dict[str, int]:
    """How many of ``documents`` hold each term of ``field`` that starts with ``prefix``
    (the term without it), in segments ``leaves`` (``(leaf, base)``)."""
    counts: dict[str, int] = {}
    start = prefix.encode("utf-8")
    for leaf, base in leaves:
        terms = getattr(leaf, "_terms", None)  # an empty index's reader has none
        if terms is None:
            continue
        # The field's terms in order, each read where the last ended: looking each value
        # up (a hash table's several reads) made a facet of many speakers take seconds.
        for (found, term), info in terms.items_from(field, start):
            if found != field or not term.startswith(start):
                break
            count = 0
            for _, numbers, _ in term_blocks(base, leaf, info):
                count += sum(1 for number in numbers if base + number in documents)
            if count:
                value = term[len(start) :].decode("utf-8")
                counts[value] = counts.get(value, 0) + count
    return counts


def _extent(leaf: Any, info: Any) -> bytes:
    """The term's postings as written, read at once."""
    # Whoosh reads a term's extent back as its offset and a 1-tuple of its length.
    offset, (length,) = info.extent()
    return leaf._terms._postfile.get(offset, length)  # type: ignore[no-any-return]
