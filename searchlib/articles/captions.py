"""Captions that carry no credit, recognised by their shape: a news agency's caption, one
sentence that dates its photo ("Adriane Burnett reads to her son in Birmingham, Alabama,
April 14, 2024.", "FILE - …"), and a line that repeats a sentence of the article without
its full stop (a photo's caption echoing the text beside it).
"""

from __future__ import annotations

import re

from searchlib.articles.speakers import word_pattern

_CAPTION_MAX_CHARS = 500
_ECHO_MIN_WORDS = 8
"""Shorter lines repeat a phrase of the text by chance (names, headings)."""
_ECHO_PREFIX_CHARS = 32
"""Enough of a line to find the sentence it repeats without reading every word."""
_DATE_TAIL_CHARS = 60
"""Where a caption's date sits: after its subject, at most a place after it."""
_MONTH = (
    r"(?:Jan(?:uary|\.)|Feb(?:ruary|\.)|March|April|May|June|July|Aug(?:ust|\.)"
    r"|Sept?(?:ember|\.)|Oct(?:ober|\.)|Nov(?:ember|\.)|Dec(?:ember|\.))"
)
_DATE = rf"{_MONTH} \d{{1,2}}, (?:19|20)\d\d"
_DATED_END = re.compile(rf"(?:, {_DATE}|\b{_DATE}, in [A-Z][\w .,'’-]{{1,50}})\.$")
"""A caption's date follows its place ("in Birmingham, Alabama, April 14, 2024.") or comes
before it ("… April 14, 2024, in Birmingham, Ala."); prose dates an event "on May 1, 2025."."""
_FILE_PHOTO = re.compile(r"^FILE(?: PHOTO)? ?[-–—:] ")
"""Agencies mark an archive photo so: "FILE - Mike and Jane Roberts tend to their son"."""
_SENTENCE_BREAK = re.compile(r"[a-z0-9)][.!?][\"”’']? [A-Z]")
_QUOTATION = re.compile(r"[\"“”]")
_REPORTED_SPEECH = re.compile(rf"\b{word_pattern('reported speech')}\b")
_WORD = re.compile(r"\w+")
_CLOSING = "\"”’')» "


def uncredited_captions(paragraphs: list[str]) -> set[int]:
    """Where the captions without a credit are: an agency's dated captions and lines
    echoing a sentence of the text (see ``dated_caption`` and ``echoed_captions``).

    >>> uncredited_captions(["Jo Li reads in Leeds, England, April 14, 2024.", "She reads."])
    {0}
    """
    # The cheap test of ``dated_caption`` inline: most paragraphs hold no date.
    dated = {
        index
        for index, paragraph in enumerate(paragraphs)
        if (
            ", 20" in (tail := paragraph[-_DATE_TAIL_CHARS:])
            or ", 19" in tail
            or paragraph[:4] == "FILE"
        )
        and dated_caption(paragraph)
    }
    return dated | echoed_captions(paragraphs)


def dated_caption(paragraph: str) -> bool:
    """Whether ``paragraph`` is an agency's photo caption: one sentence on one line, no
    quotation or reported speech, that ends with the photo's date (and place) or is marked
    as a file photo.

    >>> dated_caption("Adriane Burnett reads to her son in Birmingham, Alabama, April 14, 2024.")
    True
    >>> dated_caption("FILE - Mike and Jane Roberts tend to their son at home.")
    True
    >>> dated_caption("The law takes effect on May 1, 2025.")
    False
    """
    # Cheap tests first: this runs on every paragraph of a page.
    if len(paragraph) > _CAPTION_MAX_CHARS:
        return False
    tail = paragraph[-_DATE_TAIL_CHARS:]
    dated = ", 20" in tail or ", 19" in tail
    if not (dated or paragraph.startswith("FILE")) or "\n" in paragraph:
        return False
    marked = bool(_FILE_PHOTO.match(paragraph)) or bool(_DATED_END.search(paragraph))
    return (
        marked
        and not _SENTENCE_BREAK.search(paragraph)
        and not _QUOTATION.search(paragraph)
        and not _REPORTED_SPEECH.search(paragraph)
    )


def echoed_captions(paragraphs: list[str]) -> set[int]:
    """Where the lines are that repeat, word for word but without its full stop, a sentence
    that opens another paragraph or follows a sentence there: captions beside the text they
    quote.

    >>> echoed_captions(["Only nine of these pairs have been matched, leaving millions out.",
    ...                  "Only nine of these pairs have been matched, leaving millions out"])
    {1}
    """
    echoes = set()
    for index, line in enumerate(paragraphs):
        # Cheap tests first: most paragraphs end in punctuation.
        if not line[-1:].isalnum() or "\n" in line:
            continue
        if len(line.split(maxsplit=_ECHO_MIN_WORDS)) < _ECHO_MIN_WORDS:
            continue
        prefix = line[:_ECHO_PREFIX_CHARS]
        if any(
            other is not line and prefix in other and _repeats(line, other, other.find(prefix))
            for other in paragraphs
        ):
            echoes.add(index)
    return echoes


def _repeats(line: str, paragraph: str, start: int) -> bool:
    """Whether the sentence of ``paragraph`` at ``start`` has the words of ``line``, then ends."""
    if paragraph[:start].rstrip(_CLOSING)[-1:] not in ("", ".", "!", "?"):
        return False
    words = _WORD.findall(line)
    sentence = _WORD.finditer(paragraph, start)
    end = start
    for word in words:
        found = next(sentence, None)
        if found is None or found.group() != word:
            return False
        end = found.end()
    return paragraph[end:].lstrip(_CLOSING)[:1] in (".", "!", "?")
