"""Keeping an index in step with folders of article files: new files added, changed ones
(by content hash) replaced, deleted ones removed, unchanged ones skipped; many files read,
parsed and written by worker processes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from searchlib.articles.article import shown_path
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
    keep: Callable[[str], bool] | None = None,
) -> IndexReport:
    """Index ``files`` under ``root``; with ``files=None``, every file, removing the gone.
    With ``keep``, only the files whose ids it keeps (those of one shard) are the index's."""
    report = IndexReport()
    tally = Progress(progress)
    left_out: list[tuple[Path, str]] = []
    paths = list(find_files(root, left_out)) if files is None else files
    for path, reason in left_out:
        report.skip(shown_path(str(path)), reason)
    states = file_states(index)
    work, id_holders = [], {state.article_id: state.path for state, _ in states.values()}
    for path in paths:
        state, _ = states.pop(str(path), (None, None))
        # A file keeps the id it was indexed under; a new one takes its folder-based id,
        # unless another file holds it (a.md beside a.txt, two folders called "seeds").
        file_id = state.article_id if state else article_id(path, root)
        if keep is not None and not keep(file_id):
            continue
        holder = id_holders.setdefault(file_id, str(path))
        if holder != str(path):
            report.skip(
                shown_path(str(path)), f"its id {file_id!r} is taken by {shown_path(holder)}"
            )
            tally.advance()
            continue
        work.append((path, state.content_hash if state else None, file_id))
    with index.writing() as (writer, stemmer):
        source = shown_path(root.name)
        if workers > 1 and len(work) >= PARALLEL_FROM:
            shares = [FileShare(part, source) for part in split(work, workers)]
            for outcomes, learnt, segment in write_in_workers(shares, index.path, tally):
                stemmer.take(learnt)
                if segment is not None:
                    writer.add_segment(segment)
                for prepared in outcomes:
                    _apply(writer, prepared, report)
        else:
            for item in work:
                _apply(writer, prepare(*item, source, stemmer), report)
                tally.advance()
        if files is None:
            # Files left out (links out of the folder) go, along with those deleted from it;
            # folders left out (can't be listed) hold no file states.
            left_out_paths = {str(path) for path, _ in left_out}
            for path, (_, term) in states.items():
                under_root = path.startswith(f"{root}{os.sep}")
                if under_root and (path in left_out_paths or is_gone(path)):
                    writer.delete("file_state", term)
                    report.removed.append(shown_path(path))
    tally.flush()
    return report


def file_states(index: IndexFolder) -> dict[str, tuple[FileState, str]]:
    """Every file the index holds, by path: its state and the term recording it."""
    with index.engine.searcher() as searcher:
        states = ((FileState.from_term(term), term) for term in searcher.terms("file_state"))
        return {state.path: (state, term) for state, term in states}


def _apply(writer: Writer, prepared: Prepared, report: IndexReport) -> None:
    """Record what became of a file, replacing its old version (which has its id: a file
    keeps the id it was first indexed under) when there is a new one."""
    if prepared.skipped:
        report.skip(shown_path(prepared.path), prepared.skipped)
    elif prepared.article_id is None:
        report.unchanged += 1
    else:
        if prepared.document is not None:
            writer.update(prepared.document)
        else:  # already written by a worker: only older documents with its id must go
            writer.delete("id", prepared.article_id)
        changed = report.updated if prepared.known_hash else report.added
        changed.append(shown_path(prepared.path))
