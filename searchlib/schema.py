"""What the index holds for an article: its fields, how each is analysed and weighted.

Engine-neutral: the engine adapter turns ``FIELDS`` into a Whoosh schema. Text fields are
handed to the engine already analysed (lists of terms), so analysis runs in our code, once,
and could run in other processes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, NamedTuple

from searchlib.analysis import Stemmer, content_words, folded, written_words
from searchlib.articles.article import Article, Image, Quote, shown_path, with_valid_text
from searchlib.shingles import band_keys, signature

FORMAT_VERSION = "9"
"""Bumped whenever documents change shape; an index of another version must be rebuilt."""

Kind = Literal["stemmed", "exact", "forms", "id", "date", "keyword", "signature", "stored"]


@dataclass(frozen=True)
class Field:
    """One field of the index, by kind of content.

    ``stemmed``/``exact``: stemmed or unstemmed words, scored by BM25. ``forms``: the set of
    a document's words, kept per document (not searchable); each query word found in it
    adds ``boost`` when hits are ranked. ``id``: one whole value. ``date``, ``stored``.
    ``keyword``: exact values, each a term ``name=value`` (see ``keyword_term``), which
    filters match and facets count. ``signature``: the body's MinHash signature, kept per
    document (``searchlib.shingles``). ``boost`` is a text field's weight when a query names
    no field (0: only by name).
    """

    name: str
    kind: Kind
    stored: bool = False
    boost: float = 0.0


FIELDS: tuple[Field, ...] = (
    Field("id", "id", stored=True),
    Field("path", "stored", stored=True),
    Field("file_state", "id"),
    Field("record_state", "id"),
    Field("source", "id", stored=True),
    Field("date", "date", stored=True),
    Field("headline", "stemmed", stored=True, boost=2.0),
    Field("caption", "stemmed", stored=True, boost=1.0),
    Field("body", "stemmed", stored=True, boost=1.0),
    Field("quotes", "stemmed", stored=True, boost=0.5),
    Field("speaker", "exact"),
    Field("author", "exact"),
    Field("credit", "exact", stored=True, boost=0.5),
    # Metadata, source, speakers and credit as exact values: one field for every name, so
    # that the engine's schema is the same for every index (names are declared per index).
    Field("keywords", "keyword"),
    Field("metadata", "stored", stored=True),
    Field("authors", "stored", stored=True),
    Field("summary", "stored", stored=True),
    Field("images", "stored", stored=True),
    # The exact words of headline, caption and body, so an exact match can outrank a
    # stemmed one; a per-document value costs far less to write than a copy of the postings.
    Field("exact", "forms", boost=0.5),
    # Versions of one story are found at search time, through their bands' keys (kept in the
    # index's database: as index terms they cost more to write than all the words), and
    # compared by signature: a story stays right however articles come and go.
    Field("signature", "signature"),
)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}
SEARCHABLE = ("headline", "caption", "body", "quotes", "speaker", "credit", "author")
"""Fields a query may name (``speaker:Sessions``, ``author:Doe``)."""
KEYWORD_FIELDS = ("source",)
"""Keyword fields every index has; records files add their own (``--field topic=topics``)."""
FACETS = ("speaker", "credit", "source", "author")
"""Values every index counts matches by (with its declared keyword fields)."""


def keyword_term(name: str, value: str) -> str:
    """The term that stands for a keyword field's value.

    >>> keyword_term("place", "west-germany")
    'place=west-germany'
    """
    return f"{name}={value}"


def keyword_key(value: str) -> str:
    """A value as filters compare it: case, hyphens and spacing aside (so that
    ``place:"West Germany"`` finds ``west-germany``).

    >>> keyword_key("West  Germany") == keyword_key("west-germany")
    True
    """
    return " ".join(re.split(r"[\W_]+", value.casefold())).strip()


IndexedValue = str | list[str] | list[str | None] | bytes | datetime
"""What a field indexes: a value, terms (``None`` in a stop word's place), forms, a date."""


@dataclass
class Document:
    """An article as the engine takes it: analysed terms per field, and what to store."""

    indexed: dict[str, IndexedValue]
    stored: dict[str, Any]
    """Values to store; ``None`` stores nothing (even for a field that is indexed)."""


def encode_forms(forms: set[str]) -> bytes:
    """A set of word forms as stored per document (forms never contain spaces).

    >>> encode_forms({"grants", "byrne"})
    b'byrne grants'
    """
    return " ".join(sorted(forms)).encode("utf-8")


def held_forms(value: bytes, forms: Iterable[str]) -> set[str]:
    """Which of ``forms`` the stored word forms hold (searched in the text rather than
    split from it: a query has a few words, a document hundreds).

    >>> sorted(held_forms(encode_forms({"grants", "byrne"}), ["byrne", "grant", "jag"]))
    ['byrne']
    """
    text = f" {value.decode('utf-8')} "
    return {form for form in forms if f" {form} " in text}


_TAB_SEPARATED = re.compile(r"(.*)\t([0-9a-f]{32})\t(.*)", re.DOTALL)
"""A file state's term as older indexes hold it."""


class FileState(NamedTuple):
    """Which version of a file (or of a record in a records file: ``path`` is the file's)
    the index holds, and the id its article has.

    >>> state = FileState("/a/seeds/x\\ty.txt", "f00d", "seeds/x\\ty")
    >>> FileState.from_term(state.term()) == state
    True
    """

    path: str
    content_hash: str
    article_id: str

    def term(self) -> str:
        """The index term that records this state: a JSON array in ASCII, which keeps any
        path as it is (tabs, line breaks, bytes that aren't UTF-8)."""
        return json.dumps(self)

    @classmethod
    def from_term(cls, term: str) -> FileState:
        """Read a state back from its term."""
        if term.startswith("["):
            return cls(*json.loads(term))
        # Older indexes hold the three tab-separated, told apart by the hash between them (a
        # name may hold a tab). A path starts with "/" or a drive letter, never "[".
        match = _TAB_SEPARATED.fullmatch(term)
        path, content_hash, article_id = match.groups() if match else term.split("\t", 2)
        return cls(path, content_hash, article_id)


TEXT_FIELDS = ("headline", "caption", "body", "quotes", "credit")
"""The fields whose text an article keeps (``field_texts``)."""


def field_texts(article: Article) -> dict[str, list[str]]:
    """The texts each text field of an article indexes: every photo's caption (and credit)
    together as one, each quotation apart.

    >>> field_texts(Article(id="a", body="Rain.", quotes=[Quote("Wet", None)]))["quotes"]
    ['Wet']
    """
    captions = [image.caption for image in article.images if image.caption] or [article.caption]
    credits = [image.credit for image in article.images if image.credit] or [article.credit]
    return {
        "headline": [article.headline or ""],
        "caption": [" ".join(filter(None, captions))],
        "body": [article.body],
        "quotes": [quote.text for quote in article.quotes],
        "credit": [" ".join(filter(None, credits))],
    }


def to_document(
    article: Article,
    stemmer: Stemmer,
    content_hash: str | None = None,
    records_file: str | None = None,
) -> Document:
    """Analyse an article into a ``Document``: ``content_hash`` marks the version of the
    file at ``article.path``, or of its record in ``records_file``. What is stored and
    indexed is valid Unicode: lone surrogates in text become U+FFFD, bytes of a file name
    that aren't UTF-8 ``\\xNN``. Every photo's caption and credit is searched as ``caption``
    and ``credit``."""
    file_path = article.path
    shown = shown_path(file_path) if file_path else None
    article = with_valid_text(replace(article, path=shown))
    texts = field_texts(article)
    sources = [texts[name][0] for name in ("headline", "caption", "body")]
    written = [written_words(text) for text in sources]
    headline, caption, body = map(_matched, written, sources)
    quote_words = [word for text in texts["quotes"] for word in _matched(written_words(text), text)]
    speaker_words = [word for name in article.speakers for word in content_words(name)]
    forms = set().union(*written)
    forms.discard(None)
    indexed: dict[str, IndexedValue] = {
        "id": article.id,
        "headline": stemmer.stems(headline),
        "caption": stemmer.stems(caption),
        "body": stemmer.stems(body),
        "quotes": stemmer.stems(quote_words),
        "speaker": speaker_words,
        "credit": content_words(texts["credit"][0]),
        "author": [word for name in article.authors for word in content_words(name)],
        "exact": encode_forms(forms),  # type: ignore[arg-type]  # None discarded
        "keywords": _keyword_terms(article),
    }
    if body_signature := signature(list(filter(None, body))):  # stop words' places aside
        indexed["signature"] = body_signature
        stemmer.bands.extend((key, article.id) for key in band_keys(body_signature))
    if records_file and content_hash:
        indexed["record_state"] = FileState(records_file, content_hash, article.id).term()
    elif file_path and content_hash:
        indexed["file_state"] = FileState(file_path, content_hash, article.id).term()
    if article.source:
        indexed["source"] = article.source
    if article.date:
        indexed["date"] = article.date
    stored: dict[str, Any] = {
        "id": article.id,
        "path": article.path,
        "source": article.source,
        "date": article.date,
        "headline": article.headline,
        "caption": article.caption,
        "body": article.body,
        "quotes": [(quote.text, quote.speaker) for quote in article.quotes],
        "credit": article.credit,
        "metadata": article.metadata or None,
        "authors": list(article.authors),
        "summary": article.summary,
        "images": [(image.caption, image.credit) for image in article.images],
    }
    return Document(indexed, stored)


def _matched(written: list[str | None], text: str) -> list[str | None]:
    """A text's written words as matched: accents folded (ASCII text, most, has none)."""
    return written if text.isascii() else folded(written)


def _keyword_terms(article: Article) -> list[str]:
    values = {
        **article.metadata,
        "source": [article.source] if article.source else [],
        "speaker": article.speakers,
        "credit": [article.credit] if article.credit else [],
        "author": list(dict.fromkeys(article.authors)),
    }
    return [keyword_term(name, value) for name, each in values.items() for value in each]


def to_article(stored: dict[str, Any]) -> Article:
    """Rebuild an ``Article`` from a document's stored fields."""
    date = stored.get("date")
    return Article(
        id=stored["id"],
        body=stored.get("body", ""),
        headline=stored.get("headline"),
        caption=stored.get("caption"),
        credit=stored.get("credit"),
        quotes=[Quote(text, speaker) for text, speaker in stored.get("quotes", ())],
        path=stored.get("path"),
        date=date if isinstance(date, datetime) else None,
        source=stored.get("source"),
        metadata=stored.get("metadata") or {},
        authors=list(stored.get("authors", ())),
        summary=stored.get("summary"),
        images=[Image(caption, credit) for caption, credit in stored.get("images", ())],
    )
