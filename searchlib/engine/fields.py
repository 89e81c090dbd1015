"""searchlib's fields as Whoosh field types. Text arrives analysed, as lists of terms, so
Whoosh's analyzers never run (its Porter stemmer is buggy)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate

from whoosh import fields as whoosh_fields
from whoosh.analysis import SimpleAnalyzer
from whoosh.columns import VarBytesColumn
from whoosh.formats import Positions

from searchlib.engine.columns import DictionaryColumn
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
        return whoosh_fields.COLUMN(DictionaryColumn())
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
    ``postings``, where Whoosh would first wrap each term in a token object.

    A posting's positions are the gaps between them as variable-length numbers (7 bits a
    byte): a word found once at a position under 128 takes one byte, where Whoosh's own
    encoding (a count, then the gaps pickled) takes twelve. The count is the number of
    gaps. Whoosh's phrase matchers decode them through this class.
    """

    @staticmethod
    def postings(terms: list[str | None]) -> Iterator[tuple[str, int, bytes]]:
        """Each distinct term of ``terms`` with its count and the encoding of its positions;
        a ``None`` holds a stop word's place, which counts in positions but is no term."""
        positions: dict[str | None, list[int]] = {}
        for position, term in enumerate(terms):
            positions.setdefault(term, []).append(position)
        positions.pop(None, None)  # once, rather than a test per word
        for term, places in positions.items():
            if len(places) == 1:
                yield term, 1, _one_position(places[0])
            else:
                yield term, len(places), _encoded(places)

    def encode(self, poslist: list[int]) -> bytes:
        """The encoding of these positions (Whoosh's interface)."""
        return _encoded(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        """The positions of a posting's encoding (Whoosh's interface)."""
        return positions_of(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        """How many positions a posting's encoding holds (Whoosh's interface)."""
        return len(valuestring.translate(None, _CONTINUED))

    def decode_weight(self, valuestring: bytes) -> float:
        """A posting's weight: its count times the field's boost (Whoosh's interface)."""
        return self.decode_frequency(valuestring) * self.field_boost


_CONTINUED = bytes(range(0x80, 0x100))
"""The bytes of a variable-length number that more bytes of it follow."""


def _encoded(positions: Iterable[int]) -> bytes:
    """Increasing ``positions`` as their gaps, each a variable-length number.

    >>> _encoded([3, 200, 201]).hex()
    '03c50101'
    """
    encoded = bytearray()
    earlier = 0
    for position in positions:
        gap, earlier = position - earlier, position
        while gap >= 0x80:
            encoded.append(gap & 0x7F | 0x80)
            gap >>= 7
        encoded.append(gap)
    return bytes(encoded)


def positions_of(encoded: bytes) -> list[int]:
    """The positions of a posting's encoding.

    >>> positions_of(_encoded([3, 200, 201]))
    [3, 200, 201]
    """
    # Most gaps are under 128, one byte each: then the bytes are the gaps, added up in C.
    return list(accumulate(encoded if encoded.isascii() else _numbers(encoded)))


def _numbers(encoded: bytes) -> Iterator[int]:
    """The variable-length numbers of ``encoded``, in order."""
    number = shift = 0
    for byte in encoded:
        number |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            yield number
            number = shift = 0


_ONE_POSITION: dict[int, bytes] = {}


def _one_position(position: int) -> bytes:
    """The encoding of a term found once, at ``position`` (most terms of a text): cached,
    since encoding costs more than looking it up."""
    encoded = _ONE_POSITION.get(position)
    if encoded is None:
        encoded = _ONE_POSITION[position] = _encoded([position])
    return encoded


def whoosh_schema(fields: Sequence[Field] = FIELDS) -> whoosh_fields.Schema:
    """The Whoosh schema of ``fields``."""
    return whoosh_fields.Schema(**{field.name: _whoosh_field(field) for field in fields})
