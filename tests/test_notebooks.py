"""The notebooks in examples/notebooks run top to bottom without error (so they cannot drift).

Each is kept as a jupytext percent-format ``.py``; the test reads it as a notebook and executes
it in a fresh kernel with nbclient. A failing cell fails the test with the cell's traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(path):
    jupytext = pytest.importorskip("jupytext", reason="the notebook tests need the test extra")
    nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the test extra")
    pytest.importorskip("ipykernel", reason="the notebook tests need the test extra")
    notebook = jupytext.read(path)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ") and "?" in \
        first.source.splitlines()[0], "a notebook opens with the question it answers"
    # execute() raises CellExecutionError, with the cell's traceback, at the first cell that
    # fails; force_raise_errors makes that hold even for a cell tagged raises-exception.
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     force_raise_errors=True,
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
