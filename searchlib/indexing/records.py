"""Keeping an index in step with a records file (JSON Lines or CSV), as with a folder: each
record's content hash is kept, so a re-run skips unchanged records, replaces changed ones
and removes those gone from the file; a big file is shared among worker processes."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from searchlib.analysis import Stemmer
from searchlib.articles.article import shown_path
from searchlib.articles.files import SkippedFile
from searchlib.articles.records import keyword_keys, read_records, record_id
from searchlib.engine.writing import Writer
from searchlib.errors import SearchlibError, SearchlibWarning, SkippedFileWarning
from searchlib.indexing.preparation import RecordChecks, RecordsSource, Unchanged, prepare_record
from searchlib.indexing.progress import Progress
from searchlib.indexing.report import IndexReport
from searchlib.indexing.workers import RecordShare, write_in_workers
from searchlib.schema import Document, FileState
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
    keep: Callable[[str], bool] | None = None,
) -> IndexReport:
    """Bring the index in line with the records of ``file``: new records added, changed
    ones replaced, unchanged ones skipped, and those no longer in it removed (unless it
    can't be read). Ids that more than one record holds keep the last. With ``keep``, only
    the records whose ids it keeps (those of one shard) are the index's."""
    origin = RecordsSource(str(file), _source(file), fields, record_states(index, str(file)))
    if workers > 1 and keep is None and file.stat().st_size >= PARALLEL_RECORDS_FROM:
        return _add_in_workers(index, file, origin, progress, workers)
    tally = Progress(progress)
    run = _Run(origin)
    with index.writing() as (writer, stemmer):
        for line, prepared in _prepared(file, origin, stemmer, run, tally, keep=keep):
            if isinstance(prepared, Unchanged):
                run.unchanged(line, prepared.article_id)
            else:
                writer.update(prepared)
                run.written(line, prepared.stored["id"])
        run.finish(index, writer)
    _keep_last_records(index, file, origin, run.ids.last_of_repeated())
    tally.flush()
    return run.report


def record_states(index: IndexFolder, file: str) -> dict[str, str]:
    """The content hash of each record of ``file`` the index holds, by id."""
    searcher = index.searcher()
    states = (FileState.from_term(term) for term in searcher.terms("record_state"))
    return {state.article_id: state.content_hash for state in states if state.path == file}


def _prepared(
    file: Path,
    origin: RecordsSource,
    stemmer: Stemmer,
    run: _Run,
    tally: Progress,
    wanted: Mapping[int, str] | None = None,
    keep: Callable[[str], bool] | None = None,
) -> Iterator[tuple[int, Document | Unchanged]]:
    """The documents of a records file's records (or ``Unchanged``) with their lines (only
    the lines in ``wanted``, when given, and the ids ``keep`` keeps), reporting the ones
    skipped."""
    try:
        for number, record in read_records(file, origin.fields):
            chosen = wanted is None or number in wanted
            if chosen:
                run.keys.count(record)  # every shard's records: a key is checked in all
            if chosen and _kept(record, origin, keep):
                prepared = prepare_record(record, origin, stemmer)
                if isinstance(prepared, str):
                    run.report.skip(shown_path(f"{file}:{number}"), prepared)
                else:
                    yield number, prepared
            tally.advance()
    except SkippedFile as skipped:  # unreadable
        run.report.skip(shown_path(str(file)), str(skipped))


def _kept(
    record: dict[str, Any] | SkippedFile, origin: RecordsSource, keep: Callable[[str], bool] | None
) -> bool:
    """Whether a record is this index's: ``keep`` keeps its id, or it has none to route by
    (and so is reported as skipped)."""
    if keep is None or isinstance(record, SkippedFile):
        return True
    article_id = record_id(record, origin.fields)
    return article_id is None or keep(article_id)


def _source(file: Path) -> str:
    """The source a records file gives its articles: its name without suffixes."""
    return shown_path(file.name.split(".")[0])


def _add_in_workers(
    index: IndexFolder,
    file: Path,
    origin: RecordsSource,
    progress: Callable[[int], None] | None,
    workers: int,
) -> IndexReport:
    tally = Progress(progress)
    shares = [RecordShare(file, origin, part, workers) for part in range(workers)]
    run = _Run(origin)
    unreadable: set[str] = set()
    failed = None
    with index.writing() as (writer, stemmer):
        for outcome, learnt, segment in write_in_workers(shares, index.path, tally):
            failed = failed or outcome.error  # raised once every worker is done
            stemmer.take(learnt)
            run.keys.add(outcome.keys)
            for line, reason in outcome.skipped:
                run.report.skip(shown_path(f"{file}:{line}"), reason)
            if outcome.unreadable:
                unreadable.add(outcome.unreadable)
            for line, article_id in outcome.unchanged:
                run.unchanged(line, article_id)
            for line, article_id in outcome.written:
                # Older versions are in committed segments; the new one is in `segment`.
                writer.delete("id", article_id)
                run.written(line, article_id)
            if segment is not None:
                writer.add_segment(segment)
        if failed:
            raise SearchlibError(failed)
        for reason in unreadable:
            run.report.skip(shown_path(str(file)), reason)
        run.finish(index, writer)
    _keep_last_records(index, file, origin, run.ids.last_of_repeated())
    tally.flush()
    return run.report


class _Run:
    """One pass over a records file: what became of each id, for the report and for
    finding the records gone from the file."""

    def __init__(self, origin: RecordsSource) -> None:
        self.origin = origin
        self.report = IndexReport()
        self.ids = _RecordIds()
        self.seen: set[str] = set()
        self.keys = RecordChecks(origin.fields)

    def unchanged(self, line: int, article_id: str) -> None:
        # Noted too: a record given again later in the file must not be taken as unchanged.
        self.ids.note(line, article_id)
        if article_id not in self.seen:
            self.seen.add(article_id)
            self.report.unchanged += 1

    def written(self, line: int, article_id: str) -> None:
        self.ids.note(line, article_id)
        if article_id not in self.seen:
            self.seen.add(article_id)
            known = article_id in self.origin.known
            (self.report.updated if known else self.report.added).append(article_id)

    def finish(self, index: IndexFolder, writer: Writer) -> None:
        """Before the commit: check the mapped keys (an error cancels it), declare the
        keyword fields, and delete the records gone from the file."""
        self.report.notes += self.keys.check(self.origin.path)
        for note in self.report.notes:
            warnings.warn(note, SearchlibWarning, stacklevel=4)
        index.vocabulary.declare_keyword_fields(keyword_keys(self.origin.fields))
        for term in self.gone():
            writer.delete("record_state", term)

    def gone(self) -> list[str]:
        """The state terms of the records the index holds from the file that it no longer
        has (none when it couldn't be read: what the index holds is kept)."""
        shown = shown_path(self.origin.path)
        if any(path == shown for path, _ in self.report.skipped):
            return []
        origin = self.origin
        gone = sorted(set(origin.known) - self.seen)
        self.report.removed.extend(gone)
        return [FileState(origin.path, origin.known[each], each).term() for each in gone]


def _keep_last_records(
    index: IndexFolder, file: Path, origin: RecordsSource, lines: Mapping[int, str]
) -> None:
    """Ids that more than one record of ``file`` holds keep only their last record, at
    ``lines`` (every one was written: a writer can't replace what it hasn't committed)."""
    if not lines:
        return
    # Every record is rewritten: none is unchanged against the versions just written.
    rewrite = RecordsSource(origin.path, origin.source, origin.fields, {})
    with warnings.catch_warnings(), index.writing() as (writer, stemmer):
        warnings.simplefilter("ignore", SkippedFileWarning)  # reported the first time
        prepared = _prepared(file, rewrite, stemmer, _Run(rewrite), Progress(None), lines)
        for _, document in prepared:
            if isinstance(document, Document):
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
