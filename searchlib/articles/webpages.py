"""``parse_page``: a news page (HTML) into an ``Article``, with the page's headline, authors,
date, summary, photos and the article's text without the page around it.

The headline is the page's ``<h1>`` that is the article's (it shares words with the page's
metadata title), wherever it sits; else the metadata title without the site's name.
"""

from __future__ import annotations

from searchlib.articles.article import Article
from searchlib.articles.images import first_image
from searchlib.articles.mainbody import body_blocks
from searchlib.articles.markup import read_parts
from searchlib.articles.metadata import authors, description, published
from searchlib.articles.pages import page_headline, page_images

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
    headline = page_headline(parts)
    article = parse_text(
        "\n\n".join(block.text for block in blocks),
        id=url or content_id(html),
        path=url,
        headline=headline or "",
        prompts=True,  # menus are left out by the page's structure (``mainbody``)
        menus=False,
    )
    article.headline = headline
    images = page_images(parts)
    if images:
        article.images = images
        article.caption, article.credit = first_image(images)
    article.authors = authors(parts) or article.authors
    article.date = published(parts) or article.date
    article.summary = description(parts) or article.summary
    return article
