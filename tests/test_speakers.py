"""Speaker attribution on quotations from BBC and Reuters stories labelled by hand
(tests/fixtures/quotes/labelled.json), read from ../shared/corpora when it is there.

    python -m tests.test_speakers     # prints precision, recall and every miss
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from searchlib.articles.article import Quote
from searchlib.articles.parse import parse_article

from .conftest import REPOSITORY

LABELLED = Path(__file__).resolve().parent / "fixtures" / "quotes" / "labelled.json"
CORPORA = REPOSITORY.parent / "shared" / "corpora"
REUTERS = CORPORA / "news-large" / "reuters21578.jsonl.gz"
PRECISION_FLOOR = 0.90
"""Of the speakers found, the share that must be right (measured 0.913, recall 0.663)."""


class Scored(NamedTuple):
    """One labelled quotation: its article, opening words, the speaker the text names and
    the one searchlib found (``""``: searchlib found no such quotation)."""

    article: str
    start: str
    expected: str | None
    found: str | None


def _texts(ids: set[str]) -> dict[str, tuple[str, str | None]]:
    """The text (and given headline) of each labelled article."""
    texts: dict[str, tuple[str, str | None]] = {}
    for article in ids:
        if article.startswith("bbc/"):
            raw = (CORPORA / f"{article}.txt").read_bytes().decode("utf-8", errors="replace")
            texts[article] = (raw, None)
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in ids:
                texts[record["id"]] = (record.get("body") or "", record.get("headline") or "")
    return texts


def _same_person(expected: str | None, found: str | None) -> bool:
    """Names match when they end in the same word ("Tower" is "John Tower")."""
    if expected is None or found is None:
        return expected is found
    return found.lower().split()[-1] == expected.lower().split()[-1]


def scored() -> Iterator[Scored]:
    labelled = json.loads(LABELLED.read_text(encoding="utf-8"))["quotations"]
    texts = _texts({label["id"] for label in labelled})
    quotes: dict[str, list[Quote]] = {}
    for label in labelled:
        article = label["id"]
        if article not in quotes:
            text, headline = texts[article]
            quotes[article] = parse_article(text, headline=headline).quotes
        start = " ".join(label["start"].split())
        match = next((quote for quote in quotes[article] if quote.text.startswith(start)), None)
        yield Scored(article, start, label["speaker"], match.speaker if match else "")


def measures(results: list[Scored]) -> tuple[float, float]:
    """Precision (of the speakers found, the share right) and recall (of the speakers the
    texts name, the share found)."""
    found = [result for result in results if result.found]
    named = [result for result in results if result.expected]
    right = sum(_same_person(result.expected, result.found) for result in found)
    return right / len(found), right / len(named)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“We will fight,” said Margot van der Velden, a lawyer.", "Margot van der Velden"),
        ("“We will fight,” Councilor Jane Roe said.", "Jane Roe"),
    ],
)
def test_names_with_particles_and_titles(text: str, speaker: str) -> None:
    assert [quote.speaker for quote in parse_article(text).quotes] == [speaker]


def test_a_described_speaker_and_his_next_words_have_no_name() -> None:
    described = "said one Republican political strategist"
    text = f"“Prices rose,” said Paul Mlotok. “It is over,” {described}. “We lost,” he added."
    assert [quote.speaker for quote in parse_article(text).quotes] == ["Paul Mlotok", None, None]


@pytest.mark.skipif(not REUTERS.exists(), reason="needs ../shared/corpora")
def test_speaker_attribution_on_labelled_quotations() -> None:
    results = list(scored())
    assert len(results) >= 100
    assert all(result.found != "" for result in results)  # every labelled quotation is found
    precision, recall = measures(results)
    assert precision >= PRECISION_FLOOR, (precision, recall)


if __name__ == "__main__":
    results = list(scored())
    for result in results:
        if result.found and not _same_person(result.expected, result.found):
            print(
                f"wrong   {result.article}: {result.start[:50]!r} {result.found!r}"
                f" (text: {result.expected!r})"
            )
        elif result.expected and not result.found:
            print(f"missed  {result.article}: {result.start[:50]!r} (text: {result.expected!r})")
    precision, recall = measures(results)
    print(f"{len(results)} quotations: speaker precision {precision:.3f}, recall {recall:.3f}")
