"""Retrieval evaluation: ranking a file of queries into a run (``run_queries``), reading
and writing TREC runs and BEIR or TREC qrels (``files``), and nDCG@10, R@100, AP and RR@10
(``measures``, the same numbers as ir-measures).

>>> evaluate({"q1": {"d1": 1}, "q2": {"d2": 1}}, {"q1": {"d1": 3.0, "d9": 2.0}})
{'nDCG@10': 0.5, 'R@100': 0.5, 'AP': 0.5, 'RR@10': 0.5}
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from searchlib.errors import QueryError, QueryWarning, RequestLimitError
from searchlib.evaluate.files import BEIR_HEADER, read_qrels, read_queries, read_run, write_run
from searchlib.evaluate.measures import (
    MEASURES,
    NDCG_DEPTH,
    RECALL_DEPTH,
    RECIPROCAL_RANK_DEPTH,
    Qrels,
    Run,
    average_precision,
    evaluate,
    normalized_discounted_cumulative_gain,
    per_query,
    ranked,
    recall,
    reciprocal_rank,
)

__all__ = [
    "BEIR_HEADER", "MEASURES", "NDCG_DEPTH", "RECALL_DEPTH", "RECIPROCAL_RANK_DEPTH", "Qrels",
    "Run", "Searchable", "average_precision", "evaluate", "normalized_discounted_cumulative_gain",
    "per_query", "ranked", "read_qrels", "read_queries", "read_run", "recall",
    "reciprocal_rank", "run_queries", "write_run",
]  # fmt: skip


class Searchable(Protocol):
    """Anything with ``Index.search``'s signature."""

    def search(
        self,
        query: str,
        limit: int = ...,
        offset: int = ...,
        *,
        operators: bool = ...,
        collapse: bool = ...,
    ) -> Sequence[Any]: ...


def run_queries(index: Searchable, queries: Mapping[str, str], depth: int = 100) -> Run:
    """Rank each query, read as plain words, with ``index``; keep the top ``depth``. A query
    that stops at the search's time limit ranks nothing, with a ``QueryWarning`` naming it.
    Every version of a story is ranked (``collapse=False``): judgments are of articles.

        Run scores follow the ranking (trec_eval re-sorts by score, and searchlib ranks an
        article with every word above a higher-scoring one with some).

        >>> class Stub:
        ...     def search(self, query, limit=10, offset=0, *, operators=True, collapse=True):
        ...         return [type("Hit", (), {"id": f"{query}-{n}"}) for n in range(limit)]
        >>> run_queries(Stub(), {"q1": "a"}, depth=2)
        {'q1': {'a-0': 2.0, 'a-1': 1.0}}
    """
    run: Run = {}
    for query_id, text in queries.items():
        try:
            hits = index.search(text, limit=depth, operators=False, collapse=False)
        except QueryError:  # only stop words or symbols: nothing found
            hits = []
        except RequestLimitError as error:
            warnings.warn(f"query {query_id} ranked nothing: {error}", QueryWarning, stacklevel=2)
            hits = []
        run[query_id] = {hit.id: float(len(hits) - rank) for rank, hit in enumerate(hits)}
    return run
