"""Feedback HTML that says which checks (visible or hidden) failed and why, without showing hidden test code.

nbgrader's own feedback shows the autograded notebook, hidden tests included (nbgrader issues #917, #1363), and
loads MathJax from a CDN; this one renders offline with lce_utils.offline_html."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from lce_utils.courses.config import course_root, db_url
from lce_utils.courses.export import first_error_line
from lce_utils.offline_html import notebook_to_html

HIDDEN_NOTE = "# Hidden checks ran here; their code is not shown. / Dolda kontroller kördes här; koden visas inte."
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>),?\s*line (\d+)")


def hidden_line_ranges(source: str) -> list[tuple[int, int]]:
    """1-based line ranges of a cell that lie inside BEGIN/END HIDDEN TESTS."""
    ranges, start = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        if "BEGIN HIDDEN TESTS" in line:
            start = number
        elif "END HIDDEN TESTS" in line and start is not None:
            ranges.append((start, number))
            start = None
    return ranges


def strip_hidden(source: str) -> str:
    """The cell's source with each hidden-test region replaced by one comment line."""
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
            lines.append(HIDDEN_NOTE)
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def failed_in_hidden(cell: nbformat.NotebookNode) -> bool:
    """Whether the cell's error was raised on a line inside a hidden-test region."""
    ranges = hidden_line_ranges(cell.source)
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            found = _CELL_LINE.search(text)  # the first frame is the test cell itself
            if found:
                line = int(found.group(1))
                return any(a <= line <= b for a, b in ranges)
    return False


def safe_notebook(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[dict]]:
    """A copy of an autograded notebook safe to show a learner, and one result dict per test cell."""
    nb = copy.deepcopy(nb)
    results = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        is_test = meta.get("grade") and not meta.get("solution") and cell.cell_type == "code"
        error = first_error_line(cell) if cell.cell_type == "code" else ""
        if is_test:
            results.append({"test": meta.get("grade_id"), "max_points": meta.get("points", 0),
                            "passed": not error, "message": error,
                            "hidden": bool(error) and failed_in_hidden(cell),
                            "has_hidden": bool(hidden_line_ranges(cell.source))})
            cell.source = strip_hidden(cell.source)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    # a traceback quotes the code around the failing line, hidden tests included: show the
                    # error's name and message only
                    output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
    return nb, results


def _summary_cell(student: str, assignment: str, notebook: str, score: float, max_score: float,
                  penalty: float, results: list[dict], comments: list[str]) -> nbformat.NotebookNode:
    rows = []
    for r in results:
        where = "hidden check / dold kontroll" if r["hidden"] else "visible check / synlig kontroll"
        state = "passed / godkänd" if r["passed"] else f"**failed / underkänd** ({where})"
        why = f": {html.escape(r['message'])}" if r["message"] else ""
        rows.append(f"| `{r['test']}` | {r['max_points']} | {state}{why} |")
    late = (f"\n\nLate submission: {penalty:g} points deducted. / Sen inlämning: {penalty:g} poäng avdrag."
            if penalty else "")
    notes = "".join(f"\n* {html.escape(c)}" for c in comments if c)
    return new_markdown_cell(
        f"# Feedback / Återkoppling: {notebook}\n\n"
        f"**Learner / Deltagare:** {student} · **Assignment / Uppgift:** {assignment}\n\n"
        f"**Score / Poäng: {score:g} of / av {max_score:g}**{late}\n\n"
        "Some checks are **hidden**: they ran when your work was graded but are not shown, so that they test "
        "your understanding rather than the examples. Below you see which of them failed and why. / "
        "Vissa kontroller är **dolda**: de kördes vid rättningen men visas inte. Nedan ser du vilka som "
        "inte gick igenom och varför.\n\n"
        "| Check / Kontroll | Points / Poäng | Result / Resultat |\n|---|---|---|\n" + "\n".join(rows)
        + (f"\n\n**Comments / Kommentarer:**{notes}" if notes else ""))


def feedback_html(student: str, assignment: str, notebook: str, root: str | Path | None = None) -> str:
    """The feedback page for one student's notebook, built from the autograded notebook and the gradebook."""
    from nbgrader.api import Gradebook

    root = course_root(root)
    graded = nbformat.read(root / "autograded" / student / assignment / f"{notebook}.ipynb", as_version=4)
    safe, results = safe_notebook(graded)
    with Gradebook(db_url(root)) as gb:
        sub = gb.find_submission_notebook(notebook, assignment, student)
        penalty = sub.late_submission_penalty or 0.0
        score, max_score = max(0.0, (sub.score or 0.0) - penalty), sub.max_score
        comments = [c.manual_comment for c in sub.comments]
    safe.cells.insert(0, _summary_cell(student, assignment, notebook, score, max_score, penalty, results,
                                       comments))
    return notebook_to_html(safe, title=f"Feedback: {notebook} ({student})", lang="en")


def generate_feedback(assignment: str, students: list[str] | None = None,
                      root: str | Path | None = None) -> list[Path]:
    """Write feedback/<student>/<assignment>/<notebook>.html for every autograded student (or those given)."""
    root = course_root(root)
    base = root / "autograded"
    if students is None:
        students = sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []
    written = []
    for student in students:
        folder = base / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            page = feedback_html(student, assignment, path.stem, root)
            dest = root / "feedback" / student / assignment / f"{path.stem}.html"
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_suffix(".part")
            tmp.write_text(page, encoding="utf-8")
            tmp.replace(dest)
            written.append(dest)
    return written
