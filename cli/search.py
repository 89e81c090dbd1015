"""The ``search`` command, and the output options and writing it shares with ``similar``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import click

from searchlib import Hit, Results
from searchlib.results.hits import HIT_KEYS
from searchlib.results.timeline import UNITS
from searchlib.search.bounds import MAX_RESULT_WINDOW
from searchlib.search.deadline import DEFAULT_TIMEOUT
from searchlib.search.ranking import SORTS
from searchlib.shingles import DEFAULT_THRESHOLD
from searchlib_cli.common import (
    EXIT_NO_HITS,
    Command,
    Function,
    clean,
    color_option,
    flat,
    index_option,
    one_line,
    open_index,
    use_color,
    warn,
)
from searchlib_cli.render import results_text, rows_text

FACET_VALUES_SHOWN = 10
"""How many values of a facet are written, most common first."""
MAX_LIMIT = 500
"""The most hits a command writes: each hit's snippet costs one or two milliseconds, so a page
of 500 keeps a search within 2 s (BBC, on a busy machine); deeper hits are pages (--offset)."""


def limit_option(function: Function) -> Function:
    """``-n/--limit N``: how many hits to show."""
    return click.option(
        "-n",
        "--limit",
        default=10,
        show_default=True,
        type=click.IntRange(min=1, max=MAX_LIMIT),
        help=f"How many hits to show (at most {MAX_LIMIT:,}).",
    )(function)


def timeout_option(function: Function) -> Function:
    """``--timeout SECONDS``: how long a search may take before it is stopped."""
    return click.option(
        "--timeout",
        default=DEFAULT_TIMEOUT,
        show_default=True,
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        callback=lambda context, parameter, value: number_of_seconds(value),
        help="Stop a search that takes longer than this.",
    )(function)


def number_of_seconds(value: float) -> float:
    """``value``, unless it is NaN (which ``click.FloatRange`` lets through).

    >>> number_of_seconds(1.5)
    1.5
    """
    if math.isnan(value):
        raise click.BadParameter(f"{value} is not a number of seconds")
    return value


def scheduler_option(function: Function) -> Function:
    """``--scheduler ADDRESS``: rank a sharded index on a Dask cluster's workers."""
    return click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Rank a sharded index on the workers of this Dask scheduler (tcp://host:8786; "
        "needs pip install 'searchlib[dask]'). Every worker must see the shards at the same "
        "path.",
    )(function)


def versions_options(function: Function) -> Function:
    """``--all-versions`` and ``--duplicate-threshold``: whether and how hits collapse."""
    return click.option(
        "--all-versions",
        is_flag=True,
        help="Show every version of a story (by default a story is one hit, its best "
        "version, with +N versions; the count line counts articles, and stories once the "
        "search has seen them all).",
    )(duplicate_threshold_option(function))


def duplicate_threshold_option(function: Function) -> Function:
    """``--duplicate-threshold J``: how alike two bodies must be to be one story's versions."""
    return click.option(
        "--duplicate-threshold",
        default=DEFAULT_THRESHOLD,
        show_default=True,
        type=click.FloatRange(min=0, max=1, min_open=True),
        metavar="J",
        help="Articles sharing at least this share of their five-word phrases are versions "
        "of one story (1: the same text).",
    )(function)


def output_options(function: Function) -> Function:
    """``--json``, ``--jsonl``, ``--csv``, ``--fields`` and ``--color``: how hits are written."""
    options = [
        click.option("--json", "as_json", is_flag=True, help="Write the hits as a JSON array."),
        click.option(
            "--jsonl", "as_jsonl", is_flag=True, help="Write a JSON object per hit, one a line."
        ),
        click.option(
            "--csv", "as_csv", is_flag=True, help="Write a CSV header, then a row per hit."
        ),
        click.option(
            "--fields",
            callback=lambda context, parameter, value: parse_keys(value),
            metavar="A,B,...",
            help=f"Write only these keys with --json, --jsonl or --csv (of {', '.join(HIT_KEYS)}).",
        ),
        color_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


class SearchCommand(Command):
    """``search``, whose query may start with ``-`` (``search -cocoa``: every article but
    those with "cocoa") when that word is not one of its options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, dash_query_last(args, self.get_params(ctx)))


def dash_query_last(args: list[str], parameters: Sequence[click.Parameter]) -> list[str]:
    """``args`` with the first word that starts with one ``-`` but is no option moved after
    a ``--``, where it reads as the query; unchanged when a query came before it, or a ``--``.

    >>> limit = click.Option(["-n", "--limit"], type=int)
    >>> dash_query_last(["-cocoa", "-n", "5"], [limit])
    ['-n', '5', '--', '-cocoa']
    >>> dash_query_last(["-n5", "-cocoa"], [limit]), dash_query_last(["a", "-b"], [limit])
    (['-n5', '--', '-cocoa'], ['a', '-b'])
    """
    options = [each for each in parameters if isinstance(each, click.Option)]
    names = {name for each in options for name in (*each.opts, *each.secondary_opts)}
    valued = {name for each in options if not each.is_flag for name in each.opts}
    position = 0
    while position < len(args):
        word = args[position]
        if word == "--" or not word.startswith("-") or word == "-":
            return args  # the query (or "--") comes first
        if word in valued:
            position += 1  # its value follows
        elif not (
            word.startswith("--")  # a misspelt long option stays an error
            or word in names
            or (word[:2] in valued and word[2:3].isdigit())  # -n5
        ):
            return [*args[:position], *args[position + 1 :], "--", word]
        position += 1
    return args


@click.command(cls=SearchCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query")
@index_option
@limit_option
@click.option(
    "--offset",
    default=0,
    show_default=True,
    type=click.IntRange(min=0, max=MAX_RESULT_WINDOW - 1),
    help=f"How many of the best hits to skip (for the next page: --offset 10); offset + limit "
    f"at most {MAX_RESULT_WINDOW:,}.",
)
@timeout_option
@output_options
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    help="Order hits by score (best first), date (oldest first) or -date (newest first). "
    "Default: score; newest first for a query of filters alone (date:1987-04).",
)
@click.option(
    "--facet",
    "facets",
    multiple=True,
    metavar="NAME",
    help="Count every matching article by speaker, credit, source or a keyword field of the "
    "index (topic), or per year, month or day as a bar chart (date, date:month) (repeatable): "
    "after the hits, or on stderr with --json, --jsonl or --csv.",
)
@versions_options
@scheduler_option
@click.option(
    "--explain",
    is_flag=True,
    help="Show what each query word added to each hit's score, per field (on stderr with "
    "--json, --jsonl or --csv).",
)
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    index_path: Path | None,
    limit: int,
    offset: int,
    timeout: float,
    as_json: bool,
    as_jsonl: bool,
    as_csv: bool,
    fields: tuple[str, ...] | None,
    color: str,
    sort: str | None,
    facets: tuple[str, ...],
    all_versions: bool,
    duplicate_threshold: float,
    scheduler: str | None,
    explain: bool,
) -> None:
    """Search the index for QUERY and show the best hits.

    Words, "exact phrases", "phrases"~5 (words at most 5 apart), AND, OR, NOT,
    +required, -excluded, (groups), field:word (headline, caption, body, quotes,
    speaker, credit), date:2017-06 or date:[2017-01-01 TO *], source:Reuters and
    the index's keyword fields (topic:cocoa, place:"west germany"), prefix*,
    co*a and wom?n wildcards, fuzzy~ words, word^2 boosts; accents fold (cafe
    finds café). A query that starts with - (every article
    without the word) goes after -- (search -- -cocoa), or alone if it is no
    option (search -cocoa). Dates and keyword values filter: they restrict what the words
    find and add nothing to scores. Articles with every word rank first. A word
    finding fewer than 3 articles may get a correction on stderr ("did you
    mean: ...?"). Versions of one story show as one hit (--all-versions: all);
    facets count every article.

    Exit status: 0 with hits, 1 with none, 2 on error.

    \b
    Examples:
      search "Byrne JAG"
      search 'speaker:Sessions "sanctuary cities" -Trump' --json
      search 'immigration' --offset 10 --csv --fields rank,id,title,speakers
      search sanctuary --facet speaker --facet credit --explain
      search '"money supply" date:1987-04' --sort -date
      search cocoa --facet topic --facet date:month
      search -- '-cocoa -coffee' --facet topic
    """
    output_format = chosen_output(as_json, as_jsonl, as_csv, fields)
    with open_index(index_path, scheduler) as index:
        known = [*index.facet_names(), "date", *(f"date:{unit}" for unit in UNITS)]
        unknown = [name for name in facets if name not in known]
        if unknown:
            raise click.BadParameter(
                f"no facet {unknown[0]!r}; choose from {', '.join(known)}", param_hint="--facet"
            )
        results = index.search(
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            timeout=timeout,
            collapse=not all_versions,
            duplicate_threshold=duplicate_threshold,
        )
        write_results(results, output_format, fields, color, facets=facets, explain=explain)
    if not results:
        ctx.exit(EXIT_NO_HITS)


def chosen_output(
    as_json: bool, as_jsonl: bool, as_csv: bool, fields: tuple[str, ...] | None
) -> str | None:
    """The output format the flags choose (``None``: the view for people); a usage error for
    two formats, or for ``--fields`` without one."""
    output_format = chosen_format(json=as_json, jsonl=as_jsonl, csv=as_csv)
    if fields is not None and output_format is None:
        raise click.UsageError("--fields chooses what --json, --jsonl or --csv write; add one")
    return output_format


def write_results(
    results: Results,
    output_format: str | None,
    fields: tuple[str, ...] | None,
    color: str,
    *,
    facets: Sequence[str] = (),
    explain: bool = False,
) -> None:
    """Write the hits for people, or as rows of ``fields`` in ``output_format``, with the
    ``facets`` asked for and, with ``explain``, each hit's explanation. Warnings and any
    suggestion go to stderr, and so do facets and explanations beside rows: stdout stays
    what ``--json``, ``--jsonl`` and ``--csv`` promise."""
    for message in results.warnings:
        warn(message)
    if results.suggestion:
        click.echo(f"did you mean: {flat(results.suggestion)}?", err=True)
    if output_format is None:
        notes = explanation_lines if explain else lambda hit: ()
        footer = "\n".join(facet_text(results, name) for name in facets)
        click.echo(results_text(results, notes, footer), color=use_color(color))
        return
    click.echo(rows_text(results.to_dicts(), fields or HIT_KEYS, output_format), nl=False)
    for name in facets:
        click.echo(f"facet {facet_text(results, name)}", err=True)
    for hit in results if explain else ():
        explained = "; ".join(clean(str(hit.explain())).splitlines())
        click.echo(f"explain {hit.rank} {one_line(hit.id)}: {explained}", err=True)


def explanation_lines(hit: Hit) -> list[str]:
    """A hit's explanation, indented to stand under it."""
    return [f"   {line}" for line in clean(str(hit.explain())).splitlines()]


def facet_text(results: Results, name: str) -> str:
    """A facet in one line, or a timeline (``date``, ``date:month``) as a bar chart."""
    if name.startswith("date"):
        _, _, unit = name.partition(":")
        timeline = results.timeline(unit or None)
        return f"articles per {timeline.unit}:\n{clean(str(timeline))}"
    return facet_line(name, results.facets[name])


def facet_line(name: str, counts: list[tuple[str, int]]) -> str:
    """A facet's most common values and their counts, in one line, saying what is counted:
    articles (each version of a story counts, since versions may differ in the value).

    >>> facet_line("speaker", [("Jeff Sessions", 3), ("Thomas Homan", 2)])
    'articles by speaker: Jeff Sessions (3), Thomas Homan (2)'
    >>> facet_line("credit", [])
    'articles by credit: none'
    """
    shown = [f"{flat(value)} ({count})" for value, count in counts[:FACET_VALUES_SHOWN]]
    if len(counts) > FACET_VALUES_SHOWN:
        shown.append(f"and {len(counts) - FACET_VALUES_SHOWN} more")
    return f"articles by {name}: {', '.join(shown) or 'none'}"


def parse_keys(value: str | None) -> tuple[str, ...] | None:
    """The hit keys named in ``--fields`` (``None`` when it isn't given).

    >>> parse_keys("id, title,id")
    ('id', 'title')
    """
    if value is None:
        return None
    keys = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in keys if name not in HIT_KEYS]
    if unknown or not keys:
        named = f"unknown {', '.join(map(repr, unknown))}" if unknown else "no key given"
        raise click.BadParameter(f"{named}; choose from {', '.join(HIT_KEYS)}")
    return keys


def chosen_format(**flags: bool) -> str | None:
    """The one output format whose flag is set, ``None`` for none (the view for people).

    >>> chosen_format(json=False, csv=True)
    'csv'
    """
    chosen = [name for name, given in flags.items() if given]
    if len(chosen) > 1:
        raise click.UsageError(f"--{' and --'.join(chosen)} can't be used together; choose one")
    return chosen[0] if chosen else None


def main() -> None:
    """Console entry point."""
    search()
