"""Writing a segment's terms and postings in Whoosh's file format, a term at a time, and
reading a term's postings back a block at a time."""

from __future__ import annotations

import io
import pickle
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, pairwise
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.system import pack_ushort

from searchlib.engine.postings import Posting, TermPostings, pieces


class FieldWriter(W3FieldWriter):
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
        for numbers, weights, values, last in chain([first], blocks):
            _count_block(info, numbers, weights)
            self._write_block(numbers, weights, values, last)
        info.set_extent(start, self._postfile.tell() - start)
        return info

    def _write_block(
        self, numbers: list[int], weights: list[float], values: list[bytes], last: bool
    ) -> None:
        gaps = tuple(later - earlier for earlier, later in pairwise([0, *numbers]))
        data = pickle.dumps(
            (gaps, _mini_weights(weights), self._mini_values(values)), BLOCK_PROTOCOL
        )
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
BLOCK_PROTOCOL = 4
"""The pickle protocol of a block's postings: Whoosh's 2 pickles each bytes value (a
posting's positions) as a call that decodes a string, some 20 bytes more a posting; 4
writes the bytes (and, unlike 3, memoizes in one byte). Whoosh reads any."""
TERM_PROTOCOL = 3
"""The pickle protocol of a posting kept in its term entry: like 4 for bytes, without 4's
nine bytes of framing, which a posting this small would feel."""
COMPRESS_FROM = 256
"""Blocks this many bytes or more are compressed. Smaller ones shrink little: compressing
them too made BBC's segments 2% smaller for 4% more of a worker's time."""


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


_BLOCK_SIZE = Struct("!i")
"""A block's size in bytes, negative for a term's last block."""


def read_blocks(data: bytes) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The document numbers and weights of each block of a term's postings, from ``data``,
    the postings as written (the term's whole extent in the postings file, read at once:
    Whoosh's matcher reads a block in some ten Python calls on its file)."""
    for _, count, _, compression, block in written_blocks(data):
        gaps, weights, _ = _unpickled(compression, block)
        if weights is None or isinstance(weights, float):
            weights = [1.0 if weights is None else weights] * count
        yield list(accumulate(gaps)), weights


def read_values(
    data: bytes, among: Sequence[int] | None = None
) -> Iterator[tuple[list[int], Sequence[bytes]]]:
    """The document numbers and values (a posting's positions, as its field's format
    encodes them) of each block of a term's postings ``data`` (see ``read_blocks``); with
    ``among`` (document numbers, in order), only of the blocks that may hold one of them."""
    first = 0
    for _, _, last, compression, block in written_blocks(data):
        # A block holds numbers from the one after the last block's last to its own last.
        if among is None or bisect_left(among, first) < bisect_right(among, last):
            gaps, _, values = _unpickled(compression, block)
            yield list(accumulate(gaps)), values
        first = last + 1


def _unpickled(compression: int, block: bytes) -> tuple[Any, Any, Any]:
    """A block's gaps between document numbers, weights and values."""
    return pickle.loads(zlib.decompress(block) if compression else block)  # type: ignore[no-any-return]


def written_blocks(data: bytes) -> Iterator[tuple[int, int, int, int, bytes]]:
    """Each block of a term's postings ``data`` as written: its bytes (size and header
    included), its count of postings, its last document number, its compression (0:
    none) and its pickled data."""
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("no postings at this place of the postings file")
    stream = io.BytesIO(data)
    position = 4
    while True:
        (size,) = _BLOCK_SIZE.unpack_from(data, position)
        stream.seek(position + _BLOCK_SIZE.size)
        count, last, _, compression, _, _ = pickle.load(stream)
        end = position + _BLOCK_SIZE.size + abs(size)
        yield end - position, count, last, compression, data[stream.tell() : end]
        if size < 0:
            return
        position = end


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


def _mini_weights(weights: list[float]) -> Any:
    """Whoosh's compact weights: ``None`` when all are 1, one number when all are equal."""
    if all(weight == 1.0 for weight in weights):
        return None
    if all(weight == weights[0] for weight in weights):
        return weights[0]
    return tuple(map(_whole, weights))


class Codec(W3Codec):
    """Whoosh's codec with searchlib's writer of terms and postings, without per-block
    length statistics (they serve only Whoosh's own scorers, which searchlib doesn't use,
    and looking them up costs a tenth of indexing), compressing posting blocks at zlib's
    fastest level (level 1 makes them as small as Whoosh's level 3, for less time)."""

    length_stats = False

    def field_writer(self, storage: Any, segment: Any) -> FieldWriter:
        return FieldWriter(self, storage, segment)


CODEC = Codec(compression=1)
"""The codec of every segment searchlib writes."""
