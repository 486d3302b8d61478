"""The CSV exports: grades per student and notebook, and results per autograded test cell.

An assignment may hold several notebooks (one per lesson) and a learner may hand in only some of them: the exports
have rows for the notebooks a learner handed in, none for a lesson not handed in (nbgrader gives such a notebook
score 0 without grading anything; it is not an attempt, so it is no row of 0 points)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import nbformat

from lce_utils.courses.config import course_root, db_url, has_gradebook
from lce_utils.courses.nbfile import read_checked
from lce_utils.courses.schema import GRADE_COLUMNS, TEST_COLUMNS
from lce_utils.courses.stored_results import submitted_notebooks
from lce_utils.staging import atomic_write


def status_path(root: Path, assignment: str, student: str) -> Path:
    """Where the grading status of one student (ok/error, tampering findings) is kept."""
    return root / "exports" / ".status" / assignment / f"{student}.json"


def write_status(root: Path, assignment: str, student: str, status: dict[str, Any]) -> None:
    """Save one student's grading status (atomically)."""
    path = status_path(root, assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps(status, indent=1), encoding="utf-8")
    tmp.replace(path)


def read_status(root: Path, assignment: str, student: str) -> dict[str, Any]:
    """One student's saved grading status ({} when there is none)."""
    path = status_path(root, assignment, student)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def sandboxed(status: dict[str, Any]) -> bool | str:
    """The `sandboxed` value of a learner's rows: True, False (--no-sandbox) or '' when grading left no record."""
    value = status.get("sandboxed")
    return value if isinstance(value, bool) else ""


def first_error_line(cell: nbformat.NotebookNode) -> str:
    """'Name: message' of the first error a cell raised (the first line only), '' if none."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            evalue = (output.get("evalue") or "").strip().splitlines()
            ename = output.get("ename")
            if ename == "NotImplementedError" and not evalue:
                evalue = ["the exercise has not been answered yet"]
            text = f"{ename}: {evalue[0]}" if evalue else str(ename)
            return text[:300]
    return ""


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)

    return atomic_write(path, write, mode=0o600)  # grades are personal data: the owner reads them only


def _num(value: float | None) -> float:
    return round(float(value or 0.0), 4)


def cell_order(root: Path, assignment: str) -> dict[tuple[str, str], int]:
    """(notebook, grade_id) -> position in the source notebook, to list tests in teaching order."""
    order = {}
    for path in (root / "source" / assignment).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                order[(path.stem, gid)] = i
    return order


def handed_in(root: Path, assignment: str, student: str) -> set[str] | None:
    """Names of the notebooks a learner handed in for assignment (from submitted/ or autograded/), None when
    neither folder is there to tell (the gradebook came without them)."""
    found: set[str] = set()
    folders = [root / kind / student / assignment for kind in ("submitted", "autograded")]
    for folder in folders:
        found |= {p.stem for p in folder.glob("*.ipynb")} if folder.is_dir() else set()
    return found if any(f.is_dir() for f in folders) else None


def assignment_max_score(assignment: str, root: str | Path | None = None) -> float | None:
    """The points of all the assignment's notebooks (lessons) together, handed in or not; None before release."""
    from nbgrader.api import Gradebook, MissingEntry

    root = course_root(root)
    if not has_gradebook(root):
        return None
    with Gradebook(db_url(root)) as gb:
        try:
            return _num(gb.find_assignment(assignment).max_score)
        except MissingEntry:
            return None


def collect_rows(assignment: str, root: str | Path | None = None) -> tuple[list[dict], list[dict]]:
    """Grade rows and test rows of every submission of assignment in the gradebook, for the notebooks handed in."""
    from nbgrader.api import Gradebook, MissingEntry

    root = course_root(root)
    grade_rows, test_rows = [], []
    if not has_gradebook(root):
        return [], []  # nothing released or graded yet (and do not create an empty gradebook)
    with Gradebook(db_url(root)) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return [], []
        submissions = sorted(gb.assignment_submissions(assignment), key=lambda s: s.student.id)
        order = cell_order(root, assignment)
        for submission in submissions:
            student = submission.student.id
            status = read_status(root, assignment, student)
            contained = sandboxed(status)
            given = handed_in(root, assignment, student)
            for nb in sorted(submitted_notebooks(gb, submission, scores=True), key=lambda n: n.name):
                if given is not None and nb.name not in given:
                    continue  # a lesson not handed in (yet): no grade, not a 0
                penalty = nb.late_submission_penalty or 0.0
                grade_rows.append({
                    "student": student, "assignment": assignment, "notebook": nb.name,
                    "score": _num(max(0.0, (nb.score or 0.0) - penalty)), "max_score": _num(nb.max_score),
                    "needs_manual_grading": bool(nb.needs_manual_grade), "sandboxed": contained,
                })
                path = root / "autograded" / student / assignment / f"{nb.name}.ipynb"
                cells = {}
                if path.exists():
                    graded = read_checked(path)
                    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded.cells}
                for grade in sorted(nb.grades, key=lambda g: order.get((nb.name, g.name), 10**6)):
                    cell_meta = grade.cell
                    if cell_meta.cell_type != "code" or grade.name in {c.name for c in nb.comments}:
                        continue  # a written answer or an answer cell, not an autograder test
                    points = grade.score
                    passed = grade.auto_score is not None and float(points or 0) >= float(grade.max_score)
                    if passed:
                        message = ""
                    elif status and not status.get("ok", True):
                        message = f"not graded: {status.get('error', 'the submission could not be run')}"
                    elif grade.name not in cells:
                        message = "the test cell is missing from the submission (deleted?)"
                    else:
                        message = first_error_line(cells[grade.name]) or "the test did not pass"
                    test_rows.append({
                        "student": student, "assignment": assignment, "notebook": nb.name, "test": grade.name,
                        "points": _num(points), "max_points": _num(grade.max_score), "passed": passed,
                        "message": message, "sandboxed": contained,
                    })
    return grade_rows, test_rows


def export(assignment: str, root: str | Path | None = None, out: str | Path | None = None) -> tuple[Path, Path]:
    """Write <assignment>-grades.csv (to out if given) and <assignment>-tests.csv beside it."""
    root = course_root(root)
    grades_path = Path(out) if out else root / "exports" / f"{assignment}-grades.csv"
    tests_path = grades_path.with_name(f"{assignment}-tests.csv")
    grade_rows, test_rows = collect_rows(assignment, root)
    return _write_csv(grades_path, GRADE_COLUMNS, grade_rows), _write_csv(tests_path, TEST_COLUMNS, test_rows)
