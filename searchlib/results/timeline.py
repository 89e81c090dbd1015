"""Timelines: how many matching articles each year, month or day, the way news analysis
tools show attention over time; as a text bar chart and, in a notebook, an SVG one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from searchlib.notebook import timeline_html

Unit = Literal["year", "month", "day"]
UNITS: tuple[Unit, ...] = ("year", "month", "day")
BAR_WIDTH = 40
"""Characters of the longest bar in the text chart."""
_MAX_DAYS = 31
"""A span of more days than this is counted by month (and of more months, by year)."""
_MAX_MONTHS = 36


@dataclass(frozen=True)
class Timeline:
    """Matching articles counted per ``unit`` (``"year"``, ``"month"`` or ``"day"``), every
    period from the first to the last dated match (empty ones too), and how many matches
    have no date.

    >>> timeline = Timeline.of([date(1987, 2, 26), date(1987, 4, 1), date(1987, 4, 9)], 1)
    >>> timeline.unit, timeline.counts
    ('month', [('1987-02', 1), ('1987-03', 0), ('1987-04', 2)])
    """

    unit: Unit
    counts: list[tuple[str, int]]
    undated: int = 0

    @classmethod
    def of(cls, days: Iterable[date], undated: int = 0, unit: Unit | None = None) -> Timeline:
        """The timeline of articles dated ``days``, per ``unit`` (chosen by the span:
        days for up to a month, months for up to three years, else years)."""
        per_day = Counter(days)
        if not per_day:
            return cls(unit or "month", [], undated)
        first, last = min(per_day), max(per_day)
        if unit is None:
            months = (last.year - first.year) * 12 + last.month - first.month
            unit = "day" if (last - first).days <= _MAX_DAYS else "month"
            unit = "year" if months > _MAX_MONTHS else unit
        counts: Counter[str] = Counter()
        for day, count in per_day.items():
            counts[_label(day, unit)] += count
        return cls(unit, [(label, counts[label]) for label in _periods(first, last, unit)], undated)

    def __str__(self) -> str:
        """A bar chart in text, one line a period.

        >>> print(Timeline("year", [("1986", 2), ("1987", 4)]))
        1986 ████████████████████ 2
        1987 ████████████████████████████████████████ 4
        """
        most = max((count for _, count in self.counts), default=0)
        lines = [
            f"{label} {'█' * round(BAR_WIDTH * count / most) if most else ''} {count}"
            for label, count in self.counts
        ]
        if self.undated:
            lines.append(f"undated: {self.undated}")
        return "\n".join(lines) or "no dated articles"

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the unit, ``[period, count]`` pairs and the undated count."""
        return {
            "unit": self.unit,
            "counts": [[label, count] for label, count in self.counts],
            "undated": self.undated,
        }

    def _repr_html_(self) -> str:
        return timeline_html(self.to_dict())


def _label(day: date, unit: Unit) -> str:
    return day.isoformat()[: {"year": 4, "month": 7, "day": 10}[unit]]


def _periods(first: date, last: date, unit: Unit) -> list[str]:
    """Every period's label from ``first``'s to ``last``'s."""
    if unit == "day":
        return [
            date.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)
        ]
    if unit == "year":
        return [str(year) for year in range(first.year, last.year + 1)]
    start, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [f"{month // 12:04d}-{month % 12 + 1:02d}" for month in range(start, end + 1)]
