"""A query's way from text to ``Results``: parsed, planned against the index's words, ranked
to whole blocks of hits, re-scored within each block with the exact-form bonus, and made
into hits; and the search that found them, kept for facets and explanations."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass, replace

from searchlib.engine.reading import Searcher
from searchlib.errors import SearchlibError
from searchlib.results.explanation import Contribution, Explanation
from searchlib.results.facets import FACET_LIMIT, Facets, count_facets
from searchlib.results.hits import Hit, Results
from searchlib.schema import FIELDS_BY_NAME, to_article
from searchlib.search.bounds import check_window
from searchlib.search.deadline import DEFAULT_TIMEOUT, Deadline
from searchlib.search.grammar import parse
from searchlib.search.planning import Lexicon, Plan, plan
from searchlib.search.ranking import Evaluation, Ranked, contributions, matches, rank
from searchlib.search.similar import distinctive_words
from searchlib.search.suggestions import SUGGEST_BELOW, suggestion
from searchlib.storage.folder import IndexFolder

EXACT_FORM_BONUS = FIELDS_BY_NAME["exact"].boost
EXACT_FORM_BLOCK = 50
"""The exact-form bonus reorders hits within blocks of this many ranks."""


def search(
    index: IndexFolder,
    query: str,
    limit: int,
    offset: int,
    operators: bool,
    timeout: float | None = None,
) -> Results:
    """The hits ranked ``offset + 1`` to ``offset + limit`` for ``query`` (see
    ``Index.search``); ``QueryError`` when it has nothing searchable, ``RequestLimitError``
    beyond the result window or the ``timeout`` (seconds)."""
    check_window(offset, limit)
    deadline = Deadline(timeout)
    syntax = parse(query, operators)
    parsed = plan(syntax, index.vocabulary)
    searcher = index.searcher()
    ranking = rank(searcher, parsed.root, _depth(offset + limit), deadline)
    found = _Search(index, parsed, searcher, ranking.matched)
    results = _results(found, query, ranking.best, offset, limit)
    if ranking.total < SUGGEST_BELOW:
        results.suggestion = suggestion(searcher, index.vocabulary, query, syntax.root, deadline)
    return results


def similar(index: IndexFolder, id: str, limit: int, timeout: float | None = None) -> Results:
    """The ``limit`` articles most like the one with this ``id`` (see ``Index.similar``)."""
    check_window(0, limit)
    deadline = Deadline(timeout)
    searcher = index.searcher()
    number = document_number(searcher, id)
    article = to_article(searcher.stored_fields(number))
    words = distinctive_words(searcher, index.vocabulary, article)
    if not words:
        return Results("", [], lambda: 0)
    query = " ".join(words)
    parsed = plan(parse(query, operators=False), index.vocabulary)
    ranking = rank(searcher, parsed.root, _depth(limit + 1), deadline)
    best = [ranked for ranked in ranking.best if ranked.number != number]
    found = _Search(index, parsed, searcher, ranking.matched - {number}, excluded=id)
    return _results(found, query, best, 0, limit)


def document_number(searcher: Searcher, id: str) -> int:
    """The number of the article with this id in the searcher's commit."""
    number = searcher.document_number("id", id)
    if number is None:
        raise SearchlibError(f"no article with id {id!r} in the index")
    return number


def _results(search: _Search, query: str, best: list[Ranked], offset: int, limit: int) -> Results:
    """The hits ranked ``offset + 1`` to ``offset + limit``, of the ``best`` (ranked to a
    whole number of blocks), with the exact-form bonus."""
    searcher, parsed = search.searcher, search.plan
    found: list[Ranked] = []
    for start in range(0, min(offset + limit, len(best)), EXACT_FORM_BLOCK):
        block = best[start : start + EXACT_FORM_BLOCK]
        wanted = min(EXACT_FORM_BLOCK, offset + limit - start)
        found += _with_exact_bonus(searcher, block, parsed.exact_forms, wanted)
    matching = frozenset(parsed.terms | search.index.vocabulary.forms(parsed.terms))
    searched = frozenset(parsed.fields)
    hits = [
        Hit(
            id=article.id,
            rank=rank_number,
            score=ranked.score,
            title=article.title,
            article=article,
            matching=matching,
            searched=searched,
            origin=search,
        )
        for rank_number, ranked in enumerate(found[offset : offset + limit], start=offset + 1)
        for article in [to_article(searcher.stored_fields(ranked.number))]
    ]
    total = len(search.matched)
    return Results(query, hits, lambda: total, offset, parsed.warnings, facet_counter=search.facets)


def _with_exact_bonus(
    searcher: Searcher, block: list[Ranked], exact_forms: set[str], wanted: int
) -> list[Ranked]:
    """The first ``wanted`` of a block of ranked documents (best first, by tier) re-scored
    with the exact-form bonus, best first within each tier (stable for ties).

    Only documents that can reach the first ``wanted`` places have their forms read: one
    scoring less than the ``wanted``-th document's score minus the largest bonus can't.
    """
    if not block or not exact_forms:
        return block[:wanted]
    largest = EXACT_FORM_BONUS * len(exact_forms)
    last = block[min(wanted, len(block)) - 1]
    contenders = [
        ranked
        for ranked in block
        if ranked.tier < last.tier
        or (ranked.tier == last.tier and ranked.score >= last.score - largest)
    ]
    rescored = [
        replace(ranked, score=ranked.score + EXACT_FORM_BONUS * len(found))
        for ranked in contenders
        for found in [_exact_forms_found(searcher, ranked.number, exact_forms)]
    ]
    return sorted(rescored, key=lambda ranked: (ranked.tier, -ranked.score))[:wanted]


def _exact_forms_found(searcher: Searcher, number: int, exact_forms: set[str]) -> list[str]:
    """The query words document ``number`` holds as typed, in order."""
    return sorted(searcher.forms_held(number, exact_forms))


def _depth(wanted: int) -> int:
    """How many documents to rank for the ``wanted`` best: whole blocks, since the exact-form
    bonus reorders hits only within fixed blocks of ranks, so every page of a query agrees
    with every other."""
    return -(-wanted // EXACT_FORM_BLOCK) * EXACT_FORM_BLOCK


@dataclass
class _Search:
    """A query as it ran, for what its results are asked later: facets, explanations and
    similar articles (``results.hits.Origin``)."""

    index: IndexFolder
    plan: Plan
    searcher: Searcher
    matched: Set[int]
    excluded: str | None = None
    """The id of the article a ``similar`` query leaves out."""
    evaluation: Evaluation | None = None
    """The query's words' postings and weights, kept while hits are explained."""

    def facets(self) -> Facets:
        """The facets of the first ``FACET_LIMIT`` matching articles, in index order."""
        searcher = self.index.searcher()
        matched = self.matched
        if searcher is not self.searcher:
            # The index changed or closed since the search, and its document numbers may have.
            left_out = searcher.document_number("id", self.excluded) if self.excluded else None
            matched = matches(searcher, self.plan.root) - {left_out}
        first = heapq.nsmallest(FACET_LIMIT, matched)
        return count_facets(to_article(searcher.stored_fields(number)) for number in first)

    def explain(self, id: str) -> Explanation:
        """What each query word added to the score of the article with this id, per field,
        and its exact-form bonus."""
        searcher = self.index.searcher()
        number = document_number(searcher, id)
        if self.evaluation is None or self.evaluation.searcher is not searcher:
            self.evaluation = Evaluation(searcher)
        labels = _labels(self.plan, self.index.vocabulary)
        by_word: dict[str, Counter[str]] = {}
        explained = contributions(self.evaluation, self.plan.root, number)
        for (field_name, term), score in explained.items():
            by_word.setdefault(labels.get(term, term), Counter())[field_name] += score
        found = _exact_forms_found(searcher, number, self.plan.exact_forms)
        return Explanation(
            tuple(
                Contribution(word, field_name, score)
                for word, fields in by_word.items()
                for field_name, score in fields.most_common()
            ),
            tuple(found),
            EXACT_FORM_BONUS * len(found),
        )

    def similar(self, id: str, limit: int) -> Results:
        """Articles like the one with this id (``Index.similar``, within its default time)."""
        return similar(self.index, id, limit, DEFAULT_TIMEOUT)


def _labels(parsed: Plan, lexicon: Lexicon) -> dict[str, str]:
    """The word to show for each index term of a plan: a form typed, else a form found for a
    prefix or fuzzy word (longest first: a stem is never longer than its forms)."""
    forms = [*sorted(parsed.exact_forms), *sorted(parsed.terms, key=lambda term: -len(term))]
    stems = lexicon.stems(forms)
    labels: dict[str, str] = {}
    for form in forms:
        labels.setdefault(form, form)
        labels.setdefault(stems[form], form)
    return labels
