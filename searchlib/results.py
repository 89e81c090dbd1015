"""Search results: ranked hits with highlighted snippets, and their plain-data views."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from searchlib.analysis import tokenize, words
from searchlib.article import Article

SNIPPET_WORDS = 30
_SNIPPET_FIELDS = ("body", "caption", "headline", "credit")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """A passage of an article with the spans that matched the query.

    >>> snippet = Snippet("the Byrne JAG grants", ((4, 9), (10, 13)))
    >>> snippet.marked("[", "]")
    'the [Byrne] [JAG] grants'
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def __str__(self) -> str:
        return self.text

    def marked(self, before: str, after: str) -> str:
        """The text with each highlight wrapped in ``before`` and ``after``."""
        pieces, position = [], 0
        for start, end in self.highlights:
            pieces += [self.text[position:start], before, self.text[start:end], after]
            position = end
        pieces.append(self.text[position:])
        return "".join(pieces)


def make_snippet(text: str, matching: set[str], words: int = SNIPPET_WORDS) -> Snippet:
    """The ``words``-token passage of ``text`` with the most distinct matching forms.

    >>> make_snippet("One. The Byrne grants.\\n\\nMore text.", {"byrne"}, words=3).marked("*", "*")
    '…The *Byrne* grants…'
    """
    tokens = list(tokenize(text))
    if not tokens:
        return Snippet(_WHITESPACE.sub(" ", text.strip()))
    first = _best_window(tokens, matching, words)
    window = tokens[first : first + words]
    pieces: list[str] = ["…"] if first > 0 else []
    highlights: list[tuple[int, int]] = []
    length = len(pieces[0]) if pieces else 0
    for index, token in enumerate(window):
        if index:
            gap = _WHITESPACE.sub(" ", text[window[index - 1].end : token.start])
            pieces.append(gap)
            length += len(gap)
        raw = text[token.start : token.end]
        if token.text in matching:
            highlights.append((length, length + len(raw)))
        pieces.append(raw)
        length += len(raw)
    tail = text[window[-1].end :]
    closing = re.match(r"[^\s\w]*", tail)
    pieces.append(closing.group() if closing else "")
    if first + words < len(tokens):
        pieces.append("…")
    return Snippet("".join(pieces), tuple(highlights))


def _best_window(tokens: list[Any], matching: set[str], words: int) -> int:
    positions = [index for index, token in enumerate(tokens) if token.text in matching]
    best, best_key = 0, (0, 0)
    for start in positions:
        inside = [tokens[i].text for i in positions if start <= i < start + words]
        key = (len(set(inside)), len(inside))
        if key > best_key:
            best, best_key = start, key
    # Start a little before the first match, so it reads in context.
    return max(0, min(best - 3, len(tokens) - words)) if positions else 0


@dataclass
class Hit:
    """One ranked result."""

    id: str
    rank: int
    score: float
    title: str
    snippet: Snippet
    fields: tuple[str, ...]
    """The fields the query matched in, e.g. ``("body", "quotes")``."""
    speakers: tuple[str, ...]
    """Who said the quotations the query matched."""
    article: Article = field(repr=False)

    @property
    def headline(self) -> str | None:
        return self.article.headline

    @property
    def path(self) -> str | None:
        return self.article.path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with stable keys."""
        return {
            "id": self.id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "title": self.title,
            "headline": self.headline,
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "path": self.path,
            "fields": list(self.fields),
            "speakers": list(self.speakers),
        }


def quoting(article: Article, matching: set[str]) -> tuple[str, ...]:
    """Speakers of the article's quotations that contain a matching form."""
    return tuple(
        dict.fromkeys(
            quote.speaker
            for quote in article.quotes
            if quote.speaker and not matching.isdisjoint(words(quote.text))
        )
    )


def best_snippet(article: Article, matching: set[str]) -> Snippet:
    """The snippet from whichever text field shows the most distinct matches (body first)."""
    candidates = [
        make_snippet(text, matching) for name in _SNIPPET_FIELDS if (text := getattr(article, name))
    ]
    if not candidates:
        return Snippet("")
    return max(
        candidates,
        key=lambda snippet: len({snippet.text[a:b].lower() for a, b in snippet.highlights}),
    )


@dataclass
class Results(Sequence[Hit]):
    """The hits of a search, best first, with the total count and any query warnings."""

    query: str
    hits: list[Hit]
    total: int
    offset: int = 0
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.hits)

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...
    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        return self.hits[index]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every hit as a plain dict (see ``Hit.to_dict``)."""
        return [hit.to_dict() for hit in self.hits]


def matched_fields(
    matched: Sequence[tuple[str, str]] | frozenset[tuple[str, str]], order: Sequence[str]
) -> tuple[str, ...]:
    """The searchable fields among ``(field, term)`` matches, in schema order."""
    names = {name for name, _ in matched}
    return tuple(name for name in order if name in names)
