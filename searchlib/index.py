"""``Index``: an on-disk collection of articles to add to, keep in sync and search."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searchlib.analysis import ANALYZER_NAME, Stemmer
from searchlib.article import Article
from searchlib.engine import Engine, Searcher, Writer
from searchlib.errors import (
    IndexCorruptError,
    IndexIncompatibleError,
    IndexNotFoundError,
    QueryWarning,
    SearchlibError,
    SkippedFileWarning,
)
from searchlib.query import parse, plan
from searchlib.ranking import Ranked, rank
from searchlib.results import Hit, Results
from searchlib.schema import (
    FIELDS_BY_NAME,
    FORMAT_VERSION,
    FileState,
    to_article,
    to_document,
)
from searchlib.vocabulary import Vocabulary

if TYPE_CHECKING:
    from searchlib.preparation import Prepared

DEFAULT_PATH = "index"
EXACT_FORM_BONUS = FIELDS_BY_NAME["exact"].boost
EXACT_FORM_BLOCK = 50
"""The exact-form bonus reorders hits within blocks of this many ranks."""


@dataclass
class IndexReport:
    """What an update did: the paths of files (or the ids of records) added, updated and
    removed, how many files were unchanged, and what was skipped and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """``(path, reason)`` for each file (``path:line`` for a record) not indexed."""

    def __str__(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        )


class Index:
    """A searchable collection of articles stored in a folder.

    Opens the index at ``path``, creating it when ``create`` is true and there is none.

    >>> import tempfile
    >>> with Index(tempfile.mkdtemp() + "/index") as index:
    ...     index.add(Article(id="a1", body="Byrne JAG grants for police."))
    ...     [hit.id for hit in index.search("byrne grant")]
    ['a1']
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_PATH,
        *,
        create: bool = True,
        lock_timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._vocabulary = Vocabulary(self.path)
        if Engine.exists(self.path):
            self._engine = Engine(self.path)
            if not self._is_stamped() and self._engine.doc_count() == 0:
                # Creation was cut short (killed) before the analyzer was recorded; with no
                # documents yet, finishing it now loses nothing.
                self._stamp()
            if not self._vocabulary.exists():
                raise IndexCorruptError(
                    f"the index in {self.path} has lost its {self._vocabulary.path.name} file; "
                    f"delete the folder and index your articles again"
                )
            self._check_compatible()
        elif not create:
            raise IndexNotFoundError(
                f"no index in {self.path}; build one with `searchlib index PATH`"
            )
        else:
            # Hidden files (a .gitkeep) don't count: anything else may be the user's.
            if self.path.exists() and any(
                not entry.name.startswith(".") for entry in self.path.iterdir()
            ):
                raise SearchlibError(
                    f"{self.path} is not empty and holds no index; choose another folder"
                )
            self._engine = Engine(self.path, create=True)
            self._stamp()
        self._searcher: Searcher | None = None

    def _is_stamped(self) -> bool:
        return self._vocabulary.exists() and bool(self._vocabulary.metadata())

    def _stamp(self) -> None:
        """Record the analyzer and document format the index is built with."""
        self._vocabulary.set_metadata({"analyzer": ANALYZER_NAME, "format": FORMAT_VERSION})

    def _check_compatible(self) -> None:
        metadata = self._vocabulary.metadata()
        built_with = (metadata.get("analyzer"), metadata.get("format"))
        if built_with != (ANALYZER_NAME, FORMAT_VERSION):
            raise IndexIncompatibleError(
                f"the index in {self.path} was built with analyzer {built_with[0]!r}, format "
                f"{built_with[1]!r}; this searchlib uses {ANALYZER_NAME!r}, format "
                f"{FORMAT_VERSION!r}. Delete the folder and index your articles again"
            )

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Release open files (the index stays usable; they reopen when needed)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._vocabulary.close()

    def __len__(self) -> int:
        return self._engine.doc_count()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    def add(self, *articles: Article) -> None:
        """Add articles, replacing any with the same id."""
        with self._writing() as (writer, stemmer):
            for article in articles:
                writer.update(to_document(article, stemmer))

    def add_folder(
        self, folder: str | os.PathLike[str], *, workers: int | None = None
    ) -> IndexReport:
        """Bring the index in line with the text files under ``folder`` (recursively).

        New files are added, changed ones (by content hash) replaced, deleted ones removed,
        unchanged ones skipped. A file that can't be read is reported and skipped, and what
        the index already holds for it is kept. Many files are read, parsed and written by
        ``workers`` processes (default: one per core, at most four).

        >>> Index("index").add_folder("seeds")           # doctest: +SKIP
        IndexReport(added=['.../seeds/000_a130046a36110d8b.txt'], ...)
        """
        root = Path(folder).resolve()
        if not root.is_dir():
            raise SearchlibError(f"{folder} is not a folder")
        return self._sync(root, None, workers)

    def add_file(self, path: str | os.PathLike[str]) -> IndexReport:
        """Add or refresh one article file (its id: the parent folder's name and its stem),
        or every record of a JSON Lines file (``.jsonl``, ``.jsonl.gz``; see
        ``ingest.record_to_article``), each replacing any article with its id.
        """
        from searchlib import ingest

        file = Path(path).resolve()
        if not file.is_file():
            raise SearchlibError(f"{path} is not a file")
        if ingest.is_records(file):
            return self._add_records(file)
        return self._sync(file.parent, [file], workers=1)

    def _add_records(self, file: Path) -> IndexReport:
        from searchlib import ingest

        report = IndexReport()
        with self._writing() as (writer, stemmer):
            for number, record in ingest.read_records(file):
                try:
                    if isinstance(record, ingest.SkippedFile):
                        raise record
                    article = ingest.record_to_article(record, file.name.split(".")[0])
                except ingest.SkippedFile as skipped:
                    _skip(report, f"{file}:{number}", str(skipped))
                    continue
                writer.update(to_document(article, stemmer))
                report.added.append(article.id)
        return report

    def _sync(self, root: Path, files: list[Path] | None, workers: int | None) -> IndexReport:
        """Index ``files`` under ``root``; with ``files=None``, every file, removing the gone."""
        # Imported here: reading and parsing files is never needed to answer a query.
        from searchlib import ingest, preparation

        report = IndexReport()
        unreadable: list[Path] = []
        paths = list(ingest.find_files(root, unreadable)) if files is None else files
        for folder in unreadable:
            _skip(report, str(folder), "can't list this folder; what the index holds is kept")
        states = self._file_states()
        work, id_holders = [], {state.article_id: state.path for state in states.values()}
        for path in paths:
            state = states.pop(str(path), None)
            # A file keeps the id it was indexed under; a new one takes its folder-based id,
            # unless another file holds it (a.md beside a.txt, two folders called "seeds").
            article_id = state.article_id if state else ingest.article_id(path, root)
            holder = id_holders.setdefault(article_id, str(path))
            if holder != str(path):
                _skip(report, str(path), f"its id {article_id!r} is taken by {holder}")
                continue
            work.append((path, state.content_hash if state else None, article_id))
        workers = preparation.default_workers() if workers is None else workers
        with self._writing() as (writer, stemmer):
            if workers > 1 and len(work) >= preparation.PARALLEL_FROM:
                shares = preparation.write_in_workers(work, root.name, self.path, workers)
                for outcomes, stems, segment in shares:
                    stemmer.seen.update(stems)
                    if segment is not None:
                        writer.add_segment(segment)
                    for prepared in outcomes:
                        _apply(writer, prepared, report)
            else:
                for item in work:
                    _apply(writer, preparation.prepare(*item, root.name, stemmer), report)
            if files is None:
                for state in states.values():
                    if state.path.startswith(f"{root}{os.sep}") and ingest.is_gone(state.path):
                        writer.delete("file_state", state.term())
                        report.removed.append(state.path)
        return report

    def _file_states(self) -> dict[str, FileState]:
        """Every file the index holds, by path."""
        with self._engine.searcher() as searcher:
            states = (FileState.from_term(term) for term in searcher.terms("file_state"))
            return {state.path: state for state in states}

    @contextmanager
    def _writing(self) -> Iterator[tuple[Writer, Stemmer]]:
        stemmer = Stemmer()
        with self._engine.writer(self.lock_timeout) as writer:
            yield writer, stemmer
            # Stems go in before the commit: a vocabulary entry without documents is harmless.
            self._vocabulary.add(stemmer.seen)

    def get(self, id: str) -> Article | None:
        """The article with this id, or ``None``."""
        stored = self._current_searcher().stored("id", id)
        return to_article(stored) if stored else None

    def search(
        self, query: str, limit: int = 10, offset: int = 0, *, operators: bool = True
    ) -> Results:
        """Find articles; the best ``limit`` from ``offset`` on.

        Documents with every query word rank above those with only some. What the query
        had that couldn't be used is in ``Results.warnings`` (and raised as ``QueryWarning``).
        With ``operators=False`` the query is plain words: no fields, signs or phrases.

        >>> index.search('speaker:Sessions "sanctuary cities"')[0].speakers  # doctest: +SKIP
        ('Jeff Sessions',)
        """
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset can't be negative (got {limit}, {offset})")
        parsed = plan(parse(query, operators), self._vocabulary)
        for message in parsed.warnings:
            warnings.warn(message, QueryWarning, stacklevel=2)
        searcher = self._current_searcher()
        wanted = offset + limit
        # The exact-form bonus reorders hits only within fixed blocks of ranks, so every
        # page of a query agrees with every other.
        depth = -(-wanted // EXACT_FORM_BLOCK) * EXACT_FORM_BLOCK
        ranking = rank(searcher, parsed.root, depth)
        found: list[Ranked] = []
        for start in range(0, len(ranking.best), EXACT_FORM_BLOCK):
            block = ranking.best[start : start + EXACT_FORM_BLOCK]
            found += _with_exact_bonus(searcher, block, parsed.exact_forms)
        matching = frozenset(parsed.terms | self._vocabulary.forms(parsed.terms))
        searched = frozenset(parsed.fields)
        hits = [
            Hit(
                id=article.id,
                rank=rank_number,
                score=ranked.score,
                title=article.title,
                article=article,
                matching=matching,
                searched=searched,
            )
            for rank_number, ranked in enumerate(found[offset:wanted], start=offset + 1)
            for article in [to_article(searcher.stored_fields(ranked.number))]
        ]
        return Results(query, hits, lambda: ranking.total, offset, parsed.warnings)

    def _current_searcher(self) -> Searcher:
        if self._searcher is not None and not self._searcher.is_current():
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._engine.searcher()
        return self._searcher

    def stats(self) -> dict[str, Any]:
        """Facts about the index: path, documents, bytes on disk, analyzer, format."""
        metadata = self._vocabulary.metadata()
        return {
            "path": str(self.path),
            "documents": len(self),
            "size_bytes": sum(p.stat().st_size for p in self.path.iterdir() if p.is_file()),
            "analyzer": metadata.get("analyzer"),
            "format": metadata.get("format"),
        }


def _apply(writer: Writer, prepared: Prepared, report: IndexReport) -> None:
    """Record what became of a file, replacing its old version when there is a new one."""
    if prepared.skipped:
        _skip(report, prepared.path, prepared.skipped)
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


def _skip(report: IndexReport, path: str, reason: str) -> None:
    report.skipped.append((path, reason))
    warnings.warn(f"skipped {path}: {reason}", SkippedFileWarning, stacklevel=4)


def _with_exact_bonus(
    searcher: Searcher, block: list[Ranked], exact_forms: set[str]
) -> list[Ranked]:
    """A block of ranked documents re-scored with the exact-form bonus, best first (stable
    for ties)."""
    rescored = [
        replace(
            ranked,
            score=ranked.score
            + EXACT_FORM_BONUS * len(exact_forms & searcher.forms(ranked.number)),
        )
        for ranked in block
    ]
    return sorted(rescored, key=lambda ranked: -ranked.score)
