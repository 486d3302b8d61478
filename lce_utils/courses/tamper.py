"""Find submissions whose locked or test cells were changed: nbgrader restores some silently and misses others."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lce_utils.courses.config import course_root
from lce_utils.courses.nbfile import read_checked, read_release

_KEYS = ("grade", "solution", "locked", "points", "task")


@dataclass(frozen=True)
class Finding:
    """One sign of tampering in one student's notebook."""

    student: str
    notebook: str
    cell: str
    problem: str


def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _role(meta: dict) -> str:
    if meta.get("grade") and not meta.get("solution"):
        return "test cell"
    if meta.get("solution"):
        return "answer cell"
    return "locked cell"


def check_notebook(student: str, name: str, submitted: nbformat.NotebookNode,
                   released: nbformat.NotebookNode) -> list[Finding]:
    """Compare a submitted notebook with its released version, cell by nbgrader grade_id."""
    findings = []
    ids = Counter(c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in submitted.cells}
    for cell in released.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if not gid:
            continue
        role = _role(meta)
        if gid not in by_id:
            consequence = (" nbgrader leaves the test ungraded (no score, 'needs manual grading')"
                           if role == "test cell" else "")
            findings.append(Finding(student, name, gid, f"{role} deleted (or its nbgrader metadata removed);"
                                                        f"{consequence}".rstrip(";")))
            continue
        if ids[gid] > 1:
            findings.append(Finding(student, name, gid, f"{role} duplicated ({ids[gid]} cells with this id)"))
        got = by_id[gid]
        got_meta = got.metadata.get("nbgrader", {})
        changed = [k for k in _KEYS if got_meta.get(k) != meta.get(k)]
        if changed:
            findings.append(Finding(student, name, gid, f"nbgrader metadata of the {role} changed: "
                                                        f"{', '.join(changed)}"))
        if got.cell_type != cell.cell_type:
            findings.append(Finding(student, name, gid, f"{role} changed from {cell.cell_type} to {got.cell_type}"))
        if (meta.get("locked") or role == "test cell") and _norm(got.source) != _norm(cell.source):
            findings.append(Finding(student, name, gid, f"{role} edited; nbgrader silently restored the "
                                                        "original when grading"))
    return findings


def check_submission(assignment: str, student: str, root: str | Path | None = None) -> list[Finding]:
    """Tampering findings for one student's submitted/<student>/<assignment> notebooks."""
    root = course_root(root)
    findings = []
    for release_path in sorted((root / "release" / assignment).glob("*.ipynb")):
        path = root / "submitted" / student / assignment / release_path.name
        if not path.exists():
            continue
        try:
            submitted = read_checked(path)
        except Exception as exc:  # unreadable JSON is the learner's file
            findings.append(Finding(student, release_path.stem, "-", f"not a readable notebook ({exc})"))
            continue
        findings += check_notebook(student, release_path.stem, submitted,
                                   read_release(release_path))
    return findings


def flag_in_gradebook(assignment: str, findings: list[Finding], root: str | Path | None = None) -> None:
    """Set nbgrader's own `flagged` field (which nbgrader never sets) on tampered notebooks."""
    from nbgrader.api import Gradebook, MissingEntry

    from lce_utils.courses.config import db_url

    with Gradebook(db_url(root)) as gb:
        for student, notebook in {(f.student, f.notebook) for f in findings}:
            try:
                gb.find_submission_notebook(notebook, assignment, student).flagged = True
            except MissingEntry:
                continue
        gb.db.commit()
