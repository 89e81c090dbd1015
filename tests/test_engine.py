"""The engine adapter: what searchlib writes into Whoosh's files reads back as Whoosh's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchlib import Article
from searchlib import engine as engine_module
from searchlib.analysis import Stemmer
from searchlib.engine import Engine
from searchlib.schema import to_document


def _articles() -> list[Article]:
    # "budget" is in all 300 (three blocks of postings), "w<n>" in one (a posting kept in
    # its term entry), others in a few; repeated words give several positions.
    return [
        Article(
            id=f"a{number}",
            headline=f"Budget talks {number % 7} w{number}",
            body=" ".join(
                ["budget", f"w{number}", f"x{number % 13}", "budget", f"y{number % 150}"] * 3
            ),
        )
        for number in range(300)
    ]


def _build(directory: Path, memory_mb: int = 256) -> list[object]:
    engine = Engine(directory, create=True)
    with engine.writer(timeout=1, memory_mb=memory_mb) as writer:
        stemmer = Stemmer()
        for article in _articles():
            writer.update(to_document(article, stemmer))
    with engine.searcher() as searcher:
        reader = searcher._reader
        # A posting without a value (an id's) reads back as None or b"" depending on where
        # Whoosh keeps it; either is no value.
        postings = [(*posting[:4], posting[4] or None) for posting in reader.iter_postings()]
        statistics = [
            (info.weight(), info.doc_frequency(), info.max_weight(), info.min_id(), info.max_id())
            for info in (reader.term_info(field, term) for field, term, *_ in postings)
        ]
        phrase = searcher.phrase_documents("body", ["budget", "w7"])
    assert engine_module.check(directory) == []
    return [postings, statistics, phrase]


def test_postings_read_back_as_whoosh_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _build(tmp_path / "ours")
    whoosh_flush = engine_module.SegmentWriter._flush_segment
    monkeypatch.setattr(engine_module._SegmentWriter, "_flush_segment", whoosh_flush)
    monkeypatch.setattr(engine_module._Codec, "field_writer", engine_module.W3Codec.field_writer)
    whooshs = _build(tmp_path / "whoosh")
    assert ours == whooshs
    postings, _, phrase = ours
    assert len([posting for posting in postings if posting[1] == b"budget"]) == 600
    assert phrase == {7}


def test_a_segment_spilled_to_many_runs_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_memory = _build(tmp_path / "in-memory")
    runs: list[str] = []
    monkeypatch.setattr(engine_module._PostingPool, "MERGE_AT_ONCE", 3)
    monkeypatch.setattr(engine_module._PostingPool, "CHUNK", 50)
    original_save = engine_module._PostingPool.save

    def counted_save(pool: engine_module._PostingPool) -> None:
        runs.extend(pool.runs)
        original_save(pool)

    monkeypatch.setattr(engine_module._PostingPool, "save", counted_save)
    spilled = _build(tmp_path / "spilled", memory_mb=0)
    assert spilled == in_memory
    assert len(set(runs)) > 3  # merged in more than one pass
