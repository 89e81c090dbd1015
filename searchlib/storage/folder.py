"""An index folder: the engine's files and, beside them, the vocabulary database that holds
the index's word forms and the analyzer and format it was built with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from searchlib.analysis import ANALYZER_NAME, Stemmer
from searchlib.engine.directory import Engine
from searchlib.engine.reading import Searcher
from searchlib.engine.writing import Writer
from searchlib.errors import (
    IndexCorruptError,
    IndexIncompatibleError,
    IndexNotFoundError,
    SearchlibError,
)
from searchlib.schema import FORMAT_VERSION
from searchlib.storage.vocabulary import Vocabulary


class IndexFolder:
    """The files of one index: opened, or created when ``create`` is true and there is
    none; refused when built with another analyzer or document format.

    >>> import tempfile
    >>> folder = IndexFolder(Path(tempfile.mkdtemp()) / "index", create=True)
    >>> folder.document_count(), folder.vocabulary.metadata()["format"] == FORMAT_VERSION
    (0, True)
    """

    def __init__(self, path: Path, *, create: bool, lock_timeout: float = 10.0) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.vocabulary = Vocabulary(path)
        self._searcher: Searcher | None = None
        if Engine.exists(path):
            self.engine = Engine(path)
            if not self._is_stamped() and self.engine.doc_count() == 0:
                # Creation was cut short (killed) before the analyzer was recorded; with no
                # documents yet, finishing it now loses nothing.
                self._stamp()
            if not self.vocabulary.exists():
                raise IndexCorruptError(
                    f"the index in {path} has lost its {self.vocabulary.path.name} file; "
                    f"delete the folder and index your articles again"
                )
            self._check_compatible()
        elif not create:
            raise IndexNotFoundError(f"no index in {path}; build one with `searchlib index PATH`")
        else:
            # Hidden files (a .gitkeep) don't count: anything else may be the user's.
            if path.exists() and any(not entry.name.startswith(".") for entry in path.iterdir()):
                raise SearchlibError(
                    f"{path} is not empty and holds no index; choose another folder"
                )
            self.engine = Engine(path, create=True)
            self._stamp()

    def _is_stamped(self) -> bool:
        return self.vocabulary.exists() and bool(self.vocabulary.metadata())

    def _stamp(self) -> None:
        """Record the analyzer and document format the index is built with."""
        self.vocabulary.set_metadata({"analyzer": ANALYZER_NAME, "format": FORMAT_VERSION})

    def _check_compatible(self) -> None:
        metadata = self.vocabulary.metadata()
        built_with = (metadata.get("analyzer"), metadata.get("format"))
        if built_with != (ANALYZER_NAME, FORMAT_VERSION):
            raise IndexIncompatibleError(
                f"the index in {self.path} was built with analyzer {built_with[0]!r}, format "
                f"{built_with[1]!r}; this searchlib uses {ANALYZER_NAME!r}, format "
                f"{FORMAT_VERSION!r}. Delete the folder and index your articles again"
            )

    def close(self) -> None:
        """Release open files (they reopen when needed)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self.vocabulary.close()

    def document_count(self) -> int:
        """How many articles the last commit holds."""
        return self.engine.doc_count()

    @contextmanager
    def writing(self) -> Iterator[tuple[Writer, Stemmer]]:
        """One commit: a writer holding the lock (waiting ``lock_timeout`` for it), and a
        stemmer whose words join the vocabulary when the commit succeeds."""
        stemmer = Stemmer()
        with self.engine.writer(self.lock_timeout) as writer:
            yield writer, stemmer
            # Stems go in before the commit: a vocabulary entry without documents is harmless.
            self.vocabulary.add(stemmer.seen)

    def optimize(self) -> None:
        """Merge the index into one segment, reclaiming the space of deleted documents."""
        with self.writing() as (writer, _):
            writer.merge_all()

    def searcher(self) -> Searcher:
        """A searcher over the last commit, kept open while no commit replaces it; the
        folder closes it."""
        if self._searcher is not None and not self._searcher.is_current():
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self.engine.searcher()
        return self._searcher

    def size_bytes(self) -> int:
        """The bytes of the files in the folder."""
        return sum(path.stat().st_size for path in self.path.iterdir() if path.is_file())
