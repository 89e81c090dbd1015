"""Text analysis: tokens, their exact (normalised) forms and their stems.

One regular expression splits text for indexing, querying and highlighting alike, so the
three can never disagree. It is what ``nltk.tokenize.RegexpTokenizer(TOKEN_PATTERN)`` would
run (that class is a thin wrapper over ``re``); calling ``re`` directly keeps the query path
from importing NLTK (~0.2 s). Stemming is NLTK's Snowball English stemmer, imported on first
use: Whoosh's own Porter stemmer is buggy ("running" -> "runn").

Stop words (a shipped list: Snowball's, without "us") are left out of indexed text and
queries; a word written in capitals ("US", "IT", "WHO") is never a stop word.

Accents fold for matching (``café``, ``CAFÉ`` and ``cafe`` are one word), as SQLite FTS5's
default tokenizer does; the forms as written (``written_form``) are kept apart, so that
the form typed can rank first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple, TypeVar

from searchlib.data import data_lines

TOKEN_PATTERN = r"""(?x)
  (?=[^\W_])                       # a letter or digit: other places fail at once (20% faster)
  (?:(?:[^\W\d_]\.){2,}           # dotted acronyms: U.S., U.K.
  | \d+(?:[.,:]\d+)*[^\W_]*       # numbers with separators and a unit: 48, 1,000, 15.8m, 1980s
  | [^\W_]+(?:['’][^\W_]+)*       # words with inner apostrophes: don’t, O'Brien, Homan’s
  )"""
TOKEN = re.compile(TOKEN_PATTERN)
"""The compiled tokenizer, for every module that finds words in text."""
_POSSESSIVE = re.compile(r"'s?$")

ANALYZER_NAME = "searchlib-regex-1+fold-1+snowball-english+stop-1"
"""Identity of this analysis, stored in every index; an index built by another is refused."""


class Token(NamedTuple):
    """A word of a text: its exact form and where it stands (character offsets).

    A named tuple: texts have thousands of tokens, and tuples are quick to make."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=1 << 18)
def exact_form(word: str) -> str:
    """Normalise a raw token to the form the index matches: its ``written_form`` with
    accents folded. Cached, as ``_content_form``: texts are read word by word (phrases).

    >>> [exact_form(w) for w in ["U.S.", "Homan’s", "CAFÉ", "Zürich"]]
    ['us', 'homan', 'cafe', 'zurich']
    """
    return fold(written_form(word))


def fold(word: str) -> str:
    """``word`` without its accents (diacritics), as SQLite FTS5's ``remove_diacritics``.

    >>> fold("café"), fold("zürich"), fold("søren")
    ('cafe', 'zurich', 'søren')
    """
    return word if word.isascii() else _folded(word)


@lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(character for character in decomposed if not unicodedata.combining(character))


Word = TypeVar("Word", str, str | None)
"""A word, or a word or a stop word's place (``written_words``)."""


def folded(words: Iterable[Word]) -> list[Word]:
    """Each word ``fold``ed (``None``, a stop word's place, stays).

    >>> folded(["café", None, "crème"])
    ['cafe', None, 'creme']
    """
    return [word if word is None or word.isascii() else _folded(word) for word in words]


def written_form(word: str) -> str:
    """A raw token as written, normalised: lower case, straight apostrophes, acronym dots
    and possessive endings removed, thousands separators dropped; accents kept.

    >>> [written_form(w) for w in ["U.S.", "Homan’s", "1,000", "JAG", "CAFÉ"]]
    ['us', 'homan', '1000', 'jag', 'café']
    """
    word = word.lower().replace("’", "'")
    if word[0].isdigit():
        return word.replace(",", "")
    if "." in word:
        return word.replace(".", "")
    if "'" in word:
        return _POSSESSIVE.sub("", word) or word
    return word


def tokenize(text: str) -> Iterator[Token]:
    """Split ``text`` into tokens carrying their exact forms and character spans.

    >>> [t.text for t in tokenize("Miami-Dade’s U.S. grants")]
    ['miami', 'dade', 'us', 'grants']
    """
    for match in TOKEN.finditer(text):
        yield Token(exact_form(match.group()), match.start(), match.end())


def words(text: str) -> list[str]:
    """The exact forms of the tokens of ``text``, in order, stop words included.

    >>> words("Byrne JAG grants")
    ['byrne', 'jag', 'grants']
    """
    return [exact_form(raw) for raw in TOKEN.findall(text)]


def content_words(text: str) -> list[str]:
    """The exact forms of ``text`` without stop words (capitalised ones are kept).

    >>> content_words("The US and us, IT and it, café")
    ['us', 'us', 'it', 'cafe']
    """
    return folded(written_content_words(text))


def written_content_words(text: str) -> list[str]:
    """The written forms of ``text`` without stop words: ``content_words``, accents kept.

    >>> written_content_words("The café")
    ['café']
    """
    return [word for raw in TOKEN.findall(text) if (word := _content_form(raw)) is not None]


def written_words(text: str) -> list[str | None]:
    """The written forms of ``text``'s tokens, ``None`` in each stop word's place: what a
    text field indexes, so that positions count stop words ("Bank of England" holds
    "bank" and "england" two apart) while stop words themselves are never terms.

    >>> written_words("The Bank of England")
    [None, 'bank', None, 'england']
    """
    return list(map(_content_form, TOKEN.findall(text)))


@lru_cache(maxsize=1 << 18)
def _content_form(raw: str) -> str | None:
    """A raw token's written form, or ``None`` for a stop word. Cached: a few thousand
    distinct tokens make up most of any text."""
    word = written_form(raw)
    if word in stop_words() and not (len(raw) > 1 and raw.isupper()):
        return None
    return word


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The shipped English stop list."""
    return frozenset(word for line in data_lines("stopwords.txt") for word in line.split())


@lru_cache(maxsize=1)
def snowball() -> Callable[[str], str]:
    """NLTK's Snowball English stemmer, imported on the first call (importing NLTK costs
    0.1-0.8 s, so nothing on the query path calls this)."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english").stem


def stem(word: str, stemmer: Callable[[str], str] | None = None) -> str:
    """Snowball-stem an exact form, with NLTK unless another ``stemmer`` is given; numbers
    and words with digits are kept as they are (the one place this rule lives).

    >>> [stem(w) for w in ["running", "sanctuaries", "15.8m"]]
    ['run', 'sanctuari', '15.8m']
    """
    if any(character.isdigit() for character in word):
        return word
    return (stemmer or snowball())(word)


class Stemmer:
    """A caching stemmer that remembers every word it stemmed, for the index's vocabulary
    (and, for the same database, the band keys of the bodies it made documents of).

    >>> stemmer = Stemmer()
    >>> stemmer.stems(["cities", "city"])
    ['citi', 'citi']
    >>> sorted(stemmer.seen.items())
    [('cities', 'citi'), ('city', 'citi')]
    """

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}
        self.bands: list[tuple[int, str]] = []
        """``(band key, article id)`` of each body (``searchlib.shingles.band_keys``)."""

    def take(self, other: Stemmer) -> None:
        """Remember what ``other`` (a worker's stemmer) stemmed and saw.

        >>> first, second = Stemmer(), Stemmer()
        >>> _ = second.stems(["cities"])
        >>> first.take(second)
        >>> first.seen
        {'cities': 'citi'}
        """
        self.seen.update(other.seen)
        self.bands += other.bands

    def stems(self, exact_forms: Iterable[Word]) -> list[Word]:
        """Stem each word, consulting and filling the cache (``None``, a stop word's place,
        stays)."""
        words = list(exact_forms)
        seen = self.seen
        result = list(map(seen.get, words))  # None is never a key: a stop word's place stays
        if result.count(None) > words.count(None):  # words not stemmed before
            for place, word in enumerate(words):
                if result[place] is None and word is not None:
                    result[place] = seen[word] = seen.get(word) or stem(word)
        return result


def edit_distance(first: str, second: str, bound: int) -> int:
    """Edits (insert, delete, substitute, or swap two neighbouring letters, as in
    Elasticsearch's fuzzy queries) from one word to the other, or ``bound + 1`` as soon as
    it must exceed ``bound``.

    >>> edit_distance("sanctuery", "sanctuary", 2), edit_distance("kitten", "sitting", 1)
    (1, 2)
    >>> edit_distance("Bynre", "Byrne", 2)  # a swap is one edit
    1
    """
    before: list[int] = []
    previous = list(range(len(second) + 1))
    for row, character in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            distance = min(
                previous[column] + 1,
                current[column - 1] + 1,
                previous[column - 1] + (character != other),
            )
            if before and column > 1 and (character, other) == (second[column - 2], first[row - 2]):
                distance = min(distance, before[column - 2] + 1)
            current.append(distance)
        # A row's smallest distance never falls again (a swap reaches back only one row
        # further, and adds an edit), so a row all above the bound settles it.
        if min(current) > bound:
            return bound + 1
        before, previous = previous, current
    return min(previous[-1], bound + 1)
