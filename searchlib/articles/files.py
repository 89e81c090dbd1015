"""Reading article files: finding them in folders, decoding them, skipping what isn't
text, and parsing text files and HTML pages into articles."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path

from searchlib.articles.article import Article, shown_path

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
MARKUP_SUFFIXES = frozenset({".html", ".htm"})
"""News pages, read by ``searchlib.articles.webpages``."""
_SNIFF_BYTES = 8192
MAX_ARTICLE_CHARACTERS = 1_000_000
"""An article's text is cut here (~150,000 words, far beyond any news story): indexing a
100 MB file whole would take minutes and gigabytes of memory."""
_MAX_PAGE_CHARACTERS = 2 * MAX_ARTICLE_CHARACTERS
"""An HTML page is cut here before it is read (news pages run to a few hundred thousand):
reading markup takes about a second per million characters."""
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ARTICLE_SUFFIXES = TEXT_SUFFIXES | MARKUP_SUFFIXES


class SkippedFile(Exception):
    """A file that can't be indexed; the message says why."""


def find_files(folder: Path, skipped: list[tuple[Path, str]] | None = None) -> Iterator[Path]:
    """Article files (text and HTML) under ``folder``, in a stable order, folder by folder
    (one at a time, not recursively: a folder may be thousands deep). Hidden entries and
    symlinked folders (which can loop) are not followed, nor symbolic links to files outside
    ``folder``; a link to a file inside it is read under its own name, as a copy would be.
    Those links and the folders that can't be listed go to ``skipped`` with the reason.

    >>> list(find_files(Path("no/such/folder")))
    []
    """
    inside = os.path.join(os.path.realpath(folder), "")
    pending = [str(folder)]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            reason = f"can't list this folder ({error.strerror or error})"
            _note(skipped, Path(directory), f"{reason}; what the index holds is kept")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if _is_folder(entry):
                if not entry.is_symlink():
                    subfolders.append(entry.path)
            elif Path(entry.name).suffix.lower() in ARTICLE_SUFFIXES:
                if entry.is_symlink() and not os.path.realpath(entry.path).startswith(inside):
                    _note(skipped, Path(entry.path), "a symbolic link to a file outside the folder")
                else:
                    yield Path(entry.path)
        pending += reversed(subfolders)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # as os.walk: what can't be looked at is no folder
        return False


def _note(skipped: list[tuple[Path, str]] | None, path: Path, reason: str) -> None:
    if skipped is not None:
        skipped.append((path, reason))


def is_gone(path: str) -> bool:
    """Whether ``path`` no longer exists (one that can't be looked at may still exist)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def decode(data: bytes) -> str:
    """Decode article bytes: UTF-16 with a BOM, else UTF-8 (with or without BOM) in which any
    byte that isn't UTF-8 is read as cp1252, so a Latin-1 file and a UTF-8 file with a stray
    Latin-1 word both come out right.

    >>> decode(b"a \\xa315.8m signing"), decode("café ".encode() + b"na\\xefve")
    ('a £15.8m signing', 'café naïve')
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    return data.decode("utf-8-sig", errors=_AS_CP1252)


def _as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: undecodable bytes as cp1252 (as Latin-1 for its five gaps)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_CP1252.get(byte, chr(byte)) for byte in bad), error.end


_CP1252 = {
    byte: character
    for byte in range(0x80, 0x100)
    for character in [bytes([byte]).decode("cp1252", errors="ignore")]
    if character
}
_AS_CP1252 = "searchlib-cp1252"
codecs.register_error(_AS_CP1252, _as_cp1252)


def read_bytes(path: Path) -> bytes:
    """A file's bytes; ``SkippedFile`` when it can't be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise SkippedFile(f"can't read it ({error.strerror or error})") from error


def article_id(path: Path, root: Path) -> str:
    """The id of the article in ``path``: the folder's name and the path within it, without
    suffix.

    >>> article_id(Path("/archive/seeds/000_a1.txt"), Path("/archive/seeds"))
    'seeds/000_a1'
    """
    return shown_path(f"{root.name}/{path.relative_to(root).with_suffix('').as_posix()}")


def to_article(data: bytes, path: Path, article_id: str, source: str) -> Article:
    """Parse a file's bytes (text, or an HTML page) into an ``Article``; ``SkippedFile`` for
    binary or empty files."""
    if b"\0" in data[:_SNIFF_BYTES] and not data.startswith(_UTF16_BOMS):
        raise SkippedFile("binary file (contains NUL bytes)")
    text = decode(data)
    if not text.strip():
        raise SkippedFile("empty file")
    if path.suffix.lower() in MARKUP_SUFFIXES:
        from searchlib.articles.webpages import parse_page  # it imports the parser: see parsed

        article = parse_page(text[:_MAX_PAGE_CHARACTERS])
        if not (article.headline or article.body):
            raise SkippedFile("no text in the page")
        article.id, article.path = article_id, str(path)
    else:
        article = parsed(text, article_id, path=str(path))
    article.source = source
    return article


def parsed(
    body: str,
    article_id: str,
    *,
    path: str | None = None,
    headline: str | None = None,
    caption: str | None = None,
    credit: str | None = None,
) -> Article:
    """``parse_article`` on the first ``MAX_ARTICLE_CHARACTERS`` of ``body``; the headline,
    caption and credit given win over what it finds."""
    # Imported here: the parser's patterns take ~40 ms to compile, which queries never need.
    from searchlib.articles.parse import parse_article

    article = parse_article(
        body[:MAX_ARTICLE_CHARACTERS], id=article_id, path=path, headline=headline
    )
    article.caption = caption or article.caption
    article.credit = credit or article.credit
    return article
