"""Run notebooks the one LCE way: papermill injects the parameters (after the cell tagged `parameters`) and runs
every cell with a per-cell timeout; a failure is one NotebookError naming the notebook and the cell.

Labs (`lce_utils.engagement.run`), report templates (`lce_utils.reports.execute`), case checks and the test that
runs every notebook in the repository all come here."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from lce_utils.errors import NotebookError

DEFAULT_CELL_TIMEOUT = 120
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


def first_line(text: str) -> str:
    """The first non-empty line of text (errors are one line)."""
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def _cell_label(nb: nbformat.NotebookNode, index: int | None, quote_source: bool = True) -> str:
    if index is None or not 0 <= index < len(nb.cells):
        return "an unknown cell"
    if not quote_source:
        return f"cell {index + 1}"
    return f"cell {index + 1} ({first_line(nb.cells[index].source)[:60]!r})"


def _kernel_manager(cwd: Path, env: Mapping[str, str] | None) -> type[AsyncKernelManager]:
    """A kernel manager class whose kernels start in cwd with env on top of this process's environment.

    Neither this process's working folder nor os.environ is changed (papermill's own cwd= changes the process's
    folder, so two notebooks run from two threads started in one folder)."""
    extra = dict(env or {})

    class KernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            kw["cwd"] = str(cwd)
            if extra:
                kw["env"] = {**(kw.get("env") or os.environ), **extra}
            return await super()._async_pre_start_kernel(**kw)

    return KernelManager


def parameterise(nb: nbformat.NotebookNode, parameters: Mapping[str, Any], *, name: str = "notebook",
                 kernel_name: str = "python3") -> nbformat.NotebookNode:
    """A copy of nb with papermill's cell (tagged injected-parameters) setting parameters right after the cell
    tagged `parameters`; NotebookError when nb has no such cell (papermill would put it first, silently)."""
    from papermill.parameterize import parameterize_notebook

    if not any(PARAMETERS_TAG in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise NotebookError(f"{name}: the notebook has no cell tagged 'parameters'")
    return parameterize_notebook(_for_papermill(nb), dict(parameters), kernel_name=kernel_name, language="python")


def _for_papermill(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with the metadata papermill's own loader (papermill.iorw.load_notebook_node) adds."""
    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("papermill", {"default_parameters": {}, "parameters": {}, "environment_variables": {}})
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    return nb


KERNEL_START_RACE = "Kernel died before replying to kernel_info"


def run_notebook(source: str | Path | nbformat.NotebookNode, parameters: Mapping[str, Any] | None = None, *,
                 name: str | None = None, cwd: str | Path | None = None, timeout: int = DEFAULT_CELL_TIMEOUT,
                 env: Mapping[str, str] | None = None, kernel_name: str = "python3",
                 save_to: str | Path | None = None, log_level: str = "ERROR",
                 quote_source: bool = True) -> nbformat.NotebookNode:
    """Execute source (a path or a notebook) top to bottom with papermill and return it with outputs.

    parameters, when given, are injected after the `parameters` cell; name labels errors (default: the path);
    cwd is the kernel's working folder (default: the notebook's folder); env is added to the kernel's
    environment. Raises NotebookError naming the notebook and the failing cell (its number and, with
    quote_source, its first line: a published report's build log names the cell by number only)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    if isinstance(source, nbformat.NotebookNode):
        nb = _for_papermill(source)
        label = name or "notebook"
        folder = Path(cwd) if cwd is not None else Path.cwd()
    else:
        path = Path(source)
        nb = _for_papermill(nbformat.read(path, as_version=4))
        label = name or str(path)
        folder = Path(cwd) if cwd is not None else path.parent
    if parameters:
        nb = parameterise(nb, parameters, name=label, kernel_name=kernel_name)
    index: dict[str, int | None] = {"cell": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        index["cell"] = cell_index

    def execute() -> nbformat.NotebookNode:
        # Kernel log level ERROR: ipykernel 7 warns on every start that local TCP is unencrypted, which is noise.
        return pm.execute_notebook(copy.deepcopy(nb), None, parameters=None, progress_bar=False,
                                   kernel_name=kernel_name, language="python", execution_timeout=timeout,
                                   extra_arguments=[f"--IPKernelApp.log_level={log_level}"],
                                   kernel_manager_class=_kernel_manager(folder.absolute(), env),
                                   on_cell_start=on_cell_start)

    try:
        try:
            out = execute()
        except RuntimeError as exc:
            # jupyter_client frees the TCP ports it picked before the kernel binds them: a kernel started at the
            # same moment elsewhere can take one ("Address already in use"). Such a kernel dies before running
            # anything, so starting it once more changes nothing else.
            if index["cell"] is not None or KERNEL_START_RACE not in str(exc):
                raise
            out = execute()
    except PapermillExecutionError as exc:
        raise NotebookError(f"{label}: {_cell_label(nb, exc.cell_index, quote_source)} failed: {exc.ename}: "
                            f"{first_line(exc.evalue)}") from exc
    except CellTimeoutError as exc:
        raise NotebookError(f"{label}: {_cell_label(nb, index['cell'], quote_source)} ran longer than "
                            f"{timeout} s") from exc
    except DeadKernelError as exc:
        raise NotebookError(f"{label}: the kernel died in {_cell_label(nb, index['cell'], quote_source)}") from exc
    except NotebookError:
        raise
    except Exception as exc:  # a kernel that would not start, an unreadable notebook: one line naming it
        raise NotebookError(f"{label}: {type(exc).__name__}: {first_line(str(exc))}") from exc
    if save_to is not None:
        nbformat.write(out, save_to)
    return out


def execute_notebook(path: str | Path, *, cwd: str | Path | None = None,
                     timeout: int = DEFAULT_CELL_TIMEOUT, env: Mapping[str, str] | None = None,
                     kernel_name: str = "python3", save_to: str | Path | None = None) -> nbformat.NotebookNode:
    """Execute the notebook at path with its default parameters (run_notebook without parameters)."""
    return run_notebook(path, cwd=cwd, timeout=timeout, env=env, kernel_name=kernel_name, save_to=save_to)
