"""Reading files of records, an article each: JSON Lines (BEIR's corpus.jsonl, news dumps),
one a line, or CSV with a header row, one a row."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from searchlib.articles.article import Article
from searchlib.articles.files import MAX_ARTICLE_CHARACTERS, SkippedFile, parsed
from searchlib.errors import SearchlibError

CSV_SUFFIXES = (".csv", ".csv.gz")
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", *CSV_SUFFIXES)
"""The names of records files."""
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
_MAX_CSV_FIELD_CHARACTERS = 10 * MAX_ARTICLE_CHARACTERS
"""A longer CSV field is no article: its row is skipped (the csv module's default, 131,072,
is below the article limit)."""


def is_records(path: Path) -> bool:
    """Whether ``path`` is a file of records (JSON Lines or CSV).

    >>> is_records(Path("corpus.jsonl.gz")), is_records(Path("news.csv")), is_records(Path("a.txt"))
    (True, True, False)
    """
    return path.name.lower().endswith(RECORD_SUFFIXES)


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
        # Integers kept as written: Python refuses to convert one of over 4,300 digits.
        record = json.loads(line, parse_int=str)
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
    article = parsed(values["body"] or "", values["id"], credit=values["credit"], **parts)
    article.date = _date(values["date"])
    article.source = values["source"] or source
    return article


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
