"""Errors and warnings searchlib raises; every message says what happened and what to do."""

from __future__ import annotations


class SearchlibError(Exception):
    """Base class of searchlib's errors."""


class IndexNotFoundError(SearchlibError):
    """There is no index at the given path."""


class IndexLockedError(SearchlibError):
    """Another writer holds the index's lock."""


class IndexCorruptError(SearchlibError):
    """The index files can't be read."""


class IndexIncompatibleError(SearchlibError):
    """The index was built with another analyzer or document format."""


class IndexStorageError(SearchlibError):
    """The operating system refused to read or write the index folder: its disk is full,
    it is read-only or not permitted, or it has gone."""


class IndexChangedError(SearchlibError):
    """The index had a commit while a search ran on a cluster, which ranks the last commit
    only; searching again sees the new one."""


class QueryError(SearchlibError):
    """The query has nothing searchable."""


class RequestLimitError(SearchlibError):
    """A search asked for more than searchlib answers in bounded time: hits ranked beyond
    its result window, or work beyond its time limit."""


class SearchlibWarning(UserWarning):
    """Base class of searchlib's warnings."""


class QueryWarning(SearchlibWarning):
    """Part of a query was ignored or reinterpreted."""


class SkippedFileWarning(SearchlibWarning):
    """A file could not be indexed and was skipped."""
