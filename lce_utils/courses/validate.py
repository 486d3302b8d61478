"""`lce courses validate NOTEBOOK`: nbgrader's validate, explained in plain words (English and Swedish)."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from lce_utils.courses.config import (
    COURSES_SOURCE_GLOB,
    SANDBOX_KERNEL,
    course_root,
    ensure_tools_on_path,
    nbgrader_config,
)
from lce_utils.courses.sandbox_kernel import install_kernelspec
from lce_utils.errors import DataError


@dataclass
class Validation:
    """The outcome of validating one notebook, with the lines to show a learner."""

    ok: bool
    lines: list[str] = field(default_factory=list)


def hidden_test_count(notebook: Path, root: str | Path | None = None) -> int | None:
    """How many test cells of this notebook have hidden tests (from the course source), None if unknown."""
    for source in course_root(root).glob(COURSES_SOURCE_GLOB):
        if source.name == notebook.name:
            nb = nbformat.read(source, as_version=4)
            return sum("BEGIN HIDDEN TESTS" in c.source for c in nb.cells)
    return None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "an error"


def validate_notebook(path: str | Path, root: str | Path | None = None, timeout: int = 60) -> Validation:
    """Run nbgrader's Validator on a learner's notebook and explain the result."""
    from nbgrader.validator import Validator

    path = Path(path)
    if not path.exists() or path.suffix != ".ipynb":
        raise DataError(f"{path}: not a notebook file (.ipynb) / ingen anteckningsbok (.ipynb)")
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as a notebook ({type(exc).__name__}); download it again / "
                        "filen kan inte läsas som anteckningsbok, ladda ner den igen") from exc
    ensure_tools_on_path()
    with tempfile.TemporaryDirectory(prefix="lce-validate-") as tmp:
        install_kernelspec(tmp)  # the same limited, quiet kernel as grading
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [tmp, old]))
        try:
            config = nbgrader_config(root, timeout=timeout, kernel_name=SANDBOX_KERNEL)
            results = Validator(config=config).validate(str(path.resolve()))
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old
    hidden = hidden_test_count(path, root)
    lines: list[str] = []
    ok = True
    if results.get("type_changed"):
        ok = False
        lines.append(f"{len(results['type_changed'])} cell(s) changed type (e.g. code to text). Change them back "
                     "or start from a fresh copy. / Celler har bytt typ; ändra tillbaka dem.")
    if results.get("changed"):
        ok = False
        lines.append(f"{len(results['changed'])} cell(s) you should not edit were changed: the original will be "
                     "used when grading. / Låsta celler har ändrats; originalet används vid rättningen.")
    failed = results.get("failed", [])
    if failed:
        ok = False
        unanswered = [f for f in failed if "NotImplementedError" in (f.get("raw_error") or "")]
        lines.append(f"{len(failed)} check(s) did not pass yet / {len(failed)} kontroll(er) gick inte igenom:")
        for item in failed:
            raw = item.get("raw_error") or ""
            first = item["source"].strip().splitlines()[0][:70] if item["source"].strip() else ""
            if "NotImplementedError" in raw:
                lines.append(f"  - not answered yet / inte besvarad: {first}")
            elif "You did not provide a response" in raw:
                lines.append("  - a written answer is still missing / ett skriftligt svar saknas: "
                             f"{first if first != 'YOUR ANSWER HERE' else '(text cell)'}")
            else:
                lines.append(f"  - {first}: {_first_line(raw)}")
        if unanswered:
            lines.append("Replace '# YOUR CODE HERE' and 'raise NotImplementedError()' with your answer. / "
                         "Ersätt de raderna med ditt svar.")
    if ok:
        lines.append("All visible checks passed. / Alla synliga kontroller gick igenom.")
    if hidden:
        lines.append(f"Note: {hidden} check cell(s) also contain HIDDEN tests that were not run here; your course "
                     "leader runs them when grading, so passing here does not guarantee full points. / "
                     f"Obs: {hidden} kontrollcell(er) har även DOLDA tester som inte kördes här.")
    elif hidden is None:
        lines.append("Note: your course leader may also run hidden tests that were not run here. / "
                     "Obs: kursledaren kan även köra dolda tester som inte kördes här.")
    return Validation(ok, lines)
