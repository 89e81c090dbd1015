"""Shared fixtures: a writable copy of the fixture articles, the seed, and fresh indexes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchlib import Index

FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY = Path(__file__).parent.parent
SEED = REPOSITORY / "seeds" / "000_a130046a36110d8b.txt"
SEED_ID = "seeds/000_a130046a36110d8b"
HIT_KEYS = [
    "id", "rank", "score", "title", "headline", "snippet", "highlights", "path", "fields",
    "speakers", "date", "metadata", "duplicates",
]  # fmt: skip
"""The keys of a hit in --json output and Results.to_dicts(), in order."""


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/articles."""
    return Path(shutil.copytree(FIXTURES / "articles", tmp_path / "articles"))


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A writable folder holding the seed article."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder)
    return folder


@pytest.fixture
def index(tmp_path: Path) -> Iterator[Index]:
    """A new, empty index."""
    with Index(tmp_path / "index") as new_index:
        yield new_index


@pytest.fixture
def filled(index: Index, articles: Path, seeds: Path) -> Index:
    """An index holding the fixture articles and the seed."""
    index.add_folder(articles)
    index.add_folder(seeds)
    return index
