"""Writing results and articles for people (styled or plain) and for programs (JSON, JSON
Lines, CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

from searchlib import Article, Hit, Results
from searchlib.notebook import more_versions
from searchlib_cli.common import UNSAFE_IN_JSON, clean, display_path, flat, one_line


def hit_lines(hit: Hit) -> Iterable[str]:
    """A hit for people: rank and title, highlighted snippet, then where it is and why."""
    yield f"{hit.rank}. " + click.style(flat(hit.title), bold=True)
    yield "   " + "".join(
        click.style(clean(piece), fg="red", bold=True) if lit else clean(piece)
        for piece, lit in hit.snippet.parts()
    )
    day = f"{hit.date:%Y-%m-%d}" if hit.date else ""
    details = [one_line(hit.id), day, f"score {hit.score:.2f}", _where(hit)]
    details.insert(1, more_versions(hit.duplicates))
    if hit.path:
        details.append(display_path(hit.path))
    yield "   " + click.style(" · ".join(detail for detail in details if detail), dim=True)
    if hit.article.metadata:
        yield "   " + click.style(flat(metadata_text(hit.article.metadata)), dim=True)


def metadata_text(metadata: dict[str, list[str]]) -> str:
    """Keyword fields in one line.

    >>> metadata_text({"topic": ["cocoa"], "place": ["usa", "uruguay"]})
    'topic: cocoa; place: usa, uruguay'
    """
    return "; ".join(f"{name}: {', '.join(values)}" for name, values in metadata.items())


def _where(hit: Hit) -> str:
    """Where the query matched, in words: "in body and quotes, said by Jeff Sessions"."""
    # A match on a speaker's name is a match on who said a quotation: it reads as "quotes".
    places = list(dict.fromkeys("quotes" if name == "speaker" else name for name in hit.fields))
    phrases = [f"in {joined(places)}"] if places else []
    if hit.speakers:
        phrases.append("said by " + joined([flat(name) for name in hit.speakers]))
    return ", ".join(phrases)


def joined(names: Sequence[str]) -> str:
    """Names as a sentence lists them.

    >>> joined(["headline", "body", "quotes"])
    'headline, body and quotes'
    """
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def results_text(
    results: Results, notes: Callable[[Hit], Iterable[str]] = lambda hit: (), footer: str = ""
) -> str:
    """Every hit for people, each followed by its ``notes`` lines; then ``footer``, if any,
    and a count line."""
    blocks = ["\n".join([*hit_lines(hit), *notes(hit)]) for hit in results]
    blocks += [footer] if footer else []
    blocks.append(click.style(results.summary, dim=True))
    return "\n\n".join(blocks)


def rows_text(rows: list[dict[str, Any]], keys: Sequence[str], output_format: str) -> str:
    """Hits for programs with only ``keys``: a JSON array, JSON Lines or CSV (``"json"``,
    ``"jsonl"``, ``"csv"``); JSON Lines and CSV write no row for no hits.

    >>> rows_text([{"id": "a1", "rank": 1}], ["id"], "jsonl")
    '{"id": "a1"}\\n'
    """
    if output_format == "csv":
        return to_csv(rows, keys)
    picked = [{key: row[key] for key in keys} for row in rows]
    if output_format == "jsonl":
        return "".join(to_json(row, indent=None) + "\n" for row in picked)
    return to_json(picked) + "\n"


def to_csv(rows: list[dict[str, Any]], keys: Sequence[str]) -> str:
    """A header of ``keys``, then a row for each of ``rows``.

    >>> print(to_csv([{"id": "a1", "fields": ["body", "quotes"]}], ["id", "fields"]), end="")
    id,fields
    a1,body; quotes
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    writer.writerows([csv_cell(row[key]) for key in keys] for row in rows)
    return buffer.getvalue()


def csv_cell(value: Any) -> Any:
    """A value as one CSV cell: lists joined with "; ", a highlight span as ``start:end``,
    text without terminal controls (a CSV file is often looked at in a terminal) and, when
    it starts as a formula would, after a single quote; numbers stay numbers.

    >>> csv_cell([[4, 9], [10, 13]]), csv_cell(["Jeff Sessions"]), csv_cell(None)
    ('4:9; 10:13', 'Jeff Sessions', '')
    >>> print(csv_cell('=HYPERLINK("http://example.com")'), csv_cell(-2.5))
    '=HYPERLINK("http://example.com") -2.5
    """
    if value is None:
        return ""
    if isinstance(value, dict):
        return clean(metadata_text(value))
    if isinstance(value, list):
        value = "; ".join(
            ":".join(map(str, item)) if isinstance(item, list) else str(item) for item in value
        )
    if not isinstance(value, str):
        return value
    # A spreadsheet runs a cell starting with = + - @ or a tab (or their full-width forms;
    # carriage returns are dropped as controls) as a formula, which can fetch URLs or run
    # commands: OWASP's advice on CSV injection is to make it plain text with a leading quote.
    text = clean(value)
    return f"'{text}" if text.lstrip(" ")[:1] in _FORMULA_STARTS else text


_FORMULA_STARTS = frozenset("=+-@\t\uff1d\uff0b\uff0d\uff20")


def to_json(value: Any, indent: int | None = 2) -> str:
    """JSON keeping non-ASCII text readable, with every control character escaped: C0 and
    C1 controls, DEL, the bidirectional controls, the line and paragraph separators and
    lone surrogates come out as ``\\uXXXX``, so the text is intact and safe in a terminal.

    >>> print(to_json({"title": "evil\\u202e\\x9b31m"}, indent=None))
    {"title": "evil\\u202e\\u009b31m"}
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    # Outside strings, JSON is ASCII: every such character found here is inside one.
    return UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def article_text(article: Article) -> str:
    """An article for people: labelled parts, then the body, then its quotations."""
    label = {"headline": "Headline", "caption": "Caption", "credit": "Credit", "date": "Date"}
    lines = [
        click.style(flat(article.title), bold=True),
        click.style(one_line(article.id), dim=True),
    ]
    for name, text in (
        ("headline", flat(article.headline or "")),
        ("caption", flat(article.caption or "")),
        ("credit", flat(article.credit or "")),
        ("date", article.date.isoformat() if article.date else ""),
        ("path", display_path(article.path)),
    ):
        if text:
            lines.append(f"{label.get(name, 'Path')}: {text}")
    lines += [f"{name}: {flat(', '.join(values))}" for name, values in article.metadata.items()]
    lines += ["", clean(article.body)]
    if article.quotes:
        lines += ["", click.style(f"Quotations ({len(article.quotes)})", bold=True)]
        for quote in article.quotes:
            speaker = quote.speaker or "unattributed"
            lines.append(f"- {flat(speaker)}: “{flat(quote.text)}”")
    return "\n".join(lines)
