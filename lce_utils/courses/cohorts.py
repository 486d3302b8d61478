"""Cohorts of one course with their own due dates, and per-learner extensions (cohorts.yaml beside course.yaml).

The due date that counts for a learner is, first to last: their extension, their cohort's date, course.yaml's.
It reaches nbgrader's late policy as nbgrader's own per-submission `extension` (learner's date minus the course's),
written into the gradebook before grading, so PercentPerDayLate (late.py) counts days from the learner's own date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from lce_utils.courses.config import assignments, course_root, db_url
from lce_utils.errors import DataError
from lce_utils.messages import both

FILE = "cohorts.yaml"


@dataclass(frozen=True)
class Cohorts:
    """Cohort membership and due dates, and extensions, as cohorts.yaml gives them."""

    cohort_of: dict[str, str] = field(default_factory=dict)                  # learner -> cohort
    cohort_due: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (cohort, assignment) -> due
    extension_due: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (learner, assignment) -> due


def _date(path: Path, where: str, value: object) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise DataError(both("err_cohort_date", path=path, where=where, value=repr(value))) from None


def load_cohorts(root: str | Path | None = None) -> Cohorts:
    """Read cohorts.yaml of the course (no file: no cohorts); every error names the file and the entry."""
    root = course_root(root)
    path = root / FILE
    if not path.exists():
        return Cohorts()
    known = {a.id for a in assignments(root)}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not readable YAML ({exc})") from exc
    result = Cohorts()
    for i, cohort in enumerate(data.get("cohorts") or [], start=1):
        where = f"cohorts[{i}]"
        if not isinstance(cohort, dict) or not cohort.get("id"):
            raise DataError(f"{path}: {where}: expected an 'id', 'learners' and 'due' per assignment")
        for learner in cohort.get("learners") or []:
            if learner in result.cohort_of:
                raise DataError(f"{path}: {where}: learner {learner!r} is already in cohort "
                                f"{result.cohort_of[learner]!r}; a learner belongs to one cohort")
            result.cohort_of[str(learner)] = str(cohort["id"])
        for assignment, due in (cohort.get("due") or {}).items():
            if assignment not in known:
                raise DataError(f"{path}: {where}.due: unknown assignment {assignment!r}; known: "
                                f"{', '.join(sorted(known))}")
            result.cohort_due[(str(cohort["id"]), assignment)] = _date(path, f"{where}.due.{assignment}", due)
    for i, item in enumerate(data.get("extensions") or [], start=1):
        where = f"extensions[{i}]"
        if not isinstance(item, dict) or not {"learner", "assignment", "due"} <= set(item):
            raise DataError(f"{path}: {where}: expected 'learner', 'assignment' and 'due'")
        if item["assignment"] not in known:
            raise DataError(f"{path}: {where}: unknown assignment {item['assignment']!r}")
        result.extension_due[(str(item["learner"]), item["assignment"])] = _date(path, f"{where}.due", item["due"])
    return result


def due_date(assignment: str, learner: str, root: str | Path | None = None,
             cohorts: Cohorts | None = None) -> datetime | None:
    """The due date that counts for this learner: their extension, else their cohort's, else course.yaml's."""
    cohorts = cohorts if cohorts is not None else load_cohorts(root)
    if (learner, assignment) in cohorts.extension_due:
        return cohorts.extension_due[(learner, assignment)]
    cohort = cohorts.cohort_of.get(learner)
    if cohort and (cohort, assignment) in cohorts.cohort_due:
        return cohorts.cohort_due[(cohort, assignment)]
    return next((a.due for a in assignments(root) if a.id == assignment), None)


def apply_due_dates(assignment: str, learners: list[str], root: str | Path | None = None) -> dict[str, datetime]:
    """Write the own due date of each learner cohorts.yaml names into the gradebook as nbgrader's extension.

    Learners the file does not name keep whatever extension the gradebook has (one granted with nbgrader's own
    tools stays). Returns the dates written."""
    from nbgrader.api import Gradebook

    root = course_root(root)
    if not (root / FILE).exists():
        return {}
    cohorts = load_cohorts(root)
    course_due = next((a.due for a in assignments(root) if a.id == assignment), None)
    named = [n for n in learners if n in cohorts.cohort_of or (n, assignment) in cohorts.extension_due]
    used: dict[str, datetime] = {}
    if course_due is None or not named:
        return used
    with Gradebook(db_url(root)) as gb:
        for learner in named:
            # never None here: due_date falls back on course.yaml's date, which is set
            due = due_date(assignment, learner, root, cohorts) or course_due
            gb.update_or_create_student(learner)
            submission = gb.update_or_create_submission(assignment, learner)
            submission.extension = None if due == course_due else due - course_due
            gb.db.commit()
            used[learner] = due
    return used
