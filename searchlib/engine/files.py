"""An index's files: Whoosh's storage of a folder, its commits (generations of the table of
contents), and failures to read them reported as ``IndexCorruptError``."""

from __future__ import annotations

from pathlib import Path

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC, FileIndex

from searchlib.errors import IndexCorruptError

INDEX_NAME = "MAIN"
"""Whoosh's name for the index: its files are ``_MAIN_<generation>.toc`` and ``MAIN_*``."""
OPEN_ATTEMPTS = 10
"""Reads of the latest commit retried when commits keep replacing it meanwhile."""


def open_storage(directory: Path) -> FileStorage:
    """Whoosh's storage of the files in ``directory``."""
    # Without mmap, Whoosh reads a segment's parts from its file as needed; with it, it
    # copies every part (postings included) into memory when a searcher opens.
    return FileStorage(str(directory), supports_mmap=False)


def open_index(storage: FileStorage, schema: Schema) -> FileIndex:
    """The index of the latest commit in ``storage``."""
    # A commit deletes the table of contents it replaces: when that happens between finding
    # the latest one and reading it, read the new one rather than call the index unreadable.
    for _ in range(OPEN_ATTEMPTS - 1):
        generation = latest_generation(storage)
        try:
            return FileIndex(storage, schema=schema, indexname=INDEX_NAME)
        except FileNotFoundError:
            if latest_generation(storage) == generation:
                raise
    return FileIndex(storage, schema=schema, indexname=INDEX_NAME)


def latest_generation(storage: FileStorage) -> int:
    """The generation of the latest commit (-1: none)."""
    return TOC._latest_generation(storage, INDEX_NAME)


def unreadable(directory: Path, error: Exception) -> IndexCorruptError:
    """The error to raise for index files in ``directory`` that Whoosh failed to read."""
    close_files_left_open(error)
    return IndexCorruptError(
        f"the index in {directory} can't be read ({type(error).__name__}: {error}); "
        f"delete the folder and build it again with `searchlib index PATH`"
    )


def close_files_left_open(error: Exception) -> None:
    """Close the file Whoosh was reading when it failed with ``error``."""
    # Whoosh doesn't close the file it was reading when it fails; find it in the failed
    # frames and close it, so no handle leaks (and no ResourceWarning fires later).
    frame_link = error.__traceback__
    while frame_link is not None:
        for value in frame_link.tb_frame.f_locals.values():
            if isinstance(value, StructFile) and not value.is_closed:
                value.close()
        frame_link = frame_link.tb_next


def describe(error: Exception) -> str:
    """An exception in a few words: its type and message."""
    return f"{type(error).__name__}: {error}"
