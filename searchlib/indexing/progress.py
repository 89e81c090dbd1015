"""Progress of an update: items done, reported a few times a second; and how many items
indexing a path will report."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from searchlib.articles.files import SkippedFile, find_files
from searchlib.articles.records import is_records, read_records


class Progress:
    """Counts items done and passes the count on to ``report`` at most ten times a second,
    so that even a fast loop pays next to nothing for showing its progress.

    >>> reports = []
    >>> progress = Progress(reports.append)
    >>> for _ in range(1000):
    ...     progress.advance()
    >>> progress.flush()
    >>> sum(reports)
    1000
    """

    INTERVAL = 0.1
    """Seconds between reports."""

    def __init__(self, report: Callable[[int], None] | None) -> None:
        self._report = report
        self._pending = 0
        self._reported_at = time.monotonic()

    def advance(self, done: int = 1) -> None:
        """Count ``done`` more items."""
        self._pending += done
        if time.monotonic() - self._reported_at >= self.INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Pass on the items counted since the last report."""
        if self._pending and self._report is not None:
            self._report(self._pending)
        self._pending = 0
        self._reported_at = time.monotonic()


def count_items(path: Path, fields: Mapping[str, str] | None = None) -> int | None:
    """How many items indexing ``path`` reports to its ``progress``: the article files under a
    folder, the records of a records file, else 1; ``None`` for a gzipped records file (it
    would be read twice) or one that can't be read.

    >>> count_items(Path("corpus.jsonl.gz")), count_items(Path("story.html"))
    (None, 1)
    """
    if path.is_dir():
        return sum(1 for _ in find_files(path))
    if not is_records(path):
        return 1
    if path.name.lower().endswith(".gz"):
        return None
    try:
        return sum(1 for _ in read_records(path, fields))
    except SkippedFile:
        return None
