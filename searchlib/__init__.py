"""searchlib: full-text search for archives of news articles.

>>> from searchlib import Index
>>> index = Index("index")                        # doctest: +SKIP
>>> index.add_folder("seeds")                     # doctest: +SKIP
>>> index.search("Byrne JAG")[0].snippet          # doctest: +SKIP
"""

from searchlib.article import Article, Quote
from searchlib.errors import (
    IndexCorruptError,
    IndexIncompatibleError,
    IndexLockedError,
    IndexNotFoundError,
    QueryError,
    QueryWarning,
    SearchlibError,
    SearchlibWarning,
    SkippedFileWarning,
)
from searchlib.index import Index, IndexReport
from searchlib.parse import parse_article
from searchlib.results import Hit, Results, Snippet

__all__ = [
    "Article",
    "Hit",
    "Index",
    "IndexCorruptError",
    "IndexIncompatibleError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "QueryError",
    "QueryWarning",
    "Quote",
    "Results",
    "SearchlibError",
    "SearchlibWarning",
    "SkippedFileWarning",
    "Snippet",
    "parse_article",
]
