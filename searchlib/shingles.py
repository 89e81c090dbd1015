"""Versions of one story: an article's body as overlapping five-word phrases (shingles),
summed up in a MinHash signature whose bands are the index terms that bring versions
together, and how alike two signatures say their bodies are.

Deterministic: words are hashed with BLAKE2b, never with Python's per-process ``hash``,
so every worker process and every later search agrees. One pass of one hash per shingle
fills all the signature's slots (one-permutation MinHash: the hash's top bits choose a slot,
the slot keeps its smallest hash), a tenth of the cost of one hash function per slot.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import lru_cache
from hashlib import blake2b

SHINGLE_WORDS = 5
"""Words per shingle: long enough that unrelated articles rarely share one."""
MIN_WORDS = 12
"""Content words a body needs to have versions: a shorter one ("Blah blah blah", the body
of hundreds of headline-only Reuters records) can't tell one story from another."""
SLOTS = 64
"""Values in a signature; its similarity estimate is off by about 0.05 around 0.8."""
ROWS = 4
"""Slots per band: two bodies of shingle similarity 0.8 share a band 99.98% of the time,
of 0.5 64%, of 0.3 12% (candidates, then compared slot by slot)."""
BANDS = SLOTS // ROWS
DEFAULT_THRESHOLD = 0.7
"""The shingle similarity (Jaccard) from which two bodies are versions of one story."""
_EMPTY = 0xFFFFFFFF
"""A slot no shingle fell into (a short body)."""
_MASK = (1 << 64) - 1
_MULTIPLIER = 0x9E3779B97F4A7C15
_FORMAT = f"<{SLOTS}I"


def shingles(words: Sequence[str]) -> set[int]:
    """The 64-bit hashes of a text's runs of ``SHINGLE_WORDS`` words (all of a shorter
    text's words as one).

    >>> len(shingles("one two three four five six".split()))
    2
    >>> shingles("a b c d e f".split()) & shingles("x b c d e f".split()) != set()
    True
    """
    hashes = [_word_hash(word) for word in words]
    if not hashes:
        return set()
    found = set()
    for start in range(max(1, len(hashes) - SHINGLE_WORDS + 1)):
        combined = 0
        for value in hashes[start : start + SHINGLE_WORDS]:
            combined = ((combined ^ value) * _MULTIPLIER) & _MASK
        found.add(combined ^ (combined >> 29))
    return found


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    return int.from_bytes(blake2b(word.encode("utf-8", "replace"), digest_size=8).digest())


def jaccard(first: set[int], second: set[int]) -> float:
    """The share of two shingle sets' shingles that both hold.

    >>> jaccard({1, 2, 3}, {2, 3, 4})
    0.5
    """
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def signature(words: Sequence[str]) -> bytes:
    """A text's MinHash signature (``b""`` for fewer than ``MIN_WORDS`` words).

    >>> len(signature("a story told in more than five words, twelve of them at least".split()))
    256
    >>> signature("too short".split())
    b''
    """
    if len(words) < MIN_WORDS:
        return b""
    found = shingles(words)
    slots = [_EMPTY] * SLOTS
    for value in found:
        slot, rest = value >> 58, value & _EMPTY
        if rest < slots[slot]:
            slots[slot] = rest
    return struct.pack(_FORMAT, *slots)


def band_terms(value: bytes) -> list[str]:
    """The index terms of a signature's bands: two articles sharing one are candidates.
    A band of empty slots (a short body) has none: it would pair every short body.

    >>> band_terms(b"")
    []
    >>> text = "a story told in many more than five words, twelve of them at least"
    >>> len(band_terms(signature(text.split())))
    6
    """
    if not value:
        return []
    slots = struct.unpack(_FORMAT, value)
    terms = []
    for band in range(BANDS):
        rows = slots[band * ROWS : (band + 1) * ROWS]
        if any(row != _EMPTY for row in rows):
            packed = struct.pack(f"<{ROWS}I", *rows)
            terms.append(f"{band:x}{blake2b(packed, digest_size=8).hexdigest()}")
    return terms


def similarity(first: bytes, second: bytes) -> float:
    """Two signatures' estimate of their bodies' shingle similarity (``jaccard``): the
    share of the slots either filled that hold the same value.

    >>> text = "a story told in more than five words, and told again and again".split()
    >>> similarity(signature(text), signature(text))
    1.0
    """
    if not first or not second:
        return 0.0
    pairs = zip(struct.unpack(_FORMAT, first), struct.unpack(_FORMAT, second), strict=True)
    filled = same = 0
    for one, other in pairs:
        if one != _EMPTY or other != _EMPTY:
            filled += 1
            same += one == other
    return same / filled if filled else 0.0
