"""Autograde submissions in parallel without sharing nbgrader's SQLite gradebook between writers.

Each worker process autogrades with nbgrader's own API in a private copy of the course (its own gradebook copy,
its own sandboxed kernels); only the parent process writes the real gradebook, merging each student's results
(scores, needs-manual-grade flags, auto comments, late penalties) as they arrive."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lce_utils.courses.config import (DEFAULT_CELL_TIMEOUT, DEFAULT_MEMORY_MB, SANDBOX_KERNEL, course_root,
                                      db_url, nbgrader_api)
from lce_utils.courses.feedback import generate_feedback
from lce_utils.courses.sandbox_kernel import install_kernelspec
from lce_utils.progress import progress


@dataclass
class StudentResult:
    """How autograding one student's submission went."""

    student: str
    ok: bool
    error: str = ""
    seconds: float = 0.0
    detail: str = ""
    grades: dict[str, Any] = field(default_factory=dict)
    has_feedback: bool = False


_WORKER: dict[str, Any] = {}


def plain_error(log_or_error: str) -> str:
    """One line saying why nbgrader could not grade a submission, in words an instructor understands."""
    text = log_or_error or ""
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return "the notebook stopped the Python kernel (e.g. os._exit(), a crash or memory exhaustion)"
    if "Kernel didn't respond" in text or "kernel did not respond" in text.lower():
        return "the Python kernel did not start in time (the machine may be overloaded)"
    if "CellTimeoutError" in text or "TimeoutError" in text:
        return "a cell kept running after the time-out and could not be interrupted"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "unknown error"


def _prepare_worker_root(main_root: Path, snapshot: Path, base: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="worker-", dir=base))
    (root / "source").symlink_to((main_root / "source").resolve(), target_is_directory=True)
    for name in ("nbgrader_config.py", "course.yaml"):
        if (main_root / name).exists():
            shutil.copy2(main_root / name, root / name)
    shutil.copy2(snapshot, root / "gradebook.db")
    return root


def _quiet() -> None:
    # nbgrader's gradebook code triggers SQLAlchemy autoflush warnings that say nothing useful to an instructor
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")


def _worker_init(main_root: str, snapshot: str, base: str, timeout: int, memory_mb: int) -> None:
    _quiet()
    os.environ["LCE_KERNEL_MEMORY_MB"] = str(memory_mb)
    root = _prepare_worker_root(Path(main_root), Path(snapshot), Path(base))
    jupyter_dir = root / "jupyter"
    install_kernelspec(jupyter_dir, memory_mb)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(jupyter_dir), os.environ.get("JUPYTER_PATH")]))
    _WORKER.update(main_root=Path(main_root), root=root,
                   api=nbgrader_api(root, timeout=timeout, kernel_name=SANDBOX_KERNEL))


def read_grades(root: str | Path, assignment: str, student: str) -> dict[str, Any]:
    """A student's autograding results from a gradebook, as plain data."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url(root)) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return {}
        return {
            "timestamp": submission.timestamp.isoformat() if submission.timestamp else None,
            "notebooks": {
                nb.name: {
                    "late_penalty": nb.late_submission_penalty,
                    "grades": {g.name: [g.auto_score, bool(g.needs_manual_grade)] for g in nb.grades},
                    "comments": {c.name: c.auto_comment for c in nb.comments},
                } for nb in submission.notebooks
            },
        }


def _grade_in_worker(assignment: str, student: str) -> dict[str, Any]:
    main_root: Path = _WORKER["main_root"]
    root: Path = _WORKER["root"]
    started = time.perf_counter()
    submitted = root / "submitted" / student / assignment
    shutil.rmtree(submitted, ignore_errors=True)
    shutil.copytree(main_root / "submitted" / student / assignment, submitted)
    outcome = _WORKER["api"].autograde(assignment, student, force=True, create=True)
    autograded = root / "autograded" / student / assignment
    ok = bool(outcome.get("success")) and autograded.is_dir() and any(autograded.glob("*.ipynb"))
    feedback = root / "feedback" / student / assignment
    shutil.rmtree(feedback, ignore_errors=True)
    if ok:
        try:  # rendering HTML is slow: do it here, in parallel, from this worker's gradebook copy
            generate_feedback(assignment, [student], root)
        except Exception:  # the parent renders it again from the real gradebook
            shutil.rmtree(feedback, ignore_errors=True)
    return {
        "student": student, "ok": ok, "seconds": time.perf_counter() - started,
        "error": "" if ok else plain_error(outcome.get("error", "") + "\n" + outcome.get("log", "")),
        "detail": "" if ok else "\n".join((outcome.get("error") or outcome.get("log") or "").splitlines()[-30:]),
        "grades": read_grades(root, assignment, student) if ok else {},
        "autograded": str(autograded),
        "feedback": str(feedback) if feedback.is_dir() else None,
    }


def merge_result(root: Path, assignment: str, result: dict[str, Any], gb: Any = None) -> None:
    """Write one worker result into the course's real gradebook and autograded/ folder (parent process only)."""
    from nbgrader.api import Gradebook

    if gb is None:
        with Gradebook(db_url(root)) as own:
            return merge_result(root, assignment, result, own)
    student = result["student"]
    dest = root / "autograded" / student / assignment
    staging = dest.with_name(dest.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    if result["ok"]:
        shutil.copytree(result["autograded"], staging)
    grades = result.get("grades") or {}
    kwargs = {}
    if grades.get("timestamp"):
        kwargs["timestamp"] = datetime.fromisoformat(grades["timestamp"])
    submission = gb.update_or_create_submission(assignment, student, **kwargs)
    for nb in submission.notebooks:
        data = grades.get("notebooks", {}).get(nb.name)
        for grade in nb.grades:
            if data and grade.name in data["grades"]:
                grade.auto_score, grade.needs_manual_grade = data["grades"][grade.name]
            elif not result["ok"]:
                grade.auto_score, grade.needs_manual_grade = 0.0, True
        for comment in nb.comments:
            comment.auto_comment = data["comments"].get(comment.name) if data else None
        nb.late_submission_penalty = data["late_penalty"] if data else None
    gb.db.commit()
    shutil.rmtree(dest, ignore_errors=True)
    if result["ok"]:
        staging.rename(dest)
    feedback = root / "feedback" / student / assignment
    shutil.rmtree(feedback, ignore_errors=True)
    if result.get("feedback"):
        shutil.copytree(result["feedback"], feedback)


def autograde_parallel(assignment: str, students: Iterable[str], root: str | Path | None = None, *,
                       workers: int | None = None, timeout: int = DEFAULT_CELL_TIMEOUT,
                       memory_mb: int = DEFAULT_MEMORY_MB) -> list[StudentResult]:
    """Autograde students' submitted/ folders in worker processes; merge into the gradebook one at a time."""
    from nbgrader.api import Gradebook

    _quiet()
    root = course_root(root)
    students = list(students)
    if not students:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
    with Gradebook(db_url(root)) as gb:
        for student in students:
            gb.update_or_create_student(student)
    results: list[StudentResult] = []
    with tempfile.TemporaryDirectory(prefix="lce-grading-") as base:
        snapshot = Path(base) / "gradebook-snapshot.db"
        shutil.copy2(root / "gradebook.db", snapshot)
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init,
                                 initargs=(str(root), str(snapshot), base, timeout, memory_mb)) as pool, \
                Gradebook(db_url(root)) as gb:
            futures = {pool.submit(_grade_in_worker, assignment, s): s for s in students}
            for future in progress(as_completed(futures), desc=f"grading {assignment}", total=len(futures),
                                   unit="submission"):
                student = futures[future]
                try:
                    data = future.result()
                except BrokenProcessPool:
                    data = {"student": student, "ok": False, "error": "the grading worker process crashed"}
                except Exception as exc:  # a failure of one submission must not stop the batch
                    data = {"student": student, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
                merge_result(root, assignment, data, gb)
                results.append(StudentResult(student, data["ok"], error=data.get("error", ""),
                                             seconds=data.get("seconds", 0.0), grades=data.get("grades") or {},
                                             detail=data.get("detail", ""),
                                             has_feedback=bool(data.get("feedback"))))
    return sorted(results, key=lambda r: r.student)


def autograde_sequential(assignment: str, students: Iterable[str], root: str | Path | None = None, *,
                         timeout: int = DEFAULT_CELL_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB) -> None:
    """Reference path: nbgrader's own autograde, one student after another, in this process and gradebook."""
    _quiet()
    root = course_root(root)
    with tempfile.TemporaryDirectory(prefix="lce-kernel-") as tmp:
        install_kernelspec(tmp, memory_mb)
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [tmp, old]))
        try:
            api = nbgrader_api(root, timeout=timeout, kernel_name=SANDBOX_KERNEL)
            for student in students:
                api.autograde(assignment, student, force=True, create=True)
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old
