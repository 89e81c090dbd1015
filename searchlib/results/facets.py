"""Facets: matching articles counted by the values of a field (who is quoted, photo credit,
source, and any declared keyword field), every match counted."""

from __future__ import annotations

from collections.abc import Mapping

Facets = dict[str, list[tuple[str, int]]]
"""Per facet name, ``(value, articles)`` pairs, most articles first."""


def ranked_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Values by how many articles hold them, most first, then by value.

    >>> ranked_counts({"usa": 2, "uruguay": 1, "brazil": 2})
    [('brazil', 2), ('usa', 2), ('uruguay', 1)]
    """
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
