"""Dates in queries: ``2017``, ``2017-06``, ``>=2017-06-01``, ``[2017 TO *]`` read as
half-open ranges of days."""

from __future__ import annotations

import re
from datetime import date, timedelta

DATE_FORMATS = (
    "date:2017, date:2017-06, date:2017-06-01, date:>=2017-06-01, date:<2018 or "
    "date:[2017-01-01 TO 2017-06-30] (* for an open end)"
)
"""How dates are written, for messages."""
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")


def date_bounds(text: str) -> tuple[date | None, date | None] | None:
    """Half-open bounds of ``2017``, ``>=2017-06``, ``[2017 TO *]``…; ``None`` if unreadable."""
    if text.startswith("[") and text.endswith("]"):
        parts = text[1:-1].split()
        if len(parts) != 3 or parts[1].upper() != "TO":
            return None
        low, high = (None if part == "*" else _span(part) for part in (parts[0], parts[2]))
        if (low is None and parts[0] != "*") or (high is None and parts[2] != "*"):
            return None
        return (low[0] if low else None, high[1] if high else None)
    operator = next((each for each in (">=", "<=", ">", "<") if text.startswith(each)), "")
    span = _span(text[len(operator) :])
    if span is None:
        return None
    start, end = span
    if operator == ">":
        return (end, None) if end is not None else None
    return {"": span, ">=": (start, None), "<": (None, start), "<=": (None, end)}[operator]


def _span(text: str) -> tuple[date, date | None] | None:
    """The days a year, month or day covers, as [first, first after); the end is ``None``
    past the last representable day."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) if part else 0 for part in match.groups())
    try:
        start = date(year, month or 1, day or 1)
    except ValueError:
        return None
    try:
        if day:
            end = start + timedelta(days=1)
        elif month:
            end = date(year + month // 12, month % 12 + 1, 1)
        else:
            end = date(year + 1, 1, 1)
    except (ValueError, OverflowError):
        return start, None
    return start, end
