"""HTML views of results and articles, as notebooks show them: plain tables, all text escaped.

Article text is untrusted: every piece of it (and the query) goes through ``html.escape``,
so an article holding ``<script>`` shows it as text. Styles are inline, so the HTML stands
alone wherever it is pasted.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from searchlib.article import Article
    from searchlib.results import Hit, Results, Snippet

_CELL = "text-align:left;vertical-align:top;padding:0.25em 0.6em"
_MUTED = "color:#666"
_COLUMNS = ("#", "hit", "id", "score", "fields", "speakers")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def snippet_html(snippet: Snippet) -> str:
    """The snippet escaped, each highlight in ``<mark>``.

    >>> from searchlib.results import Snippet
    >>> snippet_html(Snippet("<b> Byrne", ((4, 9),)))
    '&lt;b&gt; <mark>Byrne</mark>'
    """
    return "".join(
        f"<mark>{escape(piece)}</mark>" if lit else escape(piece) for piece, lit in snippet.parts()
    )


def hit_html(hit: Hit) -> str:
    """One hit as a one-row table: rank, title and snippet, id, score, fields, speakers.

    >>> from searchlib import Article, Hit
    >>> article = Article(id="a1", body="Byrne & JAG")
    >>> hit = Hit("a1", 1, 2.5, article.title, article, frozenset({"byrne"}))
    >>> "<mark>Byrne</mark> &amp; JAG" in hit_html(hit)
    True
    """
    return _table([_hit_row(hit)])


def results_html(results: Results) -> str:
    """The query and how many hits, any query warnings, then a table of the hits.

    >>> from searchlib import Results
    >>> results_html(Results("<b>walrus", [], count=lambda: 0))
    '<div><p><code>&lt;b&gt;walrus</code>: 0 hits</p></div>'
    """
    parts = [f"<p><code>{escape(results.query)}</code>: {escape(results.summary)}</p>"]
    parts += [
        f'<p style="color:#a15c00">warning: {escape(message)}</p>' for message in results.warnings
    ]
    if results:
        parts.append(_table([_hit_row(hit) for hit in results]))
    return f"<div>{''.join(parts)}</div>"


def article_html(article: Article) -> str:
    """An article: title, id and file, headline, caption, credit, body paragraphs, then its
    quotations with their speakers.

    >>> from searchlib import Article, Quote
    >>> article = Article(id="a1", body="<script>x</script>", quotes=[Quote("x", "Al")])
    >>> "&lt;script&gt;" in article_html(article) and "<script>" not in article_html(article)
    True
    """
    parts = [
        f'<h3 style="margin:0.2em 0">{escape(article.title)}</h3>',
        f'<p style="{_MUTED};margin-top:0"><code>{escape(article.id)}</code>'
        + (f" · {escape(article.path)}" if article.path else "")
        + "</p>",
    ]
    for label, text in (
        ("Headline", article.headline),
        ("Caption", article.caption),
        ("Credit", article.credit),
    ):
        # The headline is already the title.
        if text and text != article.title:
            parts.append(f"<p><b>{label}:</b> {escape(text)}</p>")
    parts += [
        f"<p>{escape(' '.join(paragraph.split()))}</p>"
        for paragraph in _PARAGRAPH_BREAK.split(article.body)
        if paragraph.strip()
    ]
    if article.quotes:
        items = "".join(
            f"<li>{_speaker(quote.speaker)}: “{escape(quote.text)}”</li>"
            for quote in article.quotes
        )
        parts.append(f"<h4>Quotations ({len(article.quotes)})</h4><ul>{items}</ul>")
    return f'<div style="max-width:48em">{"".join(parts)}</div>'


def _speaker(name: str | None) -> str:
    return f"<b>{escape(name)}</b>" if name else f'<i style="{_MUTED}">unattributed</i>'


def _hit_row(hit: Hit) -> str:
    cells = (
        str(hit.rank),
        f"<b>{escape(hit.title)}</b><br>{snippet_html(hit.snippet)}",
        f"<code>{escape(hit.id)}</code>",
        f"{hit.score:.2f}",
        escape(", ".join(hit.fields)),
        escape(", ".join(hit.speakers)),
    )
    return "<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in cells) + "</tr>"


def _table(rows: list[str]) -> str:
    header = "".join(f'<th style="{_CELL}">{name}</th>' for name in _COLUMNS)
    return (
        f'<table style="border-collapse:collapse"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
