"""The ``searchlib`` command group: building, inspecting and reading an index."""

from __future__ import annotations

import time
from pathlib import Path

import click

from searchlib import Index
from searchlib.index import DEFAULT_PATH
from searchlib_cli.common import (
    EXIT_NO_HITS,
    Command,
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
