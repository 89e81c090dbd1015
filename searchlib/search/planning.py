"""Query plans: a parsed query (``searchlib.search.grammar``) analysed into matching nodes.

Each word is analysed as indexed text is (tokens, stop words, stems) and expanded over the
fields it searches: a word with no field over every default text field, ranked as one
BM25F term. A prefix (``econ*``) or fuzzy word (``Sesions~``) becomes the index's words
that fit it. Anything that can't be searched is left out and said in ``Plan.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import Protocol

from searchlib.analysis import TOKEN, edit_distance, fold, folded, words, written_words
from searchlib.errors import QueryError
from searchlib.schema import FIELDS, FIELDS_BY_NAME, TEXT_FIELDS, Field
from searchlib.search import syntax as tree
from searchlib.search.grammar import parse
from searchlib.search.phrases import common_words_only
from searchlib.search.syntax import ParsedQuery

__all__ = [
    "Bool",
    "Dates",
    "Keyword",
    "Lexicon",
    "Node",
    "Phrase",
    "Plan",
    "Terms",
    "is_filter",
    "parse",
    "plan",
]

DEFAULT_FIELDS = [each for each in FIELDS if each.boost and each.kind in ("stemmed", "exact")]
"""The text fields a word is searched in when the query names no field."""
MAX_EXPANSIONS = 50
"""A prefix, wildcard or fuzzy word matches at most this many of the index's words (the
shortest, or the closest; a warning says so)."""
MAX_FUZZY_WORDS = 10
"""Fuzzy words after this many in a query are searched as typed (with a warning): each one
compares every indexed word of about its length with it, tens of milliseconds."""
_PATTERN = re.compile(r"(?:[^\W_]|[*?])+")
"""A wildcard word: letters and digits, ``*`` and ``?``."""
_SYMBOLS = re.compile(r"[+#@&%]+")
"""Symbols that change what a word means (C++, C#, AT&T); dropping them is worth a warning,
unlike prose punctuation or currency signs."""


class Lexicon(Protocol):
    """What planning needs to know of an index's words (``Vocabulary`` provides it)."""

    def stems(self, words: Iterable[str]) -> dict[str, str]:
        """The stem of each word."""

    def forms(self, stems: Iterable[str]) -> set[str]:
        """Every word the index holds with one of ``stems``."""

    def prefixed(self, prefix: str, limit: int) -> list[str]:
        """Words the index holds that start with ``prefix``, shortest first."""

    def near(self, word: str, edits: int, limit: int) -> list[str]:
        """Words the index holds within ``edits`` edits of ``word``, closest first."""

    def matching(self, pattern: str, limit: int) -> list[str]:
        """Words the index holds that fit ``pattern`` (``*`` any letters, ``?`` one),
        shortest first."""


@dataclass(frozen=True)
class Terms:
    """One query word: documents holding any of its ``(field, term, weight)`` pairs. Ranked
    as one BM25F term: the pairs' frequencies add up, each times its weight (its field's);
    ``boost`` multiplies the word's score (``cocoa^2``)."""

    pairs: tuple[tuple[str, str, float], ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in order, at most ``slop`` words apart, in one of ``fields`` (each field with
    the terms it holds for the words: stems or exact forms). Positions count common (stop)
    words, which are not terms: a phrase holding some has a ``sequence``, each of its words'
    accepted forms in order (a common word itself; another, every form of its stem), which
    the text of a document matching the other words must hold (``search.phrases``)."""

    words: tuple[Terms, ...]
    fields: tuple[tuple[str, tuple[str, ...]], ...]
    slop: int = 0
    sequence: tuple[frozenset[str], ...] = ()
    apart: int = 1
    """How many places apart (common words between) two of ``words`` stand at most."""


@dataclass(frozen=True)
class Dates:
    """Documents dated in ``[start, end)``; ``None`` leaves that end open."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Keyword:
    """Documents whose keyword field ``field`` holds ``value`` (compared by ``keyword_key``:
    case, hyphens and spacing aside)."""

    field: str
    value: str


@dataclass(frozen=True)
class Bool:
    """Documents matching every ``must`` node (or, with none, any ``should`` node; with
    neither, every document), every ``filter`` node and no ``must_not`` node. ``must`` and
    ``should`` nodes add to the score; ``filter`` nodes only restrict the matches."""

    must: tuple[Node, ...] = ()
    should: tuple[Node, ...] = ()
    must_not: tuple[Node, ...] = ()
    filter: tuple[Node, ...] = ()


Node = Terms | Phrase | Dates | Keyword | Bool


def is_filter(node: Node) -> bool:
    """Whether a node only restricts matches and never scores: a date range, a keyword
    value, or a group of them (Elasticsearch's filter context).

    >>> is_filter(Dates(None, None)), is_filter(Bool(should=(Dates(None, None),)))
    (True, True)
    """
    if isinstance(node, Bool):
        parts = (*node.must, *node.should, *node.filter)
        return bool(parts) and all(map(is_filter, parts))
    return isinstance(node, Dates | Keyword)


@dataclass
class Plan:
    """A parsed query turned into a tree of matching nodes, and what it searches for."""

    root: Bool
    warnings: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    """Every exact form and stem the plan matches (for highlighting)."""
    exact_forms: set[str] = field(default_factory=set)
    """The wanted words as typed (normalised), for the exact-form bonus."""
    fields: set[str] = field(default_factory=set)
    """The searchable fields the wanted clauses look in."""
    stems: dict[str, str] = field(default_factory=dict)
    """The stems of the query's words (all looked up at once; did-you-mean asks again)."""


def plan(parsed: ParsedQuery, lexicon: Lexicon) -> Plan:
    """Analyse a parsed query against an index's words. Raises ``QueryError`` when nothing
    searchable is left.

    >>> class Same:  # a lexicon whose stems are the words themselves
    ...     def stems(self, words): return {word: word for word in words}
    >>> plan(parse("+jag -police"), Same()).root.must
    (Terms(pairs=(('headline', 'jag', 2.0), ...), boost=1.0),)
    """
    planner = _Planner(parsed, lexicon)
    planner.stems(list(_text_words(parsed.root)))
    common_words = common_words_only(parsed.root)
    if common_words:
        # A query of common words alone ("The Who", "to be or not to be") means them in order.
        parsed = ParsedQuery(
            tree.Bool(should=(tree.Phrase(common_words),)), parsed.warnings, parsed.plain
        )
    root = planner.bool(parsed.root, wanted=True)
    if root is None:
        reasons = planner.plan.warnings or ["only common words, punctuation or symbols"]
        raise QueryError("nothing to search for: " + "; ".join(reasons))
    if parsed.plain or not isinstance(root, Bool):
        # Plain words (a claim, a headline, an article's distinctive words) are ranked by
        # score alone, as one clause: such a text's words are seldom all in one article,
        # and ranking the articles holding them all first favours long ones over close ones.
        root = Bool(should=(root,))
    planner.plan.root = root
    planner.plan.warnings = list(dict.fromkeys(planner.plan.warnings))  # each said once
    return planner.plan


class _Planner:
    def __init__(self, parsed: ParsedQuery, lexicon: Lexicon) -> None:
        self.plan = Plan(Bool(), warnings=list(parsed.warnings))
        self.lexicon = lexicon
        self.plain = parsed.plain
        self.fuzzy_words = 0

    def node(self, syntax: tree.Syntax, wanted: bool, boost: float) -> Node | None:
        if isinstance(syntax, tree.Bool):
            return self.bool(syntax, wanted, boost)
        if isinstance(syntax, tree.DateRange):
            return Dates(_moment(syntax.start), _moment(syntax.end))
        if isinstance(syntax, tree.Keyword):
            return Keyword(syntax.field, syntax.value)
        return self.text(syntax, wanted, boost * syntax.boost)

    def bool(self, syntax: tree.Bool, wanted: bool, boost: float = 1.0) -> Node | None:
        """A group's nodes, each word's boost multiplied by the group's (and ``boost``)."""
        boost *= syntax.boost

        def planned(parts: tuple[tree.Syntax, ...], part_wanted: bool) -> tuple[Node, ...]:
            nodes = (self.node(part, part_wanted, boost) for part in parts)
            return tuple(node for node in nodes if node is not None)

        must, should = planned(syntax.must, wanted), planned(syntax.should, wanted)
        must_not = planned(syntax.must_not, False)
        filters: tuple[Node, ...] = ()
        if not all(map(is_filter, (*must, *should))):
            # Filters beside words restrict what the words find ("money supply" date:1987-04
            # is the money supply stories of April), never add stories of their own.
            filters = tuple(node for node in (*must, *should) if is_filter(node))
            must = tuple(node for node in must if not is_filter(node))
            should = tuple(node for node in should if not is_filter(node))
        if not (must or should or must_not or filters):
            return None
        if not must and not must_not and not filters and len(should) == 1:
            return should[0]
        return Bool(must, should, must_not, filters)

    def text(self, syntax: tree.Word | tree.Phrase, wanted: bool, boost: float) -> Node | None:
        tokens = written_words(syntax.text)  # None for each common word
        written = [word for word in tokens if word is not None]
        forms = folded(written)  # matched with accents folded; the bonus goes to the written
        typed = syntax.typed or syntax.text
        fields = [FIELDS_BY_NAME[syntax.field]] if syntax.field else DEFAULT_FIELDS
        # A phrase (or a word of several, "state-of-the-art") keeps its common words, where
        # there is text to read them in (not in speaker or author names).
        in_order = isinstance(syntax, tree.Phrase) or len(tokens) > 1
        readable = any(each.name in TEXT_FIELDS for each in fields)
        if not forms and not (in_order and tokens and readable):
            if not self.plain:
                self.plan.warnings.append(_nothing_searchable(typed, syntax.text))
            return None
        if isinstance(syntax, tree.Word) and syntax.fuzzy:
            self.fuzzy_words += 1
            if self.fuzzy_words > MAX_FUZZY_WORDS:
                if self.fuzzy_words == MAX_FUZZY_WORDS + 1:
                    self.plan.warnings.append(
                        f"searched the fuzzy words after the first {MAX_FUZZY_WORDS} as typed, "
                        f"from {typed} on"
                    )
                syntax = tree.Word(syntax.text, syntax.field, boost=syntax.boost)
        if isinstance(syntax, tree.Word) and syntax.wildcard:
            return self.expanded(syntax, [fold(syntax.text.lower())], fields, wanted, boost)
        if isinstance(syntax, tree.Word) and (syntax.prefix or syntax.fuzzy):
            return self.expanded(syntax, forms, fields, wanted, boost, written)
        if not self.plain and isinstance(syntax, tree.Word):
            dropped = "".join(_SYMBOLS.findall(TOKEN.sub(" ", syntax.text)))
            if dropped:
                self.plan.warnings.append(
                    f"searched {typed} as {' '.join(written)}: ignored {dropped!r}"
                )
        stems = self.stems(forms)
        stemmed = [stems[form] for form in forms]
        if wanted:
            self.note(forms, stemmed, fields, written)
        words = tuple(_terms(fields, [(form, stems[form])], boost) for form in forms)
        slop = syntax.slop if isinstance(syntax, tree.Phrase) else 0
        common = len(tokens) > len(forms)
        sequence = self.sequence(syntax.text, tokens, stems) if common else ()
        if len(words) == 1 and not sequence:
            return words[0]
        held = tuple(
            (each.name, tuple(stemmed if each.kind == "stemmed" else forms)) for each in fields
        )
        # The engine matches the words at most as far apart as the common words between
        # them put them; the sequence then pins each common word.
        places = [place for place, token in enumerate(tokens) if token is not None]
        apart = max((later - earlier for earlier, later in pairwise(places)), default=1)
        return Phrase(words, held, slop, sequence, apart)

    def stems(self, forms: list[str]) -> dict[str, str]:
        """The stems of ``forms`` (and of the query's other words looked up so far)."""
        if missing := [form for form in forms if form not in self.plan.stems]:
            self.plan.stems.update(self.lexicon.stems(missing))
        return self.plan.stems

    def sequence(
        self, text: str, tokens: list[str | None], stems: dict[str, str]
    ) -> tuple[frozenset[str], ...]:
        """Each word's accepted forms, in order: a common word as it is; another as any form
        of its stem the index holds (and as typed)."""
        exact = words(text)
        forms_of = {
            stem: self.lexicon.forms([stem]) for stem in {stems[fold(t)] for t in tokens if t}
        }
        return tuple(
            frozenset([form]) if token is None else frozenset([form, *forms_of[stems[form]]])
            for form, token in zip(exact, tokens, strict=True)
        )

    def expanded(
        self,
        syntax: tree.Word,
        forms: list[str],
        fields: list[Field],
        wanted: bool,
        boost: float,
        written: Sequence[str] = (),
    ) -> Node | None:
        typed = syntax.typed or syntax.text  # common words alone ("the-of*"): no form at all
        if len(forms) != 1 or (syntax.wildcard and not _PATTERN.fullmatch(forms[0])):
            self.plan.warnings.append(
                f"ignored {typed}: a prefix, wildcard or fuzzy word must be one word"
            )
            return None
        (form,) = forms
        if syntax.wildcard:
            found = self.lexicon.matching(form, MAX_EXPANSIONS + 1)
        elif syntax.prefix:
            found = self.lexicon.prefixed(form, MAX_EXPANSIONS + 1)
        else:
            found = self.lexicon.near(form, syntax.fuzzy, MAX_EXPANSIONS + 1)
        if not found:
            self.plan.warnings.append(f"no indexed word fits {typed}")
            return None
        if len(found) > MAX_EXPANSIONS:
            found = found[:MAX_EXPANSIONS]
            which = "closest" if syntax.fuzzy else "shortest"
            self.plan.warnings.append(
                f"{typed} fits more than {MAX_EXPANSIONS} indexed words: searched the "
                f"{MAX_EXPANSIONS} {which} ({found[0]} … {found[-1]})"
            )
        stems = self.lexicon.stems(found)
        if wanted:
            # The word as typed, when the index holds it, ranks first.
            typed_held = written if syntax.fuzzy and form in found else ()
            self.note(found, [stems[each] for each in found], fields, typed_held)
        similar = {each: similarity(form, each, syntax.fuzzy) for each in found}
        return _terms(fields, [(each, stems[each]) for each in found], boost, similar)

    def note(
        self, forms: list[str], stemmed: list[str], fields: list[Field], written: Sequence[str]
    ) -> None:
        """Record wanted words: their forms and stems, the forms as written (for the
        exact-form bonus) and the fields searched."""
        self.plan.terms.update(forms, stemmed)
        self.plan.exact_forms.update(written)
        self.plan.fields.update(each.name for each in fields)


def _terms(
    fields: list[Field],
    forms_and_stems: list[tuple[str, str]],
    boost: float,
    similar: dict[str, float] | None = None,
) -> Terms:
    """Every field's term for each of the word forms (the stem, or the form itself), each
    weighted by its field's weight times its form's similarity to the word typed (the
    highest of its forms', for a stem)."""
    weights: dict[tuple[str, str], float] = {}
    for form, stem in forms_and_stems:
        for each in fields:
            term = (each.name, stem if each.kind == "stemmed" else form)
            weight = (each.boost or 1.0) * (similar[form] if similar else 1.0)
            weights[term] = max(weights.get(term, 0.0), weight)
    return Terms(tuple((name, term, weight) for (name, term), weight in weights.items()), boost)


def similarity(typed: str, found: str, edits: int) -> float:
    """How much a fuzzy word's expansion counts, as Lucene weighs it: 1 less its edits per
    letter of the shorter word; 1 for all but fuzzy expansions (``edits`` 0).

    >>> similarity("cocoa", "cocoa", 2), similarity("cocoa", "coca", 2)
    (1.0, 0.75)
    """
    if not edits:
        return 1.0
    return 1.0 - edit_distance(typed, found, edits) / min(len(typed), len(found))


def _moment(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day) if day else None


def _text_words(syntax: tree.Syntax) -> Iterator[str]:
    """The folded forms of the words of every word and phrase of a query."""
    if isinstance(syntax, tree.Bool):
        for part in (*syntax.must, *syntax.should, *syntax.must_not):
            yield from _text_words(part)
    elif isinstance(syntax, tree.Word | tree.Phrase):
        yield from folded([word for word in written_words(syntax.text) if word is not None])


def _nothing_searchable(typed: str, text: str) -> str:
    if words(text):
        return f"ignored {typed}: only common words (stop words), which are not indexed"
    return f"ignored {typed}: only punctuation or symbols"
