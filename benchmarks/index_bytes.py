"""Where an index's bytes go: bytes per article by part (stored fields, exact forms,
positions, postings, term dictionary, the SQLite vocabulary's tables, what builds left
behind, other), for one index or a sharded one.

The engine's files are split by ``searchlib.engine.sizes`` (positions: what posting blocks
lose without them, compressed as the codec compresses; stored fields by field: each
document's compressed value shared by its fields' uncompressed sizes). SQLite databases are
split by table and index with SQLite's ``dbstat``.

    python benchmarks/index_bytes.py INDEX [--detail]
"""

from __future__ import annotations

import argparse
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

from searchlib import Index
from searchlib.engine.files import SCRATCH, is_engine_file
from searchlib.engine.sizes import engine_bytes, part_of

VOCABULARY = "vocabulary"


def index_bytes(folder: Path) -> dict[str, int]:
    """Bytes of every file under ``folder`` by part (``part/detail``; see ``part_of``)."""
    sizes: Counter[str] = Counter()
    engine_folders: set[Path] = set()
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and path.name == SCRATCH:
            engine_folders.add(path.parent)
        if path.is_dir() or SCRATCH in path.relative_to(folder).parts:
            continue
        if is_engine_file(path.name):
            engine_folders.add(path.parent)
        elif path.name.endswith(".sqlite3"):
            sizes.update(database_bytes(path))
        elif path.name.endswith((".sqlite3-wal", ".sqlite3-journal", ".sqlite3-shm")):
            sizes["left behind/database journal"] += path.stat().st_size
        else:
            sizes[f"other/{path.name}"] += path.stat().st_size
    for engine_folder in sorted(engine_folders):
        sizes.update(engine_bytes(engine_folder))
    return dict(sizes)


def database_bytes(path: Path) -> dict[str, int]:
    """A SQLite database's bytes by table and index (and free pages)."""
    size = path.stat().st_size
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            sizes = {f"{VOCABULARY}/{name}": int(used) for name, used in rows}
    except sqlite3.Error:  # a SQLite built without dbstat
        return {VOCABULARY: size}
    sizes[f"{VOCABULARY}/free pages"] = size - sum(sizes.values())
    return sizes


def table(sizes: dict[str, int], articles: int, detail: bool = False) -> str:
    """A Markdown table of bytes per article and share by part (each detail too, with
    ``detail``), largest first."""
    total = sum(sizes.values())
    parts: Counter[str] = Counter()
    for name, size in sizes.items():
        parts[part_of(name)] += size
    lines = [
        f"{total / 1e6:,.1f} MB for {articles:,} articles: {total / max(articles, 1):,.0f} bytes "
        "per article",
        "",
        "| part | bytes/article | share |",
        "|---|---:|---:|",
    ]
    for part, size in parts.most_common():
        lines.append(f"| {part} | {size / max(articles, 1):,.0f} | {size / total:.1%} |")
        if detail:
            details = [(name, size) for name, size in sizes.items() if part_of(name) == part]
            for name, size in sorted(details, key=lambda item: -item[1]):
                if name != part and size / total >= 0.001:
                    share = size / total
                    lines.append(
                        f"|   {name.partition('/')[2]} | {size / max(articles, 1):,.0f} "
                        f"| {share:.1%} |"
                    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--detail", action="store_true", help="each part by field or table")
    arguments = parser.parse_args()
    with Index(arguments.index) as index:
        articles = len(index)
    print(table(index_bytes(arguments.index), articles, arguments.detail))


if __name__ == "__main__":
    main()
