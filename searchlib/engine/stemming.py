"""Stemming without NLTK, for query words an index never saw."""

from __future__ import annotations

from whoosh.lang.porter2 import stem as porter2_stem


def snowball_stem(word: str) -> str:
    """Whoosh's Snowball English stemmer, in pure Python (no NLTK import); searchlib uses it
    through ``analysis.stem`` for words an index never saw.

    >>> snowball_stem("sanctuaries")
    'sanctuari'
    """
    return porter2_stem(word)
