"""Word lists shipped with searchlib: stop words, boilerplate phrases, speaker vocabulary."""

from __future__ import annotations

from pathlib import Path


def data_lines(name: str) -> list[str]:
    """The lines of a packaged word list, without blank lines and ``#`` comments.

    >>> "your support matters" in data_lines("boilerplate.txt")
    True
    """
    # A plain path, not importlib.resources: that import alone costs a query ~7 ms.
    text = (Path(__file__).parent / name).read_text(encoding="utf-8")
    return [line for raw in text.splitlines() if (line := raw.split("#", 1)[0].strip())]
