"""The engine adapter: what searchlib writes into Whoosh's files reads back as Whoosh's own."""

from __future__ import annotations

import io
import random
import struct
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from whoosh import query as whoosh_query
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.filedb.compound import SubFile
from whoosh.filedb.structfile import StructFile

from searchlib import Article
from searchlib.analysis import Stemmer
from searchlib.engine import blocks, codec, postings, writing
from searchlib.engine.directory import Engine
from searchlib.engine.fields import FORMS_FIELD, TermListPositions
from searchlib.engine.files import read_segment_directly
from searchlib.engine.integrity import check
from searchlib.engine.reading import Searcher
from searchlib.engine.sizes import engine_bytes, part_of
from searchlib.schema import to_document


def _articles(version: int = 0) -> list[Article]:
    # "budget" is in all 300 (three blocks of postings), "w<n>" in one (a posting kept in
    # its term entry), others in a few; repeated words give several positions.
    return [
        Article(
            id=f"a{number}",
            headline=f"Budget talks {number % 7} w{number} v{version}",
            body=" ".join(
                ["budget", f"w{number}", f"x{number % 13}", "budget", f"y{number % 150}"] * 3
            ),
            date=datetime(2020, 1, 1) + timedelta(days=number * 5),
        )
        for number in range(300)
    ]


def _build(directory: Path, memory_mb: int = 256, own_format: bool = True) -> list[object]:
    engine = Engine.create(directory)
    stemmer = Stemmer()
    with engine.writer(timeout=1, memory_mb=memory_mb) as writer:
        for article in _articles():
            writer.update(to_document(article, stemmer))
    # Small commits that replace and delete: Whoosh merges their small segments, terms kept
    # in their term entries included, through the writer at each commit.
    for version in (1, 2, 3):
        with engine.writer(timeout=1, memory_mb=memory_mb) as writer:
            for article in _articles(version)[version::40]:
                writer.update(to_document(article, stemmer))
            writer.delete("id", f"a{version * 7}")
    with engine.searcher() as searcher:
        reader = searcher._reader
        # A posting without a value (an id's) reads back as None or b"" depending on where
        # Whoosh keeps it; either is no value.
        postings = [(*posting[:4], posting[4] or None) for posting in reader.iter_postings()]
        statistics = [
            (info.weight(), info.doc_frequency(), info.max_weight(), info.min_id(), info.max_id())
            for info in (reader.term_info(field, term) for field, term, *_ in postings)
        ]
        found = [
            searcher.date_documents("date", datetime(2021, 1, 1), datetime(2022, 1, 1)),
            sorted(searcher.all_documents()),
        ]
        if own_format:
            _assert_read_back(searcher, postings)
    if own_format:  # the check reads searchlib's blocks of postings, not Whoosh's
        assert check(directory) == []
    return [postings, statistics, found]


def _assert_read_back(searcher: Searcher, postings: list[tuple[Any, ...]]) -> None:
    """searchlib reads a term's postings whole blocks at a time, deleted documents too (in
    Python, with NumPy, and their positions for phrases), as Whoosh's matchers read them."""
    import numpy

    text = [posting[:4] for posting in postings if posting[0] in ("headline", "body")]
    terms = list(dict.fromkeys((field, term.decode()) for field, term, *_ in text))
    deleted = searcher.deleted()
    read_back = [
        (field, term.encode(), base + number, count)
        for field, term in terms
        for base, numbers, counts in searcher._postings(field, term)
        for number, count in zip(numbers, counts, strict=True)
        if base + number not in deleted
    ]
    assert read_back == text
    arrays = [
        (field, term.encode(), base + number, count)
        for field, term in terms
        for base, numbers, counts in searcher.posting_arrays(field, term, numpy)
        for number, count in zip(numbers.tolist(), counts.tolist(), strict=True)
        if base + number not in deleted
    ]
    assert arrays == text
    for field, words in (("body", ["budget", "w7"]), ("body", ["w8", "x8"]), ("headline", ["v3"])):
        phrase = whoosh_query.Phrase(field, words)
        assert searcher.phrase_documents(field, words) == set(
            searcher._searcher.docs_for_query(phrase)
        )
    assert len(searcher.phrase_documents("headline", ["v3"])) == 8  # the v3 copies


def test_postings_read_back_as_whoosh_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _build(tmp_path / "ours")
    whoosh_flush = writing.WhooshSegmentWriter._flush_segment
    monkeypatch.setattr(writing.SegmentWriter, "_flush_segment", whoosh_flush)
    monkeypatch.setattr(codec.Codec, "field_writer", codec.W3Codec.field_writer)
    monkeypatch.setattr(codec.Codec, "postings_reader", codec.W3Codec.postings_reader)
    whooshs = _build(tmp_path / "whoosh", own_format=False)
    assert ours == whooshs
    postings, _, (dated, live) = ours
    assert len([posting for posting in postings if posting[1] == b"budget"]) == 2 * 297
    assert len(dated) == 73 and len(live) == 297


def test_a_segment_spilled_to_many_runs_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_memory = _build(tmp_path / "in-memory")
    runs: list[str] = []
    original_new_run = postings.PostingPool._new_run

    def counted_new_run(pool: postings.PostingPool) -> tuple[str, object]:
        path, run = original_new_run(pool)
        runs.append(path)
        return path, run

    # About 500 postings a run (in 1 MB), merged three runs at a time in chunks of 50.
    monkeypatch.setattr(postings, "POSTING_SIZE", 2_000)
    monkeypatch.setattr(postings.PostingPool, "_new_run", counted_new_run)
    monkeypatch.setattr(postings.PostingPool, "MERGE_AT_ONCE", 3)
    monkeypatch.setattr(postings.PostingPool, "MOST_OPEN_RUNS", 3)
    monkeypatch.setattr(postings.PostingPool, "CHUNK", 50)
    spilled = _build(tmp_path / "spilled", memory_mb=1)
    assert spilled == in_memory
    assert len(runs) > 10


@pytest.mark.parametrize(("most_open_runs", "extra_runs"), [(3, True), (100, False)])
def test_runs_are_merged_in_one_pass_while_memory_holds_a_chunk_of_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, most_open_runs: int, extra_runs: bool
) -> None:
    from whoosh.filedb.filestore import FileStorage

    monkeypatch.setattr(postings, "POSTING_SIZE", 2_000)
    monkeypatch.setattr(postings.PostingPool, "CHUNK", 50)  # 1 MB holds ten chunks
    monkeypatch.setattr(postings.PostingPool, "MERGE_AT_ONCE", 3)
    monkeypatch.setattr(postings.PostingPool, "MOST_OPEN_RUNS", most_open_runs)
    pool = postings.PostingPool(FileStorage(str(tmp_path)), None, limitmb=1)
    for number in range(80):  # some 100 KB a document: a run every ten
        pool.add_terms("body", number, [f"w{number}-{word}" for word in range(50)], 1.0)
    pool.save()  # the last postings too
    spilled = len(pool.runs)
    merged_first: list[object] = []
    new_run = pool._new_run
    monkeypatch.setattr(pool, "_new_run", lambda: merged_first.append(1) or new_run())
    assert len(list(pool.terms())) == 80 * 50
    assert 5 < spilled <= 10
    assert bool(merged_first) == extra_runs


def test_dates_and_signatures_keep_their_documents_across_segments_without_them(
    tmp_path: Path,
) -> None:
    from searchlib import Index

    with Index(tmp_path / "index") as index:
        index.add(Article(id="undated", body=""))  # a segment without date or signature
        index.add(
            Article(id="old", body="Gold prices rose sharply", date=datetime(2001, 1, 1)),
            Article(id="new", body="Gold prices fell sharply", date=datetime(2002, 1, 1)),
        )
        assert [hit.id for hit in index.search("gold", sort="date")] == ["old", "new"]
        assert [article.id for article in index.versions("new")] == ["new"]


def _counting_lookups(searcher: object) -> list[tuple[str, bytes]]:
    """Every term look-up the searcher makes in Whoosh's terms files from now on."""
    looked_up: list[tuple[str, bytes]] = []
    for leaf, _ in searcher._leaves:  # type: ignore[attr-defined]
        terms = leaf._terms
        original = terms.term_info

        def term_info(field: str, term: bytes, original: Any = original) -> Any:
            looked_up.append((field, term))
            return original(field, term)

        terms.term_info = term_info
    return looked_up


def test_a_query_looks_each_term_up_once_and_skips_small_fields_without_it(
    tmp_path: Path,
) -> None:
    engine = Engine.create(tmp_path / "index")
    stemmer = Stemmer()
    with engine.writer(timeout=1) as writer:
        for article in _articles()[:20]:
            writer.update(to_document(article, stemmer))
        writer.update(to_document(Article(id="c", body="budget", credit="Reuters"), stemmer))
    with engine.searcher() as searcher:
        looked_up = _counting_lookups(searcher)
        pairs = [("body", "budget", 1.0), ("credit", "budget", 0.5), ("credit", "reuters", 0.5)]
        with searcher.one_query():
            first = searcher.frequencies(pairs, 0.75)
            assert searcher.document_frequency("body", "budget") == 21
            assert searcher.frequencies(pairs, 0.75) == first
        # The credit field is small: its terms were read once, and "budget" is not one.
        assert sorted(set(looked_up)) == [("body", b"budget"), ("credit", b"reuters")]
        assert len(looked_up) == len(set(looked_up)) == 2
        assert searcher.document_frequency("body", "budget") == 21  # outside: looked up again
        assert len(looked_up) == 3


def _postings_blocks() -> list[tuple[list[int], list[float], list[bytes]]]:
    """Blocks that need each width of gaps, counts and positions' lengths, in order."""
    randomly = random.Random(7)
    return [
        ([0, 1, 5, 255], [1.0] * 4, [b""] * 4),  # no counts, no positions
        ([300, 301, 40_000], [2.0, 255.0, 3.0], [b"\x01", b"\x02" * 300, b"\x03"]),
        ([140_000, 140_001], [256.0, 65_535.0], [b"\x00\x01", b"\x05"]),
        ([10**9], [70_000.0], [b"\x07"]),  # a count too large for 16 bits: a float
        (list(range(10**9 + 1, 10**9 + 129)), [0.5] * 128, [b"\x01\x02"] * 128),
        (
            sorted(randomly.sample(range(2 * 10**9, 2 * 10**9 + 5000), 100)),
            [float(randomly.randint(1, 9)) for _ in range(100)],
            [bytes(randomly.randint(1, 99) for _ in range(3)) for _ in range(100)],
        ),
    ]


def test_blocks_of_postings_read_back_in_every_width_of_numbers_counts_and_positions() -> None:
    import numpy

    written = _postings_blocks()
    data, previous = WHOOSH3_HEADER_MAGIC, 0
    for place, (numbers, weights, values) in enumerate(written):
        last = place == len(written) - 1
        data += blocks.encoded_block(previous, numbers, weights, values, last, 1)
        previous = numbers[-1]
    numbers = [number for block in written for number in block[0]]
    weights = [weight for block in written for weight in block[1]]
    values = [value for block in written for value in block[2]]
    read = list(blocks.read_blocks(data))
    assert [number for found, _ in read for number in found] == numbers
    assert [float(count) for _, counts in read for count in counts] == weights
    found, counts = blocks.read_arrays(data, numpy)
    assert found.dtype == numpy.int64 and counts.dtype == numpy.float64
    assert (found.tolist(), counts.tolist()) == (numbers, weights)
    assert [value for _, held in blocks.read_values(data) for value in held] == values
    # Only the blocks that may hold 40,000 or 10**9: the second and the fourth.
    among = [number for found, _ in blocks.read_values(data, [40_000, 10**9]) for number in found]
    assert among == [300, 301, 40_000, 10**9]
    positions = TermListPositions()
    matcher = codec.BlockMatcher(StructFile(io.BytesIO(data)), 0, len(data), positions)
    read = []
    while matcher.is_active():
        read.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    assert read == list(zip(numbers, weights, values, strict=True))
    matcher.reset()
    matcher.skip_to(140_001)
    assert (matcher.id(), matcher.weight()) == (140_001, 65_535)
    matcher.skip_to(10**9 + 64)
    assert (matcher.id(), matcher.value()) == (10**9 + 64, b"\x01\x02")


_FLAGS = len(WHOOSH3_HEADER_MAGIC) + blocks.BLOCK_SIZE.size
"""Where a term's first block's flags are in its postings."""


@pytest.mark.parametrize(
    ("damage", "damaged_part"),
    [(0b01, "numbers"), (0b11_0000, "positions")],  # gaps, positions' lengths as 16 bits
)
def test_a_damaged_block_of_postings_is_refused_not_read_as_other_postings(
    damage: int, damaged_part: str
) -> None:
    import numpy

    written = blocks.encoded_block(0, [3, 9], [1.0, 2.0], [b"\x01", b"\x02\x03"], True, 1)
    data = bytearray(WHOOSH3_HEADER_MAGIC + written)
    data[_FLAGS] ^= damage
    matcher = codec.BlockMatcher(StructFile(io.BytesIO(data)), 0, len(data), TermListPositions())
    readers = [lambda: list(blocks.read_values(bytes(data)))]
    if damaged_part == "numbers":
        readers += [
            lambda: list(blocks.read_blocks(bytes(data))),
            lambda: blocks.read_arrays(bytes(data), numpy),
            matcher.id,
        ]
    else:
        readers.append(matcher.value)
    for reader in readers:
        with pytest.raises(ValueError, match=f"damaged: its {damaged_part} don't fill it"):
            reader()


def test_a_block_whose_numbers_would_overrun_it_is_refused() -> None:
    import numpy

    written = blocks.encoded_block(0, [3, 9], [1.0, 2.0], [b"\x01", b"\x02\x03"], False, 1)
    data = bytearray(WHOOSH3_HEADER_MAGIC + written + written)
    struct.pack_into("<H", data, _FLAGS + 11, 200)  # the first part's length, after the rest
    for reader in (blocks.read_blocks, blocks.read_values, blocks.written_blocks):
        with pytest.raises(ValueError, match="damaged: its numbers overrun it"):
            list(reader(bytes(data)))
    with pytest.raises(ValueError, match="damaged: its numbers overrun it"):
        blocks.read_arrays(bytes(data), numpy)


@pytest.mark.parametrize(
    ("numbers", "change", "problem"),
    [
        ([3, 9], {}, None),
        ([3, 3], {}, "are out of order"),
        ([3, 9], {"last": 8}, "are out of order"),  # the header's last number
        ([3, 9], {"after": b"\x00"}, "don't fill their place in the postings file"),
        ([3, 9], {"documents": 9}, "name document 9 of a segment of 9"),
        ([3, 9], {"counted": 3}, "are 2, where the term's entry counts 3"),
    ],
)
def test_the_check_of_a_term_s_postings_finds_what_reads_but_is_wrong(
    numbers: list[int], change: dict[str, Any], problem: str | None
) -> None:
    written = blocks.encoded_block(0, numbers, [1.0, 2.0], [b"\x01", b"\x02"], True, 1)
    data = bytearray(WHOOSH3_HEADER_MAGIC + written + change.get("after", b""))
    if "last" in change:
        struct.pack_into("<I", data, _FLAGS + 3, change["last"])  # after flags and count
    leaf = SimpleNamespace(
        _terms=SimpleNamespace(_postfile=StructFile(io.BytesIO(data))),
        doc_count_all=lambda: change.get("documents", 10),
    )
    info = SimpleNamespace(
        is_inlined=lambda: False,
        extent=lambda: (0, (len(data),)),
        doc_frequency=lambda: change.get("counted", 2),
    )
    assert blocks.postings_problem(leaf, info) == problem


@pytest.mark.parametrize("damaged", ["postings", "exact forms"])
def test_the_check_reads_every_term_s_postings_and_word_forms_as_searches_read_them(
    tmp_path: Path, damaged: str
) -> None:
    engine = Engine.create(tmp_path / "index")
    stemmer = Stemmer()
    with engine.writer(timeout=1) as writer:
        for article in _articles():
            writer.update(to_document(article, stemmer))
    assert check(engine.directory) == []
    with engine.searcher() as searcher:
        ((_, leaf, info),) = searcher._term_infos("body", "budget")
        part = leaf._terms._postfile.file  # the postings file: part of the segment's file
        path, start = part._file.name, part._offset + info.extent()[0] + _FLAGS
        if damaged == "exact forms":  # the first document's, compressed
            columns = leaf._perdoc._storage.a  # the segment's file
            start, _ = columns.range(W3Codec.column_filename(leaf.segment(), FORMS_FIELD))
    with open(path, "r+b") as segment:
        segment.seek(start)
        byte = segment.read(1)[0]
        segment.seek(start)
        segment.write(bytes([byte ^ 0b01]))  # a block's gaps as 16 bits; zlib's header
    (problem,) = check(engine.directory)
    assert problem.endswith(
        ": the postings of body term 'budget' can't be read (ValueError: a block of "
        "postings is damaged: its numbers don't fill it)"
        if damaged == "postings"
        else "can't be read (error: Error -3 while decompressing data: incorrect header check)"
    )


@pytest.mark.parametrize("beyond_sample", [-1, 0, 1])
def test_a_column_reads_back_every_value_with_a_dictionary_or_without(beyond_sample: int) -> None:
    from searchlib.engine.columns import SAMPLE_SIZE, DictionaryColumn

    randomly = random.Random(beyond_sample)
    values: list[bytes] = []
    while (total := sum(map(len, values))) < SAMPLE_SIZE + beyond_sample:
        words = " ".join(f"mot{randomly.randint(0, 500)} été" for _ in range(100))
        values.append(words.encode()[: SAMPLE_SIZE + beyond_sample - total])
    values[3:3] = [b"", b""]  # a document with an empty value, and one never given
    file = StructFile(io.BytesIO())
    writer = DictionaryColumn().writer(file)
    for number, value in enumerate(values):
        if number != 4:
            writer.add(number, value)
    writer.finish(len(values) + 2)  # two more documents, without values
    reader = DictionaryColumn().reader(file, 0, file.tell(), len(values) + 2)
    assert list(reader) == [*values, b"", b""]
    assert bool(reader._dictionary) == (beyond_sample >= 0)
    with pytest.raises(IndexError):
        reader[len(values) + 2]  # not the dictionary, kept after the last document


def test_a_segment_is_read_through_whoosh_s_file_layer_in_fewer_calls(tmp_path: Path) -> None:
    path = tmp_path / "segment"
    path.write_bytes(b"junk" + b"postings data" + b"terms table")
    reads = []

    class Part(SubFile):  # type: ignore[misc]
        def read(self, size: int | None = None) -> bytes:
            reads.append(size)
            return super().read(size)

    with path.open("rb") as whole:
        postings = StructFile(Part(whole, 4, 13))
        table = StructFile(Part(whole, 17, 11))
        columns = SimpleNamespace(open_file=lambda name: StructFile(Part(whole, 0, 4)))
        leaf = SimpleNamespace(
            _terms=SimpleNamespace(_postfile=postings, _dbfile=table),
            _perdoc=SimpleNamespace(_storage=columns),
        )
        read_segment_directly(leaf)
        assert (table.get(6, 5), table.get(6, 50), table.get(20, 5)) == (b"table", b"table", b"")
        assert table.get_byte(0) == ord("t") and postings.get(9, 4) == b"data"
        assert postings.get(9, 40) == b"data"  # not past the part's end
        assert columns.open_file("stored").get(1, 2) == b"un"  # a column: stored fields
        assert reads == []  # each read the whole file's, not through the part


def test_an_index_s_bytes_are_split_into_parts_that_add_up_to_its_files(tmp_path: Path) -> None:
    engine = Engine.create(tmp_path / "index")
    stemmer = Stemmer()
    with engine.writer(timeout=1) as writer:
        for article in _articles():
            writer.update(to_document(article, stemmer))
    (engine.directory / "MAIN.tmp").mkdir()
    (engine.directory / "MAIN.tmp" / "run-1").write_bytes(b"x" * 1000)
    (engine.directory / "MAIN_left0behind.seg").write_bytes(b"y" * 500)
    (engine.directory / "notes.txt").write_bytes(b"not the engine's")
    parts = engine_bytes(engine.directory)
    files = [path for path in engine.directory.rglob("*") if path.is_file()]
    assert sum(parts.values()) == sum(path.stat().st_size for path in files) - 16
    assert parts["left behind/scratch"] == 1000 and parts["left behind/segments"] == 500
    by_part: Counter[str] = Counter()
    for name, size in parts.items():
        by_part[part_of(name)] += size
    assert set(by_part) == {
        "stored fields", "exact forms", "signatures", "field lengths", "postings", "positions",
        "term dictionary", "left behind", "other",
    }  # fmt: skip
    # Repeated body words have positions; ids have none, and their postings sit in the
    # term entries (one document each).
    assert parts["positions/body"] > 0 and parts["postings/body"] > 0
    assert "positions/id" not in parts and parts["postings/id"] > 0
    assert parts["stored fields/body"] > parts["stored fields/headline"] > 0


def test_a_searcher_opens_the_next_commit_when_a_writer_removes_the_one_it_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine.create(tmp_path)
    with engine.writer(timeout=1) as writer:
        writer.update(to_document(Article(id="a1", body="Budget talks."), Stemmer()))
    read_toc = type(engine._index)._read_toc
    removed = []

    def listed_then_removed(index: Any) -> Any:
        if not removed:  # a writer's cleanup, between listing the commits and reading one
            removed.append(True)
            raise FileNotFoundError(2, "No such file or directory", "_MAIN_1.toc")
        return read_toc(index)

    monkeypatch.setattr(type(engine._index), "_read_toc", listed_then_removed)
    with engine.searcher() as searcher:
        assert searcher.document_count() == 1
    assert removed


def test_phrases_match_the_documents_whooshs_phrase_query_finds(tmp_path: Path) -> None:
    from whoosh.query import Phrase

    generator = random.Random(7)
    words = "oil price rise bank of england rate cut oil oil price".split()
    engine = Engine.create(tmp_path)
    for commit in range(3):  # segments, and deleted documents in them
        with engine.writer(timeout=1) as writer:
            for number in range(150):
                body = " ".join(generator.choices(words, k=generator.randint(1, 300)))
                article = Article(id=f"a{number % 200}", headline=body[:40], body=body)
                writer.update(to_document(article, Stemmer()))
            writer.delete("id", f"a{commit}")
    phrases = [generator.sample(words, generator.randint(1, 4)) for _ in range(60)]
    phrases += [["oil", "oil"], ["oil", "oil", "oil"], ["price", "oil", "price"], ["absent"]]
    with engine.searcher() as searcher:
        for terms in phrases:
            for slop in (0, 1, 3, 25):
                stemmed = zip(Stemmer().stems(terms), terms, strict=True)
                stems = [stem or word for stem, word in stemmed]
                for field in ("headline", "body"):
                    phrase = Phrase(field, stems, slop=slop + 1)
                    expected = set(searcher._searcher.docs_for_query(phrase))
                    assert searcher.phrase_documents(field, stems, slop) == expected
        assert searcher.deleted()


@pytest.mark.parametrize(
    ("among", "firsts"), [([128], [128]), ([127, 299], [0, 256]), ([], []), (None, [0, 128, 256])]
)
def test_a_terms_blocks_are_read_only_where_they_may_hold_the_documents_wanted(
    tmp_path: Path, among: list[int] | None, firsts: list[int]
) -> None:
    from searchlib.engine.blocks import term_values

    engine = Engine.create(tmp_path)
    with engine.writer(timeout=1) as writer:
        for article in _articles():  # "budget" in all 300: blocks from 0, 128 and 256
            writer.update(to_document(article, Stemmer()))
    with engine.searcher() as searcher:
        ((_, leaf, info),) = searcher._term_infos("body", "budget")
        blocks = list(term_values(leaf, info, among))
    assert [numbers[0] for numbers, _ in blocks] == firsts
