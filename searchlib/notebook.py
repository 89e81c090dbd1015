"""HTML views of results and articles, as notebooks show them: plain tables, all text escaped.

Each view renders the plain data that ``to_dict`` gives (the same as ``--json``), so the
views depend on no searchlib type. Article text is untrusted: every piece of it (and the
query) goes through ``html.escape``, so an article holding ``<script>`` shows it as text.
Styles are inline, so the HTML stands alone wherever it is pasted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

_CELL = "text-align:left;vertical-align:top;padding:0.25em 0.6em"
_MUTED = "color:#666"
_COLUMNS = ("#", "hit", "id", "date", "score", "fields", "speakers", "metadata")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

Data = Mapping[str, Any]
"""A hit's or an article's plain data (``to_dict()``)."""


def snippet_html(text: str, highlights: Iterable[Sequence[int]]) -> str:
    """A snippet escaped, each highlighted span (``start, end`` offsets) in ``<mark>``.

    >>> snippet_html("<b> Byrne", [(4, 9)])
    '&lt;b&gt; <mark>Byrne</mark>'
    """
    parts, position = [], 0
    for start, end in highlights:
        parts += [escape(text[position:start]), f"<mark>{escape(text[start:end])}</mark>"]
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def hit_html(hit: Data) -> str:
    """One hit as a one-row table: rank, title and snippet, id, score, fields, speakers.

    >>> row = {"rank": 1, "title": "a1", "snippet": "Byrne & JAG", "highlights": [[0, 5]],
    ...        "id": "a1", "score": 2.5, "fields": ["body"], "speakers": []}
    >>> "<mark>Byrne</mark> &amp; JAG" in hit_html(row)
    True
    """
    return _table([_hit_row(hit)])


def results_html(query: str, summary: str, warnings: Iterable[str], hits: Iterable[Data]) -> str:
    """The query and how many hits, any query warnings, then a table of the hits.

    >>> results_html("<b>walrus", "0 hits", [], [])
    '<div><p><code>&lt;b&gt;walrus</code>: 0 hits</p></div>'
    """
    parts = [f"<p><code>{escape(query)}</code>: {escape(summary)}</p>"]
    parts += [f'<p style="color:#a15c00">warning: {escape(message)}</p>' for message in warnings]
    rows = [_hit_row(hit) for hit in hits]
    if rows:
        parts.append(_table(rows))
    return f"<div>{''.join(parts)}</div>"


def article_html(article: Data) -> str:
    """An article: title, id and file, headline, caption, credit, body paragraphs, then its
    quotations with their speakers.

    >>> article = {"id": "a1", "title": "x", "body": "<script>x</script>",
    ...            "quotes": [{"text": "x", "speaker": "Al"}]}
    >>> "&lt;script&gt;" in article_html(article) and "<script>" not in article_html(article)
    True
    """
    title = article["title"]
    parts = [
        f'<h3 style="margin:0.2em 0">{escape(title)}</h3>',
        f'<p style="{_MUTED};margin-top:0"><code>{escape(article["id"])}</code>'
        + (f" · {escape(_day(article['date']))}" if article.get("date") else "")
        + (f" · {escape(article['path'])}" if article.get("path") else "")
        + "</p>",
    ]
    for label in ("headline", "caption", "credit"):
        text = article.get(label)
        # The headline is already the title.
        if text and text != title:
            parts.append(f"<p><b>{label.capitalize()}:</b> {escape(text)}</p>")
    for name, values in (article.get("metadata") or {}).items():
        parts.append(f"<p><b>{escape(name)}:</b> {escape(', '.join(values))}</p>")
    parts += [
        f"<p>{escape(' '.join(paragraph.split()))}</p>"
        for paragraph in _PARAGRAPH_BREAK.split(article["body"])
        if paragraph.strip()
    ]
    quotes = article.get("quotes") or []
    if quotes:
        items = "".join(
            f"<li>{_speaker(quote['speaker'])}: “{escape(quote['text'])}”</li>" for quote in quotes
        )
        parts.append(f"<h4>Quotations ({len(quotes)})</h4><ul>{items}</ul>")
    return f'<div style="max-width:48em">{"".join(parts)}</div>'


def _day(moment: str | None) -> str:
    """An ISO 8601 date and time as its day (the time of a news story rarely matters).

    >>> _day("1987-02-26T15:01:01"), _day(None)
    ('1987-02-26', '')
    """
    return moment[:10] if moment else ""


def timeline_html(timeline: Data) -> str:
    """A timeline (``Timeline.to_dict()``) as an SVG bar chart, a bar a period, labelled
    at its ends; each bar's title gives its period and count.

    >>> svg = timeline_html({"unit": "year", "counts": [["1986", 2], ["1987", 4]], "undated": 0})
    >>> svg.count("<rect"), "<title>1987: 4</title>" in svg
    (2, True)
    """
    counts = timeline["counts"]
    if not counts:
        return "<p>no dated articles</p>"
    width, height, most = 640, 160, max(count for _, count in counts) or 1
    step = width / len(counts)
    bars = "".join(
        f'<rect x="{index * step:.1f}" y="{height - height * count / most:.1f}" '
        f'width="{max(step - 1, 0.5):.1f}" height="{height * count / most:.1f}" fill="#4a7ab5">'
        f"<title>{escape(label)}: {count}</title></rect>"
        for index, (label, count) in enumerate(counts)
    )
    labels = (
        f'<text x="0" y="{height + 14}" font-size="11">{escape(counts[0][0])}</text>'
        f'<text x="{width}" y="{height + 14}" font-size="11" text-anchor="end">'
        f"{escape(counts[-1][0])}</text>"
    )
    undated = (
        f'<p style="{_MUTED}">undated: {timeline["undated"]}</p>' if timeline["undated"] else ""
    )
    return (
        f"<div><p>articles per {escape(timeline['unit'])}, most {most}</p>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 18}">'
        f"{bars}{labels}</svg>{undated}</div>"
    )


def _speaker(name: str | None) -> str:
    return f"<b>{escape(name)}</b>" if name else f'<i style="{_MUTED}">unattributed</i>'


def more_versions(duplicates: int) -> str:
    """What a hit standing for a story says of its other versions.

    >>> more_versions(3), more_versions(1), more_versions(0)
    ('+3 versions', '+1 version', '')
    """
    if not duplicates:
        return ""
    return f"+{duplicates} {'version' if duplicates == 1 else 'versions'}"


def _hit_row(hit: Data) -> str:
    versions = more_versions(hit.get("duplicates", 0))
    cells = (
        str(hit["rank"]),
        f"<b>{escape(hit['title'])}</b><br>{snippet_html(hit['snippet'], hit['highlights'])}"
        + (f'<br><span style="{_MUTED}">{versions}</span>' if versions else ""),
        f"<code>{escape(hit['id'])}</code>",
        escape(_day(hit.get("date"))),
        f"{hit['score']:.2f}",
        escape(", ".join(hit["fields"])),
        escape(", ".join(hit["speakers"])),
        escape(
            "; ".join(
                f"{name}: {', '.join(values)}"
                for name, values in (hit.get("metadata") or {}).items()
            )
        ),
    )
    return "<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in cells) + "</tr>"


def _table(rows: list[str]) -> str:
    header = "".join(f'<th style="{_CELL}">{name}</th>' for name in _COLUMNS)
    return (
        f'<table style="border-collapse:collapse"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
