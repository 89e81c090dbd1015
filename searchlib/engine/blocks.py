"""A term's postings read from its entry in one segment, whole blocks at a time: Whoosh's
per-posting matcher calls cost some ten times more."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from searchlib.engine.codec import read_blocks, read_values


def term_blocks(base: int, leaf: Any, info: Any) -> Iterator[tuple[int, Any, Any]]:
    """``(base, numbers, counts)`` for each block of postings of the term whose entry in
    segment ``leaf`` (numbered from ``base``) is ``info``, deleted documents included."""
    if info.is_inlined():
        numbers, counts, _ = info.inlined_postings()
        yield base, numbers, counts
        return
    for numbers, counts in read_blocks(_extent(leaf, info)):
        yield base, numbers, counts


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


def _extent(leaf: Any, info: Any) -> bytes:
    """The term's postings as written, read at once."""
    # Whoosh reads a term's extent back as its offset and a 1-tuple of its length.
    offset, (length,) = info.extent()
    return leaf._terms._postfile.get(offset, length)  # type: ignore[no-any-return]
