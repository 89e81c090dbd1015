"""The ``searchlib`` command group: building, inspecting and reading an index."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import click

from searchlib import Index, SearchlibError
from searchlib.articles.records import RECORD_FIELDS, record_keys
from searchlib.index import DEFAULT_PATH
from searchlib.indexing.progress import count_items
from searchlib.storage import integrity
from searchlib.storage.shards import is_sharded
from searchlib_cli.common import (
    EXIT_ERROR,
    EXIT_NO_HITS,
    Command,
    articles,
    color_option,
    display_path,
    index_option,
    one_line,
    open_index,
    use_color,
    warn,
    warn_skipped,
)
from searchlib_cli.duplicates import duplicates
from searchlib_cli.relevance import eval_command, run
from searchlib_cli.render import article_text, to_json
from searchlib_cli.search import (
    chosen_output,
    limit_option,
    output_options,
    scheduler_option,
    timeout_option,
    versions_options,
    write_results,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build and inspect searchlib indexes. Search them with the `search` command."""


main.add_command(run)
main.add_command(eval_command)
main.add_command(duplicates)


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
    f"or CSV column; any other NAME is a keyword field (--field topic=topics: exact values, "
    f"a list giving several, for filters like topic:cocoa and --facet topic). Repeatable.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (shown on a terminal only).")
@click.option(
    "--shards",
    type=click.IntRange(1, 1024),
    help="Build a sharded index of this many shards, one Dask task each (needs "
    "pip install 'searchlib[dask]'); an existing one keeps its number.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="The Dask scheduler to build a sharded index on (tcp://host:8786; default: a "
    "local cluster). Every worker must see the index at the same path.",
)
def index_command(
    paths: tuple[Path, ...],
    index_path: Path | None,
    lock_timeout: float,
    fields: dict[str, str],
    quiet: bool,
    shards: int | None,
    scheduler: str | None,
) -> None:
    """Index the articles in PATHS: folders (their text and HTML files, recursively), article
    files, or records files (JSON Lines or CSV with a header row, one article a record).

    Re-running is cheap: unchanged files and records are skipped, changed ones replaced,
    and files deleted from a folder or records gone from their file removed. Unreadable or
    binary files are skipped with a warning. On a terminal, a progress bar shows on stderr.

    \b
    Examples:
      searchlib index ../archive/bbc seeds
      searchlib index news.csv --field headline=title --field body=content
      searchlib index reuters21578.jsonl.gz --field topic=topics --field place=places
    """
    with opened(index_path or Path(DEFAULT_PATH), lock_timeout, shards) as index:
        # Shards are built by Dask tasks, which report no progress.
        shown = not quiet and sys.stderr.isatty() and not is_sharded(index.path)
        for path in paths:
            started = time.perf_counter()
            with progress_bar(path, fields, shown) as progress:
                if path.is_dir():
                    if fields:
                        warn(f"--field maps a records file's keys; ignored for folder {path}")
                    report = index.add_folder(path, progress=progress, scheduler=scheduler)
                else:
                    report = index.add_file(
                        path, fields=fields, progress=progress, scheduler=scheduler
                    )
            warn_skipped(report.skipped)
            for note in report.notes:
                warn(note)
            elapsed = time.perf_counter() - started
            click.echo(f"{display_path(str(path.resolve()))}: {report} ({elapsed:.1f} s)")
        click.echo(f"{one_line(str(index.path))}: {articles(len(index))}")


def opened(path: Path, lock_timeout: float, shards: int | None) -> Index:
    """The index at ``path``; with ``shards``, a sharded one of that many shards (made if
    there is none), refused with a clear error when Dask, which builds it, is missing."""
    if shards is None:
        return Index(path, lock_timeout=lock_timeout)
    try:
        importlib.import_module("dask.distributed")  # the build needs it anyway
    except ImportError as error:
        raise SearchlibError("--shards builds with Dask: pip install 'searchlib[dask]'") from error
    if not is_sharded(path):
        return Index.create(path, shards=shards, lock_timeout=lock_timeout)
    index = Index(path, lock_timeout=lock_timeout)
    count = index.stats()["shards"]
    if count != shards:
        index.close()
        raise SearchlibError(
            f"{display_path(str(path))} has {count} shards, not {shards}: "
            f"leave out --shards to update it, or choose another folder"
        )
    return index


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
    of contents, read every stored article, every term's postings and the vocabulary. Exit
    0 when all is well, 2 with one line on stderr per problem.

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
        click.echo(f"{one_line(str(path))}: {articles(len(index))}, no problems found")


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
@click.argument("article_ids", metavar="ID...", nargs=-1, required=True)
@index_option
@click.pass_context
def delete(ctx: click.Context, article_ids: tuple[str, ...], index_path: Path | None) -> None:
    """Delete the articles with these IDs (exit 1 when one is not in the index). An article
    of a folder or records file comes back if that source is indexed again while it still
    holds it.

    \b
    Example:
      searchlib delete reuters21578/1 reuters21578/2
    """
    with open_index(index_path) as index:
        found = index.delete(*article_ids)
        for article_id in dict.fromkeys(article_ids):
            if article_id not in found:
                warn(f"no article with id {article_id!r} in the index")
        click.echo(f"{index.path}: {len(found)} deleted, {articles(len(index))}")
    if len(found) < len(set(article_ids)):
        ctx.exit(EXIT_NO_HITS)


@main.command()
@index_option
def optimize(index_path: Path | None) -> None:
    """Merge the index into one segment, reclaiming the space of replaced and deleted
    articles (Whoosh merges small segments by itself). Scores don't change.
    """
    with open_index(index_path) as index:
        before = index.stats()["size_bytes"]
        started = time.perf_counter()
        index.optimize()
        elapsed = time.perf_counter() - started
        after = index.stats()["size_bytes"]
        click.echo(f"{index.path}: {before:,} → {after:,} bytes ({elapsed:.1f} s)")


@main.command()
@click.argument("article_id", metavar="ID")
@index_option
@limit_option
@timeout_option
@output_options
@versions_options
@scheduler_option
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
    all_versions: bool,
    duplicate_threshold: float,
    scheduler: str | None,
) -> None:
    """Show the articles most like the one with this ID: those sharing most of its
    distinctive words, its own versions left out and other stories one hit each (as
    `search` shows them). Written as `search` writes hits; exit 1 with none, 2 when no
    article has this ID.

    \b
    Example:
      searchlib similar seeds/000_a130046a36110d8b -n 5 --json
    """
    output_format = chosen_output(as_json, as_jsonl, as_csv, fields)
    with open_index(index_path, scheduler) as index:
        results = index.similar(
            article_id,
            limit,
            timeout=timeout,
            collapse=not all_versions,
            duplicate_threshold=duplicate_threshold,
        )
        write_results(results, output_format, fields, color)
    if not results:
        ctx.exit(EXIT_NO_HITS)


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
