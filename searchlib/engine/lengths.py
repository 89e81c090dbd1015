"""Field lengths as Whoosh keeps them: one byte per document and field, a lossy code for
its number of terms, which BM25F's length normalisation reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.codec.whoosh3 import _lenfield as _length_column_name
from whoosh.util.numeric import byte_to_length

LENGTH_OF_BYTE = [byte_to_length(code) for code in range(256)]
"""The lengths the 256 byte codes stand for."""


def mean_length(codes: bytes, deleted: Iterable[int], live: int) -> float:
    """The mean length of the ``live`` documents, from every document's length ``codes``
    (the ``deleted`` documents' left out).

    >>> mean_length(bytes([1, 2, 3]), [2], 2)
    1.5
    """
    counts = Counter(codes)
    for number in deleted:
        counts[codes[number]] -= 1
    return sum(LENGTH_OF_BYTE[code] * count for code, count in counts.items()) / live


def length_scale(weight: float, length_weight: float, average: float, code: int) -> float:
    """BM25F's factor for a term's count in a field whose length is stored as byte ``code``:
    ``weight`` over the field's relative length, ``1 - b + b * length / average`` with
    ``b = length_weight``.

    >>> length_scale(2.0, 0.75, 2.0, 2)
    2.0
    """
    return weight / (1 - length_weight + length_weight * LENGTH_OF_BYTE[code] / average)


def segment_lengths(leaf: Any, field: str) -> bytes:
    """The length codes of ``field`` in one segment, a byte per document number."""
    documents = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_length_column_name(field), LENGTHS_COLUMN)
    if column is None:
        return bytes(documents)
    # A length column stores one byte per document up to the last non-zero one.
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(documents - len(stored))
