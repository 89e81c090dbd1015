"""Quotations in an article's paragraphs, in reading order, with their speakers.

A straight ``"`` opens or closes depending on its neighbours, so an unterminated
quotation ends at the next opening mark or at its paragraph's end instead of
swallowing the article. A quotation's speaker comes from the attribution next to it:
"…,” Sessions said", "said Homan", "Mr Smith said: “…”", "according to The Associated
Press", "…,” he said"; :mod:`searchlib.speakers` turns what it names into a full name.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import NamedTuple

from searchlib.articles.article import Quote
from searchlib.articles.speakers import (
    APPOSITIVE,
    AUXILIARY,
    LOWERCASE,
    NAME,
    NAME_RUN,
    SPEECH_VERB,
    UPPERCASE,
    NameBook,
    is_subject,
    word_lists,
)

# How far from a quotation its attribution may be; it also keeps the work linear.
_CONTEXT_CHARS = 300
_MIN_QUOTE_CHARS = 2

# Attribution phrases: "Sessions said", "said chief executive Richard Parsons",
# "according to The Associated Press", "the statement continues".
_PERSONAL_PRONOUNS = ("he", "she")
_CONTINUING_VERBS = frozenset({"continues", "continued", "went on", "added", "adds"})
_NOT_DESCRIPTOR = (
    "in|on|at|to|from|by|for|with|after|before|during|of|about|under|over|into|that|which"
    "|who|when|while|because|if|than|but|and|or|as|not|is|was|are|were|he|she|it|they|we"
)
# Words before a name: "Citigroup chairman and chief executive Richard Parsons said".
_DESCRIPTOR = (
    rf"(?<![\w'’-])(?!(?:{_NOT_DESCRIPTOR})(?![\w'’-])|{SPEECH_VERB})[{LOWERCASE}][\w'’-]*"
)
_SUBJECT_BEFORE_VERB = (
    r"(?:(?P<pronoun>(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Ww]e|I))"
    r"|(?P<document>(?:the|a|his|her|its|their) (?:statement|letter|memo|release|note|email))"
    rf"|(?:(?:{_DESCRIPTOR}|{NAME_RUN}) (?:and )?){{0,6}}?"
    rf"(?P<name>{NAME_RUN}){APPOSITIVE}?(?P<comma>,)?"
    rf"|(?P<anonymous>(?:{_DESCRIPTOR} ){{0,3}}{_DESCRIPTOR})),?"
    rf" (?:{AUXILIARY} ){{0,2}}(?P<verb>{SPEECH_VERB})"
)
_SUBJECT_VERB = re.compile(rf"[\s,;:—–-]*{_SUBJECT_BEFORE_VERB}")
# Searched across a sentence, so only tried where a word starts, and only up to a speech
# verb that it must end with.
_SUBJECT_VERB_ANYWHERE = re.compile(rf"(?=\w)(?<![\w'’-]){_SUBJECT_BEFORE_VERB}")
_SPEECH_VERB_WORD = re.compile(rf"(?<![\w'’-]){SPEECH_VERB}")
_VERB_SUBJECT = re.compile(
    rf"[\s,;:—–-]*{SPEECH_VERB},? (?:(?:(?:{_DESCRIPTOR}|{NAME_RUN}),? (?:and )?){{0,5}}?"
    rf"(?P<name>{NAME_RUN})(?! (?:[{UPPERCASE}]|{_DESCRIPTOR}|and ))"
    rf"|(?P<anonymous>(?:{_DESCRIPTOR} ){{0,3}}{_DESCRIPTOR}))?"
)
_ACCORDING_TO = re.compile(rf"[\s,;:—–-]*(?<![\w'’])according to (?:the )?(?P<name>{NAME})")
_QUOTE_MARK = re.compile('["“”„«»]')
_OPENING_MARKS, _CLOSING_MARKS = "“„«", "”»"
_BEFORE_OPENING = frozenset(" \t\n([{<—–-:/‘'")
_AFTER_CLOSING = frozenset(" \t\n.,;:!?)]}>—–-…’'")
# A lookbehind must have one width, so one per abbreviation.
_NOT_ABBREVIATED = "".join(rf"(?<!\b{word}\.)" for word in sorted(word_lists()["abbreviations"]))
_SENTENCE_BREAK = re.compile(rf"[.!?…]{_NOT_ABBREVIATED}[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")


class _Span(NamedTuple):
    """A quotation between ``start`` and ``end`` of its paragraph."""

    start: int
    end: int
    closed: bool


def _is_opening(paragraph: str, index: int, inside: bool) -> bool:
    """Whether the quote mark at ``index`` opens a quotation, judged by its neighbours."""
    before = paragraph[index - 1] if index else " "
    after = paragraph[index + 1] if index + 1 < len(paragraph) else " "
    opens = before in _BEFORE_OPENING and not after.isspace()
    closes = after in _AFTER_CLOSING and not before.isspace()
    if opens != closes:
        return opens
    mark = paragraph[index]
    if mark in _OPENING_MARKS or mark in _CLOSING_MARKS:
        return mark in _OPENING_MARKS
    return not inside


def _quote_spans(paragraph: str) -> list[_Span]:
    """The quotations of one paragraph; an opening mark inside a quotation ends it."""
    spans: list[_Span] = []
    start = -1
    for match in _QUOTE_MARK.finditer(paragraph):
        index = match.start()
        opening = _is_opening(paragraph, index, inside=start >= 0)
        if start >= 0 and len(paragraph[start:index].strip()) >= _MIN_QUOTE_CHARS:
            spans.append(_Span(start, index, closed=not opening))
        start = index + 1 if opening else -1
    if start >= 0 and len(paragraph[start:].strip()) >= _MIN_QUOTE_CHARS:
        spans.append(_Span(start, len(paragraph), closed=False))
    return spans


def _sentence_start(paragraph: str, start: int, end: int) -> int:
    """Where the last sentence that begins between ``start`` and ``end`` begins."""
    for match in _SENTENCE_BREAK.finditer(paragraph, start, end):
        start = match.end()
    return start


def _attributable_after(paragraph: str, span: _Span) -> bool:
    """Whether words after a quotation may attribute it.

    Not after a full stop ("…intelligence.” He said no one…" starts a new sentence),
    unless a lowercase word follows ("“Why?” he asked").
    """
    if paragraph[span.start : span.end].rstrip()[-1:] not in ".!?…":
        return True
    return paragraph[span.end + 1 : span.end + 4].lstrip(" ,")[:1].islower()


class _Attribution(NamedTuple):
    """What a phrase says about a speaker, found at ``offset`` of its paragraph.

    ``kind`` is "name", "pronoun" or "anonymous" ("the company said"; ``text`` holds the
    words), "carry" (the previous speaker goes on: "the statement continues") or "none"
    (no attribution at all).
    """

    kind: str
    text: str
    offset: int


_DETERMINER_BEFORE = re.compile(r"(?<![\w'’-])(?:the|a|an|one|another) $")


def _names_speaker(match: re.Match[str]) -> bool:
    """Whether the name an attribution pattern found is the speaker, not an object."""
    text, start = match.string, match.start("name")
    if "comma" in match.groupdict():
        return is_subject(text, start, match.group("name"), bool(match.group("comma")))
    # "said the American", "said one Republican strategist" describe the speaker unnamed.
    return match.re is _ACCORDING_TO or not _DETERMINER_BEFORE.search(
        text, max(0, start - 9), start
    )


def _read_attribution(match: re.Match[str]) -> _Attribution:
    groups = match.groupdict()
    if groups.get("pronoun"):
        return _Attribution("pronoun", groups["pronoun"], match.start("pronoun"))
    if groups.get("name") and _names_speaker(match):
        return _Attribution("name", groups["name"], match.start("name"))
    if groups.get("document") and groups["verb"] in _CONTINUING_VERBS:
        return _Attribution("carry", "", match.start())
    return _Attribution("anonymous", groups.get("anonymous") or "", match.start())


def _attribution_after(paragraph: str, start: int, end: int) -> _Attribution | None:
    """The attribution that opens ``paragraph[start:end]``, the text after a quotation.

    >>> _attribution_after("“We won,” said Mr Smith.", 9, 24)
    _Attribution(kind='name', text='Mr Smith', offset=15)
    """
    for pattern in (_SUBJECT_VERB, _VERB_SUBJECT, _ACCORDING_TO):
        match = pattern.match(paragraph, start, end)
        if match:
            return _read_attribution(match)
    return None


def _attribution_before(paragraph: str, start: int, end: int) -> _Attribution | None:
    """The last attribution in ``paragraph[start:end]``, the sentence before a quotation.

    >>> _attribution_before("Mr Smith said: “We won.”", 0, 15)
    _Attribution(kind='name', text='Mr Smith', offset=0)
    """
    matches = list(_ACCORDING_TO.finditer(paragraph, start, end))
    verb_ends = [verb.end() for verb in _SPEECH_VERB_WORD.finditer(paragraph, start, end)]
    if verb_ends:
        matches += _SUBJECT_VERB_ANYWHERE.finditer(paragraph, start, verb_ends[-1])
    return _read_attribution(max(matches, key=lambda match: match.end())) if matches else None


def _is_someone_unnamed(attribution: _Attribution) -> bool:
    """Whether an unnamed person spoke, who may be the next "he": "the coach said", "he said".

    Not "it said", "the report said" or a quotation without any attribution.
    """
    if attribution.kind == "pronoun":
        return attribution.text.lower() in _PERSONAL_PRONOUNS
    head = attribution.text.rsplit(" ", 1)[-1].capitalize()
    # "said the regional manager for one of the oil companies" leaves only its article: a
    # description too long to read may name a person, so "he" is no one named after it.
    described = head in ("The", "A", "An", "One", "Another")
    return attribution.kind == "anonymous" and (head in word_lists()["titles"] or described)


class _Reader:
    """Walks the paragraphs in order, remembering the previous quotation's speaker."""

    def __init__(self, paragraphs: list[str]) -> None:
        self._paragraphs = paragraphs
        self._spans = [_quote_spans(paragraph) for paragraph in paragraphs]
        self.quotes: list[Quote] = []

    @cached_property
    def _book(self) -> NameBook:
        """The article's names, gathered only once a quotation needs a speaker."""
        quoted = [[(span.start, span.end) for span in spans] for spans in self._spans]
        return NameBook(self._paragraphs, quoted)

    def read(self) -> list[Quote]:
        """All quotations: inline ones in quote marks and block quotations."""
        for index, paragraph in enumerate(self._paragraphs):
            if self._spans[index]:
                self._read_inline(index)
            elif index and not _QUOTE_MARK.search(paragraph):
                self._read_block(index)
        return self.quotes

    def _read_block(self, index: int) -> None:
        """A paragraph without quote marks after "He said:" is one quotation."""
        intro = self._paragraphs[index - 1].rstrip()
        if intro.endswith(":"):
            start = _sentence_start(intro, max(0, len(intro) - _CONTEXT_CHARS), len(intro))
            attribution = _attribution_before(intro, start, len(intro))
            if attribution:
                self._add((index - 1, attribution.offset), self._paragraphs[index], attribution)

    def _read_inline(self, index: int) -> None:
        paragraph = self._paragraphs[index]
        for number, span in enumerate(self._spans[index]):
            attribution = self._attribution_of(index, number)
            position = (index, min(attribution.offset, span.start - 1))
            self._add(position, paragraph[span.start : span.end], attribution)

    def _attribution_of(self, index: int, number: int) -> _Attribution:
        """What attributes quotation ``number`` of paragraph ``index``.

        The words right after it, else the attribution in its sentence before it, else
        the quotation it goes on from.
        """
        paragraph, spans = self._paragraphs[index], self._spans[index]
        span, mark = spans[number], spans[number].start - 1
        if span.closed and _attributable_after(paragraph, span):
            following = spans[number + 1].start - 1 if number + 1 < len(spans) else len(paragraph)
            end = min(following, span.end + _CONTEXT_CHARS)
            attribution = _attribution_after(paragraph, span.end + 1, end)
            if attribution:
                return attribution
        context_start = spans[number - 1].end + 1 if number else 0
        start = _sentence_start(paragraph, max(context_start, mark - _CONTEXT_CHARS), mark)
        attribution = _attribution_before(paragraph, start, mark)
        if attribution:
            return attribution
        return _Attribution("carry" if self._follows_on(index, number) else "none", "", mark)

    def _follows_on(self, index: int, number: int) -> bool:
        """Whether an unattributed quotation goes on from the one before it.

        It does when only punctuation or the rest of a sentence lies between them, or
        when a paragraph opens with it after one that left its quotation open.
        """
        paragraph, spans = self._paragraphs[index], self._spans[index]
        start, end = (spans[number - 1].end + 1 if number else 0), spans[number].start - 1
        if number == 0:
            previous = self._spans[index - 1] if index else []
            left_open = bool(previous) and previous[-1].end == len(self._paragraphs[index - 1])
            return left_open and not paragraph[:end].strip()
        if end - start > _CONTEXT_CHARS:
            return False
        sentence = paragraph[_sentence_start(paragraph, start, end) : end]
        previous_quote = paragraph[spans[number - 1].start : spans[number - 1].end]
        same_sentence = (
            not _SENTENCE_BREAK.search(paragraph, start, end)
            and previous_quote.rstrip()[-1:] not in ".!?"
        )
        return same_sentence or not any(character.isalnum() for character in sentence)

    def _speaker(self, attribution: _Attribution, position: tuple[int, int]) -> str | None:
        if attribution.kind == "name":
            return self._book.person(attribution.text)
        if attribution.kind == "pronoun" and attribution.text.lower() in _PERSONAL_PRONOUNS:
            return self._book.antecedent(position)
        if attribution.kind == "carry" and self.quotes:
            return self.quotes[-1].speaker
        return None

    def _add(self, position: tuple[int, int], text: str, attribution: _Attribution) -> None:
        speaker = self._speaker(attribution, position)
        if speaker or _is_someone_unnamed(attribution):
            self._book.note_speaker(position, speaker)
        self.quotes.append(Quote(" ".join(text.split()), speaker))


def extract_quotes(paragraphs: list[str]) -> list[Quote]:
    """The quotations in ``paragraphs``, in reading order, with speakers where the text says.

    >>> extract_quotes(["“We will win,” said Mr Smith. “Easily.”"])
    [Quote(text='We will win,', speaker='Smith'), Quote(text='Easily.', speaker='Smith')]
    """
    return _Reader(paragraphs).read()
