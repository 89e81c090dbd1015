"""The query language, read into a small syntax tree. Purely syntactic: no index, no analysis.

Grammar (``AND``, ``OR`` and ``NOT`` count in upper case only)::

    query       := disjunction
    disjunction := conjunction ([OR] conjunction)*      juxtaposition and OR: should-clauses
    conjunction := unary (AND unary)*                   every operand required
    unary       := (NOT | + | -)* primary               the outermost operator counts
    primary     := [field:] (word | phrase | "(" disjunction ")"[^boost] | range)
    word        := text[*][~[edits]][^boost]            econ*, Byrne~, Byrne~2, cocoa^2
    phrase      := '"' text '"'[~slop][^boost]          "sanctuary cities"~5, "cocoa crop"^3
    range       := "[" date " TO " date "]"             either date may be *

A word's ``*`` stands for any letters and ``?`` for one, anywhere in it (``co*a``, ``wom?n``,
``*coa``). A boost (``^2``, ``^0.5``) multiplies what a clause adds to a score, as in Lucene.

Fields: headline, caption, body, quotes, speaker, credit, author (case-insensitive), and ``date``,
whose words are dates: ``date:2017``, ``date:2017-06``, ``date:2017-06-01``,
``date:>=2017-06-01``, ``date:<2018``, ``date:[2017-01-01 TO *]``. A field before
parentheses applies to every word inside (``headline:(jobs OR economy)``).

Nothing a user types raises: what can't be used is dropped or read literally, and said in
``ParsedQuery.warnings``; so is what was cut to keep a query's size bounded
(``searchlib.search.bounds``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from searchlib.schema import SEARCHABLE
from searchlib.search import syntax as tree
from searchlib.search.bounds import MAX_DEPTH, MAX_LEAVES, cut_warning, cut_words
from searchlib.search.dates import DATE_FORMATS, date_bounds
from searchlib.search.modifiers import read_boost, read_number, word
from searchlib.search.syntax import Bool, DateRange, Occur, ParsedQuery, Phrase, Syntax, Word

FIELDS = (*SEARCHABLE, "date")
"""The field names a query may use."""
MAX_SLOP = 100
"""Proximity (``"a b"~5``) is capped here."""

_Clause = tuple[Occur, Syntax]


def parse(query: str, operators: bool = True, keywords: Sequence[str] = ()) -> ParsedQuery:
    """Read a query string; never raises. With ``operators=False``, every
    whitespace-separated item is a plain word (for text such as a claim or a question).
    ``keywords`` name keyword fields, whose values are matched whole (``topic:cocoa``).

    >>> parsed = parse('Byrne AND JAG police -"body cameras"~2 nosuchfield:x')
    >>> parsed.root.should
    (Bool(must=(Word(text='Byrne'), Word(text='JAG'))), Word(text='police'), Word(text='x'))
    >>> parsed.root.must_not
    (Phrase(text='body cameras', slop=2),)
    >>> parsed.warnings[0][:28]
    "unknown field 'nosuchfield':"
    >>> parse('-"body cameras"', operators=False).root.should
    (Word(text='-"body'), Word(text='cameras"'))
    """
    if not operators:
        items = query.split()
        warnings = [cut_warning(" ".join(items[MAX_LEAVES:]))] if len(items) > MAX_LEAVES else []
        root = Bool(
            should=tuple(
                Word(cut_words(item, item, warnings), typed=item) for item in items[:MAX_LEAVES]
            )
        )
        return ParsedQuery(root, warnings, plain=True)
    parser = _Parser(query, keywords)
    root = _combine(parser.disjunction(None))
    if not root.must and not root.must_not and len(root.should) == 1:
        (only,) = root.should
        root = only if isinstance(only, Bool) else root
    # Repeated mistakes (``a AND AND AND b``) say so once.
    return ParsedQuery(root, list(dict.fromkeys(parser.warnings)))


_RANGE = r"\[\s*[^\s\]]+\s+(?i:TO)\s+[^\s\]]+\s*\]"
# One alternative per kind of token, each named; every non-space character starts one of
# them. No alternative can backtrack more than linearly.
_TOKEN = re.compile(
    rf"""
      (?P<phrase>"(?P<phrase_text>[^"]*)
        (?:(?P<closing>")(?:~(?P<slop>[^\s()"^]*))?(?:\^(?P<phrase_boost>[^\s()"]*))?)?)
    | (?P<open>\()
    | (?P<close>\)(?:\^(?P<group_boost>[^\s()"]*))?)
    | (?P<range>{_RANGE})
    | (?P<sign>[+-](?=[^\s)+-]))
    | (?P<operator>(?<![+-])(?:AND|OR|NOT)(?=[\s()"]|\Z))
    | (?P<field>(?P<name>[^\W\d]\w*):(?:(?!{_RANGE})(?P<value>[^\s()"]+))?)
    | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_SIGN_OCCUR: dict[str, Occur] = {"+": "must", "-": "must_not", "NOT": "must_not"}
_USAGE = {
    "AND": "a clause on each side (a AND b)",
    "OR": "a clause on each side (a OR b)",
    "NOT": "a clause after it (NOT word)",
    "+": "a clause after it (+word)",
    "-": "a clause after it (-word)",
}

_Token = re.Match[str]


class _Parser:
    """Recursive descent over the tokens of one query, collecting warnings."""

    def __init__(self, query: str, keywords: Sequence[str] = ()) -> None:
        self.query = query
        self.keywords = tuple(keywords)
        self.fields = (*FIELDS, *self.keywords)
        self.warnings: list[str] = []
        self.tokens = self._balanced(list(_TOKEN.finditer(query)))
        self.position = 0
        self.leaves = 0

    def _balanced(self, tokens: list[_Token]) -> list[_Token]:
        """The tokens without stray ``)`` nor parentheses nested too deep; a missing ``)``
        is left for the end of the query to close."""
        kept: list[_Token] = []
        opened: list[bool] = []  # per open "(": whether it was kept
        depth = stray = too_deep = 0
        for token in tokens:
            if token.lastgroup == "open":
                opened.append(depth < MAX_DEPTH)
                if not opened[-1]:
                    too_deep += 1
                    continue
                depth += 1
            elif token.lastgroup == "close":
                if not opened:
                    stray += 1
                    continue
                if not opened.pop():
                    continue
                depth -= 1
            kept.append(token)
        if stray:
            self.warnings.append(f"ignored {stray} ')' without a '(' before it")
        if too_deep:
            self.warnings.append(
                f"ignored {too_deep} '(' nested deeper than {MAX_DEPTH} levels, with their ')'"
            )
        if depth:
            self.warnings.append(f"missing ')': closed {depth} '(' at the end of the query")
        return kept

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> _Token:
        self.position += 1
        return self.tokens[self.position - 1]

    def _at_operator(self, *names: str) -> bool:
        token = self._peek()
        return token is not None and token.lastgroup == "operator" and token.group() in names

    def _starts_clause(self) -> bool:
        token = self._peek()
        if token is None or token.lastgroup == "close":
            return False
        return token.lastgroup != "operator" or token.group() == "NOT"

    def _dangling(self, token: _Token) -> None:
        self.warnings.append(f"ignored {token.group()}: it needs {_USAGE[token.group()]}")

    def disjunction(self, field: str | None) -> list[_Clause]:
        """Clauses up to the end of the query or of the enclosing parentheses."""
        clauses: list[_Clause] = []
        started = False
        while (token := self._peek()) is not None and token.lastgroup != "close":
            if self._at_operator("AND"):  # conjunction() takes every AND that has a left side
                self._dangling(self._take())
            elif self._at_operator("OR"):
                self.position += 1
                if not started or not self._starts_clause():
                    self._dangling(token)
            else:
                started = True
                clauses.extend(self._conjunction(field))
        return clauses

    def _conjunction(self, field: str | None) -> list[_Clause]:
        first = self._unary(field)
        operands = [first] if first else []
        while self._at_operator("AND"):
            operator = self._take()
            if not operands or not self._starts_clause():
                self._dangling(operator)
            elif operand := self._unary(field):
                operands.append(operand)
        if len(operands) < 2:
            return operands
        joined = _combine(
            [("must" if occur == "should" else occur, node) for occur, node in operands]
        )
        if not joined.must:
            # Only exclusions: they exclude just as well from the enclosing clauses.
            return [("must_not", node) for node in joined.must_not]
        return [("should", joined)]

    def _unary(self, field: str | None) -> _Clause | None:
        occur: Occur | None = None
        # A loop, not recursion: "NOT NOT NOT ..." can be as long as the query.
        while (token := self._peek()) is not None and (
            token.lastgroup == "sign" or self._at_operator("NOT")
        ):
            self.position += 1
            occur = occur or _SIGN_OCCUR[token.group()]
            if not self._starts_clause():
                self._dangling(token)
                return None
        node = self._primary(field)
        return (occur or "should", node) if node is not None else None

    def _primary(self, field: str | None) -> Syntax | None:
        token = self._take()
        if token.lastgroup == "open":
            return self._group(field)
        if token.lastgroup == "field":
            return self._fielded(token, field)
        return self._leaf(token, field, token.group())

    def _group(self, field: str | None) -> Syntax | None:
        following = self._peek()
        if following is None or following.lastgroup == "close":
            self.warnings.append("ignored (): empty parentheses")
            clauses = []
        else:
            clauses = self.disjunction(field)
        boost = 1.0
        if (closing := self._peek()) is not None:  # the ")", unless the query ended first
            self.position += 1
            boost = read_boost(closing["group_boost"], "(…)", self.warnings)
        if not clauses:
            return None
        group = _collapse(_combine(clauses))
        return _boosted(group, boost) if boost != 1.0 else group

    def _fielded(self, token: _Token, field: str | None) -> Syntax | None:
        named: str | None = token["name"].lower()
        typed = token.group()
        value = token if token["value"] is not None else self._adjacent_value(token)
        if value is None:
            if named in self.fields:
                self.warnings.append(
                    f"{typed} needs its word right after the colon ({named}:word); ignored {typed}"
                )
                return None
            return self._leaf(token, field, typed)  # "Note:" is just a word
        if named not in self.fields:
            shown = "(…)" if value.lastgroup == "open" else value["value"] or value.group()
            where = f"in {field}:" if field else "in all fields"
            self.warnings.append(
                f"unknown field '{token['name']}': searched {shown} {where} instead "
                f"(fields: {', '.join(self.fields)})"
            )
            named = field
        if value is token:
            return self._leaf(token, named, typed)
        self.position += 1
        if value.lastgroup == "open":
            return self._group(named)
        return self._leaf(value, named, typed + value.group())

    def _adjacent_value(self, token: _Token) -> _Token | None:
        """The phrase, group or range written right after a field name, if any."""
        following = self._peek()
        if (
            following is not None
            and following.start() == token.end()
            and following.lastgroup in ("phrase", "open", "range")
        ):
            return following
        return None

    def _leaf(self, token: _Token, field: str | None, typed: str) -> Syntax | None:
        if self.leaves == MAX_LEAVES:
            self.warnings.append(cut_warning(self.query[token.start() :]))
            self.position = len(self.tokens)
            return None
        raw = token["value"] or token.group()  # a field's word, or the token itself
        node: Syntax | None
        if field in self.keywords:
            text = token["phrase_text"] if token.lastgroup == "phrase" else raw
            node = tree.Keyword(field, text.strip(), typed) if text.strip() else None
        elif token.lastgroup == "phrase":
            node = self._phrase(token, field, typed)
        elif field == "date":
            node = self._date(raw, typed)
        elif token.lastgroup == "range":
            self.warnings.append(f"ignored {typed}: only date: takes a range (date:{raw})")
            node = None
        else:
            node = word(raw, field, typed, self.warnings)
        self.leaves += node is not None
        return node

    def _phrase(self, token: _Token, field: str | None, typed: str) -> Syntax | None:
        text = token["phrase_text"]
        if not text.strip():
            self.warnings.append(f"ignored {typed}: empty quotes")
            return None
        if token["closing"] is None:
            self.warnings.append(f'unclosed quote: read "{text}" to the end as a phrase')
        if field == "date":
            return self._date(text.strip(), typed)
        slop = 0
        if token["slop"] is not None:
            number = read_number(token["slop"])
            if number is None:
                self.warnings.append(
                    f'ignored ~{token["slop"]} after "{text}": proximity is a number of '
                    f'words ("{text}"~5); searched the exact phrase'
                )
            elif number > MAX_SLOP:
                self.warnings.append(f"read {typed} with ~{MAX_SLOP}: at most {MAX_SLOP} words")
            slop = min(number or 0, MAX_SLOP)
        boost = read_boost(token["phrase_boost"], f'"{text}"', self.warnings)
        return Phrase(cut_words(text, typed, self.warnings), field, slop, boost, typed)

    def _date(self, text: str, typed: str) -> DateRange | None:
        bounds = date_bounds(text)
        if bounds is None:
            self.warnings.append(f"ignored {typed}: unreadable date; write {DATE_FORMATS}")
            return None
        start, end = bounds
        if start is not None and end is not None and start >= end:
            self.warnings.append(f"ignored {typed}: no date is in it (it ends before it starts)")
            return None
        return DateRange(start, end, typed)


def _combine(clauses: list[_Clause]) -> Bool:
    """The clauses as one ``Bool``, merging the parts of nested ones that mean the same
    inside it (required ``a AND b``, excluded ``a OR b``)."""
    occurs: dict[Occur, list[Syntax]] = {"must": [], "should": [], "must_not": []}
    for occur, node in clauses:
        if isinstance(node, Bool) and node.boost != 1.0:
            occurs[occur].append(node)  # its clauses score apart from the others
        elif isinstance(node, Bool) and occur == "must" and not node.should:
            occurs["must"].extend(node.must)
            occurs["must_not"].extend(node.must_not)
        elif isinstance(node, Bool) and occur == "must_not" and not (node.must or node.must_not):
            occurs["must_not"].extend(node.should)  # not (a or b) = not a, not b
        else:
            occurs[occur].append(node)
    return Bool(tuple(occurs["must"]), tuple(occurs["should"]), tuple(occurs["must_not"]))


def _collapse(group: Bool) -> Syntax:
    """A group of one clause that is wanted or required is that clause."""
    if not group.must_not and len(group.must) + len(group.should) == 1:
        return (group.must or group.should)[0]
    return group


def _boosted(node: Syntax, boost: float) -> Syntax:
    """``node`` with its boost multiplied by ``boost`` (filters have none: they don't score)."""
    if isinstance(node, Word | Phrase | Bool):
        return dataclasses.replace(node, boost=node.boost * boost)
    return node
