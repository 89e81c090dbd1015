"""Turn raw article text into an :class:`~searchlib.articles.article.Article`.

This module reads the layout of text as people save articles: labels and menus above the
headline, the headline (the first line that reads as one, however long), a byline and a
dateline below it, photo captions and credits anywhere, and the body paragraphs. Markdown,
boilerplate, bylines, dates, captions and quotations have their own modules.
"""

from __future__ import annotations

import hashlib
import re

from searchlib.articles.article import Article, Image
from searchlib.articles.boilerplate import is_label, strip_boilerplate
from searchlib.articles.bylines import byline
from searchlib.articles.captions import uncredited_captions
from searchlib.articles.dates import dateline
from searchlib.articles.images import caption_label, credit_line, first_image, split_caption
from searchlib.articles.markdown import is_markdown, read_markdown
from searchlib.articles.quotes import extract_quotes

_HEADLINE_MAX_WORDS = 30
_HEADLINE_MAX_CHARS = 250
_TOP_PARAGRAPHS = 12
"""How far down a headline, byline or dateline is looked for."""
_BYLINE_PARAGRAPHS = 3
"""How far below the headline a line that is only a name is a byline."""

_BY = ("By ", "by ", "BY ")
_LINE_BREAK = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
# "?" is allowed: question headlines ("Could Yukos be a blessing in disguise?") are common.
_SENTENCE_END = re.compile(r"[.!:;,][\"”’'»)]*$")
# A trailing ellipsis marks a shortened headline, not the end of a sentence.
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\"”’'»]*$")


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


def is_headline(paragraph: str) -> bool:
    """Whether a paragraph can be a headline: one line of up to 30 words without a
    sentence ending.

    >>> is_headline("Ad sales boost Time Warner profit")
    True
    >>> is_headline("Sessions spoke on Tuesday.")
    False
    """
    if "\n" in paragraph or len(paragraph) > _HEADLINE_MAX_CHARS:
        return False
    too_long = len(paragraph.split(maxsplit=_HEADLINE_MAX_WORDS)) > _HEADLINE_MAX_WORDS
    if too_long or not any(character.isalpha() for character in paragraph):
        return False
    return bool(_ELLIPSIS_END.search(paragraph)) or not _SENTENCE_END.search(paragraph)


def _headline_at(paragraphs: list[str]) -> int | None:
    """Where the headline is: of the headline-like paragraphs above the text, the first
    that is not a label (a logo, a section's name, "Log In"), else the last; ``None`` when
    the text opens with prose or a photo (a headline sits above a caption, never below)."""
    found = None
    for index, paragraph in enumerate(paragraphs[: min(_TOP_PARAGRAPHS, len(paragraphs) - 1)]):
        if not is_headline(paragraph) or split_caption(paragraph) or credit_line(paragraph):
            break
        found = index
        if not is_label(paragraph):
            break
    return found


class _Layout:
    """What a pass over the paragraphs finds besides the body."""

    def __init__(self) -> None:
        self.images: list[Image] = []
        self.authors: list[str] = []
        self.date = None
        self._pending_credit: str | None = None
        self._last_was_caption = False

    def take(
        self, paragraph: str, near_top: bool, just_below: bool = False, uncredited: bool = False
    ) -> bool:
        """Whether ``paragraph`` is a caption, a credit, a byline or a dateline (and
        note it), rather than article text; ``near_top``: near the headline,
        ``just_below``: among the first lines below it, ``uncredited``: it reads as a
        caption that carries no credit."""
        signed = paragraph[:3] in _BY  # "By Jo Li / Staff" is no caption and credit
        if near_top and not self.authors and signed:
            self.authors = byline(paragraph)
            if self.authors:
                return True
        caption_line = paragraph.split("\n", 1)[0]
        was_caption, self._last_was_caption = self._last_was_caption, False
        credit = credit_line(paragraph)
        if credit:
            if was_caption and self.images and self.images[-1].credit is None:
                self.images[-1].credit = credit
            else:
                self.finish()  # a credit still waiting for its caption is a photo's own
                self._pending_credit = credit
            return True
        labelled = caption_label(paragraph)
        split = split_caption(caption_line) if "\n" not in paragraph and not signed else None
        if not (labelled or split) and uncredited:
            labelled = paragraph
        if labelled or split:
            caption, credit = split or (labelled, None)
            if credit:
                self.finish()
            self.images.append(Image(caption, credit or self._pending_credit))
            self._pending_credit = None
            self._last_was_caption = credit is None
            return True
        if near_top and not self.authors and (names := byline(paragraph, bare=just_below)):
            self.authors = names
            return True
        if near_top and self.date is None and (date := dateline(paragraph)):
            self.date = date
            return True
        return False

    def finish(self) -> None:
        """Note a credit that no caption took as a photo of its own."""
        if self._pending_credit:
            self.images.append(Image(None, self._pending_credit))
            self._pending_credit = None


def parse_article(
    text: str, *, id: str | None = None, path: str | None = None, headline: str | None = None
) -> Article:
    """Split raw article text (plain or Markdown) into headline, authors, date, photos
    with their captions and credits, body and quotations.

    Never raises on a ``str``; text it cannot place ends up in ``body``. A ``headline``
    given (a record's title) is used as it is, and no line of ``text`` is taken for one.

    >>> article = parse_article("Ad sales boost Time Warner profit\\n\\nBy Jane Doe\\n\\n"
    ...                         "Profits jumped 76%.")
    >>> article.headline, article.authors, article.body
    ('Ad sales boost Time Warner profit', ['Jane Doe'], 'Profits jumped 76%.')
    >>> parse_article("Bank of England raises rates\\n\\nMore.", headline="Given").body
    'Bank of England raises rates\\n\\nMore.'
    """
    # A record's text, with its title given, has no page around it.
    page = headline is None
    return parse_text(text, id=id, path=path, headline=headline, prompts=page, menus=page)


def parse_text(
    text: str,
    *,
    id: str | None,
    path: str | None,
    headline: str | None,
    prompts: bool,
    menus: bool,
) -> Article:
    """``parse_article``, told whether prompts to the reader, and menus, labels and teasers,
    leave the body (see ``strip_boilerplate``)."""
    paragraphs = split_paragraphs(text)
    layout = _Layout()
    if is_markdown(paragraphs, path):
        title, paragraphs, layout.images = read_markdown(paragraphs)
        headline = title if headline is None else headline
    paragraphs, layout = _first_line_caption(paragraphs, layout)
    top = 0
    if headline is None and not layout.images:
        at = _headline_at(paragraphs)
        if at is not None:
            headline, top = paragraphs[at], at + 1
    body = []
    uncredited = uncredited_captions(paragraphs) if menus else set()
    for index, paragraph in enumerate(paragraphs[top:], start=top):
        near_top = index < top + _TOP_PARAGRAPHS and headline is not None
        just_below = index < top + _BYLINE_PARAGRAPHS and headline is not None
        caption = index in uncredited
        if paragraph != headline and not layout.take(paragraph, near_top, just_below, caption):
            body.append(paragraph)
    layout.finish()
    body = strip_boilerplate(body, prompts=prompts, menus=menus)
    caption, credit = first_image(layout.images)
    return Article(
        id=content_id(text) if id is None else id,
        body="\n\n".join(body),
        headline=headline or None,
        caption=caption,
        credit=credit,
        quotes=extract_quotes(body),
        path=path,
        date=layout.date,
        authors=layout.authors,
        images=layout.images,
    )


def _first_line_caption(paragraphs: list[str], layout: _Layout) -> tuple[list[str], _Layout]:
    """A caption on the first line of the text, above the rest of its paragraph."""
    if not paragraphs:
        return paragraphs, layout
    first_line, _, rest = paragraphs[0].partition("\n")
    caption = split_caption(first_line) if rest else None
    if caption is None:
        return paragraphs, layout
    layout.images.insert(0, Image(*caption))
    return [rest.strip(), *paragraphs[1:]], layout
