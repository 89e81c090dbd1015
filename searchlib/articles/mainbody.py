"""Finding the article's text among a page's blocks: the element whose blocks hold the most
prose for the least of anything else.

A block is prose when it is a paragraph (or a run of text) of a sentence's length that is
not mostly link text; its characters count for every element around it, and the characters
of other blocks (menus, link lists, labels, furniture) against. The element with the best
balance holds the article, however its paragraphs are wrapped or cut up by advertisements.
Its blocks are the body unless they are page furniture, inside an element within it whose
class names furniture and that holds more of anything else than prose (class names are
loose: "sidebar-enabled" on a page's ``<body>``, "sidebar-grid" around an article's text), inside
one whose class names an extra (comments, share buttons, related stories, cookie notices;
its text counts against the elements around it), repeated on the page (prompts and
promotions are), captions, headings, mostly link text, or a line too short to be prose.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate

from searchlib.articles.markup import Block, PageParts

_MIN_PARAGRAPH_CHARS = 25
_MAX_LINK_SHARE = 0.5
_LABEL_MAX_WORDS = 4
_BODY_ELEMENTS = frozenset({"p", "blockquote", "li", "pre", "dd", None})
_NEUTRAL = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "title"})
"""Headings and captions belong to articles and pages alike: they count neither way."""


def _balance(block: Block) -> int:
    """What a block says about an element holding it: prose for, anything else against."""
    if block.element in _NEUTRAL or block.figure:
        return 0
    prose = (
        not block.furniture
        and block.element in _BODY_ELEMENTS
        and len(block.text) >= _MIN_PARAGRAPH_CHARS
        and block.link_chars <= len(block.text) * _MAX_LINK_SHARE
    )
    if prose:
        return len(block.text)
    # A short paragraph may be the article's ("Work starts in spring."); menus are not.
    return 0 if block.element == "p" and not block.link_chars else -len(block.text)


def body_blocks(parts: PageParts) -> list[Block]:
    """The blocks of ``parts`` that are the article's text, in page order.

    >>> from searchlib.articles.markup import read_parts
    >>> page = ('<ul><li><a href="/a">Home</a></li><li><a href="/b">World</a></li></ul>'
    ...         '<div><p>It rained, and rained, in Leeds on Monday, the council said.</p>'
    ...         '<div class="ad">Advertisement</div>'
    ...         '<p>Roads closed, schools shut, and trains stopped, it added.</p></div>')
    >>> [block.text[:10] for block in body_blocks(read_parts(page))]
    ['It rained,', 'Roads clos']
    """
    balances = [_balance(block) for block in parts.blocks]
    prose = [0, *accumulate(max(value, 0) for value in balances)]

    def is_extra(node: int) -> bool:
        """An element named as an extra that holds under half the page's prose (more, and
        its class names something else: "has-comments" on a page's wrapper)."""
        first, end = parts.spans.get(node, (0, 0))
        return bool(node) and prose[end] - prose[first] <= prose[-1] / 2

    extras = {block.extra: is_extra(block.extra) for block in parts.blocks}
    balances = [
        -len(block.text) if extras[block.extra] else value
        for block, value in zip(parts.blocks, balances, strict=True)
    ]
    totals = [0, *accumulate(balances)]

    def balance(node: int) -> int:
        first, end = parts.spans.get(node, (0, 0))
        return totals[end] - totals[first]

    best = max(parts.spans, key=balance, default=0)
    if balance(best) <= 0:  # no element holds prose: a note, not a page; all its text
        text = [block for block in parts.blocks if not block.furniture]
        text = [block for block in text if block.element in _BODY_ELEMENTS and not block.figure]
        # Paragraphs when there are any, else runs of text (a page without paragraphs).
        text = [block for block in text if block.element] or text
        return [block for block in text if block.in_article] or text
    first, end = parts.spans[best]
    seen = Counter(block.text for block in parts.blocks)
    chosen = parts.blocks[first:end]
    # Above the first paragraph of prose, a short line may be a byline: the text parser sees.
    top = next((index for index, block in enumerate(chosen) if _balance(block) > 0), 0)
    return [
        block
        for index, block in enumerate(chosen)
        if _is_body(block, index < top)
        and not (block.marked > best and balance(block.marked) <= 0)
        and not (block.extra > best and extras[block.extra])
        # A paragraph the page repeats is a prompt or a promotion, not the story.
        and seen[block.text] == 1
    ]


def _is_body(block: Block, keep_short: bool = False) -> bool:
    if block.furniture:
        return False
    if block.element not in _BODY_ELEMENTS or block.figure or block.role in ("credit", "caption"):
        return False
    if block.link_chars > len(block.text) * _MAX_LINK_SHARE:
        return False
    # A bare line of a few words, or a paragraph of as few without a sentence's end, is a
    # label or a subheading (as ``<h2>`` is), not prose; a list's items are the article's.
    short = len(block.text.split()) <= _LABEL_MAX_WORDS and block.text[-1:] not in ".!?”\"'"
    return block.element not in (None, "p") or not short or (keep_short and block.element == "p")
