"""Reading the shards of a sharded index as one commit: document numbers run on from shard
to shard, and ranking sees every shard's postings with the mean field lengths of all, so
document counts, document frequencies, field lengths and recurrence are those of one index.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence, Set
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any

from searchlib.engine.reading import Searcher


class ShardedSearcher:
    """A ``Searcher`` over the ``shards``' searchers (one per shard, in shard order), which
    it owns: ranks with the statistics of all of them, numbers documents one after another.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from searchlib.analysis import Stemmer
    >>> from searchlib.articles.article import Article
    >>> from searchlib.schema import to_document
    >>> from searchlib.storage.shards import ShardedFolder, create_sharded
    >>> place = Path(tempfile.mkdtemp()) / "index"
    >>> create_sharded(place, 2)
    >>> folder = ShardedFolder(place)
    >>> with folder.writing() as (writer, stemmer):
    ...     for id in ("a", "g", "h"):
    ...         writer.update(to_document(Article(id=id, body="cocoa"), stemmer))
    >>> searcher = folder.searcher()
    >>> [len(shard.all_documents()) for shard in searcher.shards], searcher.document_count()
    ([2, 1], 3)
    >>> sorted(searcher.stored_fields(number)["id"] for number in searcher.all_documents())
    ['a', 'g', 'h']
    >>> folder.close()
    """

    def __init__(self, shards: list[Searcher]) -> None:
        self._owned = shards
        # A shard without documents has no segment to read lengths or postings from: those
        # with documents are searched (``positions``: which of ``shards`` they are).
        self.positions = [position for position, shard in enumerate(shards) if shard.capacity()]
        self.shards = [shards[position] for position in self.positions]
        self.bases = [0]
        for shard in self.shards:
            shard.statistics = self
            self.bases.append(self.bases[-1] + shard.capacity())
        self._averages: dict[str, float] = {}
        self._dates: list[int | None] | None = None

    def __enter__(self) -> ShardedSearcher:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Release every shard's files."""
        for shard in self._owned:
            shard.close()

    @contextmanager
    def one_query(self) -> Iterator[None]:
        """``Searcher.one_query`` in every shard."""
        with ExitStack() as stack:
            for shard in self._owned:
                stack.enter_context(shard.one_query())
            yield

    def is_current(self) -> bool:
        """Whether no shard has had a commit since this searcher opened."""
        return all(shard.is_current() for shard in self._owned)

    def _locate(self, number: int) -> tuple[Searcher, int]:
        """The shard holding document ``number``, and its number there."""
        shard = bisect.bisect_right(self.bases, number) - 1
        return self.shards[shard], number - self.bases[shard]

    def _joined(self, parts: Iterable[Iterable[int]]) -> set[int]:
        """Each shard's document numbers (in shard order) as numbers of this searcher."""
        pairs = zip(self.bases, parts, strict=False)  # bases has one more: where numbers end
        return {base + number for base, numbers in pairs for number in numbers}

    def _split(self, documents: Iterable[int]) -> list[set[int]]:
        """Document numbers of this searcher, shard by shard, as each shard numbers them."""
        parts: list[set[int]] = [set() for _ in self.shards]
        for number in documents:
            shard = bisect.bisect_right(self.bases, number) - 1
            parts[shard].add(number - self.bases[shard])
        return parts

    def capacity(self) -> int:
        """One more than the highest document number."""
        return self.bases[-1]

    def document_count(self) -> int:
        """How many live documents the shards hold."""
        return sum(shard.document_count() for shard in self.shards)

    def all_documents(self) -> set[int]:
        """The numbers of every live document."""
        return self._joined(shard.all_documents() for shard in self.shards)

    def deleted(self) -> set[int]:
        """The numbers of deleted documents."""
        return self._joined(shard.deleted() for shard in self.shards)

    def average_length(self, field: str) -> float:
        """The mean length of ``field`` over the live documents of every shard."""
        if field not in self._averages:
            self._averages[field] = pooled_average(
                (shard.average_length(field), shard.document_count()) for shard in self.shards
            )
        return self._averages[field]

    def frequencies(
        self, pairs: Iterable[tuple[str, str, float]], length_weight: float
    ) -> dict[int, float]:
        """``Searcher.frequencies`` in every shard (normalised by all shards' lengths)."""
        pairs = list(pairs)
        combined: dict[int, float] = {}
        for base, shard in zip(self.bases, self.shards, strict=False):
            found = shard.frequencies(pairs, length_weight)
            combined.update({base + number: value for number, value in found.items()})
        return combined

    def frequency(self, number: int, pair: tuple[str, str, float], length_weight: float) -> float:
        """``Searcher.frequency`` in the shard holding document ``number``."""
        shard, local = self._locate(number)
        return shard.frequency(local, pair, length_weight)

    def document_frequency(self, field: str, term: str) -> int:
        """How many live documents of all shards hold ``term`` in ``field``."""
        return sum(shard.document_frequency(field, term) for shard in self.shards)

    def document_number(self, field: str, value: str) -> int | None:
        """The number of the live document whose ``field`` is ``value``, if any."""
        for base, shard in zip(self.bases, self.shards, strict=False):
            number = shard.document_number(field, value)
            if number is not None:
                return base + number
        return None

    def phrase_documents(self, field: str, terms: Sequence[str], slop: int = 0) -> set[int]:
        """Documents with ``terms`` in order in ``field`` (see ``Searcher``)."""
        return self._joined(shard.phrase_documents(field, terms, slop) for shard in self.shards)

    def date_documents(self, field: str, start: datetime | None, end: datetime | None) -> set[int]:
        """Documents whose ``field`` date is in ``[start, end)``."""
        return self._joined(shard.date_documents(field, start, end) for shard in self.shards)

    def keyword_values(self, name: str) -> Iterator[str]:
        """The values keyword field ``name`` holds in any shard."""
        yield from dict.fromkeys(
            value for shard in self.shards for value in shard.keyword_values(name)
        )

    def keyword_documents(self, name: str, values: Iterable[str]) -> set[int]:
        """The live documents whose keyword field ``name`` holds any of ``values``."""
        values = list(values)
        return self._joined(shard.keyword_documents(name, values) for shard in self.shards)

    def term_documents(self, field: str, terms: Iterable[str]) -> set[int]:
        """The live documents holding any of ``terms`` in ``field``."""
        terms = list(terms)
        return self._joined(shard.term_documents(field, terms) for shard in self.shards)

    def signature(self, number: int) -> bytes:
        """Document ``number``'s body signature (``Searcher.signature``)."""
        shard, local = self._locate(number)
        return shard.signature(local)

    def keyword_counts(self, name: str, documents: Set[int]) -> dict[str, int]:
        """How many of ``documents`` hold each value of keyword field ``name``."""
        counts: Counter[str] = Counter()
        for shard, part in zip(self.shards, self._split(documents), strict=True):
            counts.update(shard.keyword_counts(name, part))
        return dict(counts)

    def dates(self) -> list[int | None]:
        """Each document's date (see ``Searcher.dates``), by document number."""
        if self._dates is None:
            self._dates = [moment for shard in self.shards for moment in shard.dates()]
        return self._dates

    def forms_held(self, number: int, forms: Iterable[str]) -> set[str]:
        """Which of ``forms`` document ``number`` holds as exact word forms."""
        shard, local = self._locate(number)
        return shard.forms_held(local, forms)

    def stored_fields(self, number: int) -> dict[str, Any]:
        """The stored fields of document ``number``."""
        shard, local = self._locate(number)
        return shard.stored_fields(local)

    def stored(self, field: str, value: str) -> dict[str, Any] | None:
        """The stored fields of the document whose ``field`` is ``value``."""
        for shard in self.shards:
            found = shard.stored(field, value)
            if found is not None:
                return found
        return None

    def terms(self, field: str) -> Iterator[str]:
        """Every term of ``field`` held by a live document of any shard."""
        yield from dict.fromkeys(term for shard in self.shards for term in shard.terms(field))


def pooled_average(parts: Iterable[tuple[float, int]]) -> float:
    """The mean over shards of a field's length, from each shard's mean and document count
    (in shard order: the same sum wherever it is computed, to the last bit).

    >>> pooled_average([(10.0, 1), (4.0, 3)]), pooled_average([])
    (5.5, 0.0)
    """
    parts = list(parts)
    count = sum(documents for _, documents in parts)
    total = sum(average * documents for average, documents in parts)
    return total / count if count else 0.0
