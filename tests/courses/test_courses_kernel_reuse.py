"""One sandboxed kernel per submission (lce_utils/courses/kernel_reuse.py), graded for real in bubblewrap: the
learner's lessons share one kernel start, and each lesson still starts as in a fresh kernel (no name, module, file
or cell source of an earlier lesson), while a shell changed in an earlier lesson is still found in a later one."""

from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager

from lce_utils.courses import grading
from lce_utils.courses.collect import collect
from lce_utils.courses.config import copy_course
from lce_utils.courses.integrity import INTEGRITY_ENAME, is_test_cell
from lce_utils.courses.release import release
from lce_utils.courses.sandbox import Containment, bwrap_path
from tests.submissions import ASSIGNMENT, answer_cells, write_submission

pytestmark = pytest.mark.slow
CELL_TIMEOUT = 30  # seconds per cell
FIRST, SECOND = "changing-course", "from-hunch-to-hypothesis"  # graded in this order (nbgrader sorts by name)
# the first lesson leaves a name, a module of its own, files and its cell source behind; the second looks for them
LEAVE = '''
leaked_name = 42
import sys, types; sys.modules["leaked_module"] = types.ModuleType("leaked_module")
open("leaked.txt", "w").write("x"); open("/tmp/leaked.txt", "w").write("x")
SECRET_MARK = "only-in-the-first-lesson"
'''
LOOK = '''
import linecache, os, sys
print("LOOK name", "leaked_name" in globals(), "module", "leaked_module" in sys.modules,
      "files", os.path.exists("leaked.txt"), os.path.exists("/tmp/leaked.txt"),
      "source", any("only-in-the-first-" + "lesson" in "".join(e[2]) for e in list(linecache.cache.values())
                    if isinstance(e, tuple) and len(e) > 2),
      "count", get_ipython().execution_count)
try:
    leaked_name
except NameError:
    print("LOOK NameError")
'''
DISARM = "import lce_utils.courses.checks as _c\n_c.check = lambda *a, **k: None\n"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        bwrap_path()
    except Exception as exc:  # noqa: BLE001 (SandboxError: no bubblewrap or no user namespaces here)
        pytest.skip(f"needs bubblewrap: {exc}")
    root = copy_course(tmp_path_factory.mktemp("reuse") / "root") / "courses"
    release([ASSIGNMENT], root)
    return root


def submission(base: Path, student: str, course: Path, first: str, second: str) -> Path:
    """student's folder with FIRST (first put before its first answer) and SECOND (second likewise)."""
    folder = base / student
    for notebook, code in ((FIRST, first), (SECOND, second)):
        made = write_submission(base.parent / f"parts-{student}-{notebook}", student, course, code=code,
                                notebook=notebook)
        folder.mkdir(parents=True, exist_ok=True)
        for path in made.iterdir():
            shutil.copy2(path, folder / path.name)
    return folder


def _grade_counting(course: str, snapshot: str, base: str, shared: dict, student: str) -> tuple[dict, int]:
    """In a worker process of its own, as grading runs it: init, grade one student, count the kernels started.
    (Never in the test's process: a worker ends every process it has started, a test's browser included.)"""
    starts = []
    original = AsyncKernelManager.start_kernel

    async def counted(self, **kw):  # type: ignore[no-untyped-def]
        starts.append(1)
        return await original(self, **kw)

    AsyncKernelManager.start_kernel = counted  # type: ignore[method-assign]
    grading._worker_init(course, snapshot, base, CELL_TIMEOUT, 3072, shared)
    return grading._grade_in_worker(ASSIGNMENT, student), len(starts)


def grade_in_worker(course: Path, tmp: Path, student: str, reuse: bool) -> tuple[dict, int]:
    """Grade one student in a worker process as autograde_parallel does; the result and how many kernels started."""
    containment = Containment.prepare(True, 3072, 600)
    base = tmp / f"worker-{student}"
    base.mkdir()
    snapshot = base / "snapshot.db"
    from nbgrader.api import Gradebook

    with Gradebook(grading.db_url(course)) as gb:
        gb.update_or_create_student(student)
    grading.snapshot_gradebook(course, snapshot)
    shared = {"bwrap": containment.bwrap, "processes": containment.processes, "time_limit": 600,
              "sockets": grading._socket_folder(str(base)), "reuse_kernel": reuse,
              "cgroups": containment.cgroups.__dict__ if containment.cgroups else None}
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_grade_counting, str(course), str(snapshot), str(base), shared, student).result()
    finally:
        containment.close()
        shutil.rmtree(shared["sockets"], ignore_errors=True)


def graded(result: dict, notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(Path(result["autograded"]) / f"{notebook}.ipynb", as_version=4)


def printed(nb: nbformat.NotebookNode, mark: str) -> str:
    return "".join(o.get("text", "") for c in answer_cells(nb) for o in c.outputs
                   if o.get("output_type") == "stream" and mark in o.get("text", ""))


def test_each_lesson_starts_as_in_a_fresh_kernel(course: Path, tmp_path: Path) -> None:
    looked, starts, scores = {}, {}, {}
    for reuse in (False, True):  # the old way, a kernel per lesson, is the reference
        student = f"leaver-{int(reuse)}"
        collect(ASSIGNMENT, submission(tmp_path / f"subs-{reuse}", student, course, LEAVE, LOOK).parent, course)
        result, starts[reuse] = grade_in_worker(course, tmp_path, student, reuse)
        assert result["ok"], result
        looked[reuse] = printed(graded(result, SECOND), "LOOK")
        scores[reuse] = {nb: data["grades"] for nb, data in result["grades"]["notebooks"].items()}
    # the saving: one kernel for the submission's two lessons instead of two
    assert starts == {False: 2, True: 1}
    # the second lesson sees nothing of the first (name, module, files, cell source) and counts its cells from the
    # same number as in a kernel of its own
    assert "LOOK name False module False files False False source False count " in looked[False]
    assert "LOOK NameError" in looked[False]
    assert looked[True] == looked[False]
    # and every cell of both lessons gets the same score and manual-grading flag as in a kernel of its own
    assert scores[True] == scores[False] and scores[False][FIRST] and scores[False][SECOND]


def test_a_check_disarmed_in_an_earlier_lesson_is_caught_in_the_next(course: Path, tmp_path: Path) -> None:
    """The baseline is the first lesson's, taken before any learner code: never retaken after the learner's."""
    student = "disarmer"
    collect(ASSIGNMENT, submission(tmp_path / "subs", student, course, DISARM, "").parent, course)
    result, starts = grade_in_worker(course, tmp_path, student, True)
    assert starts == 1
    nb = graded(result, SECOND)
    flagged = [c for c in nb.cells if is_test_cell(c)
               and any(o.get("ename") == INTEGRITY_ENAME for o in c.outputs)]
    assert flagged and len(flagged) == len([c for c in nb.cells if is_test_cell(c)])
    assert "lce_utils.courses.checks.check was replaced" in str(flagged[0].outputs)
    grades = result["grades"]["notebooks"][SECOND]["grades"]
    assert all(manual for _, manual in grades.values()), grades
