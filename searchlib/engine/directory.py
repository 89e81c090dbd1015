"""An index folder's Whoosh index: opening or creating it, a writer holding its lock, and
searchers over its last commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import EmptyIndexError, FileIndex, LockError

from searchlib.engine.codec import CODEC
from searchlib.engine.fields import whoosh_schema
from searchlib.engine.files import INDEX_NAME, open_index, open_storage, unreadable
from searchlib.engine.reading import Searcher
from searchlib.engine.writing import SegmentWriter, Writer
from searchlib.errors import IndexLockedError, IndexNotFoundError


class Engine:
    """A Whoosh index in a directory, opened with searchlib's schema."""

    def __init__(self, directory: Path, *, create: bool = False) -> None:
        self.directory = directory
        schema = whoosh_schema()
        try:
            storage = open_storage(directory)
            if create:
                directory.mkdir(parents=True, exist_ok=True)
                self._index = FileIndex.create(storage, schema, INDEX_NAME)
            else:
                self._index = open_index(storage, schema)
        except EmptyIndexError as error:
            raise IndexNotFoundError(f"no index in {directory}") from error
        except Exception as error:  # Whoosh fails on garbled files with any exception type
            raise unreadable(directory, error) from error

    @staticmethod
    def exists(directory: Path) -> bool:
        """Whether ``directory`` holds a Whoosh index."""
        return directory.is_dir() and any(directory.glob("_MAIN_*.toc"))

    def doc_count(self) -> int:
        """How many documents the index holds."""
        try:
            return self._index.doc_count()
        except Exception as error:
            raise unreadable(self.directory, error) from error

    @contextmanager
    def writer(self, timeout: float, memory_mb: int = 256) -> Iterator[Writer]:
        """A writer holding the index lock; commits on success, cancels on error."""
        try:
            writer = SegmentWriter(self._index, timeout=timeout, limitmb=memory_mb, codec=CODEC)
        except LockError as error:
            raise IndexLockedError(
                f"the index in {self.directory} is being written by another process "
                f"(waited {timeout:g} s); try again when it has finished"
            ) from error
        wrapped = Writer(writer)
        try:
            yield wrapped
            wrapped.commit()
        except BaseException:
            # A failed commit leaves the last committed generation as it was; segment files
            # written for it are removed by the next commit. (A writer that closed while
            # failing needs no cancel, and cancelling it would hide the real error.)
            if not writer.is_closed:
                writer.cancel()
            raise

    def searcher(self) -> Searcher:
        """A searcher over the last commit; close it (or use ``with``)."""
        try:
            return Searcher(self._index.searcher())
        except Exception as error:
            raise unreadable(self.directory, error) from error
