"""Reading one commit of an index: postings and field lengths for ranking, phrase and date
matches through Whoosh's matchers, stored fields, per-document word forms."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence, Set
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any, Protocol

from whoosh import query as whoosh_query
from whoosh.reading import TermNotFound
from whoosh.util.times import long_to_datetime

from searchlib.engine.blocks import prefix_counts, term_arrays, term_blocks
from searchlib.engine.fields import FORMS_FIELD, SIGNATURE_FIELD
from searchlib.engine.files import read_segment_directly
from searchlib.engine.lengths import length_scale, mean_length, segment_lengths
from searchlib.engine.phrases import in_order, phrase_positions
from searchlib.schema import held_forms, keyword_term

SMALL_FIELD = 1024
"""A field holding at most this many words in all has its terms read once per commit, so
that a query word it lacks costs no look-up in Whoosh's terms file (~20 µs each): captions
or credits that few articles have, searched for every query word."""


class Statistics(Protocol):
    """Where ranking takes mean field lengths from: one commit (a ``Searcher`` itself), or
    every shard of a sharded index, so that each shard ranks as one index would."""

    def average_length(self, field: str) -> float:
        """The mean number of terms ``field`` holds per live document."""


class Searcher:
    """Reads one commit of the index: postings and lengths for ranking, stored fields."""

    statistics: Statistics
    """The mean field lengths ``frequencies`` normalise with (this commit's by default)."""

    def __init__(self, searcher: Any) -> None:
        self.statistics = self
        self._searcher = searcher
        self._reader = searcher.reader()
        self._leaves: list[tuple[Any, int]] = list(self._reader.leaf_readers())
        for leaf, _ in self._leaves:
            read_segment_directly(leaf)
        self._bases = [base for _, base in self._leaves]
        self._lengths: dict[str, bytes] = {}
        self._averages: dict[str, float] = {}
        self._deleted: set[int] | None = None
        self._scales: dict[tuple[str, float, float], list[float]] = {}
        self._forms: Any = None
        self._signatures: list[tuple[int, Any]] | None = None
        self._dates: list[int | None] | None = None
        self._small_lexicons: dict[str, frozenset[str] | None] = {}
        self._looked_up: dict[tuple[str, str], list[tuple[int, Any, Any]]] | None = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index files."""
        self._searcher.close()
        # Results may keep this searcher (to compare with the current one): drop what it
        # holds, so a closed searcher keeps no file or buffer alive.
        self._searcher = self._reader = self._forms = self._signatures = None
        self._leaves, self._lengths = [], {}

    @contextmanager
    def one_query(self) -> Iterator[None]:
        """Within it, each term is looked up in Whoosh's terms file once (~20 µs a look-up):
        a query's ranking and its did-you-mean ask about the same words."""
        if self._looked_up is not None:  # already within one
            yield
            return
        self._looked_up = {}
        try:
            yield
        finally:
            self._looked_up = None

    def is_current(self) -> bool:
        """Whether no commit has happened since this searcher opened."""
        return self._searcher.up_to_date()

    def generation(self) -> int:
        """The number of the commit this searcher reads (a later commit has a higher one)."""
        return self._reader.generation()

    def document_count(self) -> int:
        """How many live documents this commit holds."""
        return self._reader.doc_count()

    def capacity(self) -> int:
        """One more than the highest document number (deleted documents included)."""
        return self._reader.doc_count_all()

    def all_documents(self) -> set[int]:
        """The numbers of every live document."""
        return set(range(self._reader.doc_count_all())) - self.deleted()

    def deleted(self) -> set[int]:
        """The numbers of deleted documents (their postings remain until a merge)."""
        if self._deleted is None:
            self._deleted = {
                base + number
                for leaf, base in self._leaves
                if leaf.has_deletions()
                for number in leaf.deleted_docs_set
            }
        return self._deleted

    def average_length(self, field: str) -> float:
        """The mean number of terms ``field`` holds per live document, from the lengths as
        stored (one byte each): Whoosh's totals count deleted documents until a merge, and
        their exact lengths are gone, so this is what an updated index and a fresh build of
        the same articles agree on."""
        if not self.document_count():
            return 0.0
        if field not in self._averages:
            lengths = self._field_lengths(field)
            self._averages[field] = mean_length(lengths, self.deleted(), self.document_count())
        return self._averages[field]

    def frequencies(
        self, pairs: Iterable[tuple[str, str, float]], length_weight: float
    ) -> dict[int, float]:
        """Per document, the sum over ``(field, term, weight)`` pairs of the term's frequency
        times ``weight``, divided by the field's relative length (BM25F's combined
        frequency): ``1 - b + b * length / average`` with ``b = length_weight``."""
        combined: dict[int, float] = {}
        get = combined.get
        for field, term, lengths, scale in self.scales(pairs, length_weight):
            for base, numbers, counts in self._postings(field, term):
                for number, count in zip(numbers, counts, strict=True):
                    document = base + number
                    combined[document] = get(document, 0.0) + count * scale[lengths[document]]
        return _live(combined, self.deleted())

    def scales(
        self, pairs: Iterable[tuple[str, str, float]], length_weight: float
    ) -> Iterator[tuple[str, str, bytes, list[float]]]:
        """What ``frequencies`` scales each posting by, for each pair whose field may hold
        its term: the field, the term, the field's length codes by document number, and the
        factor a count in a field of each code is multiplied by."""
        for field, term, weight in pairs:
            average = self.statistics.average_length(field)
            if average and self._may_hold(field, term):
                scale = self._scale(field, weight, length_weight, average)
                yield field, term, self._field_lengths(field), scale

    def posting_arrays(self, field: str, term: str, numpy: Any) -> Iterator[tuple[int, Any, Any]]:
        """``(base, numbers, counts)`` of a term's postings in each segment, as NumPy arrays
        (see ``blocks.term_arrays``), deleted documents included."""
        for base, leaf, info in self._term_infos(field, term):
            numbers, counts = term_arrays(leaf, info, numpy)
            yield base, numbers, counts

    def postings_count(self, pairs: Iterable[tuple[str, str, float]]) -> int:
        """How many postings ``frequencies`` would read for ``pairs`` (deleted documents'
        included), from the terms' entries alone."""
        return sum(
            info.doc_frequency()
            for field, term, _ in pairs
            if self._may_hold(field, term)
            for _, _, info in self._term_infos(field, term)
        )

    def _may_hold(self, field: str, term: str) -> bool:
        """Whether ``field`` may hold ``term``: ``False`` only when the field is so small
        (``SMALL_FIELD``) that its every term is known, and ``term`` is not one of them."""
        if field not in self._small_lexicons:
            lexicon = None
            if self._reader.field_length(field) <= SMALL_FIELD:
                terms = list(islice(self._reader.lexicon(field), SMALL_FIELD + 1))
                if len(terms) <= SMALL_FIELD:
                    lexicon = frozenset(term.decode("utf-8") for term in terms)
            self._small_lexicons[field] = lexicon
        lexicon = self._small_lexicons[field]
        return lexicon is None or term in lexicon

    def _scale(
        self, field: str, weight: float, length_weight: float, average: float
    ) -> list[float]:
        """``length_scale`` for each of the 256 length codes (lengths are stored as bytes)."""
        key = (field, weight, length_weight)
        if key not in self._scales:
            self._scales[key] = [
                length_scale(weight, length_weight, average, code) for code in range(256)
            ]
        return self._scales[key]

    def frequency(self, number: int, pair: tuple[str, str, float], length_weight: float) -> float:
        """``frequencies`` of one ``(field, term, weight)`` pair, in document ``number`` only."""
        field, term, weight = pair
        average = self.statistics.average_length(field)
        count = self._count(number, field, term)
        if not (average and count):
            return 0.0
        code = self._field_lengths(field)[number]
        return count * length_scale(weight, length_weight, average, code)

    def _count(self, number: int, field: str, term: str) -> float:
        """How often ``term`` occurs in ``field`` of document ``number``."""
        for leaf, base in self._leaves:
            if base <= number < base + leaf.doc_count_all():
                try:
                    matcher = leaf.postings(field, term)
                except TermNotFound:
                    return 0.0
                # Skips whole blocks of postings: one document's count costs little. (A
                # matcher over only deleted documents starts inactive, and can't skip.)
                if matcher.is_active():
                    matcher.skip_to(number - base)
                found = matcher.is_active() and matcher.id() == number - base
                return matcher.weight() if found else 0.0
        return 0.0

    def document_frequency(self, field: str, term: str) -> int:
        """How many live documents hold ``term`` in ``field``."""
        if not self._reader.has_deletions():
            return sum(info.doc_frequency() for _, _, info in self._term_infos(field, term))
        deleted = self.deleted()
        return sum(
            sum(1 for number in numbers if base + number not in deleted)
            for base, numbers, _ in self._postings(field, term)
        )

    def document_number(self, field: str, value: str) -> int | None:
        """The number of the live document whose ``field`` is ``value``, if any."""
        # From the term's postings, not through Whoosh's query and matchers (a tenth of
        # the time): stories look up every candidate version by id.
        deleted = self.deleted()
        for base, numbers, _ in self._postings(field, value):
            for number in numbers:
                if base + number not in deleted:
                    return base + number
        return None

    def _postings(self, field: str, term: str) -> Iterator[tuple[int, Any, Any]]:
        """``(base, numbers, counts)`` blocks of a term's postings, deleted documents included."""
        for base, leaf, info in self._term_infos(field, term):
            yield from term_blocks(base, leaf, info)

    def _term_infos(self, field: str, term: str) -> list[tuple[int, Any, Any]]:
        """``(base, leaf, term info)`` for each segment holding ``term`` in ``field``."""
        key = (field, term)
        if self._looked_up is not None and key in self._looked_up:
            return self._looked_up[key]
        term_bytes = term.encode("utf-8")
        found = []
        for leaf, base in self._leaves:
            terms = getattr(leaf, "_terms", None)  # an empty index's reader has none
            if terms is None:
                continue
            try:
                found.append((base, leaf, terms.term_info(field, term_bytes)))
            except TermNotFound:
                continue
        if self._looked_up is not None:
            self._looked_up[key] = found
        return found

    def _field_lengths(self, field: str) -> bytes:
        """Every document's length code for ``field``, one byte per document number."""
        if field not in self._lengths:
            self._lengths[field] = b"".join(
                segment_lengths(leaf, field) for leaf, _ in self._leaves
            )
        return self._lengths[field]

    def phrase_documents(self, field: str, terms: Sequence[str], slop: int = 0) -> set[int]:
        """Documents with ``terms`` in order in ``field``, at most ``slop`` words apart."""
        held = phrase_positions([self._term_infos(field, term) for term in terms])
        return in_order(held, slop + 1) - self.deleted()

    def date_documents(self, field: str, start: datetime | None, end: datetime | None) -> set[int]:
        """Documents whose ``field`` date is in ``[start, end)`` (an open end is ``None``)."""
        dates = whoosh_query.DateRange(field, start, end, endexcl=True)
        return set(self._searcher.docs_for_query(dates))

    def keyword_values(self, name: str) -> Iterator[str]:
        """The values keyword field ``name`` holds (some perhaps in deleted documents only)."""
        prefix = keyword_term(name, "")
        for term in self._reader.expand_prefix("keywords", prefix):
            yield term.decode("utf-8")[len(prefix) :]

    def keyword_documents(self, name: str, values: Iterable[str]) -> set[int]:
        """The live documents whose keyword field ``name`` holds any of ``values``."""
        return self.term_documents("keywords", (keyword_term(name, value) for value in values))

    def term_documents(self, field: str, terms: Iterable[str]) -> set[int]:
        """The live documents holding any of ``terms`` in ``field``."""
        found: set[int] = set()
        for term in terms:
            for base, numbers, _ in self._postings(field, term):
                found.update(base + number for number in numbers)
        return found - self.deleted()

    def keyword_counts(self, name: str, documents: Set[int]) -> dict[str, int]:
        """How many of ``documents`` (live ones) hold each value of keyword field ``name``."""
        return prefix_counts(self._leaves, "keywords", keyword_term(name, ""), documents)

    def dates(self) -> list[int | None]:
        """Each document's date as a number that sorts as dates do (microseconds since the
        year 1; see ``moment``), ``None`` for an undated one; by document number."""
        if self._dates is None:
            # Leaf by leaf: a segment of undated articles has no date column, and Whoosh's
            # multi-segment column would leave its documents out.
            self._dates = []
            for leaf, _ in self._leaves:
                if leaf.has_column("date"):
                    missing = leaf.schema["date"].column_type.default_value()
                    values = leaf.column_reader("date", translate=False)
                    self._dates += [None if value == missing else value for value in values]
                else:
                    self._dates += [None] * leaf.doc_count_all()
        return self._dates

    def forms_held(self, number: int, forms: Iterable[str]) -> set[str]:
        """Which of ``forms`` document ``number`` holds as exact word forms."""
        if self._forms is None:
            if not self._reader.has_column(FORMS_FIELD):
                return set()
            self._forms = self._reader.column_reader(FORMS_FIELD)
        return held_forms(self._forms[number], forms)

    def signature(self, number: int) -> bytes:
        """Document ``number``'s body signature (``searchlib.shingles``; ``b""``: none)."""
        if self._signatures is None:
            # Leaf by leaf: a segment of articles without bodies has no signature column.
            self._signatures = [
                (
                    base,
                    leaf.column_reader(SIGNATURE_FIELD)
                    if leaf.has_column(SIGNATURE_FIELD)
                    else None,
                )
                for leaf, base in self._leaves
            ]
        base, column = self._signatures[bisect_right(self._bases, number) - 1]
        return b"" if column is None else column[number - base]

    def stored_fields(self, number: int) -> dict[str, Any]:
        """The stored fields of document ``number``."""
        return self._searcher.stored_fields(number)

    def stored(self, field: str, value: str) -> dict[str, Any] | None:
        """The stored fields of the document whose ``field`` is ``value``."""
        return self._searcher.document(**{field: value})

    def terms(self, field: str) -> Iterator[str]:
        """Every term of ``field`` held by a live document."""
        reader = self._reader
        check_live = reader.has_deletions()
        for term in reader.lexicon(field):
            text = term.decode("utf-8")
            if not check_live or self.document_number(field, text) is not None:
                yield text


def moment(value: int) -> datetime:
    """A date of ``Searcher.dates`` as a ``datetime``.

    >>> moment(62679830400000000)
    datetime.datetime(1987, 4, 1, 0, 0)
    """
    return long_to_datetime(value)


def _live(combined: dict[int, float], deleted: set[int]) -> dict[int, float]:
    """``combined`` without the ``deleted`` documents."""
    if not deleted:
        return combined
    if len(deleted) < len(combined):
        for number in deleted:
            combined.pop(number, None)
        return combined
    return {number: value for number, value in combined.items() if number not in deleted}
