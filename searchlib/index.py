"""``Index``: an on-disk collection of articles to add to, keep in sync and search."""

from __future__ import annotations

import heapq
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterator, Set
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searchlib import grammar
from searchlib.analysis import ANALYZER_NAME, TOKEN, Stemmer, content_words, exact_form
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
from searchlib.query import DEFAULT_FIELDS, MAX_EXPANSIONS, Plan, parse, plan
from searchlib.ranking import Ranked, contributions, distinctive, matches, rank
from searchlib.results import (
    FACET_LIMIT,
    Contribution,
    Explanation,
    Facets,
    Hit,
    Results,
    count_facets,
)
from searchlib.schema import (
    FIELDS_BY_NAME,
    FORMAT_VERSION,
    Document,
    Field,
    FileState,
    to_article,
    to_document,
)
from searchlib.vocabulary import Vocabulary, edit_distance

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from searchlib.preparation import Prepared, Progress

DEFAULT_PATH = "index"
EXACT_FORM_BONUS = FIELDS_BY_NAME["exact"].boost
PARALLEL_RECORDS_FROM = 2_000_000
"""Records files smaller than this many bytes are read in this process (see PARALLEL_FROM)."""
EXACT_FORM_BLOCK = 50
"""The exact-form bonus reorders hits within blocks of this many ranks."""
SUGGEST_BELOW = 3
"""A query finding fewer articles than this gets a "did you mean" suggestion, when one is found."""
SUGGESTION_EDITS = 2
SUGGESTION_MARGIN = 10
"""A word the index holds gives way only to a near word found in this many times more articles."""
SIMILAR_WORDS = 25
"""How many of an article's most distinctive words ``Index.similar`` looks for."""


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
        self,
        folder: str | os.PathLike[str],
        *,
        workers: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> IndexReport:
        """Bring the index in line with the article files (text and HTML) under ``folder``
        (recursively).

        New files are added, changed ones (by content hash) replaced, deleted ones removed,
        unchanged ones skipped. A file that can't be read is reported and skipped, and what
        the index already holds for it is kept. Many files are read, parsed and written by
        ``workers`` processes (default: one per core, at most four). ``progress`` is called
        a few times a second with how many files were just done; the counts add up to
        ``ingest.count_items(folder)``.

        >>> Index("index").add_folder("seeds")           # doctest: +SKIP
        IndexReport(added=['.../seeds/000_a130046a36110d8b.txt'], ...)
        """
        root = Path(folder).resolve()
        if not root.is_dir():
            raise SearchlibError(f"{folder} is not a folder")
        return self._sync(root, None, workers, progress)

    def add_file(
        self,
        path: str | os.PathLike[str],
        *,
        fields: Mapping[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> IndexReport:
        """Add or refresh one article file (its id: the parent folder's name and its stem),
        or every record of a records file (JSON Lines: ``.jsonl``, ``.jsonl.gz``; CSV with a
        header row: ``.csv``, ``.csv.gz``; see ``ingest.record_to_article``), each replacing
        any article with its id. ``fields`` maps our fields to a record's keys where they
        differ; ``progress`` is called as by ``add_folder``, with records done. A records file
        of ``PARALLEL_RECORDS_FROM`` bytes or more is shared among ``workers`` processes (by
        default one per core, at most four).

        >>> index.add_file("news.csv", fields={"body": "content"})    # doctest: +SKIP
        IndexReport(added=['n1', 'n2'], ...)
        """
        from searchlib import ingest

        ingest.record_keys(fields)  # an unknown field fails before anything is read
        file = Path(path).resolve()
        if not file.is_file():
            raise SearchlibError(f"{path} is not a file")
        if ingest.is_records(file):
            return self._add_records(file, fields, progress, workers)
        return self._sync(file.parent, [file], 1, progress)

    def _add_records(
        self,
        file: Path,
        fields: Mapping[str, str] | None,
        progress: Callable[[int], None] | None,
        workers: int | None,
    ) -> IndexReport:
        from searchlib import preparation

        workers = preparation.default_workers() if workers is None else workers
        if workers > 1 and file.stat().st_size >= PARALLEL_RECORDS_FROM:
            return self._add_records_in_workers(file, fields, progress, workers)
        report = IndexReport()
        tally = preparation.Progress(progress)
        ids = _RecordIds()
        with self._writing() as (writer, stemmer):
            for line, document in self._record_documents(file, fields, stemmer, report, tally):
                writer.update(document)
                ids.note(line, document.stored["id"])
                report.added.append(document.stored["id"])
        self._keep_last_records(file, fields, ids.last_of_repeated())
        tally.flush()
        return report

    def _record_documents(
        self,
        file: Path,
        fields: Mapping[str, str] | None,
        stemmer: Stemmer,
        report: IndexReport,
        tally: Progress,
        wanted: Mapping[int, str] | None = None,
    ) -> Iterator[tuple[int, Document]]:
        """The documents of a records file's records with their lines (only the lines in
        ``wanted``, when given), reporting the ones skipped."""
        from searchlib import ingest, preparation

        source = file.name.split(".")[0]
        try:
            for number, record in ingest.read_records(file, fields):
                if wanted is None or number in wanted:
                    prepared = preparation.prepare_record(record, source, fields, stemmer)
                    if isinstance(prepared, str):
                        _skip(report, f"{file}:{number}", prepared)
                    else:
                        yield number, prepared
                tally.advance()
        except ingest.SkippedFile as skipped:  # unreadable, or a CSV header without ids
            _skip(report, str(file), str(skipped))

    def _add_records_in_workers(
        self,
        file: Path,
        fields: Mapping[str, str] | None,
        progress: Callable[[int], None] | None,
        workers: int,
    ) -> IndexReport:
        from searchlib import preparation

        report = IndexReport()
        tally = preparation.Progress(progress)
        source = file.name.split(".")[0]
        shares = [
            preparation.RecordShare(file, fields, source, part, workers) for part in range(workers)
        ]
        ids = _RecordIds()
        unreadable: set[str] = set()
        with self._writing() as (writer, stemmer):
            for outcome, stems, segment in preparation.write_in_workers(shares, self.path, tally):
                stemmer.seen.update(stems)
                for line, reason in outcome.skipped:
                    _skip(report, f"{file}:{line}", reason)
                if outcome.unreadable:
                    unreadable.add(outcome.unreadable)
                for line, article_id in outcome.written:
                    # Older versions are in committed segments; the new one is in `segment`.
                    writer.delete("id", article_id)
                    ids.note(line, article_id)
                    report.added.append(article_id)
                if segment is not None:
                    writer.add_segment(segment)
        for reason in unreadable:
            _skip(report, str(file), reason)
        self._keep_last_records(file, fields, ids.last_of_repeated())
        tally.flush()
        return report

    def _keep_last_records(
        self, file: Path, fields: Mapping[str, str] | None, lines: Mapping[int, str]
    ) -> None:
        """Ids that more than one record of ``file`` holds keep only their last record, at
        ``lines`` (every one was written: a writer can't replace what it hasn't committed)."""
        from searchlib import preparation

        if not lines:
            return
        with warnings.catch_warnings(), self._writing() as (writer, stemmer):
            warnings.simplefilter("ignore", SkippedFileWarning)  # reported the first time
            tally = preparation.Progress(None)
            documents = self._record_documents(file, fields, stemmer, IndexReport(), tally, lines)
            for _, document in documents:
                # Every copy goes: Whoosh's update replaces only the first it finds.
                writer.delete("id", document.stored["id"])
                writer.update(document)

    def _sync(
        self,
        root: Path,
        files: list[Path] | None,
        workers: int | None,
        progress: Callable[[int], None] | None,
    ) -> IndexReport:
        """Index ``files`` under ``root``; with ``files=None``, every file, removing the gone."""
        # Imported here: reading and parsing files is never needed to answer a query.
        from searchlib import ingest, preparation

        report = IndexReport()
        tally = preparation.Progress(progress)
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
                tally.advance()
                continue
            work.append((path, state.content_hash if state else None, article_id))
        workers = preparation.default_workers() if workers is None else workers
        with self._writing() as (writer, stemmer):
            if workers > 1 and len(work) >= preparation.PARALLEL_FROM:
                shares = [
                    preparation.FileShare(part, root.name)
                    for part in preparation.split(work, workers)
                ]
                for outcomes, stems, segment in preparation.write_in_workers(
                    shares, self.path, tally
                ):
                    stemmer.seen.update(stems)
                    if segment is not None:
                        writer.add_segment(segment)
                    for prepared in outcomes:
                        _apply(writer, prepared, report)
            else:
                for item in work:
                    _apply(writer, preparation.prepare(*item, root.name, stemmer), report)
                    tally.advance()
            if files is None:
                for state in states.values():
                    if state.path.startswith(f"{root}{os.sep}") and ingest.is_gone(state.path):
                        writer.delete("file_state", state.term())
                        report.removed.append(state.path)
        tally.flush()
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
        With ``operators=False`` the query is plain words (a claim, a question): no fields,
        signs or phrases, and ranked by score alone, since such a text's words are seldom
        all in one article. A query finding fewer than ``SUGGEST_BELOW`` (3) articles may
        get a corrected one in ``Results.suggestion``.

        >>> index.search('speaker:Sessions "sanctuary cities"')[0].speakers  # doctest: +SKIP
        ('Jeff Sessions',)
        >>> index.search("Sesions sanctuery").suggestion  # doctest: +SKIP
        'Sessions sanctuary'
        """
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset can't be negative (got {limit}, {offset})")
        syntax = parse(query, operators)
        parsed = plan(syntax, self._vocabulary)
        for message in parsed.warnings:
            warnings.warn(message, QueryWarning, stacklevel=2)
        searcher = self._current_searcher()
        ranking = rank(searcher, parsed.root, _depth(offset + limit))
        search = _Search(self, parsed, searcher, ranking.matched)
        results = self._results(query, search, ranking.best, offset, limit)
        if ranking.total < SUGGEST_BELOW:
            results.suggestion = self._suggestion(searcher, query, syntax.root)
        return results

    def _results(
        self, query: str, search: _Search, best: list[Ranked], offset: int, limit: int
    ) -> Results:
        """The hits ranked ``offset + 1`` to ``offset + limit``, of the ``best`` (ranked to a
        whole number of blocks), with the exact-form bonus."""
        searcher, parsed = search.searcher, search.plan
        found: list[Ranked] = []
        for start in range(0, offset + limit, EXACT_FORM_BLOCK):
            block = best[start : start + EXACT_FORM_BLOCK]
            wanted = min(EXACT_FORM_BLOCK, offset + limit - start)
            found += _with_exact_bonus(searcher, block, parsed.exact_forms, wanted)
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
                origin=search,
            )
            for rank_number, ranked in enumerate(found[offset : offset + limit], start=offset + 1)
            for article in [to_article(searcher.stored_fields(ranked.number))]
        ]
        total = len(search.matched)
        return Results(
            query, hits, lambda: total, offset, parsed.warnings, facet_counter=search.facets
        )

    def similar(self, id: str, limit: int = 10) -> Results:
        """The ``limit`` articles most like the one with this ``id``, best first: ranked for
        its ``SIMILAR_WORDS`` (25) most distinctive words (frequent in its headline and body,
        rare in the index), which ``Results.query`` lists; the article itself left out.
        Raises ``SearchlibError`` when no article has this id.

        >>> [hit.id for hit in index.similar("bbc/tech/109", limit=3)]  # doctest: +SKIP
        ['bbc/tech/347', 'bbc/tech/383', 'bbc/tech/378']
        """
        if limit < 0:
            raise ValueError(f"limit can't be negative (got {limit})")
        searcher = self._current_searcher()
        number = self._number(searcher, id)
        words = self._distinctive_words(searcher, to_article(searcher.stored_fields(number)))
        if not words:
            return Results("", [], lambda: 0)
        query = " ".join(words)
        parsed = plan(parse(query, operators=False), self._vocabulary)
        ranking = rank(searcher, parsed.root, _depth(limit + 1))
        best = [ranked for ranked in ranking.best if ranked.number != number]
        search = _Search(self, parsed, searcher, ranking.matched - {number}, excluded=id)
        return self._results(query, search, best, 0, limit)

    def _number(self, searcher: Searcher, id: str) -> int:
        number = searcher.document_number("id", id)
        if number is None:
            raise SearchlibError(f"no article with id {id!r} in the index")
        return number

    def _distinctive_words(self, searcher: Searcher, article: Article) -> list[str]:
        """The article's most distinctive stems, each as its commonest form in the article."""
        forms = content_words(f"{article.headline or ''}\n{article.body}")
        stems = self._vocabulary.stems(forms)
        commonest: dict[str, str] = {}
        for form, _ in Counter(forms).most_common():
            commonest.setdefault(stems[form], form)
        counts = Counter(stems[form] for form in forms)
        chosen = distinctive(searcher, counts, ["headline", "body"], SIMILAR_WORDS)
        return [commonest[stem] for stem in chosen]

    def _suggestion(self, searcher: Searcher, query: str, syntax: grammar.Bool) -> str | None:
        """``query`` with each wanted word the index lacks, or holds in few articles, replaced
        by a near word it holds in many more; ``None`` when no word is replaced."""
        corrections: dict[str, str] = {}
        for form, fields in _typed_words(syntax):
            if form not in corrections:
                corrections[form] = self._better_word(searcher, form, fields)
        changed = {form: word for form, word in corrections.items() if word != form}
        return _rewritten(query, changed) if changed else None

    def _better_word(self, searcher: Searcher, form: str, fields: list[Field]) -> str:
        """The word within ``SUGGESTION_EDITS`` of ``form`` (fewest edits, then most articles)
        found in ``SUGGESTION_MARGIN`` times more articles than it; else ``form`` itself."""
        held = _articles_holding(searcher, form, self._vocabulary.stems([form])[form], fields)
        if SUGGESTION_MARGIN * held >= searcher.document_count():
            return form  # no word can be in enough more articles: skip the costly scan
        near = self._vocabulary.near(form, SUGGESTION_EDITS, MAX_EXPANSIONS)
        stems = self._vocabulary.stems(near)
        candidates = [
            (edit_distance(form, word, SUGGESTION_EDITS), -holding, word)
            for word in near
            if (holding := _articles_holding(searcher, word, stems[word], fields))
            > SUGGESTION_MARGIN * held
        ]
        return min(candidates)[2] if candidates else form

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


@dataclass
class _RecordIds:
    """The ids a records file's lines gave, to find ids given more than once.

    >>> ids = _RecordIds()
    >>> for line, article_id in [(1, "a"), (2, "b"), (5, "a")]:
    ...     ids.note(line, article_id)
    >>> ids.last_of_repeated()
    {5: 'a'}
    """

    last_line: dict[str, int] = field(default_factory=dict)
    repeated: set[str] = field(default_factory=set)

    def note(self, line: int, article_id: str) -> None:
        """Record that ``line`` gave ``article_id`` (lines may come in any order)."""
        if article_id in self.last_line:
            self.repeated.add(article_id)
        self.last_line[article_id] = max(line, self.last_line.get(article_id, line))

    def last_of_repeated(self) -> dict[int, str]:
        """The last line of each id given more than once."""
        return {self.last_line[article_id]: article_id for article_id in self.repeated}


def _skip(report: IndexReport, path: str, reason: str) -> None:
    report.skipped.append((path, reason))
    warnings.warn(f"skipped {path}: {reason}", SkippedFileWarning, stacklevel=4)


def _with_exact_bonus(
    searcher: Searcher, block: list[Ranked], exact_forms: set[str], wanted: int
) -> list[Ranked]:
    """The first ``wanted`` of a block of ranked documents (best first, by tier) re-scored
    with the exact-form bonus, best first within each tier (stable for ties).

    Only documents that can reach the first ``wanted`` places have their forms read: one
    scoring less than the ``wanted``-th document's score minus the largest bonus can't.
    """
    if not block or not exact_forms:
        return block[:wanted]
    largest = EXACT_FORM_BONUS * len(exact_forms)
    last = block[min(wanted, len(block)) - 1]
    contenders = [
        ranked
        for ranked in block
        if ranked.tier < last.tier
        or (ranked.tier == last.tier and ranked.score >= last.score - largest)
    ]
    rescored = [
        replace(ranked, score=ranked.score + EXACT_FORM_BONUS * len(found))
        for ranked in contenders
        for found in [_exact_forms_found(searcher, ranked.number, exact_forms)]
    ]
    return sorted(rescored, key=lambda ranked: (ranked.tier, -ranked.score))[:wanted]


def _exact_forms_found(searcher: Searcher, number: int, exact_forms: set[str]) -> list[str]:
    """The query words document ``number`` holds as typed, in order."""
    return sorted(searcher.forms_held(number, exact_forms))


def _depth(wanted: int) -> int:
    """How many documents to rank for the ``wanted`` best: whole blocks, since the exact-form
    bonus reorders hits only within fixed blocks of ranks, so every page of a query agrees
    with every other."""
    return -(-wanted // EXACT_FORM_BLOCK) * EXACT_FORM_BLOCK


@dataclass
class _Search:
    """A query as it ran, for what its results are asked later: facets, explanations and
    similar articles (``results.Origin``)."""

    index: Index
    plan: Plan
    searcher: Searcher
    matched: Set[int]
    excluded: str | None = None
    """The id of the article a ``similar`` query leaves out."""

    def facets(self) -> Facets:
        """The facets of the first ``FACET_LIMIT`` matching articles, in index order."""
        searcher = self.index._current_searcher()
        matched = self.matched
        if searcher is not self.searcher:
            # The index changed or closed since the search, and its document numbers may have.
            left_out = searcher.document_number("id", self.excluded) if self.excluded else None
            matched = matches(searcher, self.plan.root) - {left_out}
        first = heapq.nsmallest(FACET_LIMIT, matched)
        return count_facets(to_article(searcher.stored_fields(number)) for number in first)

    def explain(self, id: str) -> Explanation:
        """What each query word added to the score of the article with this id, per field,
        and its exact-form bonus."""
        searcher = self.index._current_searcher()
        number = self.index._number(searcher, id)
        labels = _labels(self.plan, self.index._vocabulary)
        by_word: dict[str, Counter[str]] = {}
        for (field_name, term), score in contributions(searcher, self.plan.root, number).items():
            by_word.setdefault(labels.get(term, term), Counter())[field_name] += score
        found = _exact_forms_found(searcher, number, self.plan.exact_forms)
        return Explanation(
            tuple(
                Contribution(word, field_name, score)
                for word, fields in by_word.items()
                for field_name, score in fields.most_common()
            ),
            tuple(found),
            EXACT_FORM_BONUS * len(found),
        )

    def similar(self, id: str, limit: int) -> Results:
        """Articles like the one with this id (``Index.similar``)."""
        return self.index.similar(id, limit)


def _labels(parsed: Plan, vocabulary: Vocabulary) -> dict[str, str]:
    """The word to show for each index term of a plan: a form typed, else a form found for a
    prefix or fuzzy word (longest first: a stem is never longer than its forms)."""
    forms = [*sorted(parsed.exact_forms), *sorted(parsed.terms, key=lambda term: -len(term))]
    stems = vocabulary.stems(forms)
    labels: dict[str, str] = {}
    for form in forms:
        labels.setdefault(form, form)
        labels.setdefault(stems[form], form)
    return labels


def _typed_words(syntax: grammar.Syntax) -> Iterator[tuple[str, list[Field]]]:
    """The exact forms of the words a query wants, each with the fields it is looked for in;
    not excluded words, nor prefixes and fuzzy words (whose spelling is meant loosely)."""
    if isinstance(syntax, grammar.Bool):
        for part in (*syntax.must, *syntax.should):
            yield from _typed_words(part)
    elif isinstance(syntax, grammar.Phrase) or (
        isinstance(syntax, grammar.Word) and not (syntax.prefix or syntax.fuzzy)
    ):
        fields = [FIELDS_BY_NAME[syntax.field]] if syntax.field else DEFAULT_FIELDS
        for form in content_words(syntax.text):
            yield form, fields


def _articles_holding(searcher: Searcher, form: str, stem: str, fields: list[Field]) -> int:
    """How many articles hold a word in whichever of ``fields`` holds it most."""
    return max(
        searcher.document_frequency(each.name, stem if each.kind == "stemmed" else form)
        for each in fields
    )


def _rewritten(query: str, corrections: dict[str, str]) -> str:
    """``query`` with the words ``corrections`` maps replaced, each in the case it was typed
    in; field names and everything else stay.

    >>> _rewritten('speaker:sesions "Sanctuery cities"', {"sesions": "sessions",
    ...                                                   "sanctuery": "sanctuary"})
    'speaker:sessions "Sanctuary cities"'
    """

    def corrected(token: re.Match[str]) -> str:
        typed = token.group()
        word = corrections.get(exact_form(typed))
        if word is None or query.startswith(":", token.end()):
            return typed
        return _in_case_of(typed, word)

    return TOKEN.sub(corrected, query)


def _in_case_of(typed: str, word: str) -> str:
    """``word`` (lower case) in the case of ``typed``: all capitals, a first capital or none.

    >>> [_in_case_of(typed, "sessions") for typed in ("SESIONS", "Sesions", "sesions")]
    ['SESSIONS', 'Sessions', 'sessions']
    """
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
