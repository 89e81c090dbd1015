"""Facets: matching articles counted by who is quoted, photo credit, source and author."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from searchlib.articles.article import Article

FACETS = ("speaker", "credit", "source", "author")
"""What ``Results.facets`` counts matching articles by."""
FACET_LIMIT = 10_000
"""Facets count at most this many matching articles (the first in index order)."""

Facets = dict[str, list[tuple[str, int]]]
"""Per facet name, ``(value, articles)`` pairs, most articles first."""


def count_facets(articles: Iterable[Article]) -> Facets:
    """How many of ``articles`` quote each speaker, and have each credit, source and author;
    most first, then by name.

    >>> from searchlib import Quote
    >>> quoted = Article("a1", "", quotes=[Quote("Yes.", "Jeff Sessions")], source="seeds")
    >>> facets = count_facets([quoted, Article("a2", "", credit="AP", authors=["Jo Li"])])
    >>> facets["speaker"], facets["credit"], facets["source"], facets["author"]
    ([('Jeff Sessions', 1)], [('AP', 1)], [('seeds', 1)], [('Jo Li', 1)])
    """
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for article in articles:
        counters["speaker"].update(article.speakers)
        counters["credit"].update([article.credit] if article.credit else [])
        counters["source"].update([article.source] if article.source else [])
        counters["author"].update(list(dict.fromkeys(article.authors)))
    return {
        name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        for name, counter in counters.items()
    }
