"""The instructor's grading round trip: collect, autograde in parallel, check tampering, feedback, export."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lce_utils.courses.cohorts import apply_due_dates
from lce_utils.courses.collect import collect, release_notebooks
from lce_utils.courses.config import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_MEMORY_MB,
    check_assignment,
    course_root,
    db_url,
    has_gradebook,
)
from lce_utils.courses.exchange import copy_release_files
from lce_utils.courses.export import export, read_status, write_status
from lce_utils.courses.feedback import generate_feedback
from lce_utils.courses.grading import StudentResult, autograde_parallel, default_time_limit
from lce_utils.courses.integrity import shell_findings
from lce_utils.courses.release import release
from lce_utils.courses.sandbox import Containment
from lce_utils.courses.tamper import Finding, check_submission, flag_in_gradebook
from lce_utils.messages import both

INTEGRITY_COLUMNS = ["student", "assignment", "notebook", "cell", "problem"]
NOT_SANDBOXED = "graded with --no-sandbox: the notebook ran unconfined, with the course files in reach"


@dataclass
class GradeReport:
    """What `lce courses grade` did for one assignment."""

    assignment: str
    results: list[StudentResult] = field(default_factory=list)
    not_collected: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    grades_csv: Path | None = None
    tests_csv: Path | None = None
    containment: str = ""
    sandboxed: bool = True

    def lines(self) -> list[str]:
        """Human-readable summary lines, naming every learner whose work needs attention."""
        graded = [r for r in self.results if r.ok]
        out = [f"{self.assignment}: graded {len(graded)} of {len(self.results) + len(self.not_collected)} "
               "submissions"]
        if not self.sandboxed:
            out.append(f"  {both('grade_not_sandboxed')}")
        if self.containment:
            out.append(f"  containment: {self.containment}")
        for student, why in sorted(self.not_collected.items()):
            out.append(f"  NOT COLLECTED {student}: {why}")
        for r in self.results:
            if not r.ok:
                out.append(f"  NOT GRADED {r.student}: {r.error} (scored 0, marked for manual grading)")
        for f in self.findings:
            out.append(f"  TAMPERED {f.student} / {f.notebook} / {f.cell}: {f.problem}")
        if self.grades_csv:
            out.append(f"  grades: {self.grades_csv}")
            out.append(f"  tests:  {self.tests_csv}")
        return out


def ensure_released(assignment: str, root: Path) -> None:
    """Generate the release (and gradebook entries) if this assignment has not been released yet."""
    from nbgrader.api import Gradebook, MissingEntry

    if (root / "release" / assignment).is_dir() and has_gradebook(root):
        with Gradebook(db_url(root)) as gb:
            try:
                gb.find_assignment(assignment)
                return
            except MissingEntry:
                pass
    release([assignment], root)


def write_integrity(assignment: str, root: Path) -> Path:
    """Write exports/<assignment>-integrity.csv from every student's saved findings."""
    folder = root / "exports" / ".status" / assignment
    rows = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        status = read_status(root, assignment, path.stem)
        if status.get("sandboxed") is False:
            rows.append({"student": path.stem, "assignment": assignment, "notebook": "", "cell": "",
                         "problem": NOT_SANDBOXED})
        for f in status.get("findings", []):
            rows.append({"student": path.stem, "assignment": assignment, **f})
    dest = root / "exports" / f"{assignment}-integrity.csv"
    tmp = dest.with_suffix(".part")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INTEGRITY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(dest)
    return dest


def export_all(assignment: str, root: str | Path | None = None, out: str | Path | None = None
               ) -> tuple[Path, Path]:
    """Grades, tests and integrity CSVs of one assignment."""
    root = course_root(root)
    paths = export(assignment, root, out)
    write_integrity(assignment, root)
    return paths


def grade(assignment: str, submissions: str | Path, root: str | Path | None = None, *,
          out: str | Path | None = None, student: str | None = None, workers: int | None = None,
          timeout: int = DEFAULT_CELL_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB, sandbox: bool = True,
          time_limit: int | None = None) -> GradeReport:
    """Collect, autograde (in parallel), flag tampering, write feedback and the CSV exports for assignment.

    With student, only that learner is collected and re-graded; everyone else's results stay as they were.
    Each notebook runs in a bubblewrap sandbox; sandbox=False (--no-sandbox) runs it unconfined and says so in
    the report and the integrity export."""
    root = course_root(root)
    check_assignment(assignment, root)
    ensure_released(assignment, root)
    lessons = len(release_notebooks(assignment, root))
    containment = Containment.prepare(sandbox, memory_mb, time_limit or default_time_limit(timeout, lessons))
    try:
        collected = collect(assignment, submissions, root, only_student=student)
        apply_due_dates(assignment, collected.students, root)  # cohorts' and learners' own dates (cohorts.yaml)
        report = GradeReport(assignment, not_collected=collected.problems, containment=containment.describe(),
                             sandboxed=containment.sandboxed)
        found: dict[str, list[Finding]] = {}

        def check(result: StudentResult) -> None:
            """A learner's checks as their result arrives, while the workers grade the others (at the end they
            were a serial tail: about 25 s for 230 learners)."""
            # edited or deleted cells, and test cells that ran in a tampered shell (integrity.py)
            findings = check_submission(assignment, result.student, root) + \
                shell_findings(assignment, result.student, root)
            found[result.student] = findings
            write_status(root, assignment, result.student, {
                "ok": result.ok, "error": result.error, "detail": result.detail,
                "seconds": round(result.seconds, 2), "sandboxed": containment.sandboxed,
                "containment": report.containment,
                "findings": [{"notebook": f.notebook, "cell": f.cell, "problem": f.problem} for f in findings]})
            if not result.ok:
                shutil.rmtree(root / "feedback" / result.student / assignment, ignore_errors=True)

        report.results = autograde_parallel(assignment, collected.students, root, workers=workers,
                                            timeout=timeout, containment=containment, on_result=check)
    finally:
        containment.close()
    report.findings = [f for result in report.results for f in found[result.student]]
    flag_in_gradebook(assignment, report.findings, root)
    # the workers already rendered feedback; render here only what they could not
    generate_feedback(assignment, [r.student for r in report.results if r.ok and not r.has_feedback], root)
    # what nbgrader's release_feedback reads beside the pages (a hub's exchange: deploy/hub/)
    copy_release_files(assignment, [r.student for r in report.results if r.ok], root)
    report.grades_csv, report.tests_csv = export_all(assignment, root, out)
    return report
