"""Sharded indexes (issue 19): shards built as Dask tasks, routed by id, searched with the
statistics of all shards, so that they rank as one index built in one commit does."""

from __future__ import annotations

import json
import math
import os
import random
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Article, Index, SearchlibError, SkippedFileWarning
from searchlib.storage.integrity import check
from searchlib.storage.shards import shard_of, shard_path
from searchlib_cli.main import main

WORDS = (
    "cocoa bahia money supply grain wheat tin rubber coffee sugar oil gas bank rate crude "
    "export import tariff harvest drought dollar yen bond yield strike port shipping"
).split()
TOPICS = ["cocoa", "grain", "money-fx", "crude", "ship"]
QUERIES = [
    "cocoa", "money supply", "wheat OR sugar", "bank rate", "oil -gas", '"cocoa bahia"',
    "crude AND export", "coffee NOT sugar", "+drought harvest", "(yen OR dollar) AND bond",
    "title:wheat", "title:(tin OR rubber)", '"money supply"~2', "tariff import export",
    "topic:cocoa", "grain topic:grain", "oil topic:(crude OR ship)", "-topic:cocoa bank",
    "date:1987-04", "cocoa date:1987", "sugar date:>=1987-06-01", "yield date:<1987-03",
    "bond date:[1987-02-01 TO 1987-05-31]", "shipp*", "coffe~", "strike port shipping",
    '"crude oil" OR "natural gas"', "rate -bank -dollar", "source:news", "harvest bahia cocoa",
]  # fmt: skip
"""30 queries: words, operators, phrases, fields, keyword filters, dates, prefixes, typos."""


def _record(generator: random.Random, number: int) -> dict[str, object]:
    words = generator.choices(WORDS, k=generator.randint(3, 60))
    day = generator.randint(0, 364)
    return {
        "id": f"r{number}",
        "title": " ".join(words[:3]),
        "text": " ".join(words),
        "date": f"1987-{1 + day // 31:02d}-{1 + day % 28:02d}",
        "topics": generator.sample(TOPICS, generator.randint(0, 2)),
    }


def _write(file: Path, records: dict[str, dict[str, object]]) -> None:
    file.write_text("".join(json.dumps(record) + "\n" for record in records.values()))


def _scores(index: Index) -> list[dict[str, float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a typo's correction, a filter alone
        return [{hit.id: hit.score for hit in index.search(query, limit=5000)} for query in QUERIES]


def _assert_same(sharded: list[dict[str, float]], single: list[dict[str, float]]) -> None:
    for query, got, expected in zip(QUERIES, sharded, single, strict=True):
        assert got.keys() == expected.keys(), query
        for id, score in expected.items():
            assert math.isclose(got[id], score, rel_tol=1e-9, abs_tol=1e-12), (query, id)


FIELDS = {"topic": "topics"}


def test_shards_built_with_dask_rank_as_one_index_through_updates(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    generator = random.Random(19)
    records = {f"r{n}": _record(generator, n) for n in range(300)}
    corpus = tmp_path / "news.jsonl"
    _write(corpus, records)
    with corpus.open("a") as file:
        file.write("not a record\n")
    with Index.create(tmp_path / "sharded", shards=4) as sharded:
        # Every shard's task reads the bad line; the build warns of it once.
        with pytest.warns(SkippedFileWarning, match="news.jsonl:301") as caught:
            report = sharded.add_file(corpus, fields=FIELDS)
        assert len(caught) == len(report.skipped) == 1
        assert sorted(report.added) == sorted(records)
        _write(corpus, records)
        assert sharded.stats()["keyword_fields"] == ["topic"]
        for round_number in range(2):
            with Index(tmp_path / f"single{round_number}") as single:
                single.add_file(corpus, fields=FIELDS, workers=1)  # one commit
                expected = _scores(single)
                assert sum(map(len, expected)) > 1000
                _assert_same(_scores(sharded), expected)
            changed = generator.sample(sorted(records), 30)
            for key in changed[:20]:
                records[key] = _record(generator, int(key[1:]))
            for key in changed[20:]:
                del records[key]
            for number in range(5):
                key = f"r{1000 + round_number * 10 + number}"
                records[key] = _record(generator, int(key[1:]))
            _write(corpus, records)
            report = sharded.add_file(corpus, fields=FIELDS)
            assert sorted(report.removed) == sorted(changed[20:])
            assert report.unchanged >= len(records) - 25
            gone = sorted(records)[round_number]
            assert sharded.delete(gone) == [gone]
            del records[gone]
            _write(corpus, records)
        assert len(sharded) == len(records)
        with Index(tmp_path / "last") as single:
            single.add_file(corpus, fields=FIELDS, workers=1)
            _assert_same(_scores(sharded), _scores(single))
        for shard in range(4):
            with Index(shard_path(sharded.path, shard), create=False) as alone:
                ids = [hit.id for hit in alone.search("date:1987", limit=1000)]
                assert ids and all(shard_of(id, 4) == shard for id in ids)
        assert check(sharded.path) == []


def test_articles_added_and_deleted_without_dask_rank_as_one_index(tmp_path: Path) -> None:
    generator = random.Random(7)
    records = [_record(generator, n) for n in range(120)]
    articles = [
        Article(id=str(record["id"]), headline=str(record["title"]), body=str(record["text"]))
        for record in records
    ]
    with Index.create(tmp_path / "sharded", shards=3) as sharded, Index(tmp_path / "one") as one:
        for index in (sharded, one):
            index.add(*articles)
            index.add(Article(id="r5", body="cocoa cocoa bahia"))
            assert index.delete("r7", "r8", "none") == ["r7", "r8"]
        _assert_same(_scores(sharded), _scores(one))
        assert len(sharded) == len(one) == 118
        assert sharded.get("r5").body == "cocoa cocoa bahia"
        best = sharded.search("cocoa bahia")[0]
        assert best.explain().score == pytest.approx(best.score)
        assert [hit.id for hit in sharded.similar("r5", limit=5)] == [
            hit.id for hit in one.similar("r5", limit=5)
        ]
        page = sharded.search("cocoa", limit=5, offset=5)
        assert [hit.score for hit in page] == [hit.score for hit in one.search("cocoa", 5, 5)]


def test_index_with_shards_on_the_command_line(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    generator = random.Random(3)
    corpus = tmp_path / "news.jsonl"
    _write(corpus, {f"r{n}": _record(generator, n) for n in range(40)})
    runner = CliRunner()
    path = str(tmp_path / "index")
    built = runner.invoke(main, ["index", str(corpus), "--index", path, "--shards", "2"])
    assert built.exit_code == 0, built.output
    assert "40 added" in built.output
    again = runner.invoke(main, ["index", str(corpus), "--index", path, "--shards", "3"])
    assert again.exit_code == 2
    assert "2 shards" in again.output
    stats = runner.invoke(main, ["stats", "--index", path])
    assert "shards" in stats.output
    assert runner.invoke(main, ["check", "--index", path]).exit_code == 0
    shown = runner.invoke(main, ["show", "r3", "--index", path])
    assert shown.exit_code == 0
    assert "r3" in shown.output


def test_shards_say_what_to_install_without_dask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    corpus = tmp_path / "news.jsonl"
    _write(corpus, {"r1": _record(random.Random(1), 1)})
    with Index.create(tmp_path / "index", shards=2) as index:
        with pytest.raises(SearchlibError, match=r"pip install 'searchlib\[dask\]'"):
            index.add_file(corpus)
        assert len(index) == 0
    with Index(tmp_path / "plain") as plain, pytest.raises(SearchlibError, match="not a sharded"):
        plain.add_file(corpus, scheduler="tcp://127.0.0.1:8786")
    built = CliRunner().invoke(
        main, ["index", str(corpus), "--index", str(tmp_path / "new"), "--shards", "2"]
    )
    assert built.exit_code == 2
    assert "pip install 'searchlib[dask]'" in built.output
    assert not (tmp_path / "new").exists()


def test_shards_without_articles_are_searched(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index", shards=4) as index:
        assert [hit.id for hit in index.search("cocoa")] == []
        index.add(Article(id="a", body="cocoa bahia"))
        results = index.search("cocoa", sort="-date")
        assert [hit.id for hit in results] == ["a"]
        assert results.facets["source"] == []
        assert results.timeline().undated == 1
        assert [hit.id for hit in index.search('"cocoa bahia" -rain')] == ["a"]


def test_creating_shards_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(SearchlibError, match="not an empty folder"):
        Index.create(tmp_path / "full", shards=2)
    with pytest.raises(SearchlibError, match="from 1 to 1024"):
        Index.create(tmp_path / "none", shards=0)
    Index.create(tmp_path / "index", shards=2).close()
    with pytest.raises(SearchlibError, match="already holds"):
        Index.create(tmp_path / "index", shards=2)


def test_a_worker_killed_during_a_build_leaves_shards_whole_and_the_build_completes(
    tmp_path: Path,
) -> None:
    distributed = pytest.importorskip("dask.distributed")
    generator = random.Random(5)
    records = {f"r{n}": _record(generator, n) for n in range(3000)}
    corpus = tmp_path / "news.jsonl"
    _write(corpus, records)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        distributed.Client(cluster) as client,
        Index.create(tmp_path / "sharded", shards=4) as sharded,
    ):
        victim = next(iter(client.run(os.getpid).values()))

        def kill_once_writing() -> None:
            # Once a shard's writer has postings files, a worker is writing a commit.
            give_up = time.monotonic() + 60
            while not any((tmp_path / "sharded").glob("shard-*/*.pst")):
                assert time.monotonic() < give_up
                time.sleep(0.01)
            os.kill(victim, signal.SIGKILL)

        killer = threading.Thread(target=kill_once_writing)
        killer.start()
        report = sharded.add_file(corpus, scheduler=cluster.scheduler_address)
        killer.join()
        assert victim not in client.run(os.getpid).values()
        assert len(sharded) == len(records)
        # Records a shard committed before its worker died are unchanged for the retry.
        assert len(report.added) + report.unchanged == len(records)
        assert check(sharded.path) == []
        with Index(tmp_path / "one") as one:
            one.add_file(corpus, workers=1)
            _assert_same(_scores(sharded), _scores(one))


def test_optimizing_shards_keeps_the_band_keys_of_the_articles_held_only(tmp_path: Path) -> None:
    body = " ".join(f"harbour{number}" for number in range(40))
    with Index.create(tmp_path / "index", shards=2) as index:
        index.add(*(Article(id=f"twin{number}", body=body) for number in range(4)))
        index.add(Article(id="twin0", body=" ".join(f"orchid{number}" for number in range(40))))
        index.delete("twin1")
        index.optimize()
        held = {article_id for _, article_id in index._folder.vocabulary.every_band()}
        assert held == {"twin0", "twin2", "twin3"}
        assert [(hit.id, hit.duplicates) for hit in index.search("harbour0")] in (
            [("twin2", 1)],
            [("twin3", 1)],
        )
