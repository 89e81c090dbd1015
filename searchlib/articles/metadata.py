"""What a page says about its article in metadata: JSON-LD (schema.org ``NewsArticle``),
``<meta>`` tags (Open Graph, ``article:``, ``author``), ``<time datetime>`` and byline
elements. Each is read where present; the first that gives a value wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from searchlib.articles.bylines import byline, names
from searchlib.articles.dates import parse_date
from searchlib.articles.markup import PageParts

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|WebPage|LiveBlog", re.IGNORECASE)
_URL = re.compile(r"^\w+://|^www\.|/")
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")
"""A site's name after a title: "Rain in Leeds - Daily Planet", "… | Site"."""


def _objects(parts: PageParts) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD, nested ones (``@graph`` members, a web page's
    ``mainEntity``) included."""
    for text in parts.json_ld:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                stack.extend(value for value in item.values() if isinstance(value, (list, dict)))


def _article_objects(parts: PageParts) -> list[dict[str, Any]]:
    found = [item for item in _objects(parts) if _ARTICLE_TYPES.search(str(item.get("@type")))]
    # An article type before a web page: a page's WebPage object may carry another date.
    return sorted(found, key=lambda item: "WebPage" in str(item.get("@type")))


def _person_names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Names of the people in a JSON-LD ``author`` value (``@id`` references resolved)."""
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            found.extend(names(item) or ([item] if not _URL.search(item) else []))
        elif isinstance(item, dict):
            item = by_id.get(str(item.get("@id")), item) if "name" not in item else item
            if "Organization" in str(item.get("@type")):
                continue
            name = item.get("name")
            if isinstance(name, str) and name.strip():
                found.extend(names(name) or [name.strip()])
    return found


def _site_names(parts: PageParts, objects: list[dict[str, Any]]) -> set[str]:
    """The site's own names (``og:site_name``, JSON-LD publishers), lowercase: a site that
    signs as its author names no person."""
    found = set(parts.meta.get("og:site_name", []))
    for item in objects:
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            found.add(publisher["name"])
    title = next((block.text for block in parts.blocks if block.element == "title"), "")
    suffix = _TITLE_SUFFIX.search(title)
    if suffix:
        found.add(suffix.group().strip(" |–—-"))
    return {name.lower() for name in found}


def authors(parts: PageParts) -> list[str]:
    """The article's authors: JSON-LD ``author`` people, else author ``<meta>`` tags that
    hold names (not profile addresses), else byline elements of the page; never the site's
    own name."""
    objects = list(_objects(parts))
    by_id = {str(item["@id"]): item for item in objects if "@id" in item}
    site = _site_names(parts, objects)

    def people(found: list[str]) -> list[str]:
        return list(
            dict.fromkeys(name for name in found if not name.lower().startswith(tuple(site)))
        )

    for item in _article_objects(parts):
        found = people(_person_names(item.get("author"), by_id))
        if found:
            return found
    for key in ("author", "article:author", "article:author_name", "sailthru.author"):
        values = [value for value in parts.meta.get(key, []) if not _URL.search(value)]
        found = people([name for value in values for name in names(value)])
        if found:
            return found
    for block in parts.blocks:
        if block.role == "byline" and not block.furniture:
            found = people(byline(block.text))
            if found:
                return found
    return []


def published(parts: PageParts) -> datetime | None:
    """When the article was published: JSON-LD ``datePublished``, else the
    ``article:published_time`` (or similar) ``<meta>``, else the article's first ``<time>``."""
    for item in _article_objects(parts):
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str) and parse_date(value):
            return parse_date(value)
    for key in (
        "article:published_time",
        "og:published_time",
        "datepublished",
        "date",
        "pubdate",
        "publish-date",
        "dc.date",
    ):
        for value in parts.meta.get(key, []):
            if parse_date(value):
                return parse_date(value)
    return next((date for value in parts.times if (date := parse_date(value))), None)


def site_title(parts: PageParts) -> str | None:
    """The page's title from its metadata (``og:title``, JSON-LD ``headline``, ``<title>``),
    without a site name after it.

    >>> from searchlib.articles.markup import read_parts
    >>> site_title(read_parts("<title>Rain in Leeds - Daily Planet</title>"))
    'Rain in Leeds'
    """
    candidates = parts.meta.get("og:title", []) + parts.meta.get("twitter:title", [])
    candidates += [
        item["headline"]
        for item in _article_objects(parts)
        if isinstance(item.get("headline"), str)
    ]
    candidates += [block.text for block in parts.blocks if block.element == "title"]
    for title in candidates:
        title = " ".join(title.split())
        if title:
            return _TITLE_SUFFIX.sub("", title) or title
    return None


def description(parts: PageParts) -> str | None:
    """The page's own summary of the article (``og:description``, ``description``)."""
    for key in ("og:description", "description", "twitter:description"):
        for value in parts.meta.get(key, []):
            if value.strip():
                return " ".join(value.split())
    return None
