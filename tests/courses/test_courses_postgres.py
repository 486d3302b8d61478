"""LCE's parallel, sandboxed grader with a PostgreSQL gradebook (nbgrader's CourseDirectory.db_url, as a hub's
course has when several people grade, deploy/hub/): a real PostgreSQL server, `lce courses release` and
`lce courses grade` (subprocesses) on demo submissions, and exactly the written-down scores in that database."""

from __future__ import annotations

from pathlib import Path

import pytest

from lce_utils.courses.config import GRADEBOOK_INDEXES, db_url, has_gradebook
from lce_utils.courses.demo import expected_scores, write_demo_submissions
from lce_utils.courses.grading import snapshot_gradebook
from tests.courses.test_courses_grading import TIMEOUT, grade_rows, new_course, run_lce
from tests.mentorship.test_mentorship_store import postgres  # noqa: F401 - the PostgreSQL server fixture

ASSIGNMENT = "adaptive-mindset"
# a right answer, a half right one, one handed in late (penalty from the due date) and one that kills its kernel
STUDENTS = ["demo-correct", "demo-partial", "demo-late", "demo-os-exit"]

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(2400)]


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811 - the fixture
    base = tmp_path_factory.mktemp("pg-course")
    root = new_course(base)
    course = root / "courses"
    url = postgres.new_database()
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.CourseDirectory.db_url = {url!r}\n")
    run_lce(root, "courses", "release", ASSIGNMENT)
    subs = base / "submissions"
    written = write_demo_submissions(ASSIGNMENT, subs, root=course, students=STUDENTS)
    assert written == STUDENTS
    out = run_lce(root, "courses", "grade", ASSIGNMENT, str(subs), "--timeout", TIMEOUT).stdout
    return {"course": course, "url": url, "stdout": out, "base": base}


def test_the_gradebook_url_comes_from_nbgrader_config(graded: dict) -> None:
    assert db_url(graded["course"]) == graded["url"] and graded["url"].startswith("postgresql+psycopg://")
    assert has_gradebook(graded["course"])
    assert not (graded["course"] / "gradebook.db").exists()  # nothing fell back to a SQLite file


def test_postgres_gradebook_holds_exactly_the_expected_scores(graded: dict) -> None:
    from nbgrader.api import Gradebook

    expected = expected_scores()[ASSIGNMENT]
    checked = 0
    with Gradebook(graded["url"]) as gb:
        assert sorted(s.id for s in gb.students) == sorted(STUDENTS)
        for notebook, students in expected.items():
            for student in STUDENTS:
                if student not in students:
                    continue
                nb = gb.find_submission_notebook(notebook, ASSIGNMENT, student)
                score = max(0.0, (nb.score or 0.0) - (nb.late_submission_penalty or 0.0))
                assert score == pytest.approx(students[student].score, abs=1e-9), (notebook, student)
                assert nb.needs_manual_grade == students[student].needs_manual_grading, (notebook, student)
                checked += 1
    assert checked >= len(STUDENTS)
    # the exports read the same database
    rows = grade_rows(graded["course"], ASSIGNMENT)
    assert {s for s, _ in rows} == set(STUDENTS)
    assert "NOT GRADED demo-os-exit" in graded["stdout"]


def test_workers_get_a_sqlite_snapshot_of_the_postgres_gradebook(graded: dict, tmp_path: Path) -> None:
    from nbgrader.api import Gradebook

    snapshot = tmp_path / "snapshot.db"
    snapshot_gradebook(graded["course"], snapshot)
    with Gradebook(graded["url"]) as pg, Gradebook(f"sqlite:///{snapshot}") as copy:
        assert [a.name for a in copy.assignments] == [a.name for a in pg.assignments]
        assert copy.find_assignment(ASSIGNMENT).max_score == pg.find_assignment(ASSIGNMENT).max_score
        assert sorted(s.id for s in copy.students) == sorted(s.id for s in pg.students)
        assert copy.find_assignment(ASSIGNMENT).duedate == pg.find_assignment(ASSIGNMENT).duedate


def test_postgres_gradebook_and_its_snapshot_have_the_lookup_indexes(graded: dict, tmp_path: Path) -> None:
    """Without them every score lookup scans the grade table (test_courses_grading.py shows it on SQLite)."""
    import sqlite3

    from sqlalchemy import create_engine, text

    wanted = {f"lce_{table}_{column}" for table, column in GRADEBOOK_INDEXES.items()}
    engine = create_engine(graded["url"])
    try:
        with engine.connect() as con:
            names = set(con.execute(text("SELECT indexname FROM pg_indexes")).scalars())
    finally:
        engine.dispose()
    assert wanted <= names
    snapshot = tmp_path / "snapshot.db"
    snapshot_gradebook(graded["course"], snapshot)
    with sqlite3.connect(snapshot) as con:
        assert wanted <= {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
