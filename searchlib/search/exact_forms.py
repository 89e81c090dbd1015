"""The exact-form bonus: a query word found in a document as typed (not only by its stem)
adds to its score, within fixed blocks of ranks, so that every page of a query agrees."""

from __future__ import annotations

import heapq
from dataclasses import replace

from searchlib.engine.reading import Searcher
from searchlib.schema import FIELDS_BY_NAME
from searchlib.search.ranking import Ranked

EXACT_FORM_BONUS = FIELDS_BY_NAME["exact"].boost
EXACT_FORM_BLOCK = 50
"""The exact-form bonus reorders hits within blocks of this many ranks."""


def with_bonus(
    searcher: Searcher,
    exact_forms: set[str],
    best: list[Ranked],
    reach: int,
    forms: dict[int, list[str]],
) -> list[Ranked]:
    """The first ``reach`` of ``best`` (ranked to a whole number of blocks) with the bonus
    of the query's ``exact_forms``; ``forms`` keeps those each document was found to hold."""
    found = []
    for start in range(0, min(reach, len(best)), EXACT_FORM_BLOCK):
        block = best[start : start + EXACT_FORM_BLOCK]
        wanted = min(EXACT_FORM_BLOCK, reach - start)
        found += _with_exact_bonus(searcher, block, exact_forms, wanted, forms)
    return found


def _with_exact_bonus(
    searcher: Searcher,
    block: list[Ranked],
    exact_forms: set[str],
    wanted: int,
    known: dict[int, list[str]],
) -> list[Ranked]:
    """The first ``wanted`` of a block of ranked documents (best first, by tier) re-scored
    with the exact-form bonus, best first within each tier (stable for ties).

    Only documents that can reach the first ``wanted`` places have their forms read (once:
    ``known`` keeps them): one scoring less than the ``wanted``-th document's score minus
    the largest bonus can't, nor one that even with the largest bonus can't pass as many
    documents of its tier as there are places left for the tier (it would come after them:
    the sort is stable).
    """
    if not block or not exact_forms:
        return block[:wanted]
    largest = EXACT_FORM_BONUS * len(exact_forms)
    last = block[min(wanted, len(block)) - 1]
    places = sum(1 for ranked in block[:wanted] if ranked.tier == last.tier)
    best_of_tier: list[float] = []  # the ``places`` best scores of the last tier, a min-heap
    rescored = []
    for ranked in block:
        if ranked.tier > last.tier or (
            ranked.tier == last.tier
            and (
                ranked.score < last.score - largest
                or (len(best_of_tier) == places and ranked.score + largest <= best_of_tier[0])
            )
        ):
            break  # the block goes by tier, then score: no later document can reach a place
        found = _known_forms(searcher, ranked.number, exact_forms, known)
        rescored.append(replace(ranked, score=ranked.score + EXACT_FORM_BONUS * len(found)))
        if ranked.tier == last.tier:
            score = rescored[-1].score
            if len(best_of_tier) < places:
                heapq.heappush(best_of_tier, score)
            else:
                heapq.heappushpop(best_of_tier, score)
    return sorted(rescored, key=lambda ranked: (ranked.tier, -ranked.score))[:wanted]


def _known_forms(
    searcher: Searcher, number: int, exact_forms: set[str], known: dict[int, list[str]]
) -> list[str]:
    """``exact_forms_found``, read once per document into ``known``."""
    found = known.get(number)
    if found is None:
        found = known[number] = exact_forms_found(searcher, number, exact_forms)
    return found


def exact_forms_found(searcher: Searcher, number: int, exact_forms: set[str]) -> list[str]:
    """The query words document ``number`` holds as typed, in order."""
    return sorted(searcher.forms_held(number, exact_forms))


def whole_blocks(wanted: int) -> int:
    """How many documents to rank for the ``wanted`` best: whole blocks, since the exact-form
    bonus reorders hits only within fixed blocks of ranks, so every page of a query agrees
    with every other."""
    return -(-wanted // EXACT_FORM_BLOCK) * EXACT_FORM_BLOCK
