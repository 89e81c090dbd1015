"""Reading article files: finding them, hashing and decoding them, skipping what isn't text."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from searchlib.article import Article
from searchlib.schema import FORMAT_VERSION

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
"""Files of JSON Lines records, one article a line (BEIR's corpus.jsonl, news dumps)."""
_RECORD_KEYS = {
    "id": ("_id", "id"),
    "headline": ("title", "headline"),
    "body": ("text", "body"),
    "caption": ("caption",),
    "credit": ("credit",),
    "date": ("date",),
    "source": ("source",),
}
_SNIFF_BYTES = 8192
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class SkippedFile(Exception):
    """A file that can't be indexed; the message says why."""


def find_files(folder: Path, unreadable: list[Path] | None = None) -> Iterator[Path]:
    """Text files under ``folder``, in a stable order; hidden entries and symlinked folders
    (which can loop) are not followed. Folders that can't be listed go to ``unreadable``.

    >>> list(find_files(Path("no/such/folder")))
    []
    """

    def note_unreadable(error: OSError) -> None:
        if unreadable is not None and error.filename:
            unreadable.append(Path(error.filename))

    for directory, subdirectories, filenames in os.walk(folder, onerror=note_unreadable):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in TEXT_SUFFIXES:
                yield Path(directory, name)


def is_gone(path: str) -> bool:
    """Whether ``path`` no longer exists (one that can't be looked at may still exist)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def content_hash(data: bytes) -> str:
    """A file version's identity; includes the document format, so a format change re-reads."""
    return hashlib.blake2b(data, digest_size=16, person=FORMAT_VERSION.encode()).hexdigest()


def decode(data: bytes) -> str:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/Latin-1.

    >>> decode(b"a \\xa315.8m signing")
    'a £15.8m signing'
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; Latin-1 maps them all
        return data.decode("latin-1")


def read_bytes(path: Path) -> bytes:
    """A file's bytes; ``SkippedFile`` when it can't be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise SkippedFile(f"can't read it ({error.strerror or error})") from error


def article_id(path: Path, root: Path) -> str:
    """The id of the article in ``path``: the folder's name and the path within it, without
    suffix.

    >>> article_id(Path("/archive/seeds/000_a1.txt"), Path("/archive/seeds"))
    'seeds/000_a1'
    """
    return f"{root.name}/{path.relative_to(root).with_suffix('').as_posix()}"


def to_article(data: bytes, path: Path, article_id: str, source: str) -> Article:
    """Parse a file's bytes into an ``Article``; ``SkippedFile`` for binary or empty files."""
    if b"\0" in data[:_SNIFF_BYTES] and not data.startswith(_UTF16_BOMS):
        raise SkippedFile("binary file (contains NUL bytes)")
    text = decode(data)
    if not text.strip():
        raise SkippedFile("empty file")
    # Imported here: the parser's patterns take ~40 ms to compile, which queries never need.
    from searchlib.parse import parse_article

    article = parse_article(text, id=article_id, path=str(path))
    article.source = source
    return article


def is_records(path: Path) -> bool:
    """Whether ``path`` is a JSON Lines file of records.

    >>> is_records(Path("corpus.jsonl.gz")), is_records(Path("story.txt"))
    (True, False)
    """
    return path.name.lower().endswith(RECORD_SUFFIXES)


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | SkippedFile]]:
    """Each record of a JSON Lines file (gzipped when named .gz) with its line number; a
    line that isn't a JSON object comes as a ``SkippedFile`` saying why."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield number, _record(line)
    except (OSError, EOFError) as error:
        raise SkippedFile(f"can't read it ({error})") from error


def _record(line: str) -> dict[str, Any] | SkippedFile:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return SkippedFile(f"not JSON ({error.msg})")
    return record if isinstance(record, dict) else SkippedFile("not a JSON object")


def record_to_article(record: Mapping[str, Any], source: str) -> Article:
    """An ``Article`` from a record: ``_id``/``id``, ``title``/``headline``, ``text``/``body``,
    and optional ``caption``, ``credit``, ``date`` (ISO 8601), ``source``. The body is parsed
    for quotations and boilerplate like a text file; the record's own fields win.

    >>> article = record_to_article({"_id": "7", "title": "Aspirin", "text": "It works."}, "x")
    >>> article.id, article.headline, article.body, article.source
    ('7', 'Aspirin', 'It works.', 'x')
    """
    values = {
        name: next((str(record[key]) for key in keys if record.get(key) is not None), None)
        for name, keys in _RECORD_KEYS.items()
    }
    if not values["id"]:
        raise SkippedFile("no id (_id or id)")
    from searchlib.parse import parse_article  # see to_article

    article = parse_article(values["body"] or "", id=values["id"], headline=values["headline"])
    article.caption = values["caption"] or article.caption
    article.credit = values["credit"] or article.credit
    article.date = _date(values["date"])
    article.source = values["source"] or source
    return article


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
