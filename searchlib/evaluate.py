r"""Retrieval evaluation: TREC runs, BEIR and TREC qrels, and nDCG@10, R@100, AP and RR@10.

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

import codecs
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias, TypeVar

from searchlib.errors import QueryError

Qrels: TypeAlias = dict[str, dict[str, int]]
"""Relevance judgments: query id → document id → relevance (0 or less: not relevant)."""
Run: TypeAlias = dict[str, dict[str, float]]
"""Retrieval results: query id → document id → score (higher ranks first)."""

NDCG_DEPTH = 10
RECALL_DEPTH = 100
RECIPROCAL_RANK_DEPTH = 10
MEASURES = ("nDCG@10", "R@100", "AP", "RR@10")
"""What ``evaluate`` reports, named as ir-measures names them."""

BEIR_HEADER = ("query-id", "corpus-id", "score")
_QUERY_ID_KEYS = ("_id", "id", "query-id", "qid")
_QUERY_TEXT_KEYS = ("text", "query", "title")
_TREC_QRELS_FIELDS = ("query-id", "iteration", "doc-id", "relevance")
_TREC_RUN_FIELDS = ("query-id", "Q0", "doc-id", "rank", "score", "tag")

_Value = TypeVar("_Value", int, float)


@dataclass(frozen=True)
class _Line:
    """A non-blank line of a file, kept with where it came from for error messages."""

    path: str | os.PathLike[str]
    number: int
    text: str

    def error(self, problem: str) -> ValueError:
        return ValueError(f"{os.fspath(self.path)}, line {self.number}: {problem}")

    def fields(self, separator: str | None, names: tuple[str, ...]) -> list[str]:
        fields = [field.strip() for field in self.text.split(separator)]
        if len(fields) != len(names) or not all(fields):
            separated = "tab-separated " if separator == "\t" else ""
            raise self.error(
                f"expected {len(names)} {separated}fields ({' '.join(names)}), "
                f"found {self.text.strip()!r}"
            )
        return fields


def read_qrels(path: str | os.PathLike[str]) -> Qrels:
    r"""Relevance judgments from a BEIR qrels TSV file (with its header) or a TREC qrels file.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     beir, trec = Path(folder) / "test.tsv", Path(folder) / "qrels.txt"
    ...     _ = beir.write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n")
    ...     _ = trec.write_text("q1 0 d1 2\nq1 0 d2 0\n")
    ...     read_qrels(beir) == read_qrels(trec) == {"q1": {"d1": 2, "d2": 0}}
    True
    """
    lines = list(_lines(path))
    if lines and tuple(lines[0].text.split()) == BEIR_HEADER:
        judgments = (_beir_judgment(line) for line in lines[1:])
    else:
        judgments = (_trec_judgment(line) for line in lines)
    qrels: Qrels = {}
    for line, query, document, relevance in judgments:
        _store(qrels, line, query, document, relevance)
    if not qrels:
        raise ValueError(f"{os.fspath(path)} holds no relevance judgments")
    return qrels


class Searchable(Protocol):
    """Anything with ``Index.search``'s signature."""

    def search(
        self, query: str, limit: int = ..., offset: int = ..., *, operators: bool = ...
    ) -> Sequence[Any]: ...


def read_queries(path: str | os.PathLike[str]) -> dict[str, str]:
    """Queries by id from JSON Lines (BEIR's queries.jsonl: ``_id``, ``text``) or from
    ``id<TAB>text`` lines."""
    queries: dict[str, str] = {}
    for line in _lines(path):
        if line.text.lstrip().startswith("{"):
            try:
                record = json.loads(line.text)
            except json.JSONDecodeError as error:
                raise line.error(f"not JSON ({error.msg})") from None
            query_id = next((record[key] for key in _QUERY_ID_KEYS if key in record), None)
            text = next((record[key] for key in _QUERY_TEXT_KEYS if key in record), None)
            if query_id is None or not isinstance(text, str):
                raise line.error("a query needs an id (_id or id) and a text")
        else:
            query_id, _, text = line.text.partition("\t")
        queries[str(query_id).strip()] = text
    return queries


def run_queries(index: Searchable, queries: Mapping[str, str], depth: int = 100) -> Run:
    """Rank each query, read as plain words, with ``index``; keep the top ``depth``.

    Run scores follow the ranking (trec_eval re-sorts by score, and searchlib ranks an
    article with every word above a higher-scoring one with some).

    >>> class Stub:
    ...     def search(self, query, limit=10, offset=0, *, operators=True):
    ...         return [type("Hit", (), {"id": f"{query}-{n}"}) for n in range(limit)]
    >>> run_queries(Stub(), {"q1": "a"}, depth=2)
    {'q1': {'a-0': 2.0, 'a-1': 1.0}}
    """
    run: Run = {}
    for query_id, text in queries.items():
        try:
            hits = index.search(text, limit=depth, operators=False)
        except QueryError:  # only stop words or symbols: nothing found
            hits = []
        run[query_id] = {hit.id: float(len(hits) - rank) for rank, hit in enumerate(hits)}
    return run


def read_run(path: str | os.PathLike[str]) -> Run:
    r"""Scores from a TREC run file (``query-id Q0 doc-id rank score tag`` lines).

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "run.txt"
    ...     _ = path.write_text("q1 Q0 d1 1 2.5 bm25\nq1 Q0 d2 2 0.5 bm25\n")
    ...     read_run(path)
    {'q1': {'d1': 2.5, 'd2': 0.5}}
    """
    run: Run = {}
    for line in _lines(path):
        query, _, document, _, score, _ = line.fields(None, _TREC_RUN_FIELDS)
        _store(run, line, query, document, _score(line, score))
    return run


def write_run(
    run: Mapping[str, Mapping[str, float]], path: str | os.PathLike[str], tag: str = "searchlib"
) -> None:
    """Write ``run`` as a TREC run file: each query's documents in ``ranked`` order, from rank 1.

    A query that ranks nothing writes no line. Ids and ``tag`` must be single words.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_run({"q1": {"d1": 0.5, "d2": 2.5}}, Path(folder) / "run.txt")
    ...     print((Path(folder) / "run.txt").read_text(), end="")
    q1 Q0 d2 1 2.5 searchlib
    q1 Q0 d1 2 0.5 searchlib
    """
    # Everything is checked before the file is opened, so a bad run leaves no partial file.
    _check_word(tag, "tag")
    lines = [
        _run_line(query, document, rank, scores[document], tag)
        for query, scores in run.items()
        for rank, document in enumerate(ranked(scores), start=1)
    ]
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.writelines(lines)


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


def _lines(path: str | os.PathLike[str]) -> Iterator[_Line]:
    # Decoded line by line, so an encoding error names its line like any other.
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            line = _Line(path, number, "")
            try:
                text = raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
            except UnicodeDecodeError as error:
                raise line.error(f"not UTF-8 text ({error.reason})") from None
            if text.strip():
                yield _Line(path, number, text)


def _beir_judgment(line: _Line) -> tuple[_Line, str, str, int]:
    query, document, relevance = line.fields("\t", BEIR_HEADER)
    return line, query, document, _relevance(line, relevance)


def _trec_judgment(line: _Line) -> tuple[_Line, str, str, int]:
    query, _, document, relevance = line.fields(None, _TREC_QRELS_FIELDS)
    return line, query, document, _relevance(line, relevance)


def _relevance(line: _Line, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise line.error(f"relevance {text!r} is not a whole number") from None


def _score(line: _Line, text: str) -> float:
    try:
        score = float(text)
    except ValueError:
        raise line.error(f"score {text!r} is not a number") from None
    if math.isnan(score):
        raise line.error("score is NaN, which can't be ranked")
    return score


def _store(
    table: dict[str, dict[str, _Value]], line: _Line, query: str, document: str, value: _Value
) -> None:
    by_document = table.setdefault(query, {})
    if document in by_document:
        raise line.error(f"document {document!r} is listed twice for query {query!r}")
    by_document[document] = value


def _run_line(query: str, document: str, rank: int, score: float, tag: str) -> str:
    _check_word(query, "query id")
    _check_word(document, "document id")
    if math.isnan(score):
        raise ValueError(f"the score of {document!r} for query {query!r} is NaN")
    # repr is the shortest text that reads back as the same float.
    return f"{query} Q0 {document} {rank} {float(score)!r} {tag}\n"


def _check_word(text: str, what: str) -> None:
    if text.split() != [text]:
        raise ValueError(f"{what} {text!r} must be one word: a TREC run separates by whitespace")
