"""Building and updating a sharded index on a Dask cluster: one task per shard, each
bringing its shard in line with the sources for the ids routed to it.

A task updates its shard in commits of its own: a task killed or retried leaves its shard
as its last commit, and a run again completes it. Dask is imported (``searchlib.clusters``)
only when a build starts: searching a sharded index in one process needs none.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from searchlib.articles.records import is_records
from searchlib.clusters import connect, distributed
from searchlib.errors import SearchlibWarning
from searchlib.indexing import folders
from searchlib.indexing.records import add_records
from searchlib.indexing.report import IndexReport
from searchlib.storage.folder import IndexFolder
from searchlib.storage.shards import ShardedFolder, shard_of, shard_path

NEEDED_FOR = "building a sharded index"


@dataclass(frozen=True)
class Source:
    """What a build reads: a folder of article files, or one file (an article or a records
    file, with its ``fields`` mapping)."""

    path: str
    is_folder: bool
    fields: Mapping[str, str] | None = None


def build(index: ShardedFolder, sources: list[Source], scheduler: str | None) -> IndexReport:
    """Bring every shard of ``index`` in line with ``sources``, one Dask task per shard, on
    the cluster at ``scheduler`` (``tcp://host:8786``) or on a local one (worker processes:
    a script must guard its top level with ``if __name__ == "__main__":``); every worker
    must reach the index's folder at the same path. What the tasks report, added up.

    >>> build(index, [Source("news.jsonl", is_folder=False)], None)  # doctest: +SKIP
    IndexReport(added=['n1', 'n2'], ...)
    """
    count = len(index.shards)
    with _client(scheduler, count) as client:
        futures = client.map(
            update_shard,
            [str(index.path.resolve())] * count,  # workers may run elsewhere
            range(count),
            [count] * count,
            [sources] * count,
            pure=False,
            retries=1,
        )
        reports = client.gather(futures)
    index.gather_vocabularies()
    return _added_up(reports)


def update_shard(path: str, shard: int, shards: int, sources: list[Source]) -> IndexReport:
    """One task: shard ``shard`` of the sharded index at ``path`` in line with ``sources``."""

    def keep(id: str) -> bool:
        return shard_of(id, shards) == shard

    reports = []
    folder = IndexFolder(shard_path(Path(path), shard), create=False)
    # What one shard skips, every shard does: the build warns of it, once.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for source in sources:
                place = Path(source.path)
                if source.is_folder:
                    reports.append(folders.sync(folder, place, None, 1, None, keep))
                elif is_records(place):
                    reports.append(add_records(folder, place, source.fields, None, 1, keep))
                else:
                    reports.append(folders.sync(folder, place.parent, [place], 1, None, keep))
        finally:
            folder.close()
        return _added_up(reports)


@contextmanager
def _client(scheduler: str | None, shards: int) -> Iterator[Any]:
    """A Dask client of the cluster at ``scheduler``, or of a local cluster on loopback."""
    dask = distributed(NEEDED_FOR)
    if scheduler:
        with connect(scheduler, NEEDED_FOR) as client:
            yield client
        return
    workers = max(1, min(shards, os.cpu_count() or 1, 4))
    with (
        dask.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=workers > 1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        dask.Client(cluster) as client,
    ):
        yield client


def _added_up(reports: list[IndexReport]) -> IndexReport:
    """The reports of the shards as one, warning of what was skipped and noted; what each
    shard saw of every source (a bad record, a file left out) is said once."""
    total = IndexReport()
    for report in reports:
        total.added += report.added
        total.updated += report.updated
        total.removed += report.removed
        total.unchanged += report.unchanged
    for path, reason in dict.fromkeys(skip for report in reports for skip in report.skipped):
        total.skip(path, reason)
    total.notes = list(dict.fromkeys(note for report in reports for note in report.notes))
    for note in total.notes:
        warnings.warn(note, SearchlibWarning, stacklevel=3)
    return total
