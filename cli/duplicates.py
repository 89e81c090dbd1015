"""The ``searchlib duplicates`` command: the stories an index holds in more than one
version, or the versions of one article."""

from __future__ import annotations

from pathlib import Path

import click

from searchlib import Article
from searchlib_cli.common import EXIT_NO_HITS, Command, flat, index_option, one_line, open_index
from searchlib_cli.render import to_json
from searchlib_cli.search import duplicate_threshold_option


@click.command("duplicates", cls=Command)
@click.argument("article_id", metavar="[ID]", required=False)
@index_option
@duplicate_threshold_option
@click.option(
    "-n",
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many stories to show, largest first (without ID).",
)
@click.option("--json", "as_json", is_flag=True, help="Write the stories as JSON arrays.")
@click.pass_context
def duplicates(
    ctx: click.Context,
    article_id: str | None,
    index_path: Path | None,
    duplicate_threshold: float,
    limit: int,
    as_json: bool,
) -> None:
    """Show the stories the index holds in more than one version, largest first: each
    version's id, date and title, earliest first. With ID, the versions of that
    article's story. Exit 1 when there are none (ID: no other version), 2 when no
    article has this ID.

    \b
    Examples:
      searchlib duplicates
      searchlib duplicates bbc/business/001 --json
    """
    with open_index(index_path) as index:
        if article_id is None:
            stories = index.duplicates(threshold=duplicate_threshold)[:limit]
        else:
            stories = [index.versions(article_id, threshold=duplicate_threshold)]
    stories = [story for story in stories if len(story) > 1]
    if as_json:
        click.echo(to_json([[version_dict(article) for article in story] for story in stories]))
    else:
        click.echo("\n\n".join(story_text(story) for story in stories) or "no duplicates")
    if not stories:
        ctx.exit(EXIT_NO_HITS)


def version_dict(article: Article) -> dict[str, str | None]:
    """One version as JSON shows it."""
    date = article.date.isoformat() if article.date else None
    return {"id": article.id, "date": date, "title": article.title, "path": article.path}


def story_text(story: list[Article]) -> str:
    """A story for people: how many versions, then one line each, earliest first.

    >>> print(story_text([Article(id="a", body="x"), Article(id="b", body="x")]))
    2 versions
      a · x
      b · x
    """
    lines = [f"{len(story)} versions"]
    for article in story:
        day = f"{article.date:%Y-%m-%d}" if article.date else ""
        details = [one_line(article.id), day, flat(article.title)]
        lines.append("  " + " · ".join(detail for detail in details if detail))
    return "\n".join(lines)
