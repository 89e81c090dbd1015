"""Reaching a Dask cluster: Dask's distributed scheduler is imported here, and only when a
build or a search asks for a cluster, so that searching in one process never loads it."""

from __future__ import annotations

import importlib
import threading
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


CONNECT_SECONDS = 30
"""How long reaching a scheduler may take before it is called unreachable."""


def connect(scheduler: str, needed_for: str) -> Any:
    """A client of the Dask scheduler at ``scheduler`` (``tcp://host:8786``); close it.

    >>> connect("tcp://127.0.0.1:8786", "searching on a cluster")  # doctest: +SKIP
    <Client: 'tcp://127.0.0.1:8786' processes=2 threads=2, memory=3.73 GiB>
    """
    client = distributed(needed_for).Client
    outcome: list[Any] = []

    def connecting() -> None:
        try:
            outcome.append(client(scheduler, timeout=CONNECT_SECONDS))
        except BaseException as error:  # whatever answered there, it is no scheduler
            outcome.append(error)

    # Dask's own timeout doesn't cover a listener that accepts and never answers: the
    # connection is made in a thread of its own, waited for this long and then given up.
    thread = threading.Thread(target=connecting, daemon=True, name="searchlib-connect")
    thread.start()
    thread.join(CONNECT_SECONDS + 5)
    if not outcome:
        raise SearchlibError(
            f"can't reach the Dask scheduler at {scheduler}: no answer in {CONNECT_SECONDS} s"
        )
    if isinstance(outcome[0], BaseException):
        message = f"can't reach the Dask scheduler at {scheduler}: {one_line(outcome[0])}"
        raise SearchlibError(message) from outcome[0]
    return outcome[0]


def one_line(error: BaseException) -> str:
    """An error in one line of at most some 200 characters, its type first (Dask's
    messages may span lines, or be empty).

    >>> one_line(MemoryError("Unable to allocate 2.82 EiB for an array"))
    'MemoryError: Unable to allocate 2.82 EiB for an array'
    """
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
