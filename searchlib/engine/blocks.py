"""A term's postings read from its entry in one segment, whole blocks at a time: Whoosh's
per-posting matcher calls cost some ten times more."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Set
from typing import Any

from searchlib.engine.codec import read_arrays, read_blocks, read_values


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
