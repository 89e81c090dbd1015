"""Snippets: the passage of an article that shows the most query words, highlighted."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Set
from dataclasses import dataclass
from itertools import accumulate

from searchlib.analysis import Token
from searchlib.articles.article import Article
from searchlib.results.occurrences import (
    count_tokens,
    matching_tokens,
    tokens_after,
    tokens_before,
)

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


def make_snippet(text: str, matching: Set[str], words: int = SNIPPET_WORDS) -> Snippet:
    """The ``words``-token passage of ``text`` with the most distinct matching forms, a few
    words of context before the first, whitespace collapsed.

    >>> text = "One. He said: “The Byrne grants.” More text."
    >>> make_snippet(text, {"byrne"}, words=4).marked("*", "*")
    '…“The *Byrne* grants.” More…'
    """
    end = min(len(text), _SNIPPET_SCAN)
    return _snippet(text, end, matching_tokens(text, matching, end), words)


def _snippet(text: str, end: int, found: list[Token], words: int) -> Snippet:
    """``make_snippet`` of ``text[:end]``, whose matching tokens are ``found``.

    Only the tokens around the matches are read. Between two matches (and before the
    first, after the last) tokens are counted up to a window and one: a gap that long keeps
    any window from holding matches on both sides of it, or from reaching an end of the
    text, so counting no further chooses the same window.
    """
    bounds = [0, *(edge for token in found for edge in (token.start, token.end)), end]
    gaps = [
        count_tokens(text, bounds[i], bounds[i + 1], words + 1) for i in range(0, len(bounds), 2)
    ]
    if not found and not gaps[0]:
        return Snippet(_WHITESPACE.sub(" ", text[:end].strip()))
    # Where each match stands, and how many tokens there are, as if no gap were longer.
    positions = [tokens + index for index, tokens in enumerate(accumulate(gaps[:-1]))]
    count = sum(gaps) + len(found)
    first = _best_window([token.text for token in found], positions, count, words)
    window, previous = _window(text, end, found, positions, first, words)
    # Keep punctuation that belongs to the first and last words (an opening “, a closing ”.).
    start = 0 if previous is None else _after_last_space(text, previous.end, window[0].start)
    stop = window[-1].end + len(_TRAILING_PUNCTUATION.match(text, window[-1].end).group())
    pieces: list[str] = ["…"] if first > 0 else []
    highlights: list[tuple[int, int]] = []
    length = len(pieces[0]) if pieces else 0
    position = start
    matched = {token.start for token in found}
    for token in window:
        gap = _WHITESPACE.sub(" ", text[position : token.start])
        raw = text[token.start : token.end]
        if token.start in matched:
            highlights.append((length + len(gap), length + len(gap) + len(raw)))
        pieces += [gap, raw]
        length += len(gap) + len(raw)
        position = token.end
    pieces.append(text[position:stop])
    if first + words < count:
        pieces.append("…")
    return Snippet("".join(pieces), tuple(highlights))


def _window(
    text: str, end: int, found: list[Token], positions: list[int], first: int, words: int
) -> tuple[list[Token], Token | None]:
    """The tokens of the window starting at token ``first`` (counted as ``_snippet`` counts),
    and the token before it. Counted back from the next match (or from the text's end, with
    none after it), the count is exact: a window starts a few tokens before a match, or a
    window's length before the text's end, where no gap is counted short."""
    if first == 0:
        return tokens_after(text, 0, end, words), None
    following = bisect_left(positions, first)
    if following == len(found):
        before = tokens_before(text, end, words + 1)
        return before[1:], before[0]
    back = positions[following] - first
    match = found[following]
    before = tokens_before(text, match.start, back + 1)
    return before[1:] + tokens_after(text, match.start, end, words - back), before[0]


def _after_last_space(text: str, start: int, end: int) -> int:
    gap = text[start:end]
    spaces = [index for index, character in enumerate(gap) if character.isspace()]
    return start + spaces[-1] + 1 if spaces else end


def _best_window(forms: list[str], positions: list[int], count: int, words: int) -> int:
    """The first token of the window holding the most distinct matches (then the most), of
    ``count`` tokens with matching ``forms`` at ``positions``."""
    best, best_key = 0, (0, 0)
    context = min(_CONTEXT_WORDS, words // 4)
    for position in positions[:_MATCHES_CONSIDERED]:
        # A little context before the match reads better, unless it pushes a match out.
        for first in (position - context, position):
            start = max(0, min(first, count - words))
            inside = [
                forms[i] for i, place in enumerate(positions) if start <= place < start + words
            ]
            key = (len(set(inside)), len(inside))
            if key > best_key:
                best, best_key = start, key
    return best


def best_snippet(article: Article, matching: Set[str]) -> Snippet:
    """The snippet from whichever text field has the most distinct matches (body first)."""
    texts = [text for name in _SNIPPET_FIELDS if (text := getattr(article, name))]
    if not texts:
        return Snippet("")
    found = [
        (text, end, matching_tokens(text, matching, end))
        for text in texts
        for end in [min(len(text), _SNIPPET_SCAN)]
    ]
    text, end, tokens = max(found, key=lambda each: len({token.text for token in each[2]}))
    return _snippet(text, end, tokens, SNIPPET_WORDS)
