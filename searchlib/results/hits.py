"""The hits of a search: ``Results``, best first, with what is counted about all its
matches (the total, facets) when first asked for; and each ``Hit``, one ranked article, with
what can be asked of it: its snippet, the fields and quotations the query matched, why it
scored so (``explain``) and articles like it (``similar``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, overload

from searchlib.analysis import words
from searchlib.articles.article import Article
from searchlib.errors import SearchlibError
from searchlib.notebook import hit_html, results_html
from searchlib.results.explanation import Explanation
from searchlib.results.facets import Facets
from searchlib.results.snippets import Snippet, best_snippet
from searchlib.results.timeline import UNITS, Timeline, Unit
from searchlib.schema import SEARCHABLE

if TYPE_CHECKING:
    import pandas

HIT_KEYS = (
    "id", "rank", "score", "title", "headline", "snippet", "highlights", "path", "fields",
    "speakers", "date", "metadata", "duplicates",
)  # fmt: skip
"""The keys of ``Hit.to_dict()``, in order."""


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
    duplicates: int = 0
    """How many other versions of its story the index holds (results collapsed by story
    show one hit per story: its best-scoring version)."""

    def __getstate__(self) -> dict[str, Any]:
        # A pickled hit is plain data: the way back to its index stays behind.
        return {**self.__dict__, "origin": None}

    def explain(self) -> Explanation:
        """What each query word added to the score, per field, and the exact-form bonus.

        >>> print(index.search("Byrne JAG")[0].explain())  # doctest: +SKIP
        byrne: body 0.53, quotes 0.14; jag: body 0.53, quotes 0.14
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
            "author": self.article.authors,
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

    @property
    def date(self) -> datetime | None:
        return self.article.date

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
            "date": self.date.isoformat() if self.date else None,
            "metadata": {name: list(values) for name, values in self.article.metadata.items()},
            "duplicates": self.duplicates,
        }

    def _repr_html_(self) -> str:
        return hit_html(self._shown())

    def _shown(self) -> dict[str, Any]:
        # The notebook shows the score to two places, from the score itself.
        return {**self.to_dict(), "score": self.score}


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
    facet_counter: Callable[[], Facets] = field(default=dict, repr=False)
    timeline_counter: Callable[[Unit | None], Timeline] = field(
        default=lambda unit: Timeline.of([], 0, unit), repr=False
    )
    """Counts every matching article per period (done when ``timeline`` is asked for)."""
    story_counter: Callable[[], int] | None = field(default=None, repr=False)
    """Counts the stories the matches tell, when hits are one per story (else ``None``)."""
    stories_known: int | None = field(default=None, repr=False)
    """How many stories the matches tell, when finding this page told them all (it reached
    the last story, or every match was ranked): the summary gives them."""

    @cached_property
    def total(self) -> int:
        """How many articles match in all (counted when first asked for)."""
        return self.count()

    @cached_property
    def stories(self) -> int | None:
        """How many stories the matching articles tell, each story's versions counted once
        (``None`` when the hits show every version: ``collapse=False``)."""
        if self.story_counter is None or self.stories_known is not None:
            return self.stories_known
        return self.story_counter()

    @cached_property
    def facets(self) -> Facets:
        """Every matching article (not only this page's, and every version of a story),
        counted by speaker, credit,
        source and each keyword field the index declares (``topic``); most first. Counted
        when first asked for, from the index's postings: every match counts.

        >>> index.search("sanctuary").facets["speaker"]  # doctest: +SKIP
        [('Jeff Sessions', 1), ('Thomas Homan', 1)]
        """
        return self.facet_counter()

    def timeline(self, unit: Unit | None = None) -> Timeline:
        """Every matching article counted per ``unit``: ``"year"``, ``"month"`` or
        ``"day"`` (by default chosen by the span of their dates). Prints as a text bar chart;
        a notebook shows an SVG one.

        >>> print(index.search("cocoa").timeline("month"))  # doctest: +SKIP
        1987-02 ███████████ 7
        1987-03 ████████████████████████████████████████ 26
        """
        if unit not in (None, *UNITS):
            raise SearchlibError(f"no timeline unit {unit!r}; choose from {', '.join(UNITS)}")
        return self.timeline_counter(unit)

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
        """How many hits: ``"2 hits"``, or for part of them ``"11-20 of 57 hits"``. With
        hits standing for more versions of a story, ``"1-12 of 15 articles"``, or once the
        stories are known (the page reaching the last story, or every match ranked),
        ``"11-12 of 12 stories (15 articles)"`` (counting them otherwise would cost a search
        more than the rest of it: see ``stories``).

        >>> Results("walrus", [], count=lambda: 1).summary
        '1 hit'
        >>> Results("walrus", [], count=lambda: 1, offset=10).summary
        'none from rank 11 on, of 1 hit'
        >>> hit = Hit("a", 1, 1.0, "Walrus", Article(id="a", body=""), duplicates=2)
        >>> Results("walrus", [hit], count=lambda: 3).summary
        '1-1 of 3 articles'
        >>> Results("walrus", [hit], count=lambda: 3, stories_known=1).summary
        '1 story (3 articles)'
        """
        stories = self.stories_known
        if stories is not None and stories < self.total:
            counted = f"{stories} {'story' if stories == 1 else 'stories'} ({self.total} articles)"
            return self._page(stories, counted)
        # One hit a story: unless all are known to be single, the total counts articles.
        collapsed = self.story_counter is not None and stories is None
        noun = "article" if collapsed or any(hit.duplicates for hit in self.hits) else "hit"
        return self._page(self.total, f"{self.total} {noun if self.total == 1 else noun + 's'}")

    def _page(self, ranks: int, summary: str) -> str:
        """The ``summary`` of all ``ranks`` with this page's place among them."""
        if self and len(self) < ranks:
            return f"{self.offset + 1}-{self.offset + len(self)} of {summary}"
        if not self and self.offset and ranks:
            return f"none from rank {self.offset + 1} on, of {summary}"
        return summary

    def to_pandas(self) -> pandas.DataFrame:
        """The hits as a DataFrame, one row a hit and one column a ``HIT_KEYS`` key, ``date``
        a datetime column (needs pandas: ``pip install 'searchlib[pandas]'``).

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
        frame = pandas.DataFrame(self.to_dicts(), columns=list(HIT_KEYS))
        frame["date"] = pandas.to_datetime(frame["date"])
        return frame

    def _repr_html_(self) -> str:
        return results_html(
            self.query, self.summary, self.warnings, [hit._shown() for hit in self.hits]
        )
