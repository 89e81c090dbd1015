"""Keeping a dependency's unused imports off the start-up path.

Whoosh imports ``urllib.request`` (for a download helper) and, through the
``cached_property`` package, ``asyncio``; searchlib uses neither, and the two cost about a
quarter of a cold ``search``. While Whoosh is imported, each stands in as a small module
whose few attributes forward to the real one when called; the stand-ins are removed from
``sys.modules`` afterwards, so any later ``import asyncio`` gets the real module.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator, Mapping
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
