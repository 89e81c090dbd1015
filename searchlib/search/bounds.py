"""What keeps every search bounded: how big a query may be (clauses, words in a phrase,
nested parentheses) and how deep its hits may be ranked. What is cut is said in a warning;
hits beyond the result window are refused."""

from __future__ import annotations

from itertools import islice

from searchlib.analysis import TOKEN
from searchlib.errors import RequestLimitError

MAX_LEAVES = 200
"""Words, phrases and dates beyond this many are cut (with a warning): the engine recurses
once per clause."""
MAX_PHRASE_WORDS = 32
"""A phrase, or a word of joined words (``a-b-c``), is cut after this many words (with a
warning): matching a phrase costs the square of its words, and did-you-mean checks each."""
MAX_DEPTH = 50
"""Parentheses nested deeper are ignored (with a warning), so parsing can't overflow the
stack."""
MAX_RESULT_WINDOW = 10_000
"""The deepest rank a search or ``similar`` reaches (``offset + limit``), as Elasticsearch's
``index.max_result_window``: ranking costs grow with it, and deeper pages are never read."""


def cut_words(text: str, typed: str, warnings: list[str]) -> str:
    """``text`` up to the end of its ``MAX_PHRASE_WORDS``-th word; a warning when cut.

    >>> warnings = []
    >>> cut_words("-".join(["walrus"] * 40), "the typed clause", warnings).count("walrus")
    32
    >>> warnings
    ['searched the first 32 words of the typed clause: a phrase has at most 32 words']
    """
    last = next(islice(TOKEN.finditer(text), MAX_PHRASE_WORDS - 1, None), None)
    if last is None or TOKEN.search(text, last.end()) is None:
        return text
    shown = typed if len(typed) <= 40 else typed[:40] + "…"
    warnings.append(
        f"searched the first {MAX_PHRASE_WORDS} words of {shown}: a phrase has at most "
        f"{MAX_PHRASE_WORDS} words"
    )
    return text[: last.end()]


def cut_warning(rest: str) -> str:
    """The warning for the clauses after the first ``MAX_LEAVES``, from ``rest`` on.

    >>> cut_warning("w200 w201")
    'only the first 200 words were searched; ignored the rest: w200 w201'
    """
    shown = rest if len(rest) <= 40 else rest[:40] + "…"
    return f"only the first {MAX_LEAVES} words were searched; ignored the rest: {shown}"


def check_window(offset: int, limit: int) -> None:
    """Refuse hits ranked beyond ``MAX_RESULT_WINDOW``.

    >>> check_window(10**20, 10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    searchlib.errors.RequestLimitError: offset + limit can be at most 10,000 (got 100,...,010): ...
    """
    if offset + limit > MAX_RESULT_WINDOW:
        raise RequestLimitError(
            f"offset + limit can be at most {MAX_RESULT_WINDOW:,} (got {offset + limit:,}): "
            "narrow the query (a word, a field, a date) rather than page deeper"
        )
