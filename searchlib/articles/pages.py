"""Reading a news page: its headline, photos and the article's text, without the page around
them (menus, scripts, share links, related stories); see ``markup`` for how a page is read
into blocks, ``mainbody`` for how the article's text is found among them, ``metadata`` for
titles, authors and dates.

- headline: the page's ``<h1>`` that shares words with the page's metadata title, wherever
  it sits; else the first ``<h1>`` in the article (or outside the page's furniture); else
  that title without the site's name;
- photos: every ``<figure>`` (or element whose class says caption) with its caption and
  credit (an element whose class says credit, else the end of the caption: "(Jon Super /
  AP)", "Photograph: …"), and short lines of bare text right after a photo;
- body: the blocks ``mainbody`` chooses, a paragraph each.
"""

from __future__ import annotations

from typing import NamedTuple

from searchlib.articles.article import Image
from searchlib.articles.images import credit_line, first_image, looks_like_credit, split_caption
from searchlib.articles.mainbody import body_blocks
from searchlib.articles.markup import Block, PageParts, read_parts
from searchlib.articles.metadata import site_title

_CREDIT_MAX_WORDS = 6


class Page(NamedTuple):
    """What a news page holds: headline, caption and credit (``None`` when absent), and the
    body, its paragraphs separated by blank lines."""

    headline: str | None
    caption: str | None
    credit: str | None
    body: str


def read_page(html: str) -> Page:
    """The headline, first photo's caption and credit, and body of an HTML page.

    >>> page = read_page(
    ...     "<title>Rain | Daily Planet</title><nav><p>Home</p></nav><article><h1>Rain</h1>"
    ...     "<figure><figcaption>Floods in Leeds (Jon Super / AP)</figcaption></figure>"
    ...     "<p>It rained &amp; rained.</p><script>track()</script></article>"
    ... )
    >>> page.headline, page.caption, page.credit, page.body
    ('Rain', 'Floods in Leeds', 'Jon Super / AP', 'It rained & rained.')
    """
    parts = read_parts(html)
    caption, credit = first_image(page_images(parts))
    body = "\n\n".join(block.text for block in body_blocks(parts))
    return Page(page_headline(parts), caption, credit, body)


def page_headline(parts: PageParts) -> str | None:
    """The ``<h1>`` that shares most words with the metadata title, else the first in the
    article, else that title."""
    title = site_title(parts)
    headings = [block for block in parts.blocks if block.element == "h1"]
    if title and headings:
        words = set(title.lower().split())

        def shared(block: Block) -> float:
            own = set(block.text.lower().split())
            return len(own & words) / len(own)

        best = max(headings, key=shared)
        if shared(best) >= 0.5:
            return best.text
    in_article = [block.text for block in headings if block.in_article and not block.furniture]
    elsewhere = [block.text for block in headings if not block.furniture]
    anywhere = [block.text for block in headings]
    return (in_article or elsewhere or [title])[0] or (anywhere or [None])[0]


def _is_credit(line: str) -> bool:
    """A line of a few words that credits a photo: "REUTERS", "Jon Super/AP"."""
    short = len(line.split()) <= _CREDIT_MAX_WORDS
    return short and (line.isupper() or looks_like_credit(line) or bool(credit_line(line)))


def page_images(parts: PageParts) -> list[Image]:
    """Every captioned photo, in page order: a figure's caption, and its credit from an
    element whose class says so, else from the caption's own text."""
    figures: dict[int | None, list[Block]] = {}
    # Lines after a logo above the headline ("Skip to main content") are no photo's.
    headline = next((i for i, block in enumerate(parts.blocks) if block.element == "h1"), 0)
    for index, block in enumerate(parts.blocks):
        bare = block.element is None and block.role is None
        if block.furniture or (bare and index < headline):
            continue
        if (
            block.element == "figcaption"
            or block.role == "caption"
            or (block.figure and (block.role == "credit" or block.element is None))
        ):
            key = block.figure if block.figure else -len(figures) - 1
            figures.setdefault(key, []).append(block)
    images = []
    for blocks in figures.values():
        if len(blocks) == 2 and not blocks[1].role and _is_credit(blocks[1].text):
            blocks[1].role = "credit"  # a caption's credit on a line of its own
        credits = [block.text for block in blocks if block.role == "credit"]
        credits += [block.credit for block in blocks if block.credit and block.role != "credit"]
        captions = [
            block.text.replace(block.credit, "").strip() if block.credit else block.text
            for block in blocks
            if block.role != "credit"
        ]
        caption = " ".join(captions) or None
        credit = " ".join(credit_line(text) or text for text in credits) or None
        if caption and not credit and (split := split_caption(caption)):
            caption, credit = split
        images.append(Image(caption, credit))
    return [image for image in images if image.caption or image.credit]
