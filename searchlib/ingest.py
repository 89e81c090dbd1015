"""Reading article files: finding them, hashing and decoding them, skipping what isn't text;
reading files of records (JSON Lines, CSV)."""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from searchlib.article import Article
from searchlib.errors import SearchlibError
from searchlib.schema import FORMAT_VERSION

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
MARKUP_SUFFIXES = frozenset({".html", ".htm"})
"""News pages, read by ``searchlib.markup``."""
CSV_SUFFIXES = (".csv", ".csv.gz")
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", *CSV_SUFFIXES)
"""Files of records, an article each: JSON Lines (BEIR's corpus.jsonl, news dumps), one a
line, or CSV with a header row, one a row."""
_RECORD_KEYS = {
    "id": ("_id", "id"),
    "headline": ("title", "headline"),
    "body": ("text", "body"),
    "caption": ("caption",),
    "credit": ("credit",),
    "date": ("date",),
    "source": ("source",),
}
RECORD_FIELDS = tuple(_RECORD_KEYS)
"""The fields a record's keys can be mapped to (``fields={"body": "content"}``)."""
_SNIFF_BYTES = 8192
MAX_ARTICLE_CHARACTERS = 1_000_000
"""An article's text is cut here (~150,000 words, far beyond any news story): indexing a
100 MB file whole would take minutes and gigabytes of memory."""
_MAX_PAGE_CHARACTERS = 2 * MAX_ARTICLE_CHARACTERS
"""An HTML page is cut here before it is read (news pages run to a few hundred thousand):
reading markup takes about a second per million characters."""
_MAX_CSV_FIELD_CHARACTERS = 10 * MAX_ARTICLE_CHARACTERS
"""A longer CSV field is no article: its row is skipped (the csv module's default, 131,072,
is below the article limit)."""
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ARTICLE_SUFFIXES = TEXT_SUFFIXES | MARKUP_SUFFIXES


class SkippedFile(Exception):
    """A file that can't be indexed; the message says why."""


def find_files(folder: Path, unreadable: list[Path] | None = None) -> Iterator[Path]:
    """Article files (text and HTML) under ``folder``, in a stable order; hidden entries and
    symlinked folders (which can loop) are not followed. Folders that can't be listed go to
    ``unreadable``.

    >>> list(find_files(Path("no/such/folder")))
    []
    """

    def note_unreadable(error: OSError) -> None:
        if unreadable is not None and error.filename:
            unreadable.append(Path(error.filename))

    for directory, subdirectories, filenames in os.walk(folder, onerror=note_unreadable):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in _ARTICLE_SUFFIXES:
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
    """Decode article bytes: UTF-16 with a BOM, else UTF-8 (with or without BOM) in which any
    byte that isn't UTF-8 is read as cp1252, so a Latin-1 file and a UTF-8 file with a stray
    Latin-1 word both come out right.

    >>> decode(b"a \\xa315.8m signing"), decode("café ".encode() + b"na\\xefve")
    ('a £15.8m signing', 'café naïve')
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    return data.decode("utf-8-sig", errors=_AS_CP1252)


def _as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: undecodable bytes as cp1252 (as Latin-1 for its five gaps)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_CP1252.get(byte, chr(byte)) for byte in bad), error.end


_CP1252 = {
    byte: character
    for byte in range(0x80, 0x100)
    for character in [bytes([byte]).decode("cp1252", errors="ignore")]
    if character
}
_AS_CP1252 = "searchlib-cp1252"
codecs.register_error(_AS_CP1252, _as_cp1252)


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
    """Parse a file's bytes (text, or an HTML page) into an ``Article``; ``SkippedFile`` for
    binary or empty files."""
    if b"\0" in data[:_SNIFF_BYTES] and not data.startswith(_UTF16_BOMS):
        raise SkippedFile("binary file (contains NUL bytes)")
    text = decode(data)
    if not text.strip():
        raise SkippedFile("empty file")
    if path.suffix.lower() in MARKUP_SUFFIXES:
        from searchlib.markup import read_page  # it imports the parser: see _parsed

        page = read_page(text[:_MAX_PAGE_CHARACTERS])
        if not (page.headline or page.body):
            raise SkippedFile("no text in the page")
        parts = {"headline": page.headline, "caption": page.caption, "credit": page.credit}
        article = _parsed(page.body, article_id, path=str(path), **parts)
    else:
        article = _parsed(text, article_id, path=str(path))
    article.source = source
    return article


def _parsed(
    body: str,
    article_id: str,
    *,
    path: str | None = None,
    headline: str | None = None,
    caption: str | None = None,
    credit: str | None = None,
) -> Article:
    """``parse_article`` on the first ``MAX_ARTICLE_CHARACTERS`` of ``body``; the headline,
    caption and credit given win over what it finds."""
    # Imported here: the parser's patterns take ~40 ms to compile, which queries never need.
    from searchlib.parse import parse_article

    article = parse_article(
        body[:MAX_ARTICLE_CHARACTERS], id=article_id, path=path, headline=headline
    )
    article.caption = caption or article.caption
    article.credit = credit or article.credit
    return article


def is_records(path: Path) -> bool:
    """Whether ``path`` is a file of records (JSON Lines or CSV).

    >>> is_records(Path("corpus.jsonl.gz")), is_records(Path("news.csv")), is_records(Path("a.txt"))
    (True, True, False)
    """
    return path.name.lower().endswith(RECORD_SUFFIXES)


def count_items(path: Path, fields: Mapping[str, str] | None = None) -> int | None:
    """How many items indexing ``path`` reports to its ``progress``: the article files under a
    folder, the records of a records file, else 1; ``None`` for a gzipped records file (it
    would be read twice) or one that can't be read.

    >>> count_items(Path("corpus.jsonl.gz")), count_items(Path("story.html"))
    (None, 1)
    """
    if path.is_dir():
        return sum(1 for _ in find_files(path))
    if not is_records(path):
        return 1
    if path.name.lower().endswith(".gz"):
        return None
    try:
        return sum(1 for _ in read_records(path, fields))
    except SkippedFile:
        return None


def read_records(
    path: Path, fields: Mapping[str, str] | None = None, share: tuple[int, int] = (0, 1)
) -> Iterator[tuple[int, dict[str, Any] | SkippedFile]]:
    """Each record of a JSON Lines or CSV file (gzipped when named .gz) with the number of
    the line it starts on; a line that isn't a JSON object, or a row that doesn't fit the CSV
    header, comes as a ``SkippedFile`` saying why. A CSV row's empty cells are left out of its
    record; a CSV file whose header has no id column (see ``record_keys``) raises
    ``SkippedFile``. ``share=(part, count)`` reads only every ``count``-th record from the
    ``part``-th on (a worker's share).
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        # newline="": a quoted CSV field may hold line breaks. utf-8-sig: spreadsheets often
        # start a CSV file with a byte order mark.
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as lines:
            if path.name.lower().endswith(CSV_SUFFIXES):
                records = _csv_records(lines, record_keys(fields)["id"], share)
            else:
                records = _json_records(lines, share)
            yield from records
    except (OSError, EOFError) as error:
        raise SkippedFile(f"can't read it ({error})") from error


def _json_records(
    lines: Iterable[str], share: tuple[int, int]
) -> Iterator[tuple[int, dict[str, Any] | SkippedFile]]:
    part, count = share
    # Lines are shared out before they are parsed: parsing is most of the reading.
    for number, line in enumerate(lines, start=1):
        if number % count == part and line.strip():
            yield number, _record(line)


def _record(line: str) -> dict[str, Any] | SkippedFile:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return SkippedFile(f"not JSON ({error.msg})")
    return record if isinstance(record, dict) else SkippedFile("not a JSON object")


def _csv_records(
    lines: Iterable[str], id_keys: Sequence[str], share: tuple[int, int]
) -> Iterator[tuple[int, dict[str, Any] | SkippedFile]]:
    # The limit is the whole process's: raised, never lowered.
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_CSV_FIELD_CHARACTERS))
    rows = _csv_rows(lines)
    _, header = next(rows, (0, []))
    if isinstance(header, SkippedFile):
        raise header
    names = [name.strip() for name in header]
    if names and not set(id_keys) & set(names):
        raise SkippedFile(f"its header has no id column ({' or '.join(id_keys)})")
    part, count = share
    for ordinal, (number, row) in enumerate(rows):
        if row and ordinal % count == part:
            yield number, row if isinstance(row, SkippedFile) else _row_record(names, row)


def _csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | SkippedFile]]:
    """Each row with the line it starts on; one the csv module can't read comes as a
    ``SkippedFile``, and reading goes on at the next line."""
    rows = csv.reader(lines)
    while True:
        start = rows.line_num + 1
        try:
            yield start, next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, SkippedFile(f"not CSV ({error})")


def _row_record(names: list[str], row: list[str]) -> dict[str, Any] | SkippedFile:
    if len(row) != len(names):
        return SkippedFile(f"{len(row)} fields where the header has {len(names)}")
    return {name: value for name, value in zip(names, row, strict=True) if value}


def record_keys(fields: Mapping[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """The keys each field is read from in a record: the one ``fields`` maps it to, else its
    usual ones; ``SearchlibError`` for a field that isn't one of ``RECORD_FIELDS``.

    >>> record_keys({"body": "content"})["body"], record_keys()["id"]
    (('content',), ('_id', 'id'))
    """
    for name in fields or {}:
        if name not in _RECORD_KEYS:
            raise SearchlibError(
                f"no field {name!r} to map a record's key to; the fields are "
                + ", ".join(RECORD_FIELDS)
            )
    return {**_RECORD_KEYS, **{name: (key,) for name, key in (fields or {}).items()}}


def record_to_article(
    record: Mapping[str, Any], source: str, fields: Mapping[str, str] | None = None
) -> Article:
    """An ``Article`` from a record: ``_id``/``id``, ``title``/``headline``, ``text``/``body``,
    and optional ``caption``, ``credit``, ``date`` (ISO 8601), ``source``, or the keys
    ``fields`` maps them to (see ``record_keys``). The body is parsed for quotations and
    boilerplate like a text file; the record's own fields win.

    >>> article = record_to_article({"_id": "7", "title": "Aspirin", "text": "It works."}, "x")
    >>> article.id, article.headline, article.body, article.source
    ('7', 'Aspirin', 'It works.', 'x')
    >>> record_to_article({"_id": "8", "content": "It works."}, "x", {"body": "content"}).body
    'It works.'
    """
    keys = record_keys(fields)
    values = {
        name: next((str(record[key]) for key in names if record.get(key) is not None), None)
        for name, names in keys.items()
    }
    if not values["id"]:
        raise SkippedFile(f"no id ({' or '.join(keys['id'])})")
    parts = {"headline": values["headline"], "caption": values["caption"]}
    article = _parsed(values["body"] or "", values["id"], credit=values["credit"], **parts)
    article.date = _date(values["date"])
    article.source = values["source"] or source
    return article


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
