"""Indexing speed, warm and cold query time: searchlib against raw Whoosh, side by side.

The baseline is Whoosh as its tutorial uses it: ``StemmingAnalyzer`` on a headline and a
body field (both stored), one writer, default settings; its queries are an OR of the
query's words over both fields (``MultifieldParser`` with ``OrGroup``), its searcher reused.
searchlib is installed as the README installs it and runs with its defaults (full
parsing, every field, its worker processes).

- Indexing: ../shared/corpora/bbc (2,225 article files) and
  ../shared/corpora/news-large (Reuters-21578, 21,578 JSON Lines records).
- Warm queries: the 50 news queries of news_queries.txt on the BBC indexes, and the 300
  SciFact test claims on SciFact indexes; the best 10 hits with their headlines, in a
  process that already answered every query once.
- Warm queries with snippets: the news queries on the BBC indexes, the best 10 hits with
  their headlines and a snippet each (raw Whoosh: ``highlights()`` of each hit's body).
- Cold query: a fresh ``search`` process against a minimal raw-Whoosh script that opens
  the same BBC index and runs the same query.

Each measure is repeated ``--rounds`` times; the table shows medians and ranges.

    python benchmarks/speed.py [--rounds 3] [--only bbc,reuters,warm,snippets,cold]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
CORPORA = REPOSITORY.parent / "shared" / "corpora"
BBC = CORPORA / "bbc"
REUTERS = CORPORA / "news-large" / "reuters21578.jsonl.gz"
SCIFACT = CORPORA / "scifact"
NEWS_QUERIES = Path(__file__).with_name("news_queries.txt")
COLD_QUERIES = ["economy growth", "Chelsea signing", "Blair election", "oil prices"]
LIMIT = 10

RAW_QUERY_SCRIPT = """
import sys
from whoosh.index import open_dir
from whoosh.qparser import MultifieldParser, OrGroup
index = open_dir(sys.argv[1])
with index.searcher() as searcher:
    parser = MultifieldParser(["headline", "body"], index.schema, group=OrGroup)
    for hit in searcher.search(parser.parse(sys.argv[2]), limit=10):
        print(hit["headline"])
"""

Article = tuple[str, str, str]
"""id, headline, body."""


def bbc_files() -> list[Path]:
    """The BBC corpus's article files (its README files are not articles)."""
    return sorted(path for path in BBC.rglob("*.txt") if path.stem.isdigit())


def bbc_articles(files: list[Path]) -> Iterator[Article]:
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        headline, _, body = text.partition("\n")
        yield str(path), headline, body


def reuters_articles() -> Iterator[Article]:
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield record["id"], record.get("headline") or "", record.get("body") or ""


def scifact_articles() -> Iterator[Article]:
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield record["_id"], record["title"], record["text"]


def raw_whoosh_index(articles: Iterator[Article], target: Path) -> float:
    """Seconds to index ``articles`` the plain Whoosh way (parsing the source included)."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    started = time.perf_counter()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        headline=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    target.mkdir(parents=True)
    writer = index.create_in(str(target), schema).writer()
    for identifier, headline, body in articles:
        writer.add_document(id=identifier, headline=headline, body=body)
    writer.commit()
    return time.perf_counter() - started


def searchlib_index(source: Path, target: Path) -> float:
    """Seconds for searchlib to index a folder or a records file."""
    from searchlib import Index

    started = time.perf_counter()
    with warnings.catch_warnings(), Index(target) as index:
        warnings.simplefilter("ignore")
        (index.add_folder if source.is_dir() else index.add_file)(source)
    return time.perf_counter() - started


def raw_whoosh_searcher(target: Path, snippets: bool = False) -> Callable[[str], list[str]]:
    from whoosh.index import open_dir
    from whoosh.qparser import MultifieldParser, OrGroup

    index = open_dir(str(target))
    searcher = index.searcher()
    parser = MultifieldParser(["headline", "body"], index.schema, group=OrGroup)

    def search(query: str) -> list[str]:
        hits = searcher.search(parser.parse(query), limit=LIMIT)
        if snippets:
            return [f"{hit['headline']}\n{hit.highlights('body')}" for hit in hits]
        return [hit["headline"] for hit in hits]

    return search


def searchlib_searcher(
    target: Path, operators: bool, snippets: bool = False
) -> Callable[[str], list[str]]:
    from searchlib import Index, QueryError

    index = Index(target, create=False)

    def search(query: str) -> list[str]:
        try:
            hits = index.search(query, limit=LIMIT, operators=operators)
        except QueryError:
            return []
        if snippets:
            return [f"{hit.title}\n{hit.snippet}" for hit in hits]
        return [hit.title for hit in hits]

    return search


def warm_p50(search: Callable[[str], list[str]], queries: list[str]) -> float:
    """Median seconds per query, once every query has run once."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for query in queries:
            search(query)
        seconds = []
        for query in queries:
            started = time.perf_counter()
            search(query)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def cold_seconds(command: list[str]) -> float:
    # As installed: Python may cache compiled modules (an editable install otherwise compiles
    # searchlib's sources on every run when PYTHONDONTWRITEBYTECODE is set).
    environment = {
        name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"
    }
    started = time.perf_counter()
    subprocess.run(
        command,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    return time.perf_counter() - started


def summary(values: list[float], scale: float = 1.0) -> str:
    median = statistics.median(values) * scale
    return f"{median:8.3f} ({min(values) * scale:.3f}-{max(values) * scale:.3f})"


def ratio_line(label: str, ours: list[float], theirs: list[float], note: str) -> str:
    value = statistics.median(ours) / statistics.median(theirs)
    return f"{label:44} {value:5.2f}x   {note}"


class Benchmark:
    def __init__(self, rounds: int, workspace: Path) -> None:
        self.rounds = rounds
        self.workspace = workspace
        self.lines: list[str] = []
        self.ratios: list[str] = []

    def indexing(self, name: str, source: Path, articles: Callable[[], Iterator[Article]]) -> None:
        count = sum(1 for _ in articles())
        raw, ours = [], []
        for round_number in range(self.rounds):
            # Each starts with the other's index files on disk, not still being written back.
            os.sync()
            raw.append(raw_whoosh_index(articles(), self.workspace / f"raw-{name}-{round_number}"))
            os.sync()
            ours.append(
                searchlib_index(source, self.workspace / f"searchlib-{name}-{round_number}")
            )
            seconds = f"raw {raw[-1]:.2f} s, searchlib {ours[-1]:.2f} s"
            print(f"  {name} round {round_number + 1}: {seconds}", flush=True)
        for engine, values in (("raw Whoosh", raw), ("searchlib", ours)):
            rate = count / statistics.median(values)
            self.lines.append(f"index {name:9} {engine:11} s {summary(values)}  {rate:6.0f} docs/s")
        label = f"indexing speed {name}, searchlib / raw Whoosh"
        # A speed ratio: raw Whoosh's time over searchlib's.
        self.ratios.append(ratio_line(label, raw, ours, "(target >= 1.5)"))

    def warm(
        self,
        name: str,
        raw_target: Path,
        our_target: Path,
        queries: list[str],
        operators: bool,
        snippets: bool = False,
    ) -> None:
        raw_search = raw_whoosh_searcher(raw_target, snippets)
        our_search = searchlib_searcher(our_target, operators, snippets)
        raw, ours = [], []
        for _ in range(self.rounds):
            raw.append(warm_p50(raw_search, queries))
            ours.append(warm_p50(our_search, queries))
        for engine, values in (("raw Whoosh", raw), ("searchlib", ours)):
            self.lines.append(f"warm {name:10} {engine:11} p50 ms {summary(values, 1000)}")
        self.ratios.append(
            ratio_line(
                f"warm query p50 {name}, searchlib / raw Whoosh", ours, raw, "(target <= 0.6)"
            )
        )

    def cold(self, raw_target: Path, our_target: Path) -> None:
        script = self.workspace / "raw_query.py"
        script.write_text(RAW_QUERY_SCRIPT)
        search = Path(sys.executable).parent / "search"
        raw_command = [sys.executable, str(script), str(raw_target)]
        our_command = [str(search), "--index", str(our_target), "--color", "never", "--"]
        # Once untimed, so both start with their compiled modules cached, as after a first use.
        cold_seconds([*raw_command, COLD_QUERIES[0]])
        cold_seconds([*our_command, COLD_QUERIES[0]])
        raw, ours = [], []
        for _ in range(self.rounds):
            for query in COLD_QUERIES:
                raw.append(cold_seconds([*raw_command, query]))
                ours.append(cold_seconds([*our_command, query]))
        for engine, values in (("raw Whoosh", raw), ("searchlib", ours)):
            self.lines.append(f"cold query {engine:11} s {summary(values)}")
        self.ratios.append(
            ratio_line(
                "cold CLI query, searchlib / raw Whoosh script", ours, raw, "(target <= 1.2)"
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="bbc,reuters,warm,snippets,cold")
    arguments = parser.parse_args()
    parts = set(arguments.only.split(","))
    missing = [path for path in (BBC, REUTERS, SCIFACT) if not path.exists()]
    if missing:
        print(f"skipped: missing corpora {', '.join(map(str, missing))} (see ../shared/corpora)")
        return
    if not (Path(sys.executable).parent / "search").exists():
        sys.exit(f"install searchlib next to {sys.executable} first (pip install .)")
    workspace = Path(tempfile.mkdtemp(prefix="searchlib-speed-"))
    # searchlib indexes a folder; give it the same articles as the baseline, without README files.
    files = bbc_files()
    bbc_copy = workspace / "bbc"
    for path in files:
        copy = bbc_copy / path.relative_to(BBC)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    benchmark = Benchmark(arguments.rounds, workspace)
    if parts & {"bbc", "warm", "snippets", "cold"}:
        print("indexing BBC")
        benchmark.indexing("bbc", bbc_copy, lambda: bbc_articles(files))
    if "reuters" in parts:
        print("indexing Reuters")
        benchmark.indexing("reuters", REUTERS, reuters_articles)
    news = NEWS_QUERIES.read_text(encoding="utf-8").splitlines()
    raw_bbc, our_bbc = workspace / "raw-bbc-0", workspace / "searchlib-bbc-0"
    if "warm" in parts:
        print("warm queries")
        benchmark.warm("news", raw_bbc, our_bbc, news, True)
        raw_whoosh_index(scifact_articles(), workspace / "raw-scifact")
        searchlib_index(SCIFACT / "corpus.jsonl", workspace / "searchlib-scifact")
        qrels = (SCIFACT / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]
        judged = {line.split("\t")[0] for line in qrels}
        with (SCIFACT / "queries.jsonl").open(encoding="utf-8") as lines:
            claims = [q["text"] for q in map(json.loads, lines) if q["_id"] in judged]
        benchmark.warm(
            "scifact", workspace / "raw-scifact", workspace / "searchlib-scifact", claims, False
        )
    if "snippets" in parts:
        print("warm queries with snippets")
        benchmark.warm("news+snippets", raw_bbc, our_bbc, news, True, snippets=True)
    if "cold" in parts:
        print("cold queries")
        benchmark.cold(raw_bbc, our_bbc)
    print()
    print(
        f"{arguments.rounds} rounds, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        "medians (ranges)"
    )
    print("\n".join(benchmark.lines))
    print()
    print("\n".join(benchmark.ratios))
    shutil.rmtree(workspace)


if __name__ == "__main__":
    main()
