"""The ``search`` command."""

from __future__ import annotations

from pathlib import Path

import click

from searchlib_cli.common import (
    EXIT_NO_HITS,
    Command,
    color_option,
    index_option,
    open_index,
    use_color,
    warn,
)
from searchlib_cli.render import results_text, to_json


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
@click.option("--json", "as_json", is_flag=True, help="Write the hits as a JSON array.")
@color_option
@click.pass_context
def search(
    ctx: click.Context, query: str, index_path: Path | None, limit: int, as_json: bool, color: str
) -> None:
    """Search the index for QUERY and show the best hits.

    Words, "exact phrases", field:word (headline, caption, body, quotes, speaker,
    credit), +required and -excluded. Articles with every word rank first.

    Exit status: 0 with hits, 1 with none, 2 on error.

    \b
    Examples:
      search "Byrne JAG"
      search 'speaker:Sessions "sanctuary cities" -Trump' --json
    """
    with open_index(index_path) as index:
        results = index.search(query, limit=limit)
        for message in results.warnings:
            warn(message)
        if as_json:
            click.echo(to_json(results.to_dicts()))
        else:
            click.echo(results_text(results), color=use_color(color))
    if not results:
        ctx.exit(EXIT_NO_HITS)


def main() -> None:
    """Console entry point."""
    search()
