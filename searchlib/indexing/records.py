"""Adding the records of a records file (JSON Lines or CSV), each replacing the article with
its id; a big file is shared among worker processes."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from searchlib.analysis import Stemmer
from searchlib.articles.article import shown_path
from searchlib.articles.files import SkippedFile
from searchlib.articles.records import read_records
from searchlib.errors import SkippedFileWarning
from searchlib.indexing.preparation import prepare_record
from searchlib.indexing.progress import Progress
from searchlib.indexing.report import IndexReport
from searchlib.indexing.workers import RecordShare, write_in_workers
from searchlib.schema import Document
from searchlib.storage.folder import IndexFolder

PARALLEL_RECORDS_FROM = 2_000_000
"""Records files smaller than this many bytes are read in this process (see
``folders.PARALLEL_FROM``)."""


def add_records(
    index: IndexFolder,
    file: Path,
    fields: Mapping[str, str] | None,
    progress: Callable[[int], None] | None,
    workers: int,
) -> IndexReport:
    """Add every record of ``file``; ids that more than one record holds keep the last."""
    if workers > 1 and file.stat().st_size >= PARALLEL_RECORDS_FROM:
        return _add_in_workers(index, file, fields, progress, workers)
    report = IndexReport()
    tally = Progress(progress)
    ids = _RecordIds()
    with index.writing() as (writer, stemmer):
        for line, document in _documents(file, fields, stemmer, report, tally):
            writer.update(document)
            ids.note(line, document.stored["id"])
            report.added.append(document.stored["id"])
    _keep_last_records(index, file, fields, ids.last_of_repeated())
    tally.flush()
    return report


def _documents(
    file: Path,
    fields: Mapping[str, str] | None,
    stemmer: Stemmer,
    report: IndexReport,
    tally: Progress,
    wanted: Mapping[int, str] | None = None,
) -> Iterator[tuple[int, Document]]:
    """The documents of a records file's records with their lines (only the lines in
    ``wanted``, when given), reporting the ones skipped."""
    source = _source(file)
    try:
        for number, record in read_records(file, fields):
            if wanted is None or number in wanted:
                prepared = prepare_record(record, source, fields, stemmer)
                if isinstance(prepared, str):
                    report.skip(shown_path(f"{file}:{number}"), prepared)
                else:
                    yield number, prepared
            tally.advance()
    except SkippedFile as skipped:  # unreadable, or a CSV header without ids
        report.skip(shown_path(str(file)), str(skipped))


def _source(file: Path) -> str:
    """The source a records file gives its articles: its name without suffixes."""
    return shown_path(file.name.split(".")[0])


def _add_in_workers(
    index: IndexFolder,
    file: Path,
    fields: Mapping[str, str] | None,
    progress: Callable[[int], None] | None,
    workers: int,
) -> IndexReport:
    report = IndexReport()
    tally = Progress(progress)
    source = _source(file)
    shares = [RecordShare(file, fields, source, part, workers) for part in range(workers)]
    ids = _RecordIds()
    unreadable: set[str] = set()
    with index.writing() as (writer, stemmer):
        for outcome, stems, segment in write_in_workers(shares, index.path, tally):
            stemmer.seen.update(stems)
            for line, reason in outcome.skipped:
                report.skip(shown_path(f"{file}:{line}"), reason)
            if outcome.unreadable:
                unreadable.add(outcome.unreadable)
            for line, article_id in outcome.written:
                # Older versions are in committed segments; the new one is in `segment`.
                writer.delete("id", article_id)
                ids.note(line, article_id)
                report.added.append(article_id)
            if segment is not None:
                writer.add_segment(segment)
    for reason in unreadable:
        report.skip(shown_path(str(file)), reason)
    _keep_last_records(index, file, fields, ids.last_of_repeated())
    tally.flush()
    return report


def _keep_last_records(
    index: IndexFolder, file: Path, fields: Mapping[str, str] | None, lines: Mapping[int, str]
) -> None:
    """Ids that more than one record of ``file`` holds keep only their last record, at
    ``lines`` (every one was written: a writer can't replace what it hasn't committed)."""
    if not lines:
        return
    with warnings.catch_warnings(), index.writing() as (writer, stemmer):
        warnings.simplefilter("ignore", SkippedFileWarning)  # reported the first time
        documents = _documents(file, fields, stemmer, IndexReport(), Progress(None), lines)
        for _, document in documents:
            # Every copy goes: Whoosh's update replaces only the first it finds.
            writer.delete("id", document.stored["id"])
            writer.update(document)


@dataclass
class _RecordIds:
    """The ids a records file's lines gave, to find ids given more than once.

    >>> ids = _RecordIds()
    >>> for line, article_id in [(1, "a"), (2, "b"), (5, "a")]:
    ...     ids.note(line, article_id)
    >>> ids.last_of_repeated()
    {5: 'a'}
    """

    last_line: dict[str, int] = field(default_factory=dict)
    repeated: set[str] = field(default_factory=set)

    def note(self, line: int, article_id: str) -> None:
        """Record that ``line`` gave ``article_id`` (lines may come in any order)."""
        if article_id in self.last_line:
            self.repeated.add(article_id)
        self.last_line[article_id] = max(line, self.last_line.get(article_id, line))

    def last_of_repeated(self) -> dict[int, str]:
        """The last line of each id given more than once."""
        return {self.last_line[article_id]: article_id for article_id in self.repeated}
