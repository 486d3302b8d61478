"""Every notebook in the repository runs top to bottom with its default parameters."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from lce_utils.notebooks import execute_notebook
from lce_utils.paths import GENERATED_DIRS, ROOT

CELL_TIMEOUT = 180


def repository_notebooks() -> list[Path]:
    """Every .ipynb outside generated folders (what a fresh checkout holds, plus work in progress)."""
    skip = tuple(ROOT / d for d in GENERATED_DIRS)
    found = []
    for path in sorted(ROOT.rglob("*.ipynb")):
        if any(path.is_relative_to(s) for s in skip) or any(p.startswith(".") for p in path.relative_to(ROOT).parts):
            continue
        found.append(path)
    return found


NOTEBOOKS = repository_notebooks()


def test_notebooks_are_found():
    assert ROOT / "index.ipynb" in NOTEBOOKS, f"index.ipynb not among {NOTEBOOKS}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path):
    env = {
        "LCE_TEST": "1",
        "LCE_MENTORSHIP_DB": f"sqlite:///{tmp_path / 'mentorship.db'}",
        "PATH": f"{Path(os.sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # The notebook's own folder is the working directory, as in JupyterLab and Voila; NotebookError
    # (raised on failure) names the notebook and the cell.
    execute_notebook(path, cwd=path.parent, timeout=CELL_TIMEOUT, env=env)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_parameter_cells_are_tagged(path: Path):
    """A cell that looks like a parameter cell carries the `parameters` tag papermill needs."""
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) <= 1, f"{path}: more than one cell tagged 'parameters'"
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().lower().startswith(("# parameters", "# parametrar")):
            assert cell in tagged, f"{path}: the parameter cell is not tagged 'parameters'"
