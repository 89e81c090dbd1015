"""The house: rooms along the data flow, imports only downwards, no cycles, Whoosh only in
the engine, click only in the command line, no module too big to hold one idea, and a
query path that never loads what only indexing needs."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPOSITORY

SOURCES = {"searchlib": REPOSITORY / "searchlib", "searchlib_cli": REPOSITORY / "cli"}
MAX_LINES = 400
ROOMS = [
    # Each room may import its own modules and the rooms of earlier layers only.
    ["searchlib.errors", "searchlib.data", "searchlib.deferred_imports", "searchlib.notebook"],
    ["searchlib.analysis", "searchlib.shingles", "searchlib.clusters"],
    ["searchlib.articles"],
    ["searchlib.schema"],
    ["searchlib.engine"],
    ["searchlib.storage"],
    ["searchlib.results"],
    ["searchlib.search", "searchlib.indexing"],
    ["searchlib.index", "searchlib.evaluate"],
    ["searchlib"],
    ["searchlib_cli"],
]
LAYER = {room: layer for layer, rooms in enumerate(ROOMS) for room in rooms}


def modules() -> dict[str, Path]:
    """Every module of the library and the command line, by dotted name."""
    found = {}
    for package, folder in SOURCES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported(path: Path) -> Iterator[str]:
    """Every module name an import statement of ``path`` names, wherever it stands
    (function bodies and ``TYPE_CHECKING`` blocks count: they are dependencies too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def dependencies() -> dict[str, set[str]]:
    """Each module's imports of other modules of ours (a name imported from a package is
    the package, unless it is a module of it)."""
    ours = modules()
    return {
        name: {each for each in imported(path) if each in ours and each != name}
        for name, path in ours.items()
    }


def room(module: str) -> str:
    """The room a module stands in: its longest prefix that names one."""
    parts = module.split(".")
    return next(
        ".".join(parts[:end]) for end in range(len(parts), 0, -1) if ".".join(parts[:end]) in LAYER
    )


def test_every_module_is_in_a_room() -> None:
    for name in modules():
        assert room(name) in LAYER, name


def test_imports_go_down_the_data_flow_only() -> None:
    upward = [
        f"{name} imports {target}"
        for name, targets in dependencies().items()
        for target in targets
        if room(target) != room(name) and LAYER[room(target)] >= LAYER[room(name)]
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    graph = dependencies()
    state: dict[str, str] = {}
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize(
    ("dependency", "allowed"), [("whoosh", "searchlib.engine"), ("click", "searchlib_cli")]
)
def test_a_dependency_is_imported_in_its_own_room_only(dependency: str, allowed: str) -> None:
    importers = {
        name
        for name, path in modules().items()
        if any(each.split(".")[0] == dependency for each in imported(path))
    }
    assert importers and {name for name in importers if room(name) != allowed} == set()


def test_no_module_is_too_big_to_hold_one_idea() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def test_every_package_is_installed() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    configuration = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    listed = set(configuration["tool"]["setuptools"]["packages"])
    packages = {name for name, path in modules().items() if path.name == "__init__.py"} | {
        "searchlib_cli"
    }
    assert packages == listed


def test_a_search_loads_nothing_that_only_indexing_needs(tmp_path: Path) -> None:
    from searchlib import Article, Index

    with Index(tmp_path / "index") as index:
        index.add(Article(id="a1", body="Byrne JAG grants."))
    script = (
        "import sys; from searchlib import Index\n"
        f"with Index({str(tmp_path / 'index')!r}) as index:\n"
        "    assert index.search('byrne')[0].snippet.text\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    never = {"nltk", "numpy", "asyncio", "urllib.request", "searchlib.indexing.folders"}
    never |= {"searchlib.articles.parse", "searchlib.articles.files", "click"}
    assert loaded & never == set()
