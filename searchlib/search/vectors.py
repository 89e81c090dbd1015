"""Ranking with NumPy, for a query whose words have many postings.

Scoring a word's postings one at a time in Python costs a dictionary update each; at a
hundred thousand articles and more, a query's common words have hundreds of thousands of
postings. Here each word becomes arrays over document numbers (its combined frequency in
every document, added up field by field in the order ``Evaluation`` adds them), matches
are boolean masks, and each tier's best are found by a partial sort: the same hits with
the same scores, to the last bit. NumPy is imported only for such a query: a search of a
small index never pays for its import (about a tenth of a second).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from functools import reduce
from operator import and_, or_
from typing import Any

from searchlib.engine.reading import Searcher
from searchlib.search.deadline import NO_DEADLINE, Deadline
from searchlib.search.planning import Bool, Node, Phrase, Terms
from searchlib.search.ranking import (
    K1,
    B,
    DeferredMatches,
    Evaluation,
    Pairs,
    Ranked,
    Ranking,
    Totals,
    reading_cost,
    wanted_words,
)

VECTOR_POSTINGS = 20_000
"""Once NumPy is imported, a query whose words have at least this many postings is ranked
with it (below, the two ways take a few milliseconds alike; benchmarks/vectors.py)."""
IMPORT_POSTINGS = 100_000
"""A query whose words have this many postings pays for importing NumPy (~0.1 s) by
itself: a search of a small index never imports it."""


def evaluation_for(
    searcher: Searcher,
    root: Bool,
    deadline: Deadline = NO_DEADLINE,
    totals: Totals | None = None,
    postings: int | None = None,
) -> Evaluation:
    """An evaluation to rank ``root`` with: a ``VectorEvaluation`` when the query's words
    have ``VECTOR_POSTINGS`` postings or more (``IMPORT_POSTINGS`` before NumPy is
    imported) in ``searcher``, or in all the shards of an index when their sum is given
    (``postings``), else an ``Evaluation``."""
    if postings is None:
        postings = postings_of([searcher], root)
    enough = VECTOR_POSTINGS if "numpy" in sys.modules else IMPORT_POSTINGS
    if postings >= enough:
        return VectorEvaluation(searcher, deadline, totals)
    return Evaluation(searcher, deadline, totals)


def postings_of(searchers: Iterable[Searcher], root: Bool) -> int:
    """How many postings the words of ``root`` have in all of ``searchers``."""
    pairs = {pair for terms in wanted_words(root) for pair in terms.pairs}
    return sum(searcher.postings_count(pairs) for searcher in searchers)


class VectorEvaluation(Evaluation):
    """An ``Evaluation`` that holds each word as arrays over document numbers and ranks
    with NumPy (phrases are matched as ``Evaluation`` matches them)."""

    def __init__(
        self, searcher: Searcher, deadline: Deadline = NO_DEADLINE, totals: Totals | None = None
    ) -> None:
        super().__init__(searcher, deadline, totals)
        import numpy

        self._numpy: Any = numpy
        self._size = searcher.capacity()
        self._words: dict[Pairs, tuple[Any, Any]] = {}
        self._masks: dict[Node, Any] = {}

    def _match(self, node: Node) -> set[int]:
        if isinstance(node, Terms):  # a phrase's word: read once, as an array
            return set(self._word(node)[0].tolist())
        return super()._match(node)

    def holding(self, terms: Terms) -> tuple[int, float]:
        holders, frequencies = self._word(terms)
        return len(holders), math.fsum(frequencies.tolist())

    def ranking(self, root: Bool, depth: int, sort: str = "score") -> Ranking:
        numpy = self._numpy
        matched = self._mask(root)
        scores = numpy.zeros(self._size)
        for terms in wanted_words(root):
            holders, frequencies = self._word(terms)
            if len(holders):
                # As Evaluation.scores adds a word's share, operation for operation.
                scores[holders] += self._weight(terms) * frequencies / (K1 + frequencies)
        if sort == "score":
            found: list[Ranked] = []
            for tier, group in enumerate(self._tiers(root, matched)):
                if len(found) < depth:
                    found += self._best(numpy.flatnonzero(group), scores, depth - len(found), tier)
        else:
            found = self._by_date(numpy.flatnonzero(matched), scores, depth, sort == "-date")
        count = int(numpy.count_nonzero(matched))
        known = frozenset(ranked.number for ranked in found)
        matches = DeferredMatches(count, known, lambda: set(numpy.flatnonzero(matched).tolist()))
        return Ranking(found, count, matches)

    def _best(self, numbers: Any, scores: Any, wanted: int, tier: int) -> list[Ranked]:
        """The ``wanted`` best of ``numbers`` by score, then document number."""
        values = scores[numbers]
        if len(numbers) > wanted:
            # Only those at least as good as the wanted-th best are sorted (ties included).
            place = len(values) - wanted
            kept = values >= self._numpy.partition(values, place)[place]
            numbers, values = numbers[kept], values[kept]
        order = self._numpy.lexsort((numbers, -values))[:wanted]
        return [
            Ranked(number, score, tier)
            for number, score in zip(numbers[order].tolist(), values[order].tolist(), strict=True)
        ]

    def _by_date(self, numbers: Any, scores: Any, wanted: int, newest: bool) -> list[Ranked]:
        """The ``wanted`` first of ``numbers`` by date (oldest or ``newest`` first; undated
        last), then document number, as ``Evaluation.ranking`` orders them."""
        numpy = self._numpy
        dates = self.searcher.dates()
        # Whoosh's dates are microseconds since the year 1 (under 2 ** 62): negated exactly.
        moments = numpy.fromiter((dates[number] or 0 for number in numbers), numpy.int64)
        undated = numpy.fromiter((dates[number] is None for number in numbers), bool)
        order = numpy.lexsort((numbers, -moments if newest else moments, undated))[:wanted]
        return [
            Ranked(number, score)
            for number, score in zip(
                numbers[order].tolist(), scores[numbers[order]].tolist(), strict=True
            )
        ]

    def _tiers(self, root: Bool, matched: Any) -> list[Any]:
        """``ranking._tiers`` as masks."""
        if len(root.should) < 2 and not root.must:
            return [matched]
        held = [self._within(clause, matched) for clause in root.should]
        every = reduce(and_, held, matched)
        some = reduce(or_, held, self._numpy.zeros(self._size, bool)) & ~every
        return [every, some, matched & ~(every | some)]

    def _mask(self, node: Node) -> Any:
        """The live documents ``node`` matches, as a mask (never changed once made)."""
        if node not in self._masks:
            self._masks[node] = self._within(node, None)
        return self._masks[node]

    def _within(self, node: Node, within: Any) -> Any:
        """``Evaluation.within`` as masks: the documents of mask ``within`` (``None``: all)
        that ``node`` matches, a phrase of common words alone read among them only."""
        if isinstance(node, Bool):
            return self._bool_within(node, within)
        if within is None:
            if isinstance(node, Terms):
                return self._marked(self._word(node)[0])
            return self._marked(self.matches(node))  # phrases, dates, keywords: as Python
        if isinstance(node, Phrase) and not node.words:
            allowed = set(self._numpy.flatnonzero(within).tolist())
            return self._marked(self._phrase_match(node, allowed))
        return self._mask(node) & within

    def _bool_within(self, node: Bool, within: Any) -> Any:
        """``Evaluation._bool_match`` as masks."""

        def part_within(part: Node, allowed: Any) -> Any:
            return self._mask(part) if allowed is None else self._within(part, allowed)

        allowed = within
        for part in sorted((*node.must, *node.filter), key=reading_cost):
            allowed = part_within(part, allowed)
        if node.should and not node.must:
            result = reduce(or_, (part_within(part, allowed) for part in node.should))
        elif allowed is None:
            result = self._marked(self.searcher.all_documents())
        else:
            result = allowed
        for part in node.must_not:
            result = result & ~self._within(part, result)
        return result

    def _marked(self, numbers: Any) -> Any:
        """A mask of document ``numbers`` (an array or a set)."""
        numpy = self._numpy
        if isinstance(numbers, set):
            numbers = numpy.fromiter(numbers, numpy.int64, len(numbers))
        mask = numpy.zeros(self._size, bool)
        mask[numbers] = True
        return mask

    def _word(self, terms: Terms) -> tuple[Any, Any]:
        """A word's live holders' numbers in order, and its combined frequency in each."""
        if terms.pairs not in self._words:
            self._deadline.check()
            self._words[terms.pairs] = self._read(terms.pairs)
        return self._words[terms.pairs]

    def _read(self, pairs: Pairs) -> tuple[Any, Any]:
        """``_word`` read: every pair's postings at once, as arrays per segment."""
        numpy, searcher = self._numpy, self.searcher
        numbers, parts = [], []
        for field, term, lengths, scale in searcher.scales(pairs, B):
            codes, factors = numpy.frombuffer(lengths, numpy.uint8), numpy.array(scale)
            for base, held, counts in searcher.posting_arrays(field, term, numpy):
                documents = held + base
                numbers.append(documents)
                parts.append(counts * factors[codes[documents]])
        if not numbers:
            return numpy.zeros(0, numpy.int64), numpy.zeros(0)
        documents = numpy.concatenate(numbers)
        # bincount adds in the order given: pair by pair, as Evaluation adds them.
        frequencies = numpy.bincount(documents, numpy.concatenate(parts), self._size)
        held = self._marked(documents)
        deleted = searcher.deleted()
        if deleted:
            held[numpy.fromiter(deleted, numpy.int64, len(deleted))] = False
        holders = numpy.flatnonzero(held)
        # Kept as long as the postings, not the index: a long query holds many words.
        return holders, frequencies[holders]
