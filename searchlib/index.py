"""``Index``: an on-disk collection of articles to add to, keep in sync and search.

A thin facade over the rooms that do the work: ``storage`` (the folder and its files),
``indexing`` (folders and records files kept in step), ``search`` (queries to ``Results``).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searchlib.articles.article import Article, shown_path, valid_text
from searchlib.errors import QueryWarning, SearchlibError
from searchlib.indexing.report import IndexReport
from searchlib.results.hits import Results
from searchlib.schema import to_article, to_document
from searchlib.search import pipeline
from searchlib.search.deadline import DEFAULT_TIMEOUT
from searchlib.storage.folder import IndexFolder

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

DEFAULT_PATH = "index"


class Index:
    """A searchable collection of articles stored in a folder.

    Opens the index at ``path``, creating it when ``create`` is true and there is none.
    Threads may share one: searches run at once (each thread with its own searcher) and
    updates take turns, as between processes; close it when no thread is using it. Errors
    are ``SearchlibError``s: ``IndexStorageError`` when the operating system refuses to
    read or write the folder (a full disk, read-only, gone).

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
        self._folder = IndexFolder(self.path, create=create, lock_timeout=lock_timeout)

    @property
    def lock_timeout(self) -> float:
        """Seconds an update waits while another process writes the index."""
        return self._folder.lock_timeout

    @lock_timeout.setter
    def lock_timeout(self, seconds: float) -> None:
        self._folder.lock_timeout = seconds

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Release open files (the index stays usable; they reopen when needed)."""
        self._folder.close()

    def __len__(self) -> int:
        return self._folder.document_count()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    def add(self, *articles: Article) -> None:
        """Add articles, replacing any with the same id (of those given with one id, the
        last). Text is stored as valid Unicode: a lone surrogate becomes U+FFFD."""
        latest = {valid_text(article.id): article for article in articles}
        with self._folder.writing() as (writer, stemmer):
            for article in latest.values():
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
        ``indexing.progress.count_items(folder)``.

        >>> Index("index").add_folder("seeds")           # doctest: +SKIP
        IndexReport(added=['.../seeds/000_a130046a36110d8b.txt'], ...)
        """
        # Imported here, as in add_file: reading and parsing files never answers a query.
        from searchlib.indexing import folders
        from searchlib.indexing import workers as worker_processes

        root = Path(folder).resolve()
        if not root.is_dir():
            raise SearchlibError(f"{folder} is not a folder")
        count = worker_processes.default_workers() if workers is None else workers
        return folders.sync(self._folder, root, None, count, progress)

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
        header row: ``.csv``, ``.csv.gz``; see ``articles.records.record_to_article``), each
        replacing any article with its id. ``fields`` maps our fields to a record's keys where
        they differ; ``progress`` is called as by ``add_folder``, with records done. A records
        file of ``indexing.records.PARALLEL_RECORDS_FROM`` bytes or more is shared among
        ``workers`` processes (by default one per core, at most four). Any other file raises
        ``SearchlibError``.

        >>> index.add_file("news.csv", fields={"body": "content"})    # doctest: +SKIP
        IndexReport(added=['n1', 'n2'], ...)
        """
        from searchlib.articles.files import ARTICLE_SUFFIXES
        from searchlib.articles.records import RECORD_SUFFIXES, is_records, record_keys
        from searchlib.indexing import folders, records
        from searchlib.indexing import workers as worker_processes

        record_keys(fields)  # an unknown field fails before anything is read
        file = Path(path).resolve()
        if not file.is_file():
            raise SearchlibError(f"{path} is not a file")
        if not (is_records(file) or file.suffix.lower() in ARTICLE_SUFFIXES):
            raise SearchlibError(
                f"{shown_path(str(path))} is neither an article file "
                f"({' '.join(sorted(ARTICLE_SUFFIXES))}) nor a records file "
                f"({' '.join(sorted(RECORD_SUFFIXES))})"
            )
        if is_records(file):
            count = worker_processes.default_workers() if workers is None else workers
            return records.add_records(self._folder, file, fields, progress, count)
        return folders.sync(self._folder, file.parent, [file], 1, progress)

    def get(self, id: str) -> Article | None:
        """The article with this id, or ``None``."""
        stored = self._folder.searcher().stored("id", valid_text(id))
        return to_article(stored) if stored else None

    def search(
        self,
        query: str,
        limit: int = 10,
        offset: int = 0,
        *,
        operators: bool = True,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> Results:
        """Find articles; the best ``limit`` from ``offset`` on.

        Documents with every query word rank above those with only some. What the query
        had that couldn't be used is in ``Results.warnings`` (and raised as ``QueryWarning``).
        With ``operators=False`` the query is plain words (a claim, a question): no fields,
        signs or phrases, and ranked by score alone, since such a text's words are seldom
        all in one article. A query finding fewer than ``SUGGEST_BELOW`` (3) articles may
        get a corrected one in ``Results.suggestion``.

        Every search is bounded: ``RequestLimitError`` refuses hits ranked beyond
        ``MAX_RESULT_WINDOW`` (``offset + limit`` over 10,000) and stops a search that takes
        more than ``timeout`` seconds (``None``: no limit).

        >>> index.search('speaker:Sessions "sanctuary cities"')[0].speakers  # doctest: +SKIP
        ('Jeff Sessions',)
        >>> index.search("Sesions sanctuery").suggestion  # doctest: +SKIP
        'Sessions sanctuary'
        """
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset can't be negative (got {limit}, {offset})")
        _check_timeout(timeout)
        results = pipeline.search(self._folder, query, limit, offset, operators, timeout)
        for message in results.warnings:
            warnings.warn(message, QueryWarning, stacklevel=2)
        return results

    def similar(
        self, id: str, limit: int = 10, *, timeout: float | None = DEFAULT_TIMEOUT
    ) -> Results:
        """The ``limit`` articles most like the one with this ``id``, best first: ranked for
        its ``SIMILAR_WORDS`` (25) most distinctive words (frequent in its headline and body,
        rare in the index), which ``Results.query`` lists; the article itself left out.
        Raises ``SearchlibError`` when no article has this id, ``RequestLimitError`` as
        ``search`` does.

        >>> [hit.id for hit in index.similar("bbc/tech/109", limit=3)]  # doctest: +SKIP
        ['bbc/tech/347', 'bbc/tech/383', 'bbc/tech/378']
        """
        if limit < 0:
            raise ValueError(f"limit can't be negative (got {limit})")
        _check_timeout(timeout)
        return pipeline.similar(self._folder, id, limit, timeout)

    def stats(self) -> dict[str, Any]:
        """Facts about the index: path, documents, bytes on disk, analyzer, format."""
        metadata = self._folder.vocabulary.metadata()
        return {
            "path": str(self.path),
            "documents": len(self),
            "size_bytes": self._folder.size_bytes(),
            "analyzer": metadata.get("analyzer"),
            "format": metadata.get("format"),
        }


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and not timeout > 0:  # NaN too
        raise ValueError(f"timeout must be a positive number of seconds or None (got {timeout})")
