"""Versions of one story: are they found, and only they?

- BBC (../shared/corpora/bbc): the articles whose bodies are the same, spacing aside
  (byte-identical files among them); every such pair should be one story.
- A synthetic set: articles of BBC and Reuters-21578 (bodies of 80 words or more), each with
  an edited copy: sentences dropped, sentences reordered, a paragraph added (from another
  article), the headline rewritten, words changed. Each pair's true shingle similarity
  (Jaccard of five-word shingles, ``searchlib.shingles``) says whether it should be one
  story (0.8 or more) or must not (under 0.5). Reported: recall of the pairs of 0.8 or
  more, the share of collapsed pairs (every two articles of one story) under 0.5, and per
  kind of edit its recall and precision (collapsed pairs of 0.5 or more).

    python benchmarks/duplicates.py [--per-corpus 400] [--threshold 0.7] [--seed 7]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

from searchlib import Article, Index
from searchlib.analysis import content_words
from searchlib.shingles import DEFAULT_THRESHOLD, jaccard, shingles

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
BBC = CORPORA / "bbc"
REUTERS = CORPORA / "news-large" / "reuters21578.jsonl.gz"
SENTENCE = re.compile(r"(?<=[.!?])\s+")
Edit = Callable[[Article, random.Random, list[Article]], Article]


def words_of(article: Article) -> set[int]:
    return shingles(content_words(article.body))


def bbc_twins(threshold: float) -> None:
    """Every pair of BBC articles with the same body: how many are one story."""
    with tempfile.TemporaryDirectory() as folder, Index(Path(folder) / "index") as index:
        index.add_folder(BBC)
        searcher = index._folder.searcher()
        articles = [searcher.stored_fields(n) for n in sorted(searcher.all_documents())]
        by_body: dict[str, list[str]] = defaultdict(list)
        by_bytes: dict[bytes, list[str]] = defaultdict(list)
        for stored in articles:
            by_body[" ".join(stored["body"].split())].append(stored["id"])
            if stored.get("path"):
                by_bytes[Path(stored["path"]).read_bytes()].append(stored["id"])
        pairs = [pair for ids in by_body.values() for pair in combinations(sorted(ids), 2)]
        identical = sum(len(ids) * (len(ids) - 1) // 2 for ids in by_bytes.values())
        story = {
            article.id: number
            for number, versions in enumerate(index.duplicates(threshold=threshold))
            for article in versions
        }
        found = sum(1 for one, other in pairs if story.get(one, -1) == story.get(other, -2))
        twins = len({id for pair in pairs for id in pair})
        print(
            f"BBC: {twins} articles in {len(pairs)} pairs with the same body "
            f"({identical} pairs byte-identical): {found} pairs one story "
            f"({found / max(1, len(pairs)):.1%}); {len(story)} articles in "
            f"{len(set(story.values()))} stories of more than one version"
        )


def sources(per_corpus: int, chooser: random.Random) -> list[Article]:
    """``per_corpus`` articles of BBC and of Reuters with bodies of 80 words or more."""
    bbc = []
    for path in sorted(BBC.glob("*/*.txt")):
        headline, _, body = path.read_text(encoding="latin-1").partition("\n")
        bbc.append(Article(id=f"bbc/{path.parent.name}/{path.stem}", body=body, headline=headline))
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        reuters = [json.loads(line) for line in lines]
    reuters_articles = [
        Article(id=record["id"], body=record.get("body") or "", headline=record.get("headline"))
        for record in reuters
    ]
    chosen = []
    for corpus in (bbc, reuters_articles):
        long_enough = [article for article in corpus if len(article.body.split()) >= 80]
        seen_bodies: set[str] = set()
        unique = [a for a in long_enough if not (a.body in seen_bodies or seen_bodies.add(a.body))]
        chosen += chooser.sample(unique, per_corpus)
    return chosen


def _sentences(body: str) -> list[str]:
    return [sentence for sentence in SENTENCE.split(body) if sentence.strip()]


def drop_sentences(article: Article, chooser: random.Random, others: list[Article]) -> Article:
    sentences = _sentences(article.body)
    dropped = set(
        chooser.sample(range(len(sentences)), min(len(sentences) - 1, chooser.randint(1, 3)))
    )
    body = " ".join(s for n, s in enumerate(sentences) if n not in dropped)
    return Article(id="", body=body, headline=article.headline)


def reorder_sentences(article: Article, chooser: random.Random, others: list[Article]) -> Article:
    sentences = _sentences(article.body)
    for _ in range(chooser.randint(1, 3)):
        moved = sentences.pop(chooser.randrange(len(sentences)))
        sentences.insert(chooser.randrange(len(sentences) + 1), moved)
    return Article(id="", body=" ".join(sentences), headline=article.headline)


def add_paragraph(article: Article, chooser: random.Random, others: list[Article]) -> Article:
    donor = _sentences(chooser.choice(others).body)
    start = chooser.randrange(len(donor))
    paragraph = " ".join(donor[start : start + chooser.randint(1, 3)])
    return Article(id="", body=f"{article.body}\n\n{paragraph}", headline=article.headline)


def rewrite_headline(article: Article, chooser: random.Random, others: list[Article]) -> Article:
    return Article(id="", body=article.body, headline=f"UPDATE: {chooser.choice(others).headline}")


def change_words(article: Article, chooser: random.Random, others: list[Article]) -> Article:
    tokens = article.body.split(" ")
    share = chooser.choice((0.01, 0.02, 0.04, 0.08))
    vocabulary = [word for other in others[:50] for word in other.body.split()]
    for place in chooser.sample(range(len(tokens)), max(1, int(len(tokens) * share))):
        tokens[place] = chooser.choice(vocabulary)
    return Article(id="", body=" ".join(tokens), headline=article.headline)


EDITS: dict[str, Edit] = {
    "sentences dropped": drop_sentences,
    "sentences reordered": reorder_sentences,
    "paragraph added": add_paragraph,
    "headline rewritten": rewrite_headline,
    "words changed": change_words,
}


def synthetic(per_corpus: int, threshold: float, seed: int) -> None:
    chooser = random.Random(seed)
    originals = sources(per_corpus, chooser)
    kinds = list(EDITS)
    copies, kind_of = [], {}
    for number, original in enumerate(originals):
        kind = kinds[number % len(kinds)]
        edited = EDITS[kind](original, chooser, originals)
        edited.id = f"{original.id}/copy"
        copies.append(edited)
        kind_of[edited.id] = kind
    everything = {article.id: article for article in [*originals, *copies]}
    shingled = {id: words_of(article) for id, article in everything.items()}
    with tempfile.TemporaryDirectory() as folder, Index(Path(folder) / "index") as index:
        index.add(*everything.values())
        stories = index.duplicates(threshold=threshold)
    story = {article.id: n for n, versions in enumerate(stories) for article in versions}
    collapsed = [
        (one.id, other.id) for versions in stories for one, other in combinations(versions, 2)
    ]
    similarity = {pair: jaccard(shingled[pair[0]], shingled[pair[1]]) for pair in collapsed}
    low = sum(1 for value in similarity.values() if value < 0.5)
    intended = [(original.id, copy.id) for original, copy in zip(originals, copies, strict=True)]
    truth = {pair: jaccard(shingled[pair[0]], shingled[pair[1]]) for pair in intended}
    near = [pair for pair in intended if truth[pair] >= 0.8]
    found = [pair for pair in near if story.get(pair[0], -1) == story.get(pair[1], -2)]
    print(
        f"synthetic: {len(originals)} articles (BBC and Reuters), each with an edited copy; "
        f"threshold {threshold}"
    )
    print(
        f"  pairs of shingle similarity >= 0.8: {len(found)}/{len(near)} found "
        f"({len(found) / max(1, len(near)):.1%}); collapsed pairs: {len(collapsed)}, "
        f"{low} under 0.5 ({low / max(1, len(collapsed)):.2%})"
    )
    print(
        f"  {'edit':22} {'pairs':>5} {'mean J':>7} {'J>=0.8':>6} {'recall':>7} {'found':>6} "
        f"{'precision':>9}"
    )
    for kind in kinds:
        pairs = [pair for pair in intended if kind_of[pair[1]] == kind]
        wanted = [pair for pair in pairs if truth[pair] >= 0.8]
        got = [pair for pair in pairs if story.get(pair[0], -1) == story.get(pair[1], -2)]
        recall = sum(1 for pair in got if truth[pair] >= 0.8) / max(1, len(wanted))
        involving = [
            pair
            for pair in collapsed
            if kind_of.get(pair[0]) == kind or kind_of.get(pair[1]) == kind
        ]
        precise = sum(1 for pair in involving if similarity[pair] >= 0.5) / max(1, len(involving))
        mean = sum(truth[pair] for pair in pairs) / max(1, len(pairs))
        print(
            f"  {kind:22} {len(pairs):5} {mean:7.2f} {len(wanted):6} {recall:7.1%} "
            f"{len(got):6} {precise:9.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-corpus", type=int, default=400)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="bbc,synthetic")
    options = parser.parse_args()
    if not (BBC.is_dir() and REUTERS.is_file()):
        sys.exit(f"missing corpora under {CORPORA}")
    if "bbc" in options.only:
        bbc_twins(options.threshold)
    if "synthetic" in options.only:
        synthetic(options.per_corpus, options.threshold, options.seed)


if __name__ == "__main__":
    main()
