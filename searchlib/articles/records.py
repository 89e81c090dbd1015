"""Reading files of records, an article each: JSON Lines (BEIR's corpus.jsonl, news dumps),
one a line, or CSV with a header row, one a row."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
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
"""The fields a record's keys can be mapped to (``fields={"body": "content"}``); any other
name makes a keyword field (``fields={"topic": "topics"}``)."""
_KEYWORD_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_NOT_KEYWORDS = frozenset(
    {"quotes", "speaker", "path", "title", "text", "exact", "keywords", "metadata"}
)
"""Names that are other fields of an article or its index, or a record's usual keys."""
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
    ``SearchlibError`` (no row could be indexed). ``share=(part, count)`` reads only every
    ``count``-th record from the ``part``-th on (a worker's share).
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
        raise SearchlibError(
            f"the header of {getattr(lines, 'name', 'the file')} has no id column "
            f"({' or '.join(id_keys)}); name one with --field id=COLUMN "
            f'(fields={{"id": "COLUMN"}})'
        )
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
    """The keys each of ``RECORD_FIELDS`` is read from in a record: the one ``fields`` maps
    it to, else its usual ones. Other names in ``fields`` are keyword fields (see
    ``keyword_keys``); ``SearchlibError`` for a name that can't be one.

    >>> record_keys({"body": "content", "topic": "topics"})["body"], record_keys()["id"]
    (('content',), ('_id', 'id'))
    """
    keyword_keys(fields)
    mapped = {name: (key,) for name, key in (fields or {}).items() if name in _RECORD_KEYS}
    return {**_RECORD_KEYS, **mapped}


def keyword_keys(fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """The keyword fields ``fields`` declares (names not in ``RECORD_FIELDS``), with the key
    each is read from; ``SearchlibError`` for a name that can't be one.

    >>> keyword_keys({"body": "content", "topic": "topics"})
    {'topic': 'topics'}
    """
    keywords = {name: key for name, key in (fields or {}).items() if name not in _RECORD_KEYS}
    for name in keywords:
        if name in _NOT_KEYWORDS or not _KEYWORD_NAME.match(name):
            raise SearchlibError(
                f"no field {name!r} to map a record's key to; the fields are "
                + ", ".join(RECORD_FIELDS)
                + ", or a keyword field named in lower case (topic, place_2) other than "
                + ", ".join(sorted(_NOT_KEYWORDS))
            )
    return keywords


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
    values: dict[str, str | None] = {
        name: next((str(record[key]) for key in names if record.get(key) is not None), None)
        for name, names in keys.items()
    }
    if not values["id"]:
        raise SkippedFile(f"no id ({' or '.join(keys['id'])})")
    parts = {"headline": values["headline"], "caption": values["caption"]}
    article = parsed(values["body"] or "", values["id"], credit=values["credit"], **parts)
    article.date = record_date(values["date"])
    article.source = values["source"] or source
    for name, key in keyword_keys(fields).items():
        found = keyword_values(record.get(key))
        if found:
            article.metadata[name] = found
    return article


def keyword_values(value: Any) -> list[str]:
    """A record's value as keyword values: a list gives one a member, an empty one none.

    >>> keyword_values(["usa", "uruguay", ""]), keyword_values(7), keyword_values(None)
    (['usa', 'uruguay'], ['7'], [])
    """
    values = value if isinstance(value, list) else [value]
    found = (str(each).strip() for each in values if each is not None)
    return list(dict.fromkeys(each for each in found if each))


def record_id(record: Mapping[str, Any], fields: Mapping[str, str] | None = None) -> str | None:
    """The id of a record (as ``record_to_article`` reads it), ``None`` when it has none.

    >>> record_id({"_id": 7, "text": "x"}), record_id({"text": "x"})
    ('7', None)
    """
    value = next(
        (record[key] for key in record_keys(fields)["id"] if record.get(key) is not None), None
    )
    return str(value) if value is not None and str(value) else None


def record_date(value: str | None) -> datetime | None:
    """A record's date: ISO 8601 (``2024-03-12``, ``2024-03-12T10:00:00+01:00``) or RFC 2822
    as e-mail and RSS write it (``Tue, 12 Mar 2024 10:00:00 +0000``), in UTC when it says
    its zone; ``None`` for any other form, such as ``12/03/2024``, which is ambiguous
    (indexing reports such dates).

    >>> record_date("2024-03-12T10:00:00+01:00"), record_date("Tue, 12 Mar 2024 10:00:00 GMT")
    (datetime.datetime(2024, 3, 12, 9, 0), datetime.datetime(2024, 3, 12, 10, 0))
    >>> record_date("12/03/2024") is None
    True
    """
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def record_date_text(record: Mapping[str, Any], fields: Mapping[str, str] | None) -> str | None:
    """The text of a record's date, as ``record_to_article`` reads it (``None``: none).

    >>> record_date_text({"date": "12/03/2024"}, None)
    '12/03/2024'
    """
    keys = record_keys(fields)["date"]
    return next((str(record[key]) for key in keys if record.get(key) is not None), None)
