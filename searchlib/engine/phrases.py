"""Phrases matched on positions read a term's blocks at a time: the documents Whoosh's
phrase query (``SpanNear2``, ordered) finds, for a fraction of its per-posting work."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any

from searchlib.engine.blocks import term_values
from searchlib.engine.fields import positions_of


def term_positions(
    term_infos: Iterable[tuple[int, Any, Any]], among: Set[int] | None = None
) -> dict[int, bytes]:
    """Each document holding a term (deleted ones too), or each of ``among`` that does,
    with the term's positions there as encoded, from the term's ``(base, segment reader,
    term entry)`` in each segment. Blocks that hold none of ``among`` are not read."""
    found: dict[int, bytes] = {}
    for base, leaf, info in term_infos:
        wanted = None
        if among is not None:
            end = base + leaf.doc_count_all()
            wanted = sorted(number - base for number in among if base <= number < end)
            if not wanted:
                continue
        for numbers, values in term_values(leaf, info, wanted):
            held = zip([base + number for number in numbers], values, strict=True)
            found.update(held if among is None else (each for each in held if each[0] in among))
    return found


def phrase_positions(infos: Sequence[list[tuple[int, Any, Any]]]) -> list[dict[int, bytes]]:
    """``term_positions`` of each of a phrase's terms (given their entries), the rarest
    read first and the others only in the documents holding every term read before: a
    common word beside a rare one is read in a few blocks, not all."""
    held: list[dict[int, bytes]] = [{} for _ in infos]
    among: Set[int] | None = None
    for place in sorted(range(len(infos)), key=lambda place: _postings(infos[place])):
        held[place] = term_positions(infos[place], among)
        among = held[place].keys()
        if not among:
            break
    return held


def _postings(infos: list[tuple[int, Any, Any]]) -> int:
    """How many postings a term has, from its entries."""
    return sum(info.doc_frequency() for _, _, info in infos)


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
            # As Whoosh chains a phrase's words: after the one before, within reach of the
            # nearest place before it (places are in order).
            before = ends
            ends = [
                place
                for place in positions_of(term[document])
                if (nearest := bisect_left(before, place)) and before[nearest - 1] >= place - reach
            ]
            if not ends:
                break
        else:
            found.add(document)
    return found
