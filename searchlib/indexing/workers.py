"""Big jobs in worker processes, which prepare their share of the files or records and
write it as a segment of the index, so every core does Whoosh's work too.

Workers are fresh interpreters (running ``searchlib.indexing.worker``), not ``multiprocessing``
children: those would either re-run a user's unguarded script (spawn, forkserver) or
inherit the index lock and keep it if the parent were killed (fork).
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from subprocess import PIPE
from typing import Any

from searchlib.analysis import Stemmer, snowball
from searchlib.articles.files import SkippedFile
from searchlib.articles.records import read_records
from searchlib.deferred_imports import blocking, submodule_alone
from searchlib.engine.files import SCRATCH
from searchlib.engine.writing import SegmentBuilder
from searchlib.errors import SearchlibError
from searchlib.indexing.preparation import (
    RecordChecks,
    RecordsSource,
    Unchanged,
    Work,
    prepare,
    prepare_record,
)
from searchlib.indexing.progress import Progress
from searchlib.schema import Document
from searchlib.storage.vocabulary import Vocabulary

WORKERS_MEMORY_MB = 256
"""Posting-pool memory (the pool's own estimate) shared among a job's workers: each
spills sorted runs to disk beyond its part, so more workers don't take more memory."""
MINIMUM_MEMORY_MB = 16
"""A worker's part is never smaller (below it, runs get too small to merge well)."""
BANDS_AT_ONCE = 20_000
"""Band keys a worker holds before it writes them to the index's database (``Vocabulary``):
a worker's memory stays bounded however many articles it writes."""
NLTK_EXTRAS = ("numpy", "scipy")
"""Modules NLTK imports only for features searchlib doesn't use."""
NLTK_UNUSED = {"nltk.corpus": {"stopwords": None, "wordnet": None}}
"""What NLTK's stemmers import from its corpora, for options searchlib doesn't use (each
corpus is a download, which searchlib never makes)."""
WORKER_START = (
    "import runpy, sys; sys.path[:] = filter(None, sys.path);"
    " runpy.run_module('searchlib.indexing.worker', run_name='__main__')"
)
"""How a worker starts: ``python -m searchlib.indexing.worker`` without the working folder
first on its path (where ``-m`` puts it), so that a folder called searchlib there (a
checkout of it) can't stand in for the package that started the worker."""
REFUSAL = "searchlib-worker-refused "
"""Starts the line a worker writes on stderr when the operating system refused it."""


@dataclass
class RecordsWritten:
    """What a worker made of its share of a records file: the ``(line, id)`` of each record
    it wrote, the ``(line, reason)`` of each it skipped, the ids of those the index held
    unchanged (with their lines), how many hold each mapped key, and why the file couldn't be
    read (if it couldn't) or can't be indexed (an error)."""

    written: list[tuple[int, str]]
    skipped: list[tuple[int, str]]
    unchanged: list[tuple[int, str]]
    keys: RecordChecks
    unreadable: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class FileShare:
    """Files for one worker to prepare and write."""

    work: Work
    source: str

    def write(self, builder: SegmentBuilder, stemmer: Stemmer, progress: Progress) -> Any:
        """Prepare each file, writing new documents; the files' outcomes, without them."""
        outcomes = []
        for path, known_hash, article_id in self.work:
            prepared = prepare(path, known_hash, article_id, self.source, stemmer)
            if prepared.document is not None:
                builder.add(prepared.document)
                prepared = replace(prepared, document=None)
            outcomes.append(prepared)
            progress.advance()
        return outcomes


@dataclass(frozen=True)
class RecordShare:
    """Every ``count``-th record of a records file, from the ``part``-th on, for one worker
    (each worker reads the file itself: sending records to it would cost more)."""

    file: Path
    origin: RecordsSource
    part: int
    count: int

    def write(
        self, builder: SegmentBuilder, stemmer: Stemmer, progress: Progress
    ) -> RecordsWritten:
        """Turn each record of the share into a document and write it."""
        outcome = RecordsWritten([], [], [], RecordChecks(self.origin.fields))
        share = (self.part, self.count)
        try:
            for line, record in read_records(self.file, self.origin.fields, share):
                outcome.keys.count(record)
                prepared = prepare_record(record, self.origin, stemmer)
                if isinstance(prepared, str):
                    outcome.skipped.append((line, prepared))
                elif isinstance(prepared, Unchanged):
                    outcome.unchanged.append((line, prepared.article_id))
                else:
                    builder.add(prepared)
                    outcome.written.append((line, prepared.stored["id"]))
                progress.advance()
        except SkippedFile as unreadable:
            outcome.unreadable = str(unreadable)
        except SearchlibError as error:  # a CSV header without ids: nothing can be indexed
            outcome.error = str(error)
        return outcome


Share = FileShare | RecordShare


def default_workers() -> int:
    """Worker processes for big jobs: one per core, at most four."""
    return min(4, os.cpu_count() or 1)


def split(work: Work, parts: int) -> list[Work]:
    """``work`` in at most ``parts`` consecutive shares of nearly equal bytes to read, so
    that workers finish together and documents keep the order one process would give them.

    >>> [len(share) for share in split([(Path(__file__), None, "id")] * 5, 2)]
    [3, 2]
    """
    sizes = [_size(path) + 1 for path, _, _ in work]  # empty files take time too
    total = sum(sizes)
    shares: list[Work] = []
    start = done = 0
    for end, size in enumerate(sizes, 1):
        done += size
        if done * parts >= total * (len(shares) + 1) or end == len(work):
            shares.append(work[start:end])
            start = end
    return shares


def write_in_workers(
    shares: Sequence[Share], directory: Path, progress: Progress | None = None
) -> Iterator[tuple[Any, Stemmer, Any]]:
    """Run each share in a worker process, which writes it as a segment of the index in
    ``directory``; yields each share's outcome (see its ``write``), its stemmer (what it learnt) and
    its segment (to commit with ``Writer.add_segment``). ``progress`` hears of the items
    done as the workers go. Call it while holding the index lock: only the lock keeps other
    writers from deleting segments that are not committed yet.
    """
    package_parent = str(Path(__file__).resolve().parents[2])
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])),
    }
    # Jobs go in the lock holder's scratch folder in the index, which its commit (or its
    # failure, or the next writer after a kill) empties.
    scratch = directory / SCRATCH
    scratch.mkdir(exist_ok=True)
    jobs = []
    memory_mb = max(MINIMUM_MEMORY_MB, WORKERS_MEMORY_MB // len(shares))
    try:
        for number, share in enumerate(shares):
            job = scratch / f"share-{number}.pickle"
            job.write_bytes(pickle.dumps((share, directory, memory_mb)))
            command = [sys.executable, "-c", WORKER_START, str(job)]
            jobs.append((job, subprocess.Popen(command, env=environment, stderr=PIPE)))
        workers_done = _WorkersDone([job for job, _ in jobs], progress) if progress else None
        for job, process in jobs:
            errors = _wait(process, workers_done)
            if process.returncode != 0:
                raise _failure(errors.decode(errors="replace").strip().splitlines())
            yield pickle.loads(job.with_suffix(".result").read_bytes())
    finally:
        for _, process in jobs:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr is not None:  # unread when another worker failed first
                process.stderr.close()


def _failure(lines: list[str]) -> Exception:
    """The error to raise for a worker that failed, given the lines it wrote on stderr: the
    operating system's refusal (a full disk) as if this process had met it, else its last
    lines."""
    if lines and lines[-1].startswith(REFUSAL):
        return OSError(*json.loads(lines[-1].removeprefix(REFUSAL)))
    return SearchlibError("an indexing worker failed: " + " | ".join(lines[-3:]))


def _wait(process: subprocess.Popen[bytes], workers_done: _WorkersDone | None) -> bytes:
    """What a worker wrote on stderr, once it has ended; ``workers_done`` is called while it
    runs and when it ends."""
    if workers_done is None:
        return process.communicate()[1]
    while True:
        try:
            errors = process.communicate(timeout=Progress.INTERVAL)[1]
        except subprocess.TimeoutExpired:  # trying again loses no output
            workers_done()
        else:
            workers_done()
            return errors


class _WorkersDone:
    """Passes on to ``progress`` the files workers have done. A worker appends a byte to its
    progress file for each file: appends need no locking, and a size never goes back."""

    def __init__(self, jobs: list[Path], progress: Progress) -> None:
        self._files = [job.with_suffix(".progress") for job in jobs]
        self._progress = progress
        self._reported = 0

    def __call__(self) -> None:
        done = sum(_size(file) for file in self._files)
        if done > self._reported:
            self._progress.advance(done - self._reported)
            self._reported = done


def _size(file: Path) -> int:
    """A file's size; 0 for one that can't be read (not written yet, or gone: a worker
    reports why it can't read an article file)."""
    try:
        return file.stat().st_size
    except OSError:
        return 0


def run_job(job: Path) -> None:
    """Run one share written by ``write_in_workers`` (in a worker process)."""
    try:
        _run(job)
    except OSError as error:
        # Told to the process that started the worker, which reports it as its own.
        print(REFUSAL + json.dumps([error.errno, error.strerror, error.filename]), file=sys.stderr)
        sys.exit(1)


def _run(job: Path) -> None:
    # A worker makes millions of postings that live until its segment is written; Python's
    # default of a collection every 700 new objects scans them over and over (7% of a job).
    gc.set_threshold(50_000, 10, 10)
    # NLTK's package imports most of NLTK, and NumPy and SciPy when installed: 0.2-0.8 s
    # of a worker's start. Nothing else runs in a worker, so it goes without them.
    with blocking(NLTK_EXTRAS):
        submodule_alone("nltk", "stem.snowball", NLTK_UNUSED)
    snowball()
    share, directory, memory_mb = pickle.loads(job.read_bytes())
    progress = Progress(_appender(job.with_suffix(".progress")))
    stemmer = Stemmer()
    builder = _BandsSending(directory, memory_mb, stemmer)
    outcome = share.write(builder, stemmer, progress)
    progress.flush()
    builder.send_bands()
    result = (outcome, stemmer, builder.finish())
    job.with_suffix(".result").write_bytes(pickle.dumps(result))


class _BandsSending(SegmentBuilder):
    """A segment builder that writes the band keys its stemmer gathered to the index's
    database every ``BANDS_AT_ONCE``, and the last ones at the end (before the commit: keys
    without documents are harmless), so the lock holder needn't."""

    def __init__(self, directory: Path, memory_mb: int, stemmer: Stemmer) -> None:
        super().__init__(directory, memory_mb)
        self.vocabulary = Vocabulary(directory)
        self._bands = stemmer.bands

    def add(self, document: Document) -> None:
        super().add(document)
        if len(self._bands) >= BANDS_AT_ONCE:
            self.vocabulary.add_bands(self._bands)
            self._bands.clear()

    def send_bands(self) -> None:
        """Write the band keys not written yet, and close the database."""
        self.vocabulary.add_bands(self._bands)
        self._bands.clear()
        self.vocabulary.close()


def _appender(file: Path) -> Callable[[int], None]:
    """A report that appends a byte for each item to ``file``."""

    def append(done: int) -> None:
        with file.open("ab") as output:
            output.write(b"." * done)

    return append
