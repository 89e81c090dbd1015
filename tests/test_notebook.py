"""examples/quickstart.ipynb runs from start to end and shows its results as HTML tables."""

from __future__ import annotations

import pytest

from .conftest import REPOSITORY

NOTEBOOK = REPOSITORY / "examples" / "quickstart.ipynb"
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
