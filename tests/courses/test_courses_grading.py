"""The grading round trip for real: `lce courses release` and `lce courses grade` (subprocesses, venv not on PATH)
on every lesson's demo submissions in a temporary copy of the course, against the written-down scores."""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from lce_utils.courses.collect import release_notebooks
from lce_utils.courses.config import assignments, copy_course
from lce_utils.courses.demo import KINDS, expected_scores, write_demo_submissions
from lce_utils.courses.export import GRADE_COLUMNS, TEST_COLUMNS, collect_rows
from lce_utils.courses.grading import read_grades
from lce_utils.courses.release import hidden_test_regions
from lce_utils.courses.stored_results import submitted_notebooks
from lce_utils.offline_html import remote_loads

LCE = str(Path(sys.executable).parent / "lce")
ASSIGNMENTS = ["adaptive-mindset", "digital-tools-for-artistic-processes", "creative-entrepreneurship"]
TIMEOUT = "15"  # seconds per cell; generous so that a busy CI machine does not time out honest cells

# every lesson's demos of all three courses are graded once, in the first test's setup: with four or more lessons
# a course that is several times the work of one notebook per course (pyproject's default is 900 s)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3000)]


def run_lce(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real CLI without the virtual environment on PATH (nbgrader must still find alembic)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "JUPYTER_PATH")}
    env.update(PATH="/usr/bin:/bin", LCE_ROOT=str(root))
    proc = subprocess.run([LCE, *args], capture_output=True, text=True, env=env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"lce {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def new_course(base: Path) -> Path:
    """A temporary checkout root holding a copy of the course's committed files only."""
    return copy_course(base / "root")


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def hidden_fail_submission(course: Path, subs: Path) -> None:
    """A learner whose yearly_income ignores `months`: the visible checks pass, a hidden one fails."""
    src = subs / "demo-correct" / "iterating-under-uncertainty.ipynb"
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "scenario_answer":
            cell.source = cell.source.replace("gigs_per_month * fee * months", "gigs_per_month * fee * 12")
            assert "fee * 12" in cell.source
    (subs / "hidden-fail").mkdir()
    nbformat.write(nb, subs / "hidden-fail" / src.name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One graded run shared by the tests: release, demo submissions of all assignments, `lce courses grade`."""
    base = tmp_path_factory.mktemp("courses")
    root = new_course(base)
    course = root / "courses"
    run_lce(root, "courses", "release")
    outputs = {}
    for assignment in ASSIGNMENTS:
        subs = base / "submissions" / assignment
        write_demo_submissions(assignment, subs, root=course)
        if assignment == "adaptive-mindset":
            hidden_fail_submission(course, subs)
        outputs[assignment] = run_lce(root, "courses", "grade", assignment, str(subs), "--timeout", TIMEOUT).stdout
    return {"root": root, "course": course, "base": base, "stdout": outputs}


def grade_rows(course: Path, assignment: str) -> dict[tuple[str, str], dict]:
    """(student, notebook) -> the row of the grades export."""
    columns, rows = read_csv(course / "exports" / f"{assignment}-grades.csv")
    assert columns == GRADE_COLUMNS
    return {(row["student"], row["notebook"]): row for row in rows}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_demo_submission_gets_exactly_its_expected_score(graded: dict, assignment: str) -> None:
    rows = grade_rows(graded["course"], assignment)
    expected = expected_scores()[assignment]
    assert set(expected) == set(release_notebooks(assignment, graded["course"]))  # every lesson has its demos
    for notebook, students in expected.items():
        for student, want in students.items():
            row = rows.pop((student, notebook))
            assert float(row["score"]) == pytest.approx(want.score, abs=1e-9), (notebook, student, row)
            assert row["needs_manual_grading"] == str(want.needs_manual_grading), (notebook, student, row)
            assert row["assignment"] == assignment
        empty = float(students["demo-empty"].score)
        cheats = [s for s in students if KINDS[s] == "cheat"]
        assert all(students[s].score <= empty for s in cheats), f"a cheat scored more than empty in {notebook}"
    # no row for a lesson a demo learner did not hand in
    assert {s for s, _ in rows} <= {"hidden-fail"}, sorted(rows)
    # a broken submission never stops the batch and is reported by name
    out = graded["stdout"][assignment]
    assert "NOT GRADED demo-os-exit" in out
    assert "TAMPERED demo-edited-test" in out and "TAMPERED demo-deleted-test" in out
    assert "TAMPERED demo-correct" not in out


def test_memory_limit_stops_the_4gb_allocation(graded: dict) -> None:
    course = graded["course"]
    for assignment in ASSIGNMENTS:
        nb_path = next((course / "autograded" / "demo-memory-hog" / assignment).glob("*.ipynb"))
        nb = nbformat.read(nb_path, as_version=4)
        hog = next(c for c in nb.cells if "bytearray(4 * 1024 ** 3)" in c.source)
        errors = [o.get("ename") for o in hog.outputs if o.get("output_type") == "error"]
        assert errors == ["MemoryError"], (assignment, errors)


def test_output_flood_is_truncated(graded: dict) -> None:
    nb_path = graded["course"] / "autograded" / "demo-output-flood" / "adaptive-mindset" / \
        "iterating-under-uncertainty.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    flood = next(c for c in nb.cells if "print('flood', i)" in c.source)
    text = "".join(o.get("text", "") for o in flood.outputs if o.get("output_type") == "stream")
    assert "Output truncated" in text
    assert text.count("\n") <= 201
    assert nb_path.stat().st_size < 500_000


def test_tests_csv_rows_and_messages_never_leak_hidden_tests(graded: dict) -> None:
    course = graded["course"]
    for assignment in ASSIGNMENTS:
        columns, rows = read_csv(course / "exports" / f"{assignment}-tests.csv")
        assert columns == TEST_COLUMNS
        sources = {p.stem: nbformat.read(p, as_version=4) for p in (course / "source" / assignment).glob("*.ipynb")}
        tests = {nb: [c.metadata.nbgrader["grade_id"] for c in source.cells
                      if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
                 for nb, source in sources.items()}
        handed_in = set(grade_rows(course, assignment))  # (student, notebook): only lessons handed in have tests
        assert {(r["student"], r["notebook"], r["test"]) for r in rows} == \
            {(s, nb, t) for s, nb in handed_in for t in tests[nb]}
        assert len(rows) == sum(len(tests[nb]) for _, nb in handed_in)
        hidden_lines = {line.strip() for source in sources.values() for c in source.cells
                        for region in hidden_test_regions(c.source)
                        for line in region.splitlines() if len(line.strip()) > 20}
        for row in rows:
            assert (row["passed"] == "True") == (row["message"] == ""), row
            assert float(row["points"]) == (float(row["max_points"]) if row["passed"] == "True" else 0.0)
            assert not any(line in row["message"] for line in hidden_lines), row
            assert "\n" not in row["message"]
    _, rows = read_csv(course / "exports" / "adaptive-mindset-tests.csv")
    by_key = {(r["student"], r["test"]): r for r in rows}
    # a failed check() in a cell with hidden tests: the check's own text from the source, the values as '…'
    assert by_key[("hidden-fail", "test_scenarios")]["message"] == (
        "CheckFailed: yearly_income ska använda de månader den får: 4 spelningar × 2 500 kronor × 10 månader är "
        "100 000 kronor.")
    assert by_key[("demo-empty", "test_response_rate")]["message"] == (
        "CheckFailed: response_rate ska ge ett tal, men gav … (typen …). Har funktionen en rad med return? Dela "
        "svaren med inbjudningarna med /.")
    assert "missing" in by_key[("demo-deleted-test", "test_response_rate")]["message"]
    assert by_key[("demo-os-exit", "test_poster")]["message"].startswith("not graded: the notebook stopped")


def test_feedback_names_failed_hidden_checks_but_never_shows_them(graded: dict) -> None:
    course = graded["course"]
    page = (course / "feedback" / "hidden-fail" / "adaptive-mindset" / "iterating-under-uncertainty.html"
            ).read_text(encoding="utf-8")
    assert remote_loads(page) == []
    assert "BEGIN HIDDEN TESTS" not in page
    assert "yearly_income(4, 2500, months=10)" not in page          # hidden test code
    assert 'dold kontroll / <span lang="en">hidden check</span>' in page   # says a hidden check failed
    assert "yearly_income ska använda de månader den får" in page  # and why, in the learner's language
    assert 'Poäng: 7 av 14 / <span lang="en">Score: 7 of 14</span>' in page
    late = (course / "feedback" / "demo-late" / "adaptive-mindset" / "iterating-under-uncertainty.html"
            ).read_text(encoding="utf-8")
    assert 'Sen inlämning: 2,2 poäng avdrag. / <span lang="en">Late submission: 2.2 points deducted.' in late
    assert not (course / "feedback" / "demo-os-exit" / "adaptive-mindset").exists()


def test_integrity_report_and_gradebook_flags(graded: dict) -> None:
    from nbgrader.api import Gradebook

    course = graded["course"]
    _, rows = read_csv(course / "exports" / "creative-entrepreneurship-integrity.csv")
    problems = {(r["student"], r["cell"]): r["problem"] for r in rows}
    assert set(problems) == {("demo-edited-test", "test_price"), ("demo-deleted-test", "test_price")}
    assert "silently restored" in problems[("demo-edited-test", "test_price")]
    assert "deleted" in problems[("demo-deleted-test", "test_price")]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        flagged = {s.student.id for s in gb.assignment_submissions("creative-entrepreneurship")
                   if any(nb.flagged for nb in s.notebooks)}
    assert flagged == {"demo-edited-test", "demo-deleted-test"}


def test_parallel_grading_gives_the_same_gradebook_as_sequential_nbgrader(graded: dict, tmp_path: Path) -> None:
    """The same submissions graded by nbgrader's own autograde, one after another in one gradebook."""
    from nbgrader.api import Gradebook

    from lce_utils.courses.collect import collect
    from lce_utils.courses.grading import autograde_sequential
    from lce_utils.courses.release import release

    assignment = "digital-tools-for-artistic-processes"
    students = ["demo-correct", "demo-partial", "demo-late", "demo-edited-test", "demo-deleted-test",
                "demo-always-equal", "demo-memory-hog", "demo-output-flood"]
    course = new_course(tmp_path) / "courses"
    release([assignment], course)
    collected = collect(assignment, graded["base"] / "submissions" / assignment, course)
    for student in set(collected.students) - set(students):
        shutil.rmtree(course / "submitted" / student)
    autograde_sequential(assignment, students, course, timeout=int(TIMEOUT))

    def snapshot(db: Path) -> dict:
        with Gradebook(f"sqlite:///{db}") as gb:
            return {(s.student.id, nb.name, g.name): (g.auto_score, g.needs_manual_grade, nb.score,
                                                      nb.late_submission_penalty)
                    for s in gb.assignment_submissions(assignment) if s.student.id in students
                    for nb in s.notebooks for g in nb.grades}

    parallel, sequential = snapshot(graded["course"] / "gradebook.db"), snapshot(course / "gradebook.db")
    cells = sum(1 for p in (course / "source" / assignment).glob("*.ipynb") for c in nbformat.read(p, 4).cells
                if c.metadata.get("nbgrader", {}).get("grade"))  # nbgrader keeps every lesson, handed in or not
    assert len(parallel) == len(students) * cells
    assert parallel == sequential


def test_gradebook_lookups_use_indexes_not_whole_table_scans(graded: dict) -> None:
    """nbgrader's scores and a submission's notebooks scanned the whole grade, comment and submitted_notebook tables
    (no index on their notebook_id / assignment_id), so each submission merged or graded cost more than the last:
    after `lce courses grade`, the queries nbgrader issues for one learner's results search an index."""
    import sqlite3

    from nbgrader.api import Gradebook
    from sqlalchemy import event

    db = graded["course"] / "gradebook.db"
    statements: dict[str, object] = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        event.listen(gb.engine, "before_cursor_execute",
                     lambda conn, cursor, sql, params, *rest: statements.setdefault(sql, params))
        submission = gb.find_submission("adaptive-mindset", "demo-correct")
        assert submission.score > 0 and submission.notebooks
        for nb in submission.notebooks:
            assert nb.score == sum(g.score for g in nb.grades) and nb.comments is not None
        gb.update_or_create_submission("adaptive-mindset", "demo-correct")  # what every merge does
        submitted_notebooks(gb, submission, scores=True)  # what the merge, the worker and the export read
    con = sqlite3.connect(db)
    try:
        scans = {row[3] for sql, params in statements.items() if sql.lstrip().upper().startswith("SELECT")
                 for row in con.execute("EXPLAIN QUERY PLAN " + sql, params)  # type: ignore[arg-type]
                 if row[3].startswith("SCAN") and row[3].split()[1] in ("grade", "comment", "submitted_notebook",
                                                                           "submitted_assignment")}
    finally:
        con.close()
    assert len(statements) > 3 and not scans, scans


def test_reading_a_learners_results_takes_a_few_queries_however_many_grades_they_have(graded: dict) -> None:
    """nbgrader's names of grades and comments and its scores are loaded one query at a time: a learner's results
    (read by the worker, merged by the main process, exported) took a query per grade, per comment and per score,
    about 20 per learner in the exports and 60 for one learner's results. Now a few per learner, whatever the
    number of grades."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    course, assignment = graded["course"], "adaptive-mindset"
    statements: list[str] = []

    def count(conn, cursor, sql, *rest) -> None:
        statements.append(sql)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        results = read_grades(course, assignment, "demo-correct")
        opened = len(statements)  # opening the gradebook (nbgrader checks its tables) and three reads
        statements.clear()
        grade_rows, test_rows = collect_rows(assignment, course)
        exported = len(statements)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    grades = sum(len(nb["grades"]) + len(nb["comments"]) for nb in results["notebooks"].values())
    learners = len({row["student"] for row in grade_rows})
    assert grades > 20 and learners >= 10 and test_rows
    assert opened < 25, opened
    assert exported <= 25 + 5 * learners, (exported, learners)


def test_regrading_one_student_from_a_zip_leaves_the_others_alone(graded: dict, tmp_path: Path) -> None:
    course, assignment = graded["course"], "creative-entrepreneurship"
    before = grade_rows(course, assignment)
    others = {p: p.stat().st_mtime_ns for p in (course / "autograded").glob(f"*/{assignment}/*.ipynb")
              if "demo-empty" not in str(p)}
    # demo-empty hands in the correct notebook this time, zipped the way an LMS download looks
    correct = graded["base"] / "submissions" / assignment / "demo-correct" / "pricing-vat-and-budgets.ipynb"
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(correct, f"lms-export/demo-empty/{assignment}/pricing-vat-and-budgets.ipynb")
        zf.write(correct, f"lms-export/demo-partial/{assignment}/pricing-vat-and-budgets.ipynb")
    run_lce(graded["root"], "courses", "grade", assignment, str(archive), "--student", "demo-empty",
            "--timeout", TIMEOUT)
    after = grade_rows(course, assignment)
    assert float(after[("demo-empty", "pricing-vat-and-budgets")]["score"]) == 12.0
    assert {k: r for k, r in after.items() if k[0] != "demo-empty"} == \
        {k: r for k, r in before.items() if k[0] != "demo-empty"}
    assert {p: p.stat().st_mtime_ns for p in others} == others
    # the separate export step writes the same file again
    first = (course / "exports" / f"{assignment}-grades.csv").read_text()
    run_lce(graded["root"], "courses", "export", assignment)
    assert (course / "exports" / f"{assignment}-grades.csv").read_text() == first
    assert (course / "exports" / f"{assignment}-tests.csv").exists()
    # feedback for one learner only
    proc = run_lce(graded["root"], "courses", "feedback", assignment, "--student", "demo-empty")
    pages = proc.stdout.split()  # demo-empty's earlier lessons are kept: one page for each lesson handed in
    assert any(p.endswith("demo-empty/creative-entrepreneurship/pricing-vat-and-budgets.html") for p in pages)
    assert all("/demo-empty/" in p for p in pages)


def test_grade_reports_bad_input_clearly(graded: dict, tmp_path: Path) -> None:
    proc = run_lce(graded["root"], "courses", "grade", "no-such-assignment", str(tmp_path), check=False)
    assert proc.returncode == 2 and "unknown assignment 'no-such-assignment'" in proc.stderr
    assert "Traceback" not in proc.stderr
    broken = tmp_path / "subs"
    (broken / "anna").mkdir(parents=True)
    (broken / "anna" / "pricing-vat-and-budgets.ipynb").write_text("{not json", encoding="utf-8")
    (broken / "bad name!").mkdir()
    proc = run_lce(graded["root"], "courses", "grade", "creative-entrepreneurship", str(broken),
                   "--student", "anna", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "NOT COLLECTED anna: pricing-vat-and-budgets.ipynb is not a readable notebook" in proc.stdout
    proc = run_lce(graded["root"], "courses", "grade", "creative-entrepreneurship", str(tmp_path / "nothing"),
                   check=False)
    assert proc.returncode == 1 and "no such folder or zip file" in proc.stderr


SECOND = "second-lesson"  # a small second lesson beside iterating-under-uncertainty: one answer, 2 points


def second_lesson() -> nbformat.NotebookNode:
    """A two-point lesson in the lesson format's shape: language cell, one answer, one test cell."""
    from nbformat.v4 import new_code_cell, new_notebook

    def graded(source: str, **meta: object) -> nbformat.NotebookNode:
        return new_code_cell(source, metadata={"nbgrader": {"schema_version": 3, "locked": False, **meta}})

    language = new_code_cell('from lce_utils.courses.checks import set_language\nset_language("sv")',
                             metadata={"tags": ["lce-language"]})
    answer = graded("### BEGIN SOLUTION\nticket_price = 120\n### END SOLUTION", grade_id="ticket_answer",
                    solution=True, grade=False)
    test = graded('from lce_utils.courses.checks import check, done, is_number\n'
                  'check("ticket_price" in globals(), sv="Skriv ett pris.", en="Type a price.")\n'
                  'check(is_number(ticket_price) and ticket_price == 120, sv="Inte rätt pris.", en="Not the price.")\n'
                  'done(sv="Bra!", en="Well done!")', grade_id="test_ticket", solution=False, grade=True,
                  locked=True, points=2)
    return new_notebook(cells=[language, answer, test])


@pytest.fixture(scope="module")
def two_lessons(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """adaptive-mindset with two lessons; learners hand in one, the other or both (one of them late)."""
    from lce_utils.courses.demo import course_demos, demo_notebook, timestamp_for

    base = tmp_path_factory.mktemp("two-lessons")
    root = new_course(base)
    course, assignment = root / "courses", "adaptive-mindset"
    for path in (course / "source" / assignment).glob("*.ipynb"):
        if path.stem != "iterating-under-uncertainty":
            path.unlink()
    nbformat.write(second_lesson(), course / "source" / assignment / f"{SECOND}.ipynb")
    run_lce(root, "courses", "release", assignment)
    first = "iterating-under-uncertainty"
    lesson = course_demos(assignment)[first]

    def first_as(kind: str) -> nbformat.NotebookNode:
        return demo_notebook(kind, lesson, nbformat.read(course / "release" / assignment / f"{first}.ipynb", 4),
                             nbformat.read(course / "source" / assignment / f"{first}.ipynb", 4))

    second = nbformat.read(course / "release" / assignment / f"{SECOND}.ipynb", 4)
    answered = copy.deepcopy(second)
    next(c for c in answered.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ticket_answer"
         ).source = "ticket_price = 120"
    handed = {"one": {first: first_as("demo-correct")},
              "both": {first: first_as("demo-partial"), SECOND: answered},
              "late": {first: first_as("demo-correct"), SECOND: answered},
              "second-only": {SECOND: second}}
    subs = base / "subs"
    due = {a.id: a.due for a in assignments(course)}[assignment]
    for student, notebooks in handed.items():
        (subs / student).mkdir(parents=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, subs / student / f"{name}.ipynb")
        stamp = timestamp_for("demo-late" if student == "late" else "demo-correct", due)
        (subs / student / "timestamp.txt").write_text(f"{stamp}\n", encoding="utf-8")
    stdout = run_lce(root, "courses", "grade", assignment, str(subs), "--timeout", TIMEOUT).stdout
    return {"course": course, "assignment": assignment, "stdout": stdout}


def test_lessons_not_handed_in_have_no_rows_and_late_penalties_are_per_lesson(two_lessons: dict) -> None:
    course, assignment, first = two_lessons["course"], two_lessons["assignment"], "iterating-under-uncertainty"
    rows = {k: (float(r["score"]), float(r["max_score"]), r["needs_manual_grading"])
            for k, r in grade_rows(course, assignment).items()}
    assert rows == {("both", first): (7.0, 14.0, "False"), ("both", SECOND): (2.0, 2.0, "False"),
                    ("late", first): (8.8, 14.0, "True"), ("late", SECOND): (1.6, 2.0, "False"),  # 20 % off each
                    ("one", first): (11.0, 14.0, "True"), ("second-only", SECOND): (0.0, 2.0, "False")}
    _, tests = read_csv(course / "exports" / f"{assignment}-tests.csv")
    assert sorted((r["student"], r["test"], r["passed"]) for r in tests) == sorted(
        [("one", t, "True") for t in ("test_response_rate", "test_poster", "test_scenarios")]
        + [("both", "test_response_rate", "True"), ("both", "test_poster", "True"),
           ("both", "test_scenarios", "False"), ("both", "test_ticket", "True")]
        + [("late", t, "True") for t in ("test_response_rate", "test_poster", "test_scenarios", "test_ticket")]
        + [("second-only", "test_ticket", "False")])
    # nothing handed in is no tampering; feedback only for the lessons handed in
    _, integrity = read_csv(course / "exports" / f"{assignment}-integrity.csv")
    assert integrity == []
    assert "TAMPERED" not in two_lessons["stdout"] and "NOT GRADED" not in two_lessons["stdout"]
    pages = {p.relative_to(course / "feedback").as_posix() for p in (course / "feedback").rglob("*.html")}
    assert pages == {f"one/{assignment}/{first}.html", f"both/{assignment}/{first}.html",
                     f"both/{assignment}/{SECOND}.html", f"late/{assignment}/{first}.html",
                     f"late/{assignment}/{SECOND}.html", f"second-only/{assignment}/{SECOND}.html"}
    late = (course / "feedback" / "late" / assignment / f"{SECOND}.html").read_text(encoding="utf-8")
    assert 'Sen inlämning: 0,4 poäng avdrag. / <span lang="en">Late submission: 0.4 points deducted.' in late


def test_nbgrader_scores_a_lesson_not_handed_in_zero_without_grading_it(two_lessons: dict) -> None:
    """nbgrader's own behaviour, which the exports leave out: the gradebook keeps every lesson of the assignment,
    and autograde gives a notebook not handed in auto_score 0 on every cell, not waiting for manual grading."""
    from nbgrader.api import Gradebook

    course = two_lessons["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        one = gb.find_submission_notebook(SECOND, two_lessons["assignment"], "one")
        assert [(g.name, g.auto_score, g.needs_manual_grade) for g in one.grades] == [("test_ticket", 0.0, False)]
        assert (one.score, one.max_score, one.needs_manual_grade, one.late_submission_penalty) == (0.0, 2.0, False,
                                                                                                   None)
    assert not (course / "autograded" / "one" / two_lessons["assignment"] / f"{SECOND}.ipynb").exists()


def test_lms_totals_sum_the_lessons_handed_in_out_of_every_lesson(two_lessons: dict, tmp_path: Path) -> None:
    from lce_utils.courses.export import assignment_max_score

    course, assignment = two_lessons["course"], two_lessons["assignment"]
    assert assignment_max_score(assignment, course) == 16.0  # 14 + 2: every lesson, whoever handed it in
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,name,email,canvas_id,sis_user_id,sis_login_id,section\n" + "".join(
        f"{s},{s},{s}@example.org,{i},S{i},{s},Lund\n" for i, s in enumerate(["one", "both", "late", "second-only"])))
    run_lce(course.parent, "courses", "lms-export", "canvas", assignment, "--roster", str(roster), "--out",
            str(tmp_path / "canvas.csv"))
    assert (tmp_path / "canvas.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "    Points Possible,,,,,16", "one,0,S0,one,Lund,11", "both,1,S1,both,Lund,9", "late,2,S2,late,Lund,10.4",
        "second-only,3,S3,second-only,Lund,0"]
