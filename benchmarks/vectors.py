"""Ranking with NumPy against ranking in pure Python, query by query, on one index.

Each of the 50 news queries is ranked both ways (best 10, best of 3 runs each), with the
postings its words have; queries are grouped by postings, so that the size where NumPy
starts to pay shows (``searchlib.search.vectors.VECTOR_POSTINGS``). Both ways must give the
same hits with the same scores. Then whole searches (best 10 with titles and snippets),
p50 and p95 both ways, and what importing NumPy costs a cold process.

Without ``--index``, an index of ``--size`` resampled articles is built first (as
benchmarks/scale.py makes them).

    python benchmarks/vectors.py [--index PATH | --size 50000]
"""

from __future__ import annotations

import contextlib
import itertools
import statistics
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from scale import NEWS_QUERIES, best_of, index_arguments, measured_index

from searchlib import Index, QueryError
from searchlib.search import vectors
from searchlib.search.grammar import parse
from searchlib.search.planning import plan
from searchlib.search.ranking import Evaluation, wanted_words

BUCKETS = (0, 5_000, 20_000, 100_000, 500_000, 10**12)
"""Bounds of the groups of queries by postings read."""


def ranking_times(index: Index, queries: list[str]) -> list[tuple[str, int, float, float]]:
    """Each query's postings, and its ranking's milliseconds in Python and with NumPy."""
    folder = index._folder
    searcher = folder.searcher()
    rows = []
    for query in queries:
        try:
            root = plan(parse(query, True), folder.vocabulary).root
        except QueryError:
            continue
        pairs = {pair for terms in wanted_words(root) for pair in terms.pairs}
        postings = searcher.postings_count(pairs)
        in_python = Evaluation(searcher).ranking(root, 10)
        with_numpy = vectors.VectorEvaluation(searcher).ranking(root, 10)
        if (in_python.best, in_python.total) != (with_numpy.best, with_numpy.total):
            raise SystemExit(f"different rankings for {query!r}")
        python_ms = best_of(3, lambda: Evaluation(searcher).ranking(root, 10))  # noqa: B023
        numpy_ms = best_of(3, lambda: vectors.VectorEvaluation(searcher).ranking(root, 10))  # noqa: B023
        rows.append((query, postings, python_ms, numpy_ms))
    return rows


def search_times(index: Index, queries: list[str], threshold: int) -> tuple[float, float]:
    """p50 and p95 milliseconds of whole searches (titles and snippets of the best 10)."""
    vectors.VECTOR_POSTINGS = threshold

    def search(query: str) -> None:
        with contextlib.suppress(QueryError):
            [(hit.title, hit.snippet.text) for hit in index.search(query, timeout=None)]

    for query in queries:
        search(query)
    times = sorted(best_of(1, lambda: search(query)) for query in queries)  # noqa: B023
    return statistics.median(times), times[int(len(times) * 0.95)]


def import_cost() -> float:
    """Milliseconds ``import numpy`` adds to a new process (best of 5)."""

    def started(code: str) -> float:
        return best_of(5, lambda: subprocess.run([sys.executable, "-c", code], check=True))

    return started("import numpy") - started("pass")


def main() -> None:
    arguments = index_arguments(__doc__)
    warnings.simplefilter("ignore")
    queries = [line for line in NEWS_QUERIES.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="searchlib-vectors-") as workspace:
        index = measured_index(arguments.index, arguments.size, Path(workspace))
        if index is None:
            return
        with index:
            size = index._folder.searcher().document_count()
            print(f"{size:,} articles; the same hits and scores both ways for every query")
            rows = ranking_times(index, queries)
            print("\n| postings | queries | Python ms (p50) | NumPy ms (p50) | NumPy / Python |")
            print("|---|---|---|---|---|")
            for low, high in itertools.pairwise(BUCKETS):
                group = [row for row in rows if low <= row[1] < high]
                if group:
                    python = statistics.median(row[2] for row in group)
                    numpy = statistics.median(row[3] for row in group)
                    ratio = statistics.median(row[3] / row[2] for row in group)
                    bucket = f"{low:,}+" if high == BUCKETS[-1] else f"{low:,} to {high:,}"
                    print(f"| {bucket} | {len(group)} | {python:.1f} | {numpy:.1f} | {ratio:.2f} |")
            threshold = vectors.VECTOR_POSTINGS
            python_p50, python_p95 = search_times(index, queries, 10**12)
            numpy_p50, numpy_p95 = search_times(index, queries, threshold)
        print(
            f"\nwhole searches: Python p50 {python_p50:.1f} ms, p95 {python_p95:.1f} ms; "
            f"with NumPy from {threshold:,} postings p50 {numpy_p50:.1f} ms, "
            f"p95 {numpy_p95:.1f} ms: {numpy_p50 / python_p50:.2f}x, "
            f"{numpy_p95 / python_p95:.2f}x"
        )
    print(f"import numpy costs a new process {import_cost():.0f} ms")


if __name__ == "__main__":
    main()
