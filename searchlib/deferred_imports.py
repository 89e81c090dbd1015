"""Keeping a dependency's unused imports off the start-up path.

Whoosh imports ``urllib.request`` (for a download helper) and, through the
``cached_property`` package, ``asyncio``; searchlib uses neither, and the two cost about a
quarter of a cold ``search``. While Whoosh is imported, each stands in as a small module
whose few attributes forward to the real one when called; the stand-ins are removed from
``sys.modules`` afterwards, so any later ``import asyncio`` gets the real module.

NLTK's package imports most of NLTK (and NumPy and SciPy, when installed) for features
searchlib never uses; an indexing worker imports its stemmer without them (``submodule_alone``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


def forwarder(module: str, name: str) -> Callable[..., Any]:
    """A function that imports ``module`` when called and calls its ``name``.

    >>> forwarder("math", "sqrt")(9.0)
    3.0
    """

    def forward(*args: Any, **keywords: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **keywords)

    forward.__name__ = name
    return forward


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            raise AttributeError(f"{self.__name__}.{name} is not available during start-up")
        return getattr(importlib.import_module(self.__name__), name)


@contextmanager
def deferring(stand_ins: Mapping[str, Mapping[str, Any]]) -> Iterator[None]:
    """Within the block, modules not yet imported are stand-ins with the given attributes.

    >>> with deferring({"colorsys": {"rgb_to_hsv": forwarder("colorsys", "rgb_to_hsv")}}):
    ...     import colorsys
    >>> "colorsys" in sys.modules, colorsys.rgb_to_hsv(1.0, 0.0, 0.0)
    (False, (0.0, 1.0, 1.0))
    """
    installed = {}
    for name, attributes in stand_ins.items():
        if name not in sys.modules:
            module = _StandIn(name)
            module.__dict__.update(attributes)
            installed[name] = sys.modules[name] = module
    try:
        yield
    finally:
        for name, module in installed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


@contextmanager
def blocking(names: Iterable[str]) -> Iterator[None]:
    """Within the block, modules not yet imported can't be, as if not installed: for a
    dependency that imports them only for features searchlib never uses, and falls back
    without them. It keeps that fallback afterwards, so block only in a process that needs
    nothing else of it (an indexing worker).

    >>> with blocking(["tabnanny"]):
    ...     try:
    ...         import tabnanny
    ...     except ImportError:
    ...         print("blocked")
    blocked
    >>> import tabnanny  # and importable again after the block
    """
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        # None in sys.modules is Python's mark for a module that can't be imported.
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def submodule_alone(
    package: str, submodule: str, stand_ins: Mapping[str, Mapping[str, Any]]
) -> types.ModuleType:
    """Import ``package.submodule`` without running the package's ``__init__``, with
    ``stand_ins`` for modules it imports only for features never used; a normal import if
    that fails (a later release may need more). The package stays hollow afterwards, so
    only a process that needs nothing else of it may call this (an indexing worker).

    >>> submodule_alone("json", "decoder", {}).JSONDecoder().decode("[1]")
    [1]
    """
    name = f"{package}.{submodule}"
    if package not in sys.modules:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations is not None:
            hollow = sys.modules[package] = types.ModuleType(package)
            hollow.__path__ = list(spec.submodule_search_locations)
            try:
                with deferring(stand_ins):
                    return importlib.import_module(name)
            except (ImportError, AttributeError):
                for loaded in [key for key in sys.modules if key.partition(".")[0] == package]:
                    del sys.modules[loaded]
    return importlib.import_module(name)
