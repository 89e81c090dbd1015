"""``parse_page``: a news page (HTML) into an ``Article``, with the page's headline, authors,
date, summary, photos and the article's text without the page around it.

The headline is the page's ``<h1>`` that is the article's (it shares words with the page's
metadata title), wherever it sits; else the metadata title without the site's name.
"""

from __future__ import annotations

from searchlib.articles.article import Article, Image
from searchlib.articles.images import credit_line, first_image, looks_like_credit, split_caption
from searchlib.articles.mainbody import body_blocks
from searchlib.articles.metadata import authors, description, published, site_title
from searchlib.articles.pages import Block, PageParts, read_parts

_CREDIT_MAX_WORDS = 6
MAX_PAGE_CHARACTERS = 2_000_000
"""An HTML page is cut here before it is read (news pages run to a few hundred thousand):
reading markup takes about a second per million characters."""


def parse_page(html: str | bytes, url: str | None = None) -> Article:
    """Parse a news page into an ``Article`` (bytes are read as UTF-8; ``url``, when given,
    is the article's id and path).

    >>> article = parse_page(
    ...     '<title>Rain | Daily Planet</title><meta name="author" content="Jo Li">'
    ...     '<nav><p>Home</p></nav><article><h1>Rain</h1><figure><img src="r.jpg">'
    ...     "<figcaption>Floods in Leeds (Jon Super / AP)</figcaption></figure>"
    ...     "<p>It rained &amp; rained, the council said on Monday.</p></article>"
    ... )
    >>> article.headline, article.authors, article.caption, article.credit
    ('Rain', ['Jo Li'], 'Floods in Leeds', 'Jon Super / AP')
    >>> article.body
    'It rained & rained, the council said on Monday.'
    """
    # Imported here: the parser's patterns take a while to compile.
    from searchlib.articles.parse import content_id, parse_text

    if isinstance(html, bytes):
        html = html.decode("utf-8-sig", errors="replace")
    parts = read_parts(html[:MAX_PAGE_CHARACTERS])
    blocks = body_blocks(parts)
    headline = _headline(parts)
    article = parse_text(
        "\n\n".join(block.text for block in blocks),
        id=url or content_id(html),
        path=url,
        headline=headline or "",
        prompts=True,  # menus are left out by the page's structure (``mainbody``)
        menus=False,
    )
    article.headline = headline
    images = _images(parts)
    if images:
        article.images = images
        article.caption, article.credit = first_image(images)
    article.authors = authors(parts) or article.authors
    article.date = published(parts) or article.date
    article.summary = description(parts) or article.summary
    return article


def _headline(parts: PageParts) -> str | None:
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


def _images(parts: PageParts) -> list[Image]:
    """Every captioned photo, in page order: a figure's caption, and its credit from an
    element whose class says so, else from the caption's own text."""
    figures: dict[int | None, list[Block]] = {}
    for block in parts.blocks:
        if block.furniture:
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
