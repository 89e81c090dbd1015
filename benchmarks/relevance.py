"""Ranking quality and query latency: searchlib, raw Whoosh and SQLite FTS5, side by side.

- BEIR SciFact: the corpus (title and abstract) and its judged test (or train) queries.
- News known-item search, a check that a ranking change isn't a gain for SciFact alone:
  BBC (2,225 articles) and Reuters-21578 (the 19,043 stories with a headline and a body)
  are indexed without their headlines, and each of 2,000 headlines (a fixed sample,
  lower-cased: Reuters' are in capitals) is a query whose relevant document is its own
  article (and any other with the very same body).

All three engines index the same documents and answer the same queries as OR queries,
keeping the top 100; measures come from searchlib.evaluate (equal to ir-measures). Raw
Whoosh: ``StemmingAnalyzer`` on a title and a text field, BM25F, an Or of every query term
over both fields. FTS5: ``tokenize='porter unicode61'``, ``bm25()``, the query's words
joined with OR. Latency is the wall time of each query in a warm process.

    python benchmarks/relevance.py [--split test] [--only scifact,bbc,reuters]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from speed import (
    BBC,
    CORPORA,
    REUTERS,
    SCIFACT,
    bbc_articles,
    bbc_files,
    reuters_articles,
    scifact_articles,
)

from searchlib import Index, QueryError
from searchlib.evaluate import Qrels, Run, evaluate, read_qrels, read_queries

DEPTH = 100
KNOWN_ITEMS = 2000
"""Headlines sampled as known-item queries from each news corpus."""
_WORD = re.compile(r"\w+")


@dataclass
class Collection:
    """Documents in BEIR's shape (``_id``, ``title``, ``text``), queries and judgments."""

    title: str
    documents: list[dict]
    queries: dict[str, str]
    qrels: Qrels


def scifact(split: str) -> Collection | None:
    if not (SCIFACT / "corpus.jsonl").is_file():
        return None
    documents = [
        {"_id": article_id, "title": title, "text": text}
        for article_id, title, text in scifact_articles()
    ]
    qrels = read_qrels(SCIFACT / "qrels" / f"{split}.tsv")
    queries = {
        query_id: text
        for query_id, text in read_queries(SCIFACT / "queries.jsonl").items()
        if query_id in qrels
    }
    return Collection(f"BEIR SciFact {split}", documents, queries, qrels)


def bbc() -> Collection | None:
    files = bbc_files() if BBC.is_dir() else []
    articles = {
        str(Path(path).relative_to(BBC)): (headline.strip(), body.strip())
        for path, headline, body in bbc_articles(files)
    }
    return _known_items("BBC", articles) if files else None


def reuters() -> Collection | None:
    if not REUTERS.is_file():
        return None
    articles = {
        article_id: (headline, body)
        for article_id, headline, body in reuters_articles()
        if headline and body
    }
    return _known_items("Reuters", articles)


def _known_items(name: str, articles: dict[str, tuple[str, str]]) -> Collection:
    """Bodies as documents; a sample of headlines as queries, each finding its own article
    (and any article with the very same body: both corpora hold some twice)."""
    documents = [
        {"_id": article_id, "title": "", "text": body} for article_id, (_, body) in articles.items()
    ]
    sharing: dict[str, dict[str, int]] = {}
    for article_id, (_, body) in articles.items():
        sharing.setdefault(body, {})[article_id] = 1
    sample = random.Random(0).sample(sorted(articles), min(KNOWN_ITEMS, len(articles)))
    queries = {article_id: articles[article_id][0].lower() for article_id in sample}
    qrels = {article_id: sharing[articles[article_id][1]] for article_id in sample}
    return Collection(f"{name} known-item (headline finds its article)", documents, queries, qrels)


def timed_run(queries: dict[str, str], rank: Callable[[str], list[str]]) -> tuple[Run, list]:
    """Each query's ranking as run scores that follow the order, and each query's seconds."""
    run, seconds = {}, []
    for query_id, text in queries.items():
        started = time.perf_counter()
        ranking = rank(text)
        seconds.append(time.perf_counter() - started)
        run[query_id] = {
            document_id: float(len(ranking) - rank) for rank, document_id in enumerate(ranking)
        }
    return run, seconds


def searchlib_ranker(
    documents: list[dict], workspace: Path, stack: ExitStack
) -> Callable[[str], list[str]]:
    corpus = workspace / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as lines:
        lines.writelines(json.dumps(document) + "\n" for document in documents)
    index = stack.enter_context(Index(workspace / "searchlib"))
    index.add_file(corpus)

    def rank(text: str) -> list[str]:
        try:
            return [
                hit.id
                # No time limit: a loaded machine mustn't cut a query's ranking short.
                for hit in index.search(
                    text, limit=DEPTH, operators=False, collapse=False, timeout=None
                )
            ]
        except QueryError:
            return []

    return rank


def whoosh_ranker(
    documents: list[dict], workspace: Path, stack: ExitStack
) -> Callable[[str], list[str]]:
    from whoosh import fields, index, query, scoring
    from whoosh.analysis import StemmingAnalyzer

    analyzer = StemmingAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True), title=fields.TEXT(analyzer), text=fields.TEXT(analyzer)
    )
    (workspace / "whoosh").mkdir()
    built = index.create_in(str(workspace / "whoosh"), schema)
    writer = built.writer()
    for document in documents:
        writer.add_document(id=document["_id"], title=document["title"], text=document["text"])
    writer.commit()
    searcher = stack.enter_context(built.searcher(weighting=scoring.BM25F()))

    def rank(text: str) -> list[str]:
        terms = {token.text for token in analyzer(text)}
        either = query.Or([query.Term(name, term) for name in ("title", "text") for term in terms])
        return [hit["id"] for hit in searcher.search(either, limit=DEPTH)]

    return rank


def fts5_ranker(documents: list[dict], stack: ExitStack) -> Callable[[str], list[str]]:
    database = sqlite3.connect(":memory:")
    stack.callback(database.close)
    database.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, "
        "tokenize='porter unicode61')"
    )
    database.executemany(
        "INSERT INTO docs VALUES (?, ?, ?)",
        ((document["_id"], document["title"], document["text"]) for document in documents),
    )

    def rank(text: str) -> list[str]:
        words = " OR ".join(f'"{word}"' for word in _WORD.findall(text))
        if not words:
            return []
        rows = database.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (words, DEPTH)
        )
        return [document_id for (document_id,) in rows]

    return rank


def compare(collection: Collection) -> None:
    """Rank the collection's queries with each engine and print the measures."""
    with (
        tempfile.TemporaryDirectory(prefix="searchlib-relevance-") as scratch,
        ExitStack() as stack,
    ):
        workspace, documents = Path(scratch), collection.documents
        rankers = {
            "searchlib": searchlib_ranker(documents, workspace, stack),
            "raw Whoosh": whoosh_ranker(documents, workspace, stack),
            "SQLite FTS5": fts5_ranker(documents, stack),
        }
        print(
            f"\n{collection.title}: {len(collection.queries)} queries, {len(documents)} documents"
        )
        print(f"{'':12} {'nDCG@10':>8} {'MRR@10':>7} {'R@100':>7} {'p50 ms':>7} {'p95 ms':>7}")
        for name, rank in rankers.items():
            run, seconds = timed_run(collection.queries, rank)
            measures = evaluate(collection.qrels, run)
            p50 = statistics.median(seconds) * 1000
            p95 = statistics.quantiles(seconds, n=20)[-1] * 1000
            print(
                f"{name:12} {measures['nDCG@10']:8.3f} {measures['RR@10']:7.3f} "
                f"{measures['R@100']:7.3f} {p50:7.1f} {p95:7.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--only", default="scifact,bbc,reuters")
    arguments = parser.parse_args()
    loaders = {"scifact": lambda: scifact(arguments.split), "bbc": bbc, "reuters": reuters}
    names = arguments.only.split(",")
    if unknown := [name for name in names if name not in loaders]:
        parser.error(f"--only takes {','.join(loaders)}, not {','.join(unknown)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            collection = loaders[name]()
            if collection is None:
                print(f"skipped {name}: its corpus is not in {CORPORA}")
                continue
            compare(collection)


if __name__ == "__main__":
    main()
