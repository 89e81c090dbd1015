"""Ranking quality and query latency on BEIR SciFact: searchlib, raw Whoosh, SQLite FTS5.

All three index the same corpus (title and abstract) and answer the same test queries as
OR queries, keeping the top 100; measures come from searchlib.evaluate (equal to
ir-measures). Raw Whoosh: ``StemmingAnalyzer`` on a title and a text field, BM25F, an Or of
every query term over both fields. FTS5: ``tokenize='porter unicode61'``, ``bm25()``, the
query's words joined with OR. Latency is the wall time of each query in a warm process.

    python benchmarks/relevance.py [--split test] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from searchlib import Index, QueryError
from searchlib.evaluate import Run, evaluate, read_qrels, read_queries

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPOSITORY.parent / "shared" / "corpora" / "scifact"
DEPTH = 100
_WORD = re.compile(r"\w+")


def documents(corpus: Path) -> list[dict]:
    with (corpus / "corpus.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def timed_run(queries: dict[str, str], rank: Callable[[str], list[str]]) -> tuple[Run, list]:
    """Each query's ranking as run scores that follow the order, and each query's seconds."""
    run, seconds = {}, []
    for query_id, text in queries.items():
        started = time.perf_counter()
        ranking = rank(text)
        seconds.append(time.perf_counter() - started)
        run[query_id] = {doc_id: float(len(ranking) - rank) for rank, doc_id in enumerate(ranking)}
    return run, seconds


def searchlib_ranker(corpus: Path, workspace: Path) -> Callable[[str], list[str]]:
    index = Index(workspace / "searchlib")
    index.add_file(corpus / "corpus.jsonl")

    def rank(text: str) -> list[str]:
        try:
            return [hit.id for hit in index.search(text, limit=DEPTH, operators=False)]
        except QueryError:
            return []

    return rank


def whoosh_ranker(docs: list[dict], workspace: Path) -> Callable[[str], list[str]]:
    from whoosh import fields, index, query, scoring
    from whoosh.analysis import StemmingAnalyzer

    analyzer = StemmingAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True), title=fields.TEXT(analyzer), text=fields.TEXT(analyzer)
    )
    built = index.create_in(str(workspace / "whoosh"), schema)
    writer = built.writer()
    for doc in docs:
        writer.add_document(id=doc["_id"], title=doc["title"], text=doc["text"])
    writer.commit()
    searcher = built.searcher(weighting=scoring.BM25F())

    def rank(text: str) -> list[str]:
        terms = {token.text for token in analyzer(text)}
        either = query.Or([query.Term(name, term) for name in ("title", "text") for term in terms])
        return [hit["id"] for hit in searcher.search(either, limit=DEPTH)]

    return rank


def fts5_ranker(docs: list[dict]) -> Callable[[str], list[str]]:
    database = sqlite3.connect(":memory:")
    database.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, "
        "tokenize='porter unicode61')"
    )
    database.executemany(
        "INSERT INTO docs VALUES (?, ?, ?)", ((d["_id"], d["title"], d["text"]) for d in docs)
    )

    def rank(text: str) -> list[str]:
        words = " OR ".join(f'"{word}"' for word in _WORD.findall(text))
        if not words:
            return []
        rows = database.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (words, DEPTH)
        )
        return [doc_id for (doc_id,) in rows]

    return rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", default="test", choices=["test", "train"])
    arguments = parser.parse_args()
    if not (arguments.corpus / "corpus.jsonl").is_file():
        print(f"skipped: no BEIR corpus at {arguments.corpus} (../shared/corpora/scifact)")
        return
    qrels = read_qrels(arguments.corpus / "qrels" / f"{arguments.split}.tsv")
    queries = {
        query_id: text
        for query_id, text in read_queries(arguments.corpus / "queries.jsonl").items()
        if query_id in qrels
    }
    docs = documents(arguments.corpus)
    workspace = Path(tempfile.mkdtemp(prefix="searchlib-relevance-"))
    (workspace / "whoosh").mkdir()
    rankers = {
        "searchlib": searchlib_ranker(arguments.corpus, workspace),
        "raw Whoosh": whoosh_ranker(docs, workspace),
        "SQLite FTS5": fts5_ranker(docs),
    }
    print(f"BEIR SciFact {arguments.split}: {len(queries)} queries, {len(docs)} documents")
    print(f"{'':12} {'nDCG@10':>8} {'R@100':>7} {'p50 ms':>7} {'p95 ms':>7}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, rank in rankers.items():
            run, seconds = timed_run(queries, rank)
            measures = evaluate(qrels, run)
            p50 = statistics.median(seconds) * 1000
            p95 = statistics.quantiles(seconds, n=20)[-1] * 1000
            print(
                f"{name:12} {measures['nDCG@10']:8.3f} {measures['R@100']:7.3f} "
                f"{p50:7.1f} {p95:7.1f}"
            )


if __name__ == "__main__":
    main()
