"""An index folder's Whoosh index: creating it once however many processes try, opening it,
a writer holding its lock, and searchers over its last commit."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from whoosh.index import EmptyIndexError, FileIndex
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher as WhooshSearcher

from searchlib.engine.codec import CODEC
from searchlib.engine.fields import whoosh_schema
from searchlib.engine.files import (
    INDEX_NAME,
    LOCK_NAME,
    close_files_left_open,
    open_index,
    open_storage,
    remove_uncommitted,
    unreadable,
)
from searchlib.engine.reading import Searcher
from searchlib.engine.writing import SegmentWriter, Writer
from searchlib.errors import IndexLockedError, IndexNotFoundError

LOCK_POLL = 0.05
"""Seconds between attempts to take the index lock."""


class Engine:
    """A Whoosh index in a directory, opened with searchlib's schema."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            self._index = open_index(open_storage(directory), whoosh_schema())
        except EmptyIndexError as error:
            raise IndexNotFoundError(f"no index in {directory}") from error
        except Exception as error:  # Whoosh fails on garbled files with any exception type
            raise unreadable(directory, error) from error

    @staticmethod
    def exists(directory: Path) -> bool:
        """Whether ``directory`` holds a Whoosh index."""
        return directory.is_dir() and any(directory.glob(f"_{INDEX_NAME}_*.toc"))

    @classmethod
    def create(
        cls, directory: Path, timeout: float = 10.0, prepare: Callable[[], None] | None = None
    ) -> Engine:
        """Create an empty index in ``directory`` and open it, unless another process has
        created one: creators take turns holding the index lock (waiting up to ``timeout``
        seconds), and the first makes it. ``prepare`` runs first: for every reader, the
        index exists from the moment its table of contents is written."""
        directory.mkdir(parents=True, exist_ok=True)
        storage = open_storage(directory)
        lock = storage.lock(LOCK_NAME)
        # Another creator may finish and go on to write, holding the lock for long.
        if not _acquire(lock, timeout, lambda: cls.exists(directory)):
            if cls.exists(directory):
                return cls(directory)
            raise IndexLockedError(
                f"the index in {directory} is being created by another process "
                f"(waited {timeout:g} s); try again when it has finished"
            )
        try:
            if not cls.exists(directory):
                if prepare is not None:
                    prepare()
                FileIndex.create(storage, whoosh_schema(), INDEX_NAME)
        finally:
            lock.release()
        return cls(directory)

    def doc_count(self) -> int:
        """How many documents the index holds."""
        try:
            reader = _reader(self._index)
            try:
                return reader.doc_count()
            finally:
                reader.close()
        except Exception as error:
            raise unreadable(self.directory, error) from error

    @contextmanager
    def writer(self, timeout: float, memory_mb: int = 256) -> Iterator[Writer]:
        """A writer holding the index lock; commits on success. On failure, or when the
        block raises, the writer's files are deleted: the index keeps its last commit."""
        storage = self._index.storage
        lock = storage.lock(LOCK_NAME)
        if not _acquire(lock, timeout):
            raise IndexLockedError(
                f"the index in {self.directory} is being written by another process "
                f"(waited {timeout:g} s); try again when it has finished"
            )
        try:
            # A writer killed before it finished left files no commit holds; the disk space
            # they take may be needed now.
            remove_uncommitted(storage)
            writer = SegmentWriter(self._index, _lk=False, limitmb=memory_mb, codec=CODEC)
        except BaseException:
            with suppress(OSError):  # what the writer wrote before it failed
                remove_uncommitted(storage)
            lock.release()
            raise
        writer.writelock = lock  # released when the writer finishes
        wrapped = Writer(writer)
        try:
            yield wrapped
            wrapped.commit()
        except BaseException as error:
            close_files_left_open(error)
            wrapped.abandon()
            raise

    def searcher(self) -> Searcher:
        """A searcher over the last commit; close it (or use ``with``)."""
        try:
            return Searcher(WhooshSearcher(_reader(self._index), fromindex=self._index))
        except Exception as error:
            raise unreadable(self.directory, error) from error


def _reader(index: FileIndex, retries: int = 10) -> Any:
    """Whoosh's reader of the last commit (``FileIndex.reader``), which closes the segments
    it opened when a later one fails to open (Whoosh leaves their files open)."""
    attempt = 0
    while True:
        attempt += 1
        readers: list[Any] = []
        try:
            # The table of contents too: a writer may remove it between listing and reading.
            info = index._read_toc()
            for segment in info.segments:
                readers.append(SegmentReader(index.storage, info.schema, segment, info.generation))
        except OSError:
            # As Whoosh does: a writer may have just removed a file of a replaced commit.
            for reader in readers:
                reader.close()
            if attempt == retries:
                raise
            time.sleep(0.05)
            continue
        except BaseException:
            for reader in readers:
                reader.close()
            raise
        if not readers:
            return EmptyReader(info.schema)
        return readers[0] if len(readers) == 1 else MultiReader(readers, info.generation)


def _acquire(lock: Any, timeout: float, give_up: Callable[[], bool] | None = None) -> bool:
    """Whether ``lock`` was acquired within ``timeout`` seconds (or before ``give_up``
    said to stop trying)."""
    deadline = time.monotonic() + timeout
    while not lock.acquire():
        if time.monotonic() >= deadline or (give_up is not None and give_up()):
            return False
        time.sleep(LOCK_POLL)
    return True
