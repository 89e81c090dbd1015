r"""The measures: nDCG@10, R@100, AP and RR@10, as ir-measures computes them.

The numbers equal ir-measures' ``calc_aggregate([nDCG@10, R@100, AP, RR@10], qrels, run)``
(tests/test_evaluate.py checks it). ir-measures takes the first three from trec_eval's code
(``ndcg_cut_10``, ``recall_100``, ``map``, averaged as ``trec_eval -c`` does) and RR@10
from the MS MARCO script. So:

- Every query in the qrels counts. One the run lacks, or ranks nothing for, scores 0 on
  every measure, and so does one with no relevant document. Queries only in the run are
  ignored.
- A document is relevant when its relevance is above 0; nDCG's gain is the relevance (0
  for a negative one), discounted by log2(rank + 1) and normalised by the best ordering of
  the query's judgments.
- Documents are ranked by score, highest first; the rank column of a run file is ignored.
  Equal scores are ordered by document id from the last to the first, as trec_eval does,
  except for RR@10, where they go from the first to the last, as the MS MARCO script does.

>>> evaluate({"q1": {"d1": 1}, "q2": {"d2": 1}}, {"q1": {"d1": 3.0, "d9": 2.0}})
{'nDCG@10': 0.5, 'R@100': 0.5, 'AP': 0.5, 'RR@10': 0.5}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, TypeAlias

Qrels: TypeAlias = dict[str, dict[str, int]]
"""Relevance judgments: query id → document id → relevance (0 or less: not relevant)."""
Run: TypeAlias = dict[str, dict[str, float]]
"""Retrieval results: query id → document id → score (higher ranks first)."""

NDCG_DEPTH = 10
RECALL_DEPTH = 100
RECIPROCAL_RANK_DEPTH = 10
MEASURES = ("nDCG@10", "R@100", "AP", "RR@10")
"""What ``evaluate`` reports, named as ir-measures names them."""


def evaluate(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """The mean of each of ``MEASURES`` over the queries in ``qrels`` (see the module's notes).

    >>> means = evaluate({"q1": {"d1": 1, "d2": 1}}, {"q1": {"d1": 2.0, "d3": 1.0, "d2": 0.5}})
    >>> {measure: round(mean, 4) for measure, mean in means.items()}
    {'nDCG@10': 0.9197, 'R@100': 1.0, 'AP': 0.8333, 'RR@10': 1.0}
    """
    if not qrels:
        raise ValueError("there is nothing to evaluate: the qrels hold no query")
    by_query = per_query(qrels, run).values()
    return {
        measure: math.fsum(values[measure] for values in by_query) / len(by_query)
        for measure in MEASURES
    }


def per_query(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, float]]:
    """Each of ``MEASURES`` for each query in ``qrels``, in the qrels' order.

    >>> by_query = per_query({"q1": {"d1": 1}, "q2": {"d2": 1}}, {"q1": {"d9": 2.0, "d1": 1.0}})
    >>> by_query["q1"]["AP"], by_query["q1"]["RR@10"], by_query["q2"]["AP"]
    (0.5, 0.5, 0.0)
    """
    return {query: _measures(judgments, run.get(query, {})) for query, judgments in qrels.items()}


def ranked(
    scores: Mapping[str, float], *, ties: Literal["trec_eval", "msmarco"] = "trec_eval"
) -> list[str]:
    """Document ids by score, highest first. Equal scores go by id: from the last to the first
    as trec_eval orders them, or from the first to the last as the MS MARCO script does.

    >>> ranked({"a": 1.0, "b": 1.0, "c": 2.0})
    ['c', 'b', 'a']
    >>> ranked({"a": 1.0, "b": 1.0, "c": 2.0}, ties="msmarco")
    ['c', 'a', 'b']
    """
    if ties == "trec_eval":
        return sorted(scores, key=lambda document: (scores[document], document), reverse=True)
    return sorted(scores, key=lambda document: (-scores[document], document))


def normalized_discounted_cumulative_gain(
    ranking: Sequence[str], judgments: Mapping[str, int], depth: int = NDCG_DEPTH
) -> float:
    """nDCG of the first ``depth`` documents of ``ranking``; 0 when nothing is relevant.

    >>> gain = normalized_discounted_cumulative_gain(["a", "b"], {"b": 2, "c": 1})
    >>> gain == (2 / math.log2(3)) / (2 + 1 / math.log2(3))
    True
    """
    ideal = _discounted_cumulative_gain(sorted(judgments.values(), reverse=True)[:depth])
    if ideal == 0:
        return 0.0
    gains = [judgments.get(document, 0) for document in ranking[:depth]]
    return _discounted_cumulative_gain(gains) / ideal


def recall(
    ranking: Sequence[str], judgments: Mapping[str, int], depth: int = RECALL_DEPTH
) -> float:
    """The share of the relevant documents found in the first ``depth`` of ``ranking``.

    >>> recall(["a", "b", "c"], {"a": 1, "c": 0, "d": 2}, depth=2)
    0.5
    """
    relevant = _relevant(judgments)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:depth])) / len(relevant)


def average_precision(ranking: Sequence[str], judgments: Mapping[str, int]) -> float:
    """The precision at each relevant document of ``ranking``, summed, over the relevant count.

    >>> average_precision(["a", "b", "c"], {"a": 1, "c": 1, "d": 1}) == (1 + 2 / 3) / 3
    True
    """
    relevant = _relevant(judgments)
    if not relevant:
        return 0.0
    found = 0
    precisions = 0.0
    for rank, document in enumerate(ranking, start=1):
        if document in relevant:
            found += 1
            precisions += found / rank
    return precisions / len(relevant)


def reciprocal_rank(
    ranking: Sequence[str], judgments: Mapping[str, int], depth: int = RECIPROCAL_RANK_DEPTH
) -> float:
    """1 / the rank of the first relevant document, 0 if none is in the first ``depth``.

    >>> reciprocal_rank(["a", "b", "c"], {"a": 0, "c": 3})
    0.3333333333333333
    """
    relevant = _relevant(judgments)
    for rank, document in enumerate(ranking[:depth], start=1):
        if document in relevant:
            return 1 / rank
    return 0.0


def _measures(judgments: Mapping[str, int], scores: Mapping[str, float]) -> dict[str, float]:
    ranking = ranked(scores)
    return {
        "nDCG@10": normalized_discounted_cumulative_gain(ranking, judgments, NDCG_DEPTH),
        "R@100": recall(ranking, judgments, RECALL_DEPTH),
        "AP": average_precision(ranking, judgments),
        # ir-measures computes RR@10 with the MS MARCO script, not trec_eval, and so breaks
        # ties the other way; matching it keeps our numbers comparable with published ones.
        "RR@10": reciprocal_rank(ranked(scores, ties="msmarco"), judgments, RECIPROCAL_RANK_DEPTH),
    }


def _discounted_cumulative_gain(gains: Iterable[int]) -> float:
    # A negative relevance means "judged, not relevant": no gain, as in trec_eval.
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1) if gain > 0)


def _relevant(judgments: Mapping[str, int]) -> set[str]:
    return {document for document, relevance in judgments.items() if relevance > 0}
