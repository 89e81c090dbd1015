"""Runs, qrels and measures: hand-computed cases, both qrels formats, and ir-measures' numbers."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from searchlib.errors import QueryWarning, RequestLimitError
from searchlib.evaluate import (
    MEASURES,
    Qrels,
    Run,
    average_precision,
    evaluate,
    normalized_discounted_cumulative_gain,
    per_query,
    ranked,
    read_qrels,
    read_queries,
    read_run,
    recall,
    reciprocal_rank,
    run_queries,
    write_run,
)

BEIR_QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq2\td3\t1\n"
TREC_QRELS = "q1 0 d1 2\nq1 0 d2 0\n\nq2 Q0 d3 1\n"
JUDGMENTS = {"q1": {"d1": 2, "d2": 0}, "q2": {"d3": 1}}


def written(tmp_path: Path, text: str | bytes, name: str = "file.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# Measures, computed by hand


def test_ndcg_uses_graded_gains_and_the_ideal_order_of_the_judgments() -> None:
    judgments = {"b": 2, "c": 1, "d": 3, "e": -1}
    found = 2 / math.log2(3) + 1 / math.log2(4)
    best = 3 + 2 / math.log2(3) + 1 / math.log2(4)
    gain = normalized_discounted_cumulative_gain(["e", "b", "c"], judgments)
    assert gain == pytest.approx(found / best, abs=1e-12)


def test_ndcg_only_sees_the_first_ten_documents() -> None:
    ranking = [f"n{rank}" for rank in range(10)] + ["r"]
    assert normalized_discounted_cumulative_gain(ranking, {"r": 1}) == 0.0
    assert normalized_discounted_cumulative_gain(ranking, {"r": 1}, depth=11) > 0


def test_recall_counts_relevant_documents_in_the_first_hundred() -> None:
    ranking = [f"d{rank}" for rank in range(150)]
    assert recall(ranking, {"d0": 1, "d99": 3, "d100": 1, "missing": 1, "d5": 0}) == 0.5


def test_average_precision_divides_by_every_relevant_document() -> None:
    judgments = {"a": 1, "c": 2, "never-found": 1, "b": 0}
    assert average_precision(["a", "b", "c"], judgments) == pytest.approx((1 + 2 / 3) / 3)


def test_reciprocal_rank_stops_at_ten() -> None:
    ranking = [f"d{rank}" for rank in range(1, 20)]
    assert reciprocal_rank(ranking, {"d3": 1, "d5": 1}) == 1 / 3
    assert reciprocal_rank(ranking, {"d11": 1}) == 0.0


def test_a_query_with_nothing_relevant_scores_zero() -> None:
    judgments = {"a": 0, "b": -2}
    for measure in (
        normalized_discounted_cumulative_gain,
        recall,
        average_precision,
        reciprocal_rank,
    ):
        assert measure(["a", "b"], judgments) == 0.0


def test_ties_go_by_document_id_from_the_last_except_for_reciprocal_rank() -> None:
    scores = {"a": 1.0, "b": 1.0, "c": 1.0, "top": 5.0}
    assert ranked(scores) == ["top", "c", "b", "a"]
    assert ranked(scores, ties="msmarco") == ["top", "a", "b", "c"]
    measured = per_query({"q": {"a": 1}}, {"q": scores})["q"]
    assert measured["AP"] == 1 / 4
    assert measured["RR@10"] == 1 / 2


# Averaging over queries


def test_queries_the_run_lacks_count_as_zero_and_extra_run_queries_are_ignored() -> None:
    qrels = {"q1": {"d1": 1}, "q2": {"d2": 1}, "q3": {"d3": 1}}
    run = {"q1": {"d1": 1.0}, "q3": {}, "unjudged": {"d9": 1.0}}
    assert evaluate(qrels, run) == dict.fromkeys(MEASURES, 1 / 3)
    assert list(per_query(qrels, run)) == ["q1", "q2", "q3"]
    assert per_query(qrels, run)["q2"] == dict.fromkeys(MEASURES, 0.0)


def test_evaluating_no_query_is_an_error() -> None:
    with pytest.raises(ValueError, match="no query"):
        evaluate({}, {"q1": {"d1": 1.0}})


# Files


def test_both_qrels_formats_read_the_same(tmp_path: Path) -> None:
    assert read_qrels(written(tmp_path, BEIR_QRELS, "test.tsv")) == JUDGMENTS
    assert read_qrels(written(tmp_path, TREC_QRELS, "qrels.txt")) == JUDGMENTS


def test_qrels_tolerate_a_byte_order_mark_crlf_and_negative_relevance(tmp_path: Path) -> None:
    beir = "\ufeff" + BEIR_QRELS.replace("\n", "\r\n") + "q3\td4\t-1\r\n"
    assert read_qrels(written(tmp_path, beir))["q3"] == {"d4": -1}
    trec = "\ufeffq1\t0\td1\t2\r\nq1 0  d2   -1\r\n"
    assert read_qrels(written(tmp_path, trec)) == {"q1": {"d1": 2, "d2": -1}}


def test_beir_ids_may_hold_spaces(tmp_path: Path) -> None:
    qrels = read_qrels(written(tmp_path, "query-id\tcorpus-id\tscore\nquery 1\tdoc 1\t1\n"))
    assert qrels == {"query 1": {"doc 1": 1}}


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("q1 0 d1 1\nq1 0 d2\n", 2, "expected 4 fields"),
        ("q1 d1 1\n", 1, "expected 4 fields"),
        ("q1 0 d1 1.5\n", 1, "relevance '1.5' is not a whole number"),
        ("q1 0 d1 1\n\nq1 0 d1 0\n", 3, "document 'd1' is listed twice"),
        ("query-id\tcorpus-id\tscore\nq1 d1 1\n", 2, "expected 3 tab-separated fields"),
        ("query-id\tcorpus-id\tscore\nq1\t\t1\n", 2, "expected 3 tab-separated fields"),
        ("query-id\tcorpus-id\tscore\nq1\td1\tyes\n", 2, "relevance 'yes'"),
        (b"q1 0 d1 1\nq\xe9 0 d1 1\n", 2, "not UTF-8"),
    ],
)
def test_malformed_qrels_name_the_file_and_line(
    tmp_path: Path, text: str | bytes, line: int, problem: str
) -> None:
    path = written(tmp_path, text, "bad-qrels.txt")
    with pytest.raises(ValueError, match=re.escape(f"bad-qrels.txt, line {line}: {problem}")):
        read_qrels(path)


@pytest.mark.parametrize("text", ["", "\n  \n", "query-id\tcorpus-id\tscore\n"])
def test_qrels_without_judgments_are_an_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValueError, match=re.escape("empty.txt holds no relevance judgments")):
        read_qrels(written(tmp_path, text, "empty.txt"))


def test_a_run_is_written_ranked_and_reads_back_exactly(tmp_path: Path) -> None:
    run = {"q2": {"b": 0.1 + 0.2, "a": 0.3, "c": 7}, "q1": {"x": -1e-300}, "q3": {}}
    path = tmp_path / "run.txt"
    write_run(run, path, tag="bm25")
    assert path.read_text(encoding="utf-8").splitlines() == [
        "q2 Q0 c 1 7.0 bm25",
        "q2 Q0 b 2 0.30000000000000004 bm25",
        "q2 Q0 a 3 0.3 bm25",
        "q1 Q0 x 1 -1e-300 bm25",
    ]
    assert read_run(path) == {"q2": run["q2"], "q1": run["q1"]}


def test_ids_with_whitespace_are_written_percent_encoded_and_read_back(tmp_path: Path) -> None:
    run = {"query 1": {"news/my story": 2.0, "100%\tsure\u3000\xa0": 1.0, "a%41": 0.5}}
    path = tmp_path / "run.txt"
    write_run(run, path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "query%201 Q0 news/my%20story 1 2.0 searchlib",
        "query%201 Q0 100%25%09sure%E3%80%80%C2%A0 2 1.0 searchlib",
        "query%201 Q0 a%2541 3 0.5 searchlib",
    ]
    assert read_run(path) == run
    qrels = written(tmp_path, "query-id\tcorpus-id\tscore\nquery 1\tnews/my story\t1\n")
    assert evaluate(read_qrels(qrels), read_run(path))["RR@10"] == 1.0


def test_percent_sequences_a_run_did_not_encode_are_read_as_written(tmp_path: Path) -> None:
    path = written(tmp_path, "q1 Q0 caf%C3%A9%20bar 1 1 x\nq1 Q0 50%off%2 2 0.5 x\n")
    assert read_run(path) == {"q1": {"caf%C3%A9 bar": 1.0, "50%off%2": 0.5}}


@pytest.mark.parametrize(
    ("text", "line"), [("cocoa prices\nwheat\n", 1), ("q1\tcocoa\n\twheat\n", 2)]
)
def test_queries_without_an_id_and_a_tab_name_the_expected_format(
    tmp_path: Path, text: str, line: int
) -> None:
    expected = "expected a query as id<TAB>text or as JSON Lines with _id and text"
    with pytest.raises(ValueError, match=re.escape(f"queries.txt, line {line}: {expected}")):
        read_queries(written(tmp_path, text, "queries.txt"))


def test_reading_a_run_ignores_its_ranks(tmp_path: Path) -> None:
    path = written(tmp_path, "q1 Q0 low 1 0.5 tag\nq1 Q0 high 2 9 tag\n")
    assert ranked(read_run(path)["q1"]) == ["high", "low"]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("q1 Q0 d1 1 0.5\n", 1, "expected 6 fields"),
        ("q1 Q0 d1 1 0.5 tag\nq1 Q0 d2 2 high tag\n", 2, "score 'high' is not a number"),
        ("q1 Q0 d1 1 nan tag\n", 1, "score is NaN"),
        ("q1 Q0 d1 1 2 tag\nq1 Q0 d1 2 1 tag\n", 2, "document 'd1' is listed twice"),
    ],
)
def test_malformed_runs_name_the_file_and_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(f"bad-run.txt, line {line}: {problem}")):
        read_run(written(tmp_path, text, "bad-run.txt"))


@pytest.mark.parametrize(
    ("run", "tag", "problem"),
    [
        ({"q1": {"d1": 1.0}}, "my run", "tag 'my run'"),
        ({"q1": {"": 1.0}}, "searchlib", "document id ''"),
        ({"": {"d1": 1.0}}, "searchlib", "query id ''"),
        ({"q1": {"d1": math.nan}}, "searchlib", "NaN"),
    ],
)
def test_a_run_a_file_cannot_hold_is_refused_before_writing(
    tmp_path: Path, run: Run, tag: str, problem: str
) -> None:
    path = tmp_path / "run.txt"
    with pytest.raises(ValueError, match=re.escape(problem)):
        write_run(run, path, tag=tag)
    assert not path.exists()


# Agreement with ir-measures


def random_case(seed: int) -> tuple[Qrels, Run]:
    """Qrels and a run with graded and negative relevance, many tied scores, queries
    missing from either side, queries with nothing relevant and rankings past 100."""
    generator = random.Random(seed)
    documents = [f"d{number}" for number in range(160)]
    qrels: Qrels = {}
    run: Run = {}
    for query in (f"q{number}" for number in range(12)):
        judged = generator.sample(documents, generator.randint(1, 30))
        qrels[query] = {document: generator.choice([-1, 0, 0, 1, 1, 2, 3]) for document in judged}
        if generator.random() < 0.15:
            continue
        ranked_documents = generator.sample(documents, generator.randint(0, 140))
        # Few distinct scores, so ties fall everywhere, across the cut-offs too.
        run[query] = {document: float(generator.randint(0, 6)) / 2 for document in ranked_documents}
    qrels["q0"] = {document: 0 for document in qrels["q0"]}
    run["unjudged"] = {"d1": 1.0}
    return qrels, run


@pytest.mark.parametrize("seed", range(25))
def test_measures_equal_ir_measures(seed: int) -> None:
    ir_measures = pytest.importorskip("ir_measures")
    measures = [ir_measures.nDCG @ 10, ir_measures.R @ 100, ir_measures.AP, ir_measures.RR @ 10]
    qrels, run = random_case(seed)
    expected = {
        str(measure): value
        for measure, value in ir_measures.calc_aggregate(measures, qrels, run).items()
    }
    assert evaluate(qrels, run) == pytest.approx(expected, abs=1e-9, rel=0)
    ours = per_query(qrels, run)
    for metric in ir_measures.iter_calc(measures, qrels, run):
        assert ours[metric.query_id][str(metric.measure)] == pytest.approx(metric.value, abs=1e-9)


def test_files_read_as_ir_measures_reads_them(tmp_path: Path) -> None:
    ir_measures = pytest.importorskip("ir_measures")
    qrels, run = random_case(7)
    qrels_path = written(
        tmp_path,
        "".join(
            f"{query} 0 {document} {relevance}\n"
            for query, judgments in qrels.items()
            for document, relevance in judgments.items()
        ),
    )
    write_run(run, tmp_path / "run.txt")
    theirs_qrels = {}
    for qrel in ir_measures.read_trec_qrels(str(qrels_path)):
        theirs_qrels.setdefault(qrel.query_id, {})[qrel.doc_id] = qrel.relevance
    theirs_run = {}
    for scored in ir_measures.read_trec_run(str(tmp_path / "run.txt")):
        theirs_run.setdefault(scored.query_id, {})[scored.doc_id] = scored.score
    assert read_qrels(qrels_path) == theirs_qrels == qrels
    assert read_run(tmp_path / "run.txt") == theirs_run


def test_a_query_stopped_at_the_time_limit_ranks_nothing_and_says_so() -> None:
    class Slow:
        def search(self, query, limit=10, offset=0, *, operators=True, collapse=True):
            if query == "slow":
                raise RequestLimitError("the search took longer than 2 s")
            return [type("Hit", (), {"id": "d1"})]

    with pytest.warns(QueryWarning, match="query q2 ranked nothing: the search took longer"):
        run = run_queries(Slow(), {"q1": "fast", "q2": "slow"})
    assert run == {"q1": {"d1": 1.0}, "q2": {}}
