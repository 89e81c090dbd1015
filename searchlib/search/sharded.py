"""Ranking a sharded index shard by shard, as one index: the query's words are counted in
every shard first (how many documents hold each, and its frequencies there, summed into
``Totals``), then each shard ranks its own documents with those totals and the mean field
lengths of all shards, and the shards' best are merged. The same steps run in one process
(``rank``) and on the workers of a Dask cluster (``search.cluster``), so both give the same
hits with the same scores, to the last bit.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass, field, replace

from searchlib.engine.reading import Searcher
from searchlib.search.deadline import NO_DEADLINE, Deadline
from searchlib.search.planning import Bool
from searchlib.search.ranking import (
    DeferredMatches,
    Evaluation,
    Pairs,
    Ranked,
    Ranking,
    Totals,
    wanted_words,
)
from searchlib.search.vectors import evaluation_for, postings_of
from searchlib.storage.sharded_reading import ShardedSearcher

Ranker = Callable[[Searcher, Bool, int, str, Deadline], Ranking]
"""What ranks a query (``rank`` in this process, ``cluster.Cluster`` on workers)."""


@dataclass(frozen=True)
class ShardRanking:
    """A shard's best documents for a query (numbered as the shard numbers them), how many
    it matches in all, the dates of the best when ranked by date, and its matches (left
    out when sent back from a worker)."""

    best: list[Ranked]
    total: int
    dates: list[int | None] = field(default_factory=list)
    matched: Set[int] = frozenset()


def rank(
    searcher: Searcher,
    root: Bool,
    depth: int,
    sort: str = "score",
    deadline: Deadline = NO_DEADLINE,
) -> Ranking:
    """``Evaluation.ranking`` of ``root`` on ``searcher`` (in Python or with NumPy), shard
    by shard for a ``ShardedSearcher`` (with the statistics of all shards: the same ranking
    as one index of the same articles)."""
    if not isinstance(searcher, ShardedSearcher):
        return evaluation_for(searcher, root, deadline).ranking(root, depth, sort)
    # One evaluation per shard for both steps: each word's postings are read once. All
    # shards rank one way, chosen by the size of the whole query, not of a shard's part.
    postings = postings_of(searcher.shards, root)
    evaluations = [
        evaluation_for(shard, root, deadline, postings=postings) for shard in searcher.shards
    ]
    totals = _totals(searcher, evaluations, root)
    parts = []
    for each in evaluations:
        each.totals = totals
        parts.append(rank_shard(each, root, depth, sort))
    bases = searcher.bases
    return merged(parts, bases, depth, sort, lambda: _joined(parts, bases))


def evaluation(searcher: Searcher, root: Bool) -> Evaluation:
    """An evaluation of ``root`` that scores as ``rank`` does: for a sharded index, with the
    ``Totals`` its shards rank with (an explanation weighs each word as its ranking did)."""
    if not isinstance(searcher, ShardedSearcher):
        return Evaluation(searcher)
    shards = [Evaluation(shard) for shard in searcher.shards]
    return Evaluation(searcher, totals=_totals(searcher, shards, root))


def _totals(searcher: ShardedSearcher, evaluations: list[Evaluation], root: Bool) -> Totals:
    """The first step in every shard, added up."""
    return added_up(searcher.document_count(), [word_counts(each, root) for each in evaluations])


def word_counts(evaluation: Evaluation, root: Bool) -> dict[Pairs, tuple[int, float]]:
    """The first step in one shard: for each word the score counts, how many of the shard's
    documents hold it and the sum of its combined frequencies in them."""
    return {terms.pairs: evaluation.holding(terms) for terms in wanted_words(root)}


def added_up(documents: int, parts: Iterable[dict[Pairs, tuple[int, float]]]) -> Totals:
    """The ``Totals`` of all shards, from each shard's ``word_counts`` in shard order (so
    that every process adds the same numbers in the same order).

    >>> cocoa = (("body", "cocoa", 1.0),)
    >>> added_up(5, [{cocoa: (2, 3.0)}, {cocoa: (1, 0.5)}])
    Totals(documents=5, words={(('body', 'cocoa', 1.0),): (3, 3.5)})
    """
    words: dict[Pairs, tuple[int, float]] = {}
    for part in parts:
        for pairs, (holding, total) in part.items():
            held, summed = words.get(pairs, (0, 0.0))
            words[pairs] = (held + holding, summed + total)
    return Totals(documents, words)


def rank_shard(evaluation: Evaluation, root: Bool, depth: int, sort: str) -> ShardRanking:
    """The second step in one shard: its ``depth`` best documents, ranked with the
    ``Totals`` the evaluation was given."""
    ranking = evaluation.ranking(root, depth, sort)
    dates: list[int | None] = []
    if sort != "score":
        every = evaluation.searcher.dates()
        dates = [every[each.number] for each in ranking.best]
    return ShardRanking(ranking.best, ranking.total, dates, ranking.matched)


def merged(
    parts: Sequence[ShardRanking],
    bases: Sequence[int],
    depth: int,
    sort: str,
    find: Callable[[], Set[int]] = frozenset,
) -> Ranking:
    """The ``depth`` best of the shards' best, numbered from each shard's ``base``, in the
    order ``Evaluation.ranking`` gives one index: by tier, then score, or by date; ties by number.
    The matches are ``find()``, called when they are first asked for.

    >>> one = ShardRanking([Ranked(0, 2.0), Ranked(1, 1.0)], 2)
    >>> two = ShardRanking([Ranked(0, 1.5)], 1)
    >>> [(each.number, each.score) for each in merged([one, two], [0, 5], 2, "score").best]
    [(0, 2.0), (5, 1.5)]
    """
    sign = -1 if sort == "-date" else 1

    def order(entry: tuple[int, Ranked, int | None]) -> tuple[object, ...]:
        number, ranked, moment = entry
        if sort == "score":
            return (ranked.tier, -ranked.score, number)
        return (moment is None, sign * (moment or 0), number)

    entries = (
        (base + ranked.number, ranked, part.dates[place] if part.dates else None)
        for base, part in zip(bases, parts, strict=False)
        for place, ranked in enumerate(part.best)
    )
    best = heapq.nsmallest(depth, entries, key=order)
    total = sum(part.total for part in parts)
    matched = DeferredMatches(total, frozenset(number for number, _, _ in best), find)
    return Ranking([replace(ranked, number=number) for number, ranked, _ in best], total, matched)


def _joined(parts: Sequence[ShardRanking], bases: Sequence[int]) -> set[int]:
    """The shards' matches, numbered from each shard's base."""
    return {
        base + number for base, part in zip(bases, parts, strict=False) for number in part.matched
    }
