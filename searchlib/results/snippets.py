"""Snippets: the passage of an article that shows the most query words, highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from searchlib.analysis import Token, tokenize, words
from searchlib.articles.article import Article

SNIPPET_WORDS = 30
_SNIPPET_FIELDS = ("body", "caption", "headline", "credit")
_SNIPPET_SCAN = 200_000
"""Characters of a text searched for a snippet: a huge article must not slow every query."""
_MATCHES_CONSIDERED = 200
_CONTEXT_WORDS = 3
_WHITESPACE = re.compile(r"\s+")
_TRAILING_PUNCTUATION = re.compile(r"[^\s\w]*")


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

    def parts(self) -> Iterator[tuple[str, bool]]:
        """The text in order, as ``(piece, is_highlighted)`` pairs.

        >>> list(Snippet("a Byrne b", ((2, 7),)).parts())
        [('a ', False), ('Byrne', True), (' b', False)]
        """
        position = 0
        for start, end in self.highlights:
            if start > position:
                yield self.text[position:start], False
            yield self.text[start:end], True
            position = end
        if position < len(self.text):
            yield self.text[position:], False

    def marked(self, before: str, after: str) -> str:
        """The text with each highlight wrapped in ``before`` and ``after``."""
        return "".join(f"{before}{piece}{after}" if lit else piece for piece, lit in self.parts())


def make_snippet(text: str, matching: frozenset[str], words: int = SNIPPET_WORDS) -> Snippet:
    """The ``words``-token passage of ``text`` with the most distinct matching forms, a few
    words of context before the first, whitespace collapsed.

    >>> text = "One. He said: “The Byrne grants.” More text."
    >>> make_snippet(text, {"byrne"}, words=4).marked("*", "*")
    '…“The *Byrne* grants.” More…'
    """
    tokens = list(tokenize(text[:_SNIPPET_SCAN]))
    if not tokens:
        return Snippet(_WHITESPACE.sub(" ", text[:_SNIPPET_SCAN].strip()))
    first = _best_window(tokens, matching, words)
    window = tokens[first : first + words]
    # Keep punctuation that belongs to the first and last words (an opening “, a closing ”.).
    start = 0 if first == 0 else _after_last_space(text, tokens[first - 1].end, window[0].start)
    end = window[-1].end + len(_TRAILING_PUNCTUATION.match(text, window[-1].end).group())
    pieces: list[str] = ["…"] if first > 0 else []
    highlights: list[tuple[int, int]] = []
    length = len(pieces[0]) if pieces else 0
    position = start
    for token in window:
        gap = _WHITESPACE.sub(" ", text[position : token.start])
        raw = text[token.start : token.end]
        if token.text in matching:
            highlights.append((length + len(gap), length + len(gap) + len(raw)))
        pieces += [gap, raw]
        length += len(gap) + len(raw)
        position = token.end
    pieces.append(text[position:end])
    if first + words < len(tokens):
        pieces.append("…")
    return Snippet("".join(pieces), tuple(highlights))


def _after_last_space(text: str, start: int, end: int) -> int:
    gap = text[start:end]
    spaces = [index for index, character in enumerate(gap) if character.isspace()]
    return start + spaces[-1] + 1 if spaces else end


def _best_window(tokens: list[Token], matching: frozenset[str], words: int) -> int:
    """The first token of the window holding the most distinct matches (then the most)."""
    positions = [index for index, token in enumerate(tokens) if token.text in matching]
    best, best_key = 0, (0, 0)
    context = min(_CONTEXT_WORDS, words // 4)
    for position in positions[:_MATCHES_CONSIDERED]:
        # A little context before the match reads better, unless it pushes a match out.
        for first in (position - context, position):
            start = max(0, min(first, len(tokens) - words))
            inside = [tokens[i].text for i in positions if start <= i < start + words]
            key = (len(set(inside)), len(inside))
            if key > best_key:
                best, best_key = start, key
    return best


def best_snippet(article: Article, matching: frozenset[str]) -> Snippet:
    """The snippet from whichever text field has the most distinct matches (body first)."""
    texts = [text for name in _SNIPPET_FIELDS if (text := getattr(article, name))]
    if not texts:
        return Snippet("")
    best = max(texts, key=lambda text: len(matching.intersection(words(text[:_SNIPPET_SCAN]))))
    return make_snippet(best, matching)
