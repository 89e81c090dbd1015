"""A query word's modifiers, as the grammar reads them: ``*`` and ``?`` wildcards
(``econ*``, ``co*a``, ``wom?n``), fuzziness (``Byrne~2``) and boosts (``cocoa^2``), with the
numbers they take. Purely syntactic, and never raises: what can't be used is said in
``warnings``."""

from __future__ import annotations

import re

from searchlib.search.bounds import cut_words
from searchlib.search.syntax import Word

MAX_EDITS = 2
"""Fuzzy words allow at most this many edits (``Byrne~2``): more would match almost anything."""
MAX_BOOST = 1000.0
"""Boosts (``cocoa^2``) are capped here."""
WILDCARDS = "*?"
"""Wildcards in words: ``*`` any letters (none too), ``?`` one. A ``?`` ending a word is a
question mark: people type questions."""


def word(raw: str, field: str | None, typed: str, warnings: list[str]) -> Word | None:
    """The word ``raw`` (as typed in ``typed``) with its modifiers read.

    >>> word("co*a~^2", None, "co*a~^2", warnings := [])
    Word(text='co*a', wildcard=True, boost=2.0)
    >>> warnings
    ["ignored the ~ of co*a~^2: a word can't be both a wildcard and fuzzy; searched co*a"]
    """
    boost = 1.0
    head, caret, written = raw.rpartition("^")
    if caret and head:  # a leading "^" belongs to the word
        raw, boost = head, read_boost(written, head, warnings)
    text, fuzzy = raw, 0
    head, tilde, edits = raw.rpartition("~")
    if tilde and head:  # a leading "~" belongs to the word (~/path)
        text, number = head, read_number(edits) if edits else 1
        if number is None:
            warnings.append(f"read {typed} as {head}~ (1 edit): after ~ write 1 or 2 ({head}~2)")
        elif number > MAX_EDITS:
            warnings.append(f"read {typed} as {head}~{MAX_EDITS}: at most 2 edits")
        fuzzy = min(1 if number is None else number, MAX_EDITS)
    text = cut_words(text, typed, warnings)
    pattern = text.rstrip("?") or text
    if "?" in pattern or "*" in pattern.rstrip("*"):
        return _wildcard(pattern, field, typed, fuzzy, boost, warnings)
    stem = text.rstrip("*")
    if stem == text:
        return Word(text, field, fuzzy=fuzzy, boost=boost, typed=typed)
    if not stem:
        warnings.append(f"ignored {typed}: a * goes after at least 2 characters of a word (econ*)")
        return None
    if len(stem) < 2:
        warnings.append(
            f"ignored the * of {typed}: a prefix needs at least 2 characters (econ*); "
            f"searched {stem}"
        )
        return Word(stem, field, fuzzy=fuzzy, boost=boost, typed=typed)
    if fuzzy:
        warnings.append(
            f"ignored the ~ of {typed}: a word can't be both a prefix and fuzzy; searched {stem}*"
        )
    return Word(stem, field, prefix=True, boost=boost, typed=typed)


def _wildcard(
    pattern: str, field: str | None, typed: str, fuzzy: int, boost: float, warnings: list[str]
) -> Word | None:
    letters = pattern.translate(str.maketrans("", "", WILDCARDS))
    if len(letters) < 2:
        warnings.append(
            f"ignored {typed}: a word with * or ? needs at least 2 other characters (co*a)"
        )
        return None
    if fuzzy:
        warnings.append(
            f"ignored the ~ of {typed}: a word can't be both a wildcard and fuzzy; "
            f"searched {pattern}"
        )
    return Word(pattern, field, wildcard=True, boost=boost, typed=typed)


def read_boost(text: str | None, typed: str, warnings: list[str]) -> float:
    """The boost written after a ``^`` (1 for none, or for one that isn't a number).

    >>> read_boost("0.5", "cocoa", []), read_boost(None, "cocoa", [])
    (0.5, 1.0)
    """
    if text is None:
        return 1.0
    number = read_decimal(text)
    if number is None:
        warnings.append(f"ignored ^{text} after {typed}: a boost is a number (word^2, word^0.5)")
        return 1.0
    if number > MAX_BOOST:
        warnings.append(f"read {typed}^{text} as ^{MAX_BOOST:g}: at most {MAX_BOOST:g}")
    return min(number, MAX_BOOST)


def read_decimal(text: str) -> float | None:
    """A non-negative decimal number written in ASCII (``2``, ``0.5``, ``.5``), else ``None``.

    >>> read_decimal("0.5"), read_decimal("2"), read_decimal("-1"), read_decimal("1e9")
    (0.5, 2.0, None, None)
    """
    return float(text) if re.fullmatch(r"\d+(?:\.\d*)?|\.\d+", text) else None


def read_number(text: str) -> int | None:
    """A count written in ASCII digits; huge ones (which ``int`` may refuse) as a million.

    >>> read_number("12"), read_number("x"), read_number("9" * 5000)
    (12, None, 1000000)
    """
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= 6 else 10**6
