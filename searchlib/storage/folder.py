"""An index folder: the engine's files and, beside them, the vocabulary database that holds
the index's word forms and the analyzer and format it was built with."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from searchlib.analysis import ANALYZER_NAME, Stemmer
from searchlib.engine.directory import Engine
from searchlib.engine.files import is_engine_file, refused
from searchlib.engine.reading import Searcher
from searchlib.engine.writing import Writer
from searchlib.errors import (
    IndexCorruptError,
    IndexIncompatibleError,
    IndexNotFoundError,
    IndexStorageError,
    SearchlibError,
)
from searchlib.schema import FORMAT_VERSION
from searchlib.shingles import band_keys
from searchlib.storage.vocabulary import FILENAME, Vocabulary, incompatibility

KEPT = "the index keeps its last complete update"
"""Said of every failed update."""


class IndexFolder:
    """The files of one index: opened, or created when ``create`` is true and there is
    none; refused when built with another analyzer or document format. Threads may search
    it at once, each with its own searcher; updates take turns (the index lock).

    >>> import tempfile
    >>> folder = IndexFolder(Path(tempfile.mkdtemp()) / "index", create=True)
    >>> folder.document_count(), folder.vocabulary.metadata()["format"] == FORMAT_VERSION
    (0, True)
    """

    def __init__(self, path: Path, *, create: bool, lock_timeout: float = 10.0) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.vocabulary = Vocabulary(path)
        self._searchers: dict[int, Searcher] = {}
        self._searchers_turn = threading.Lock()
        with refusals_reported(self.path):
            if Engine.exists(path):
                self.engine = Engine(path)
            elif not create:
                raise IndexNotFoundError(
                    f"no index in {path}; build one with `searchlib index PATH`"
                )
            else:
                self.engine = self._create()
            if not self._is_stamped() and self.engine.doc_count() == 0:
                # Made by an earlier searchlib, which recorded the analyzer after the table
                # of contents, and killed in between: with no documents, finishing loses
                # nothing.
                self._stamp()
            if not self.vocabulary.exists():
                raise IndexCorruptError(
                    f"the index in {path} has lost its {self.vocabulary.path.name} file; "
                    f"delete the folder and index your articles again"
                )
            self._check_compatible()

    def _create(self) -> Engine:
        """A new index, or the one another process is creating at the same time."""
        path = self.path
        if path.exists() and not path.is_dir():
            raise IndexStorageError(f"{path} is a file, not a folder: choose another path")
        # Hidden files (a .gitkeep) and what a killed creation left don't count: anything
        # else may be the user's.
        if path.is_dir() and not all(map(_is_ours, path.iterdir())):
            raise SearchlibError(f"{path} is not empty and holds no index; choose another folder")
        try:
            # The analyzer is recorded first: an index is never seen without it.
            return Engine.create(path, self.lock_timeout, self._stamp)
        except OSError as error:
            if refused(path, error) is not None and path.is_dir():
                raise
            raise IndexStorageError(
                f"can't create an index in {path} ({error.strerror or error}): choose a "
                f"folder you can write to"
            ) from error

    def _is_stamped(self) -> bool:
        return self.vocabulary.exists() and bool(self.vocabulary.metadata())

    def _stamp(self) -> None:
        """Record the analyzer and document format the index is built with."""
        self.vocabulary.set_metadata({"analyzer": ANALYZER_NAME, "format": FORMAT_VERSION})

    def _check_compatible(self) -> None:
        check_compatible(self.path, self.vocabulary)

    def close(self) -> None:
        """Release open files (they reopen when needed). Call it when no thread is
        searching."""
        with self._searchers_turn:
            searchers, self._searchers = list(self._searchers.values()), {}
        for searcher in searchers:
            searcher.close()
        self.vocabulary.close()

    def document_count(self) -> int:
        """How many articles the last commit holds."""
        with refusals_reported(self.path):
            return self.engine.doc_count()

    @contextmanager
    def writing(self) -> Iterator[tuple[Writer, Stemmer]]:
        """One commit: a writer holding the lock (waiting ``lock_timeout`` for it), and a
        stemmer whose words join the vocabulary when the commit succeeds. A failed commit
        leaves nothing behind."""
        stemmer = Stemmer()
        with (
            refusals_reported(self.path, f"; {KEPT}"),
            self.engine.writer(self.lock_timeout) as writer,
        ):
            yield writer, stemmer
            # Stems and bands go in before the commit: entries without documents are harmless.
            self.vocabulary.add(stemmer.seen)
            self.vocabulary.add_bands(stemmer.bands)

    def optimize(self) -> None:
        """Merge the index into one segment, reclaiming the space of deleted documents, and
        keep only the band keys of the articles it holds (replaced and deleted articles'
        keys stay until then: see ``Vocabulary.add_bands``)."""
        with self.writing() as (writer, _):
            writer.merge_all()
            self.keep_bands_held()

    def keep_bands_held(self) -> None:
        """Keep only the band keys of the articles the last commit holds. Call it holding
        the lock, so that no writer adds keys meanwhile."""
        searcher = self.engine.searcher()
        try:
            self.vocabulary.replace_bands(
                (key, searcher.stored_fields(number)["id"])
                for number in searcher.all_documents()
                for key in band_keys(searcher.signature(number))
            )
        finally:
            searcher.close()

    def searcher(self) -> Searcher:
        """This thread's searcher over the last commit, kept open while no commit replaces
        it; the folder closes it."""
        thread = threading.get_ident()
        searcher = self._searchers.get(thread)
        if searcher is not None and not searcher.is_current():
            with self._searchers_turn:
                del self._searchers[thread]
            searcher.close()
            searcher = None
        if searcher is None:
            with refusals_reported(self.path):
                searcher = self.engine.searcher()
            with self._searchers_turn:
                self._searchers[thread] = searcher
                # Threads come and go: a thread that has ended searches no more.
                running = {thread} | {each.ident for each in threading.enumerate()}
                for ended in set(self._searchers) - running:
                    self._searchers.pop(ended).close()
        return searcher

    def size_bytes(self) -> int:
        """The bytes of the files in the folder."""
        with refusals_reported(self.path):
            return sum(path.stat().st_size for path in self.path.iterdir() if path.is_file())


@contextmanager
def refusals_reported(path: Path, suffix: str = "") -> Iterator[None]:
    """Report the operating system's refusals to read or write the index folder ``path``
    (full disk, read-only, not permitted, gone) as ``IndexStorageError``, with ``suffix``
    unless the folder has gone."""
    try:
        yield
    except OSError as error:
        failure = refused(path, error)
        if failure is None:
            raise
        if not path.is_dir():
            raise failure from error
        raise IndexStorageError(f"{failure}{suffix}") from error
    except IndexStorageError as error:
        if not suffix or str(error).endswith(suffix) or not path.is_dir():
            raise
        raise IndexStorageError(f"{error}{suffix}") from error


def _is_ours(entry: Path) -> bool:
    """Whether a file in a folder without an index may stay when one is created there."""
    name = entry.name
    return name.startswith(".") or name.startswith(FILENAME) or is_engine_file(name)


def check_compatible(path: Path, vocabulary: Vocabulary) -> None:
    """Raise ``IndexIncompatibleError`` unless the index at ``path`` (a sharded one's own
    folder, not a shard's) was built with this searchlib's analyzer and document format."""
    differing = incompatibility(vocabulary.metadata())
    if differing:
        raise IndexIncompatibleError(
            f"the index in {path} was built with {differing}: delete the folder and index "
            f"your articles again"
        )
