"""Autograde submissions in parallel without sharing nbgrader's gradebook between writers.

Each worker process autogrades with nbgrader's own API in a private copy of the course (its own SQLite copy of the
gradebook, which may be SQLite or PostgreSQL);
each submission's kernel runs in its own sandbox (sandbox.py) that sees none of it. Only the parent process writes
the real gradebook, merging each student's results (scores, needs-manual-grade flags, auto comments, late
penalties) as they arrive. A worker that dies takes none of its waiting learners with it: they are graded again,
each in a fresh worker of its own."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lce_utils.courses.config import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_MEMORY_MB,
    SANDBOX_KERNEL,
    course_root,
    db_url,
    index_gradebook,
    nbgrader_api,
)
from lce_utils.courses.feedback import generate_feedback
from lce_utils.courses.kernel_reuse import release as release_kernel
from lce_utils.courses.sandbox import SETTINGS_ENV, Cgroups, Containment, SandboxSettings, kernelspec
from lce_utils.courses.sandbox_kernel import install_kernelspec
from lce_utils.courses.stored_results import submitted_notebooks
from lce_utils.progress import progress

MIN_TIME_LIMIT = 120      # seconds per submission at least, whatever the cell time-out
CELLS_PER_TIME_LIMIT = 20  # default time limit per submission: this many cell time-outs
LIMITS = ("time limit", "memory limit", "process limit")  # how a 'not graded' reason names a sandbox limit
SPARE_WORKERS = 2  # workers beyond the cores by default (default_workers says why)


def default_workers(memory_mb: int = DEFAULT_MEMORY_MB, cores: int | None = None,
                    memory_bytes: int | None = None) -> int:
    """How many submissions to grade at once: two more than the cores this process may use. A worker and its
    kernel wait part of the time (kernel start, messages, feedback files), and the extra workers fill that idle
    CPU: 60 learners on 2 cores used 1.65-1.69 cores on average with 3 workers, 1.82 with 4 and 1.80-1.84 with 5
    (benchmarks/bench_hub_exchange.py, 2026-12-03; 2 workers had been slower still). Capped so that every worker's
    kernel can reach its memory limit at once without exhausting the machine's memory (workers x memory_mb)."""
    wanted = (cores or len(os.sched_getaffinity(0)) or 1) + SPARE_WORKERS
    memory_bytes = memory_bytes or _memory_bytes()
    by_memory = memory_bytes // (memory_mb * 1024 * 1024) if memory_bytes else wanted
    return max(1, min(wanted, by_memory))  # one even where memory holds no full kernel


def _memory_bytes() -> int:
    """Physical memory, or this process's cgroup (container) limit where that is lower; 0 when unknown."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 0
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        limit = "max"
    if limit.isdigit() and (not total or int(limit) < total):
        return int(limit)
    return total


def default_time_limit(timeout: int, notebooks: int = 1) -> int:
    """Wall-clock seconds one submission may take in all (kernel starts, every cell, feedback): as much per
    notebook (lesson) of the assignment, since a learner may hand in all of them."""
    return max(MIN_TIME_LIMIT, CELLS_PER_TIME_LIMIT * timeout) * max(1, notebooks)


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


def snapshot_gradebook(root: Path, dest: Path) -> None:
    """A private SQLite copy of the course's gradebook at dest, for the workers (the real one may be PostgreSQL:
    CourseDirectory.db_url in nbgrader_config.py; workers never write it, only the parent merges into it)."""
    url = db_url(root)
    if url.startswith("sqlite:///"):
        shutil.copy2(url.removeprefix("sqlite:///"), dest)
        return
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    source, target = create_engine(url), create_engine(f"sqlite:///{dest}")
    try:
        Base.metadata.create_all(target)
        with source.connect() as src, target.begin() as dst:
            version = src.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            dst.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            dst.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
            for table in Base.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in src.execute(table.select())]
                if rows:
                    dst.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()
    index_gradebook(f"sqlite:///{dest}")


def _prepare_worker_root(main_root: Path, snapshot: Path, base: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="worker-", dir=base))
    (root / "source").symlink_to((main_root / "source").resolve(), target_is_directory=True)
    for name in ("nbgrader_config.py", "course.yaml"):
        if (main_root / name).exists():
            shutil.copy2(main_root / name, root / name)
    shutil.copy2(snapshot, root / "gradebook.db")
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as config:  # this copy, not the course's own
        config.write(f"\nc.CourseDirectory.db_url = {'sqlite:///' + str(root / 'gradebook.db')!r}\n")
    return root


def _quiet() -> None:
    # nbgrader's gradebook code triggers SQLAlchemy autoflush warnings that say nothing useful to an instructor
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")


def _become_subreaper() -> None:
    """Orphans of this worker's kernels (double forks, new sessions) become its children, so it can end them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def grading_config(ipc_dir: Path) -> Any:
    """Worker settings for nbgrader: kernels on Unix sockets in ipc_dir (the sandbox has no network, not even
    loopback to the worker). Output caps come with the Execute preprocessor that config.py puts in place."""
    from traitlets.config import Config

    extra = Config()
    extra.KernelManager.transport = "ipc"
    extra.KernelManager.ip = str(ipc_dir / "kernel")
    # nbconvert validates the whole notebook against the schema after each of autograde's preprocessors (about a
    # dozen): once, after the last one, still refuses a notebook that comes out invalid
    extra.Exporter.optimistic_validation = True
    return extra


def _share_gradebook_engines() -> None:
    """Give every nbgrader Gradebook of this worker process the same SQLAlchemy engine for the same database.

    nbgrader opens a Gradebook about 16 times per submission, each with an engine of its own; an engine keeps the
    statements it has compiled, so each query was compiled again every time (with the notebook validated after
    every preprocessor, see grading_config, 20-30 % of a worker's CPU).
    Gradebook.close() disposes the shared engine's pooled connections, which the next Gradebook opens again."""
    import nbgrader.api
    from sqlalchemy import create_engine

    engines: dict[tuple, Any] = {}

    def shared(url: Any, **options: Any) -> Any:
        key = (str(url), tuple(sorted(options.items())))
        if key not in engines:
            engines[key] = create_engine(url, **options)
        return engines[key]

    nbgrader.api.create_engine = shared  # the name nbgrader.api calls


def _check_metadata_schemas_once() -> None:
    """Validate nbgrader's cell metadata in this worker process with one jsonschema validator per schema.

    nbgrader validates each cell's metadata with jsonschema.validate(), which first checks the schema itself against
    JSON Schema's meta-schema, every time (1.4 ms a cell, about 40 cells a notebook). Here each schema is checked
    once; every cell is still validated against it, with the same error as before."""
    import json
    import types

    import jsonschema
    import nbgrader.nbgraderformat.common as common

    validators: dict[str, Any] = {}

    def validate(instance: Any, schema: Any) -> None:
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:
            kind = jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validators[key] = kind(schema)
        error = jsonschema.exceptions.best_match(validators[key].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate)  # the name nbgrader's validate_cell calls


def _worker_init(main_root: str, snapshot: str, base: str, timeout: int, memory_mb: int,
                 containment: dict[str, Any]) -> None:
    _quiet()
    _become_subreaper()
    _share_gradebook_engines()
    _check_metadata_schemas_once()
    root = _prepare_worker_root(Path(main_root), Path(snapshot), Path(base))
    jupyter_dir, boxes, runtime = (root / "jupyter", root / "boxes", root / "runtime")
    for folder in (boxes, runtime):
        folder.mkdir()
    ipc_dir = Path(tempfile.mkdtemp(prefix="w-", dir=containment["sockets"]))
    install_kernelspec(jupyter_dir, memory_mb, launcher=kernelspec())
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(jupyter_dir), os.environ.get("JUPYTER_PATH")]))
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)  # connection files here, not in the home folder
    cgroups = None
    if containment["cgroups"]:
        cgroups = Cgroups(**containment["cgroups"]).child(f"w-{os.getpid()}")
    settings = SandboxSettings(bwrap=containment["bwrap"], memory_mb=memory_mb, box_dir=str(boxes),
                               cgroups=cgroups.__dict__ if cgroups else None, processes=containment["processes"])
    api = nbgrader_api(root, timeout=timeout, kernel_name=SANDBOX_KERNEL, extra=grading_config(ipc_dir))
    if settings.bwrap and containment.get("reuse_kernel", True):  # one kernel per submission (kernel_reuse.py)
        from lce_utils.courses.integrity import IntegrityExecute
        from lce_utils.courses.kernel_reuse import ReusedKernelExecute

        pipeline = api.config.Autograde.autograde_preprocessors
        api.config.Autograde.autograde_preprocessors = [ReusedKernelExecute if pp is IntegrityExecute else pp
                                                        for pp in pipeline]
    _WORKER.update(main_root=Path(main_root), root=root, settings=settings, cgroups=cgroups, ipc_dir=ipc_dir,
                   boxes=boxes, time_limit=containment["time_limit"], memory_mb=memory_mb, api=api)


def _kill_sandboxes() -> None:
    """End every kernel of this worker and everything they started."""
    cgroups: Cgroups | None = _WORKER.get("cgroups")
    if cgroups:
        cgroups.kill(remove=False)
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass
    for child in psutil.Process().children():
        try:  # reap what the kernel manager will not wait for (orphans handed to this subreaper)
            os.waitpid(child.pid, os.WNOHANG)
        except ChildProcessError:
            pass


class Watchdog:
    """Kills the worker's sandboxes, again and again, once a submission has run longer than its time limit."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.fired = True
        while not self._done.is_set():  # nbgrader may start the next notebook's kernel: end that one too
            _kill_sandboxes()
            self._done.wait(0.3)

    def stop(self) -> None:
        """The submission is finished."""
        self._done.set()
        self._thread.join()


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
                } for nb in submitted_notebooks(gb, submission)
            },
        }


def _clean_sandbox_folders() -> None:
    _kill_sandboxes()
    for folder in (_WORKER["boxes"], _WORKER["ipc_dir"]):
        for path in folder.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _grade_in_worker(assignment: str, student: str) -> dict[str, Any]:
    main_root: Path = _WORKER["main_root"]
    root: Path = _WORKER["root"]
    started = time.perf_counter()
    submitted = root / "submitted" / student / assignment
    shutil.rmtree(submitted, ignore_errors=True)
    shutil.copytree(main_root / "submitted" / student / assignment, submitted)
    settings: SandboxSettings = _WORKER["settings"]
    settings.handed_in = str(submitted)
    os.environ[SETTINGS_ENV] = settings.to_env()
    cgroups: Cgroups | None = _WORKER["cgroups"]
    oom_before = cgroups.oom_kills() if cgroups else 0
    refused_before = cgroups.process_limit_hits() if cgroups else 0
    watchdog = Watchdog(_WORKER["time_limit"])
    try:
        outcome = _WORKER["api"].autograde(assignment, student, force=True, create=True)
    finally:
        release_kernel()
        watchdog.stop()
        oom = (cgroups.oom_kills() if cgroups else 0) - oom_before
        refused = (cgroups.process_limit_hits() if cgroups else 0) - refused_before
        _clean_sandbox_folders()
    autograded = root / "autograded" / student / assignment
    ok = bool(outcome.get("success")) and autograded.is_dir() and any(autograded.glob("*.ipynb"))
    if watchdog.fired:
        ok = False
        outcome = {"error": f"time limit: the submission ran longer than {_WORKER['time_limit']} s in all, so its "
                   "sandbox was stopped", "log": outcome.get("log", "")}
    elif not ok and oom:
        outcome = {"error": f"memory limit: the submission's processes together needed more than "
                   f"{_WORKER['memory_mb']} MB and the kernel was stopped", "log": outcome.get("log", "")}
    elif refused:  # threads its own cells (and the kernel) needed could not start: no result can be trusted
        ok = False
        outcome = {"error": f"process limit: the submission's processes and threads together reached the limit of "
                   f"{_WORKER['settings'].processes}, so some could not start", "log": outcome.get("log", "")}
    feedback = root / "feedback" / student / assignment
    shutil.rmtree(feedback, ignore_errors=True)
    if ok:
        try:  # rendering HTML is slow: do it here, in parallel, from this worker's gradebook copy
            generate_feedback(assignment, [student], root, sandboxed=settings.bwrap is not None)
        except Exception:  # the parent renders it again from the real gradebook
            shutil.rmtree(feedback, ignore_errors=True)
    return {
        "student": student, "ok": ok, "seconds": time.perf_counter() - started,
        "error": "" if ok else (outcome["error"] if outcome.get("error", "").startswith(LIMITS)
                                else plain_error(outcome.get("error", "") + "\n" + outcome.get("log", ""))),
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
    for nb in submitted_notebooks(gb, submission):
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


def _socket_folder(base: str) -> str:
    """A new folder for the kernels' sockets, on /dev/shm where there is one: the sandbox may write into it, and
    what it writes on a tmpfs counts against its memory limit (on a disk it would not)."""
    shm = Path("/dev/shm")
    parent = shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else Path(base)
    return tempfile.mkdtemp(prefix="lce-grading-sockets-", dir=parent)


def _crashed(student: str, again: bool) -> dict[str, Any]:
    why = "the grading worker process crashed twice while grading this submission" if again else ""
    return {"student": student, "ok": False, "error": why, "crashed": True}


def _run_pool(assignment: str, students: list[str], workers: int, initargs: tuple,
              show: bool) -> Iterable[dict[str, Any]]:
    """Grade students in one pool of workers; yield each result (a crashed worker's learners as 'crashed')."""
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=initargs) as pool:
        futures = {pool.submit(_grade_in_worker, assignment, s): s for s in students}
        done: Iterable[Future] = as_completed(futures)
        if show:
            done = progress(done, desc=f"grading {assignment}", total=len(futures), unit="submission")
        try:
            for future in done:
                student = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    yield _crashed(student, again=False)
                except Exception as exc:  # a failure of one submission must not stop the batch
                    yield {"student": student, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        except BaseException:
            # Ctrl+C (or the caller giving up): the learners still queued are not graded; leaving the `with`
            # would otherwise wait for every one of them
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _alone(assignment: str, student: str, initargs: tuple) -> dict[str, Any]:
    """Grade one learner in a fresh worker of its own (after a crash took its first worker)."""
    result = next(iter(_run_pool(assignment, [student], 1, initargs, show=False)))
    return _crashed(student, again=True) if result.get("crashed") else result


def autograde_parallel(assignment: str, students: Iterable[str], root: str | Path | None = None, *,
                       workers: int | None = None, timeout: int = DEFAULT_CELL_TIMEOUT,
                       memory_mb: int = DEFAULT_MEMORY_MB, sandbox: bool = True,
                       time_limit: int | None = None, containment: Containment | None = None,
                       reuse_kernel: bool = True,
                       on_result: Callable[[StudentResult], None] | None = None) -> list[StudentResult]:
    """Autograde students' submitted/ folders in worker processes; merge into the gradebook one at a time
    (on_result is then called with each learner's result, as it arrives).

    Each kernel runs in a bubblewrap sandbox (sandbox=False: not, for machines without user namespaces) with
    the limits of containment (made here from memory_mb and time_limit when not given); sandboxed, a submission's
    notebooks share one kernel, reset between them (kernel_reuse.py; reuse_kernel=False: a kernel per notebook)."""
    from nbgrader.api import Gradebook

    _quiet()
    root = course_root(root)
    students = list(students)
    if not students:
        return []
    own = containment is None
    if containment is None:
        containment = Containment.prepare(sandbox, memory_mb, time_limit or default_time_limit(timeout))
    workers = max(1, min(workers or default_workers(containment.memory_mb), len(students)))
    with Gradebook(db_url(root)) as gb:
        for student in students:
            gb.update_or_create_student(student)
    index_gradebook(db_url(root))  # before the snapshot: the workers' copies get them too
    results: list[StudentResult] = []
    shared: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="lce-grading-") as base, Gradebook(db_url(root)) as gb:
            snapshot = Path(base) / "gradebook-snapshot.db"
            snapshot_gradebook(root, snapshot)
            shared |= {"bwrap": containment.bwrap, "processes": containment.processes, "reuse_kernel": reuse_kernel,
                       "time_limit": containment.time_limit, "sockets": _socket_folder(base),
                       "cgroups": containment.cgroups.__dict__ if containment.cgroups else None}
            initargs = (str(root), str(snapshot), base, timeout, containment.memory_mb, shared)

            def merge(data: dict[str, Any]) -> None:
                merge_result(root, assignment, data, gb)
                results.append(StudentResult(data["student"], data["ok"], error=data.get("error", ""),
                                             seconds=data.get("seconds", 0.0), grades=data.get("grades") or {},
                                             detail=data.get("detail", ""),
                                             has_feedback=bool(data.get("feedback"))))
                if on_result is not None:
                    on_result(results[-1])

            retry = []
            for data in _run_pool(assignment, students, workers, initargs, show=True):
                if data.get("crashed"):
                    retry.append(data["student"])  # maybe not the culprit: grade it again, alone
                else:
                    merge(data)
            if retry:
                with ThreadPoolExecutor(max_workers=workers) as threads:
                    for future in as_completed([threads.submit(_alone, assignment, s, initargs) for s in retry]):
                        merge(future.result())
    finally:
        if own:
            containment.close()
        if shared:
            shutil.rmtree(shared["sockets"], ignore_errors=True)
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
