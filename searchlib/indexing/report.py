"""What an update did, file by file (or record by record)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from searchlib.errors import SkippedFileWarning


@dataclass
class IndexReport:
    """What an update did: the paths of files (or the ids of records) added, updated and
    removed, how many files were unchanged, and what was skipped and why.

    >>> print(IndexReport(added=["a.txt"], unchanged=3))
    1 added, 0 updated, 0 removed, 3 unchanged, 0 skipped
    """

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """``(path, reason)`` for each file (``path:line`` for a record) not indexed."""
    notes: list[str] = field(default_factory=list)
    """What else the update found worth saying (a mapped key some records lack)."""

    def __str__(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        )

    def skip(self, path: str, reason: str) -> None:
        """Record that ``path`` was not indexed, and warn (``SkippedFileWarning``)."""
        self.skipped.append((path, reason))
        warnings.warn(f"skipped {path}: {reason}", SkippedFileWarning, stacklevel=4)
