"""Ranking: which documents a query's nodes match, and BM25F scores for them.

Scores are computed term at a time from whole blocks of postings, which in pure Python is
many times faster than Whoosh's document-at-a-time matchers, and gives true BM25F: a word's
frequencies in all fields add up (each times its field's weight, over the field's relative
length) before they saturate, and its document frequency counts each document once. A word
also counts more the more it recurs in the documents holding it (``RECURRENCE``).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from typing import Any

from searchlib.engine.reading import Searcher
from searchlib.schema import keyword_key
from searchlib.search.deadline import NO_DEADLINE, Deadline
from searchlib.search.phrases import holding_sequence
from searchlib.search.planning import Bool, Dates, Keyword, Node, Phrase, Terms

K1 = 1.2
"""How quickly repeated occurrences of a word stop adding to the score."""
B = 0.75
"""How much a long field's frequencies are discounted."""
RECURRENCE = 0.5
"""A word's weight is multiplied by its mean BM25F frequency in the documents holding it,
to this power: a word that tends to recur where it occurs (a topic word: "dengue", "Byrne")
counts for more than one as rare that tends to occur once, which idf alone can't tell apart.
Chosen on SciFact's train queries and checked on news (benchmarks/relevance.py)."""


@dataclass(frozen=True)
class Ranked:
    """A matched document: its number in the commit, its score, and its tier (0: it holds
    every wanted clause, 1: some, 2: none); lower tiers rank first whatever the score."""

    number: int
    score: float
    tier: int = 0


@dataclass(frozen=True)
class Ranking:
    """The best matches, best first, how many documents match in all, and which."""

    best: list[Ranked]
    total: int
    matched: Set[int] = frozenset()


SORTS = ("score", "date", "-date")
"""How hits may be ordered: best first, oldest first, newest first."""
Pairs = tuple[tuple[str, str, float], ...]
"""A word's ``(field, term, weight)`` pairs (``Terms.pairs``)."""


@dataclass(frozen=True)
class Totals:
    """What a shard of a sharded index ranks with, to score as one index would: how many
    live documents all shards hold, and per word (its pairs) how many of them hold it and
    the sum of its combined frequencies in them (the recurrence's numerator)."""

    documents: int
    words: Mapping[Pairs, tuple[int, float]]


def matches(searcher: Searcher, root: Bool) -> set[int]:
    """The live documents ``root`` matches (unranked)."""
    return Evaluation(searcher).matches(root)


def contributions(evaluation: Evaluation, root: Bool, number: int) -> dict[tuple[str, str], float]:
    """What each ``(field, term)`` adds to the score ``ranking`` gives document ``number`` for
    ``root``: each word's BM25F score, split between its fields in proportion to their
    weighted, length-normalised frequencies. They add up to the document's score. One
    ``evaluation`` explains many documents at the cost of one: it keeps each word's postings.
    """
    searcher = evaluation.searcher
    shares: dict[tuple[str, str], float] = {}
    parts: dict[tuple[str, str, float], float] = {}  # a word typed twice is read once
    for terms in wanted_words(root):
        # Scored as rank scores it, so the shares add up to the same sum.
        score = evaluation.scores([terms], {number}).get(number)
        if not score:
            continue
        combined = evaluation.frequencies(terms)[number]
        for field, term, weight in terms.pairs:
            if (field, term, weight) not in parts:
                parts[field, term, weight] = searcher.frequency(number, (field, term, weight), B)
            part = parts[field, term, weight]
            if part:
                shares[field, term] = shares.get((field, term), 0.0) + score * part / combined
    return shares


def _tiers(evaluation: Evaluation, root: Bool, matched: set[int]) -> list[set[int]]:
    """The matches in tiers: those with every ``should`` clause, with some, with none (one
    tier when there is no telling them apart)."""
    if len(root.should) < 2 and not root.must:
        return [matched]
    held = [evaluation.within(clause, matched) for clause in root.should]
    every = set.intersection(matched, *held)  # all of none: every match
    some = set().union(*held) - every
    return [every, some, matched - every - some]


class Evaluation:
    """One query's evaluation against one ``searcher``, remembering each word's frequencies
    and weight. Words are weighted with ``totals`` when given (a shard ranking with the
    statistics of all; set before the first score), else with the searcher's own."""

    def __init__(
        self, searcher: Searcher, deadline: Deadline = NO_DEADLINE, totals: Totals | None = None
    ) -> None:
        self.searcher = searcher
        self.totals = totals
        self._deadline = deadline
        self._frequencies: dict[tuple[tuple[str, str, float], ...], dict[int, float]] = {}
        self._weights: dict[Terms, float] = {}
        self._matches: dict[Node, set[int]] = {}

    def ranking(self, root: Bool, depth: int, sort: str = "score") -> Ranking:
        """The ``depth`` first documents for ``root`` in ``sort`` order, weighted with the
        ``Totals`` this evaluation was given, if any. By score: documents matching every
        ``should`` clause of it first, then some, then none (when ``must`` clauses make that
        possible); by score within each. By date (``"date"`` oldest first, ``"-date"``
        newest first): undated documents last. Ties go by document number. Raises
        ``RequestLimitError`` once the deadline has passed."""
        matched = self.matches(root)
        scores = self.scores(wanted_words(root), matched)
        if sort != "score":
            dates, sign = self.searcher.dates(), -1 if sort == "-date" else 1
            best = heapq.nsmallest(
                depth,
                matched,
                key=lambda number: (dates[number] is None, sign * (dates[number] or 0), number),
            )
            ranked = [Ranked(number, scores.get(number, 0.0)) for number in best]
            return Ranking(ranked, len(matched), matched)
        found: list[Ranked] = []
        # Whole tiers in order, best first within each (by score, then document number).
        for tier, group in enumerate(_tiers(self, root, matched)):
            best = heapq.nlargest(
                depth - len(found), group, key=lambda number: (scores.get(number, 0.0), -number)
            )
            found += [Ranked(number, scores.get(number, 0.0), tier) for number in best]
        return Ranking(found, len(matched), matched)

    def frequencies(self, terms: Terms) -> dict[int, float]:
        """BM25F's combined frequency of a word in each document holding it."""
        if terms.pairs not in self._frequencies:  # the same, whatever its boost
            self._deadline.check()
            self._frequencies[terms.pairs] = self.searcher.frequencies(terms.pairs, B)
        return self._frequencies[terms.pairs]

    def matches(self, node: Node) -> set[int]:
        """The live documents ``node`` matches."""
        if node not in self._matches:
            self._matches[node] = self._match(node)
        return self._matches[node]

    def _match(self, node: Node) -> set[int]:
        if isinstance(node, Terms):
            # Frequencies are of live documents only; Whoosh's own matchers (phrases, dates)
            # skip deleted ones, and the other nodes combine live sets.
            return set(self.frequencies(node))
        if isinstance(node, Phrase):
            return self._phrase_match(node)
        if isinstance(node, Dates):
            self._deadline.check()
            return self.searcher.date_documents("date", node.start, node.end)
        if isinstance(node, Keyword):
            wanted = keyword_key(node.value)
            values = self.searcher.keyword_values(node.field)
            return self.searcher.keyword_documents(
                node.field, [value for value in values if keyword_key(value) == wanted]
            )
        return self._bool_match(node, None)

    def within(self, node: Node, within: set[int]) -> set[int]:
        """The documents of ``within`` that ``node`` matches: read only among them when
        ``node`` would read every document's text (common words alone), else intersected."""
        if isinstance(node, Phrase) and not node.words:
            return self._phrase_match(node, within)
        if isinstance(node, Bool):
            return self._bool_match(node, within)
        return self.matches(node) & within

    def _bool_match(self, node: Bool, within: set[int] | None) -> set[int]:
        # What every must and filter clause allows first, cheapest first: a phrase of common
        # words then reads only the articles the rest allows ("cocoa AND \"of the\"").
        allowed = within
        for part in sorted((*node.must, *node.filter), key=reading_cost):
            allowed = self.matches(part) if allowed is None else self.within(part, allowed)
        if node.should and not node.must:
            parts = (
                self.matches(part) if allowed is None else self.within(part, allowed)
                for part in node.should
            )
            result = set().union(*parts)
        else:
            result = self.searcher.all_documents() if allowed is None else allowed
        for excluded in node.must_not:
            result = result - self.within(excluded, result)
        return result

    def _phrase_match(self, node: Phrase, within: set[int] | None = None) -> set[int]:
        if not node.words:  # common words alone: every document (allowed) may hold them
            candidates = self.searcher.all_documents() if within is None else within
        else:
            candidates = set.intersection(*(self.matches(word) for word in node.words))
        found = candidates
        if len(node.words) > 1 and candidates:
            found = set()
            for field, terms in node.fields:
                self._deadline.check()  # a phrase's positions are read in one go, per field
                found |= self.searcher.phrase_documents(field, terms, node.slop + node.apart - 1)
            found &= candidates
        if node.sequence:
            fields = [field for field, _ in node.fields]
            found = holding_sequence(
                self.searcher, node.sequence, node.slop, fields, found, self._deadline
            )
        return found

    def scores(self, words: Iterable[Terms], matched: set[int]) -> dict[int, float]:
        """BM25F scores of the ``matched`` documents: each word adds its share."""
        scores: dict[int, float] = {}
        get = scores.get
        for terms in words:
            frequencies = self.frequencies(terms)
            if not frequencies:
                continue
            weight = self._weight(terms)
            # Walk the smaller side: one document explained needs no pass over the postings.
            if len(matched) < len(frequencies):
                held = (
                    (number, frequencies[number]) for number in matched if number in frequencies
                )
            else:
                held = (
                    (number, value) for number, value in frequencies.items() if number in matched
                )
            for number, frequency in held:
                scores[number] = get(number, 0.0) + weight * frequency / (K1 + frequency)
        return scores

    def _weight(self, terms: Terms) -> float:
        """A word's BM25F weight: ``K1 + 1`` times its idf, times its recurrence and boost."""
        if terms not in self._weights:
            if self.totals is None:
                documents = self.searcher.document_count()
                holding, total = self.holding(terms)
            else:
                documents = self.totals.documents
                holding, total = self.totals.words[terms.pairs]
            recurrence = (total / holding) ** RECURRENCE  # the mean frequency where it occurs
            self._weights[terms] = (K1 + 1) * idf(documents, holding) * recurrence * terms.boost
        return self._weights[terms]

    def holding(self, terms: Terms) -> tuple[int, float]:
        """How many documents of this searcher hold a word, and the sum of its combined
        frequencies in them."""
        frequencies = self.frequencies(terms)
        # Exactly rounded, so that any order of adding gives the same weight.
        return len(frequencies), math.fsum(frequencies.values())


def reading_cost(node: Node) -> int:
    """0 for clauses answered from the index, 1 for groups, 2 for phrases of common words
    alone (which read articles' text)."""
    if isinstance(node, Phrase) and not node.words:
        return 2
    return 1 if isinstance(node, Bool) else 0


def idf(documents: int, holding: int) -> float:
    """Lucene's BM25 inverse document frequency: never negative, even for common words.

    >>> round(idf(1000, 10), 3), round(idf(1000, 1000), 4)
    (4.557, 0.0005)
    """
    return math.log(1 + (documents - holding + 0.5) / (holding + 0.5))


def wanted_words(node: Node) -> Iterator[Terms]:
    """Every word the score counts: in ``must`` and ``should`` clauses, phrases included,
    once per time it occurs (a word typed twice counts twice)."""
    if isinstance(node, Terms):
        yield node
    elif isinstance(node, Phrase):
        yield from node.words
    elif isinstance(node, Bool):
        for part in (*node.must, *node.should):
            yield from wanted_words(part)


class DeferredMatches(Set[int]):
    """A query's matches, counted, but gathered only when they are asked for (facets, a
    timeline, stories): from each shard of a sharded index, found in this process when
    ranked on a cluster, or from NumPy's mask of them. ``known`` are some of them (the best).

    >>> matched = DeferredMatches(3, frozenset({7}), lambda: {1, 4, 7})
    >>> len(matched - {7}), sorted(matched - {7}), 4 in matched, matched - {1, 7}
    (2, [1, 4], True, frozenset({4}))
    """

    def __init__(self, count: int, known: frozenset[int], find: Callable[[], Set[int]]) -> None:
        self._count = count
        self._known = known
        self._find = find
        self._found: Set[int] | None = None

    def _matches(self) -> Set[int]:
        if self._found is None:
            self._found = self._find()
        return self._found

    def __len__(self) -> int:
        return self._count

    def __contains__(self, number: object) -> bool:
        return number in self._known or number in self._matches()

    def __iter__(self) -> Iterator[int]:
        return iter(self._matches())

    @classmethod
    def _from_iterable(cls, numbers: Iterable[int]) -> frozenset[int]:
        """What the set operations (``-``, ``&``, ``|``) make: a plain set, found at once."""
        return frozenset(numbers)

    def __sub__(self, other: Any) -> Set[int]:
        """Without ``other``: still deferred when all of ``other`` is known to match (an
        article left out of its similar articles)."""
        if isinstance(other, Set) and other <= self._known:
            found = self._matches
            return DeferredMatches(
                self._count - len(other), self._known - other, lambda: set(found()) - other
            )
        return super().__sub__(other)
