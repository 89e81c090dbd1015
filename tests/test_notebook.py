"""examples/quickstart.ipynb runs from start to end and shows its results as HTML tables."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import REPOSITORY

NOTEBOOK = REPOSITORY / "examples" / "quickstart.ipynb"
BBC = REPOSITORY.parent / "shared" / "corpora" / "bbc"  # where the notebook looks for it
_INSTALL = "is not installed (pip install '.[test]')"


def test_quickstart_notebook_runs_and_shows_html_results() -> None:
    nbclient = pytest.importorskip("nbclient", reason=f"nbclient {_INSTALL}")
    nbformat = pytest.importorskip("nbformat", reason=f"nbformat {_INSTALL}")
    pytest.importorskip("ipykernel", reason=f"ipykernel {_INSTALL}")
    pytest.importorskip("pandas", reason=f"pandas (the notebook uses to_pandas) {_INSTALL}")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # "python3" is the kernel ipykernel installs into this environment: it runs this Python.
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(REPOSITORY)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if one fails
    data = [
        output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    pages = [shown["text/html"] for shown in data if "text/html" in shown]
    assert any("<mark>Byrne</mark> <mark>JAG</mark>" in page for page in pages)
    assert any("<h4>Quotations (" in page for page in pages)  # the article's own view
    assert any("'Jeff Sessions'" in shown.get("text/plain", "") for shown in data)
    facets = _shown(notebook, 'index.search("sanctuary").facets')
    assert "'speaker': [('Jeff Sessions', 1)" in facets
    assert "('seeds', 1)" in facets
    assert "<mark>sanctuary</mark>" in _shown(notebook, "speaker:Homan")
    assert "exact forms +1.00 (byrne, jag)" in _shown(notebook, ".explain()")
    if BBC.is_dir():  # the notebook indexes it too, and shows its facets
        assert "('Jose Mourinho', " in _shown(notebook, 'search("Chelsea").facets')


def _shown(notebook: Any, source: str) -> str:
    """Everything the one code cell whose source holds ``source`` showed, as text."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    (cell,) = [cell for cell in code if source in cell.source]
    return "\n".join(
        output.get("text", "") + "".join(output.get("data", {}).values()) for output in cell.outputs
    )
