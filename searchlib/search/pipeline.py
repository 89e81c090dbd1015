"""A query's way from text to ``Results``: parsed, planned against the index's words, ranked
to whole blocks of hits, re-scored within each block with the exact-form bonus, and made
into hits; and the search that found them, kept for facets and explanations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from dataclasses import dataclass
from datetime import date
from functools import partial

from searchlib.engine.reading import Searcher
from searchlib.errors import SearchlibError
from searchlib.results.explanation import Contribution, Explanation
from searchlib.results.facets import Facets, ranked_counts
from searchlib.results.hits import Hit, Results
from searchlib.results.timeline import Timeline, Unit
from searchlib.schema import FACETS, KEYWORD_FIELDS, to_article
from searchlib.search.bounds import check_window
from searchlib.search.deadline import DEFAULT_TIMEOUT, Deadline
from searchlib.search.duplicates import Stories, check_threshold, stories
from searchlib.search.exact_forms import (
    EXACT_FORM_BONUS,
    exact_forms_found,
    whole_blocks,
    with_bonus,
)
from searchlib.search.grammar import parse
from searchlib.search.planning import Bool, Lexicon, Plan, plan
from searchlib.search.ranking import (
    SORTS,
    Evaluation,
    Ranked,
    Ranking,
    contributions,
    matches,
    wanted_words,
)
from searchlib.search.sharded import Ranker, evaluation, rank
from searchlib.search.similar import distinctive_words
from searchlib.search.suggestions import SUGGEST_BELOW, suggestion
from searchlib.shingles import DEFAULT_THRESHOLD
from searchlib.storage.folder import IndexFolder

_A_DAY = 86_400_000_000
"""Microseconds in a day (``Searcher.dates`` counts microseconds)."""


def search(
    index: IndexFolder,
    query: str,
    limit: int,
    offset: int,
    operators: bool,
    timeout: float | None = None,
    sort: str | None = None,
    collapse: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    ranker: Ranker = rank,
) -> Results:
    """The hits ranked ``offset + 1`` to ``offset + limit`` for ``query`` in ``sort`` order,
    with ``collapse`` one hit per story (versions alike by ``threshold``; see
    ``Index.search``), ranked by ``ranker``; ``QueryError`` when it has nothing searchable,
    ``RequestLimitError`` beyond the result window or the ``timeout`` (seconds)."""
    if sort not in (None, *SORTS):
        raise SearchlibError(f"no sort order {sort!r}; choose from {', '.join(SORTS)}")
    check_window(offset, limit)
    deadline = Deadline(timeout)
    syntax = parse(query, operators, keyword_fields(index))
    parsed = plan(syntax, index.vocabulary)
    # A query of filters alone has nothing to score: its matches come newest first.
    order = sort or ("score" if any(wanted_words(parsed.root)) else "-date")
    searcher = index.searcher()
    check_threshold(threshold)  # a bad one is an error with every version shown too
    told = stories(searcher, index.vocabulary, threshold) if collapse else None
    with searcher.one_query():
        ranking = _rank_stories(
            searcher, parsed.root, offset + limit, told, deadline, ranker, order
        )
        found = _Search(index, parsed, searcher, ranking.matched, stories=told)
        results = _results(found, query, ranking.best, offset, limit, bonus=order == "score")
        # Judged word by word: "Tony Blare" finds Tony's 186 articles, and still means Blair.
        # Plain text (a claim, a question) is too long to check every word of, unless it
        # finds next to nothing.
        if not syntax.plain or ranking.total < SUGGEST_BELOW:
            results.suggestion = suggestion(
                searcher, index.vocabulary, query, syntax.root, deadline, parsed.stems
            )
    return results


def similar(
    index: IndexFolder,
    id: str,
    limit: int,
    timeout: float | None = None,
    collapse: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    ranker: Ranker = rank,
) -> Results:
    """The ``limit`` articles most like the one with this ``id``, with ``collapse`` one per
    story and none of its own story (see ``Index.similar``), ranked by ``ranker``."""
    check_window(0, limit)
    check_threshold(threshold)
    deadline = Deadline(timeout)
    searcher = index.searcher()
    number = document_number(searcher, id)
    article = to_article(searcher.stored_fields(number))
    told = stories(searcher, index.vocabulary, threshold) if collapse else None
    own = frozenset(told.story(number) if told else [number])
    words = distinctive_words(searcher, index.vocabulary, article, len(own))
    if not words:
        return Results("", [], lambda: 0)
    query = " ".join(words)
    parsed = plan(parse(query, operators=False), index.vocabulary)
    ranking = _rank_stories(searcher, parsed.root, limit, told, deadline, ranker, left_out=own)
    best = [ranked for ranked in ranking.best if ranked.number not in own]
    found = _Search(index, parsed, searcher, ranking.matched - own, excluded=id, stories=told)
    return _results(found, query, best, 0, limit)


def _rank_stories(
    searcher: Searcher,
    root: Bool,
    wanted: int,
    told: Stories | None,
    deadline: Deadline,
    ranker: Ranker,
    order: str = "score",
    left_out: Set[int] = frozenset(),
) -> Ranking:
    """The ranking by ``ranker`` of ``root`` deep enough to hold the ``wanted`` best stories
    (the best articles, when stories aren't ``told``), not counting the ``left_out`` ones."""
    depth = whole_blocks(wanted + len(left_out))
    ranking = ranker(searcher, root, depth, order, deadline)
    # Ranked deeper until the page is full of stories (a story shows its best version).
    while (
        told
        and len(ranking.best) < ranking.total
        and not told.reaches(
            (ranked.number for ranked in ranking.best if ranked.number not in left_out), wanted
        )
    ):
        depth *= 2
        ranking = ranker(searcher, root, depth, order, deadline)
    return ranking


def keyword_fields(index: IndexFolder) -> tuple[str, ...]:
    """The keyword fields a query on this index may name (``source``, ``topic``)."""
    return (*KEYWORD_FIELDS, *index.vocabulary.keyword_fields())


def facet_names(index: IndexFolder) -> tuple[str, ...]:
    """What matches on this index can be counted by (``Results.facets``' keys)."""
    return tuple(dict.fromkeys((*FACETS, *index.vocabulary.keyword_fields())))


def document_number(searcher: Searcher, id: str) -> int:
    """The number of the article with this id in the searcher's commit."""
    number = searcher.document_number("id", id)
    if number is None:
        raise SearchlibError(f"no article with id {id!r} in the index")
    return number


def _results(
    search: _Search, query: str, best: list[Ranked], offset: int, limit: int, bonus: bool = True
) -> Results:
    """The hits ranked ``offset + 1`` to ``offset + limit``, of the ``best`` (ranked to a
    whole number of blocks), with the exact-form bonus (unless not ranked by score)."""
    searcher, parsed, told = search.searcher, search.plan, search.stories
    forms: dict[int, list[str]] = {}
    stories_known = None
    found = with_bonus(searcher, parsed.exact_forms, best, offset + limit, forms) if bonus else best
    if told is not None:
        # Each story's versions after its best one free places, filled from deeper ranks (the
        # first ranks of a deeper reach are those of a shallower one; forms read once).
        reach = offset + limit
        kept = _best_versions(found, told, offset + limit)
        while bonus and len(kept) < offset + limit and reach < len(best):
            reach += offset + limit - len(kept)
            found = with_bonus(searcher, parsed.exact_forms, best, reach, forms)
            kept = _best_versions(found, told, offset + limit)
        found = kept
        if len(found) < offset + limit:  # every match was reached: its stories are all here
            stories_known = len(found)
        elif len(best) == len(search.matched):  # every match was ranked: its stories are few
            stories_known = len({told.story(ranked.number)[0] for ranked in best})
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
            duplicates=len(told.story(ranked.number)) - 1 if told else 0,
        )
        for rank_number, ranked in enumerate(found[offset : offset + limit], start=offset + 1)
        for article in [to_article(searcher.stored_fields(ranked.number))]
    ]
    total = len(search.matched)
    return Results(
        query,
        hits,
        lambda: total,
        offset,
        parsed.warnings,
        facet_counter=search.facets,
        timeline_counter=search.timeline,
        story_counter=partial(search.count_stories, told.threshold) if told else None,
        stories_known=stories_known,
    )


def _best_versions(found: list[Ranked], told: Stories, wanted: int) -> list[Ranked]:
    """The first (best) version of each story among ``found``, in order, up to ``wanted``."""
    seen: set[int] = set()
    kept = []
    for ranked in found:
        if len(kept) == wanted:
            break
        story = told.story(ranked.number)
        if story[0] not in seen:
            seen.add(story[0])
            kept.append(ranked)
    return kept


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
    stories: Stories | None = None
    """The commit's stories, when hits are one per story."""

    def count_stories(self, threshold: float) -> int:
        """How many stories the matching articles tell (versions counted once)."""
        searcher, matched = self.current()
        return stories(searcher, self.index.vocabulary, threshold).count(matched)

    def facets(self) -> Facets:
        """Every matching article counted by each value of each facet (``facet_names``),
        read from the index's keyword postings rather than from each stored article."""
        searcher, matched = self.current()
        return {
            name: ranked_counts(searcher.keyword_counts(name, matched))
            for name in facet_names(self.index)
        }

    def timeline(self, unit: Unit | None) -> Timeline:
        """Every matching article counted per year, month or day (``Timeline.of``), from
        the index's date column."""
        searcher, matched = self.current()
        dates = searcher.dates()
        days: Counter[int] = Counter(
            dates[number] // _A_DAY for number in matched if dates[number] is not None
        )
        undated = len(matched) - days.total()
        # Dates count microseconds from the year 1's first day, whose ordinal is 1.
        per_day = (date.fromordinal(day + 1) for day, count in days.items() for _ in range(count))
        return Timeline.of(per_day, undated, unit)

    def current(self) -> tuple[Searcher, Set[int]]:
        """A searcher over the index's last commit, and the matches in it."""
        searcher = self.index.searcher()
        if searcher is self.searcher:
            return searcher, self.matched
        # The index changed or closed since the search, and its document numbers may have.
        left_out = searcher.document_number("id", self.excluded) if self.excluded else None
        return searcher, matches(searcher, self.plan.root) - {left_out}

    def explain(self, id: str) -> Explanation:
        """What each query word added to the score of the article with this id, per field,
        and its exact-form bonus."""
        searcher = self.index.searcher()
        number = document_number(searcher, id)
        if self.evaluation is None or self.evaluation.searcher is not searcher:
            self.evaluation = evaluation(searcher, self.plan.root)
        labels = _labels(self.plan, self.index.vocabulary)
        by_word: dict[str, Counter[str]] = {}
        explained = contributions(self.evaluation, self.plan.root, number)
        for (field_name, term), score in explained.items():
            by_word.setdefault(labels.get(term, term), Counter())[field_name] += score
        found = exact_forms_found(searcher, number, self.plan.exact_forms)
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
    prefix or fuzzy word (longest first: a stem is never longer than its forms; of one
    length, in order, not as the set of terms gives them, which varies from run to run)."""
    forms = [
        *sorted(parsed.exact_forms),
        *sorted(parsed.terms, key=lambda term: (-len(term), term)),
    ]
    stems = lexicon.stems(forms)
    labels: dict[str, str] = {}
    for form in forms:
        labels.setdefault(form, form)
        labels.setdefault(stems[form], form)
    return labels
