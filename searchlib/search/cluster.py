"""Ranking a sharded index on the workers of a Dask cluster: a query travels to the
cluster, each shard is ranked by a task on a worker, and only each shard's best come back,
to be merged here. A worker opens a shard at the path this process sees it at (a shared
filesystem, or the shards copied to the same paths on every worker), and keeps it open
while the commit stays the same.

The steps are those of ``search.sharded`` (the same code, so the same scores to the last
bit): once per commit, each shard's document count and mean field lengths; per query, each
shard's counts of the query's words (kept per commit: a word asked again costs no round),
then each shard's best, ranked with the totals. What a page of hits needs besides its
ranks (stored fields, snippets, the exact-form bonus, stories, facets, explanations) is
read here, from the shards' files, as for any sharded index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from searchlib.clusters import connect, distributed, one_line
from searchlib.engine.directory import Engine
from searchlib.engine.reading import Searcher
from searchlib.errors import IndexChangedError, RequestLimitError, SearchlibError
from searchlib.schema import FIELDS
from searchlib.search.deadline import Deadline
from searchlib.search.planning import Bool
from searchlib.search.ranking import Pairs, Ranking, Totals, matches, wanted_words
from searchlib.search.sharded import ShardRanking, added_up, merged, rank_shard, word_counts
from searchlib.search.vectors import evaluation_for
from searchlib.storage.sharded_reading import ShardedSearcher, pooled_average
from searchlib.storage.shards import ShardedFolder

NEEDED_FOR = "searching on a Dask scheduler"
LENGTH_FIELDS = tuple(field.name for field in FIELDS if field.kind in ("stemmed", "exact"))
"""The fields a query's words are looked up in, whose mean lengths ranking needs."""
KEPT_WORDS = 100_000
"""Words whose totals are kept per commit, at most (then they are gathered afresh)."""


@dataclass(frozen=True)
class Commit:
    """A shard as this process reads it: its folder, and the commit it reads."""

    path: str
    generation: int


@dataclass(frozen=True)
class Lengths:
    """The mean field lengths of all shards (an ``engine.reading.Statistics``)."""

    averages: Mapping[str, float]

    def average_length(self, field: str) -> float:
        """The mean number of terms ``field`` holds per live document of all shards."""
        return self.averages[field]


@dataclass(frozen=True)
class _Facts:
    """What is gathered once per commit of the shards."""

    commits: tuple[Commit, ...]
    documents: int
    lengths: Lengths
    words: dict[Pairs, tuple[int, float]]


class Cluster:
    """Ranks queries on the shards of ``folder`` on the workers of the Dask scheduler at
    ``scheduler`` (a ``pipeline.Ranker``); close it to disconnect (a search reconnects).

    >>> index = Index("news", scheduler="tcp://10.0.0.5:8786")  # doctest: +SKIP
    >>> index.search("cocoa bahia")[0].id  # ranked on the workers  # doctest: +SKIP
    'r1243'
    """

    def __init__(self, scheduler: str, folder: ShardedFolder) -> None:
        self.scheduler = scheduler
        self._folder = folder
        self._client: Any = connect(scheduler, NEEDED_FOR)
        self._facts: _Facts | None = None
        self._workers: list[str] = []

    def close(self) -> None:
        """Disconnect from the scheduler."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def __call__(
        self, searcher: Searcher, root: Bool, depth: int, sort: str, deadline: Deadline
    ) -> Ranking:
        """The ``depth`` best documents for ``root`` of ``searcher``'s commit (a
        ``ShardedSearcher`` of this folder), as ``sharded.rank`` gives them."""
        assert isinstance(searcher, ShardedSearcher)
        commits = tuple(
            Commit(str(self._folder.shards[position].path.resolve()), shard.generation())
            for position, shard in zip(searcher.positions, searcher.shards, strict=True)
        )
        if not commits:
            return Ranking([], 0, frozenset())
        facts = self._facts
        if facts is None or facts.commits != commits:
            facts = self._facts = self._gathered(commits, deadline)
        wanted = {terms.pairs for terms in wanted_words(root)}
        words = {pairs: facts.words[pairs] for pairs in wanted if pairs in facts.words}
        if len(words) < len(wanted):
            parts = self._run(_shard_words, commits, deadline, facts.lengths, root)
            words = dict(added_up(facts.documents, parts).words)
            if len(facts.words) > KEPT_WORDS:
                facts.words.clear()
            facts.words.update(words)
        totals = Totals(facts.documents, words)
        parts = self._run(_shard_rank, commits, deadline, facts.lengths, root, depth, sort, totals)
        deadline.check()
        # The matches stay on the workers; facets and timelines find them here if asked.
        return merged(parts, searcher.bases, depth, sort, lambda: matches(searcher, root))

    def _gathered(self, commits: tuple[Commit, ...], deadline: Deadline) -> _Facts:
        """Each shard's document count and mean field lengths, added up."""
        client = self._connected()
        self._workers = sorted(client.scheduler_info()["workers"])
        counted: list[tuple[int, dict[str, float]]] = self._run(_shard_facts, commits, deadline)
        lengths = {
            field: pooled_average((averages[field], count) for count, averages in counted)
            for field in LENGTH_FIELDS
        }
        documents = sum(count for count, _ in counted)
        return _Facts(commits, documents, Lengths(lengths), {})

    def _connected(self) -> Any:
        if self._client is None:
            self._client = connect(self.scheduler, NEEDED_FOR)
        return self._client

    def _run(
        self, task: Callable[..., Any], commits: tuple[Commit, ...], deadline: Deadline, *more: Any
    ) -> list[Any]:
        """``task`` for every shard, each on the same worker every time (its files stay open
        there) unless that one is gone; their answers in shard order."""
        client = self._connected()
        seconds = deadline.remaining()
        futures = []
        for place, commit in enumerate(commits):
            where: dict[str, Any] = {}
            if self._workers:
                worker = self._workers[place % len(self._workers)]
                where = {"workers": [worker], "allow_other_workers": True}
            futures.append(client.submit(task, commit, seconds, *more, pure=False, **where))
        dask = distributed(NEEDED_FOR)
        try:
            # Bounded here too: a cluster without workers, or gone, would leave them waiting.
            dask.wait(futures, timeout=seconds)
            return list(client.gather(futures))
        except SearchlibError:
            raise  # a worker's own: the time was up there, or the shard changed
        except dask.TimeoutError as error:
            client.cancel(futures)
            raise RequestLimitError(
                f"the search took more than {deadline.seconds:g} s on the Dask cluster at "
                f"{self.scheduler} and was stopped: are its workers running?"
            ) from error
        except Exception as error:
            client.cancel(futures)
            raise SearchlibError(
                f"the Dask cluster at {self.scheduler} failed the search: {one_line(error)}"
            ) from error


_open: dict[tuple[str, int], tuple[Commit, Lengths | None, Searcher]] = {}
"""In a worker: each thread's searcher of each shard, the commit it reads and the lengths
it ranks with."""
_engines: dict[str, Engine] = {}
_opening = threading.Lock()


def _searcher(commit: Commit, lengths: Lengths | None) -> Searcher:
    """In a worker: a searcher of ``commit`` (ranking with ``lengths``, unless ``None``,
    when any will do); ``IndexChangedError`` when the shard has had another commit."""
    key = (commit.path, threading.get_ident())
    with _opening:
        kept = _open.get(key)
        engine = _engines.get(commit.path)
        if engine is None:
            engine = _engines[commit.path] = Engine(Path(commit.path))
    if kept is not None and kept[0] == commit and lengths in (None, kept[1]):
        return kept[2]
    searcher = engine.searcher()
    if searcher.generation() != commit.generation:
        searcher.close()
        raise IndexChangedError(f"{commit.path} had a commit while it was searched; search again")
    if lengths is not None:
        searcher.statistics = lengths
    with _opening:
        _open[key] = (commit, lengths, searcher)
    if kept is not None:
        kept[2].close()
    return searcher


def _shard_facts(commit: Commit, seconds: float | None) -> tuple[int, dict[str, float]]:
    """A task: the shard's document count and mean field lengths."""
    searcher = _searcher(commit, None)
    return searcher.document_count(), {
        field: searcher.average_length(field) for field in LENGTH_FIELDS
    }


def _shard_words(
    commit: Commit, seconds: float | None, lengths: Lengths, root: Bool
) -> dict[Pairs, tuple[int, float]]:
    """A task: the shard's ``sharded.word_counts`` for ``root``."""
    searcher = _searcher(commit, lengths)
    with searcher.one_query():
        return word_counts(evaluation_for(searcher, root, Deadline(seconds)), root)


def _shard_rank(
    commit: Commit,
    seconds: float | None,
    lengths: Lengths,
    root: Bool,
    depth: int,
    sort: str,
    totals: Totals,
) -> ShardRanking:
    """A task: the shard's ``depth`` best for ``root``, ranked with ``totals``; its
    matches stay on the worker (their count goes back)."""
    searcher = _searcher(commit, lengths)
    with searcher.one_query():
        found = rank_shard(
            evaluation_for(searcher, root, Deadline(seconds), totals), root, depth, sort
        )
    return replace(found, matched=frozenset())
