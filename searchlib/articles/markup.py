"""Reading a news page (HTML) into blocks of text, with the standard library's parser.

A block is a run of text ended by a block element (a paragraph, a list item, a heading, a
caption, a ``<div>``), with where it stood: the element holding it, the elements around it
(as node numbers, so the article's container can be found afterwards, see ``mainbody``),
whether page furniture (``<nav>``, ``<footer>``, ``<aside>``, ``<form>``, a ``<header>``
outside the article) was around it, the innermost element whose class names a menu, share
links or related stories (whether that is furniture depends on where the article is), and
how much of it was link text. The page's metadata (``<meta>``, JSON-LD, ``<time>``, byline
classes) is collected on the way, for ``metadata``.

Each paragraph of a block quotation stays a paragraph, and ``<q>`` gets its quotation marks,
so the quotation finder sees what a reader sees. ``<script>``, ``<style>``, ``<noscript>``,
``<template>`` and ``<svg>`` are never read, except JSON-LD scripts (metadata).

Any page is read in time linear in its length, and never raises: the standard parser of
CPython before 3.13.4 reads markup left open at the end of a page again from every ``<`` in
it (CVE-2025-6069) and raises on some ``<![`` sections, so those are dropped first, as HTML5
drops them, and comments left open are looked for once; what the parser still gives up on
is read as its text without tags.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

_IGNORED = frozenset({"script", "style", "noscript", "template", "svg", "select"})
_PAGE_PARTS = frozenset({"nav", "footer", "aside", "form", "dialog"})
"""Page furniture: its text is never the article's."""
_HEADER = "header"
"""A header holds the page's menus, or (inside an article) its headline and byline."""
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:nav|navigation|menu|breadcrumbs?|sidebar|footer|trending|most-?read"
    r"|read-?more|more-?stories)(?:$|[\s_-])",
    re.IGNORECASE,
)
"""Classes and ids that name furniture, in the words of common front-end practice (loosely:
"sidebar-grid" may hold the article)."""
_EXTRAS_CLASS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|recommended|promo|newsletter|signup"
    r"|subscribe|comments?|cookies?|consent|gdpr|advert|ad-slot|outbrain|taboola|bio)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
"""Classes and ids that name what comes with an article but isn't it: share buttons,
related stories, comments, cookie notices, an author's biography."""
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|source|attribution", re.IGNORECASE)
_CAPTION_CLASS = re.compile(r"caption", re.IGNORECASE)
_BYLINE_CLASS = re.compile(r"byline|author", re.IGNORECASE)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "blockquote", "li", "pre", "dd"})
_READ_WHOLE = frozenset({"title", "figcaption"}) | _HEADINGS
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
_CAPTION_MAX_WORDS = 40


@dataclass
class Block:
    """A run of text and where it stood.

    ``element``: the innermost of ``_HOLDERS`` around it (``None``: none); ``parents``: the
    node numbers of its two innermost block elements; ``in_article``: inside ``<article>``
    or ``<main>``; ``furniture``: inside page furniture; ``marked``: the number of the
    innermost element around it whose class names furniture (0: none), ``extra``: one that
    names an extra (share buttons, comments, related stories); ``link_chars``:
    characters of link text; ``figure``: the number of the ``<figure>`` around it;
    ``role``: "credit" or "byline" when an element's class says so; ``credit``: the text of
    elements within it whose class says they are a credit (a caption's credit in a span)."""

    element: str | None
    parents: tuple[int, int]
    in_article: bool
    furniture: bool
    text: str
    marked: int = 0
    extra: int = 0
    link_chars: int = 0
    figure: int | None = None
    role: str | None = None
    credit: str = ""


@dataclass
class PageParts:
    """What the reader found: blocks in page order, where each node's blocks start and end
    (``spans[node] = (first, end)``), each node's parent, and the page's metadata."""

    blocks: list[Block] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    parent: dict[int, int] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)
    """``<meta>`` contents by lowercase name or property."""
    json_ld: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    """``datetime`` values of ``<time>`` elements in the article, in page order."""


@dataclass
class _Open:
    tag: str
    node: int
    block_element: bool
    furniture: bool
    marked: bool
    extra: bool
    role: str | None = None


def read_parts(html: str) -> PageParts:
    """The blocks and metadata of an HTML page.

    >>> parts = read_parts('<meta name="author" content="Jo Li"><article><h1>Rain</h1>'
    ...                    '<p>It rained &amp; <a href="/x">rained</a>.</p></article>')
    >>> [(block.element, block.text, block.link_chars) for block in parts.blocks]
    [('h1', 'Rain', 0), ('p', 'It rained & rained.', 6)]
    >>> parts.meta["author"]
    ['Jo Li']
    """
    reader = _PageReader()
    try:
        reader.feed(_readable(html))
        reader.close()
    except AssertionError:  # html.parser's way of giving up on markup it can't read
        text = " ".join(unescape(_TAG.sub(" ", html)).split())
        return PageParts(blocks=[Block(None, (0, 0), False, False, text)] if text else [])
    return reader.parts


def _readable(html: str) -> str:
    """``html`` without what HTML5 drops and html.parser reads slowly or not at all: ``<![``
    sections, and markup opened after the page's last ``>`` (which can never end).

    >>> _readable("<p>3 < 4 <![CDATA[x]]></p><a href")
    '<p>3 < 4 </p>'
    """
    html = _MARKED_SECTION.sub("", html)
    opening = _MARKUP_OPENING.search(html, html.rfind(">") + 1)
    return html[: opening.start()] if opening else html


class _PageReader(HTMLParser):
    """Cuts a page into blocks. Open elements are counted by name too, so a block's context
    costs the same however deep a page nests."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        self._open: list[_Open] = []
        self._counts: Counter[str] = Counter()
        self._holders: list[str] = []
        """The open elements of ``_HOLDERS``, innermost last."""
        self._whole: list[str] = []
        """The open elements of ``_READ_WHOLE``, innermost last."""
        self._roles: list[str] = []
        """The roles of the open elements that have one, innermost last."""
        self._open_blocks: set[int] = set()
        self._unclosed_comment_from: int | None = None
        self._blocks: list[int] = [0, 0]
        """Node numbers of the open block elements, innermost last (0: the page)."""
        self._furniture = 0
        self._marked: list[int] = [0]
        self._extras: list[int] = [0]
        self._figures: list[int] = []
        self._text: list[str] = []
        self._credit: list[str] = []
        self._credits = 0
        """Open elements whose class says they are a credit."""
        self._links = 0
        self._link_chars = 0
        self._script: list[str] | None = None
        self._nodes = 0
        self._image: tuple[int, int] | None = None
        """The element around the element of the last photo outside a ``<figure>``, and how
        many lines of bare text followed the photo there: a caption and a credit without
        markup."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text.append("\n")
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "meta":
            self._meta(values)
            return
        if tag == "script" and "ld+json" in values.get("type", ""):
            self._script = []
        if tag == "time" and values.get("datetime") and self._inside_article():
            self.parts.times.append(values["datetime"])
        if tag == "img" and not self._figures:
            self._end_block()
            # Its caption may follow the element around it: "<div><img></div><div>caption".
            self._image = (self._blocks[-2], 0)
        if tag == "a":
            self._links += 1
        block_element = tag not in _INLINE
        if block_element:
            self._end_block()
            # Browsers close an open <p> (or <li>, at the next item) here; pages rely on it.
            if self._open and self._open[-1].tag == "p":
                self._close("p")
            if tag == "li" and self._open and self._open[-1].tag == "li":
                self._close("li")
        if tag == "q":
            self._text.append("“")
        if tag in _VOID:
            return
        self._nodes += 1
        node = self._nodes
        classes = f"{values.get('class', '')} {values.get('id', '')}"
        furniture = tag in _PAGE_PARTS or (tag == _HEADER and not self._inside_article())
        marked = tag == "button" or (tag not in _HOLDERS and bool(_FURNITURE_CLASS.search(classes)))
        extra = bool(_EXTRAS_CLASS.search(classes))
        role = (
            "credit"
            if _CREDIT_CLASS.search(classes)
            else "caption"
            if _CAPTION_CLASS.search(classes) and tag != "figure"
            else "byline"
            if _BYLINE_CLASS.search(classes) or "author" in values.get("rel", "").split()
            else None
        )
        self._open.append(_Open(tag, node, block_element, furniture, marked, extra, role))
        self._counts[tag] += 1
        self._furniture += furniture
        self._credits += role == "credit"
        if marked:
            self._marked.append(node)
        if extra:
            self._extras.append(node)
        if block_element:
            self.parts.parent[node] = self._blocks[-1]
            self._blocks.append(node)
            self._open_blocks.add(node)
            self.parts.spans[node] = (len(self.parts.blocks), len(self.parts.blocks))
        if tag in _HOLDERS:
            self._holders.append(tag)
        if tag in _READ_WHOLE:
            self._whole.append(tag)
        if role:
            self._roles.append(role)
        if tag == "figure":
            self._figures.append(node)

    def handle_endtag(self, tag: str) -> None:
        if not self._counts[tag]:
            return
        if tag == "q":
            self._text.append("”")
        if tag == "script" and self._script is not None:
            self.parts.json_ld.append("".join(self._script))
            self._script = None
        if tag not in _INLINE:
            self._end_block(closing=tag)
        self._close(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        elif not any(self._counts[name] for name in _IGNORED):
            text = _WHITESPACE.sub(" ", data)
            self._text.append(text)
            if self._credits:
                self._credit.append(text)
            if self._links:
                self._link_chars += len(text.strip())

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
            self.handle_endtag(self._open[-1].tag)
        self._end_block()

    def _meta(self, values: dict[str, str]) -> None:
        name = (values.get("property") or values.get("name") or values.get("itemprop", "")).lower()
        if name and values.get("content"):
            self.parts.meta.setdefault(name.strip(), []).append(values["content"].strip())

    def _inside_article(self) -> bool:
        return bool(self._counts["article"] or self._counts["main"])

    def _close(self, tag: str) -> None:
        """End the innermost open ``tag`` and the elements left open inside it."""
        while True:
            opened = self._open.pop()
            self._counts[opened.tag] -= 1
            self._furniture -= opened.furniture
            self._credits -= opened.role == "credit"
            if opened.marked:
                self._marked.pop()
            if opened.extra:
                self._extras.pop()
            if opened.block_element:
                self._blocks.pop()
                self._open_blocks.discard(opened.node)
                first, _ = self.parts.spans[opened.node]
                self.parts.spans[opened.node] = (first, len(self.parts.blocks))
            if opened.tag in _HOLDERS:
                self._holders.pop()
            if opened.tag in _READ_WHOLE:
                self._whole.pop()
            if opened.role:
                self._roles.pop()
            if opened.tag == "figure":
                self._figures.pop()
            if opened.tag == "a":
                self._links -= 1
            if opened.tag == tag:
                return

    def _image_caption(self, text: str) -> int | None:
        """The photo's element when ``text`` is one of the two short lines of bare text
        right after a photo, in its element (read as its caption and credit)."""
        if self._image is None:
            return None
        element, lines = self._image
        bare = not self._holders and len(text.split(maxsplit=_CAPTION_MAX_WORDS)) <= (
            _CAPTION_MAX_WORDS
        )
        if not bare or lines == 2 or element not in self._open_blocks:
            self._image = None
            return None
        self._image = (element, lines + 1)
        return element

    def _end_block(self, closing: str | None = None) -> None:
        """End the text read so far as a block; inside an element read whole (a headline
        with a line break in it), only its own end does."""
        whole = self._whole[-1] if self._whole else None
        if whole and closing != whole:
            self._text.append(" ")
            return
        text, credit = "".join(self._text), " ".join("".join(self._credit).split())
        self._text.clear()
        self._credit.clear()
        link_chars, self._link_chars = self._link_chars, 0
        # A line break ends a line of a paragraph; a headline or caption stays one line.
        lines = [text] if whole else text.split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if not text:
            return
        role = self._roles[-1] if self._roles else None
        self.parts.blocks.append(
            Block(
                element=self._holders[-1] if self._holders else None,
                parents=(self._blocks[-1], self._blocks[-2]),
                in_article=self._inside_article(),
                furniture=self._furniture > 0,
                text=text,
                marked=self._marked[-1],
                extra=self._extras[-1],
                link_chars=link_chars,
                figure=self._figures[-1] if self._figures else self._image_caption(text),
                role=role,
                credit=credit,
            )
        )
