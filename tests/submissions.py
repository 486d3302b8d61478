"""Learners' submissions for the grading tests: a demo submission with the learner's own code added to it."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from lce_utils.courses.config import assignments
from lce_utils.courses.demo import course_demos, demo_notebook, timestamp_for

ASSIGNMENT = "adaptive-mindset"  # a due date (late penalty 10 % per day)
NOTEBOOK = "iterating-under-uncertainty"  # its lesson with every demo kind: 11 autograded points


def answer_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The notebook's code answer cells, in order."""
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def write_submission(out: Path, student: str, course: Path, kind: str = "demo-correct", code: str = "",
                     per_answer: str = "", assignment: str = ASSIGNMENT, notebook: str = NOTEBOOK) -> Path:
    """<out>/<student>/<notebook>.ipynb (one lesson): the demo submission `kind` with `code` put before its first
    answer and `per_answer` before every answer (and its timestamp.txt, late for demo-late). Returns the folder."""
    folder = out / student
    folder.mkdir(parents=True)
    name = f"{notebook}.ipynb"
    released = nbformat.read(course / "release" / assignment / name, as_version=4)
    source = nbformat.read(course / "source" / assignment / name, as_version=4)
    nb = demo_notebook(kind, course_demos(assignment)[notebook], released, source)
    cells = answer_cells(nb)
    for cell in cells:
        cell.source = per_answer + cell.source
    cells[0].source = code + "\n" + cells[0].source
    nbformat.write(nb, folder / name)
    due = {a.id: a.due for a in assignments(course)}[assignment]
    stamp = timestamp_for(kind, due)
    if stamp:
        (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
    return folder


def first_answer_output(course: Path, student: str, assignment: str = ASSIGNMENT) -> str:
    """All text the first answer cell of a learner's autograded notebook printed."""
    path = next((course / "autograded" / student / assignment).glob("*.ipynb"))
    cell = answer_cells(nbformat.read(path, as_version=4))[0]
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def probe_lines(text: str) -> dict[str, str]:
    """'PROBE key: value' lines a learner's code printed, as a dict."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^PROBE (\w+): (.*)$", text, re.M)}
