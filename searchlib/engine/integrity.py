"""Checking an index's Whoosh files for damage: its table of contents and every segment,
read but not changed."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader

from searchlib.engine.blocks import postings_problem
from searchlib.engine.fields import FORMS_FIELD, whoosh_schema
from searchlib.engine.files import (
    INDEX_NAME,
    OPEN_ATTEMPTS,
    close_files_left_open,
    describe,
    latest_generation,
    open_storage,
    read_segment_directly,
)


def check(directory: Path) -> list[str]:
    """What is wrong with the engine's files in ``directory``: an unreadable table of
    contents, or a segment that is missing, can't be opened or read (its stored fields,
    every term's postings, its exact word forms), or doesn't hold the documents the table
    of contents lists. Checks a commit no writer replaced meanwhile.

    >>> import tempfile
    >>> from searchlib.engine.directory import Engine
    >>> check(Engine.create(Path(tempfile.mkdtemp())).directory)
    []
    """
    storage = open_storage(directory)
    problems: list[str] = []
    for _ in range(OPEN_ATTEMPTS):
        generation = latest_generation(storage)
        problems = _commit_problems(storage, generation)
        if latest_generation(storage) == generation:
            break
    return problems


def _commit_problems(storage: FileStorage, generation: int) -> list[str]:
    schema = whoosh_schema()
    try:
        table_of_contents = TOC.read(storage, INDEX_NAME, generation, schema)
    except Exception as error:  # Whoosh fails on garbled files with any exception type
        close_files_left_open(error)
        name = TOC._filename(INDEX_NAME, generation)
        return [f"{name}, the table of contents, can't be read ({describe(error)})"]
    problems = []
    for segment in table_of_contents.segments:
        problems += _segment_problems(storage, schema, segment)
    return problems


def _segment_problems(storage: FileStorage, schema: Schema, segment: Any) -> list[str]:
    label = f"segment {segment.segment_id()}"
    file = segment.make_filename(segment.COMPOUND_EXT)
    if segment.is_compound() and not storage.file_exists(file):
        return [f"{label}: its file {file} is missing"]
    try:
        reader = SegmentReader(storage, schema, segment)
    except Exception as error:
        close_files_left_open(error)
        return [f"{label}: can't be opened ({describe(error)})"]
    try:
        read_segment_directly(reader)
        return _document_problems(reader, label) or _postings_problems(reader, label)
    except Exception as error:
        return [f"{label}: can't be read ({describe(error)})"]
    finally:
        reader.close()


def _document_problems(reader: Any, label: str) -> list[str]:
    # Every document has one id term, so the id postings show which documents the segment
    # holds, independently of the count the table of contents records.
    held = {
        number for term in reader.lexicon("id") for number in reader.postings("id", term).all_ids()
    }
    listed = reader.doc_count()
    if len(held) != listed:
        return [f"{label}: the table of contents says {listed} documents, it holds {len(held)}"]
    invalid = []
    for number in sorted(held):
        stored = reader.stored_fields(number)
        if "id" not in stored:
            return [f"{label}: document {number} has no stored id"]
        if not _is_unicode(stored):
            invalid.append(stored["id"])
    if invalid:
        # Stored by a searchlib that didn't clean text yet; no output can encode it.
        held = "1 article holds" if len(invalid) == 1 else f"{len(invalid)} articles hold"
        return [
            f"{label}: {held} text that isn't valid Unicode, such as {invalid[0]!r}; index "
            "them again (or, if an id is such, delete the folder and build the index again)"
        ]
    return []


def _postings_problems(reader: Any, label: str) -> list[str]:
    """The first term whose postings don't read back whole (what searches read), and
    whether every document's exact word forms do."""
    terms = getattr(reader, "_terms", None)  # a segment without terms has none
    for (field, term), info in terms.items() if terms is not None else ():
        try:
            problem = postings_problem(reader, info)
        except Exception as error:
            problem = f"can't be read ({describe(error)})"
        if problem is not None:
            return [
                f"{label}: the postings of {field} term {term.decode(errors='replace')!r} {problem}"
            ]
    if reader.has_column(FORMS_FIELD):
        deque(reader.column_reader(FORMS_FIELD, translate=False), maxlen=0)  # each read
    return []


def _is_unicode(value: Any) -> bool:
    """Whether every string in ``value`` (stored fields, lists, tuples) is valid Unicode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        return all(_is_unicode(item) for item in value)
    return True
