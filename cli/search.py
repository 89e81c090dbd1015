"""The ``search`` command."""

from __future__ import annotations

from pathlib import Path

import click

from searchlib.results import HIT_KEYS
from searchlib_cli.common import (
    EXIT_NO_HITS,
    Command,
    color_option,
    index_option,
    open_index,
    use_color,
    warn,
)
from searchlib_cli.render import results_text, rows_text


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query")
@index_option
@click.option(
    "-n",
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many hits to show.",
)
@click.option(
    "--offset",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many of the best hits to skip (for the next page: --offset 10).",
)
@click.option("--json", "as_json", is_flag=True, help="Write the hits as a JSON array.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Write a JSON object per hit, one a line.")
@click.option("--csv", "as_csv", is_flag=True, help="Write a CSV header, then a row per hit.")
@click.option(
    "--fields",
    callback=lambda context, parameter, value: parse_keys(value),
    metavar="A,B,...",
    help=f"Write only these keys with --json, --jsonl or --csv (of {', '.join(HIT_KEYS)}).",
)
@color_option
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    index_path: Path | None,
    limit: int,
    offset: int,
    as_json: bool,
    as_jsonl: bool,
    as_csv: bool,
    fields: tuple[str, ...] | None,
    color: str,
) -> None:
    """Search the index for QUERY and show the best hits.

    Words, "exact phrases", field:word (headline, caption, body, quotes, speaker,
    credit), +required and -excluded. Articles with every word rank first.

    Exit status: 0 with hits, 1 with none, 2 on error.

    \b
    Examples:
      search "Byrne JAG"
      search 'speaker:Sessions "sanctuary cities" -Trump' --json
      search 'immigration' --offset 10 --csv --fields rank,id,title,speakers
    """
    output_format = chosen_format(json=as_json, jsonl=as_jsonl, csv=as_csv)
    if fields is not None and output_format is None:
        raise click.UsageError("--fields chooses what --json, --jsonl or --csv write; add one")
    with open_index(index_path) as index:
        results = index.search(query, limit=limit, offset=offset)
        for message in results.warnings:
            warn(message)
        if output_format:
            click.echo(rows_text(results.to_dicts(), fields or HIT_KEYS, output_format), nl=False)
        else:
            click.echo(results_text(results), color=use_color(color))
    if not results:
        ctx.exit(EXIT_NO_HITS)


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
