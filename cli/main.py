"""The ``searchlib`` command group: building, inspecting and reading an index."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from searchlib import Index
from searchlib.evaluate import evaluate, read_qrels, read_queries, read_run, run_queries, write_run
from searchlib.index import DEFAULT_PATH
from searchlib_cli.common import (
    EXIT_NO_HITS,
    Command,
    CommandError,
    color_option,
    display_path,
    index_option,
    open_index,
    use_color,
    warn,
    warn_skipped,
)
from searchlib_cli.render import article_dict, article_text, to_json


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build and inspect searchlib indexes. Search them with the `search` command."""


main.command_class = Command


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option(
    "--lock-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long to wait while another process writes the index.",
)
def index_command(paths: tuple[Path, ...], index_path: Path | None, lock_timeout: float) -> None:
    """Index the articles in PATHS (folders, searched recursively, or files).

    Re-running is cheap: unchanged files are skipped, changed ones replaced and, within
    a folder, deleted ones removed. Unreadable or binary files are skipped with a warning.

    \b
    Example:
      searchlib index ../archive/bbc seeds
    """
    with Index(index_path or Path(DEFAULT_PATH), lock_timeout=lock_timeout) as index:
        for path in paths:
            started = time.perf_counter()
            report = index.add_folder(path) if path.is_dir() else index.add_file(path)
            warn_skipped(report.skipped)
            elapsed = time.perf_counter() - started
            click.echo(f"{display_path(str(path.resolve()))}: {report} ({elapsed:.1f} s)")
        click.echo(f"{index.path}: {len(index)} articles")


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Write the statistics as JSON.")
def stats(index_path: Path | None, as_json: bool) -> None:
    """Show what an index holds: articles, size on disk, analyzer, format."""
    with open_index(index_path) as index:
        facts = index.stats()
    if as_json:
        click.echo(to_json(facts))
        return
    for name, value in facts.items():
        click.echo(f"{name.replace('_', ' ')}: {value}")


@main.command()
@click.argument("article_id", metavar="ID")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Write the article as JSON.")
@color_option
@click.pass_context
def show(
    ctx: click.Context, article_id: str, index_path: Path | None, as_json: bool, color: str
) -> None:
    """Show the article with this ID: its parts, body and quotations (exit 1 if absent).

    \b
    Example:
      searchlib show seeds/000_a130046a36110d8b
    """
    with open_index(index_path) as index:
        article = index.get(article_id)
    if article is None:
        warn(f"no article with id {article_id!r} in the index")
        ctx.exit(EXIT_NO_HITS)
    elif as_json:
        click.echo(to_json(article_dict(article)))
    else:
        click.echo(article_text(article), color=use_color(color))


@main.command()
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
    type=click.IntRange(min=1),
    help="Hits kept per query.",
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
    read as plain words.

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
    with open_index(index_path) as index:
        ranking = run_queries(index, queries, depth)
    write_run(ranking, output, tag)
    elapsed = time.perf_counter() - started
    click.echo(f"{len(ranking)} queries ranked into {output} ({elapsed:.1f} s)")


@main.command("eval")
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
