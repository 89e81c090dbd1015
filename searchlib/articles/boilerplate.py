"""Drop page text that is not the article, recognised by its shape: labels and menus (runs
of short lines without sentence punctuation), prompts addressed to the reader (subscribe,
sign up, share, log in), copyright lines, runs of related-story teasers; and donation
appeals and prompts from the phrase list in ``searchlib/data/boilerplate.txt`` (it can grow
without code changes). No rule names a publisher.
"""

from __future__ import annotations

import re
from functools import lru_cache

from searchlib.articles.speakers import word_pattern
from searchlib.data import data_lines

# A prompt line is short; a longer paragraph that starts the same way is article text.
_PROMPT_MAX_WORDS = 12
# Enough of a paragraph to compare its opening with every phrase.
_OPENING_CHARS = 200
_LABEL_MAX_WORDS = 4
_TEASER_MAX_WORDS = 30
_PROMPT = re.compile(
    r"^(?:sign (?:up|in)|log ?in|subscribe|register|download|follow|share|click|tap|watch"
    r"|listen|read (?:more|next)|see (?:more|also)|more from|related|advertisement"
    r"|get (?:the|our)|join|don't miss|already a subscriber|up next)\b"
    r"|\b(?:newsletters?|inbox|sign up|subscribe|log ?in)\b",
    re.IGNORECASE,
)
_CALL = re.compile(
    r"\b(?:subscri\w+|register\w*|sign(?:ing)?[ -]?(?:up|in)|log(?:ged)? ?in|unlock\w*"
    r"|e-?mail\w*|get in touch|javascript|browser|account)\b",
    re.IGNORECASE,
)
# fmt: off
_PROMPT_OPENINGS = (
    "sign", "log", "subscri", "regist", "download", "follow", "share", "click", "tap", "watch",
    "listen", "read", "see", "more from", "related", "advert", "get", "join", "don't miss",
    "already", "up next", "©", "(c)", "copyright",
)
_PROMPT_HINTS = (
    "newsletter", "inbox", "sign", "subscri", "log in", "login", "logged in", "regist",
    "unlock", "mail", "get in touch", "javascript", "browser", "account", "rights reserved",
)
# fmt: on
"""How every prompt starts, or words one of which it holds (see ``_PROMPT``, ``_CALL``,
``_COPYRIGHT``)."""
_READER = re.compile(r"\b(?:you|your|please)\b", re.IGNORECASE)
"""A call to subscribe, register or write in is a prompt when it speaks to the reader
("You can save this article by registering") or shouts ("RESERVED FOR SUBSCRIBERS")."""
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|all rights reserved", re.IGNORECASE)
_PROSE_END = re.compile(r"[.!?…:,;][\"”’'»)]*$")
_SENTENCE_END = re.compile(r"[.!…:,;][\"”’'»)]*$")
"""Headlines and teasers may end in a question mark."""
# Appeals address the reader; a paragraph that reports speech is journalism.
_REPORTED_SPEECH = re.compile(rf"\b{word_pattern('reported speech')}\b")


@lru_cache(maxsize=1)
def boilerplate_phrases() -> tuple[str, ...]:
    """The lowercase phrases from the packaged list, loaded once.

    >>> "your support matters" in boilerplate_phrases()
    True
    """
    return tuple(line.lower() for line in data_lines("boilerplate.txt"))


def _normalised(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _opens_with_phrase(paragraph: str) -> bool:
    return _normalised(paragraph[:_OPENING_CHARS]).startswith(boilerplate_phrases())


def _is_appeal(paragraph: str) -> bool:
    text = _normalised(paragraph)
    # A substring test per phrase: twice as fast as one regular expression of them all.
    return any(phrase in text for phrase in boilerplate_phrases()) and not (
        _REPORTED_SPEECH.search(text)
    )


def is_boilerplate_line(paragraph: str) -> bool:
    """Whether ``paragraph`` is a short prompt such as "Sign up for our newsletter".

    >>> is_boilerplate_line("Read more: Sessions targets sanctuary cities")
    True
    >>> is_boilerplate_line("Become a member of the club and you pay £2,000 a year, its rules say.")
    False
    """
    return (
        len(paragraph.split(maxsplit=_PROMPT_MAX_WORDS)) <= _PROMPT_MAX_WORDS
        and _opens_with_phrase(paragraph)
        and not _REPORTED_SPEECH.search(paragraph)
    )


def _appeal_start(paragraphs: list[str]) -> int:
    """Where a trailing appeal starts, or ``len(paragraphs)`` when the article has none."""
    start = len(paragraphs)
    for index in range(len(paragraphs) - 1, -1, -1):
        if not _is_appeal(paragraphs[index]):
            break
        if _opens_with_phrase(paragraphs[index]):
            start = index
    return start


def is_label(paragraph: str) -> bool:
    """Whether ``paragraph`` is a label: a few words without sentence punctuation ("World",
    "Log In", "Social Sharing"), or a prompt to the reader.

    >>> is_label("Log In"), is_label("Rain hits Leeds as rivers burst their banks")
    (True, False)
    """
    short = len(
        paragraph.split(maxsplit=_LABEL_MAX_WORDS)
    ) <= _LABEL_MAX_WORDS and not _PROSE_END.search(paragraph)
    return short or _is_prompt(paragraph)


def _words_over(text: str, count: int) -> bool:
    """Whether ``text`` has more than ``count`` words (without splitting all of it)."""
    return len(text.split(maxsplit=count)) > count


def _is_prompt(paragraph: str) -> bool:
    """A line addressed to the reader (sign up, subscribe, share) or a copyright line."""
    if _words_over(paragraph, _TEASER_MAX_WORDS):
        return False
    lower = paragraph.lower()
    # Cheap test first: most lines are prose, and the patterns are slow to refute.
    hinted = lower.startswith(_PROMPT_OPENINGS) or any(hint in lower for hint in _PROMPT_HINTS)
    if not hinted or _REPORTED_SPEECH.search(paragraph):
        return False
    if _PROMPT.search(paragraph) or _COPYRIGHT.search(paragraph):
        return True
    calls = _CALL.search(paragraph)
    return bool(calls) and (bool(_READER.search(paragraph)) or paragraph.isupper())


def _is_teaser(paragraph: str) -> bool:
    """A headline-like line: up to 30 words on one line, no sentence ending."""
    return (
        "\n" not in paragraph
        and not _words_over(paragraph, _TEASER_MAX_WORDS)
        and not _SENTENCE_END.search(paragraph)
    )


def strip_boilerplate(
    paragraphs: list[str], *, prompts: bool = True, menus: bool = True
) -> list[str]:
    """``paragraphs`` without a trailing appeal and prompt lines; with ``prompts`` (text
    from a page), without any line addressed to the reader or copyright line; with ``menus``
    (text saved from a page), also without labels and runs of teaser lines (two or more
    headline-like lines in a row: menus, related stories), while a single headline-like line
    between paragraphs is a subheading and stays.

    >>> strip_boilerplate(["Sessions spoke.", "Share this article", "He left.",
    ...                    "Your support matters…", "Give today."])
    ['Sessions spoke.', 'He left.']
    >>> strip_boilerplate(["Rain fell.", "World", "Floods hit Leeds", "Roads shut in York",
    ...                    "Advertisement", "Schools closed."])
    ['Rain fell.', 'Schools closed.']
    """
    article = paragraphs[: _appeal_start(paragraphs)]
    if not menus:
        return [
            paragraph
            for paragraph in article
            if not (is_boilerplate_line(paragraph) or (prompts and _is_prompt(paragraph)))
        ]
    teaser = [_is_teaser(paragraph) for paragraph in article]
    label = [is_label(paragraph) for paragraph in article]
    kept = []
    for index, paragraph in enumerate(article):
        neighbours = [step for step in (index - 1, index + 1) if 0 <= step < len(article)]
        in_run = teaser[index] and any(teaser[step] for step in neighbours)
        # A menu's item may have a full stop ("U.S."): a word among labels is one.
        in_menu = not _words_over(paragraph, 1) and any(label[step] for step in neighbours)
        if in_run or in_menu or label[index] or is_boilerplate_line(paragraph):
            continue
        kept.append(paragraph)
    # Text that is all labels is a note, not a page: it stays.
    return kept or article
