"""Versions of one story: an article's body as overlapping five-word phrases (shingles),
summed up in a MinHash signature whose bands bring versions together (``band_keys``), and
how alike two signatures say their bodies are.

Deterministic, and cheap enough to leave indexing as fast as it was: each distinct word is
hashed once with CRC-32 (never with Python's per-process ``hash`` of a string), a shingle is
the hash of the tuple of its words' codes (integers hash the same in every process, and
CPython's tuple hash has been the same since 3.8), and one pass over the shingles fills every
slot of the signature (one-permutation MinHash: a shingle's low bits choose its slot, the
slot keeps 16 bits of its smallest hash: b-bit MinHash).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from zlib import crc32

SHINGLE_WORDS = 5
"""Words per shingle: long enough that unrelated articles rarely share one."""
MIN_WORDS = 12
"""Content words a body needs to have versions: a shorter one ("Blah blah blah", the body
of hundreds of headline-only Reuters records) can't tell one story from another."""
SLOTS = 64
"""Values in a signature; its similarity estimate is off by about 0.05 around 0.8."""
ROWS = 4
"""Slots per band (four 16-bit values: one 64-bit key)."""
BANDS = 8
"""Bands, of the signature's first ``BANDS * ROWS`` slots: two bodies of shingle similarity
0.8 share one 98.5% of the time, of 0.5 40%, of 0.3 6% (candidates, then compared slot by
slot over all ``SLOTS``)."""
DEFAULT_THRESHOLD = 0.7
"""The shingle similarity (Jaccard) from which two bodies are versions of one story."""
_EMPTY = 0xFFFF
"""A slot no shingle fell into (a short body)."""
_NONE = 1 << 64
"""Above every shingle's hash."""
_SLOT_BITS = (SLOTS - 1).bit_length()
_CODES: dict[str, int] = {}
"""Each word's CRC-32, as computed so far (a worker meets the same words over and over)."""


def shingles(words: Sequence[str]) -> set[int]:
    """The hashes of a text's runs of ``SHINGLE_WORDS`` words (all of a shorter text's words
    as one).

    >>> len(shingles("one two three four five six".split()))
    2
    >>> shingles("a b c d e f".split()) & shingles("x b c d e f".split()) != set()
    True
    """
    codes = _CODES
    known = list(map(codes.get, words))
    if None in known:
        for word in words:
            if word not in codes:
                codes[word] = crc32(word.encode("utf-8", "replace"))
        known = list(map(codes.__getitem__, words))
    if len(known) < SHINGLE_WORDS:
        return {hash(tuple(known))} if known else set()
    runs = (known[start:] for start in range(SHINGLE_WORDS))
    return set(map(hash, zip(*runs, strict=False)))


def jaccard(first: set[int], second: set[int]) -> float:
    """The share of two shingle sets' shingles that both hold.

    >>> jaccard({1, 2, 3}, {2, 3, 4})
    0.5
    """
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def signature(words: Sequence[str]) -> bytes:
    """A text's MinHash signature, ``SLOTS`` 16-bit values (``b""`` for fewer than
    ``MIN_WORDS`` words).

    >>> len(signature("a story told in more than five words, twelve of them at least".split()))
    128
    >>> signature("too short".split())
    b''
    """
    if len(words) < MIN_WORDS:
        return b""
    smallest = [_NONE] * SLOTS
    mask = SLOTS - 1
    for value in shingles(words):
        slot = value & mask
        if value < smallest[slot]:
            smallest[slot] = value
    kept = [_EMPTY if value == _NONE else (value >> _SLOT_BITS) & 0xFFFF for value in smallest]
    return array("H", kept).tobytes()


def band_keys(value: bytes) -> list[int]:
    """The keys of a signature's bands, each a signed 64-bit integer (as SQLite keeps
    them): two articles sharing one are candidates. A band of empty slots (a short body)
    has none: it would pair every short body.

    >>> band_keys(b"")
    []
    >>> text = "a story told in many more than five words, twelve of them at least"
    >>> len(band_keys(signature(text.split())))
    4
    """
    if not value:
        return []
    width = 2 * ROWS
    empty = _EMPTY.to_bytes(2, "little") * ROWS
    keys = []
    for band in range(BANDS):
        rows = value[band * width : (band + 1) * width]
        if rows != empty:
            # The band's number in the top bits: the same values in two bands are no match.
            key = int.from_bytes(rows, "little", signed=True) ^ (band << 59)
            keys.append(key)
    return keys


def similarity(first: bytes, second: bytes) -> float:
    """Two signatures' estimate of their bodies' shingle similarity (``jaccard``): the
    share of the slots either filled that hold the same value.

    >>> text = "a story told in more than five words, and told again and again".split()
    >>> similarity(signature(text), signature(text))
    1.0
    """
    if not first or not second:
        return 0.0
    filled = same = 0
    for one, other in zip(array("H", first), array("H", second), strict=True):
        if one != _EMPTY or other != _EMPTY:
            filled += 1
            same += one == other
    return same / filled if filled else 0.0
