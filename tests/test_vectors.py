"""Ranking with NumPy (issue 18): a query whose words have many postings is ranked with
arrays, giving the hits, scores, counts and facets of the pure Python ranking exactly."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest

from searchlib import Article, Index
from searchlib.search import vectors
from searchlib.search.grammar import parse
from searchlib.search.planning import plan

from .test_shards import FIELDS, QUERIES, _record, _write

MORE_QUERIES = [
    "cocoa^3 sugar", "oil oil gas", "+bank +rate", "bank rate yield bond strike",
    "-cocoa", "rubber tin topic:ship", "sugar NOT (coffee OR wheat)",
]  # fmt: skip
"""Boosts, a word typed twice, words all required, exclusions alone, filters beside words."""


def _pages(index: Index, depth: int) -> list[tuple[object, ...]]:
    """Each query's first ``depth`` by score and by date (ids and scores, every version),
    count and facets."""
    pages = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a typo's correction, a filter alone
        for query in (*QUERIES, *MORE_QUERIES):
            for sort in ("score", "date", "-date"):
                results = index.search(query, limit=depth, collapse=False, sort=sort)
                hits = [(hit.id, hit.score) for hit in results]
                pages.append((query, sort, hits, results.total, results.facets["topic"]))
    return pages


def _both_ways(index: Index, monkeypatch: pytest.MonkeyPatch, depth: int) -> None:
    monkeypatch.setattr(vectors, "VECTOR_POSTINGS", 10**12)
    in_python = _pages(index, depth)
    monkeypatch.setattr(vectors, "VECTOR_POSTINGS", 0)
    with_numpy = _pages(index, depth)
    for python, numpy in zip(in_python, with_numpy, strict=True):
        assert numpy == python  # the same floats, not nearly the same


@pytest.mark.parametrize("depth", [10, 100])
def test_numpy_ranks_as_python_through_updates_and_deletions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: int
) -> None:
    generator = random.Random(18)
    records = {f"r{n}": _record(generator, n) for n in range(400)}
    for n in range(0, 400, 7):  # copies under other ids: ties, broken by document number
        records[f"copy{n}"] = {**records[f"r{n}"], "id": f"copy{n}"}
    corpus = tmp_path / "news.jsonl"
    _write(corpus, records)
    with Index(tmp_path / "index") as index:
        index.add_file(corpus, fields=FIELDS)
        _both_ways(index, monkeypatch, depth)
        # Updated and deleted articles stay in their segments, marked deleted.
        for n in range(0, 400, 5):
            records[f"r{n}"] = _record(generator, n)
        for n in range(1, 400, 9):
            del records[f"r{n}"]
        _write(corpus, records)
        index.add_file(corpus, fields=FIELDS)
        _both_ways(index, monkeypatch, depth)


def test_a_phrase_of_common_words_is_read_where_python_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib.engine.reading import Searcher

    corpus = tmp_path / "news.jsonl"
    records = {f"r{n}": _record(random.Random(n), n) for n in range(200)}
    records["r0"]["text"] = "cocoa of the year"
    _write(corpus, records)
    read: list[int] = []
    stored_fields = Searcher.stored_fields

    def counted(searcher: Searcher, number: int) -> dict[str, object]:
        read.append(number)
        return stored_fields(searcher, number)

    queries = ['cocoa AND "of the"', 'cocoa "of the"', 'cocoa -"of the"', '+cocoa +sugar "of the"']
    with Index(tmp_path / "index") as index:
        index.add_file(corpus, fields=FIELDS)
        monkeypatch.setattr(Searcher, "stored_fields", counted)
        for query in queries:
            both = []
            for threshold in (10**12, 0):  # in Python, then with NumPy
                monkeypatch.setattr(vectors, "VECTOR_POSTINGS", threshold)
                read.clear()
                hits = [(hit.id, hit.score) for hit in index.search(query, collapse=False)]
                both.append((hits, len(read)))
            assert both[1] == both[0], query  # only the articles the rest of the query allows


def test_similar_articles_ranked_with_numpy_leave_out_a_version_ranked_too_low_to_be_seen(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = [f"topic{number}" for number in range(10)]
    filler = " ".join(f"filler{number}" for number in range(300))
    # A long article and its version, and sixty short, distinct articles on its topic that
    # rank above the version: the matches, NumPy's, lose one that isn't among the best.
    versions = [Article(id=id, body=f"{' '.join(topic)} {filler}") for id in ("x", "x-again")]
    generator = random.Random(18)
    short = [
        Article(id=f"short{n}", body=" ".join(generator.sample(topic, 10) + [f"own{n}"] * 5))
        for n in range(60)
    ]
    index.add(*versions, *short)
    monkeypatch.setattr(vectors, "VECTOR_POSTINGS", 0)
    results = index.similar("x", limit=5)
    assert results.total == 60 and "x-again" not in {hit.id for hit in results}


def test_the_shards_of_an_index_rank_one_way_chosen_by_the_whole_querys_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [_record(random.Random(n), n) for n in range(120)]
    articles = [Article(id=str(each["id"]), body=str(each["text"])) for each in records]
    made: list[str] = []
    evaluation_class = vectors.Evaluation.__init__

    def noted(evaluation: vectors.Evaluation, *arguments: object, **options: object) -> None:
        made.append(type(evaluation).__name__)
        evaluation_class(evaluation, *arguments, **options)

    with Index.create(tmp_path / "sharded", shards=3) as sharded:
        sharded.add(*articles)
        shards = sharded._folder.searcher().shards
        root = plan(parse("cocoa OR sugar"), sharded._folder.vocabulary).root
        counts = [vectors.postings_of([shard], root) for shard in shards]
        # More than any shard holds, no more than all of them: each shard's part is small.
        monkeypatch.setattr(vectors, "VECTOR_POSTINGS", max(counts) + 1)
        monkeypatch.setattr(vectors.Evaluation, "__init__", noted)
        sharded.search("cocoa OR sugar")
    assert made == ["VectorEvaluation"] * 3
