"""searchlib: full-text search for archives of news articles.

>>> from searchlib import Index
>>> index = Index("index")                        # doctest: +SKIP
>>> index.add_folder("seeds")                     # doctest: +SKIP
>>> index.search("Byrne JAG")[0].snippet          # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from searchlib.articles.article import Article, Quote
    from searchlib.articles.parse import parse_article
    from searchlib.articles.webpages import parse_page
    from searchlib.errors import (
        IndexChangedError,
        IndexCorruptError,
        IndexIncompatibleError,
        IndexLockedError,
        IndexNotFoundError,
        IndexStorageError,
        QueryError,
        QueryWarning,
        RequestLimitError,
        SearchlibError,
        SearchlibWarning,
        SkippedFileWarning,
    )
    from searchlib.index import Index
    from searchlib.indexing.report import IndexReport
    from searchlib.results.hits import Hit, Results
    from searchlib.results.snippets import Snippet

_ERRORS = (
    "IndexChangedError",
    "IndexCorruptError",
    "IndexIncompatibleError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStorageError",
    "QueryError",
    "QueryWarning",
    "RequestLimitError",
    "SearchlibError",
    "SearchlibWarning",
    "SkippedFileWarning",
)
_HOMES = {
    "Article": "searchlib.articles.article",
    "Quote": "searchlib.articles.article",
    "parse_article": "searchlib.articles.parse",
    "parse_page": "searchlib.articles.webpages",
    "Index": "searchlib.index",
    "IndexReport": "searchlib.indexing.report",
    "Hit": "searchlib.results.hits",
    "Results": "searchlib.results.hits",
    "Snippet": "searchlib.results.snippets",
    **dict.fromkeys(_ERRORS, "searchlib.errors"),
}
"""Where each public name lives: each loads on first use, so an indexing worker (which
imports ``searchlib.indexing``) never loads the search side, and a search never compiles
the parser's patterns (~40 ms)."""


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'searchlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Article",
    "Hit",
    "Index",
    "IndexChangedError",
    "IndexCorruptError",
    "IndexIncompatibleError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStorageError",
    "QueryError",
    "QueryWarning",
    "Quote",
    "RequestLimitError",
    "Results",
    "SearchlibError",
    "SearchlibWarning",
    "SkippedFileWarning",
    "Snippet",
    "parse_article",
    "parse_page",
]
