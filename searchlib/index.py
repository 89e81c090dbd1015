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
from searchlib.errors import IndexChangedError, QueryWarning, SearchlibError
from searchlib.indexing.report import IndexReport
from searchlib.results.hits import Results
from searchlib.schema import to_article, to_document
from searchlib.search import duplicates, pipeline, sharded
from searchlib.search.deadline import DEFAULT_TIMEOUT
from searchlib.shingles import DEFAULT_THRESHOLD
from searchlib.storage.folder import IndexFolder
from searchlib.storage.shards import ShardedFolder, create_sharded, is_sharded

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from searchlib.search.cluster import Cluster

DEFAULT_PATH = "index"


class Index:
    """A searchable collection of articles stored in a folder.

    Opens the index at ``path``, creating it when ``create`` is true and there is none.
    Threads may share one: searches run at once (each thread with its own searcher) and
    updates take turns, as between processes; close it when no thread is using it. Errors
    are ``SearchlibError``s: ``IndexStorageError`` when the operating system refuses to
    read or write the folder (a full disk, read-only, gone). A sharded index opened with a
    Dask ``scheduler`` (``tcp://host:8786``) is ranked on that cluster's workers, each
    reading the shards at the same path as this process, and built there too.

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
        scheduler: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.scheduler = scheduler
        self._folder: IndexFolder | ShardedFolder
        if is_sharded(self.path):
            self._folder = ShardedFolder(self.path, lock_timeout)
        else:
            self._folder = IndexFolder(self.path, create=create, lock_timeout=lock_timeout)
        self._cluster: Cluster | None = None
        if scheduler is not None:
            try:
                self._sharded(scheduler)
                from searchlib.search.cluster import Cluster  # imports Dask

                self._cluster = Cluster(scheduler, self._folder)
            except BaseException:
                self._folder.close()
                raise

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], *, shards: int, lock_timeout: float = 10.0
    ) -> Index:
        """A new, empty index of ``shards`` shards (each a whole index in a folder of its own)
        at ``path``: articles go to shards by a hash of their id, and it is searched as one
        index is, with the statistics of all shards. ``add_folder`` and ``add_file`` build it
        as Dask tasks (``pip install 'searchlib[dask]'``); searching it needs no Dask.

        >>> import tempfile
        >>> with Index.create(tempfile.mkdtemp() + "/index", shards=2) as index:
        ...     index.add(Article(id="a1", body="JAG grants."), Article(id="a2", body="Rain."))
        ...     len(index), index.stats()["shards"], [hit.id for hit in index.search("grant")]
        (2, 2, ['a1'])
        """
        create_sharded(Path(path), shards, lock_timeout)
        return cls(path, create=False, lock_timeout=lock_timeout)

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
        """Release open files and any cluster (the index stays usable: they reopen)."""
        self._folder.close()
        if self._cluster is not None:
            self._cluster.close()

    def __len__(self) -> int:
        return self._folder.document_count()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    def add(self, *articles: Article) -> None:
        """Add articles, replacing any with the same id (of those given with one id, the
        last). Text is stored as valid Unicode: a lone surrogate becomes U+FFFD. The names of
        their ``metadata`` become keyword fields of the index."""
        latest = {valid_text(article.id): article for article in articles}
        with self._folder.writing() as (writer, stemmer):
            for article in latest.values():
                writer.update(to_document(article, stemmer))
            names = dict.fromkeys(name for each in latest.values() for name in each.metadata)
            self._folder.vocabulary.declare_keyword_fields(names)

    def add_folder(
        self,
        folder: str | os.PathLike[str],
        *,
        workers: int | None = None,
        progress: Callable[[int], None] | None = None,
        scheduler: str | None = None,
    ) -> IndexReport:
        """Bring the index in line with the article files (text and HTML) under ``folder``
        (recursively).

        New files are added, changed ones (by content hash) replaced, deleted ones removed,
        unchanged ones skipped. A file that can't be read is reported and skipped, and what
        the index already holds for it is kept. Many files are read, parsed and written by
        ``workers`` processes (default: one per core, at most four). ``progress`` is called
        a few times a second with how many files were just done; the counts add up to
        ``indexing.progress.count_items(folder)``. A sharded index (``Index.create``) is
        updated by one Dask task per shard on the cluster at ``scheduler``
        (``tcp://host:8786``, every worker seeing the index at its path) or on a local one
        (``workers`` and ``progress`` then unused).

        >>> Index("index").add_folder("seeds")           # doctest: +SKIP
        IndexReport(added=['.../seeds/000_a130046a36110d8b.txt'], ...)
        """
        # Imported here, as in add_file: reading and parsing files never answers a query.
        from searchlib.indexing import folders
        from searchlib.indexing import workers as worker_processes

        root = Path(folder).resolve()
        if not root.is_dir():
            raise SearchlibError(f"{folder} is not a folder")
        if self._sharded(scheduler):
            return self._build(scheduler, root, is_folder=True)
        count = worker_processes.default_workers() if workers is None else workers
        return folders.sync(self._folder, root, None, count, progress)

    def add_file(
        self,
        path: str | os.PathLike[str],
        *,
        fields: Mapping[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> IndexReport:
        """Add or refresh one article file (its id: the parent folder's name and its stem),
        or every record of a records file (JSON Lines: ``.jsonl``, ``.jsonl.gz``; CSV with a
        header row: ``.csv``, ``.csv.gz``; see ``articles.records.record_to_article``), each
        replacing any article with its id. A records file is kept in step: unchanged records
        are skipped, changed ones replaced, those gone from it removed (the report names
        ids). ``fields`` maps our fields to a record's keys where they differ, and declares
        keyword fields under other names (``{"topic": "topics"}``); a mapped key no record
        has raises ``SearchlibError`` and writes nothing. ``progress`` is called as by
        ``add_folder``, with records done. A records file of
        ``indexing.records.PARALLEL_RECORDS_FROM`` bytes or more is shared among ``workers``
        processes (by default one per core, at most four). Any other file raises
        ``SearchlibError``. A sharded index is updated as ``add_folder`` says.

        >>> index.add_file("news.csv", fields={"topic": "topics"})  # doctest: +SKIP
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
        if self._sharded(scheduler):
            return self._build(scheduler, file, is_folder=False, fields=fields)
        if is_records(file):
            count = worker_processes.default_workers() if workers is None else workers
            return records.add_records(self._folder, file, fields, progress, count)
        return folders.sync(self._folder, file.parent, [file], 1, progress)

    @property
    def _ranker(self) -> sharded.Ranker:
        """What ranks this index's queries: its cluster, if opened with one."""
        return self._cluster or sharded.rank

    def _sharded(self, scheduler: str | None) -> bool:
        """Whether this index is sharded (a ``scheduler`` is for sharded ones only)."""
        if scheduler is not None and not isinstance(self._folder, ShardedFolder):
            raise SearchlibError(
                f"{self.path} is not a sharded index: a scheduler builds and searches sharded "
                "ones (searchlib index PATH --shards N)"
            )
        return isinstance(self._folder, ShardedFolder)

    def _build(
        self,
        scheduler: str | None,
        path: Path,
        is_folder: bool,
        fields: Mapping[str, str] | None = None,
    ) -> IndexReport:
        """Update a sharded index from a folder or a file, as Dask tasks."""
        from searchlib.indexing import shards

        assert isinstance(self._folder, ShardedFolder)
        source = shards.Source(str(path), is_folder, fields)
        return shards.build(self._folder, [source], scheduler or self.scheduler)

    def delete(self, *ids: str) -> list[str]:
        """Delete the articles with these ids; returns the ids found (and deleted). An
        article from a folder or records file comes back if that source is indexed again
        while it still holds it.

        >>> index.delete("bbc/tech/109", "no-such-id")  # doctest: +SKIP
        ['bbc/tech/109']
        """
        found = []
        with self._folder.writing() as (writer, _):
            for id in dict.fromkeys(ids):
                if writer.delete("id", id):
                    found.append(id)
        return found

    def optimize(self) -> None:
        """Merge the index's segments into one, reclaiming the space of replaced and deleted
        articles (updates leave them until Whoosh merges their segment); takes about as long
        as indexing everything again, and changes no score."""
        self._folder.optimize()

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
        sort: str | None = None,
        collapse: bool = True,
        duplicate_threshold: float = DEFAULT_THRESHOLD,
    ) -> Results:
        """Find articles; the best ``limit`` from ``offset`` on.

        Versions of one story (bodies sharing at least ``duplicate_threshold`` of their
        five-word phrases; see ``duplicates``) come as one hit, the best-scoring version,
        whose ``Hit.duplicates`` counts the others; ``Results.stories`` counts stories,
        ``total`` articles. ``collapse=False`` shows every version.

        ``sort`` orders them: ``"score"`` (best first, the default), ``"date"`` (oldest
        first) or ``"-date"`` (newest first; the default for a query of filters alone, such
        as ``date:1987-04``); undated articles come last, and ties go in a fixed order, so
        pages agree.

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
        asked = (query, limit, offset, operators, timeout, sort, collapse, duplicate_threshold)
        results = _again_if_changed(lambda: pipeline.search(self._folder, *asked, self._ranker))
        for message in results.warnings:
            warnings.warn(message, QueryWarning, stacklevel=2)
        return results

    def similar(
        self,
        id: str,
        limit: int = 10,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        collapse: bool = True,
        duplicate_threshold: float = DEFAULT_THRESHOLD,
    ) -> Results:
        """The ``limit`` articles most like the one with this ``id``, best first: ranked for
        its ``SIMILAR_WORDS`` (25) most distinctive words (frequent in its headline and body,
        rare in the index), which ``Results.query`` lists; the article itself and its
        versions left out, and other stories one hit each, as ``search`` gives them
        (``collapse=False``: every other article). Raises ``SearchlibError`` when no
        article has this id, ``RequestLimitError`` as ``search`` does.

        >>> [hit.id for hit in index.similar("bbc/tech/109", limit=3)]  # doctest: +SKIP
        ['bbc/tech/347', 'bbc/tech/383', 'bbc/tech/378']
        """
        if limit < 0:
            raise ValueError(f"limit can't be negative (got {limit})")
        _check_timeout(timeout)
        asked = (id, limit, timeout, collapse, duplicate_threshold)
        return _again_if_changed(lambda: pipeline.similar(self._folder, *asked, self._ranker))

    def duplicates(self, *, threshold: float = DEFAULT_THRESHOLD) -> list[list[Article]]:
        """Every story the index holds in more than one version, largest first; each story
        earliest version first (by date, then id). Versions are articles whose bodies share
        at least ``threshold`` of their five-word phrases (Jaccard similarity, estimated):
        0.7, the default, takes in a story with a sentence or a paragraph added or dropped,
        a few words changed or its sentences reordered, and leaves out a follow-up story
        that reuses a paragraph; 1.0 only the same text.

        >>> [len(story) for story in index.duplicates()]  # doctest: +SKIP
        [3, 2, 2]
        """
        folder = self._folder
        return duplicates.every_story(folder.searcher(), folder.vocabulary, threshold)

    def versions(self, id: str, *, threshold: float = DEFAULT_THRESHOLD) -> list[Article]:
        """The versions of the story of the article with this id, earliest first, itself
        included (see ``duplicates``); ``SearchlibError`` when no article has this id.

        >>> [article.id for article in index.versions("bbc/business/001")]  # doctest: +SKIP
        ['bbc/business/001', 'bbc/business/017']
        """
        folder = self._folder
        return duplicates.versions(folder.searcher(), folder.vocabulary, valid_text(id), threshold)

    def facet_names(self) -> tuple[str, ...]:
        """What ``Results.facets`` counts matches by: speaker, credit, source, and the
        keyword fields indexed records files declared (``topic``)."""
        return pipeline.facet_names(self._folder)

    def stats(self) -> dict[str, Any]:
        """Facts about the index: path, documents, bytes on disk, analyzer, format."""
        metadata = self._folder.vocabulary.metadata()
        shards = {"shards": len(self._folder.shards)} if self._sharded(None) else {}
        return {
            "path": str(self.path),
            "documents": len(self),
            "size_bytes": self._folder.size_bytes(),
            "analyzer": metadata.get("analyzer"),
            "format": metadata.get("format"),
            "keyword_fields": list(self._folder.vocabulary.keyword_fields()),
            **shards,
        }


def _again_if_changed(search: Callable[[], Results]) -> Results:
    """``search()``, run once more if the index had a commit while a cluster ranked it."""
    try:
        return search()
    except IndexChangedError:
        return search()


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and not timeout > 0:  # NaN too
        raise ValueError(f"timeout must be a positive number of seconds or None (got {timeout})")
