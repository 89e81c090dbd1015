"""Stories: the versions of one story (articles whose bodies are the same or nearly so) as
the index holds them now.

Found when asked, from the index's band postings (``searchlib.shingles``): an article's
versions are the articles sharing a band with it whose signatures agree on at least
``threshold`` of their shingles, and their versions in turn (a story is a connected
group). Nothing about a story is stored, so adding, replacing or deleting any article, in
any commit or worker segment, leaves every story right; a commit's stories are worked out
once per searcher and threshold, and only for the articles a search meets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from weakref import WeakKeyDictionary, proxy

from searchlib.articles.article import Article
from searchlib.engine.fields import BANDS_FIELD
from searchlib.engine.reading import Searcher
from searchlib.errors import SearchlibError
from searchlib.schema import to_article
from searchlib.shingles import DEFAULT_THRESHOLD, band_terms, similarity

_STORIES: WeakKeyDictionary[Searcher, dict[float, Stories]] = WeakKeyDictionary()


def check_threshold(threshold: float) -> None:
    """Refuse a similarity threshold outside (0, 1] with a clear message.

    >>> check_threshold(1.5)
    Traceback (most recent call last):
    searchlib.errors.SearchlibError: the duplicate threshold must be above 0 and at most 1, not 1.5
    """
    if not 0 < threshold <= 1:  # NaN too
        raise SearchlibError(
            f"the duplicate threshold must be above 0 and at most 1, not {threshold}"
        )


def stories(searcher: Searcher, threshold: float = DEFAULT_THRESHOLD) -> Stories:
    """The stories of the searcher's commit at ``threshold``, shared by the searches on it.

    >>> len(stories(index_folder.searcher()).story(0))  # doctest: +SKIP
    2
    """
    check_threshold(threshold)
    by_threshold = _STORIES.setdefault(searcher, {})
    if threshold not in by_threshold:
        by_threshold[threshold] = Stories(searcher, threshold)
    return by_threshold[threshold]


class Stories:
    """Which articles of one commit are versions of one story."""

    def __init__(self, searcher: Searcher, threshold: float) -> None:
        # A proxy: the cache's key (the searcher) mustn't be kept alive by its value.
        self.searcher: Searcher = proxy(searcher)
        self.threshold = threshold
        self._story: dict[int, tuple[int, ...]] = {}

    def story(self, number: int) -> tuple[int, ...]:
        """The document numbers of the story article ``number`` is a version of, in order
        (itself alone when it has no other version)."""
        found = self._story.get(number)
        if found is None:
            members, waiting = {number}, [number]
            while waiting:
                for other in self._versions(waiting.pop()):
                    if other not in members:
                        members.add(other)
                        waiting.append(other)
            found = tuple(sorted(members))
            self._story.update(dict.fromkeys(found, found))
        return found

    def _versions(self, number: int) -> Iterator[int]:
        """The articles whose bodies are alike enough to article ``number``'s."""
        signature = self.searcher.signature(number)
        candidates = self.searcher.term_documents(BANDS_FIELD, band_terms(signature))
        for other in candidates - {number}:
            if similarity(signature, self.searcher.signature(other)) >= self.threshold:
                yield other

    def count(self, numbers: Iterable[int]) -> int:
        """How many stories the articles ``numbers`` are versions of."""
        return len({self.story(number)[0] for number in numbers})

    def representative(self, story: Sequence[int]) -> int:
        """A story's earliest article: by date (undated last), then by id."""
        return min(story, key=self._age)

    def _age(self, number: int) -> tuple[bool, int, str]:
        date = self.searcher.dates()[number]
        return date is None, date or 0, str(self.searcher.stored_fields(number)["id"])

    def in_order(self, story: Sequence[int]) -> list[int]:
        """A story's articles, earliest first (its representative)."""
        return sorted(story, key=self._age)

    def every_story(self) -> list[list[int]]:
        """Every story of more than one article, largest first, then by earliest article;
        each earliest first."""
        found = {self.story(number) for number in sorted(self.searcher.all_documents())}
        shared = [self.in_order(story) for story in found if len(story) > 1]
        return sorted(shared, key=lambda story: (-len(story), self._age(story[0])))


def versions(searcher: Searcher, id: str, threshold: float) -> list[Article]:
    """The versions of the story of the article with this id, earliest first (itself too).

    >>> [article.id for article in versions(searcher, "bbc/tech/049", 0.7)]  # doctest: +SKIP
    ['bbc/tech/049', 'bbc/tech/340']
    """
    number = searcher.document_number("id", id)
    if number is None:
        raise SearchlibError(f"no article with id {id!r} in the index")
    told = stories(searcher, threshold)
    return [to_article(searcher.stored_fields(each)) for each in told.in_order(told.story(number))]


def every_story(searcher: Searcher, threshold: float) -> list[list[Article]]:
    """Every story the index holds in more than one version, largest first, each earliest
    version first.

    >>> len(every_story(searcher, 0.7))  # doctest: +SKIP
    158
    """
    return [
        [to_article(searcher.stored_fields(number)) for number in story]
        for story in stories(searcher, threshold).every_story()
    ]
