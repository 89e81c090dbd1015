"""Preparing an article for the index: reading a file (unless unchanged) or taking a
record, parsing it and analysing it into a document; anything that fails is a reason to skip
it, never an error that stops a build."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from searchlib.analysis import Stemmer
from searchlib.articles.files import SkippedFile, read_bytes, to_article
from searchlib.articles.records import (
    record_date,
    record_date_text,
    record_id,
    record_to_article,
)
from searchlib.errors import SearchlibError
from searchlib.schema import FORMAT_VERSION, Document, to_document

Work = Sequence[tuple[Path, str | None, str]]
"""Files to prepare: path, the content hash the index holds for it (or ``None``), and the
id its article gets."""


@dataclass
class Prepared:
    """What became of one file: a new document, unchanged, or skipped (and why)."""

    path: str
    known_hash: str | None
    article_id: str | None = None
    """Set when the file made a new document."""
    document: Document | None = None
    """The new document, unless a worker already wrote it into a segment."""
    skipped: str | None = None


def content_hash(data: bytes) -> str:
    """A file version's identity; includes the document format, so a format change re-reads."""
    return hashlib.blake2b(data, digest_size=16, person=FORMAT_VERSION.encode()).hexdigest()


def prepare(
    path: Path, known_hash: str | None, article_id: str, source: str, stemmer: Stemmer
) -> Prepared:
    """Read, and unless unchanged, parse and analyse one file."""
    key = str(path)
    try:
        data = read_bytes(path)
        new_hash = content_hash(data)
        if new_hash == known_hash:
            return Prepared(key, known_hash)
        article = to_article(data, path, article_id, source)
        document = to_document(article, stemmer, new_hash)
    except SkippedFile as skipped:
        return Prepared(key, known_hash, skipped=str(skipped))
    except Exception as error:  # one odd file must never stop a build
        return Prepared(key, known_hash, skipped=_unparsable(error))
    return Prepared(key, known_hash, article.id, document)


class Unchanged(NamedTuple):
    """A record the index already holds as it is."""

    article_id: str


@dataclass(frozen=True)
class RecordsSource:
    """A records file as a source of articles: its path (as records' states name it), the
    source its articles get, the key mapping, and the content hash of each record the
    index holds from it, by id."""

    path: str
    source: str
    fields: Mapping[str, str] | None
    known: Mapping[str, str]


@dataclass
class RecordChecks:
    """What a records file's records say of their keys: of how many records, how many hold
    each key ``fields`` maps a field to, and how many have a date in a form ``record_date``
    doesn't read (and the first such date)."""

    fields: Mapping[str, str] | None
    records: int = 0
    held: dict[str, int] = field(default_factory=dict)
    bad_dates: int = 0
    bad_date: str | None = None

    def count(self, record: Mapping[str, Any] | SkippedFile) -> None:
        """Count one record (a line that is no record doesn't count)."""
        if isinstance(record, SkippedFile):
            return
        self.records += 1
        for key in (self.fields or {}).values():
            if record.get(key) is not None:
                self.held[key] = self.held.get(key, 0) + 1
        text = record_date_text(record, self.fields)
        if text and record_date(text) is None:
            self.bad_dates += 1
            self.bad_date = self.bad_date or text

    def add(self, other: RecordChecks) -> None:
        """Add another share's counts."""
        self.records += other.records
        for key, count in other.held.items():
            self.held[key] = self.held.get(key, 0) + count
        self.bad_dates += other.bad_dates
        self.bad_date = self.bad_date or other.bad_date

    def check(self, file: str) -> list[str]:
        """Warnings for mapped keys some records lack and for unread dates;
        ``SearchlibError`` for a mapped key that no record has (a misspelt key or column
        would index every record without it).

        >>> counts = RecordChecks({"topic": "topics"}, records=4, held={"topics": 3})
        >>> counts.check("news.jsonl")
        ["1 of 4 records of news.jsonl have no 'topics' (--field topic=topics)"]
        """
        notes = []
        for name, key in (self.fields or {}).items():
            held = self.held.get(key, 0)
            mapping = f"--field {name}={key}"
            if self.records and not held:
                raise SearchlibError(
                    f"no record of {file} has the key {key!r} ({mapping}); nothing was "
                    f"indexed from it: check the key's spelling"
                )
            if held < self.records:
                notes.append(
                    f"{self.records - held} of {self.records} records of {file} have no "
                    f"{key!r} ({mapping})"
                )
        if self.bad_dates:
            notes.append(
                f"{self.bad_dates} of {self.records} records of {file} have a date "
                f"neither ISO 8601 nor RFC 2822 ({self.bad_date!r}), indexed undated: "
                f"write dates as 2024-03-12"
            )
        return notes


def record_hash(record: Mapping[str, Any], fields: Mapping[str, str] | None) -> str:
    """A record version's identity: its keys and values, the key mapping it is read with
    and the document format.

    >>> record_hash({"a": 1, "b": 2}, None) == record_hash({"b": 2, "a": 1}, None)
    True
    """
    text = json.dumps([record, fields or {}], sort_keys=True, ensure_ascii=False, default=str)
    return content_hash(text.encode("utf-8", "surrogatepass"))


def prepare_record(
    record: dict[str, Any] | SkippedFile, origin: RecordsSource, stemmer: Stemmer
) -> Document | Unchanged | str:
    """A record's document, ``Unchanged`` when the index holds it as it is, or why it is
    skipped (a bad line, or any failure to parse it: one odd record must never stop a
    build)."""
    try:
        if isinstance(record, SkippedFile):
            raise record
        version = record_hash(record, origin.fields)
        article_id = record_id(record, origin.fields)
        if article_id is not None and origin.known.get(article_id) == version:
            return Unchanged(article_id)
        article = record_to_article(record, origin.source, origin.fields)
        return to_document(article, stemmer, version, origin.path)
    except SkippedFile as skipped:
        return str(skipped)
    except Exception as error:
        return _unparsable(error)


def _unparsable(error: Exception) -> str:
    return f"can't parse it ({type(error).__name__}: {error})"
