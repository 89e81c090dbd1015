"""Phrases with common words: the words the index holds find the candidates, and each
candidate's text is read to check the common words between them (which are not terms, so
the index can't)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from searchlib.analysis import words
from searchlib.engine.reading import Searcher
from searchlib.schema import TEXT_FIELDS, field_texts, to_article
from searchlib.search.deadline import Deadline

CHECKED_BETWEEN_DEADLINES = 64
"""Documents read between two looks at the clock (each takes ~0.1 ms)."""


def holding_sequence(
    searcher: Searcher,
    sequence: Sequence[frozenset[str]],
    fields: Iterable[str],
    candidates: Iterable[int],
    deadline: Deadline,
) -> set[int]:
    """The ``candidates`` whose text in one of ``fields`` holds ``sequence``: word after word,
    each in that word's accepted forms. Raises ``RequestLimitError`` once the ``deadline``
    has passed."""
    names = [name for name in fields if name in TEXT_FIELDS]
    if not names:
        return set(candidates)  # no text to read (speaker: names): common words unchecked
    # Every common word must be in the text (a quick test on the lower-cased text first).
    literal = [next(iter(forms)) for forms in sequence if len(forms) == 1]
    found = set()
    for count, number in enumerate(sorted(candidates)):
        if count % CHECKED_BETWEEN_DEADLINES == 0:
            deadline.check()
        texts = field_texts(to_article(searcher.stored_fields(number)))
        if any(holds(text, sequence, literal) for name in names for text in texts[name] if text):
            found.add(number)
    return found


def holds(text: str, sequence: Sequence[frozenset[str]], literal: Sequence[str] = ()) -> bool:
    """Whether ``text``'s words hold ``sequence`` somewhere (``literal``: words it must
    contain, as a quick test first).

    >>> holds("The Bank of England said.", [{"bank"}, {"of"}, {"england"}])
    True
    >>> holds("The Bank for England said.", [{"bank"}, {"of"}, {"england"}])
    False
    """
    lowered = text.lower().replace("’", "'")  # as words are read (written_form)
    if not all(word in lowered for word in literal):
        return False
    tokens = words(text)
    first, rest = sequence[0], sequence[1:]
    return any(
        token in first
        and all(tokens[start + offset] in forms for offset, forms in enumerate(rest, start=1))
        for start, token in enumerate(tokens[: len(tokens) - len(rest)])
    )
