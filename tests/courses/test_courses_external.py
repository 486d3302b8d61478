"""An existing nbgrader course, not LCE's: `lce courses ... --course DIR` grades it exactly as plain
`nbgrader autograde` does, keeps the files learners hand in beside a notebook (size-capped), and refuses course
layouts it cannot read."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lce_utils.cli import main
from lce_utils.courses.collect import collect

BIN = Path(sys.executable).parent
ASSIGNMENT = "visits"
NOTEBOOK = "attendance.ipynb"
DUE = "2026-06-01 12:00:00 UTC"
ON_TIME = "2026-05-30 09:00:00.000000 UTC"
LATE = "2026-06-02 09:00:00.000000 UTC"

CONFIG = '''c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "audience-101"
c.CourseDirectory.max_file_size = 50          # kB per handed-in file
c.LateSubmissionPlugin.penalty_method = "zero"  # nbgrader's own late rule: late work scores 0
'''

ANSWERS = {
    "mean_answer": '''def mean_attendance(counts):
    """The average of a list of attendance counts."""
    ### BEGIN SOLUTION
    return sum(counts) / len(counts)
    ### END SOLUTION''',
    "busiest_answer": '''def busiest_day(visits):
    """The day with the most visits, from a dict day -> visits."""
    ### BEGIN SOLUTION
    return max(visits, key=visits.get)
    ### END SOLUTION''',
    "file_answer": '''import csv


def total_from_file(path):
    """The sum of the 'visits' column of a CSV file."""
    ### BEGIN SOLUTION
    with open(path, newline="") as handle:
        return sum(int(row["visits"]) for row in csv.DictReader(handle))
    ### END SOLUTION''',
}
TESTS = {
    "mean_test": (2, '''assert mean_attendance([10, 20]) == 15
### BEGIN HIDDEN TESTS
assert mean_attendance([1, 2, 3, 4]) == 2.5
### END HIDDEN TESTS'''),
    "busiest_test": (3, '''assert busiest_day({"mon": 1, "tue": 5}) == "tue"
### BEGIN HIDDEN TESTS
assert busiest_day({"fri": 9, "sat": 2, "sun": 7}) == "fri"
### END HIDDEN TESTS'''),
    "file_test": (1, '''import csv
with open("my-visits.csv", newline="") as handle:
    rows = list(csv.DictReader(handle))
assert len(rows) >= 3, "hand in my-visits.csv with at least three days"
assert total_from_file("my-visits.csv") == sum(int(r["visits"]) for r in rows)'''),
}
MY_VISITS = "day,visits\nmon,12\ntue,30\nwed,0\n"

# What each learner hands in: answers (grade_id -> code), extra files, submission time; and the score by hand.
RIGHT = {gid: code.replace("    ### BEGIN SOLUTION\n", "").replace("\n    ### END SOLUTION", "")
         for gid, code in ANSWERS.items()}
SUBMISSIONS = {
    "right": (RIGHT, {"my-visits.csv": MY_VISITS}, ON_TIME),
    # visible busiest check passes, the hidden one fails (the last day, not the busiest); no data file
    "partly": ({"mean_answer": RIGHT["mean_answer"],
                "busiest_answer": "def busiest_day(visits):\n    return list(visits)[-1]"}, {}, ON_TIME),
    "wrong": ({"mean_answer": "def mean_attendance(counts):\n    return sum(counts) / (len(counts) + 1)"}, {}, ON_TIME),
    "late": (RIGHT, {"my-visits.csv": MY_VISITS}, LATE),
    "big-file": (RIGHT, {"my-visits.csv": MY_VISITS, "recording.wav": "x" * 80_000}, ON_TIME),
}
EXPECTED = {"right": 6.0, "partly": 2.0, "wrong": 0.0, "late": 0.0, "big-file": 6.0}

pytestmark = pytest.mark.slow


def nbgrader_cell(cell, grade_id: str, *, solution: bool = False, points: int = 0):
    cell.metadata["nbgrader"] = {"grade": points > 0, "grade_id": grade_id, "locked": not solution,
                                 "points": points, "schema_version": 3, "solution": solution, "task": False}
    return cell


def tool_env() -> dict[str, str]:
    """The environment of a real instructor's shell: the venv's tools on PATH (nbgrader runs alembic)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "JUPYTER_PATH", "LCE_ROOT")}
    env["PATH"] = f"{BIN}{os.pathsep}/usr/bin:/bin"
    return env


def run(folder: Path, *command: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(command), cwd=folder, env=tool_env(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def make_course(folder: Path) -> Path:
    """A small nbgrader course of its own, set up with nbgrader's own commands as its instructor would."""
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    cells = [new_markdown_cell("# Attendance\nThree small exercises on a venue's visit counts.")]
    for (answer_id, code), (test_id, (points, test)) in zip(ANSWERS.items(), TESTS.items()):
        cells.append(nbgrader_cell(new_code_cell(code), answer_id, solution=True))
        cells.append(nbgrader_cell(new_code_cell(test), test_id, points=points))
    (folder / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}}),
                   folder / "source" / ASSIGNMENT / NOTEBOOK)
    run(folder, str(BIN / "nbgrader"), "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    run(folder, str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT)
    return folder


def write_submissions(course: Path, out: Path) -> None:
    """<student>/<notebook>.ipynb with the student's answers, handed-in files and timestamp.txt."""
    released = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for student, (answers, files, stamp) in SUBMISSIONS.items():
        nb = nbformat.from_dict(released)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in answers:
                cell.source = answers[gid]
        folder = out / student
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")


def gradebook_scores(course: Path) -> dict[str, dict]:
    """student -> every grade's auto score and manual flag, the late penalty and the total, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        result = {}
        for submission in gb.assignment_submissions(ASSIGNMENT):
            nb = submission.notebooks[0]
            result[submission.student.id] = {
                "grades": {g.name: (g.auto_score, bool(g.needs_manual_grade)) for g in nb.grades},
                "late_penalty": nb.late_submission_penalty, "score": nb.score,
                "final": round(max(0.0, nb.score - (nb.late_submission_penalty or 0.0)), 4),
            }
        return result


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The course graded twice from the same state: by `lce courses grade --course`, and by plain nbgrader."""
    base = tmp_path_factory.mktemp("external")
    course = make_course(base / "original")
    subs = base / "download"
    write_submissions(course, subs)
    lce_course, plain_course = base / "with-lce", base / "plain-nbgrader"
    shutil.copytree(course, lce_course)
    shutil.copytree(course, plain_course)
    # plain nbgrader: the submissions where its exchange would collect them, then `nbgrader autograde`
    for student in SUBMISSIONS:
        shutil.copytree(subs / student, plain_course / "submitted" / student / ASSIGNMENT)
    run(plain_course, str(BIN / "nbgrader"), "autograde", ASSIGNMENT)
    lce = run(base, str(BIN / "lce"), "courses", "grade", ASSIGNMENT, str(subs), "--course", str(lce_course),
              "--timeout", "20")
    return {"base": base, "lce": lce_course, "plain": plain_course, "subs": subs, "grade": lce}


def test_lce_grades_an_existing_course_exactly_as_plain_nbgrader(graded: dict) -> None:
    lce, plain = gradebook_scores(graded["lce"]), gradebook_scores(graded["plain"])
    assert set(lce) == set(plain) == set(SUBMISSIONS)
    assert lce == plain
    assert {student: row["final"] for student, row in lce.items()} == EXPECTED
    assert plain["late"]["score"] == 6.0 and plain["late"]["late_penalty"] == 6.0  # nbgrader's "zero" rule
    assert plain["partly"]["grades"]["busiest_test"] == (0.0, False)  # the hidden check failed
    assert plain["wrong"]["grades"]["mean_test"] == (0.0, False)
    # LCE's grades CSV says the same, in the course's own exports/ folder
    with (graded["lce"] / "exports" / f"{ASSIGNMENT}-grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert rows == EXPECTED
    assert f"{ASSIGNMENT}: graded 5 of 5 submissions" in graded["grade"].stdout


def test_handed_in_files_are_kept_and_an_oversized_one_is_named(graded: dict) -> None:
    submitted = graded["lce"] / "submitted"
    assert (submitted / "right" / ASSIGNMENT / "my-visits.csv").read_text(encoding="utf-8") == MY_VISITS
    assert (graded["lce"] / "autograded" / "right" / ASSIGNMENT / "my-visits.csv").exists()
    assert (submitted / "big-file" / ASSIGNMENT / "my-visits.csv").exists()
    assert not (submitted / "big-file" / ASSIGNMENT / "recording.wav").exists()
    assert ("FILE LEFT OUT big-file: recording.wav (80 kB) is larger than the 50 kB allowed per handed-in file "
            "(CourseDirectory.max_file_size); graded without it") in graded["grade"].stderr


def test_other_commands_take_the_course_folder(graded: dict) -> None:
    course, base = graded["lce"], graded["base"]
    (course / "exports" / f"{ASSIGNMENT}-grades.csv").unlink()
    run(base, str(BIN / "lce"), "courses", "export", "--course", str(course))
    assert (course / "exports" / f"{ASSIGNMENT}-grades.csv").exists()
    shutil.rmtree(course / "feedback" / "partly")
    out = run(base, str(BIN / "lce"), "courses", "feedback", ASSIGNMENT, "--student", "partly", "--course", str(course))
    page = course / "feedback" / "partly" / ASSIGNMENT / "attendance.html"
    assert out.stdout.strip() == str(page) and page.exists()
    assert '"fri": 9' not in page.read_text(encoding="utf-8")  # the hidden check is named, never shown
    validated = run(base, str(BIN / "lce"), "courses", "validate", str(graded["subs"] / "right" / NOTEBOOK),
                    "--course", str(course))
    assert "All visible checks passed" in validated.stdout
    assert "2 check cell(s) also contain HIDDEN tests" in validated.stdout
    released = run(base, str(BIN / "lce"), "courses", "release", "--course", str(course))
    english = NOTEBOOK.removesuffix(".ipynb") + ".en.ipynb"  # an unmarked notebook is released as it is in both
    assert released.stdout.split() == [str(course / "release" / ASSIGNMENT / name) for name in (NOTEBOOK, english)]


def test_course_folder_mistakes_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["courses", "export", "--course", str(tmp_path)]) == 2
    assert f"--course {tmp_path}: not an nbgrader course folder (expected a source/ folder" in capsys.readouterr().err
    (tmp_path / "source" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "nbgrader_config.py").write_text(CONFIG + 'c.CourseDirectory.db_url = "sqlite:////elsewhere.db"\n'
                                                 'c.CourseDirectory.submitted_directory = "handins"\n')
    assert main(["courses", "export", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    # a gradebook elsewhere (PostgreSQL on a hub) is read from db_url; moved folders are refused
    assert f"{tmp_path / 'nbgrader_config.py'}: sets CourseDirectory.submitted_directory; LCE needs" in err


def test_collect_keeps_files_as_nbgrader_does_and_never_follows_links(tmp_path: Path) -> None:
    course = tmp_path / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "source" / ASSIGNMENT / NOTEBOOK).write_text("{}")
    (course / "nbgrader_config.py").write_text(CONFIG + 'c.CourseDirectory.ignore = ["*.tmp", "scratch"]\n')
    learner = tmp_path / "download" / "anna"
    (learner / "data" / "scratch").mkdir(parents=True)
    nbformat.write(new_notebook(), learner / NOTEBOOK)
    nbformat.write(new_notebook(), learner / "Untitled.ipynb")         # not part of the assignment
    (learner / "data" / "visits.csv").write_text(MY_VISITS)
    (learner / "data" / "scratch" / "notes.txt").write_text("ignored folder")
    (learner / "draft.tmp").write_text("ignored by pattern")
    (learner / "poster.png").write_bytes(b"\0" * 60_001)               # 60 kB > 50 kB
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the submission")
    (learner / "link.txt").symlink_to(secret)
    (learner / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    said: list[str] = []
    result = collect(ASSIGNMENT, tmp_path / "download", course, notify=said.append)
    assert result.students == ["anna"] and result.problems == {}
    kept = sorted(p.relative_to(course / "submitted" / "anna" / ASSIGNMENT).as_posix()
                  for p in (course / "submitted" / "anna" / ASSIGNMENT).rglob("*") if p.is_file())
    assert kept == [NOTEBOOK, "data/visits.csv"]
    assert result.left_out == {"anna": ["poster.png (60 kB) is larger than the 50 kB allowed per handed-in file "
                                        "(CourseDirectory.max_file_size); graded without it"]}
    assert said == [f"  FILE LEFT OUT anna: {result.left_out['anna'][0]}"]
