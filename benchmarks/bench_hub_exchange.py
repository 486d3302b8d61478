"""A deadline hour through nbgrader's exchange, as on the hub of deploy/hub/: N learners (real Unix users made for the
run) fetch and submit at once, then collect, LCE's sandboxed grading, feedback release and every learner fetching
their own feedback. Loopback only, bounded (N learners, at most 16 processes at once), needs root.

Baselines in the same run: the grading step alone, and (before it, not counted) the first 10 learners graded
with a kernel per notebook (the old way) and with one kernel per submission, by CPU seconds of all processes
(benchmarks/cpu_meter.py), which a loaded machine changes far less than wall time.
Target (issue 13): the whole round trip for 230 learners under
8 minutes on 2 cores. LCE_BENCH_LEARNERS=N runs N learners (default 230, the target's size); LCE_BENCH_QUICK=1
runs 16. LCE_BENCH_PROFILE=1 adds where the grading step's time goes in the main process (cProfile, the workers'
time shows as waiting). Users, processes and folders are removed afterwards."""

from __future__ import annotations

import copy
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import psutil

from benchmarks.cpu_meter import CpuMeter
from lce_utils.courses.config import copy_course, nbgrader_config
from lce_utils.courses.demo import replicate, write_demo_submissions
from lce_utils.courses.hub import ensure_unix_user, setup_exchange
from lce_utils.courses.release import release
from lce_utils.paths import ROOT

ASSIGNMENT = "adaptive-mindset"
COURSE = "lce"
TARGET_SECONDS = 8 * 60
AT_ONCE = 16
BASELINE_LEARNERS = 10  # graded both ways before the run: the old kernel per notebook against one per submission
MIX = ["demo-correct", "demo-partial", "demo-empty", "demo-late", "demo-edited-test", "demo-deleted-test",
       "demo-always-equal", "demo-output-flood", "demo-sys-exit", "demo-os-exit"]


def _exchange(kind: str, config, **kw):
    """An nbgrader exchange step (fetch_assignment, submit, collect, ...) with config, run in this process."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import (
        ExchangeCollect,
        ExchangeFetchAssignment,
        ExchangeFetchFeedback,
        ExchangeReleaseAssignment,
        ExchangeReleaseFeedback,
        ExchangeSubmit,
    )

    classes = {"release_assignment": ExchangeReleaseAssignment, "fetch_assignment": ExchangeFetchAssignment,
               "submit": ExchangeSubmit, "collect": ExchangeCollect, "release_feedback": ExchangeReleaseFeedback,
               "fetch_feedback": ExchangeFetchFeedback}
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = ASSIGNMENT
    step = classes[kind](coursedir=coursedir, authenticator=Authenticator(config=config), config=config, **kw)
    return step.start()


def _as_learners(names: list[str], work: Callable[[str], None]) -> int:
    """Run work(name) as each Unix user in a forked child, AT_ONCE at a time; returns how many failed."""
    waiting, running, failed = list(names), set(), 0
    while waiting or running:
        while waiting and len(running) < AT_ONCE:
            name = waiting.pop(0)
            pid = os.fork()
            if pid == 0:  # the child becomes the learner, does the step and exits without cleanup handlers
                code = 1
                try:
                    entry = pwd.getpwnam(name)
                    os.setgroups([])
                    os.setgid(entry.pw_gid)
                    os.setuid(entry.pw_uid)
                    os.environ.update(HOME=entry.pw_dir, USER=name, LOGNAME=name)
                    os.chdir(entry.pw_dir)
                    work(name)
                    code = 0
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(code)
            running.add(pid)
        pid, status = os.wait()
        running.discard(pid)
        failed += status != 0
    return failed


def _done(times: dict[str, float], step: str, started: float) -> None:
    """Record a step's seconds and say so at once (with the machine's load): a run cut short still tells."""
    times[step] = time.perf_counter() - started
    print(f"  done: {step}: {times[step]:.1f} s (load average {os.getloadavg()[0]:.1f})", flush=True)


def same_run_baseline(root: Path, base: Path, students: list[str]) -> dict[bool, tuple[float, int]]:
    """CPU seconds per submission and how many were graded, for students graded with a kernel per notebook (the
    old way, False) and with one kernel per submission (True), each in its own copy of the collected course."""
    from lce_utils.courses.grading import autograde_parallel

    found = {}
    for reuse in (False, True):
        course = base / f"baseline-{int(reuse)}"
        shutil.copytree(root, course, symlinks=True)
        with CpuMeter() as meter:
            results = autograde_parallel(ASSIGNMENT, students, course, reuse_kernel=reuse)
        found[reuse] = (meter.seconds / len(students), sum(r.ok for r in results))
        shutil.rmtree(course, ignore_errors=True)
    return found


def learner_count(env: dict[str, str] | os._Environ) -> int:
    """N from LCE_BENCH_LEARNERS (1-999: user names have three digits), else 16 with LCE_BENCH_QUICK, else 230."""
    value = env.get("LCE_BENCH_LEARNERS")
    if value:
        if not value.isdigit() or not 1 <= int(value) <= 999:
            raise SystemExit(f"LCE_BENCH_LEARNERS: expected a whole number from 1 to 999, got {value!r}")
        return int(value)
    return 16 if env.get("LCE_BENCH_QUICK") else 230


def main() -> None:
    """Run the round trip for N learners and print each step's seconds and the ratio to grading alone."""
    if os.geteuid() != 0:
        raise SystemExit("bench_hub_exchange needs root: it creates a Unix user per simulated learner")
    count = learner_count(os.environ)
    suffix = secrets.token_hex(2)
    learners = [f"lceb{i:03d}x{suffix}" for i in range(count)]
    base = Path(tempfile.mkdtemp(prefix="lce-bench-hub-"))
    base.chmod(0o755)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    made: list[str] = []
    times: dict[str, float] = {}
    try:
        started = time.perf_counter()
        for name in learners:
            ensure_unix_user(name)
            made.append(name)
        users_seconds = time.perf_counter() - started
        root = copy_course(base / "checkout") / "courses"
        exchange = base / "exchange"
        setup_exchange(exchange)
        with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
            handle.write(f"\nc.Exchange.root = {str(exchange)!r}\nc.Exchange.path_includes_course = True\n")
        release([ASSIGNMENT], root)
        demos, subs = base / "demos", base / "subs"
        write_demo_submissions(ASSIGNMENT, demos, root=root, students=MIX)
        replicate(demos, subs, count, MIX)
        answers = sorted(p for p in subs.iterdir() if p.is_dir())
        handout = base / "answers"
        for name, folder in zip(learners, answers):
            shutil.copytree(folder, handout / name)
        subprocess.run(["chmod", "-R", "a+rX", str(handout)], check=True)

        config = nbgrader_config(root)
        config.CourseDirectory.course_id = COURSE
        learner_config = copy.deepcopy(config)  # learners work in their home folders (root set per learner)

        started = time.perf_counter()
        _exchange("release_assignment", config)
        _done(times, "release", started)

        def hand_in(name: str) -> None:
            cfg = copy.deepcopy(learner_config)
            cfg.CourseDirectory.root = os.getcwd()
            _exchange("fetch_assignment", cfg)
            target = Path.cwd() / COURSE / ASSIGNMENT
            for notebook in (handout / name).glob("*.ipynb"):
                shutil.copyfile(notebook, target / notebook.name)
            _exchange("submit", cfg)

        started = time.perf_counter()
        failed = _as_learners(learners, hand_in)
        _done(times, "fetch and submit, all learners", started)
        if failed:
            raise SystemExit(f"{failed} learners could not fetch or submit")

        started = time.perf_counter()
        _exchange("collect", config)
        _done(times, "collect", started)

        from lce_utils.courses.workflow import grade

        subset = learners[:min(BASELINE_LEARNERS, count)]
        started = time.perf_counter()
        baseline = same_run_baseline(root, base, subset)
        print(f"  baseline on {len(subset)} submissions (not counted): CPU per submission with a kernel per notebook "
              f"{baseline[False][0]:.2f} s, with one kernel per submission {baseline[True][0]:.2f} s "
              f"({time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.1f})", flush=True)

        profiler = None
        if os.environ.get("LCE_BENCH_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        with CpuMeter() as meter:
            report = grade(ASSIGNMENT, root / "submitted", root)
        if profiler:
            profiler.disable()
        _done(times, "grade (LCE, sandboxed)", started)
        graded = sum(r.ok for r in report.results)

        started = time.perf_counter()
        _exchange("release_feedback", config)
        _done(times, "release feedback", started)

        def fetch_feedback(name: str) -> None:
            cfg = copy.deepcopy(learner_config)
            cfg.CourseDirectory.root = os.getcwd()
            _exchange("fetch_feedback", cfg)

        started = time.perf_counter()
        failed = _as_learners(learners, fetch_feedback)
        _done(times, "fetch feedback, all learners", started)
        with_feedback = sum(any((Path(pwd.getpwnam(n).pw_dir) / COURSE / ASSIGNMENT / "feedback").rglob("*.html"))
                            for n in learners)
    finally:
        uids = {pwd.getpwnam(n).pw_uid for n in made}
        left = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids]
        for p in left:
            p.kill()
        psutil.wait_procs(left, timeout=30)
        for name in made:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

    if profiler:
        import pstats

        print("where the grading step's time goes in the main process (cumulative seconds):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    total = sum(times.values())
    grading = times["grade (LCE, sandboxed)"]
    verdict = "PASS" if total <= TARGET_SECONDS else "MISS"
    load = os.getloadavg()
    from lce_utils.courses.grading import default_workers

    workers = default_workers()  # what autograde_parallel used: the benchmark leaves the number to it
    print(f"deadline round trip through nbgrader's exchange: {count} learners, {os.cpu_count()} cores, "
          f"{workers} grading workers, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end "
          f"({users_seconds:.1f} s to create the Unix users, not counted)")
    for step, seconds in times.items():
        print(f"  {step:34s} {seconds:7.1f} s")
    print(f"  graded {graded} of {count}; {with_feedback} learners fetched a feedback page "
          "(learners whose notebook stopped the kernel get none)")
    print(f"  round trip {total:.1f} s = {total / grading:.2f} x grading alone; target <= {TARGET_SECONDS} s for "
          f"230 learners: {verdict if count == 230 else 'n/a (quick run)'}")
    cpu = meter.seconds / count
    cores = os.cpu_count() or 1
    print(f"  grading CPU {meter.seconds:.0f} s = {cpu:.2f} s per submission (all processes); same-run baseline "
          f"{baseline[False][0]:.2f} s with a kernel per notebook: {baseline[False][0] / baseline[True][0]:.2f}x "
          f"less CPU per submission with one kernel per submission ({baseline[True][0]:.2f} s)")
    other = total - grading
    print(f"  230 learners from CPU time: 230 x {cpu:.2f} s / {cores} cores = {230 * cpu / cores:.0f} s of grading "
          f"+ {other * 230 / count:.0f} s of exchange steps (scaled) = {230 * cpu / cores + other * 230 / count:.0f} s "
          f"on an otherwise idle machine; target {TARGET_SECONDS} s")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "hub_exchange.json").write_text(json.dumps(
        {"learners": count, "seconds": times, "total_seconds": total, "ratio_to_grading": total / grading,
         "graded": graded, "with_feedback": with_feedback, "target_seconds": TARGET_SECONDS,
         "grading_workers": workers, "grading_cpu_seconds": meter.seconds, "cpu_per_submission": cpu,
         "baseline_cpu_per_submission": {"kernel_per_notebook": baseline[False][0],
                                         "kernel_per_submission": baseline[True][0], "learners": len(subset)},
         "load_average_at_end": load,
         "verdict": verdict if count == 230 else "quick"}, indent=1))


if __name__ == "__main__":
    main()
