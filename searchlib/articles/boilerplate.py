"""Drop page text that is not the article: donation appeals, newsletter prompts, share links.

The phrases live in ``searchlib/data/boilerplate.txt`` so they can grow without code changes.
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
# Appeals address the reader; a paragraph that reports speech is journalism.
_REPORTED_SPEECH = re.compile(rf"\b{word_pattern('reported speech')}\b")


@lru_cache(maxsize=1)
def boilerplate_phrases() -> tuple[str, ...]:
    """The lowercase phrases from the packaged list, loaded once.

    >>> "your support matters" in boilerplate_phrases()
    True
    """
    return tuple(line.lower() for line in data_lines("boilerplate.txt"))


@lru_cache(maxsize=1)
def _phrase_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(phrase) for phrase in boilerplate_phrases()))


def _normalised(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _opens_with_phrase(paragraph: str) -> bool:
    return _normalised(paragraph[:_OPENING_CHARS]).startswith(boilerplate_phrases())


def _is_appeal(paragraph: str) -> bool:
    text = _normalised(paragraph)
    return _phrase_pattern().search(text) is not None and not _REPORTED_SPEECH.search(text)


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


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without a trailing appeal and without prompt lines elsewhere.

    >>> strip_boilerplate(["Sessions spoke.", "Share this article", "He left.",
    ...                    "Your support matters…", "Give today."])
    ['Sessions spoke.', 'He left.']
    """
    article = paragraphs[: _appeal_start(paragraphs)]
    return [paragraph for paragraph in article if not is_boilerplate_line(paragraph)]
