"""Explanations: what each query word added to a hit's score, per field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Contribution(NamedTuple):
    """What one query word added to a hit's score from one field."""

    word: str
    field: str
    score: float


@dataclass(frozen=True)
class Explanation:
    """Why a hit scored what it did: what each query word added from each field (BM25F),
    and the bonus for query words the article holds exactly as typed.

    >>> explanation = Explanation(
    ...     (Contribution("byrne", "body", 3.2), Contribution("byrne", "quotes", 0.8),
    ...      Contribution("jag", "body", 2.0)), exact_forms=("byrne",), bonus=0.5)
    >>> explanation.score
    6.5
    >>> print(explanation)
    byrne: body 3.20, quotes 0.80; jag: body 2.00
    exact forms +0.50 (byrne)
    """

    contributions: tuple[Contribution, ...]
    """Per query word (in query order), per field (largest first)."""
    exact_forms: tuple[str, ...] = ()
    bonus: float = 0.0

    @property
    def score(self) -> float:
        """The hit's score: the contributions and the bonus."""
        return sum(contribution.score for contribution in self.contributions) + self.bonus

    def __str__(self) -> str:
        by_word: dict[str, list[str]] = {}
        for word, field_name, score in self.contributions:
            by_word.setdefault(word, []).append(f"{field_name} {score:.2f}")
        lines = ["; ".join(f"{word}: {', '.join(parts)}" for word, parts in by_word.items())]
        if self.bonus:
            lines.append(f"exact forms +{self.bonus:.2f} ({', '.join(self.exact_forms)})")
        return "\n".join(line for line in lines if line)
