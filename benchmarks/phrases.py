"""Phrases: searchlib's phrase matching against Whoosh's phrase query, on one index.

For each phrase of news_phrases (below), the documents holding it in the body are found
both ways (searchlib reads each word's positions a block at a time; Whoosh's ``Phrase``
walks its matchers posting by posting), which must agree; then the whole phrase search
(best 10 with titles), common words included ("Bank of England": the text of each
candidate is read to check "of"). Times are the best of 3, in milliseconds.

Without ``--index``, an index of ``--size`` resampled articles is built first (as
benchmarks/scale.py makes them).

    python benchmarks/phrases.py [--index PATH | --size 50000]
"""

from __future__ import annotations

import statistics
import tempfile
import warnings
from itertools import pairwise
from pathlib import Path

from scale import best_of, index_arguments, measured_index
from whoosh.query import Phrase

from searchlib.analysis import Stemmer, written_words

NEWS_PHRASES = [
    "oil prices", "interest rates", "Bank of England", "stock market", "prime minister",
    "trade deficit", "mobile phone", "the United States", "chief executive", "world cup",
]  # fmt: skip


def main() -> None:
    arguments = index_arguments(__doc__)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="searchlib-phrases-") as workspace:
        index = measured_index(arguments.index, arguments.size, Path(workspace))
        if index is None:
            return
        with index:
            searcher = index._folder.searcher()
            print(f"{searcher.document_count():,} articles\n")
            print("| phrase | body matches | searchlib ms | Whoosh ms | search ms (best 10) |")
            print("|---|---|---|---|---|")
            ratios = []
            for phrase in NEWS_PHRASES:
                tokens = Stemmer().stems(written_words(phrase))  # None: a common word
                stems = [stem for stem in tokens if stem]
                # As searchlib plans it: words as far apart as the common words between put them.
                places = [place for place, stem in enumerate(tokens) if stem]
                slop = max((later - earlier for earlier, later in pairwise(places)), default=1) - 1
                query = Phrase("body", stems, slop=slop + 1)
                ours = searcher.phrase_documents("body", stems, slop)
                whooshs = set(searcher._searcher.docs_for_query(query))
                if ours != whooshs:
                    raise SystemExit(f"different matches for {phrase!r}")
                ours_ms = best_of(3, lambda: searcher.phrase_documents("body", stems, slop))  # noqa: B023
                whoosh_ms = best_of(3, lambda: set(searcher._searcher.docs_for_query(query)))  # noqa: B023
                search_ms = best_of(
                    3,
                    lambda: [hit.title for hit in index.search(f'"{phrase}"', timeout=None)],  # noqa: B023
                )
                ratios.append(ours_ms / whoosh_ms)
                print(
                    f"| {phrase} | {len(ours):,} | {ours_ms:.1f} | {whoosh_ms:.1f} "
                    f"| {search_ms:.1f} |"
                )
    print(f"\nsearchlib / Whoosh, median over the phrases: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
