"""The structured article that parsing produces and the index stores."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from searchlib.notebook import article_html

_SURROGATES = re.compile("[\ud800-\udfff]")
_LEAD_LENGTH = 90
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’']?\s")
# A period after a title or an initial ("Mr.", "St.", "J.", "U.S.") rarely ends a sentence.
_ABBREVIATION = re.compile(r"(?:^|[\s(“\"])(?:[A-Z][a-z]{0,2}|(?:[A-Za-z]\.)+[A-Za-z])\.?$")


@dataclass
class Quote:
    """A quotation in an article and who said it (``None`` when the text doesn't say).

    >>> Quote("are un-American.", speaker="Thomas Homan").speaker
    'Thomas Homan'
    """

    text: str
    speaker: str | None = None


@dataclass
class Image:
    """A photo of an article: its caption and its credit (``None`` when absent).

    >>> Image("Floods in Leeds", "Jon Super/AP").credit
    'Jon Super/AP'
    """

    caption: str | None = None
    credit: str | None = None


@dataclass
class Article:
    """One news article, split into the parts people search by.

    ``body`` is the article text without captions, credits, headline, byline, summary or
    boilerplate; quotations stay in it and are also listed in ``quotes``. ``images`` holds
    every photo in reading order; ``caption`` and ``credit`` are the first photo's.

    >>> Article(id="a1", body="Sessions spoke. Then he left.").title
    'Sessions spoke.'
    """

    id: str
    body: str
    headline: str | None = None
    caption: str | None = None
    credit: str | None = None
    quotes: list[Quote] = field(default_factory=list)
    path: str | None = None
    date: datetime | None = None
    source: str | None = None
    metadata: dict[str, list[str]] = field(default_factory=dict)
    """Keyword fields (``{"topic": ["cocoa"], "place": ["usa", "uruguay"]}``): exact values,
    for filters (``topic:cocoa``) and facets."""
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    images: list[Image] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The headline, else the body's first sentence, shortened at a word boundary."""
        if self.headline:
            return self.headline
        return lead(self.body or self.caption or "")

    @property
    def speakers(self) -> list[str]:
        """Distinct quote speakers, in order of first appearance."""
        return list(dict.fromkeys(q.speaker for q in self.quotes if q.speaker))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with stable keys (``searchlib show --json`` writes it).

        >>> Article(id="a1", body="It rained.", quotes=[Quote("Wet.", "Al")]).to_dict()["quotes"]
        [{'text': 'Wet.', 'speaker': 'Al'}]
        """
        return {
            "id": self.id,
            "title": self.title,
            "headline": self.headline,
            "caption": self.caption,
            "credit": self.credit,
            "body": self.body,
            "quotes": [{"text": quote.text, "speaker": quote.speaker} for quote in self.quotes],
            "path": self.path,
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "metadata": {name: list(values) for name, values in self.metadata.items()},
            "authors": list(self.authors),
            "summary": self.summary,
            "images": [{"caption": image.caption, "credit": image.credit} for image in self.images],
        }

    def _repr_html_(self) -> str:
        return article_html(self.to_dict())


def valid_text(text: str) -> str:
    """``text`` with each lone surrogate (what Python makes of bytes that aren't UTF-8 and
    JSON of escapes like ``"\\ud800"``; no UTF-8 encoder takes one) replaced by U+FFFD.

    >>> valid_text("walrus \\ud800") == "walrus \\ufffd"
    True
    """
    try:
        text.encode("utf-8")  # far faster than the pattern on text without surrogates
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text


def shown_path(path: str) -> str:
    """``path`` as text: the bytes of a file name that aren't UTF-8 (which Python holds as
    lone surrogates) written ``\\xNN``, as ``ls -b`` writes them.

    >>> shown_path(b"bad\\xff.txt".decode("utf-8", "surrogateescape"))
    'bad\\\\xff.txt'
    """
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no undecodable byte gives
        return valid_text(path)


def with_valid_text(article: Article) -> Article:
    """A copy of ``article`` whose every text is ``valid_text``.

    >>> article = Article(id="a\\udcff", body="b", quotes=[Quote("q", "S\\ud800")])
    >>> with_valid_text(article).speakers == ["S\\ufffd"]
    True
    """

    def cleaned(text: str | None) -> str | None:
        return None if text is None else valid_text(text)

    return replace(
        article,
        id=valid_text(article.id),
        body=valid_text(article.body),
        headline=cleaned(article.headline),
        caption=cleaned(article.caption),
        credit=cleaned(article.credit),
        quotes=[Quote(valid_text(quote.text), cleaned(quote.speaker)) for quote in article.quotes],
        path=cleaned(article.path),
        source=cleaned(article.source),
        metadata={
            valid_text(name): [valid_text(value) for value in values]
            for name, values in article.metadata.items()
        },
        authors=[valid_text(name) for name in article.authors],
        summary=cleaned(article.summary),
        images=[Image(cleaned(image.caption), cleaned(image.credit)) for image in article.images],
    )


def lead(text: str, length: int = _LEAD_LENGTH) -> str:
    """The first sentence of ``text``, cut to about ``length`` characters (never invented).

    >>> lead("Mr. Smith spoke in St. Louis on Monday. It rained.")
    'Mr. Smith spoke in St. Louis on Monday.'
    """
    text = " ".join(text.split())
    end = next(
        (
            match.end()
            for match in _SENTENCE_END.finditer(text)
            if not _ABBREVIATION.search(text, 0, match.start())
        ),
        len(text),
    )
    sentence = text[:end].rstrip()
    if len(sentence) <= length:
        return sentence
    cut = sentence.rfind(" ", 0, length)
    return sentence[: cut if cut > 0 else length].rstrip(" ,;:—-") + "…"
