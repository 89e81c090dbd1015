"""Indexing speed and cold-query time: searchlib against raw Whoosh, side by side.

Indexes ../shared/corpora/bbc (2,225 raw BBC articles) with searchlib (full parsing:
caption, headline, quotes, boilerplate; all its fields) and with raw Whoosh (the
``StemmingAnalyzer``, a headline and a body field, both stored, one writer with default
settings). Then times cold ``search`` processes against a minimal raw-Whoosh query script,
each on its own index of the same articles. Rounds alternate the two, and medians are
reported with their ranges.

    python benchmarks/index_and_query.py [--rounds 3] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPOSITORY.parent / "shared" / "corpora" / "bbc"
QUERIES = [
    "economy growth",
    "Chelsea signing",
    "Blair election",
    "mobile phone",
    "oil prices",
    "film award",
]

RAW_QUERY_SCRIPT = """
import sys
from whoosh.index import open_dir
from whoosh.qparser import MultifieldParser
index = open_dir(sys.argv[1])
with index.searcher() as searcher:
    query = MultifieldParser(["headline", "body"], index.schema).parse(sys.argv[2])
    for hit in searcher.search(query, limit=10):
        print(hit["headline"])
"""


def article_files(corpus: Path) -> list[Path]:
    """The corpus's article files (its README files are not articles)."""
    return sorted(path for path in corpus.rglob("*.txt") if path.stem.isdigit())


def index_with_raw_whoosh(files: list[Path], target: Path) -> float:
    """Seconds to index ``files`` the plain Whoosh way."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    started = time.perf_counter()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        headline=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    writer = index.create_in(str(target), schema).writer()
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        headline, _, body = text.partition("\n")
        writer.add_document(id=str(path), headline=headline, body=body)
    writer.commit()
    return time.perf_counter() - started


def index_with_searchlib(corpus: Path, target: Path) -> float:
    """Seconds for searchlib to index the corpus folder."""
    from searchlib import Index

    started = time.perf_counter()
    with Index(target) as index:
        index.add_folder(corpus)
    return time.perf_counter() - started


def cold_query_seconds(command: list[str]) -> float:
    """Wall time of one process running one query."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} (range {min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    if not arguments.corpus.is_dir():
        print(f"skipped: no corpus at {arguments.corpus} (the BBC folder of ../shared/corpora)")
        return
    search_executable = Path(sys.executable).parent / "search"
    if not search_executable.exists():
        sys.exit(f"the search command is not installed next to {sys.executable}")
    files = article_files(arguments.corpus)
    # Both engines index the same articles: a copy of the corpus without its README files.
    workspace = Path(tempfile.mkdtemp(prefix="searchlib-benchmark-"))
    corpus = workspace / "bbc"
    for path in files:
        copy = corpus / path.relative_to(arguments.corpus)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)

    indexing: dict[str, list[float]] = {"raw Whoosh": [], "searchlib": []}
    for round_number in range(arguments.rounds):
        for name in indexing:
            target = workspace / f"{name.replace(' ', '-')}-{round_number}"
            target.mkdir()
            if name == "raw Whoosh":
                seconds = index_with_raw_whoosh(files, target)
            else:
                seconds = index_with_searchlib(corpus, target)
            indexing[name].append(seconds)
            print(
                f"round {round_number + 1}: {name} indexed {len(files)} articles in "
                f"{seconds:.2f} s",
                flush=True,
            )

    raw_script = workspace / "raw_query.py"
    raw_script.write_text(RAW_QUERY_SCRIPT)
    environment_python = sys.executable
    querying: dict[str, list[float]] = {"raw Whoosh": [], "searchlib": []}
    for _ in range(arguments.rounds):
        for query in QUERIES:
            querying["raw Whoosh"].append(
                cold_query_seconds(
                    [environment_python, str(raw_script), str(workspace / "raw-Whoosh-0"), query]
                )
            )
            querying["searchlib"].append(
                cold_query_seconds(
                    [
                        str(search_executable),
                        query,
                        "--index",
                        str(workspace / "searchlib-0"),
                        "--color",
                        "never",
                    ]
                )
            )

    print()
    print(
        f"Corpus: {arguments.corpus} ({len(files)} articles), {arguments.rounds} rounds, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"{'':12} {'index s':28} {'docs/s':>8}   {'cold query s':28}")
    for name in indexing:
        docs_per_second = len(files) / statistics.median(indexing[name])
        print(
            f"{name:12} {summary(indexing[name]):28} {docs_per_second:8.0f}   "
            f"{summary(querying[name]):28}"
        )
    index_ratio = statistics.median(indexing["raw Whoosh"]) / statistics.median(
        indexing["searchlib"]
    )
    query_ratio = statistics.median(querying["searchlib"]) / statistics.median(
        querying["raw Whoosh"]
    )
    print(f"indexing speed, searchlib / raw Whoosh: {index_ratio:.2f}x")
    print(f"cold query time, searchlib / raw Whoosh: {query_ratio:.2f}x")
    shutil.rmtree(workspace)


if __name__ == "__main__":
    main()
