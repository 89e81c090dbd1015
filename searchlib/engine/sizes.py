"""Where the bytes of an index's engine files go, part by part (stored fields, postings,
positions, term dictionary...): for measuring, never on the query or indexing path.

A part's name may carry a detail after a slash (``positions/body``: the body's positions);
``part_of`` gives the part alone.
"""

from __future__ import annotations

import os
import pickle
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC
from whoosh.system import unpack_ushort

from searchlib.engine.blocks import written_blocks
from searchlib.engine.codec import TERM_PROTOCOL
from searchlib.engine.columns import DictionaryColumn
from searchlib.engine.fields import FORMS_FIELD, SIGNATURE_FIELD
from searchlib.engine.files import (
    INDEX_NAME,
    SCRATCH,
    is_engine_file,
    is_table_of_contents,
    latest_generation,
    open_storage,
)

STORED = "stored fields"
FORMS = "exact forms"
SIGNATURES = "signatures"
LENGTHS = "field lengths"
POSTINGS = "postings"
POSITIONS = "positions"
TERMS = "term dictionary"
LEFT_BEHIND = "left behind"
OTHER = "other"


def part_of(name: str) -> str:
    """A part's name without its detail.

    >>> part_of("positions/body"), part_of("stored fields")
    ('positions', 'stored fields')
    """
    return name.partition("/")[0]


def engine_bytes(directory: Path) -> dict[str, int]:
    """Bytes of the engine's files in ``directory`` by part: the latest commit's segments
    split as ``segment_bytes`` does, its table of contents (``other``), and what no commit
    holds (``left behind``: spilled runs and worker files in the scratch folder, segments
    and tables of contents of failed or replaced commits). Other files are not counted.

    >>> import tempfile
    >>> from searchlib.engine.directory import Engine
    >>> list(engine_bytes(Engine.create(Path(tempfile.mkdtemp())).directory))
    ['other/table of contents']
    """
    storage = open_storage(directory)
    generation = latest_generation(storage)
    committed: set[str] = set()
    documents: dict[str, int] = {}
    if generation >= 0:
        toc_name = TOC._filename(INDEX_NAME, generation)
        segments = TOC.read(storage, INDEX_NAME, generation).segments
        committed = {toc_name} | {segment.make_filename(".seg") for segment in segments}
        documents = {segment.make_filename(".seg"): segment.doc_count_all() for segment in segments}
    sizes: Counter[str] = Counter()
    for entry in os.scandir(directory):
        if entry.name == SCRATCH:
            sizes[f"{LEFT_BEHIND}/scratch"] += _tree_bytes(Path(entry.path))
        elif not is_engine_file(entry.name) or not entry.is_file():
            continue
        elif entry.name not in committed:
            sizes[
                f"{LEFT_BEHIND}/{'commits' if is_table_of_contents(entry.name) else 'segments'}"
            ] += entry.stat().st_size
        elif entry.name.endswith(".seg"):
            sizes.update(segment_bytes(Path(entry.path), documents[entry.name]))
        else:
            sizes[f"{OTHER}/table of contents"] += entry.stat().st_size
    return {name: size for name, size in sizes.items() if size}


def _tree_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def segment_bytes(path: Path, documents: int) -> dict[str, int]:
    """Bytes of a segment file of ``documents`` documents by part: its columns (stored
    fields, exact forms, signatures, field lengths, others); postings and positions by field
    (positions: each posting block's second part, and what the entry of a term in one
    document, which keeps its posting, would lose without them); the rest of the terms file
    (the term dictionary); and the file's own directory (``other``). Stored
    fields are split by field in proportion to each field's share of a document's
    uncompressed value."""
    sizes: Counter[str] = Counter()
    with path.open("rb") as whole:
        storage = CompoundStorage(StructFile(whole), use_mmap=False)
        sizes[f"{OTHER}/segment directory"] = path.stat().st_size
        for name, entry in storage._dir.items():
            sizes[f"{OTHER}/segment directory"] -= entry["length"]
            if not name.endswith((".trm", ".pst")):
                column = _column_bytes(name.partition(".")[2], storage, name, documents)
                sizes.update(column)
        terms_name = next((name for name in storage._dir if name.endswith(".trm")), None)
        if terms_name is not None:
            postings_file = storage.open_file(terms_name.replace(".trm", ".pst"))
            terms_file = storage.open_file(terms_name)
            sizes.update(_term_bytes(terms_file, storage.range(terms_name)[1], postings_file))
    return {name: size for name, size in sizes.items() if size}


def _column_bytes(
    name: str, storage: CompoundStorage, file_name: str, documents: int
) -> Counter[str]:
    """The bytes of a column file (``<field>.col``) by part."""
    field = name.removesuffix(".col")
    size = storage.range(file_name)[1]
    if field == "_stored":
        return _stored_bytes(storage.open_file(file_name), size, documents)
    if field == FORMS_FIELD:
        return Counter({FORMS: size})
    if field == SIGNATURE_FIELD:
        return Counter({SIGNATURES: size})
    if field.startswith("_") and field.endswith("_len"):
        return Counter({f"{LENGTHS}/{field[1:-4]}": size})
    return Counter({f"{OTHER}/{field} column": size})


def _stored_bytes(file: StructFile, size: int, documents: int) -> Counter[str]:
    """The stored fields' column by field: each document's compressed value shared out by
    the uncompressed size of each field's value; the column's own bookkeeping (and its
    dictionary) apart."""
    values = DictionaryColumn().reader(file, 0, size, documents)
    shares: Counter[str] = Counter()
    for number in range(documents):
        compressed = values.compressed(number)
        fields = pickle.loads(values[number]) if compressed else {}
        whole = len(pickle.dumps(fields, 2))
        for field, value in fields.items():
            shares[field] += len(compressed) * len(pickle.dumps(value, 2)) / whole
    sizes = Counter({f"{STORED}/{field}": round(share) for field, share in shares.items()})
    sizes[f"{STORED}/bookkeeping"] = size - sum(sizes.values())
    return sizes


def _term_bytes(terms_file: StructFile, length: int, postings_file: StructFile) -> Counter[str]:
    """The terms file and the postings file by part, per field. The term dictionary's
    entries (a term, its statistics and where its postings are) count by field; the file's
    hash tables and each entry's lengths are its ``tables``."""
    table = OrderedHashReader(terms_file, length)
    fields = {number: name for name, number in table.extras["fieldmap"].items()}
    sizes: Counter[str] = Counter({f"{TERMS}/tables": length})
    for key, value in table.items():
        field = fields[unpack_ushort(key[:2])[0]]
        sizes[f"{TERMS}/tables"] -= len(key) + len(value)
        sizes[f"{TERMS}/{field}"] += len(key) + len(value)
        info = W3TermInfo.from_bytes(value)
        if info.is_inlined():
            inlined = len(value) - W3TermInfo._struct.size
            numbers, weights, values = info._inlined
            # An empty value (a field without positions) is the posting's, not positions.
            bare = (numbers, weights, ())
            without = len(pickle.dumps(bare, TERM_PROTOCOL)) if any(values) else inlined
            sizes[f"{POSITIONS}/{field}"] += inlined - without
            sizes[f"{POSTINGS}/{field}"] += without
            sizes[f"{TERMS}/{field}"] -= inlined
            continue
        offset, extent = info.extent()
        if isinstance(extent, tuple):  # Whoosh reads it back unpacked from its struct
            extent = extent[0]
        for postings, positions in _blocks(postings_file.get(offset, extent)):
            sizes[f"{POSTINGS}/{field}"] += postings
            sizes[f"{POSITIONS}/{field}"] += positions
    return sizes


def _blocks(data: bytes) -> Iterator[tuple[int, int]]:
    """The bytes of a term's postings as (postings, positions): the tag of their start,
    then each block (its second part holds the positions)."""
    yield len(WHOOSH3_HEADER_MAGIC), 0
    for size, _, _, _, _, positions in written_blocks(data):
        yield size - len(positions), len(positions)
