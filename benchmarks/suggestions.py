"""Did-you-mean, measured: real words from BBC headlines, each searched once with one typo
(a letter dropped, doubled, swapped with the next or changed, seeded at random) and once as
written. Reports how often the suggestion restores the word, and how often a correctly
typed word gets a suggestion at all.

    python benchmarks/suggestions.py [--words 200] [--seed 17] [--index DIR] [--verbose]

Without ``--index``, the BBC articles are indexed into a temporary folder first.
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
import time
from pathlib import Path

from searchlib import Index
from searchlib.analysis import TOKEN, stop_words

BBC = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "bbc"
TYPOS = ("dropped", "doubled", "swapped", "changed")


def headline_words(count: int, chooser: random.Random) -> list[str]:
    """``count`` distinct words of BBC headlines: letters only, at least 4 of them, no
    stop words."""
    found: set[str] = set()
    for path in sorted(BBC.glob("*/*.txt")):
        headline = path.read_text(encoding="latin-1").split("\n", 1)[0]
        found.update(
            word
            for word in TOKEN.findall(headline)
            if word.isalpha() and word.isascii() and len(word) >= 4
            if word.lower() not in stop_words()
        )
    return chooser.sample(sorted(found), count)


def with_typo(word: str, chooser: random.Random) -> tuple[str, str]:
    """``word`` with one typo (and its kind), at a random place; never the word itself."""
    while True:
        kind = chooser.choice(TYPOS)
        place = chooser.randrange(len(word) - (kind == "swapped"))
        if kind == "dropped":
            typed = word[:place] + word[place + 1 :]
        elif kind == "doubled":
            typed = word[: place + 1] + word[place:]
        elif kind == "swapped":
            typed = word[:place] + word[place + 1] + word[place] + word[place + 2 :]
        else:
            letter = chooser.choice(string.ascii_lowercase)
            typed = word[:place] + (letter.upper() if word[place].isupper() else letter)
            typed += word[place + 1 :]
        if typed.lower() != word.lower():
            return typed, kind


def measure(index: Index, words: list[str], chooser: random.Random, verbose: bool) -> None:
    restored = touched = 0
    by_kind: dict[str, list[int]] = {kind: [0, 0] for kind in TYPOS}
    started = time.perf_counter()
    for word in words:
        typed, kind = with_typo(word, chooser)
        suggested = index.search(typed, limit=1).suggestion
        right = suggested is not None and suggested.lower() == word.lower()
        if not right and verbose:
            print(f"  missed: {word} typed {typed} -> {suggested}")
        restored += right
        by_kind[kind][0] += right
        by_kind[kind][1] += 1
        wrongly = index.search(word, limit=1).suggestion
        if wrongly is not None:
            touched += 1
            if verbose:
                print(f"  touched: {word} -> {wrongly}")
    seconds = time.perf_counter() - started
    print(f"restored: {restored}/{len(words)} = {100 * restored / len(words):.1f}%")
    for kind, (right, total) in by_kind.items():
        print(f"  {kind}: {right}/{total}")
    print(f"touched: {touched}/{len(words)} = {100 * touched / len(words):.1f}% of correct words")
    print(f"{1000 * seconds / (2 * len(words)):.1f} ms a search")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--index", type=Path, help="an index of the BBC articles")
    parser.add_argument("--verbose", action="store_true", help="show each miss")
    arguments = parser.parse_args()
    chooser = random.Random(arguments.seed)
    words = headline_words(arguments.words, chooser)
    with tempfile.TemporaryDirectory() as workspace:
        folder = arguments.index or Path(workspace) / "bbc"
        with Index(folder) as index:
            if arguments.index is None:
                index.add_folder(BBC)
            measure(index, words, chooser, arguments.verbose)


if __name__ == "__main__":
    main()
