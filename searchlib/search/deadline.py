"""A time limit for one request: checked between the steps of a search (each word's postings,
each phrase in each field, each suggested word), so no query runs on for minutes."""

from __future__ import annotations

import time

from searchlib.errors import RequestLimitError

DEFAULT_TIMEOUT = 2.0
"""Seconds a search or ``similar`` may take by default; a query of a few words on an archive
of tens of thousands of articles takes well under a tenth of that."""


class Deadline:
    """The moment a request must be done by (``None`` seconds: never).

    >>> Deadline(None).passed(), Deadline(3600).passed(), Deadline(0).passed()
    (False, False, True)
    >>> Deadline(0).check()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    searchlib.errors.RequestLimitError: the search took more than 0 s and was stopped: ...
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._end = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        """Seconds left (``None``: no limit), for a request continued in another process.

        >>> Deadline(None).remaining(), Deadline(0).remaining()
        (None, 0.0)
        """
        return None if self._end is None else max(0.0, self._end - time.monotonic())

    def passed(self) -> bool:
        """Whether the time is up."""
        return self._end is not None and time.monotonic() >= self._end

    def check(self) -> None:
        """Raise ``RequestLimitError`` when the time is up."""
        if self.passed():
            raise RequestLimitError(
                f"the search took more than {self.seconds:g} s and was stopped: search fewer "
                "phrases, prefix or fuzzy words, phrases with rarer words than common ones "
                "(the, of, said), or allow more time (timeout=, or --timeout on the command "
                "line)"
            )


NO_DEADLINE = Deadline(None)
