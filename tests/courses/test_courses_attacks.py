"""Hostile submissions of issue 9, graded in ONE batch with honest ones: every attack gets its exact expected row,
and every honest learner gets exactly the score they get when graded alone.

Each attack is a submission of adaptive-mindset (11 autograded points, due 2026-03-01, 10 % off per started day
late) with the attacking code put before its first answer. The sandbox keeps the course, the gradebook, classmates,
the network and the machine out of reach, so the attack changes nothing but its own learner's row."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import nbformat
import pytest

from lce_utils.courses.config import copy_course
from lce_utils.courses.export import collect_rows
from lce_utils.courses.release import release
from lce_utils.courses.sandbox import MAX_PROCESSES
from lce_utils.courses.workflow import grade
from tests.courses.test_courses_sandbox import SLEEP, Listener, sleepers
from tests.submissions import ASSIGNMENT, first_answer_output, probe_lines, write_submission

pytestmark = pytest.mark.slow
TIMEOUT = 30       # seconds per cell (a loaded CI machine needs ~20 s for three children to hit the memory limit)
TIME_LIMIT = 90    # seconds per submission (test_courses_sandbox.py checks what happens past it)
NOTEBOOK = "iterating-under-uncertainty"

HONEST = {"honest-correct": "demo-correct", "honest-partial": "demo-partial", "honest-late": "demo-late",
          "honest-empty": "demo-empty"}

# what each attack tries (the paths are the real ones on the grading machine); {course}, {port}, {sleep} filled in
ATTACKS: dict[str, tuple[str, str]] = {
    "read-course": ("demo-correct", '''
import glob
found = []
for pattern in ["{course}/source/*/*.ipynb", "{course}/gradebook.db", "{course}/submitted/*/*/*.ipynb",
                "../source/*/*.ipynb", "../../source/*/*.ipynb", "../../../source/*/*.ipynb",
                "../../../../source/*/*.ipynb", "../../../gradebook.db", "../../*/{assignment}/*.ipynb"]:
    for path in glob.glob(pattern):
        try:
            found.append(path + open(path, errors="replace").read())
        except OSError:
            pass
print("PROBE found:", len(found))
print("".join(found))
'''),
    "exec-solutions": ("demo-empty", '''
import glob, json
ran = 0
for path in glob.glob("{course}/source/{assignment}/*.ipynb") + glob.glob("../../../source/{assignment}/*.ipynb"):
    for cell in json.load(open(path))["cells"]:
        if "BEGIN SOLUTION" in "".join(cell["source"]):
            exec("".join(cell["source"]), globals())
            ran += 1
print("PROBE ran:", ran)
'''),
    "append-config": ("demo-correct", '''
for path in ["{course}/nbgrader_config.py", "../../../nbgrader_config.py"]:
    try:
        open(path, "a").write("\\nimport os; os.system('touch /tmp/owned')\\n")
        print("PROBE appended:", path)
    except OSError as exc:
        print("PROBE blocked:", type(exc).__name__)
'''),
    "delete-exports": ("demo-correct", '''
import shutil
for path in ["{course}/exports", "../../../exports", "{course}/autograded", "{course}/feedback"]:
    shutil.rmtree(path, ignore_errors=True)
'''),
    "overwrite-classmate": ("demo-correct", '''
import glob
mine = glob.glob("*.ipynb")[0]
for path in glob.glob("{course}/submitted/honest-partial/*/*.ipynb") + ["../honest-partial/{assignment}/" + mine]:
    try:
        open(path, "w").write(open(mine).read())
    except OSError as exc:
        print("PROBE blocked:", type(exc).__name__)
'''),
    "rewrite-gradebook": ("demo-correct", '''
import glob, sqlite3
for path in ["{course}/gradebook.db"] + glob.glob("/tmp/lce-grading-*/worker-*/gradebook.db"):
    try:
        db = sqlite3.connect(path)
        db.execute("UPDATE source_cell SET source = 'pass', checksum = NULL")
        db.commit()
        print("PROBE rewrote:", path)
    except sqlite3.Error as exc:
        print("PROBE blocked:", type(exc).__name__)
'''),
    "null-due-date": ("demo-late", '''
import glob, sqlite3
for path in glob.glob("/tmp/lce-grading-*/worker-*/gradebook.db") + glob.glob("/tmp/*/*/gradebook.db"):
    db = sqlite3.connect(path)
    db.execute("UPDATE assignment SET duedate = NULL")
    db.commit()
    print("PROBE nulled:", path)
'''),
    "localhost-socket": ("demo-correct", '''
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    print("PROBE connected")
except OSError as exc:
    print("PROBE blocked:", type(exc).__name__)
'''),
    "new-session-sleep": ("demo-correct", '''
import os, subprocess
subprocess.Popen(["sleep", "{sleep}"], start_new_session=True)
if os.fork() == 0:  # and a daemon, double-forked
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{sleep}"])
    os._exit(0)
'''),
    "memory-children": ("demo-correct", '''
import os, time
pids = []
for i in range(5):
    pid = os.fork()
    if pid == 0:  # 800 MB, touched: each child stays under the 3 GB per-process limit (RLIMIT_AS, which a child
        try:      # inherits with the kernel's own address space, up to 2 GB), together they are far over it
            block = b"\\x01" * (800 * 1024 * 1024)
            time.sleep(5)
        finally:  # a child never goes on as a copy of the kernel, whatever happened
            os._exit(0)
    pids.append(pid)
statuses = [os.waitpid(p, 0)[1] for p in pids]
print("PROBE killed:", sum(os.WIFSIGNALED(s) and os.WTERMSIG(s) == 9 for s in statuses))
'''),
    "kill-parent": ("demo-correct", '''
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
'''),
    "os-exit": ("demo-os-exit", ""),
    "ignore-sigint": ("demo-correct", '''
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
'''),
    "output-50mb": ("demo-correct", '''
print("x" * 50_000_000)
'''),
    "fork-bomb": ("demo-correct", '''
import os, time
while True:  # a real fork bomb: every child forks on, and nothing ends by itself; only a process limit stops it
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(10**6)  # holds its place until the sandbox ends
'''),
}

# student -> (score, needs manual grading, 'not graded' reason or '')
EXPECTED = {
    "read-course": (11.0, True, ""), "exec-solutions": (0.0, False, ""), "append-config": (11.0, True, ""),
    "delete-exports": (11.0, True, ""), "overwrite-classmate": (11.0, True, ""),
    "rewrite-gradebook": (11.0, True, ""), "null-due-date": (8.8, True, ""), "localhost-socket": (11.0, True, ""),
    "new-session-sleep": (11.0, True, ""), "memory-children": (11.0, True, ""), "kill-parent": (11.0, True, ""),
    "os-exit": (0.0, True, "the notebook stopped the Python kernel"),
    "ignore-sigint": (0.0, True, "a cell kept running after the time-out and could not be interrupted"),
    "output-50mb": (11.0, True, ""),
    "fork-bomb": (0.0, True, "process limit: the submission's processes and threads together reached the limit "
                  f"of {MAX_PROCESSES}, so some could not start"),
    "honest-correct": (11.0, True, ""), "honest-partial": (7.0, False, ""), "honest-late": (8.8, True, ""),
    "honest-empty": (0.0, False, ""),
}


def new_course(base: Path) -> Path:
    course = copy_course(base)
    release([ASSIGNMENT], course / "courses")
    return course / "courses"


def rows_of(course: Path) -> dict[str, tuple[float, bool]]:
    return {r["student"]: (float(r["score"]), bool(r["needs_manual_grading"]))
            for r in collect_rows(ASSIGNMENT, course)[0]}


def source_cells(course: Path) -> list[tuple]:
    with sqlite3.connect(course / "gradebook.db") as db:
        return db.execute("SELECT name, source, checksum FROM source_cell ORDER BY name").fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("attacks")
    course = new_course(base / "batch")
    subs = base / "submissions"
    listener = Listener()
    for student, kind in HONEST.items():
        write_submission(subs, student, course, kind=kind)
    for student, (kind, code) in ATTACKS.items():
        write_submission(subs, student, course, kind=kind, code=code.format(
            course=course, assignment=ASSIGNMENT, port=listener.port, sleep=SLEEP))
    sentinel = course / "exports" / "kept.txt"
    sentinel.parent.mkdir()
    sentinel.write_text("exports from an earlier run\n", encoding="utf-8")
    before = {"config": digest(course / "nbgrader_config.py"), "cells": source_cells(course)}
    report = grade(ASSIGNMENT, subs, course, timeout=TIMEOUT, time_limit=TIME_LIMIT, workers=2)
    listener.sock.close()

    alone_course = new_course(base / "alone")
    alone_subs = base / "alone-submissions"
    for student, kind in HONEST.items():
        write_submission(alone_subs, student, alone_course, kind=kind)
    grade(ASSIGNMENT, alone_subs, alone_course, timeout=TIMEOUT, time_limit=TIME_LIMIT, workers=2)
    return {"course": course, "report": report, "rows": rows_of(course), "alone": rows_of(alone_course),
            "listener": listener, "before": before, "sentinel": sentinel}


def test_every_learner_gets_exactly_the_expected_row(graded: dict) -> None:
    not_graded = {r.student: r.error for r in graded["report"].results if not r.ok}
    def reason(student: str) -> str:  # the start of the 'not graded' reason that is expected, or all of it
        error, want = not_graded.get(student, ""), EXPECTED.get(student, (0, False, ""))[2]
        return error[:len(want)] if want else error

    assert {student: (*row, reason(student)) for student, row in graded["rows"].items()} == EXPECTED


def test_honest_learners_score_as_when_graded_alone(graded: dict) -> None:
    assert {s: graded["rows"][s] for s in HONEST} == graded["alone"]


def test_course_material_never_reaches_the_learner(graded: dict) -> None:
    course = graded["course"]
    assert probe_lines(first_answer_output(course, "read-course"))["found"] == "0"
    assert probe_lines(first_answer_output(course, "exec-solutions"))["ran"] == "0"
    page = (course / "feedback" / "read-course" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in page and "BEGIN HIDDEN TESTS" not in page


def test_course_files_gradebook_and_classmates_are_untouched(graded: dict) -> None:
    course = graded["course"]
    assert digest(course / "nbgrader_config.py") == graded["before"]["config"]
    assert not Path("/tmp/owned").exists()
    assert graded["sentinel"].read_text(encoding="utf-8") == "exports from an earlier run\n"
    assert (course / "exports" / f"{ASSIGNMENT}-grades.csv").exists()
    assert source_cells(course) == graded["before"]["cells"]
    partial = nbformat.read(next((course / "submitted" / "honest-partial" / ASSIGNMENT).glob("*.ipynb")), 4)
    assert "gigs_per_month * fee * months" not in nbformat.writes(partial)  # still the partial answer
    for student in ("append-config", "overwrite-classmate", "rewrite-gradebook"):
        assert "PROBE blocked:" in first_answer_output(course, student), student
    assert "PROBE nulled" not in first_answer_output(course, "null-due-date")
    assert [f for f in graded["report"].findings if f.student in HONEST] == []


def test_no_network_no_process_left_output_capped(graded: dict) -> None:
    course = graded["course"]
    assert "PROBE blocked: ConnectionRefusedError" in first_answer_output(course, "localhost-socket")
    assert graded["listener"].accepted == 0
    assert sleepers() == []
    assert int(probe_lines(first_answer_output(course, "memory-children"))["killed"]) >= 1
    flood = first_answer_output(course, "output-50mb")
    assert "Output truncated" in flood
    assert (course / "autograded" / "output-50mb" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").stat().st_size < 3_000_000
