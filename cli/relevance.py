"""The ``searchlib run`` and ``searchlib eval`` commands: ranking a file of queries into a
TREC run, and scoring a run against relevance judgments."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from searchlib import QueryWarning
from searchlib.evaluate import evaluate, read_qrels, read_queries, read_run, run_queries, write_run
from searchlib.search.bounds import MAX_RESULT_WINDOW
from searchlib_cli.common import Command, CommandError, index_option, one_line, open_index, warn
from searchlib_cli.render import to_json


@click.command(cls=Command)
@click.argument(
    "queries_path", metavar="QUERIES", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@index_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the TREC run file.",
)
@click.option(
    "--depth",
    default=100,
    show_default=True,
    type=click.IntRange(min=1, max=MAX_RESULT_WINDOW),
    help=f"Hits kept per query (at most {MAX_RESULT_WINDOW:,}).",
)
@click.option(
    "--qrels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Only run the queries judged in this qrels file.",
)
@click.option("--tag", default="searchlib", show_default=True, help="The run's name.")
def run(
    queries_path: Path,
    index_path: Path | None,
    output: Path,
    depth: int,
    qrels: Path | None,
    tag: str,
) -> None:
    """Rank every query in QUERIES and write a TREC run file (qid Q0 docid rank score tag).

    QUERIES is JSON Lines (BEIR's queries.jsonl: _id, text) or id<TAB>text lines; each is
    read as plain words. Whitespace and % in ids are written percent-encoded (my%20story),
    as `searchlib eval` reads them.

    \b
    Example:
      searchlib run scifact/queries.jsonl --qrels scifact/qrels/test.tsv -o scifact.trec
    """
    with readable_files():
        queries = read_queries(queries_path)
        if qrels is not None:
            judged = read_qrels(qrels)
            queries = {query: text for query, text in queries.items() if query in judged}
    started = time.perf_counter()
    with open_index(index_path) as index, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        ranking = run_queries(index, queries, depth)
    for warning in caught:
        warn(str(warning.message))
    write_run(ranking, output, tag)
    elapsed = time.perf_counter() - started
    click.echo(f"{len(ranking)} queries ranked into {one_line(str(output))} ({elapsed:.1f} s)")


@click.command("eval", cls=Command)
@click.argument(
    "run_path", metavar="RUN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--qrels",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Relevance judgments: BEIR TSV or TREC qrels.",
)
@click.option("--json", "as_json", is_flag=True, help="Write the measures as JSON.")
def eval_command(run_path: Path, qrels: Path, as_json: bool) -> None:
    """Score a TREC run file: nDCG@10, Recall@100, MAP and MRR@10 over the judged queries
    (the same numbers as ir-measures).

    \b
    Example:
      searchlib eval --qrels scifact/qrels/test.tsv scifact.trec
    """
    with readable_files():
        measures = evaluate(read_qrels(qrels), read_run(run_path))
    if as_json:
        click.echo(to_json(measures))
        return
    for name, value in measures.items():
        click.echo(f"{name:8} {value:.4f}")


@contextmanager
def readable_files() -> Iterator[None]:
    """Report a malformed run, qrels or queries file as a one-line error."""
    try:
        yield
    except ValueError as error:
        raise CommandError(str(error)) from error
