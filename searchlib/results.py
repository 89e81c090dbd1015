"""Search results: ranked hits with highlighted snippets, their plain-data views, and what
can be asked of them: why a hit scored so (``Hit.explain``), articles like it
(``Hit.similar``), and counts of every match by speaker, credit and source (``facets``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, overload

from searchlib.analysis import Token, tokenize, words
from searchlib.article import Article
from searchlib.errors import SearchlibError
from searchlib.html import hit_html, results_html
from searchlib.schema import SEARCHABLE

if TYPE_CHECKING:
    import pandas

SNIPPET_WORDS = 30
HIT_KEYS = (
    "id", "rank", "score", "title", "headline", "snippet", "highlights", "path", "fields",
    "speakers",
)  # fmt: skip
"""The keys of ``Hit.to_dict()``, in order."""
FACETS = ("speaker", "credit", "source")
"""What ``Results.facets`` counts matching articles by."""
FACET_LIMIT = 10_000
"""Facets count at most this many matching articles (the first in index order)."""
_SNIPPET_FIELDS = ("body", "caption", "headline", "credit")
_SNIPPET_SCAN = 200_000
"""Characters of a text searched for a snippet: a huge article must not slow every query."""
_MATCHES_CONSIDERED = 200
_CONTEXT_WORDS = 3
_WHITESPACE = re.compile(r"\s+")
_TRAILING_PUNCTUATION = re.compile(r"[^\s\w]*")


@dataclass(frozen=True)
class Snippet:
    """A passage of an article with the spans that matched the query.

    >>> snippet = Snippet("the Byrne JAG grants", ((4, 9), (10, 13)))
    >>> snippet.marked("[", "]")
    'the [Byrne] [JAG] grants'
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def __str__(self) -> str:
        return self.text

    def parts(self) -> Iterator[tuple[str, bool]]:
        """The text in order, as ``(piece, is_highlighted)`` pairs.

        >>> list(Snippet("a Byrne b", ((2, 7),)).parts())
        [('a ', False), ('Byrne', True), (' b', False)]
        """
        position = 0
        for start, end in self.highlights:
            if start > position:
                yield self.text[position:start], False
            yield self.text[start:end], True
            position = end
        if position < len(self.text):
            yield self.text[position:], False

    def marked(self, before: str, after: str) -> str:
        """The text with each highlight wrapped in ``before`` and ``after``."""
        return "".join(f"{before}{piece}{after}" if lit else piece for piece, lit in self.parts())


def make_snippet(text: str, matching: frozenset[str], words: int = SNIPPET_WORDS) -> Snippet:
    """The ``words``-token passage of ``text`` with the most distinct matching forms, a few
    words of context before the first, whitespace collapsed.

    >>> text = "One. He said: “The Byrne grants.” More text."
    >>> make_snippet(text, {"byrne"}, words=4).marked("*", "*")
    '…“The *Byrne* grants.” More…'
    """
    tokens = list(tokenize(text[:_SNIPPET_SCAN]))
    if not tokens:
        return Snippet(_WHITESPACE.sub(" ", text[:_SNIPPET_SCAN].strip()))
    first = _best_window(tokens, matching, words)
    window = tokens[first : first + words]
    # Keep punctuation that belongs to the first and last words (an opening “, a closing ”.).
    start = 0 if first == 0 else _after_last_space(text, tokens[first - 1].end, window[0].start)
    end = window[-1].end + len(_TRAILING_PUNCTUATION.match(text, window[-1].end).group())
    pieces: list[str] = ["…"] if first > 0 else []
    highlights: list[tuple[int, int]] = []
    length = len(pieces[0]) if pieces else 0
    position = start
    for token in window:
        gap = _WHITESPACE.sub(" ", text[position : token.start])
        raw = text[token.start : token.end]
        if token.text in matching:
            highlights.append((length + len(gap), length + len(gap) + len(raw)))
        pieces += [gap, raw]
        length += len(gap) + len(raw)
        position = token.end
    pieces.append(text[position:end])
    if first + words < len(tokens):
        pieces.append("…")
    return Snippet("".join(pieces), tuple(highlights))


def _after_last_space(text: str, start: int, end: int) -> int:
    gap = text[start:end]
    spaces = [index for index, character in enumerate(gap) if character.isspace()]
    return start + spaces[-1] + 1 if spaces else end


def _best_window(tokens: list[Token], matching: frozenset[str], words: int) -> int:
    """The first token of the window holding the most distinct matches (then the most)."""
    positions = [index for index, token in enumerate(tokens) if token.text in matching]
    best, best_key = 0, (0, 0)
    context = min(_CONTEXT_WORDS, words // 4)
    for position in positions[:_MATCHES_CONSIDERED]:
        # A little context before the match reads better, unless it pushes a match out.
        for first in (position - context, position):
            start = max(0, min(first, len(tokens) - words))
            inside = [tokens[i].text for i in positions if start <= i < start + words]
            key = (len(set(inside)), len(inside))
            if key > best_key:
                best, best_key = start, key
    return best


Facets = dict[str, list[tuple[str, int]]]
"""Per facet name, ``(value, articles)`` pairs, most articles first."""


def count_facets(articles: Iterable[Article]) -> Facets:
    """How many of ``articles`` quote each speaker, and have each credit and source; most
    first, then by name.

    >>> from searchlib import Quote
    >>> quoted = Article("a1", "", quotes=[Quote("Yes.", "Jeff Sessions")], source="seeds")
    >>> count_facets([quoted, Article("a2", "", credit="AP", source="seeds")])
    {'speaker': [('Jeff Sessions', 1)], 'credit': [('AP', 1)], 'source': [('seeds', 2)]}
    """
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for article in articles:
        counters["speaker"].update(article.speakers)
        counters["credit"].update([article.credit] if article.credit else [])
        counters["source"].update([article.source] if article.source else [])
    return {
        name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        for name, counter in counters.items()
    }


class Contribution(NamedTuple):
    """What one query word added to a hit's score from one field."""

    word: str
    field: str
    score: float


@dataclass(frozen=True)
class Explanation:
    """Why a hit scored what it did: what each query word added from each field (BM25F),
    and the bonus for query words the article holds exactly as typed.

    >>> explanation = Explanation(
    ...     (Contribution("byrne", "body", 3.2), Contribution("byrne", "quotes", 0.8),
    ...      Contribution("jag", "body", 2.0)), exact_forms=("byrne",), bonus=0.5)
    >>> explanation.score
    6.5
    >>> print(explanation)
    byrne: body 3.20, quotes 0.80; jag: body 2.00
    exact forms +0.50 (byrne)
    """

    contributions: tuple[Contribution, ...]
    """Per query word (in query order), per field (largest first)."""
    exact_forms: tuple[str, ...] = ()
    bonus: float = 0.0

    @property
    def score(self) -> float:
        """The hit's score: the contributions and the bonus."""
        return sum(contribution.score for contribution in self.contributions) + self.bonus

    def __str__(self) -> str:
        by_word: dict[str, list[str]] = {}
        for word, field_name, score in self.contributions:
            by_word.setdefault(word, []).append(f"{field_name} {score:.2f}")
        lines = ["; ".join(f"{word}: {', '.join(parts)}" for word, parts in by_word.items())]
        if self.bonus:
            lines.append(f"exact forms +{self.bonus:.2f} ({', '.join(self.exact_forms)})")
        return "\n".join(line for line in lines if line)


class Origin(Protocol):
    """What a hit can ask of the search that found it (``Index.search`` gives one)."""

    def explain(self, id: str) -> Explanation:
        """Why the article with this id scored what it did."""

    def similar(self, id: str, limit: int) -> Results:
        """Articles like the one with this id."""


@dataclass
class Hit:
    """One ranked result."""

    id: str
    rank: int
    score: float
    title: str
    article: Article = field(repr=False)
    matching: frozenset[str] = field(default=frozenset(), repr=False)
    """The word forms that match the query (for snippet, fields and speakers)."""
    searched: frozenset[str] = field(default=frozenset(SEARCHABLE), repr=False)
    """The fields the query looked in."""
    origin: Origin | None = field(default=None, repr=False, compare=False)
    """The search that found the hit, for ``explain`` and ``similar`` (not pickled)."""

    def __getstate__(self) -> dict[str, Any]:
        # A pickled hit is plain data: the way back to its index stays behind.
        return {**self.__dict__, "origin": None}

    def explain(self) -> Explanation:
        """What each query word added to the score, per field, and the exact-form bonus.

        >>> print(index.search("Byrne JAG")[0].explain())  # doctest: +SKIP
        byrne: body 0.34, quotes 0.09; jag: body 0.34, quotes 0.09
        exact forms +1.00 (byrne, jag)
        """
        return self._origin().explain(self.id)

    def similar(self, limit: int = 10) -> Results:
        """The ``limit`` articles most like this one (see ``Index.similar``)."""
        return self._origin().similar(self.id, limit)

    def _origin(self) -> Origin:
        if self.origin is None:
            raise SearchlibError(
                f"hit {self.id!r} has no index to ask: it was unpickled or made by hand"
            )
        return self.origin

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The searched fields holding a query word, e.g. ``("body", "quotes")``."""
        texts = {
            "headline": [self.article.headline],
            "caption": [self.article.caption],
            "body": [self.article.body],
            "quotes": [quote.text for quote in self.article.quotes],
            "speaker": self.article.speakers,
            "credit": [self.article.credit],
        }
        return tuple(
            name
            for name in SEARCHABLE
            if name in self.searched
            and any(text and not self.matching.isdisjoint(words(text)) for text in texts[name])
        )

    @cached_property
    def snippet(self) -> Snippet:
        """The passage showing the most query words, highlighted (made when first asked)."""
        return best_snippet(self.article, self.matching)

    @cached_property
    def speakers(self) -> tuple[str, ...]:
        """Who said the quotations the query matched."""
        return quoting(self.article, self.matching, by_speaker="speaker" in self.fields)

    @property
    def headline(self) -> str | None:
        return self.article.headline

    @property
    def path(self) -> str | None:
        return self.article.path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with stable keys."""
        return {
            "id": self.id,
            "rank": self.rank,
            "score": round(self.score, 4),
            "title": self.title,
            "headline": self.headline,
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "path": self.path,
            "fields": list(self.fields),
            "speakers": list(self.speakers),
        }

    def _repr_html_(self) -> str:
        return hit_html(self)


def quoting(
    article: Article, matching: frozenset[str], by_speaker: bool = False
) -> tuple[str, ...]:
    """Speakers of the article's quotations that contain a matching form, and with
    ``by_speaker`` (a ``speaker:`` match) the speakers whose names match."""
    return tuple(
        dict.fromkeys(
            quote.speaker
            for quote in article.quotes
            if quote.speaker
            and (
                not matching.isdisjoint(words(quote.text))
                or (by_speaker and not matching.isdisjoint(words(quote.speaker)))
            )
        )
    )


def best_snippet(article: Article, matching: frozenset[str]) -> Snippet:
    """The snippet from whichever text field has the most distinct matches (body first)."""
    texts = [text for name in _SNIPPET_FIELDS if (text := getattr(article, name))]
    if not texts:
        return Snippet("")
    best = max(texts, key=lambda text: len(matching.intersection(words(text[:_SNIPPET_SCAN]))))
    return make_snippet(best, matching)


@dataclass
class Results(Sequence[Hit]):
    """The hits of a search, best first, with the total count and any query warnings."""

    query: str
    hits: list[Hit]
    count: Callable[[], int] = field(repr=False)
    """Counts every matching article (done when ``total`` is first asked for)."""
    offset: int = 0
    warnings: list[str] = field(default_factory=list)
    suggestion: str | None = None
    """When the query found few articles (``Index.search``: fewer than 3), the query with its
    unknown or rare words replaced by near words the index holds in many more articles."""
    facet_counter: Callable[[], Facets] = field(default=lambda: count_facets([]), repr=False)
    """Counts every matching article's facets (done when ``facets`` is first asked for)."""

    @cached_property
    def total(self) -> int:
        """How many articles match in all (counted when first asked for)."""
        return self.count()

    @cached_property
    def facets(self) -> Facets:
        """Every matching article (not only this page's), counted by speaker, credit and
        source; most first. Counted when first asked for, from the first ``FACET_LIMIT``
        (10,000) matching articles in index order.

        >>> index.search("sanctuary").facets["speaker"]  # doctest: +SKIP
        [('Jeff Sessions', 1), ('Thomas Homan', 1)]
        """
        return self.facet_counter()

    def __len__(self) -> int:
        return len(self.hits)

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...
    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        return self.hits[index]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every hit as a plain dict (see ``Hit.to_dict``)."""
        return [hit.to_dict() for hit in self.hits]

    @property
    def summary(self) -> str:
        """How many hits: ``"2 hits"``, or for part of them ``"11-20 of 57 hits"``.

        >>> Results("walrus", [], count=lambda: 1).summary
        '1 hit'
        >>> Results("walrus", [], count=lambda: 1, offset=10).summary
        'none from rank 11 on, of 1 hit'
        """
        summary = f"{self.total} {'hit' if self.total == 1 else 'hits'}"
        if self and len(self) < self.total:
            return f"{self.offset + 1}-{self.offset + len(self)} of {summary}"
        if not self and self.offset and self.total:
            return f"none from rank {self.offset + 1} on, of {summary}"
        return summary

    def to_pandas(self) -> pandas.DataFrame:
        """The hits as a DataFrame, one row a hit and one column a ``HIT_KEYS`` key
        (needs pandas: ``pip install 'searchlib[pandas]'``).

        >>> index.search("Byrne JAG").to_pandas()[["rank", "id"]]  # doctest: +SKIP
           rank                           id
        0     1  seeds/000_a130046a36110d8b
        """
        try:
            import pandas
        except ImportError as error:
            raise ImportError(
                "Results.to_pandas needs pandas: pip install 'searchlib[pandas]'"
            ) from error
        return pandas.DataFrame(self.to_dicts(), columns=list(HIT_KEYS))

    def _repr_html_(self) -> str:
        return results_html(self)
