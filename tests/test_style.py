"""The code stays ruff-clean (lint and format), checked with the test dependencies."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import REPOSITORY


@pytest.mark.parametrize("arguments", [["check"], ["format", "--check"]])
def test_ruff(arguments: list[str]) -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, "searchlib", "cli", "tests", "benchmarks"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
