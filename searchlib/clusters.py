"""Reaching a Dask cluster: Dask's distributed scheduler is imported here, and only when a
build or a search asks for a cluster, so that searching in one process never loads it."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from searchlib.errors import SearchlibError

INSTALL = "pip install 'searchlib[dask]'"


def distributed(needed_for: str) -> ModuleType:
    """``dask.distributed``, or a ``SearchlibError`` saying that what is ``needed_for``
    needs it and how to install it.

    >>> distributed("building").__name__  # doctest: +SKIP
    'dask.distributed'
    """
    try:
        return importlib.import_module("dask.distributed")
    except ImportError as error:
        raise SearchlibError(f"{needed_for} needs Dask: {INSTALL}") from error


def connect(scheduler: str, needed_for: str) -> Any:
    """A client of the Dask scheduler at ``scheduler`` (``tcp://host:8786``); close it.

    >>> connect("tcp://127.0.0.1:8786", "searching on a cluster")  # doctest: +SKIP
    <Client: 'tcp://127.0.0.1:8786' processes=2 threads=2, memory=3.73 GiB>
    """
    client = distributed(needed_for).Client
    try:
        return client(scheduler, timeout=30)
    except (OSError, ValueError, TypeError) as error:
        message = f"can't reach the Dask scheduler at {scheduler}: {error}"
        raise SearchlibError(message) from error
