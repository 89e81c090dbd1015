"""Markdown as articles are saved in it: ``# Headline`` headings, ``![caption](url)`` image
lines (with a caption and "(Photo by …)" credit on the line below or in the title),
``**emphasis**``, ``[link text](url)``, list items and quotations.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from searchlib.articles.article import Image
from searchlib.articles.images import credit_line, split_caption

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]*)(?:\s+\"(?P<title>[^\"]*)\")?\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")


def is_markdown(paragraphs: list[str], path: str | None) -> bool:
    """Whether text is Markdown: a ``.md`` file, or one that opens with a ``#`` heading.

    >>> is_markdown(["# Rain", "It rained."], None), is_markdown(["Rain"], "a.txt")
    (True, False)
    """
    if path and PurePath(path).suffix.lower() in {".md", ".markdown"}:
        return True
    return bool(paragraphs) and bool(_HEADING.match(paragraphs[0]))


def plain(line: str) -> str:
    """A line of Markdown as a reader sees it: no marks, link text without its address.

    >>> plain("**Rain** hit [Leeds](https://x.org) on *Monday*")
    'Rain hit Leeds on Monday'
    """
    line = _LIST_MARK.sub("", _QUOTE_MARK.sub("", line))
    line = _LINK.sub(r"\1", line)
    return _EMPHASIS.sub(r"\2", _EMPHASIS.sub(r"\2", line)).strip()


def read_markdown(paragraphs: list[str]) -> tuple[str | None, list[str], list[Image]]:
    """The headline (a heading that opens the text), the other paragraphs as plain text, and
    the photos of the image lines with their captions and credits (an image's caption line
    below it leaves the text too).

    >>> read_markdown(["# Rain", "![Floods in Leeds](f.jpg)", "*Floods (Photo by Jo Li/AP)*",
    ...                "It **rained**."])
    ('Rain', ['It rained.'], [Image(caption='Floods', credit='Jo Li/AP')])
    """
    headline = None
    if paragraphs and "\n" not in paragraphs[0] and _HEADING.match(paragraphs[0]):
        headline = plain(_HEADING.sub(r"\1", paragraphs[0])) or None
        paragraphs = paragraphs[1:]
    text: list[str] = []
    images: list[Image] = []
    after_image = False
    for paragraph in paragraphs:
        image = _IMAGE.search(paragraph)
        if image:
            rest = plain(_IMAGE.sub("", paragraph))
            caption = rest or image.group("title") or image.group("alt") or None
            images.append(_image(caption))
            after_image = not rest
            continue
        lines = [plain(line) for line in paragraph.split("\n") if not _RULE.match(line)]
        line = "\n".join(line for line in lines if line)
        line = _HEADING.sub(r"\1", line) if _HEADING.match(paragraph) else line
        if after_image and (split_caption(line) or credit_line(line)):
            images[-1] = _image(line)
        elif line:
            text.append(_HEADING.sub(r"\1", line))
        after_image = False
    return headline, text, images


def _image(caption: str | None) -> Image:
    if caption is None:
        return Image()
    credit = credit_line(caption)
    if credit:
        return Image(None, credit)
    split = split_caption(caption)
    return Image(*split) if split else Image(caption)
