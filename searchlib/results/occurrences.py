"""Where a text holds query words, found without tokenizing all of it.

Tokenizing a whole article to highlight a few words was most of a query's time with
snippets. A token can start only where the lower-cased text holds the first letters of a
matching form (or of its acronym: ``u.s`` for ``us``), after anything but a letter or a
digit; ``str.find`` finds those places, and only the tokens next to them are read. A token
never holds a space, so reading from any space (or any token's start or end) gives the very
tokens that reading from the text's beginning would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from functools import lru_cache
from itertools import islice

from searchlib.analysis import TOKEN, Token, exact_form, tokenize

_NON_ASCII_WORD = re.compile(r"(?=[^\x00-\x7f])[^\W_]")
"""A letter or digit outside ASCII: where case folding and accents may change a word's
length or letters, so the whole text is tokenized instead."""
_MOST_KEYS = 64
"""More first letters than this to look for (a long fuzzy query) and a tokenizer pass is
quicker than a search for each."""


def matching_tokens(text: str, matching: Set[str], end: int) -> list[Token]:
    """The tokens of ``text[:end]`` whose exact form is one of ``matching``, in order.

    >>> [tuple(t) for t in matching_tokens("U.S. grants, the grant", {"us", "grant"}, 99)]
    [('us', 0, 4), ('grant', 17, 22)]
    """
    end = min(end, len(text))
    keys = _keys(frozenset(matching))
    lowered = text[:end].lower()
    if (
        len(keys) > _MOST_KEYS
        or len(lowered) != end
        or (not text.isascii() and _NON_ASCII_WORD.search(text, 0, end))
    ):
        return [token for token in tokenize(text[:end]) if token.text in matching]
    found: list[Token] = []
    cursor = 0
    for place in sorted({place for key in keys for place in _places(lowered, key)}):
        if place < cursor:
            continue
        space = max(lowered.rfind(" ", cursor, place), lowered.rfind("\n", cursor, place))
        token = next(
            (m for m in TOKEN.finditer(text, max(space, cursor), end) if m.end() > place), None
        )
        if token is None:
            break
        if token.start() == place and (form := exact_form(token.group())) in matching:
            found.append(Token(form, place, token.end()))
        cursor = token.end() if token.start() <= place else token.start()
    return found


def _places(lowered: str, key: str) -> Iterator[int]:
    """Where ``key`` stands in ``lowered`` not right after a letter or digit (where no token
    can start: the tokenizer reads letters and digits on into the one before)."""
    place = lowered.find(key)
    while place >= 0:
        if place == 0 or not lowered[place - 1].isalnum():
            yield place
        place = lowered.find(key, place + 1)


@lru_cache(maxsize=256)
def _keys(matching: frozenset[str]) -> tuple[str, ...]:
    """What the lower-cased text holds where a token of one of these forms starts: a word's
    letters up to an apostrophe (``’`` reads as ``'``, ``'s`` is dropped), an acronym's
    first letter and dot, a number's first digit (thousands separators are dropped); none
    that another begins with. Forms outside ASCII are left out: they are only looked for in
    texts tokenized whole."""
    keys = set()
    for form in matching:
        if not form or not form.isascii():
            continue
        if form[0].isdigit():
            keys.add(form[0])
            continue
        keys.add(form.split("'")[0])
        if len(form) > 1 and form.isalpha():
            keys.add(f"{form[0]}.{form[1]}")
    return tuple(
        sorted(key for key in keys if not any(key.startswith(other) for other in keys - {key}))
    )


def tokens_after(text: str, start: int, end: int, count: int) -> list[Token]:
    """The first ``count`` tokens of ``text[start:end]``; ``start`` is 0, a space or a
    token's start or end.

    >>> [t.text for t in tokens_after("One two three", 4, 13, 5)]
    ['two', 'three']
    """
    return [_token(match) for match in islice(TOKEN.finditer(text, start, end), count)]


def tokens_before(text: str, end: int, count: int) -> list[Token]:
    """The last ``count`` tokens of ``text[:end]``; ``end`` is a space or a token's start
    or end, or where the text is cut.

    >>> [t.text for t in tokens_before("One two three", 7, 5)]
    ['one', 'two']
    """
    reach = 16 * count
    while True:
        before = max(end - reach, 0)
        start = max(text.rfind(" ", 0, before), text.rfind("\n", 0, before), 0)
        matches = list(TOKEN.finditer(text, start, end))
        if len(matches) >= count or start == 0:
            return [_token(match) for match in matches[max(len(matches) - count, 0) :]]
        reach *= 4


def count_tokens(text: str, start: int, end: int, most: int) -> int:
    """How many tokens ``text[start:end]`` holds, counting no further than ``most``;
    ``start`` is 0, a space or a token's start or end.

    >>> count_tokens("One two three", 0, 13, 2)
    2
    """
    return len(list(islice(TOKEN.finditer(text, start, end), most)))


def _token(match: re.Match[str]) -> Token:
    return Token(exact_form(match.group()), match.start(), match.end())
