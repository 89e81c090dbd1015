"""Did you mean: a query with each wanted word the index lacks, or holds in few articles,
replaced by a near word it holds in many more."""

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
"""A query finding fewer articles than this gets a "did you mean" suggestion, when one is found."""
SUGGESTION_EDITS = 2
SUGGESTION_MARGIN = 10
"""A word the index holds gives way only to a near word found in this many times more articles."""
SUGGESTED_WORDS = 10
"""Did-you-mean considers a query's first this many distinct words: checking one against
the index's near words takes tens of milliseconds."""


def suggestion(
    searcher: Searcher,
    vocabulary: Vocabulary,
    query: str,
    syntax: tree.Bool,
    deadline: Deadline = NO_DEADLINE,
) -> str | None:
    """``query`` with each wanted word the index lacks, or holds in few articles, replaced
    by a near word it holds in many more; ``None`` when no word is replaced. Words left
    when the ``deadline`` passes stay as typed: a suggestion is a courtesy."""
    corrections: dict[str, str] = {}
    for form, fields in _typed_words(syntax):
        if len(corrections) == SUGGESTED_WORDS or deadline.passed():
            break
        if form not in corrections:
            corrections[form] = _better_word(searcher, vocabulary, form, fields)
    changed = {form: word for form, word in corrections.items() if word != form}
    return _rewritten(query, changed) if changed else None


def _better_word(searcher: Searcher, vocabulary: Vocabulary, form: str, fields: list[Field]) -> str:
    """The word within ``SUGGESTION_EDITS`` of ``form`` (fewest edits, then most articles)
    found in ``SUGGESTION_MARGIN`` times more articles than it; else ``form`` itself."""
    held = _articles_holding(searcher, form, vocabulary.stems([form])[form], fields)
    if SUGGESTION_MARGIN * held >= searcher.document_count():
        return form  # no word can be in enough more articles: skip the costly scan
    near = vocabulary.near(form, SUGGESTION_EDITS, MAX_EXPANSIONS)
    stems = vocabulary.stems(near)
    candidates = [
        (edit_distance(form, word, SUGGESTION_EDITS), -holding, word)
        for word in near
        if (holding := _articles_holding(searcher, word, stems[word], fields))
        > SUGGESTION_MARGIN * held
    ]
    return min(candidates)[2] if candidates else form


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


def _articles_holding(searcher: Searcher, form: str, stem: str, fields: list[Field]) -> int:
    """How many articles hold a word in whichever of ``fields`` holds it most."""
    return max(
        searcher.document_frequency(each.name, stem if each.kind == "stemmed" else form)
        for each in fields
    )


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
