"""Preparing files for the index: read, hash, parse and analyse, in worker processes when
there are many, so the single index writer only has to write.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from searchlib.analysis import Stemmer
from searchlib.ingest import SkippedFile, content_hash, read_bytes, to_article
from searchlib.schema import Document, to_document

BATCH_SIZE = 64
PARALLEL_FROM = 256
"""Fewer files than this are prepared in this process: starting workers takes ~0.5 s."""

Work = Sequence[tuple[Path, str | None]]
"""Files to prepare, each with the content hash the index holds for it (or ``None``)."""


@dataclass
class Prepared:
    """A file, ready for the index: a new document, or why there is none."""

    path: str
    known_hash: str | None
    document: Document | None = None
    skipped: str | None = None
    """Why the file can't be indexed; ``None`` with no document means unchanged."""


def default_workers() -> int:
    """Worker processes to use: every core but the writer's, at most four."""
    return min(4, max(1, (os.cpu_count() or 1) - 1))


def prepare(path: Path, known_hash: str | None, root: Path, stemmer: Stemmer) -> Prepared:
    """Read, and unless unchanged, parse and analyse one file."""
    key = str(path)
    try:
        data = read_bytes(path)
        new_hash = content_hash(data)
        if new_hash == known_hash:
            return Prepared(key, known_hash)
        document = to_document(to_article(data, path, root), stemmer, new_hash)
    except SkippedFile as skipped:
        return Prepared(key, known_hash, skipped=str(skipped))
    except Exception as error:  # one odd file must never stop a build
        return Prepared(
            key, known_hash, skipped=f"can't parse it ({type(error).__name__}: {error})"
        )
    return Prepared(key, known_hash, document)


def prepare_all(work: Work, root: Path, workers: int) -> Iterator[tuple[list[Prepared], dict]]:
    """Prepare ``work`` in order, a batch at a time, with the stems each batch added.

    Uses ``workers`` processes when there is enough work; at most a few batches wait in
    memory for the writer.
    """
    batches = [work[start : start + BATCH_SIZE] for start in range(0, len(work), BATCH_SIZE)]
    if workers <= 1 or len(work) < PARALLEL_FROM:
        stemmer = Stemmer()
        for batch in batches:
            yield _prepare_batch(batch, root, stemmer)
        return
    # Spawned, not forked: a fork would share the writer's lock and open files.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        pending: deque[Future[tuple[list[Prepared], dict]]] = deque()
        for batch in batches:
            pending.append(pool.submit(_prepare_in_worker, batch, root))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _prepare_batch(batch: Work, root: Path, stemmer: Stemmer) -> tuple[list[Prepared], dict]:
    known = len(stemmer.seen)
    prepared = [prepare(path, known_hash, root, stemmer) for path, known_hash in batch]
    return prepared, dict(islice(stemmer.seen.items(), known, None))


_worker_stemmer = Stemmer()


def _start_worker() -> None:
    global _worker_stemmer
    _worker_stemmer = Stemmer()


def _prepare_in_worker(batch: Work, root: Path) -> tuple[list[Prepared], dict]:
    return _prepare_batch(batch, root, _worker_stemmer)
