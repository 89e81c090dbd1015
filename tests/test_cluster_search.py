"""Searching a sharded index on a Dask cluster (issue 19): each shard ranked by a task on a
worker with the statistics of all shards, the best merged here, giving the hits and scores
of a search in one process, and so of one index."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchlib import Article, Index, IndexChangedError, RequestLimitError, SearchlibError, clusters
from searchlib.search import cluster as on_workers
from searchlib.search.cluster import Cluster
from searchlib.search.deadline import NO_DEADLINE
from searchlib.search.grammar import parse
from searchlib.search.planning import plan
from searchlib.storage.shards import shard_path
from searchlib_cli.main import main
from searchlib_cli.search import search

from .test_shards import FIELDS, _assert_same, _record, _scores, _write


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A Dask cluster of two workers in this process (threads, for speed)."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0"
    ) as local:
        yield local


def _shards_opened_by_workers() -> set[Path]:
    """The shards the cluster's workers (threads of this process) hold open."""
    return {Path(path) for path, _ in on_workers._open}


def test_queries_ranked_on_the_cluster_score_as_in_one_process_through_updates(
    tmp_path: Path, cluster: Any
) -> None:
    generator = random.Random(23)
    records = {f"r{n}": _record(generator, n) for n in range(300)}
    corpus = tmp_path / "news.jsonl"
    _write(corpus, records)
    address = cluster.scheduler_address
    with Index.create(tmp_path / "sharded", shards=4) as built:
        built.add_file(corpus, fields=FIELDS, scheduler=address)
    with (
        Index(tmp_path / "sharded") as here,
        Index(tmp_path / "sharded", scheduler=address) as there,
    ):
        for round_number in range(2):
            expected = _scores(here)
            assert sum(map(len, expected)) > 1000
            assert _scores(there) == expected  # to the last bit: the same steps, in order
            page, wanted = there.search("cocoa OR bank", limit=5), here.search("cocoa OR bank", 5)
            assert [(hit.id, hit.score) for hit in page] == [(hit.id, hit.score) for hit in wanted]
            assert page.total == wanted.total and page.facets == wanted.facets
            assert page.timeline() == wanted.timeline() and page.stories == wanted.stories
            assert page[0].explain().score == pytest.approx(page[0].score, rel=1e-12)
            by_date = there.search("cocoa", limit=20, sort="-date")
            assert [hit.id for hit in by_date] == [
                hit.id for hit in here.search("cocoa", 20, sort="-date")
            ]
            similar = [hit.id for hit in there.similar("r5", limit=5)]
            assert similar == [hit.id for hit in here.similar("r5", limit=5)]
            # An update and a deletion, through the index searched on the cluster.
            changed = generator.sample(sorted(records), 10)
            for key in changed:
                records[key] = _record(generator, int(key[1:]))
            records["r900"] = _record(generator, 900)
            _write(corpus, records)
            there.add_file(corpus, fields=FIELDS)  # on the cluster it was opened with
            gone = sorted(records)[round_number]
            assert there.delete(gone) == [gone]
            del records[gone]
        assert _scores(there) == _scores(here)
        _write(corpus, records)
        with Index(tmp_path / "one") as one:
            one.add_file(corpus, fields=FIELDS, workers=1)
            _assert_same(_scores(there), _scores(one))
            for query in ("cocoa OR bank", "-topic:cocoa bank", "date:1987-04"):
                page, single = there.search(query), one.search(query)
                assert (page.total, page.stories, page.facets) == (
                    single.total,
                    single.stories,
                    single.facets,
                ), query
                assert page.timeline("month") == single.timeline("month"), query
    shards = {shard_path(tmp_path / "sharded", shard) for shard in range(4)}
    assert _shards_opened_by_workers() >= shards


def test_a_search_on_the_cluster_reads_one_commit_of_every_shard(
    tmp_path: Path, cluster: Any
) -> None:
    articles = [Article(id=f"a{n}", body=f"cocoa harvest {n}") for n in range(20)]
    with Index.create(tmp_path / "sharded", shards=2) as index:
        index.add(*articles)
    with Index(tmp_path / "sharded", scheduler=cluster.scheduler_address) as there:
        folder = there._folder
        searcher = folder.searcher()
        root = plan(parse("cocoa", operators=True), folder.vocabulary).root
        ranker = Cluster(cluster.scheduler_address, folder)
        assert ranker(searcher, root, 50, "score", NO_DEADLINE).total == 20
        with Index(tmp_path / "sharded") as writer:
            writer.add(*(Article(id=f"b{n}", body="cocoa") for n in range(4)))
        # Workers keep reading the commit the search reads, while they have it open...
        assert ranker(searcher, root, 50, "score", NO_DEADLINE).total == 20
        for _, _, kept in on_workers._open.values():
            kept.close()
        on_workers._open.clear()
        # ... and one opening a shard now finds only the new commit.
        with pytest.raises(IndexChangedError, match="search again"):
            ranker(searcher, root, 50, "score", NO_DEADLINE)
        ranker.close()
        assert there.search("cocoa").total == 24  # a new search reads the new commit


def test_a_search_on_the_command_line_through_a_scheduler(tmp_path: Path, cluster: Any) -> None:
    with Index.create(tmp_path / "sharded", shards=3) as index:
        index.add(*(Article(id=f"a{n}", body=f"cocoa bahia {'rain ' * n}") for n in range(9)))
    runner = CliRunner()
    arguments = ["cocoa -rain", "--index", str(tmp_path / "sharded"), "--json"]
    there = runner.invoke(search, [*arguments, "--scheduler", cluster.scheduler_address])
    assert there.exit_code == 0, there.output
    assert there.output == runner.invoke(search, arguments).output
    assert '"a0"' in there.output and '"a1"' not in there.output
    alike = ["similar", "a3", "--index", str(tmp_path / "sharded"), "--json"]
    there = runner.invoke(main, [*alike, "--scheduler", cluster.scheduler_address])
    assert there.exit_code == 0, there.output
    assert there.output == runner.invoke(main, alike).output


def test_searching_through_a_scheduler_says_what_to_install_without_dask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    Index.create(tmp_path / "sharded", shards=2).close()
    with pytest.raises(SearchlibError, match=r"searching on a Dask scheduler needs Dask: pip"):
        Index(tmp_path / "sharded", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(SearchlibError, match="not a sharded index"):
        Index(tmp_path / "plain", scheduler="tcp://127.0.0.1:8786")
    arguments = ["cocoa", "--index", str(tmp_path / "sharded"), "--scheduler", "tcp://x:8786"]
    refused = CliRunner().invoke(search, arguments)
    assert refused.exit_code == 2
    assert "pip install 'searchlib[dask]'" in refused.output
    assert CliRunner().invoke(main, ["stats", "--index", str(tmp_path / "sharded")]).exit_code == 0


def test_a_search_of_a_sharded_index_in_one_process_imports_no_dask(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")  # otherwise nothing could import it anyway
    with Index.create(tmp_path / "sharded", shards=2) as index:
        index.add(Article(id="a1", body="Byrne JAG grants."), Article(id="a2", body="Rain."))
    script = (
        "import sys, warnings; from searchlib import Index\n"
        f"with Index({str(tmp_path / 'sharded')!r}) as index:\n"
        "    assert [hit.id for hit in index.search('byrne')] == ['a1']\n"
        "    index.search('byrne').facets, index.similar('a1')\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "searchlib.search.sharded" in loaded
    assert {name for name in loaded if name.split(".")[0] in ("dask", "distributed")} == set()


def test_a_search_on_the_cluster_keeps_its_time_limit(tmp_path: Path, cluster: Any) -> None:
    with Index.create(tmp_path / "sharded", shards=2) as index:
        index.add(*(Article(id=f"a{n}", body="cocoa") for n in range(10)))
    with Index(tmp_path / "sharded", scheduler=cluster.scheduler_address) as there:
        with warnings.catch_warnings(), pytest.raises(SearchlibError, match="took more than"):
            there.search("cocoa", timeout=1e-9)
        assert there.search("cocoa").total == 10


def test_a_cluster_without_workers_stops_a_search_at_its_timeout(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with Index.create(tmp_path / "sharded", shards=2) as index:
        index.add(Article(id="a1", body="Byrne JAG grants."), Article(id="a2", body="Rain."))
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, dashboard_address="127.0.0.1:0"
        ) as empty,
        Index(tmp_path / "sharded", scheduler=empty.scheduler_address) as there,
        pytest.raises(RequestLimitError, match="are its workers running"),
    ):
        there.search("byrne", timeout=1)


def test_something_other_than_a_scheduler_at_the_address_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(clusters, "CONNECT_SECONDS", 1)
    with (
        socket.create_server(("127.0.0.1", 0)) as silent,
        socket.create_server(("127.0.0.1", 0)) as talking,
    ):

        def greet() -> None:  # a service that speaks first (SSH does), in a frame Dask misreads
            connection, _ = talking.accept()
            with connection:
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n" * 64)

        threading.Thread(target=greet, daemon=True).start()
        for server in (silent, talking):  # the silent one accepts and never answers
            address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
            with pytest.raises(SearchlibError, match="can't reach the Dask scheduler"):
                clusters.connect(address, "searching")
