"""More like this: an article's most distinctive words (frequent in it, rare in the index),
searched as plain words to find the articles most like it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from searchlib.analysis import content_words
from searchlib.articles.article import Article
from searchlib.engine.reading import Searcher
from searchlib.search.planning import Lexicon
from searchlib.search.ranking import idf

SIMILAR_WORDS = 25
"""How many of an article's most distinctive words ``Index.similar`` looks for."""


def distinctive_words(
    searcher: Searcher, lexicon: Lexicon, article: Article, versions: int = 1
) -> list[str]:
    """The article's ``SIMILAR_WORDS`` most distinctive stems, each as its commonest form in
    the article; with its story's ``versions`` counted, only words held by more articles
    than that (others could find only its own versions)."""
    forms = content_words(f"{article.headline or ''}\n{article.body}")
    stems = lexicon.stems(forms)
    commonest: dict[str, str] = {}
    for form, _ in Counter(forms).most_common():
        commonest.setdefault(stems[form], form)
    counts = Counter(stems[form] for form in forms)
    chosen = distinctive(searcher, counts, ["headline", "body"], SIMILAR_WORDS, versions)
    return [commonest[stem] for stem in chosen]


def distinctive(
    searcher: Searcher,
    counts: Mapping[str, int],
    fields: Sequence[str],
    limit: int,
    versions: int = 1,
) -> list[str]:
    """The ``limit`` terms that most set a document apart, given its terms' ``counts``: count
    times inverse document frequency (in whichever of ``fields`` holds the term most). A term
    held by no more documents than the document's ``versions`` (itself alone, by default) is
    left out: it can't find another.

    >>> class Searcher:  # 100 documents: "said" in 90 of them, "byrn" in 2, "jag" in 1
    ...     def document_count(self): return 100
    ...     def document_frequency(self, field, term): return {"said": 90, "byrn": 2}.get(term, 1)
    >>> distinctive(Searcher(), {"said": 5, "byrn": 2, "jag": 3}, ["body"], 10)
    ['byrn', 'said']
    """
    documents = searcher.document_count()
    weights: dict[str, float] = {}
    for term, count in counts.items():
        holding = max(searcher.document_frequency(field, term) for field in fields)
        if holding > versions:
            weights[term] = count * idf(documents, holding)
    return sorted(weights, key=lambda term: (-weights[term], term))[:limit]
