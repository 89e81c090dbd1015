r"""The files of retrieval evaluation: BEIR and TREC qrels, queries, and TREC runs.

A TREC run separates its columns by whitespace, so an id holding whitespace (a file called
``my story.txt``) is written with each whitespace character, and each ``%``, percent-encoded
as in a URL (``news/my%20story``); reading a run decodes exactly those, so the id matches
the raw one in BEIR qrels, and any other ``%`` sequence is read as written.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from searchlib.evaluate.measures import Qrels, Run, ranked

BEIR_HEADER = ("query-id", "corpus-id", "score")
_QUERY_ID_KEYS = ("_id", "id", "query-id", "qid")
_QUERY_TEXT_KEYS = ("text", "query", "title")
_TREC_QRELS_FIELDS = ("query-id", "iteration", "doc-id", "relevance")
_TREC_RUN_FIELDS = ("query-id", "Q0", "doc-id", "rank", "score", "tag")

_Value = TypeVar("_Value", int, float)


@dataclass(frozen=True)
class _Line:
    """A non-blank line of a file, kept with where it came from for error messages."""

    path: str | os.PathLike[str]
    number: int
    text: str

    def error(self, problem: str) -> ValueError:
        return ValueError(f"{os.fspath(self.path)}, line {self.number}: {problem}")

    def fields(self, separator: str | None, names: tuple[str, ...]) -> list[str]:
        fields = [field.strip() for field in self.text.split(separator)]
        if len(fields) != len(names) or not all(fields):
            separated = "tab-separated " if separator == "\t" else ""
            raise self.error(
                f"expected {len(names)} {separated}fields ({' '.join(names)}), "
                f"found {self.text.strip()!r}"
            )
        return fields


def read_qrels(path: str | os.PathLike[str]) -> Qrels:
    r"""Relevance judgments from a BEIR qrels TSV file (with its header) or a TREC qrels file.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     beir, trec = Path(folder) / "test.tsv", Path(folder) / "qrels.txt"
    ...     _ = beir.write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n")
    ...     _ = trec.write_text("q1 0 d1 2\nq1 0 d2 0\n")
    ...     read_qrels(beir) == read_qrels(trec) == {"q1": {"d1": 2, "d2": 0}}
    True
    """
    lines = list(_lines(path))
    if lines and tuple(lines[0].text.split()) == BEIR_HEADER:
        judgments = (_beir_judgment(line) for line in lines[1:])
    else:
        judgments = (_trec_judgment(line) for line in lines)
    qrels: Qrels = {}
    for line, query, document, relevance in judgments:
        _store(qrels, line, query, document, relevance)
    if not qrels:
        raise ValueError(f"{os.fspath(path)} holds no relevance judgments")
    return qrels


def read_queries(path: str | os.PathLike[str]) -> dict[str, str]:
    r"""Queries by id from JSON Lines (BEIR's queries.jsonl: ``_id``, ``text``) or from
    ``id<TAB>text`` lines; a ``ValueError`` naming the line for anything else.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "queries.tsv"
    ...     _ = path.write_text("q1\tcocoa prices\n")
    ...     read_queries(path)
    {'q1': 'cocoa prices'}
    """
    queries: dict[str, str] = {}
    for line in _lines(path):
        if line.text.lstrip().startswith("{"):
            try:
                record = json.loads(line.text)
            except json.JSONDecodeError as error:
                raise line.error(f"not JSON ({error.msg})") from None
            query_id = next((record[key] for key in _QUERY_ID_KEYS if key in record), None)
            text = next((record[key] for key in _QUERY_TEXT_KEYS if key in record), None)
            if query_id is None or not isinstance(text, str):
                raise line.error("a query needs an id (_id or id) and a text")
        else:
            query_id, tab, text = line.text.partition("\t")
            query_id, text = query_id.strip(), text.strip()
            if not (tab and query_id):
                raise line.error(
                    "expected a query as id<TAB>text or as JSON Lines with _id and text, "
                    f"found {line.text.strip()!r}"
                )
        queries[str(query_id).strip()] = text
    return queries


def read_run(path: str | os.PathLike[str]) -> Run:
    r"""Scores from a TREC run file (``query-id Q0 doc-id rank score tag`` lines).

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "run.txt"
    ...     _ = path.write_text("q1 Q0 d1 1 2.5 bm25\nq1 Q0 d2 2 0.5 bm25\n")
    ...     read_run(path)
    {'q1': {'d1': 2.5, 'd2': 0.5}}
    """
    run: Run = {}
    for line in _lines(path):
        query, _, document, _, score, _ = line.fields(None, _TREC_RUN_FIELDS)
        _store(run, line, _decoded(query), _decoded(document), _score(line, score))
    return run


def write_run(
    run: Mapping[str, Mapping[str, float]], path: str | os.PathLike[str], tag: str = "searchlib"
) -> None:
    """Write ``run`` as a TREC run file: each query's documents in ``ranked`` order, from rank 1.

    A query that ranks nothing writes no line. Whitespace and ``%`` in ids are
    percent-encoded (``read_run`` decodes them); ``tag`` must be a single word.

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_run({"q1": {"d1": 0.5, "d2": 2.5}}, Path(folder) / "run.txt")
    ...     print((Path(folder) / "run.txt").read_text(), end="")
    q1 Q0 d2 1 2.5 searchlib
    q1 Q0 d1 2 0.5 searchlib
    """
    # Everything is checked before the file is opened, so a bad run leaves no partial file.
    _check_word(tag, "tag")
    lines = [
        _run_line(query, document, rank, scores[document], tag)
        for query, scores in run.items()
        for rank, document in enumerate(ranked(scores), start=1)
    ]
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.writelines(lines)


def _lines(path: str | os.PathLike[str]) -> Iterator[_Line]:
    # Decoded line by line, so an encoding error names its line like any other.
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            line = _Line(path, number, "")
            try:
                text = raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
            except UnicodeDecodeError as error:
                raise line.error(f"not UTF-8 text ({error.reason})") from None
            if text.strip():
                yield _Line(path, number, text)


def _beir_judgment(line: _Line) -> tuple[_Line, str, str, int]:
    query, document, relevance = line.fields("\t", BEIR_HEADER)
    return line, query, document, _relevance(line, relevance)


def _trec_judgment(line: _Line) -> tuple[_Line, str, str, int]:
    query, _, document, relevance = line.fields(None, _TREC_QRELS_FIELDS)
    return line, query, document, _relevance(line, relevance)


def _relevance(line: _Line, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise line.error(f"relevance {text!r} is not a whole number") from None


def _score(line: _Line, text: str) -> float:
    try:
        score = float(text)
    except ValueError:
        raise line.error(f"score {text!r} is not a number") from None
    if math.isnan(score):
        raise line.error("score is NaN, which can't be ranked")
    return score


def _store(
    table: dict[str, dict[str, _Value]], line: _Line, query: str, document: str, value: _Value
) -> None:
    by_document = table.setdefault(query, {})
    if document in by_document:
        raise line.error(f"document {document!r} is listed twice for query {query!r}")
    by_document[document] = value


def _run_line(query: str, document: str, rank: int, score: float, tag: str) -> str:
    for identifier, what in ((query, "query id"), (document, "document id")):
        if not identifier:
            raise ValueError(f"{what} {identifier!r} is empty: a TREC run can't hold it")
    if math.isnan(score):
        raise ValueError(f"the score of {document!r} for query {query!r} is NaN")
    # repr is the shortest text that reads back as the same float.
    return f"{_encoded(query)} Q0 {_encoded(document)} {rank} {float(score)!r} {tag}\n"


_SPLITS_A_RUN_LINE = re.compile(r"[\s%]")
# One percent-encoded UTF-8 character (whitespace is at most three bytes long).
_ENCODED_CHARACTER = re.compile(
    r"%[0-7][0-9A-F]|%[CD][0-9A-F]%[89AB][0-9A-F]|%E[0-9A-F](?:%[89AB][0-9A-F]){2}"
)


def _encoded(identifier: str) -> str:
    """``identifier`` with whitespace and ``%`` percent-encoded: one word in a TREC run.

    >>> _encoded("news/my story 100%")
    'news/my%20story%20100%25'
    """
    return _SPLITS_A_RUN_LINE.sub(
        lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), identifier
    )


def _decoded(word: str) -> str:
    """An id as ``_encoded`` wrote it, decoded; other ``%`` sequences stay as they are.

    >>> _decoded("news/my%20story%20100%25"), _decoded("a%41%2")
    ('news/my story 100%', 'a%41%2')
    """

    def character(match: re.Match[str]) -> str:
        decoded = bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")
        return decoded if _SPLITS_A_RUN_LINE.fullmatch(decoded) else match.group()

    return _ENCODED_CHARACTER.sub(character, word)


def _check_word(text: str, what: str) -> None:
    if text.split() != [text]:
        raise ValueError(f"{what} {text!r} must be one word: a TREC run separates by whitespace")
