"""Writing results and articles for people (styled or plain) and for programs (JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import click

from searchlib import Article, Hit, Results
from searchlib_cli.common import display_path

# Article text must not steer the user's terminal: drop C0/C1 controls (ESC included).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """``text`` without terminal control characters.

    >>> clean("safe\\x1b[31m text")
    'safe[31m text'
    """
    return _CONTROL.sub("", text)


def hit_lines(hit: Hit) -> Iterable[str]:
    """A hit for people: rank and title, highlighted snippet, then where it is and why."""
    yield f"{hit.rank}. " + click.style(clean(hit.title), bold=True)
    yield "   " + "".join(
        click.style(clean(piece), fg="red", bold=True) if lit else clean(piece)
        for piece, lit in hit.snippet.parts()
    )
    details = [hit.id, f"score {hit.score:.2f}"]
    if hit.fields:
        details.append("in " + ", ".join(hit.fields))
    if hit.speakers:
        details.append("said by " + ", ".join(clean(name) for name in hit.speakers))
    if hit.path:
        details.append(display_path(hit.path))
    yield "   " + click.style(" · ".join(details), dim=True)


def results_text(results: Results) -> str:
    """Every hit for people, then a count line."""
    blocks = ["\n".join(hit_lines(hit)) for hit in results]
    noun = "hit" if results.total == 1 else "hits"
    count = f"{results.total} {noun}"
    if results and len(results) < results.total:
        count = f"{results.offset + 1}-{results.offset + len(results)} of {count}"
    blocks.append(click.style(count, dim=True))
    return "\n\n".join(blocks)


def to_json(value: Any) -> str:
    """Indented JSON, keeping non-ASCII text readable."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def article_dict(article: Article) -> dict[str, Any]:
    """An article as plain data, for ``show --json``."""
    return {
        "id": article.id,
        "title": article.title,
        "headline": article.headline,
        "caption": article.caption,
        "credit": article.credit,
        "body": article.body,
        "quotes": [{"text": quote.text, "speaker": quote.speaker} for quote in article.quotes],
        "path": article.path,
        "source": article.source,
        "date": article.date.isoformat() if article.date else None,
    }


def article_text(article: Article) -> str:
    """An article for people: labelled parts, then the body, then its quotations."""
    label = {"headline": "Headline", "caption": "Caption", "credit": "Credit"}
    lines = [click.style(clean(article.title), bold=True), click.style(article.id, dim=True)]
    for name, text in (
        ("headline", article.headline),
        ("caption", article.caption),
        ("credit", article.credit),
        ("path", display_path(article.path)),
    ):
        if text:
            lines.append(f"{label.get(name, 'Path')}: {clean(text)}")
    lines += ["", clean(article.body)]
    if article.quotes:
        lines += ["", click.style(f"Quotations ({len(article.quotes)})", bold=True)]
        for quote in article.quotes:
            speaker = quote.speaker or "unattributed"
            lines.append(f"- {clean(speaker)}: “{clean(quote.text)}”")
    return "\n".join(lines)
