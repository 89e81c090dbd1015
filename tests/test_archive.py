"""An archive kept in step and counted right (issue 16): records files synced record by
record, deleting, filters, dates shown and sorted, metadata fields, exact counts, timelines."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Index, SearchlibError
from searchlib_cli.main import main
from searchlib_cli.search import search as main_search

WORDS = "cocoa bahia money supply grain wheat tin rubber coffee sugar oil gas bank rate".split()
QUERIES = ["cocoa", "money supply", "wheat OR sugar", "bank rate", "oil -gas", '"cocoa bahia"']


def _record(generator: random.Random, number: int) -> dict[str, str]:
    words = generator.choices(WORDS, k=generator.randint(3, 60))
    return {"id": f"r{number}", "title": " ".join(words[:3]), "text": " ".join(words)}


def _write(file: Path, records: dict[str, dict[str, str]]) -> None:
    file.write_text("".join(json.dumps(record) + "\n" for record in records.values()))


def _scores(index: Index) -> list[dict[str, float]]:
    return [
        {hit.id: round(hit.score, 9) for hit in index.search(query, limit=1000)}
        for query in QUERIES
    ]


def test_records_updated_in_rounds_score_as_a_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = random.Random(16)
    records = {f"r{n}": _record(generator, n) for n in range(120)}
    corpus = tmp_path / "news.jsonl"
    _write(corpus, records)
    monkeypatch.setattr("searchlib.indexing.records.PARALLEL_RECORDS_FROM", 0)
    with Index(tmp_path / "kept") as kept:
        first = kept.add_file(corpus, workers=1)
        assert (len(first.added), first.unchanged) == (120, 0)
        again = kept.add_file(corpus, workers=1)
        assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 120)
        for round_number in range(5):
            changed = generator.sample(sorted(records), 15)
            for key in changed[:10]:
                records[key] = _record(generator, int(key[1:]))
            for key in changed[10:]:
                del records[key]
            added = [f"r{1000 + round_number * 10 + n}" for n in range(4)]
            for key in added:
                records[key] = _record(generator, int(key[1:]))
            _write(corpus, records)
            report = kept.add_file(corpus, workers=1 + round_number % 2)
            assert sorted(report.removed) == sorted(changed[10:])
            assert sorted(report.added) == sorted(added)
            assert len(report.updated) <= 10
            assert report.unchanged == len(records) - len(added) - len(report.updated)
            with Index(tmp_path / f"fresh{round_number}") as fresh:
                fresh.add_file(corpus, workers=1)
                assert len(kept) == len(fresh) == len(records)
                expected = _scores(fresh)
                assert _scores(kept) == expected
                assert kept.stats()["size_bytes"] < 4 * fresh.stats()["size_bytes"]
        kept.optimize()
        assert _scores(kept) == expected
        assert kept.stats()["size_bytes"] < 1.5 * fresh.stats()["size_bytes"]


def test_a_record_repeated_in_its_file_keeps_the_last_across_runs(
    index: Index, tmp_path: Path
) -> None:
    corpus = tmp_path / "news.jsonl"
    lines = [{"id": "a", "text": "old walrus"}, {"id": "b", "text": "seal"}]
    lines.append({"id": "a", "text": "new walrus"})
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines))
    for _ in range(2):
        index.add_file(corpus, workers=1)
        assert index.get("a").body == "new walrus"
        assert len(index) == 2


def test_an_unreadable_records_file_keeps_its_articles(index: Index, tmp_path: Path) -> None:
    corpus = tmp_path / "news.csv"
    corpus.write_text("id,body\na,walrus\n")
    index.add_file(corpus, workers=1)
    corpus.write_bytes(b"\x1f\x8b broken")
    corpus.rename(tmp_path / "news.csv.gz")
    (tmp_path / "news.csv").write_text("id,body\n")  # now empty: its one record is gone
    with pytest.warns(UserWarning):
        index.add_file(tmp_path / "news.csv.gz", workers=1)
    assert len(index) == 1
    assert index.add_file(corpus, workers=1).removed == ["a"]
    assert len(index) == 0


def test_delete_removes_articles_and_names_the_ids_found(index: Index, tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    _write(corpus, {key: {"id": key, "text": f"walrus {key}"} for key in ("a", "b", "c")})
    index.add_file(corpus, workers=1)
    assert index.delete("a", "zzz", "a") == ["a"]
    assert sorted(hit.id for hit in index.search("walrus")) == ["b", "c"]
    runner = CliRunner()
    where = ["--index", str(index.path)]
    result = runner.invoke(main, ["delete", "b", *where])
    assert (result.exit_code, result.output) == (0, f"{index.path}: 1 deleted, 1 article\n")
    result = runner.invoke(main, ["delete", "c", "nope", *where])
    assert result.exit_code == 1
    assert "no article with id 'nope'" in result.output
    assert len(index) == 0
    # The file is the source: indexing it again brings its records back.
    assert sorted(index.add_file(corpus, workers=1).added) == ["a", "b", "c"]
    result = runner.invoke(main, ["optimize", *where])
    assert result.exit_code == 0, result.output


@pytest.fixture
def dated(tmp_path: Path) -> Index:
    """Twelve stories, one a month of 1987: "money supply" in the odd months, cocoa in the
    even ones; every third one also mentions wheat."""
    corpus = tmp_path / "wire.jsonl"
    records = {}
    for month in range(1, 13):
        words = "money supply grew" if month % 2 else "cocoa harvest in Bahia"
        extra = " Wheat too." if month % 3 == 0 else ""
        records[f"m{month}"] = {
            "id": f"m{month}",
            "title": f"Story {month}",
            "text": f"The {words}.{extra}",
            "date": f"1987-{month:02d}-15T10:00:00",
        }
    _write(corpus, records)
    index = Index(tmp_path / "index")
    index.add_file(corpus, workers=1)
    yield index
    index.close()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"money supply" date:1987-03', {"m3"}),
        ('"money supply" date:[1987-01-01 TO 1987-06-30]', {"m1", "m3", "m5"}),
        ("cocoa wheat date:<1987-07", {"m2", "m4", "m6", "m3"}),
        ("(cocoa date:1987-02) OR wheat", {"m2", "m3", "m6", "m9", "m12"}),
        ("cocoa -date:1987-02", {"m4", "m6", "m8", "m10", "m12"}),
        ("date:1987-02 OR date:1987-03", {"m2", "m3"}),
    ],
)
def test_date_clauses_filter_the_words_beside_them(
    dated: Index, query: str, found: set[str]
) -> None:
    results = dated.search(query, limit=50)
    assert {hit.id for hit in results} == found
    assert results.total == len(found)


def test_a_filter_adds_nothing_to_a_score(dated: Index) -> None:
    alone = {hit.id: hit.score for hit in dated.search('"money supply"')}
    filtered = dated.search('"money supply" date:1987-05')
    assert [(hit.id, hit.score) for hit in filtered] == [("m5", alone["m5"])]


def test_the_search_command_counts_only_filtered_matches(dated: Index) -> None:
    result = CliRunner().invoke(
        main_search, ['"money supply" date:1987-05', "--index", str(dated.path)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("1 hit")


def test_hits_sort_by_date_and_pages_agree(dated: Index) -> None:
    newest = [hit.id for hit in dated.search("cocoa OR money", limit=12, sort="-date")]
    assert newest == [f"m{month}" for month in range(12, 0, -1)]
    oldest = [hit.id for hit in dated.search("cocoa OR money", limit=12, sort="date")]
    assert oldest == newest[::-1]
    pages = [
        hit.id
        for offset in range(0, 12, 5)
        for hit in dated.search("cocoa OR money", limit=5, offset=offset, sort="date")
    ]
    assert pages == oldest
    with pytest.raises(SearchlibError, match="no sort order 'newest'"):
        dated.search("cocoa", sort="newest")


def test_a_query_of_filters_alone_lists_newest_first(dated: Index) -> None:
    hits = dated.search("date:[1987-03-01 TO 1987-06-30]")
    assert [hit.id for hit in hits] == ["m6", "m5", "m4", "m3"]


def test_dates_show_in_every_output(dated: Index) -> None:
    hit = dated.search("date:1987-03")[0]
    assert hit.to_dict()["date"] == "1987-03-15T10:00:00"
    assert ">1987-03-15<" in dated.search("date:1987-03")._repr_html_()
    assert "1987-03-15" in dated.get("m3")._repr_html_()
    pandas = pytest.importorskip("pandas")
    frame = dated.search("cocoa", sort="date").to_pandas()
    assert frame["date"].dtype.kind == "M"
    expected = [pandas.Timestamp(f"1987-{month:02d}-15 10:00") for month in (2, 4, 6)]
    assert list(frame["date"])[:3] == expected
    runner, where = CliRunner(), ["--index", str(dated.path)]
    view = runner.invoke(main_search, ["date:1987-03", *where]).output
    assert "m3 · 1987-03-15 · score 0.00" in view
    rows = runner.invoke(main_search, ["date:1987-03", "--csv", *where]).output.splitlines()
    assert rows[0].endswith(",date,metadata,duplicates")
    assert rows[1].endswith(",1987-03-15T10:00:00,,0")
    lines = runner.invoke(main_search, ["cocoa", "--sort", "-date", "--jsonl", *where]).output
    assert [json.loads(line)["date"][:7] for line in lines.splitlines()][:2] == [
        "1987-12",
        "1987-10",
    ]
    assert "Date: 1987-03-15T10:00:00" in runner.invoke(main, ["show", "m3", *where]).output


@pytest.fixture
def wire(tmp_path: Path) -> Index:
    """Stories with Reuters-like keyword lists: topics, places, people (some missing)."""
    corpus = tmp_path / "wire.jsonl"
    rows = [
        ("w1", "Cocoa prices rose", ["cocoa"], ["west-germany", "usa"], ["Kohl"]),
        ("w2", "Cocoa and coffee exports", ["cocoa", "coffee"], ["brazil"], []),
        ("w3", "Coffee talks", ["coffee"], ["USA"], None),
        ("w4", "Grain harvest", [], ["usa"], []),
    ]
    records = {
        key: {"id": key, "text": text, "topics": topics, "places": places, "source": "Reuters"}
        | ({"people": people} if people is not None else {})
        for key, text, topics, places, people in rows
    }
    _write(corpus, records)
    index = Index(tmp_path / "index")
    fields = {"topic": "topics", "place": "places", "person": "people"}
    with pytest.warns(UserWarning, match="1 of 4 records of .* have no .people."):
        index.add_file(corpus, fields=fields, workers=1)
    yield index
    index.close()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("topic:cocoa", {"w1", "w2"}),
        ("topic:COCOA", {"w1", "w2"}),
        ('place:"West Germany"', {"w1"}),
        ("place:usa", {"w1", "w3", "w4"}),
        ("source:Reuters", {"w1", "w2", "w3", "w4"}),
        ("person:Kohl", {"w1"}),
        ("exports topic:coffee", {"w2"}),
        ("prices topic:coffee", set()),
        ("topic:(cocoa OR coffee) -place:brazil", {"w1", "w3"}),
        ("topic:cocoa topic:coffee", {"w1", "w2", "w3"}),
        ("topic:coc", set()),
    ],
)
def test_keyword_fields_filter_by_whole_values(wire: Index, query: str, found: set[str]) -> None:
    results = wire.search(query, limit=10)
    assert {hit.id for hit in results} == found
    assert all(hit.score == 0 for hit in results if not any(c.isalpha() for c in query[:1]))


def test_keyword_fields_are_stored_shown_and_counted(wire: Index) -> None:
    article = wire.get("w1")
    assert article.metadata == {
        "topic": ["cocoa"],
        "place": ["west-germany", "usa"],
        "person": ["Kohl"],
    }
    assert wire.search("cocoa")[0].to_dict()["metadata"]["topic"] == ["cocoa"]
    assert wire.facet_names() == (
        "speaker",
        "credit",
        "source",
        "author",
        "topic",
        "place",
        "person",
    )
    assert wire.stats()["keyword_fields"] == ["topic", "place", "person"]
    facets = wire.search("source:Reuters").facets
    assert facets["topic"] == [("cocoa", 2), ("coffee", 2)]
    assert facets["place"] == [("usa", 2), ("USA", 1), ("brazil", 1), ("west-germany", 1)]
    assert facets["source"] == [("Reuters", 4)]
    runner, where = CliRunner(), ["--index", str(wire.path)]
    shown = runner.invoke(main, ["show", "w1", *where]).output
    assert "topic: cocoa" in shown and "place: west-germany, usa" in shown
    view = runner.invoke(main_search, ["cocoa", "--facet", "topic", *where])
    assert "topic: cocoa; place: west-germany, usa; person: Kohl" in view.output
    assert "articles by topic: cocoa (2), coffee (1)" in view.output
    rows = runner.invoke(main_search, ["topic:coffee", "--csv", "--fields", "id,metadata", *where])
    assert "w3,topic: coffee; place: USA" in rows.output
    bad = runner.invoke(main_search, ["cocoa", "--facet", "nosuch", *where])
    assert bad.exit_code == 2 and "no facet 'nosuch'" in bad.output


def test_a_mapped_key_no_record_has_is_an_error(index: Index, tmp_path: Path) -> None:
    corpus = tmp_path / "news.csv"
    corpus.write_text("id,body\na,walrus\n")
    with pytest.raises(SearchlibError, match=r"no record of .* has the key 'topics'"):
        index.add_file(corpus, fields={"topic": "topics"}, workers=1)
    assert len(index) == 0
    result = CliRunner().invoke(
        main, ["index", str(corpus), "--field", "body=nosuchcol", "--index", str(index.path)]
    )
    assert result.exit_code == 2 and "has the key 'nosuchcol'" in result.output
    assert len(index) == 0


def test_the_index_command_warns_of_records_without_a_mapped_key(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    _write(
        corpus, {"a": {"id": "a", "text": "x", "topics": ["tin"]}, "b": {"id": "b", "text": "y"}}
    )
    result = CliRunner().invoke(
        main, ["index", str(corpus), "--field", "topic=topics", "--index", str(tmp_path / "i")]
    )
    assert result.exit_code == 0
    assert "warning: 1 of 2 records of" in result.stderr and "have no 'topics'" in result.stderr


def test_a_timeline_counts_every_match_per_period(dated: Index) -> None:
    results = dated.search("cocoa OR money")
    timeline = results.timeline()
    assert timeline.unit == "month"
    assert timeline.counts == [(f"1987-{month:02d}", 1) for month in range(1, 13)]
    assert results.timeline("year").counts == [("1987", 12)]
    days = dated.search("date:1987-02 OR date:1987-03").timeline()  # Feb 15 to Mar 15
    assert days.unit == "day" and len(days.counts) == 29 and sum(n for _, n in days.counts) == 2
    assert str(results.timeline("year")) == "1987 " + "█" * 40 + " 12"
    svg = results.timeline()._repr_html_()
    assert svg.count("<rect") == 12 and "<title>1987-03: 1</title>" in svg
    with pytest.raises(SearchlibError, match="no timeline unit 'week'"):
        results.timeline("week")


def test_the_search_command_draws_a_timeline(dated: Index) -> None:
    runner, where = CliRunner(), ["--index", str(dated.path)]
    result = runner.invoke(main_search, ["money", "--facet", "date:month", *where])
    assert result.exit_code == 0, result.output
    assert "articles per month:\n1987-01 " + "█" * 40 + " 1\n1987-02  0\n" in result.output
    machine = runner.invoke(main_search, ["money", "--facet", "date:year", "--json", *where])
    assert "facet articles per year:\n1987 " in machine.stderr
    assert runner.invoke(main_search, ["money", "--facet", "date:week", *where]).exit_code == 2


def test_csv_dates_in_other_forms_are_reported_not_dropped_silently(
    index: Index, tmp_path: Path
) -> None:
    corpus = tmp_path / "news.csv"
    corpus.write_text(
        "id,body,date\na,walrus,12/03/2024\nb,seal,2024-03-12T10:00:00+01:00\n"
        'c,tern,"Tue, 12 Mar 2024 10:00:00 GMT"\nd,gull,03/13/2024\n'
    )
    with pytest.warns(UserWarning, match=r"2 of 4 records .* \('12/03/2024'\), indexed undated"):
        report = index.add_file(corpus, workers=1)
    assert len(report.notes) == 1
    assert index.get("a").date is None
    assert [index.get(key).date.isoformat() for key in "bc"] == [
        "2024-03-12T09:00:00",
        "2024-03-12T10:00:00",
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_csv_file_without_an_id_column_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr("searchlib.indexing.records.PARALLEL_RECORDS_FROM", 0)
    corpus = tmp_path / "news.csv"
    corpus.write_text("title,content\nAd sales up,Profits rose.\n")
    with Index(tmp_path / "index") as index, pytest.raises(SearchlibError, match="no id column"):
        index.add_file(corpus, workers=workers)
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 2
    assert "has no id column (_id or id); name one with --field id=COLUMN" in result.stderr


def test_articles_added_with_metadata_declare_their_keyword_fields(index: Index) -> None:
    from searchlib import Article

    index.add(Article("a1", "Walrus.", metadata={"desk": ["science"]}), Article("a2", "Seal."))
    assert [hit.id for hit in index.search("desk:Science")] == ["a1"]
    assert index.search("desk:science").facets["desk"] == [("science", 1)]
