"""The query language: lenient parsing into clauses, then matching plans over fields.

Grammar (one clause per whitespace-separated item)::

    [+|-][field:](word | "a phrase")

Plain clauses are wanted; ``+`` makes one required and ``-`` excludes it. Documents with
every wanted clause rank above documents with only some. Nothing a user types raises:
what can't be used is left out and reported in ``ParsedQuery.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from searchlib.analysis import content_words, words
from searchlib.errors import QueryError
from searchlib.schema import FIELDS, FIELDS_BY_NAME, SEARCHABLE

DEFAULT_FIELDS = [each for each in FIELDS if each.boost and each.kind in ("stemmed", "exact")]
"""The text fields a word is searched in when the query names no field."""
DEFAULT_FIELD_NAMES = [each.name for each in DEFAULT_FIELDS]

Occur = Literal["should", "must", "must_not"]

_CLAUSE = re.compile(
    r"""(?P<sign>[+-]?)
        (?:(?P<field>[A-Za-z_]+):(?=\S))?
        (?:"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<word>[^\s"]+))""",
    re.VERBOSE,
)
_OCCUR: dict[str, Occur] = {"": "should", "+": "must", "-": "must_not"}
MAX_CLAUSES = 200
"""Longer queries are cut here (with a warning): Whoosh recurses once per clause."""


@dataclass(frozen=True)
class Term:
    """A term in one field."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Consecutive terms in one field."""

    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """Matches what any part matches; scores add up."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    """Matches what every part matches; scores add up."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Excluding:
    """Matches what ``include`` matches and ``exclude`` doesn't."""

    include: Node
    exclude: Node


@dataclass(frozen=True)
class Everything:
    """Matches every document."""


Node = Term | Phrase | AnyOf | AllOf | Excluding | Everything


@dataclass(frozen=True)
class Clause:
    """One item of a query: text to match, optionally in one field."""

    text: str
    field: str | None = None
    occur: Occur = "should"
    typed: str = ""
    """The clause as the user typed it, for messages."""


@dataclass
class ParsedQuery:
    """The clauses of a query string, and what was ignored while reading it."""

    clauses: list[Clause]
    warnings: list[str] = field(default_factory=list)
    plain: bool = False
    """Read as plain words: stop words among them are dropped without a warning."""


def parse(query: str, operators: bool = True) -> ParsedQuery:
    """Read a query string leniently; with ``operators=False``, as plain words (no fields,
    signs or phrases: for text such as a claim or a question).

    >>> parsed = parse('Byrne -"body cameras" nosuchfield:x')
    >>> [(c.text, c.occur) for c in parsed.clauses]
    [('Byrne', 'should'), ('body cameras', 'must_not'), ('x', 'should')]
    >>> parsed.warnings[0][:32]
    "unknown field 'nosuchfield' igno"
    """
    parsed = ParsedQuery([])
    if not operators:
        clauses = [Clause(word, typed=word) for word in query.split()[:MAX_CLAUSES]]
        return ParsedQuery(clauses, plain=True)
    for match in _CLAUSE.finditer(query):
        if len(parsed.clauses) == MAX_CLAUSES:
            parsed.warnings.append(f"only the first {MAX_CLAUSES} words were searched")
            break
        clause_field = match["field"]
        if clause_field is not None and clause_field.lower() not in SEARCHABLE:
            parsed.warnings.append(
                f"unknown field '{clause_field}' ignored; searched all fields "
                f"(fields: {', '.join(SEARCHABLE)})"
            )
            clause_field = None
        if match["phrase"] is not None and not match["closed"]:
            parsed.warnings.append(f'unclosed quote: read "{match["phrase"]}" as a phrase')
        text = match["phrase"] if match["phrase"] is not None else match["word"]
        if text.endswith(":") and text[:-1].lower() in SEARCHABLE:
            parsed.warnings.append(f"'{text}' needs its word right after the colon ({text}word)")
        field_name = clause_field.lower() if clause_field else None
        parsed.clauses.append(Clause(text, field_name, _OCCUR[match["sign"]], match.group()))
    return parsed


@dataclass
class Plan:
    """A parsed query turned into matching nodes, grouped by how they occur."""

    should: list[Node] = field(default_factory=list)
    must: list[Node] = field(default_factory=list)
    must_not: list[Node] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    """Every exact form and stem the plan matches (for highlighting)."""
    exact_forms: set[str] = field(default_factory=set)
    """The wanted words as typed (normalised), for the exact-form bonus."""
    fields: set[str] = field(default_factory=set)
    """The searchable fields the wanted clauses look in."""

    def tiers(self) -> list[Node]:
        """Queries to run in turn: documents with every wanted clause, then with some, then
        (when some clauses are required) with only the required ones.

        >>> plan = Plan(should=[Term("body", "a"), Term("body", "b")])
        >>> [type(tier).__name__ for tier in plan.tiers()]
        ['AllOf', 'AnyOf']
        """
        required, wanted = self.must, self.should
        tiers = [all_of([*required, *wanted])] if wanted or required else [Everything()]
        if len(wanted) > 1:
            tiers.append(all_of([*required, any_of(wanted)]))
        if required and wanted:
            tiers.append(all_of(required))
        if self.must_not:
            return [Excluding(tier, any_of(self.must_not)) for tier in tiers]
        return tiers


def plan(parsed: ParsedQuery, stems: Callable[[Iterable[str]], dict[str, str]]) -> Plan:
    """Analyse each clause and expand it over the fields it searches.

    ``stems`` maps exact forms to stems (the index's vocabulary). Raises ``QueryError``
    when nothing searchable is left.
    """
    result = Plan(warnings=list(parsed.warnings))
    clause_words = [content_words(clause.text) for clause in parsed.clauses]
    stem_of = stems(word for forms in clause_words for word in forms)
    for clause, exact_forms in zip(parsed.clauses, clause_words, strict=True):
        if not exact_forms:
            if not parsed.plain:
                result.warnings.append(_nothing_searchable(clause))
            continue
        stemmed = [stem_of[word] for word in exact_forms]
        getattr(result, clause.occur).append(_expand(clause.field, exact_forms, stemmed))
        if clause.occur != "must_not":
            result.terms.update(exact_forms, stemmed)
            result.exact_forms.update(exact_forms)
            result.fields.update([clause.field] if clause.field else DEFAULT_FIELD_NAMES)
    if not (result.should or result.must or result.must_not):
        reasons = result.warnings or ["only common words, punctuation or symbols"]
        raise QueryError("nothing to search for: " + "; ".join(reasons))
    return result


def _nothing_searchable(clause: Clause) -> str:
    if words(clause.text):
        return f"ignored {clause.typed}: only common words (stop words), which are not indexed"
    return f"ignored {clause.typed}: only punctuation or symbols"


def _expand(field_name: str | None, exact_forms: list[str], stemmed: list[str]) -> Node:
    fields = [FIELDS_BY_NAME[field_name]] if field_name else DEFAULT_FIELDS
    parts: list[Node] = []
    for searched in fields:
        terms = stemmed if searched.kind == "stemmed" else exact_forms
        boost = searched.boost or 1.0
        if len(terms) == 1:
            parts.append(Term(searched.name, terms[0], boost))
        else:
            parts.append(Phrase(searched.name, tuple(terms), boost))
    return any_of(parts)


def any_of(parts: list[Node]) -> Node:
    """``AnyOf`` the parts, or the part itself when there is one."""
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def all_of(parts: list[Node]) -> Node:
    """``AllOf`` the parts, or the part itself when there is one."""
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))
