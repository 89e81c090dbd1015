"""A sharded index: a folder holding N shard folders (each a whole index of its own), the
manifest that says how many and how articles are routed to them, and the vocabulary of all.

An article goes to the shard its id's BLAKE2b hash names, the same on every machine and
every run (Python's ``hash`` of a string changes per process), so an update or a deletion
finds the article where the build put it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from searchlib.analysis import ANALYZER_NAME, Stemmer
from searchlib.engine.writing import Writer
from searchlib.errors import IndexCorruptError, SearchlibError
from searchlib.schema import FORMAT_VERSION, Document
from searchlib.storage.folder import IndexFolder, check_compatible, refusals_reported
from searchlib.storage.sharded_reading import ShardedSearcher
from searchlib.storage.vocabulary import Vocabulary

MANIFEST = "shards.json"
ROUTING = "blake2b-64 of the UTF-8 id, modulo the number of shards"
"""How ids are routed to shards, as the manifest records it."""


def shard_of(id: str, shards: int) -> int:
    """The shard (from 0) that holds the article with this id.

    >>> [shard_of(id, 4) for id in ("n1", "n2", "n3")]
    [1, 2, 1]
    """
    digest = hashlib.blake2b(id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def is_sharded(path: Path) -> bool:
    """Whether ``path`` holds a sharded index (its manifest)."""
    return (path / MANIFEST).is_file()


def shard_path(path: Path, shard: int) -> Path:
    """The folder of shard ``shard`` of the sharded index at ``path``."""
    return path / f"shard-{shard:03d}"


def create_sharded(path: Path, shards: int, lock_timeout: float = 10.0) -> None:
    """Make an empty sharded index of ``shards`` shards at ``path`` (an empty or new folder);
    the manifest is written last, so a cut-short creation is no index.

    >>> import tempfile
    >>> place = Path(tempfile.mkdtemp()) / "index"
    >>> create_sharded(place, 2)
    >>> is_sharded(place), sorted(entry.name for entry in place.iterdir())[:3]
    (True, ['searchlib.sqlite3', 'shard-000', 'shard-001'])
    """
    if not 1 <= shards <= 1024:
        raise SearchlibError(f"the number of shards must be from 1 to 1024 (got {shards})")
    if is_sharded(path):
        raise SearchlibError(f"{path} already holds a sharded index")
    with refusals_reported(path.parent):
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise SearchlibError(f"{path} is not an empty folder; choose another for the index")
        path.mkdir(parents=True, exist_ok=True)
        vocabulary = Vocabulary(path)
        vocabulary.set_metadata({"analyzer": ANALYZER_NAME, "format": FORMAT_VERSION})
        vocabulary.close()
        for shard in range(shards):
            IndexFolder(shard_path(path, shard), create=True, lock_timeout=lock_timeout).close()
        manifest = {"shards": shards, "routing": ROUTING}
        (path / f"{MANIFEST}.new").write_text(json.dumps(manifest), encoding="utf-8")
        (path / f"{MANIFEST}.new").replace(path / MANIFEST)


def shard_count(path: Path) -> int:
    """How many shards the sharded index at ``path`` has, from its manifest."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        count = manifest["shards"]
        if manifest["routing"] != ROUTING or not isinstance(count, int) or count < 1:
            raise ValueError(manifest)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexCorruptError(f"{path / MANIFEST} can't be read ({error})") from error
    return count


class ShardedFolder:
    """The shards of a sharded index, opened as one ``IndexFolder`` is: searched through a
    ``ShardedSearcher`` (ranked with statistics of all shards), written through a writer
    that routes each article to its shard.

    >>> import tempfile
    >>> place = Path(tempfile.mkdtemp()) / "index"
    >>> create_sharded(place, 3)
    >>> folder = ShardedFolder(place)
    >>> len(folder.shards), folder.document_count()
    (3, 0)
    """

    def __init__(self, path: Path, lock_timeout: float = 10.0) -> None:
        self.path = path
        count = shard_count(path)
        self.vocabulary = Vocabulary(path)
        check_compatible(path, self.vocabulary)  # named as the index, not as one of its shards
        self.shards = [
            IndexFolder(shard_path(path, shard), create=False, lock_timeout=lock_timeout)
            for shard in range(count)
        ]
        self._searchers: dict[int, ShardedSearcher] = {}
        self._searchers_turn = threading.Lock()

    @property
    def lock_timeout(self) -> float:
        """Seconds an update waits for each shard's lock."""
        return self.shards[0].lock_timeout

    @lock_timeout.setter
    def lock_timeout(self, seconds: float) -> None:
        for shard in self.shards:
            shard.lock_timeout = seconds

    def close(self) -> None:
        """Release open files (they reopen when needed)."""
        with self._searchers_turn:
            searchers, self._searchers = list(self._searchers.values()), {}
        for searcher in searchers:
            searcher.close()
        for shard in self.shards:
            shard.close()
        self.vocabulary.close()

    def document_count(self) -> int:
        """How many articles the shards' last commits hold."""
        return sum(shard.document_count() for shard in self.shards)

    @contextmanager
    def writing(self) -> Iterator[tuple[ShardWriter, Stemmer]]:
        """One commit on every shard (each all or nothing; the shards commit one after
        another), through a writer that routes articles by id."""
        stemmer = Stemmer()
        with ExitStack() as stack:
            writers = [stack.enter_context(shard.writing())[0] for shard in self.shards]
            yield ShardWriter(writers), stemmer
            self.vocabulary.add(stemmer.seen)
            self.vocabulary.add_bands(stemmer.bands)

    def optimize(self) -> None:
        """Merge each shard into one segment, keeping only the band keys of the articles
        they hold (see ``IndexFolder.optimize``), with every shard's lock held."""
        with self.writing() as (writer, _):
            writer.merge_all()
            for shard in self.shards:
                shard.keep_bands_held()
            self.vocabulary.replace_bands(
                band for shard in self.shards for band in shard.vocabulary.every_band()
            )

    def searcher(self) -> ShardedSearcher:
        """This thread's searcher over the shards' last commits, kept while none changes."""
        thread = threading.get_ident()
        searcher = self._searchers.get(thread)
        if searcher is None or not searcher.is_current():
            with refusals_reported(self.path):
                # Fresh shard searchers: a shard's own searcher ranks with its own statistics.
                fresh = ShardedSearcher([shard.engine.searcher() for shard in self.shards])
            with self._searchers_turn:
                self._searchers[thread] = fresh
                running = {each.ident for each in threading.enumerate()}
                for ended in set(self._searchers) - running - {thread}:
                    self._searchers.pop(ended).close()
            if searcher is not None:
                searcher.close()
            searcher = fresh
        return searcher

    def size_bytes(self) -> int:
        """The bytes of the files of the index and of its shards."""
        with refusals_reported(self.path):
            own = sum(entry.stat().st_size for entry in self.path.iterdir() if entry.is_file())
        return own + sum(shard.size_bytes() for shard in self.shards)

    def gather_vocabularies(self) -> None:
        """Take in the words and keyword fields that builds wrote to the shards' own
        vocabularies, which a query reads from this one."""
        for shard in self.shards:
            self.vocabulary.add(shard.vocabulary.every_stem())
            self.vocabulary.add_bands(shard.vocabulary.every_band())
            self.vocabulary.declare_keyword_fields(shard.vocabulary.keyword_fields())


class ShardWriter:
    """Writes to each article's shard: an ``engine.writing.Writer`` for a sharded index."""

    def __init__(self, writers: list[Writer]) -> None:
        self._writers = writers

    def update(self, document: Document) -> None:
        """Add a document to its id's shard, replacing any with its id."""
        self._writers[shard_of(document.stored["id"], len(self._writers))].update(document)

    def merge_all(self) -> None:
        """Merge each shard into one segment at the commit (``Writer.merge_all``)."""
        for writer in self._writers:
            writer.merge_all()

    def delete(self, field: str, value: str) -> int:
        """Delete the documents whose ``field`` is ``value``; how many there were."""
        if field == "id":
            return self._writers[shard_of(value, len(self._writers))].delete(field, value)
        return sum(writer.delete(field, value) for writer in self._writers)
