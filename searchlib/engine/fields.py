"""searchlib's fields as Whoosh field types. Text arrives analysed, as lists of terms, so
Whoosh's analyzers never run (its Porter stemmer is buggy)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from itertools import pairwise

from whoosh import fields as whoosh_fields
from whoosh.analysis import SimpleAnalyzer
from whoosh.columns import CompressedBytesColumn, VarBytesColumn
from whoosh.formats import Positions
from whoosh.system import pack_uint

from searchlib.schema import FIELDS, Field

FORMS_FIELD = next(field.name for field in FIELDS if field.kind == "forms")
SIGNATURE_FIELD = next(field.name for field in FIELDS if field.kind == "signature")


def _whoosh_field(field: Field) -> whoosh_fields.FieldType:
    # Text arrives pre-analysed as term lists, so the analyzer is only a placeholder that
    # Whoosh pickles into its table of contents; it is never run.
    if field.kind in ("stemmed", "exact", "keyword"):
        text = whoosh_fields.TEXT(analyzer=SimpleAnalyzer(), stored=field.stored, phrase=True)
        text.format = TermListPositions(field_boost=text.format.field_boost)
        return text
    if field.kind == "forms":
        return whoosh_fields.COLUMN(CompressedBytesColumn())
    if field.kind == "signature":
        # Hashes don't compress.
        return whoosh_fields.COLUMN(VarBytesColumn())
    if field.kind == "id":
        return whoosh_fields.ID(stored=field.stored, unique=field.name == "id")
    if field.kind == "date":
        # A column too: sorting and timelines read every match's date without its document.
        return whoosh_fields.DATETIME(stored=field.stored, sortable=True)
    return whoosh_fields.STORED()


class TermListPositions(Positions):
    """Whoosh's positions format, for fields whose values are lists of terms (searchlib
    analyses text itself); ``writing.SegmentWriter`` turns a list into postings with
    ``postings``, where Whoosh would first wrap each term in a token object."""

    @staticmethod
    def postings(terms: list[str | None]) -> Iterator[tuple[str, int, bytes]]:
        """Each distinct term of ``terms`` with its count and Whoosh's encoding of its
        positions (the count, then the pickled gaps between positions); a ``None`` holds a
        stop word's place, which counts in positions but is no term."""
        positions: dict[str | None, list[int]] = {}
        for position, term in enumerate(terms):
            positions.setdefault(term, []).append(position)
        positions.pop(None, None)  # once, rather than a test per word
        for term, places in positions.items():
            if len(places) == 1:
                yield term, 1, _one_position(places[0])
            else:
                gaps = [places[0], *(later - earlier for earlier, later in pairwise(places))]
                yield term, len(places), pack_uint(len(places)) + pickle.dumps(gaps, 2)


_ONE_POSITION: dict[int, bytes] = {}


def _one_position(position: int) -> bytes:
    """The encoding of a term found once, at ``position`` (most terms of a text): cached,
    since pickling costs more than looking it up."""
    encoded = _ONE_POSITION.get(position)
    if encoded is None:
        encoded = _ONE_POSITION[position] = pack_uint(1) + pickle.dumps([position], 2)
    return encoded


def whoosh_schema(fields: Sequence[Field] = FIELDS) -> whoosh_fields.Schema:
    """The Whoosh schema of ``fields``."""
    return whoosh_fields.Schema(**{field.name: _whoosh_field(field) for field in fields})
