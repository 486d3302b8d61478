"""lce_utils.notebooks.run_notebook, the one way to run a parameterised notebook (labs, reports, case checks)."""

from __future__ import annotations

import os
import threading

import nbformat
import pytest

from lce_utils.errors import NotebookError
from lce_utils.notebooks import run_notebook

pytestmark = pytest.mark.slow  # each test starts kernels

TIMEOUT = 120


def _notebook(*sources: str, parameters: str | None = "k = 5\nlabel = 'default'") -> nbformat.NotebookNode:
    cells = []
    if parameters is not None:
        cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def _stdout(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


def test_parameters_env_and_cwd_reach_the_kernel_of_each_run(tmp_path):
    """Two runs at once with different parameters and environments each see their own; this process's
    environment is not touched (report builds run notebooks from several threads)."""
    nb = _notebook("import os\nprint(k, label, os.environ.get('LCE_RUNNER_TEST'), os.getcwd())")
    folders = {name: tmp_path / name for name in ("a", "b")}
    for folder in folders.values():
        folder.mkdir()
    results: dict[str, object] = {}

    def run(name: str) -> None:
        try:
            results[name] = run_notebook(nb, {"k": 7 if name == "a" else 9, "label": name},
                                         cwd=folders[name], timeout=TIMEOUT, env={"LCE_RUNNER_TEST": f"env-{name}"},
                                         save_to=tmp_path / f"{name}.ipynb")
        except BaseException as exc:  # reported below
            results[name] = exc

    threads = [threading.Thread(target=run, args=(name,)) for name in folders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "LCE_RUNNER_TEST" not in os.environ
    for name, number in (("a", 7), ("b", 9)):
        out = results[name]
        assert isinstance(out, nbformat.NotebookNode), out
        assert _stdout(out).split() == [str(number), name, f"env-{name}", str(folders[name])]
        # papermill's cell, right after the parameters cell, in the saved notebook too
        saved = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        assert saved.cells[1].metadata["tags"] == ["injected-parameters"] and f"k = {number}" in saved.cells[1].source
    assert "injected-parameters" not in str(nb.cells)  # the caller's notebook is not changed


def test_parameters_without_a_parameters_cell_are_refused_before_a_kernel_starts(tmp_path):
    with pytest.raises(NotebookError, match=r"^lab x: the notebook has no cell tagged 'parameters'$"):
        run_notebook(_notebook("print(1)", parameters=None), {"k": 7}, name="lab x", cwd=tmp_path)


def test_a_failing_cell_is_named_by_the_label_the_caller_gives(tmp_path):
    nb = _notebook("x = 1", "# totals\nraise ValueError('no visits\\nsecond line')")
    with pytest.raises(NotebookError) as error:
        run_notebook(nb, {"k": 3}, name="lab 01 on visits.csv", cwd=tmp_path, timeout=TIMEOUT)
    # cell 4: the parameters cell, papermill's cell, then the two cells; one line only
    assert str(error.value) == "lab 01 on visits.csv: cell 4 ('# totals') failed: ValueError: no visits"
    with pytest.raises(NotebookError) as error:  # a report's build log names the cell by number only
        run_notebook(nb, {"k": 3}, name="tiny.ipynb", cwd=tmp_path, timeout=TIMEOUT, quote_source=False)
    assert str(error.value) == "tiny.ipynb: cell 4 failed: ValueError: no visits"


def test_a_kernel_that_loses_the_start_race_for_its_port_is_started_again(monkeypatch):
    """CI, 2026-12-03: a report kernel died with 'Address already in use' (jupyter_client frees the TCP ports it
    picked before the kernel binds them) and `lce run` failed. Such a kernel ran nothing: it is started once more;
    any other failure, or a second one, is reported as before."""
    import papermill

    from lce_utils.notebooks import KERNEL_START_RACE

    real = papermill.execute_notebook
    calls = []

    def first_start_loses(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(KERNEL_START_RACE)
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", first_start_loses)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    out = run_notebook(nb, name="race")
    assert len(calls) == 2 and out.cells[0].outputs[0]["text"] == "42\n"

    def always_loses(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise RuntimeError(KERNEL_START_RACE)

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", always_loses)
    with pytest.raises(NotebookError, match="race: RuntimeError: Kernel died before replying"):
        run_notebook(nb, name="race")
    assert len(calls) == 2
