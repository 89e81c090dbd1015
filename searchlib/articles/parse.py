"""Turn raw article text into an :class:`~searchlib.articles.article.Article`.

This module reads the layout: an optional photo caption with its credit, an optional
headline, and the body paragraphs. Boilerplate and quotations have their own modules.
"""

from __future__ import annotations

import hashlib
import re

from searchlib.articles.article import Article
from searchlib.articles.boilerplate import strip_boilerplate
from searchlib.articles.quotes import extract_quotes

_HEADLINE_MAX_WORDS = 15
_HEADLINE_MAX_CHARS = 150
_CREDIT_MAX_CHARS = 80

_LINE_BREAK = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
# "?" is allowed: question headlines ("Could Yukos be a blessing in disguise?") are common.
_SENTENCE_END = re.compile(r"[.!:;,][\"”’'»)]*$")
# A trailing ellipsis marks a shortened headline, not the end of a sentence.
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\"”’'»]*$")
_AGENCY = re.compile(
    r"\b(?:AP|AFP|Reuters|Getty|EPA|Associated Press|Bloomberg|Shutterstock|Alamy|Xinhua"
    r"|PA (?:Images|Wire|Media)|Pool|Photo|Photos|Photograph|Handout|Courtesy)\b"
)
_SLASH_CREDIT = re.compile(r"([A-Z][^/]*?)\s?/\s?([A-Z][^/]*)")
_PHOTO_CREDIT = re.compile(
    r"\b(?:Photograph|Photo|Picture|Image|Illustration)(?: by)?: ?(?P<credit>[^():;]{2,80}?)\s*$"
)


def content_id(text: str) -> str:
    """A short hash of ``text``, the id of an article that was given none.

    >>> content_id("Sessions spoke.")
    'ec170f2a66e27847'
    """
    # surrogatepass: a lone surrogate must not make parsing raise.
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text``: blocks separated by blank lines, line breaks normalised.

    >>> split_paragraphs("\\ufeffOne\\r\\ntwo\\r\\n\\r\\n\\r\\n  Three  \\n")
    ['One\\ntwo', 'Three']
    """
    text = _LINE_BREAK.sub("\n", text).removeprefix("\ufeff")
    blocks = (block.strip() for block in _BLANK_LINES.split(text))
    return ["\n".join(line.rstrip() for line in block.split("\n")) for block in blocks if block]


def _looks_like_credit(credit: str) -> bool:
    """Agency names, or names around a slash ("Alan Diaz / AP").

    Not "ICE", "a stereotypical assumption" or "Sat/Sun": a credit names an agency or
    has a full name on one side of its slash.
    """
    if len(credit) > _CREDIT_MAX_CHARS:
        return False
    if _AGENCY.search(credit):
        return True
    slash = _SLASH_CREDIT.fullmatch(credit)
    return bool(slash) and any(" " in part.strip() for part in slash.groups())


def split_caption(line: str) -> tuple[str, str] | None:
    """``(caption, credit)`` when ``line`` is a photo caption ending in a credit.

    >>> split_caption("Protesters in Miami. (Alan Diaz / AP)")
    ('Protesters in Miami.', 'Alan Diaz / AP')
    >>> split_caption("The agency named its acting director (ICE)") is None
    True
    """
    line = line.rstrip()
    if line.endswith(")"):
        opening = line.rfind("(")
        caption, credit = line[: max(opening, 0)].strip(), line[opening + 1 : -1].strip()
        if caption and _looks_like_credit(credit):
            return caption, credit
    match = _PHOTO_CREDIT.search(line)
    if match and line[: match.start()].strip():
        return line[: match.start()].strip(), match.group("credit")
    return None


def is_headline(paragraph: str) -> bool:
    """Whether a first paragraph is a headline: one short line without a sentence ending.

    >>> is_headline("Ad sales boost Time Warner profit")
    True
    >>> is_headline("Sessions spoke on Tuesday.")
    False
    """
    if "\n" in paragraph or len(paragraph) > _HEADLINE_MAX_CHARS:
        return False
    too_long = len(paragraph.split()) > _HEADLINE_MAX_WORDS
    if too_long or not any(character.isalpha() for character in paragraph):
        return False
    return bool(_ELLIPSIS_END.search(paragraph)) or not _SENTENCE_END.search(paragraph)


def _take_caption(paragraphs: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Caption and credit from the first line, and the paragraphs that remain."""
    if not paragraphs:
        return None, None, paragraphs
    first_line, _, rest = paragraphs[0].partition("\n")
    caption = split_caption(first_line)
    if caption is None:
        return None, None, paragraphs
    remaining = [rest.strip()] if rest.strip() else []
    return caption[0], caption[1], remaining + paragraphs[1:]


def parse_article(
    text: str, *, id: str | None = None, path: str | None = None, headline: str | None = None
) -> Article:
    """Split raw article text into caption, credit, headline, body and quotations.

    Never raises on a ``str``; text it cannot place ends up in ``body``. A ``headline``
    given (a record's title) is used as it is, and no line of ``text`` is taken for one.

    >>> article = parse_article("Ad sales boost Time Warner profit\\n\\nProfits jumped 76%.")
    >>> article.headline, article.body
    ('Ad sales boost Time Warner profit', 'Profits jumped 76%.')
    >>> parse_article("Short intro\\n\\nMore.", headline="Given").body
    'Short intro\\n\\nMore.'
    """
    caption, credit, paragraphs = _take_caption(split_paragraphs(text))
    # A headline sits above a caption, never below it.
    if headline is None and caption is None and len(paragraphs) > 1 and is_headline(paragraphs[0]):
        headline = paragraphs[0]
        caption, credit, paragraphs = _take_caption(paragraphs[1:])
    paragraphs = strip_boilerplate(paragraphs)
    return Article(
        id=content_id(text) if id is None else id,
        body="\n\n".join(paragraphs),
        headline=headline,
        caption=caption,
        credit=credit,
        quotes=extract_quotes(paragraphs),
        path=path,
    )
