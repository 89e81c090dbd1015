"""Scale: indexing a million articles within 2 GB, and query time as the index grows.

The corpus is made by resampling real text: each article takes a headline and 3-8
paragraphs drawn at random (fixed seed) from ../shared/corpora/bbc and news-large
(Reuters-21578), and a date. It is written as JSON Lines files, one per stage, and indexed
in stages (10k, then 90k more, then 900k more by default) into one index; after each stage
the script reports docs/s for the stage, the index size on disk (and over the JSON Lines
indexed so far), the peak memory of the indexing process and of its largest worker, warm
query p50/p95 over the 50 news queries of news_queries.txt (best 10 hits with titles and
snippets), and the index's bytes per article by part (benchmarks/index_bytes.py).

Then the same stages are built with SQLite FTS5 and tantivy (benchmarks/peers.py: the OR
of a query's words, best 10 headlines), and each stage's figures are given as ratios,
searchlib / peer, in the same run (``--no-peers``: not). Peers run last, so that the
peak memory measured is searchlib's alone.

With ``--shards N`` the same stages are built a second time into an index of N shards
(Dask tasks on a ``LocalCluster``; ``pip install '.[dask]'``), and each stage's indexing
speed and query times are given as ratios, sharded / one index; the queries are also timed
ranked on the workers of a ``LocalCluster`` of two worker processes (``--scheduler``'s
path), as a third ratio.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--keep DIR] [--shards N]
                               [--no-peers]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import random
import re
import resource
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from index_bytes import index_bytes, table
from peers import Peer, articles_of, peers

from searchlib import Index, QueryError

REPOSITORY = Path(__file__).resolve().parent.parent
CORPORA = REPOSITORY.parent / "shared" / "corpora"
BBC = CORPORA / "bbc"
REUTERS = CORPORA / "news-large" / "reuters21578.jsonl.gz"
NEWS_QUERIES = Path(__file__).with_name("news_queries.txt")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SEED = 20261125


def text_pools() -> tuple[list[str], list[str]]:
    """Every headline and every paragraph of 40 or more characters of both corpora."""
    headlines, paragraphs = [], []

    def add(headline: str, body: str) -> None:
        if headline.strip():
            headlines.append(" ".join(headline.split()))
        paragraphs.extend(
            " ".join(part.split()) for part in _PARAGRAPH_BREAK.split(body) if len(part) >= 40
        )

    for path in sorted(BBC.rglob("*.txt")):
        if path.stem.isdigit():
            headline, _, body = path.read_bytes().decode("latin-1").partition("\n")
            add(headline, body)
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            add(record.get("headline") or "", record.get("body") or "")
    return headlines, paragraphs


def resampled(
    first: int, count: int, headlines: list[str], paragraphs: list[str]
) -> Iterator[dict[str, str]]:
    """Articles ``first`` to ``first + count - 1``, the same for the same numbers."""
    for number in range(first, first + count):
        chooser = random.Random(SEED + number)
        day = date(1987, 1, 1) + timedelta(days=chooser.randrange(38 * 365))
        yield {
            "id": f"resampled-{number:07d}",
            "headline": chooser.choice(headlines),
            "body": "\n\n".join(chooser.sample(paragraphs, chooser.randint(3, 8))),
            "date": day.isoformat(),
            "source": "resampled",
        }


def index_arguments(description: str) -> argparse.Namespace:
    """The command line of a benchmark measured on one index: ``--index PATH`` (an index
    to measure) or ``--size N`` (of the resampled index built, ``measured_index``)."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index to measure (else one is built)")
    parser.add_argument("--size", type=int, default=50_000, help="articles of the index built")
    return parser.parse_args()


def measured_index(path: Path | None, size: int, workspace: Path) -> Index | None:
    """The index at ``path`` (opened as it is), or else one of ``size`` resampled articles
    built in ``workspace``; ``None`` (and a message saying so) without the corpora."""
    if path:
        return Index(path, create=False)
    if not (BBC.is_dir() and REUTERS.is_file()):
        print(f"skipped: needs {BBC} and {REUTERS} (../shared/corpora)")
        return None
    stage = workspace / "articles.jsonl.gz"
    write_stage(stage, resampled(0, size, *text_pools()))
    index = Index(workspace / "index")
    index.add_file(stage)
    return index


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The least time of ``runs`` calls of ``work``, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def write_stage(path: Path, articles: Iterator[dict[str, str]]) -> int:
    """Write the articles as gzipped JSON Lines; returns the bytes of the JSON Lines."""
    size = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as output:
        for article in articles:
            line = json.dumps(article) + "\n"
            output.write(line)
            size += len(line.encode("utf-8"))
    return size


def query_times(index: Index, queries: list[str]) -> list[float]:
    # No time limit (timeout=None): how long a query takes at a million articles is measured.
    def titles(query: str) -> list[str]:
        with contextlib.suppress(QueryError):
            return [f"{hit.title} {hit.snippet.text}" for hit in index.search(query, timeout=None)]
        return []

    return timed(titles, queries)


def timed(titles: Callable[[str], list[str]], queries: list[str]) -> list[float]:
    """Seconds each query takes to give its best titles, after a round to warm up (open
    the searcher, read lengths)."""
    for query in queries:
        titles(query)
    seconds = []
    for query in queries:
        started = time.perf_counter()
        titles(query)
        seconds.append(time.perf_counter() - started)
    return seconds


def quantiles(seconds: list[float]) -> dict[str, float]:
    times = sorted(seconds)
    return {
        "query p50 ms": statistics.median(times) * 1000,
        "query p95 ms": times[int(len(times) * 0.95)] * 1000,
    }


def peak_megabytes(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def build_in_stages(
    index: Index,
    sizes: list[int],
    workspace: Path,
    pools: tuple[list[str], list[str]],
    queries: list[str],
    scheduler: str | None = None,
) -> list[dict[str, float]]:
    """Add the resampled articles to ``index`` stage by stage; one row of figures a stage
    (with the query times when ranked on the cluster at ``scheduler``, if given)."""
    rows = []
    done = input_bytes = 0
    for stage, size in enumerate(sizes, start=1):
        stage_file = workspace / f"stage-{stage}.jsonl.gz"
        input_bytes += write_stage(stage_file, resampled(done, size - done, *pools))
        started = time.perf_counter()
        index.add_file(stage_file)
        seconds = time.perf_counter() - started
        stage_file.unlink()
        on_disk = folder_bytes(index.path)
        row = {
            "documents": len(index),
            "stage docs/s": (size - done) / seconds,
            "index MB": on_disk / 1e6,
            "index / JSONL": on_disk / input_bytes,
            "peak MB (main)": peak_megabytes(resource.RUSAGE_SELF),
            "peak MB (worker)": peak_megabytes(resource.RUSAGE_CHILDREN),
            **quantiles(query_times(index, queries)),
        }
        if scheduler:
            with Index(index.path, scheduler=scheduler) as on_cluster:
                times = sorted(query_times(on_cluster, queries))
            row["cluster p50 ms"] = statistics.median(times) * 1000
            row["cluster p95 ms"] = times[int(len(times) * 0.95)] * 1000
        rows.append(row)
        print("  ".join(f"{key} {value:,.1f}" for key, value in row.items()), flush=True)
        started = time.perf_counter()
        parts = table(index_bytes(index.path), len(index))
        print(f"{parts}\n(measured in {time.perf_counter() - started:.0f} s)\n", flush=True)
        done = size
    return rows


def build_peers_in_stages(
    built: list[Peer],
    sizes: list[int],
    workspace: Path,
    pools: tuple[list[str], list[str]],
    queries: list[str],
) -> dict[str, list[dict[str, float]]]:
    """Build each peer on the same stages; one row of figures a stage, by peer."""
    rows: dict[str, list[dict[str, float]]] = {peer.name: [] for peer in built}
    done = 0
    for stage, size in enumerate(sizes, start=1):
        stage_file = workspace / f"stage-{stage}.jsonl.gz"
        write_stage(stage_file, resampled(done, size - done, *pools))
        for peer in built:
            started = time.perf_counter()
            peer.add(articles_of(stage_file))
            seconds = time.perf_counter() - started
            row = {
                "documents": size,
                "stage docs/s": (size - done) / seconds,
                "index MB": peer.bytes_on_disk() / 1e6,
                **quantiles(timed(lambda query, peer=peer: peer.titles(query.split()), queries)),
            }
            rows[peer.name].append(row)
            print(peer.name, "  ".join(f"{key} {value:,.1f}" for key, value in row.items()))
        stage_file.unlink()
        done = size
    return rows


def print_ratios(ours: list[dict[str, float]], theirs: dict[str, list[dict[str, float]]]) -> None:
    """Each stage's figures as searchlib / peer (docs/s: above 1 is faster; MB and ms:
    below 1 is smaller, faster)."""
    figures = ("stage docs/s", "index MB", "query p50 ms", "query p95 ms")
    print("\nsearchlib / peer, in this run")
    print("| documents | peer | " + " | ".join(figures) + " |")
    print("|---|---|" + "---:|" * len(figures))
    for stage, row in enumerate(ours):
        for name, rows in theirs.items():
            ratios = " | ".join(f"{row[figure] / rows[stage][figure]:.2f}" for figure in figures)
            print(f"| {row['documents']:,.0f} | {name} | {ratios} |")


def folder_bytes(folder: Path) -> int:
    """Bytes of the files in ``folder`` and, for a sharded index, in its shards' folders."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def print_table(rows: list[dict[str, float]]) -> None:
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(f"{value:,.1f}" for value in row.values()) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--keep", type=Path, help="build the index here and keep it")
    parser.add_argument("--shards", type=int, help="also build an index of this many shards")
    parser.add_argument("--no-peers", action="store_true", help="no FTS5 and tantivy")
    arguments = parser.parse_args()
    if not (BBC.is_dir() and REUTERS.is_file()):
        print(f"skipped: needs {BBC} and {REUTERS} (../shared/corpora)")
        return
    sizes = [int(size) for size in arguments.sizes.split(",")]
    workspace = Path(tempfile.mkdtemp(prefix="searchlib-scale-"))
    target = arguments.keep or workspace / "index"
    queries = NEWS_QUERIES.read_text(encoding="utf-8").splitlines()
    pools = text_pools()
    print(f"pools: {len(pools[0])} headlines, {len(pools[1])} paragraphs", flush=True)
    warnings.simplefilter("ignore")
    with Index(target) as index:
        rows = build_in_stages(index, sizes, workspace, pools, queries)
    print()
    print_table(rows)
    for earlier, later in itertools.pairwise(rows):
        growth = later["documents"] / earlier["documents"]
        print(
            f"{earlier['documents']:,.0f} -> {later['documents']:,.0f} documents ({growth:.0f}x): "
            f"index {later['index MB'] / earlier['index MB']:.1f}x, "
            f"query p50 {later['query p50 ms'] / earlier['query p50 ms']:.1f}x, "
            f"p95 {later['query p95 ms'] / earlier['query p95 ms']:.1f}x"
        )
    if arguments.shards:
        print(f"\n{arguments.shards} shards, on a Dask LocalCluster", flush=True)
        sharded_target = target.with_name(target.name + "-sharded")
        from dask.distributed import LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
            ) as cluster,
            Index.create(sharded_target, shards=arguments.shards) as sharded,
        ):
            sharded_rows = build_in_stages(
                sharded, sizes, workspace, pools, queries, cluster.scheduler_address
            )
        print()
        print_table(sharded_rows)
        for one, many in zip(rows, sharded_rows, strict=True):
            print(
                f"{one['documents']:,.0f} documents, {arguments.shards} shards / one index: "
                f"indexing speed {many['stage docs/s'] / one['stage docs/s']:.2f}x "
                "(target >= 1.0), "
                f"query p50 {many['query p50 ms'] / one['query p50 ms']:.2f}x (target <= 1.5), "
                f"p95 {many['query p95 ms'] / one['query p95 ms']:.2f}x; ranked on the "
                f"cluster: p50 {many['cluster p50 ms'] / one['query p50 ms']:.2f}x, "
                f"p95 {many['cluster p95 ms'] / one['query p95 ms']:.2f}x"
            )
    if not arguments.no_peers:
        print("\npeers: SQLite FTS5 and tantivy", flush=True)
        peer_folder = target.with_name(target.name + "-peers")
        peer_folder.mkdir(exist_ok=True)
        built = peers(peer_folder)
        peer_rows = build_peers_in_stages(built, sizes, workspace, pools, queries)
        for peer in built:
            peer.close()
        print_ratios(rows, peer_rows)
    if not arguments.keep:
        shutil.rmtree(workspace)


if __name__ == "__main__":
    main()
