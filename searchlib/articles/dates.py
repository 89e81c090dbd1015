"""Publication dates as pages and datelines write them: ISO 8601 in metadata
("2024-04-27T15:56:35+0100"), and words in text ("Published 3:45 PM EDT, Sept. 3, 2024",
"Updated 3 September 2024, 10:02 BST", "Sat 27 Apr 2024 15.56").

A date keeps the clock time as written (the publisher's local time), without its zone, like
the dates of records: ``date:`` queries ask for the day the publisher printed.
"""

from __future__ import annotations

import re
from datetime import datetime

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
    r"(?:[T ](?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d))?)?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_CLOCK = re.compile(
    r"\b(?P<hour>\d{1,2})[:.](?P<minute>\d\d)\s*(?P<half>[ap]\.?m\.?)?(?![\d])", re.IGNORECASE
)
_WORDS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
)
_DATELINE_MAX_WORDS = 16


def parse_date(value: str) -> datetime | None:
    """The date and time in ``value`` (ISO 8601 or words), else ``None``.

    >>> parse_date("2024-04-27T15:56:35+0100")
    datetime.datetime(2024, 4, 27, 15, 56, 35)
    >>> parse_date("Published 3:45 PM EDT, Sept. 3, 2024")
    datetime.datetime(2024, 9, 3, 15, 45)
    >>> parse_date("Updated 3 September 2024") , parse_date("no date")
    (datetime.datetime(2024, 9, 3, 0, 0), None)
    """
    iso = _ISO.search(value)
    if iso:
        return _moment(iso.group("year"), iso.group("month"), iso.group("day"), iso)
    for pattern in _WORDS:
        words = pattern.search(value)
        if words:
            month = str(_MONTHS[words.group("month").lower()])
            clock = _CLOCK.search(value)
            return _moment(words.group("year"), month, words.group("day"), clock)
    return None


def _moment(year: str, month: str, day: str, clock: re.Match[str] | None) -> datetime | None:
    hour = minute = second = 0
    if clock and clock.group("hour"):
        hour, minute = int(clock.group("hour")), int(clock.group("minute"))
        second = int(clock.groupdict().get("second") or 0)
        half = (clock.groupdict().get("half") or "").lower()[:1]
        if half == "p" and hour < 12:
            hour += 12
        elif half == "a" and hour == 12:
            hour = 0
    try:
        return datetime(int(year), int(month), int(day), hour, minute, second)
    except ValueError:
        return None


def dateline(line: str) -> datetime | None:
    """The date of a short line that is a dateline ("Published …", "3 September 2024").

    >>> dateline("Updated 10:02 AM EDT, Tue September 3, 2024")
    datetime.datetime(2024, 9, 3, 10, 2)
    >>> dateline("The war began on 24 February 2022, and it goes on today, officials said.")
    """
    if "\n" in line or len(line.split(maxsplit=_DATELINE_MAX_WORDS)) > _DATELINE_MAX_WORDS:
        return None
    date = parse_date(line)
    if date is None:
        return None
    # What is left when the date's words go is a label ("Published", "Updated", a zone).
    rest = _CLOCK.sub(" ", line)
    for pattern in _WORDS:
        rest = pattern.sub(" ", rest)
    rest = _ISO.sub(" ", rest)
    return date if len(re.findall(r"[^\W\d]{4,}", rest)) <= 3 else None
