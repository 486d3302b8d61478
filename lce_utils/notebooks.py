"""Run notebooks the one LCE way: a per-cell timeout, and a failure that names the notebook and cell."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from lce_utils.errors import NotebookError

DEFAULT_CELL_TIMEOUT = 120


def _cell_label(nb: nbformat.NotebookNode, index: int | None) -> str:
    if index is None:
        return "an unknown cell"
    cell = nb.cells[index]
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index + 1} ({first[:60]!r})"


def execute_notebook(path: str | Path, *, cwd: str | Path | None = None,
                     timeout: int = DEFAULT_CELL_TIMEOUT, env: Mapping[str, str] | None = None,
                     kernel_name: str = "python3", save_to: str | Path | None = None,
                     allow_errors: bool = False) -> nbformat.NotebookNode:
    """Execute the notebook at path top to bottom and return it with outputs.

    Raises NotebookError naming the notebook and the failing cell (its number and first line)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    run_env = {**os.environ, **(env or {})}
    # Kernel log level ERROR: ipykernel 7 warns on every start that local TCP is unencrypted, which is noise here.
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=allow_errors,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    index: dict[str, int | None] = {"cell": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        index["cell"] = cell_index

    client.on_cell_start = on_cell_start
    try:
        client.execute(env=run_env)
    except CellTimeoutError as exc:
        raise NotebookError(f"{path}: {_cell_label(nb, index['cell'])} ran longer than {timeout} s") from exc
    except CellExecutionError as exc:
        reason = f"{exc.ename}: {exc.evalue}" if getattr(exc, "ename", None) else str(exc).splitlines()[0]
        raise NotebookError(f"{path}: {_cell_label(nb, index['cell'])} failed: {reason}") from exc
    except DeadKernelError as exc:
        raise NotebookError(f"{path}: the kernel died in {_cell_label(nb, index['cell'])}") from exc
    if save_to is not None:
        nbformat.write(nb, save_to)
    return nb


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs and execution counts (notebooks are committed without them)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def has_outputs(nb: nbformat.NotebookNode) -> bool:
    return any(c.cell_type == "code" and (c.get("outputs") or c.get("execution_count")) for c in nb.cells)
