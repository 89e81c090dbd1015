"""An index's files: Whoosh's storage of a folder, its commits (generations of the table of
contents), the files a failed writer leaves, and failures to read them reported as
``IndexCorruptError``, or as ``IndexStorageError`` when the operating system refused."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC, FileIndex, clean_files

from searchlib.errors import IndexCorruptError, IndexStorageError, SearchlibError

INDEX_NAME = "MAIN"
"""Whoosh's name for the index: its files are ``_MAIN_<generation>.toc`` and ``MAIN_*``."""
LOCK_NAME = f"{INDEX_NAME}_WRITELOCK"
"""The index lock's file, locked by the operating system: free once its holder is gone."""
SCRATCH = f"{INDEX_NAME}.tmp"
"""The lock holder's folder of temporary files (spilled postings, worker jobs)."""
_TABLE_OF_CONTENTS = re.compile(rf"_{INDEX_NAME}_\d+\.toc")
_UNFINISHED_TABLE_OF_CONTENTS = re.compile(rf"_{INDEX_NAME}_\d+\.toc\..")
_SEGMENT_FILE = re.compile(rf"{INDEX_NAME}_[0-9a-z]+\.")
OPEN_ATTEMPTS = 10
"""Reads of the latest commit retried when commits keep replacing it meanwhile."""


def open_storage(directory: Path) -> FileStorage:
    """Whoosh's storage of the files in ``directory``."""
    # Without mmap, Whoosh reads a segment's parts from its file as needed; with it, it
    # copies every part (postings included) into memory when a searcher opens.
    return FileStorage(str(directory), supports_mmap=False)


def read_segment_directly(leaf: Any) -> None:
    """Shortcuts through Whoosh's Python file layer, for a segment's terms, postings and
    per-document columns (stored fields, exact forms): parts (``SubFile``) of the segment's
    one file, each read a seek and a read of it through four Python calls. They get a
    ``get`` that seeks and reads the file at once (a term look-up makes some five, a term's
    postings one, a stored article two)."""
    terms = getattr(leaf, "_terms", None)  # an empty index's reader has none
    if terms is None:
        return
    table, postings = terms._dbfile, terms._postfile
    part = postings.file
    whole = getattr(part, "_file", None)
    if not hasattr(whole, "peek") or getattr(table.file, "_file", None) is not whole:
        return
    table.get, postings.get = _direct_get(whole, table.file), _direct_get(whole, part)
    columns = getattr(getattr(leaf, "_perdoc", None), "_storage", None)
    if columns is not None and hasattr(columns, "open_file"):
        columns.open_file = _opening_directly(columns.open_file, whole)


def _opening_directly(open_file: Callable[..., Any], whole: Any) -> Callable[..., Any]:
    """``open_file`` of a segment's parts, giving those of ``whole`` a direct ``get``."""

    def opened(name: str, *arguments: Any, **options: Any) -> Any:
        file = open_file(name, *arguments, **options)
        part = getattr(file, "file", None)
        if getattr(part, "_file", None) is whole:
            file.get = _direct_get(whole, part)
        return file

    return opened


def _direct_get(whole: Any, part: Any) -> Callable[[int, int], bytes]:
    """``StructFile.get`` of a part of ``whole``, reading ``whole`` at once."""
    start, end = part._offset, part._length

    def get(position: int, length: int) -> bytes:
        whole.seek(start + position)
        return whole.read(max(0, min(length, end - position)))

    return get


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


def is_table_of_contents(name: str) -> bool:
    """Whether a file of that name is a commit's table of contents.

    >>> is_table_of_contents("_MAIN_12.toc"), is_table_of_contents("_MAIN_12.toc.1733.2")
    (True, False)
    """
    return bool(_TABLE_OF_CONTENTS.fullmatch(name))


def is_engine_file(name: str) -> bool:
    """Whether a file of that name is one the engine writes (a commit's, a segment's, the
    lock, the scratch folder), as opposed to a user's.

    >>> is_engine_file("MAIN_x1y2.seg"), is_engine_file("MAIN_WRITELOCK"), is_engine_file("a.txt")
    (True, True, False)
    """
    return bool(
        name in (SCRATCH, LOCK_NAME)
        or _TABLE_OF_CONTENTS.fullmatch(name)
        or _UNFINISHED_TABLE_OF_CONTENTS.match(name)
        or _SEGMENT_FILE.match(name)
    )


def remove_uncommitted(storage: FileStorage) -> None:
    """Delete what no commit holds: segments written for a commit that failed or was killed
    (the lock holder's own and its workers'), unfinished tables of contents, and temporary
    files (spilled postings, worker jobs). Call it holding the index lock."""
    directory = Path(storage.folder)
    generation = latest_generation(storage)
    if generation >= 0:
        try:
            committed = TOC.read(storage, INDEX_NAME, generation).segments
        except Exception:  # a damaged table of contents: `searchlib check` names it
            committed = None
        if committed is not None:
            clean_files(storage, INDEX_NAME, generation, committed)
    for name in os.listdir(directory):
        if _UNFINISHED_TABLE_OF_CONTENTS.match(name):
            (directory / name).unlink(missing_ok=True)
    shutil.rmtree(directory / SCRATCH, ignore_errors=True)


# Failures of the operating system that the user can mend, and what to do about them.
_ADVICE = {
    errno.ENOSPC: "the disk holding {folder} is full: free some space and run again",
    errno.EDQUOT: "the disk quota for {folder} is used up: free some space and run again",
    errno.EROFS: "{folder} is read-only: to change the index, copy it to a writable folder",
    errno.EACCES: "no permission to use {file}: give yourself access to {folder}, or use "
    "another folder",
    errno.EIO: "the disk holding {folder} failed to read or write (I/O error): check it, "
    "then run again",
    errno.EMFILE: "too many files are open: raise the limit (ulimit -n) and run again",
    errno.ENAMETOOLONG: "the path {file} is too long: choose a shorter one",
}
_ADVICE[errno.EPERM] = _ADVICE[errno.EACCES]
_ADVICE[errno.ENFILE] = _ADVICE[errno.EMFILE]


def refused(directory: Path, error: OSError) -> IndexStorageError | None:
    """The one-line error for an operating system's refusal to read or write the index
    folder ``directory`` (full, read-only, not permitted, gone); ``None`` when ``error`` is
    about something else.

    >>> print(refused(Path("/tmp"), OSError(errno.ENOSPC, "No space left on device")))
    the disk holding /tmp is full: free some space and run again
    """
    if directory.exists() and not directory.is_dir():
        return IndexStorageError(f"{directory} is a file, not a folder: choose another path")
    if not directory.is_dir():
        return IndexStorageError(
            f"the index folder {directory} has gone (deleted or moved while in use): "
            f"build it again with `searchlib index PATH`"
        )
    advice = _ADVICE.get(error.errno or 0)
    if advice is None:
        return None
    return IndexStorageError(advice.format(folder=directory, file=error.filename or directory))


def unreadable(directory: Path, error: Exception) -> SearchlibError:
    """The error to raise for index files in ``directory`` that Whoosh failed to read: the
    operating system's refusal if it was one (see ``refused``), else damage."""
    close_files_left_open(error)
    failure = refused(directory, error if isinstance(error, OSError) else OSError())
    if failure is not None:
        return failure
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
