"""Cohorts with their own due dates and per-learner extensions, applied by LCE's grader to the late policy."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from lce_utils.courses.cohorts import due_date, load_cohorts
from lce_utils.errors import DataError
from tests.courses.test_hub_roundtrip import ASSIGNMENT, _source_notebook

COURSE_YAML = f'assignments:\n  - id: {ASSIGNMENT}\n    title: "PS 1"\n    due: "2026-03-01 23:59:00"\n'
COHORTS_YAML = f"""
cohorts:
  - id: spring
    learners: [ann]
  - id: autumn
    learners: [bo, cy]
    due:
      {ASSIGNMENT}: "2026-03-08 23:59:00"
extensions:
  - learner: cy
    assignment: {ASSIGNMENT}
    due: "2026-03-20 23:59:00"
"""
LATE = ("c = get_config()  # noqa: F821\n"
        "c.AssignLatePenalties.plugin_class = 'lce_utils.courses.late.PercentPerDayLate'\n"
        "c.PercentPerDayLate.percent_per_day = 10.0\nc.PercentPerDayLate.max_percent = 50.0\n")


def _course(tmp_path: Path, cohorts: str = COHORTS_YAML) -> Path:
    root = tmp_path / "course"
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(_source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (root / "course.yaml").write_text(COURSE_YAML)
    (root / "nbgrader_config.py").write_text(LATE)
    (root / "cohorts.yaml").write_text(cohorts)
    return root


def test_due_date_is_the_extension_then_the_cohort_then_the_course(tmp_path):
    root = _course(tmp_path)
    assert due_date(ASSIGNMENT, "ann", root) == datetime(2026, 3, 1, 23, 59)   # cohort without its own date
    assert due_date(ASSIGNMENT, "bo", root) == datetime(2026, 3, 8, 23, 59)    # the cohort's date
    assert due_date(ASSIGNMENT, "cy", root) == datetime(2026, 3, 20, 23, 59)   # the learner's extension
    assert due_date(ASSIGNMENT, "dan", root) == datetime(2026, 3, 1, 23, 59)   # in no cohort


@pytest.mark.parametrize("text, expected", [
    ("cohorts:\n  - id: a\n    learners: [x]\n  - id: b\n    learners: [x]\n",
     "learner 'x' is already in cohort 'a'"),
    ("cohorts:\n  - id: a\n    due:\n      nope: '2026-01-01'\n", "cohorts[1].due: unknown assignment 'nope'"),
    (f"cohorts:\n  - id: a\n    due:\n      {ASSIGNMENT}: 'soon'\n",
     f"cohorts[1].due.{ASSIGNMENT}: 'soon' is not a date"),
    ("extensions:\n  - learner: x\n", "extensions[1]: expected 'learner', 'assignment' and 'due'"),
])
def test_bad_cohorts_file_names_the_entry(tmp_path, text, expected):
    root = _course(tmp_path, text)
    with pytest.raises(DataError) as info:
        load_cohorts(root)
    assert str(root / "cohorts.yaml") in str(info.value) and expected in str(info.value)


@pytest.mark.slow
def test_grader_counts_lateness_from_each_learners_own_date(tmp_path):
    from nbgrader.api import Gradebook

    from lce_utils.courses.workflow import grade

    root = _course(tmp_path)
    submitted = {"ann": "2026-03-02 12:00:00",   # course date: 1 started day late -> 10 % of 3 points off
                 "bo": "2026-03-05 10:00:00",    # autumn's date 8 March: on time (4 days late by the course's)
                 "cy": "2026-03-21 00:30:00",    # extension to 20 March: 1 started day late -> 10 % off
                 "dan": "2026-03-01 20:00:00"}   # on time
    handed_in = tmp_path / "handed-in"
    answer = "def double(x):\n    return 2 * x"
    for learner, when in submitted.items():
        nb = _source_notebook()
        nb.cells[1].source = answer
        (handed_in / learner).mkdir(parents=True)
        nbformat.write(nb, handed_in / learner / f"{ASSIGNMENT}.ipynb")
        (handed_in / learner / "timestamp.txt").write_text(when)
    report = grade(ASSIGNMENT, handed_in, root, workers=2, timeout=30)
    assert all(r.ok for r in report.results), report.lines()
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {s.student.id: (s.score, s.late_submission_penalty) for s in gb.assignment_submissions(ASSIGNMENT)}
    # nbgrader keeps the raw score and the penalty apart; LCE's grades export takes the penalty off
    assert scores == {"ann": (3.0, 0.3), "bo": (3.0, 0.0), "cy": (3.0, 0.3), "dan": (3.0, 0.0)}
    with report.grades_csv.open(encoding="utf-8") as handle:
        exported = {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert exported == {"ann": 2.7, "bo": 3.0, "cy": 2.7, "dan": 3.0}

    # the same grades for the programme's LMS, from the command line (eve is on the roster, without a submission)
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,name,email,canvas_id,sis_user_id,sis_login_id,section\n"
                      "ann,Ann A,ann@example.org,101,S1,ann.a,Malmö\nbo,Bo B,bo@example.org,102,S2,bo.b,Lund\n"
                      "cy,Cy C,cy@example.org,103,S3,cy.c,Lund\ndan,Dan D,dan@example.org,104,S4,dan.d,Malmö\n"
                      "eve,Eve E,eve@example.org,105,S5,eve.e,Malmö\n")
    from lce_utils.cli import main

    assert main(["courses", "lms-export", "canvas", "--roster", str(roster), "--out", str(tmp_path / "c.csv"),
                 "--canvas-id", f"{ASSIGNMENT}=77", "--course", str(root)]) == 0
    assert (tmp_path / "c.csv").read_text().splitlines() == [
        "Student,ID,SIS User ID,SIS Login ID,Section,PS 1 (77)", "    Points Possible,,,,,3",
        "Ann A,101,S1,ann.a,Malmö,2.7", "Bo B,102,S2,bo.b,Lund,3", "Cy C,103,S3,cy.c,Lund,2.7",
        "Dan D,104,S4,dan.d,Malmö,3", "Eve E,105,S5,eve.e,Malmö,"]
    assert main(["courses", "lms-export", "moodle", "--roster", str(roster), "--out", str(tmp_path / "m.csv"),
                 "--course", str(root)]) == 0
    assert (tmp_path / "m.csv").read_text().splitlines() == [
        "Email address,PS 1", "ann@example.org,2.7", "bo@example.org,3", "cy@example.org,2.7", "dan@example.org,3",
        "eve@example.org,"]
    roster.write_text("learner,name,email\nann,Ann A,\n")
    assert main(["courses", "lms-export", "moodle", "--roster", str(roster), "--out", str(tmp_path / "x.csv"),
                 "--course", str(root)]) == 1  # the error names the row: tested without grading below


@pytest.mark.parametrize("lms, text, expected", [
    ("moodle", "learner,name,email\nann,Ann A,\n", "row 2: column email is empty"),
    ("canvas", "learner,name\nann,Ann A\n", "row 2: column canvas_id or sis_user_id is empty"),
    ("canvas", "name\nAnn\n", "row 1: expected a header with the column 'learner'"),
    ("canvas", "learner,canvas_id\nann,1\nann,2\n", "row 3: learner 'ann' is listed twice"),
])
def test_bad_roster_names_the_row(tmp_path, lms, text, expected):
    from lce_utils.courses.lms_export import read_roster

    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        read_roster(path, lms)
    # Swedish first, then English (lce_utils.messages.both): both name the file and the row
    assert str(info.value).startswith(f"{path}: rad ") and f"/ {path}: {expected}" in str(info.value)


@pytest.mark.slow
def test_extensions_granted_with_nbgraders_tools_stay_for_learners_the_file_does_not_name(tmp_path):
    from datetime import timedelta

    from nbgrader.api import Gradebook

    from lce_utils.courses.cohorts import apply_due_dates
    from lce_utils.courses.release import release

    root = _course(tmp_path)
    release([ASSIGNMENT], root)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.add_student("dan")
        gb.add_submission(ASSIGNMENT, "dan")
        gb.grant_extension(ASSIGNMENT, "dan", days=2)
    assert apply_due_dates(ASSIGNMENT, ["bo", "cy", "dan"], root) == {
        "bo": datetime(2026, 3, 8, 23, 59), "cy": datetime(2026, 3, 20, 23, 59)}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        extensions = {s.student.id: s.extension for s in gb.assignment_submissions(ASSIGNMENT)}
    assert extensions == {"bo": timedelta(days=7), "cy": timedelta(days=19), "dan": timedelta(days=2)}
