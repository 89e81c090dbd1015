"""Phrases with common words: the words the index holds find the candidates, and each
candidate's text is read to check the common words between them (which are not terms, so
the index can't)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from searchlib.analysis import stop_words, words, written_words
from searchlib.engine.reading import Searcher
from searchlib.schema import TEXT_FIELDS, field_texts, to_article
from searchlib.search import syntax as tree
from searchlib.search.deadline import Deadline

CHECKED_BETWEEN_DEADLINES = 64
"""Documents read between two looks at the clock (each takes ~0.1 ms)."""


def holding_sequence(
    searcher: Searcher,
    sequence: Sequence[frozenset[str]],
    slop: int,
    fields: Iterable[str],
    candidates: Iterable[int],
    deadline: Deadline,
) -> set[int]:
    """The ``candidates`` whose text in one of ``fields`` holds ``sequence`` (see ``holds``).
    Raises ``RequestLimitError`` once the ``deadline`` has passed."""
    names = [name for name in fields if name in TEXT_FIELDS]
    if not names:
        return set(candidates)  # no text to read (speaker: names): common words unchecked
    quick = quick_test(sequence, slop)
    found = set()
    for count, number in enumerate(sorted(candidates)):
        if count % CHECKED_BETWEEN_DEADLINES == 0:
            deadline.check()
        texts = field_texts(to_article(searcher.stored_fields(number)))
        if any(
            holds(text, sequence, slop, quick) for name in names for text in texts[name] if text
        ):
            found.add(number)
    return found


def quick_test(sequence: Sequence[frozenset[str]], slop: int = 0) -> re.Pattern[str]:
    """A pattern an ASCII text, lower-cased, must match to hold ``sequence`` (reading its
    words costs ten times more): the words side by side in order (with slop, each common
    word somewhere). Numbers (written with separators) and dotted acronyms ("U.S." for
    "us") are allowed for; curly apostrophes aren't ASCII, so such text is read word by word.

    >>> bool(quick_test([{"the"}, {"who"}]).search("saw the who's show"))
    True
    >>> bool(quick_test([{"the"}, {"us"}]).search("the u.s.s' trade"))
    True
    """
    if slop or any(
        character.isdigit() for forms in sequence for form in forms for character in form
    ):
        common = [frozenset([form]) for forms in sequence for form in forms if form in stop_words()]
        # Anchored: each look-ahead then scans the text once.
        lookaheads = "".join(f"(?=.*?{_START}{_word(forms)})" for forms in common)
        return re.compile(rf"\A{lookaheads}", re.DOTALL)
    return re.compile(_START + (_END + "[^a-z0-9]*").join(map(_word, sequence)) + _END)


_START = "(?<![a-z0-9])"
_END = r"(?:(?<=\.)|(?![a-z0-9]))"
"""A word ends where no letter or digit follows, or at the dot of an acronym ("U.S.s'")."""


def _word(forms: frozenset[str]) -> str:
    """Any of a word's forms, as written: possibly dotted between letters, possibly
    possessive."""
    dotted = (r"\.?".join(map(re.escape, form)) + r"\.?" for form in sorted(forms))
    return f"(?:{'|'.join(dotted)})(?:'s?)?"


def holds(
    text: str,
    sequence: Sequence[frozenset[str]],
    slop: int = 0,
    quick: re.Pattern[str] | None = None,
) -> bool:
    """Whether ``text``'s words hold ``sequence`` somewhere: word after word, each in that
    word's accepted forms, with at most ``slop`` other words between them in all; an ASCII
    text that fails the ``quick`` test (``quick_test``) doesn't, and a text that passes it
    is read where it passed first.

    >>> holds("The Bank of England said.", [{"bank"}, {"of"}, {"england"}])
    True
    >>> holds("The Bank for England said.", [{"bank"}, {"of"}, {"england"}])
    False
    >>> holds("The band who played", [{"the"}, {"who"}], slop=1)
    True
    """
    if quick is not None:
        lowered = text.lower()
        passed = quick.finditer(lowered)
        first = next(passed, None)
        if first is None and text.isascii():
            return False
        # A text mostly holds the words where it passes the test: read the words there
        # first (a window cut at spaces, which no word crosses), the whole text only if not.
        # The window is cut from the text as written, whose words lower-casing may split
        # ("İ" becomes "i" and a combining dot): only where their offsets agree.
        # Matches are found one window at a time: the first that holds the words ends it.
        windows = _windows(text, chain([first] if first else [], passed))
        if len(lowered) == len(text) and any(
            _holds_words(words(window), sequence, slop) for window in windows
        ):
            return True
    return _holds_words(words(text), sequence, slop)


def _holds_words(tokens: list[str], sequence: Sequence[frozenset[str]], slop: int) -> bool:
    first, rest = sequence[0], sequence[1:]
    return any(
        token in first and _follows(tokens, start, rest, slop) for start, token in enumerate(tokens)
    )


def _windows(text: str, matches: Iterable[re.Match[str]]) -> Iterator[str]:
    """The text of each of ``matches`` widened to the spaces around it; one that starts in
    the window before is left out (a long text without spaces is read once, not per match).

    >>> pattern = re.compile("the who")
    >>> list(_windows("saw the who's, the who", pattern.finditer("saw the who's, the who")))
    ["the who's,", 'the who']
    """
    end = 0
    for match in matches:
        if match.start() < end:
            continue
        start, end = match.span()
        while start and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        yield text[start:end]


def _follows(tokens: list[str], start: int, rest: Sequence[frozenset[str]], slop: int) -> bool:
    """Whether ``rest`` follows ``tokens[start]`` in order, skipping at most ``slop`` tokens
    in all (the earliest fit of each word leaves the most slop for the next)."""
    position = start
    for forms in rest:
        for next_position in range(position + 1, min(len(tokens), position + 2 + slop)):
            if tokens[next_position] in forms:
                slop -= next_position - position - 1
                position = next_position
                break
        else:
            return False
    return True


def common_words_only(root: tree.Bool) -> str:
    """The text of a query made of common words alone, plain words side by side (in no
    field, without operators or boosts, which common words can't take); else "".

    >>> common_words_only(tree.Bool(should=(tree.Word("The"), tree.Word("Who"))))
    'The Who'
    >>> common_words_only(tree.Bool(should=(tree.Word("The"), tree.Word("Who"), tree.Word("live"))))
    ''
    """
    parts = root.should
    plain = all(
        isinstance(part, tree.Word)
        and not (part.field or part.prefix or part.fuzzy or part.wildcard)
        and part.boost == 1.0
        for part in parts
    )
    if not parts or root.must or root.must_not or root.boost != 1.0 or not plain:
        return ""
    text = " ".join(part.text for part in parts)  # type: ignore[union-attr]
    tokens = written_words(text)
    return text if tokens and not any(tokens) else ""
