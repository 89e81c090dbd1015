"""Stories: the versions of one story (articles whose bodies are the same or nearly so) as
the index holds them now.

Found when asked, from the band keys in the index's database (``searchlib.shingles``): an
article's versions are the live articles that had a band key of its body and whose
signatures, as the searcher reads them now, agree on at least ``threshold`` of their
shingles, and their versions in turn (a story is a connected group). Nothing about a story
is stored, so adding, replacing or deleting any article, in any commit or worker segment,
leaves every story right; a commit's stories are worked out once per searcher and
threshold, and only for the articles a search shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from weakref import WeakKeyDictionary, proxy

from searchlib.articles.article import Article
from searchlib.engine.reading import Searcher
from searchlib.errors import SearchlibError
from searchlib.schema import to_article
from searchlib.shingles import DEFAULT_THRESHOLD, band_keys, similarity
from searchlib.storage.vocabulary import Vocabulary

_STORIES: WeakKeyDictionary[Searcher, dict[float, Stories]] = WeakKeyDictionary()


def check_threshold(threshold: float) -> None:
    """Refuse a similarity threshold that is no number in (0, 1], with a clear message.

    >>> check_threshold(1.5)
    Traceback (most recent call last):
    searchlib.errors.SearchlibError: the duplicate threshold must be above 0 and at most 1, not 1.5
    """
    if not isinstance(threshold, int | float) or not 0 < threshold <= 1:  # NaN too
        raise SearchlibError(
            f"the duplicate threshold must be above 0 and at most 1, not {threshold}"
        )


def stories(
    searcher: Searcher, vocabulary: Vocabulary, threshold: float = DEFAULT_THRESHOLD
) -> Stories:
    """The stories of the searcher's commit at ``threshold`` (band keys from the index's
    ``vocabulary``), shared by the searches on it.

    >>> len(stories(folder.searcher(), folder.vocabulary).story(0))  # doctest: +SKIP
    2
    """
    check_threshold(threshold)
    by_threshold = _STORIES.setdefault(searcher, {})
    if threshold not in by_threshold:
        by_threshold[threshold] = Stories(searcher, vocabulary, threshold)
    return by_threshold[threshold]


MOST_CANDIDATES = 50
"""Articles compared with one for being its versions before only those sharing two or more
of its bands are: many articles sharing a single band share boilerplate (a sign-off, a
standard paragraph), not a story, and comparing each with each would take a search
minutes; versions of one story share most of their bands (an article like another at 0.9
shares five of its eight on average)."""


def candidates(sharers: Counter[str]) -> list[str]:
    """The ids worth comparing with an article, given how many of its band keys each
    article shared (``Vocabulary.band_sharers``: itself among them, sharing them all).

    >>> candidates(Counter({"itself": 8, "twin": 8, "cousin": 1}))
    ['itself', 'twin', 'cousin']
    >>> candidates(Counter({"itself": 8, "edited": 5, **{f"sign-off {n}": 1 for n in range(60)}}))
    ['itself', 'edited']
    """
    if len(sharers) <= MOST_CANDIDATES:
        return list(sharers)
    return [article_id for article_id, count in sharers.items() if count > 1]


class Stories:
    """Which articles of one commit are versions of one story."""

    def __init__(self, searcher: Searcher, vocabulary: Vocabulary, threshold: float) -> None:
        # A proxy: the cache's key (the searcher) mustn't be kept alive by its value.
        self.searcher: Searcher = proxy(searcher)
        self.vocabulary = vocabulary
        self.threshold = threshold
        self._story: dict[int, tuple[int, ...]] = {}

    def story(self, number: int) -> tuple[int, ...]:
        """The document numbers of the story article ``number`` is a version of, in order
        (itself alone when it has no other version)."""
        found = self._story.get(number)
        if found is None:
            members, waiting = {number}, [number]
            member_ids: set[str] = set()
            # Versions with the same body have the same candidates: each body is read once,
            # so a story of n copies costs n look-ups, not n squared.
            bodies_read: set[bytes] = set()
            while waiting:
                signature = self.searcher.signature(waiting.pop())
                if signature in bodies_read:
                    continue
                bodies_read.add(signature)
                for other in self._versions(signature, members, member_ids):
                    members.add(other)
                    waiting.append(other)
            found = tuple(sorted(members))
            self._story.update(dict.fromkeys(found, found))
        return found

    def _versions(self, signature: bytes, members: set[int], member_ids: set[str]) -> Iterator[int]:
        """The articles, not yet ``members`` (whose ids found so far are ``member_ids``), whose
        bodies are alike enough to the one with this signature."""
        for article_id in candidates(self.vocabulary.band_sharers(band_keys(signature))):
            if article_id in member_ids:
                continue
            # None: deleted (its keys stay); replaced by another story, it fails.
            other = self.searcher.document_number("id", article_id)
            if other is None:
                continue
            if other in members:
                member_ids.add(article_id)
            elif similarity(signature, self.searcher.signature(other)) >= self.threshold:
                member_ids.add(article_id)
                yield other

    @cached_property
    def sharing(self) -> frozenset[int]:
        """The live articles that had a band key with another article: only they can have
        versions (every version of a story is a candidate of another)."""
        return frozenset(self.searcher.term_documents("id", self.vocabulary.sharing_ids()))

    def count(self, numbers: Iterable[int]) -> int:
        """How many stories the articles ``numbers`` are versions of."""
        numbers = set(numbers)
        alone = numbers - self.sharing
        return len(alone) + len({self.story(number)[0] for number in numbers - alone})

    def reaches(self, numbers: Iterable[int], wanted: int) -> bool:
        """Whether the articles ``numbers`` tell at least ``wanted`` stories (looking no
        further than it takes)."""
        heads: set[int] = set()
        for number in numbers:
            if len(heads) >= wanted:
                return True
            heads.add(self.story(number)[0])
        return len(heads) >= wanted

    def _age(self, number: int) -> tuple[bool, int, str]:
        date = self.searcher.dates()[number]
        return date is None, date or 0, str(self.searcher.stored_fields(number)["id"])

    def in_order(self, story: Sequence[int]) -> list[int]:
        """A story's articles, earliest first (by date, undated last, then by id)."""
        return sorted(story, key=self._age)

    def every_story(self) -> list[list[int]]:
        """Every story of more than one article, largest first, then by earliest article;
        each earliest first."""
        found = {self.story(number) for number in sorted(self.sharing)}
        shared = [self.in_order(story) for story in found if len(story) > 1]
        return sorted(shared, key=lambda story: (-len(story), self._age(story[0])))


def versions(
    searcher: Searcher, vocabulary: Vocabulary, id: str, threshold: float
) -> list[Article]:
    """The versions of the story of the article with this id, earliest first (itself too).

    >>> found = versions(searcher, vocabulary, "bbc/tech/049", 0.7)  # doctest: +SKIP
    >>> [article.id for article in found]  # doctest: +SKIP
    ['bbc/tech/049', 'bbc/tech/340']
    """
    number = searcher.document_number("id", id)
    if number is None:
        raise SearchlibError(f"no article with id {id!r} in the index")
    told = stories(searcher, vocabulary, threshold)
    return [to_article(searcher.stored_fields(each)) for each in told.in_order(told.story(number))]


def every_story(
    searcher: Searcher, vocabulary: Vocabulary, threshold: float
) -> list[list[Article]]:
    """Every story the index holds in more than one version, largest first, each earliest
    version first.

    >>> len(every_story(searcher, vocabulary, 0.7))  # doctest: +SKIP
    158
    """
    return [
        [to_article(searcher.stored_fields(number)) for number in story]
        for story in stories(searcher, vocabulary, threshold).every_story()
    ]
