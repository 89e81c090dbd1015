"""Reading a news page: the headline, photo caption and article text of an HTML file, without
the page around them (menus, scripts, share links), with the standard library's parser.

What is read, and where from:

- headline: the first ``<h1>`` inside the article (``<article>``, else ``<main>``), else the
  first outside the page's header, menus and footer, else ``<title>``, which on most news
  sites also carries the site's name;
- caption: the first ``<figcaption>`` in the article, split from a credit in parentheses or
  after "Photograph:" the way captions of text files are;
- body: the ``<p>``, ``<blockquote>`` and ``<li>`` paragraphs of the ``<article>`` elements
  when they hold any, else of ``<main>``, else of the whole page; a page without such
  paragraphs gives its other text, a paragraph per block. ``<nav>``, ``<header>``,
  ``<footer>``, ``<aside>`` and ``<form>`` are never part of it; ``<script>``, ``<style>``,
  ``<noscript>``, ``<template>`` and ``<svg>`` never part of anything.

Each paragraph of a block quotation stays a paragraph, and ``<q>`` gets its quotation marks,
so the quotation finder sees what a reader sees.

Any page is read in time linear in its length, and never raises: the standard parser of
CPython before 3.13.4 reads markup left open at the end of a page again from every ``<`` in
it (CVE-2025-6069) and raises on some ``<![`` sections, so those are dropped first, as HTML5
drops them, and comments left open are looked for once.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from typing import NamedTuple

from searchlib.articles.parse import split_caption

_IGNORED = frozenset({"script", "style", "noscript", "template", "svg"})
_PAGE_PARTS = frozenset({"nav", "header", "footer", "aside", "form"})
"""Page furniture: its text is never the article's (a header inside an article still holds
the headline)."""
_ARTICLE_ELEMENTS = ("article", "main")
"""Where the article is, most specific first."""
_PARAGRAPHS = frozenset({"p", "blockquote", "li"})
_READ_WHOLE = frozenset({"title", "h1", "figcaption"})
"""Elements read as one line, whatever blocks they contain."""
_HOLDERS = _PARAGRAPHS | _READ_WHOLE
_INLINE = _IGNORED | frozenset(
    "a abbr b bdi bdo cite code data del dfn em font i img ins kbd label mark picture q s samp"
    " small source span strong sub sup time u var wbr".split()
)
"""Elements inside a line of text; any other element starts or ends a block."""
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
"""Elements that have no end tag."""
_WHITESPACE = re.compile(r"\s+")
_MARKED_SECTION = re.compile(r"<!\[[^>]*>?")
"""``<![CDATA[…]]>``, ``<![if IE]>``: HTML5 reads them (outside SVG and MathML) as comments
up to the next ``>``; html.parser reads them as SGML sections, slowly, and raises on some."""
_MARKUP_OPENING = re.compile(r"<[A-Za-z/!?]")
_TAG = re.compile(r"<[^>]*>")


class Page(NamedTuple):
    """What a news page holds: headline, caption and credit (``None`` when absent), and the
    body, its paragraphs separated by blank lines."""

    headline: str | None
    caption: str | None
    credit: str | None
    body: str


class _Block(NamedTuple):
    """A run of text and where it stood: the element holding it (``None``: none of
    ``_PARAGRAPHS`` or ``_READ_WHOLE``), the article elements around it, whether page
    furniture was around it."""

    element: str | None
    within: frozenset[str]
    in_page_part: bool
    text: str


def read_page(html: str) -> Page:
    """The headline, caption, credit and body of an HTML page.

    >>> page = read_page(
    ...     "<title>Rain | Daily Planet</title><nav><p>Home</p></nav><article><h1>Rain</h1>"
    ...     "<figure><figcaption>Floods in Leeds (Jon Super / AP)</figcaption></figure>"
    ...     "<p>It rained &amp; rained.</p><script>track()</script></article>"
    ... )
    >>> page.headline, page.caption, page.credit, page.body
    ('Rain', 'Floods in Leeds', 'Jon Super / AP', 'It rained & rained.')
    """
    reader = _PageReader()
    try:
        reader.feed(_readable(html))
        reader.close()
    except AssertionError:  # html.parser's way of giving up on markup it can't read
        return Page(None, None, None, " ".join(unescape(_TAG.sub(" ", html)).split()))
    return _page(reader.blocks)


def _readable(html: str) -> str:
    """``html`` without what HTML5 drops and html.parser reads slowly or not at all: ``<![``
    sections, and markup opened after the page's last ``>`` (which can never end).

    >>> _readable("<p>3 < 4 <![CDATA[x]]></p><a href")
    '<p>3 < 4 </p>'
    """
    html = _MARKED_SECTION.sub("", html)
    opening = _MARKUP_OPENING.search(html, html.rfind(">") + 1)
    return html[: opening.start()] if opening else html


def _page(blocks: list[_Block]) -> Page:
    """The parts of a page from its blocks, chosen as the module's docstring says."""
    usable = [block for block in blocks if not block.in_page_part]
    article = next(
        (
            name
            for name in _ARTICLE_ELEMENTS
            if any(name in block.within for block in usable if block.element not in _READ_WHOLE)
        ),
        None,
    )
    chosen = [block for block in usable if article is None or article in block.within]
    paragraphs = [block.text for block in chosen if block.element in _PARAGRAPHS] or [
        block.text for block in chosen if block.element is None
    ]
    caption = _first(chosen, "figcaption")
    caption, credit = (split_caption(caption) or (caption, None)) if caption else (None, None)
    return Page(_headline(blocks, article), caption, credit, "\n\n".join(paragraphs))


def _headline(blocks: list[_Block], article: str | None) -> str | None:
    """The article's first ``<h1>``, else the page's (outside its furniture), else its title."""
    headings = [block for block in blocks if block.element == "h1"]
    return (
        _first([block for block in headings if article in block.within], "h1")
        or _first([block for block in headings if not block.in_page_part], "h1")
        or _first(blocks, "title")
    )


def _first(blocks: list[_Block], element: str) -> str | None:
    return next((block.text for block in blocks if block.element == element), None)


class _PageReader(HTMLParser):
    """Cuts a page into ``blocks`` of text, each with the elements it stood in. Open elements
    are counted by name too, so a block's context costs the same however deep a page nests."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._open: list[str] = []
        self._counts: Counter[str] = Counter()
        self._holders: list[str] = []
        """The open elements of ``_HOLDERS``, innermost last."""
        self._whole: list[str] = []
        """The open elements of ``_READ_WHOLE``, innermost last."""
        self._text: list[str] = []
        self._unclosed_comment_from: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text.append("\n")
            return
        if tag not in _INLINE:
            self._end_block()
            # Browsers close an open <p> (or <li>, at the next item) here; pages rely on it.
            if self._open[-1:] == ["p"]:
                self._close("p")
            if tag == "li" and self._open[-1:] == ["li"]:
                self._close("li")
        if tag == "q":
            self._text.append("“")
        if tag not in _VOID:
            self._open.append(tag)
            self._counts[tag] += 1
            if tag in _HOLDERS:
                self._holders.append(tag)
            if tag in _READ_WHOLE:
                self._whole.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._counts[tag]:
            return
        if tag == "q":
            self._text.append("”")
        if tag not in _INLINE:
            self._end_block(closing=tag)
        self._close(tag)

    def handle_data(self, data: str) -> None:
        if not self._inside(_IGNORED):
            self._text.append(_WHITESPACE.sub(" ", data))

    def parse_comment(self, i: int, report: bool = True) -> int:
        # html.parser looks for the end of each "<!--" it meets; when one has none after
        # it, none after it has either (positions hold within one pass over the page).
        unclosed = self._unclosed_comment_from
        if unclosed is not None and i >= unclosed:
            return -1
        end: int = super().parse_comment(i, report)
        if end < 0:
            self._unclosed_comment_from = i
        return end

    def close(self) -> None:
        self._unclosed_comment_from = None  # the pass at the end reads from a new start
        super().close()
        while self._open:  # what the page left open ends with it
            self.handle_endtag(self._open[-1])
        self._end_block()

    def _close(self, tag: str) -> None:
        """End the innermost open ``tag`` and the elements left open inside it."""
        while True:
            name = self._open.pop()
            self._counts[name] -= 1
            if name in _HOLDERS:
                self._holders.pop()
            if name in _READ_WHOLE:
                self._whole.pop()
            if name == tag:
                return

    def _inside(self, names: frozenset[str]) -> bool:
        return any(self._counts[name] for name in names)

    def _end_block(self, closing: str | None = None) -> None:
        """End the text read so far as a block; inside an element read whole (a headline
        with a line break in it), only its own end does."""
        whole = self._whole[-1] if self._whole else None
        if whole and closing != whole:
            self._text.append(" ")
            return
        text = "".join(self._text)
        self._text.clear()
        # A line break ends a line of a paragraph; a headline or caption stays one line.
        lines = [text] if whole else text.split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if text:
            self.blocks.append(
                _Block(
                    element=self._holders[-1] if self._holders else None,
                    within=frozenset(name for name in _ARTICLE_ELEMENTS if self._counts[name]),
                    in_page_part=self._inside(_PAGE_PARTS),
                    text=text,
                )
            )
