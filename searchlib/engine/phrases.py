"""Phrases matched on positions read a term's blocks at a time: the documents Whoosh's
phrase query (``SpanNear2``, ordered) finds, for a fraction of its per-posting work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from searchlib.engine.blocks import term_values
from searchlib.engine.fields import positions_of


def term_positions(term_infos: Iterable[tuple[int, Any, Any]]) -> dict[int, bytes]:
    """Each document holding a term (deleted ones too), with the term's positions there as
    encoded, from the term's ``(base, segment reader, term entry)`` in each segment."""
    found: dict[int, bytes] = {}
    for base, leaf, info in term_infos:
        for numbers, values in term_values(leaf, info):
            found.update(zip([base + number for number in numbers], values, strict=True))
    return found


def in_order(terms: Sequence[Mapping[int, bytes]], reach: int) -> set[int]:
    """The documents where the terms stand in order, each at most ``reach`` places after
    the one before (1: next to it), given each term's encoded positions by document.

    >>> from searchlib.engine.fields import TermListPositions
    >>> encoded = TermListPositions().encode
    >>> bank, england = {1: encoded([0, 7]), 2: encoded([4])}, {1: encoded([9]), 2: encoded([5])}
    >>> in_order([bank, england], 1), in_order([bank, england], 2)
    ({2}, {1, 2})
    """
    if not terms or not all(terms):
        return set()
    rarest = min(terms, key=len)
    found = set()
    for document in rarest:
        if not all(document in term for term in terms):
            continue
        ends = positions_of(terms[0][document])
        for term in terms[1:]:
            # As Whoosh chains a phrase's words: after the one before, within reach of it.
            before = set(ends)
            ends = [
                place
                for place in positions_of(term[document])
                if any(place - step in before for step in range(1, reach + 1))
            ]
            if not ends:
                break
        else:
            found.add(document)
    return found
