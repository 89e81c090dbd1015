"""The syntax tree of a query, as the grammar reads it: words, phrases, date ranges and
boolean groups, keyword values. Purely syntactic: no index, no analysis."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

Occur = Literal["must", "should", "must_not"]


class _Node:
    """Reprs that show only what differs from the defaults, so trees read at a glance."""

    def __repr__(self) -> str:
        shown = [
            f"{each.name}={getattr(self, each.name)!r}"
            for each in dataclasses.fields(self)  # type: ignore[arg-type]
            if each.repr and getattr(self, each.name) != each.default
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


@dataclasses.dataclass(frozen=True, repr=False)
class Word(_Node):
    """A word, optionally in one field; ``econ*`` is a prefix, ``Byrne~2`` fuzzy (edits),
    ``co*a`` and ``wom?n`` wildcards; ``boost`` multiplies what it adds to a score.

    ``typed`` is the clause as the user wrote it, for messages; it takes no part in
    equality."""

    text: str
    field: str | None = None
    prefix: bool = False
    fuzzy: int = 0
    wildcard: bool = False
    boost: float = 1.0
    typed: str = dataclasses.field(default="", compare=False, repr=False)


@dataclasses.dataclass(frozen=True, repr=False)
class Phrase(_Node):
    """Words in order; ``slop`` is how many moves (words) apart they may stand."""

    text: str
    field: str | None = None
    slop: int = 0
    boost: float = 1.0
    typed: str = dataclasses.field(default="", compare=False, repr=False)


@dataclasses.dataclass(frozen=True, repr=False)
class DateRange(_Node):
    """Dates from ``start`` (included) to ``end`` (excluded); ``None`` is an open end."""

    start: date | None
    end: date | None
    typed: str = dataclasses.field(default="", compare=False, repr=False)


@dataclasses.dataclass(frozen=True, repr=False)
class Keyword(_Node):
    """A keyword field's value (``topic:cocoa``, ``place:"west germany"``), matched whole."""

    field: str
    value: str
    typed: str = dataclasses.field(default="", compare=False, repr=False)


@dataclasses.dataclass(frozen=True, repr=False)
class Bool(_Node):
    """Clauses a document must match, should match (more rank higher) and must not match;
    ``boost`` multiplies what its clauses add to a score.

    With no ``must`` and no ``should``, matches every document but the excluded ones."""

    must: tuple[Syntax, ...] = ()
    should: tuple[Syntax, ...] = ()
    must_not: tuple[Syntax, ...] = ()
    boost: float = 1.0


Syntax = Word | Phrase | DateRange | Keyword | Bool


@dataclasses.dataclass
class ParsedQuery:
    """A query's syntax tree, and what was ignored or reinterpreted while reading it."""

    root: Bool
    warnings: list[str] = dataclasses.field(default_factory=list)
    plain: bool = False
    """Read as plain words (``operators=False``)."""
