"""Building a whole index out of sight: in a draft folder beside its place, moved in when
complete, so that an index built on first use is there complete or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from searchlib.engine.directory import Engine
from searchlib.engine.files import LOCK_NAME, is_table_of_contents, open_storage, refused
from searchlib.storage.folder import refusals_reported

DRAFT_LOCK = ".draft-lock"
"""Held by the process building a draft: a draft whose lock is free was abandoned."""


@contextmanager
def drafted(path: Path) -> Iterator[Path]:
    """A new folder beside ``path`` to build an index in. When the block ends without error,
    the index's files move to ``path`` (made if need be), its table of contents last: for
    every reader it appears there complete, at once. Drafts of builds that were killed are
    removed; when another process has put an index at ``path`` meanwhile, it is kept.

    >>> import tempfile
    >>> from searchlib.storage.folder import IndexFolder
    >>> place = Path(tempfile.mkdtemp()) / "index"
    >>> with drafted(place) as draft:
    ...     IndexFolder(draft, create=True).close()
    ...     Engine.exists(place)
    False
    >>> Engine.exists(place), sorted(path.name for path in place.parent.iterdir())
    (True, ['index'])
    """
    parent = path.parent
    prefix = f".{path.name}-draft-"
    try:
        for abandoned in parent.glob(f"{prefix}*"):
            lock = open_storage(abandoned).lock(DRAFT_LOCK)
            if lock.acquire():
                lock.release()
                shutil.rmtree(abandoned, ignore_errors=True)
        # Locked before it takes a draft's name, so that no other process takes it for an
        # abandoned one.
        unnamed = Path(tempfile.mkdtemp(prefix=f".{path.name}-new-", dir=parent))
        lock = open_storage(unnamed).lock(DRAFT_LOCK)
        lock.acquire()
        draft = parent / f"{prefix}{unnamed.name.removeprefix(f'.{path.name}-new-')}"
        unnamed.rename(draft)
    except OSError as error:
        failure = refused(parent, error)
        if failure is None:
            raise
        raise failure from error
    try:
        yield draft
        if not Engine.exists(path):
            with refusals_reported(path):
                _move_in(draft, path)
    finally:
        lock.release()
        shutil.rmtree(draft, ignore_errors=True)


def _move_in(draft: Path, path: Path) -> None:
    """Move the files of the index in ``draft`` to ``path``, the table of contents last."""
    path.mkdir(parents=True, exist_ok=True)
    for name in sorted(os.listdir(draft), key=is_table_of_contents):
        # A lock file replaced would no longer be the one its holder locked.
        if name not in (DRAFT_LOCK, LOCK_NAME) and (draft / name).is_file():
            os.replace(draft / name, path / name)
