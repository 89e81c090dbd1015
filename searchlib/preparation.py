"""Preparing files for the index (read, hash, parse, analyse), and for big jobs doing it in
worker processes that also write the index segments, so every core does Whoosh's work too.

Workers are fresh interpreters (``python -m searchlib.worker``), not ``multiprocessing``
children: those would either re-run a user's unguarded script (spawn, forkserver) or
inherit the index lock and keep it if the parent were killed (fork).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from subprocess import PIPE
from typing import Any

from searchlib.analysis import Stemmer
from searchlib.engine import SegmentBuilder
from searchlib.errors import SearchlibError
from searchlib.ingest import SkippedFile, content_hash, read_bytes, to_article
from searchlib.schema import Document, to_document

PARALLEL_FROM = 256
"""Fewer files than this are prepared in this process: starting workers takes ~0.5 s."""

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


def default_workers() -> int:
    """Worker processes for big jobs: one per core, at most four."""
    return min(4, os.cpu_count() or 1)


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
        reason = f"can't parse it ({type(error).__name__}: {error})"
        return Prepared(key, known_hash, skipped=reason)
    return Prepared(key, known_hash, article.id, document)


def write_in_workers(
    work: Work, source: str, directory: Path, workers: int
) -> Iterator[tuple[list[Prepared], dict[str, str], Any]]:
    """Split ``work`` among ``workers`` processes, each preparing its share and writing it
    as a segment of the index in ``directory``; yields each share's outcomes (without
    documents), the stems it learnt and its segment (to commit with ``Writer.add_segment``).
    Call it while holding the index lock: only the lock keeps other writers from deleting
    segments that are not committed yet.
    """
    size = -(-len(work) // workers)
    shares = [work[start : start + size] for start in range(0, len(work), size)]
    package_parent = str(Path(__file__).resolve().parent.parent)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])),
    }
    with tempfile.TemporaryDirectory(prefix="searchlib-jobs-") as scratch:
        jobs = []
        try:
            for number, share in enumerate(shares):
                job = Path(scratch, f"share-{number}.pickle")
                job.write_bytes(pickle.dumps((list(share), source, directory)))
                command = [sys.executable, "-m", "searchlib.worker", str(job)]
                jobs.append((job, subprocess.Popen(command, env=environment, stderr=PIPE)))
            for job, process in jobs:
                _, errors = process.communicate()
                if process.returncode != 0:
                    last_lines = errors.decode(errors="replace").strip().splitlines()[-3:]
                    raise SearchlibError("an indexing worker failed: " + " | ".join(last_lines))
                yield pickle.loads(job.with_suffix(".result").read_bytes())
        finally:
            for _, process in jobs:
                if process.poll() is None:
                    process.kill()
                    process.wait()


def run_job(job: Path) -> None:
    """Run one share written by ``write_in_workers`` (in a worker process)."""
    share, source, directory = pickle.loads(job.read_bytes())
    job.with_suffix(".result").write_bytes(pickle.dumps(_write_share(share, source, directory)))


def _write_share(
    share: Work, source: str, directory: Path
) -> tuple[list[Prepared], dict[str, str], Any]:
    stemmer = Stemmer()
    builder = SegmentBuilder(directory)
    outcomes = []
    for path, known_hash, article_id in share:
        prepared = prepare(path, known_hash, article_id, source, stemmer)
        if prepared.document is not None:
            builder.add(prepared.document)
            prepared = replace(prepared, document=None)
        outcomes.append(prepared)
    return outcomes, stemmer.seen, builder.finish()
