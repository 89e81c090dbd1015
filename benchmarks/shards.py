"""A sharded index against one index: build time, warm query time, and whether they agree.

Builds ../shared/corpora/bbc (2,225 files) and Reuters-21578 (21,578 records) once as one
index (searchlib's defaults: worker processes) and once with ``--shards`` shards on a Dask
``LocalCluster``; then runs the 50 queries of news_queries.txt on each (the best 10 hits
with their headlines, after one warm-up pass) and compares every query's id → score map.

    python benchmarks/shards.py [--shards 4] [--only bbc,reuters]
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from searchlib import Index

REPOSITORY = Path(__file__).resolve().parent.parent
CORPORA = REPOSITORY.parent / "shared" / "corpora"
SOURCES = {"bbc": CORPORA / "bbc", "reuters": CORPORA / "news-large" / "reuters21578.jsonl.gz"}
QUERIES = (Path(__file__).parent / "news_queries.txt").read_text().splitlines()


def _build(index: Index, source: Path) -> float:
    started = time.perf_counter()
    if source.is_dir():
        index.add_folder(source)
    else:
        index.add_file(source, fields={"topic": "topics", "place": "places"})
    return time.perf_counter() - started


def _query_times(index: Index) -> tuple[list[float], list[dict[str, float]]]:
    answers = []
    for query in QUERIES:  # warm-up: files read, caches filled
        answers.append({hit.id: hit.score for hit in index.search(query)})
    times = []
    for query in QUERIES:
        started = time.perf_counter()
        [hit.title for hit in index.search(query)]
        times.append(time.perf_counter() - started)
    return times, answers


def _agree(first: dict[str, float], second: dict[str, float]) -> bool:
    return first.keys() == second.keys() and all(
        math.isclose(score, second[id], rel_tol=1e-9) for id, score in first.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--only", default="bbc,reuters")
    arguments = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in arguments.only.split(","):
        with tempfile.TemporaryDirectory() as folder:
            with Index(Path(folder) / "one") as one:
                one_build = _build(one, SOURCES[name])
                one_times, one_answers = _query_times(one)
            with Index.create(Path(folder) / "sharded", shards=arguments.shards) as sharded:
                sharded_build = _build(sharded, SOURCES[name])
                sharded_times, sharded_answers = _query_times(sharded)
            one_p50, sharded_p50 = statistics.median(one_times), statistics.median(sharded_times)
            same = sum(map(_agree, one_answers, sharded_answers))
            print(
                f"{name}: build {one_build:.1f} s one index, {sharded_build:.1f} s "
                f"{arguments.shards} shards ({sharded_build / one_build:.2f}x); query p50 "
                f"{one_p50 * 1000:.1f} ms, {sharded_p50 * 1000:.1f} ms "
                f"({sharded_p50 / one_p50:.2f}x); same top 10 with the same scores: "
                f"{same} of {len(QUERIES)} queries"
            )


if __name__ == "__main__":
    main()
