"""The ``searchlib`` command group: building, inspecting and reading an index."""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import click

from searchlib import Index, QueryWarning, SearchlibError
from searchlib.articles.records import RECORD_FIELDS, record_keys
from searchlib.evaluate import evaluate, read_qrels, read_queries, read_run, run_queries, write_run
from searchlib.index import DEFAULT_PATH
from searchlib.indexing.progress import count_items
from searchlib.search.bounds import MAX_RESULT_WINDOW
from searchlib.storage import integrity
from searchlib_cli.common import (
    EXIT_ERROR,
    EXIT_NO_HITS,
    Command,
    CommandError,
    color_option,
    display_path,
    index_option,
    one_line,
    open_index,
    use_color,
    warn,
    warn_skipped,
)
from searchlib_cli.render import article_text, to_json
from searchlib_cli.search import (
    chosen_output,
    limit_option,
    output_options,
    timeout_option,
    write_results,
)


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
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=KEY",
    callback=lambda context, parameter, values: field_mapping(values),
    help=f"Read NAME ({', '.join(RECORD_FIELDS)}) from a record's KEY: a JSON key "
    f"or CSV column. Repeatable.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (shown on a terminal only).")
def index_command(
    paths: tuple[Path, ...],
    index_path: Path | None,
    lock_timeout: float,
    fields: dict[str, str],
    quiet: bool,
) -> None:
    """Index the articles in PATHS: folders (their text and HTML files, recursively), article
    files, or records files (JSON Lines or CSV with a header row, one article a record).

    Re-running is cheap: unchanged files are skipped, changed ones replaced and, within
    a folder, deleted ones removed. Unreadable or binary files are skipped with a warning.
    On a terminal, a progress bar shows on stderr.

    \b
    Examples:
      searchlib index ../archive/bbc seeds
      searchlib index news.csv --field headline=title --field body=content
    """
    shown = not quiet and sys.stderr.isatty()
    with Index(index_path or Path(DEFAULT_PATH), lock_timeout=lock_timeout) as index:
        for path in paths:
            started = time.perf_counter()
            with progress_bar(path, fields, shown) as progress:
                if path.is_dir():
                    if fields:
                        warn(f"--field maps a records file's keys; ignored for folder {path}")
                    report = index.add_folder(path, progress=progress)
                else:
                    report = index.add_file(path, fields=fields, progress=progress)
            warn_skipped(report.skipped)
            elapsed = time.perf_counter() - started
            click.echo(f"{display_path(str(path.resolve()))}: {report} ({elapsed:.1f} s)")
        click.echo(f"{one_line(str(index.path))}: {len(index)} articles")


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
        click.echo(f"{name.replace('_', ' ')}: {one_line(str(value))}")


@main.command()
@index_option
@click.pass_context
def check(ctx: click.Context, index_path: Path | None) -> None:
    """Verify an index: open every segment, compare the documents it holds with the table
    of contents, read every stored article and the vocabulary. Exit 0 when all is well, 2
    with one line on stderr per problem.

    \b
    Example:
      searchlib check --index scifact-index
    """
    path = index_path or Path(DEFAULT_PATH)
    problems = integrity.check(path)
    for problem in problems:
        click.echo(one_line(f"Error: {path}: {problem}"), err=True)
    if problems:
        ctx.exit(EXIT_ERROR)
    with Index(path, create=False) as index:
        click.echo(f"{one_line(str(path))}: {len(index)} articles, no problems found")


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
        click.echo(to_json(article.to_dict()))
    else:
        click.echo(article_text(article), color=use_color(color))


@main.command()
@click.argument("article_id", metavar="ID")
@index_option
@limit_option
@timeout_option
@output_options
@click.pass_context
def similar(
    ctx: click.Context,
    article_id: str,
    index_path: Path | None,
    limit: int,
    timeout: float,
    as_json: bool,
    as_jsonl: bool,
    as_csv: bool,
    fields: tuple[str, ...] | None,
    color: str,
) -> None:
    """Show the articles most like the one with this ID: those sharing most of its
    distinctive words. Written as `search` writes hits; exit 1 with none, 2 when no
    article has this ID.

    \b
    Example:
      searchlib similar seeds/000_a130046a36110d8b -n 5 --json
    """
    output_format = chosen_output(as_json, as_jsonl, as_csv, fields)
    with open_index(index_path) as index:
        results = index.similar(article_id, limit, timeout=timeout)
        write_results(results, output_format, fields, color)
    if not results:
        ctx.exit(EXIT_NO_HITS)


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


def field_mapping(values: tuple[str, ...]) -> dict[str, str]:
    """``--field NAME=KEY`` options as a mapping of field names to record keys.

    >>> field_mapping(("headline=title", "body = content"))
    {'headline': 'title', 'body': 'content'}
    """
    mapping = {}
    for value in values:
        name, equals, key = (part.strip() for part in value.partition("="))
        if not (name and equals and key):
            raise click.BadParameter(f"{value!r} is not NAME=KEY")
        mapping[name] = key
    try:
        record_keys(mapping)
    except SearchlibError as error:
        raise click.BadParameter(str(error)) from error
    return mapping


@contextmanager
def progress_bar(
    path: Path, fields: Mapping[str, str], shown: bool
) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for indexing ``path``, or ``None`` unless ``shown``: items
    done, items a second, and when their total is known, percentage and time left."""
    if not shown:
        yield None
        return
    total = count_items(path, fields)
    started = time.monotonic()
    with click.progressbar(
        # Without a length, click wants an iterable without one; it then shows a count.
        iterable=None if total is not None else (item for item in ()),
        length=total,
        label=one_line(f"indexing {path.resolve().name}"),
        file=sys.stderr,
        show_pos=True,
        show_percent=total is not None,
        # Click's own estimate of the time left averages its first samples, which include
        # starting the workers, over several seconds: minutes off for a job of seconds.
        show_eta=False,
        item_show_func=lambda text: text,
    ) as bar:

        def advance(done: int) -> None:
            bar.update(done, pace(bar.pos + done, total, time.monotonic() - started))

        yield advance


def pace(done: int, total: int | None, seconds: float) -> str:
    """Items a second so far, and with a ``total``, the time left at that rate.

    >>> pace(500, 2000, 2.0), pace(500, None, 2.0)
    ('250/s, 0:00:06 left', '250/s')
    """
    rate = done / max(seconds, 1e-3)
    if total is None or not rate:
        return f"{rate:,.0f}/s"
    return f"{rate:,.0f}/s, {timedelta(seconds=round((total - done) / rate))} left"


@contextmanager
def readable_files() -> Iterator[None]:
    """Report a malformed run, qrels or queries file as a one-line error."""
    try:
        yield
    except ValueError as error:
        raise CommandError(str(error)) from error
