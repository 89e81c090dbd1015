"""Did you mean: a query with each wanted word the index lacks, or holds in few articles,
replaced by a near word it holds in many more; judged word by word, so one rare word among
common ones (``Tony Blare``) is corrected too."""

from __future__ import annotations

import re
from collections.abc import Iterator

from searchlib.analysis import TOKEN, content_words, edit_distance, exact_form
from searchlib.engine.reading import Searcher
from searchlib.schema import FIELDS_BY_NAME, Field
from searchlib.search import syntax as tree
from searchlib.search.deadline import NO_DEADLINE, Deadline
from searchlib.search.planning import DEFAULT_FIELDS, MAX_EXPANSIONS
from searchlib.storage.vocabulary import Vocabulary

SUGGEST_BELOW = 3
"""A word found in fewer articles than this may be corrected ("did you mean")."""
SUGGESTION_EDITS = 2
"""A word the index lacks may be corrected by a word this many edits away; one it holds,
by a word one edit away only: its spelling is real (a name: "Glaxo" is not "Glad")."""
SUGGESTION_MARGIN = 10
"""A word the index holds gives way only to a near word found in this many times more articles."""
EDIT_ODDS = 1000.0
"""Alone, a correction one more edit away must be found in this many times more articles to
be preferred: in effect, the fewest edits first, then the most articles."""
CONTEXT_ODDS = 10.0
"""Beside other words, a correction one more edit away must be found with them in this many
times more articles: "Tony Blare" is "Tony Blair" (2 edits; with Tony in 155 BBC
articles), not "Tony Blame" (1 edit; 3 articles)."""
TEXT_FIELDS = [FIELDS_BY_NAME[name] for name in ("headline", "caption", "body")]
"""Where a word's occurrences are counted (quotations are in the body too)."""
SUGGESTED_LENGTH = 3
"""Shorter words are never corrected (as Lucene's fuzziness AUTO leaves them)."""
SUGGESTED_WORDS = 10
"""Did-you-mean considers a query's first this many distinct words: checking one against
the index's near words takes tens of milliseconds."""


def suggestion(
    searcher: Searcher,
    vocabulary: Vocabulary,
    query: str,
    syntax: tree.Bool,
    deadline: Deadline = NO_DEADLINE,
    stems: dict[str, str] | None = None,
) -> str | None:
    """``query`` with each wanted word that finds little on its own (fewer than
    ``SUGGEST_BELOW`` articles, and written fewer times than that) replaced by a near word
    found in ``SUGGESTION_MARGIN`` times more articles; ``None`` when no word is replaced.
    Words left when the ``deadline`` passes stay as typed: a suggestion is a courtesy.
    ``stems`` are stems already looked up (the query plan's)."""
    typed = dict(_typed_words(syntax))
    words = _Words(searcher, vocabulary, list(typed)[:SUGGESTED_WORDS], stems or {})
    corrections: dict[str, str] = {}
    for form, fields in list(typed.items())[:SUGGESTED_WORDS]:
        if deadline.passed():
            break
        others = [each for each in typed if each != form]
        corrections[form] = _better_word(words, form, fields, others)
    changed = {form: word for form, word in corrections.items() if word != form}
    return _rewritten(query, changed) if changed else None


class _Words:
    """The stems of a query's words and the articles holding each word, looked up once per
    query (the typed words' stems in one go, when the first is needed)."""

    def __init__(
        self, searcher: Searcher, vocabulary: Vocabulary, typed: list[str], stems: dict[str, str]
    ) -> None:
        self.searcher = searcher
        self.vocabulary = vocabulary
        self._typed = typed
        self._stems = dict(stems)
        self._articles: dict[str, set[int]] = {}

    def stem(self, form: str) -> str:
        """The stem of ``form``."""
        if form not in self._stems:
            wanted = [form] if self._stems else [form, *self._typed]
            self._stems.update(self.vocabulary.stems(wanted))
        return self._stems[form]

    def articles(self, form: str) -> set[int]:
        """The live articles holding ``form`` in a default text field."""
        if form not in self._articles:
            stem = self.stem(form)
            pairs = [
                (each.name, stem if each.kind == "stemmed" else form, 1.0)
                for each in DEFAULT_FIELDS
            ]
            self._articles[form] = set(self.searcher.frequencies(pairs, 0.0))
        return self._articles[form]


def _better_word(words: _Words, form: str, fields: list[Field], others: list[str]) -> str:
    """The near word most likely meant by ``form``, or ``form`` itself (see ``suggestion``):
    within ``SUGGESTION_EDITS`` of a word the index lacks, 1 of one it holds (its spelling
    is real: "Glaxo" is not "Glad"); the most articles (with the ``others`` words, if any),
    divided by ``EDIT_ODDS`` (``CONTEXT_ODDS``) per edit."""
    if len(form) < SUGGESTED_LENGTH:
        return form  # a letter or two are anything's near words
    searcher, vocabulary = words.searcher, words.vocabulary
    stem = words.stem(form)
    held = _articles_holding(searcher, form, stem, fields, enough=SUGGEST_BELOW)
    if held >= SUGGEST_BELOW:
        return form  # it finds enough
    if held and _occurrences(searcher, form, stem) >= SUGGEST_BELOW:
        return form  # written often: a name ("Exel"), not a typo
    edits = SUGGESTION_EDITS if held == 0 else 1
    near = vocabulary.near(form, edits, MAX_EXPANSIONS, first_typo=True)
    stems = vocabulary.stems(near)
    context = set().union(*map(words.articles, others)) if others else None
    odds = CONTEXT_ODDS if context else EDIT_ODDS
    candidates = [
        # Ties (forms of one stem: Blair, Blairs) go to the shorter word.
        (-likely / odds ** edit_distance(form, word, edits), -holding, len(word), word)
        for word in near
        if (holding := _articles_holding(searcher, word, stems[word], fields))
        > SUGGESTION_MARGIN * held
        for likely in [len(words.articles(word) & context) if context else holding]
    ]
    return min(candidates)[3] if candidates else form


def _typed_words(syntax: tree.Syntax) -> Iterator[tuple[str, list[Field]]]:
    """The exact forms of the words a query wants, each with the fields it is looked for in;
    not excluded words, nor prefixes, wildcards and fuzzy words (spelt loosely on purpose)."""
    if isinstance(syntax, tree.Bool):
        for part in (*syntax.must, *syntax.should):
            yield from _typed_words(part)
    elif isinstance(syntax, tree.Phrase) or (
        isinstance(syntax, tree.Word) and not (syntax.prefix or syntax.fuzzy or syntax.wildcard)
    ):
        fields = [FIELDS_BY_NAME[syntax.field]] if syntax.field else DEFAULT_FIELDS
        for form in content_words(syntax.text):
            yield form, fields


def _articles_holding(
    searcher: Searcher, form: str, stem: str, fields: list[Field], enough: float = float("inf")
) -> int:
    """How many articles hold a word in whichever of ``fields`` holds it most, or the first
    count found of at least ``enough``."""
    most = 0
    # The body holds most words: a common word is settled by its first lookup.
    for each in sorted(fields, key=lambda field: field.name != "body"):
        most = max(
            most, searcher.document_frequency(each.name, stem if each.kind == "stemmed" else form)
        )
        if most >= enough:
            break
    return most


def _occurrences(searcher: Searcher, form: str, stem: str) -> float:
    """How often the index holds a word in its articles' text, all told."""
    pairs = [(each.name, stem if each.kind == "stemmed" else form, 1.0) for each in TEXT_FIELDS]
    return sum(searcher.frequencies(pairs, 0.0).values())


def _rewritten(query: str, corrections: dict[str, str]) -> str:
    """``query`` with the words ``corrections`` maps replaced, each in the case it was typed
    in; field names and everything else stay.

    >>> _rewritten('speaker:sesions "Sanctuery cities"', {"sesions": "sessions",
    ...                                                   "sanctuery": "sanctuary"})
    'speaker:sessions "Sanctuary cities"'
    """

    def corrected(token: re.Match[str]) -> str:
        typed = token.group()
        word = corrections.get(exact_form(typed))
        if word is None or query.startswith(":", token.end()):
            return typed
        return _in_case_of(typed, word)

    return TOKEN.sub(corrected, query)


def _in_case_of(typed: str, word: str) -> str:
    """``word`` (lower case) in the case of ``typed``: all capitals, a first capital or none.

    >>> [_in_case_of(typed, "sessions") for typed in ("SESIONS", "Sesions", "sesions")]
    ['SESSIONS', 'Sessions', 'sessions']
    """
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
