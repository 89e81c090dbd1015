"""searchlib: full-text search for archives of news articles.

>>> from searchlib import Index
>>> index = Index("index")                        # doctest: +SKIP
>>> index.add_folder("seeds")                     # doctest: +SKIP
>>> index.search("Byrne JAG")[0].snippet          # doctest: +SKIP
"""

from searchlib.articles.article import Article, Quote
from searchlib.errors import (
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


def __getattr__(name: str) -> object:
    # parse_article and parse_page load on first use: its patterns take ~40 ms to compile, and a
    # search never needs them.
    if name == "parse_article":
        from searchlib.articles.parse import parse_article

        return parse_article
    if name == "parse_page":
        from searchlib.articles.webpages import parse_page

        return parse_page
    raise AttributeError(f"module 'searchlib' has no attribute {name!r}")


__all__ = [
    "Article",
    "Hit",
    "Index",
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
