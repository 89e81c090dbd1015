"""Keeping an index in step with folders of article files: new files added, changed ones
(by content hash) replaced, deleted ones removed, unchanged ones skipped; many files read,
parsed and written by worker processes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from searchlib.articles.files import article_id, find_files, is_gone
from searchlib.engine.writing import Writer
from searchlib.indexing.preparation import Prepared, prepare
from searchlib.indexing.progress import Progress
from searchlib.indexing.report import IndexReport
from searchlib.indexing.workers import FileShare, split, write_in_workers
from searchlib.schema import FileState
from searchlib.storage.folder import IndexFolder

PARALLEL_FROM = 256
"""Fewer files than this are prepared in this process: starting workers takes ~0.5 s."""


def sync(
    index: IndexFolder,
    root: Path,
    files: list[Path] | None,
    workers: int,
    progress: Callable[[int], None] | None,
) -> IndexReport:
    """Index ``files`` under ``root``; with ``files=None``, every file, removing the gone."""
    report = IndexReport()
    tally = Progress(progress)
    unreadable: list[Path] = []
    paths = list(find_files(root, unreadable)) if files is None else files
    for folder in unreadable:
        report.skip(str(folder), "can't list this folder; what the index holds is kept")
    states = file_states(index)
    work, id_holders = [], {state.article_id: state.path for state in states.values()}
    for path in paths:
        state = states.pop(str(path), None)
        # A file keeps the id it was indexed under; a new one takes its folder-based id,
        # unless another file holds it (a.md beside a.txt, two folders called "seeds").
        file_id = state.article_id if state else article_id(path, root)
        holder = id_holders.setdefault(file_id, str(path))
        if holder != str(path):
            report.skip(str(path), f"its id {file_id!r} is taken by {holder}")
            tally.advance()
            continue
        work.append((path, state.content_hash if state else None, file_id))
    with index.writing() as (writer, stemmer):
        if workers > 1 and len(work) >= PARALLEL_FROM:
            shares = [FileShare(part, root.name) for part in split(work, workers)]
            for outcomes, stems, segment in write_in_workers(shares, index.path, tally):
                stemmer.seen.update(stems)
                if segment is not None:
                    writer.add_segment(segment)
                for prepared in outcomes:
                    _apply(writer, prepared, report)
        else:
            for item in work:
                _apply(writer, prepare(*item, root.name, stemmer), report)
                tally.advance()
        if files is None:
            for state in states.values():
                if state.path.startswith(f"{root}{os.sep}") and is_gone(state.path):
                    writer.delete("file_state", state.term())
                    report.removed.append(state.path)
    tally.flush()
    return report


def file_states(index: IndexFolder) -> dict[str, FileState]:
    """Every file the index holds, by path."""
    with index.engine.searcher() as searcher:
        states = (FileState.from_term(term) for term in searcher.terms("file_state"))
        return {state.path: state for state in states}


def _apply(writer: Writer, prepared: Prepared, report: IndexReport) -> None:
    """Record what became of a file, replacing its old version when there is a new one."""
    if prepared.skipped:
        report.skip(prepared.path, prepared.skipped)
    elif prepared.article_id is None:
        report.unchanged += 1
    else:
        if prepared.known_hash is not None:
            old = FileState(prepared.path, prepared.known_hash, prepared.article_id)
            writer.delete("file_state", old.term())
        if prepared.document is not None:
            writer.update(prepared.document)
        else:  # already written by a worker: only older documents with its id must go
            writer.delete("id", prepared.article_id)
        (report.updated if prepared.known_hash else report.added).append(prepared.path)
