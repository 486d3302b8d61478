"""Grading throughput: `lce courses grade` (parallel workers, each kernel in its bubblewrap sandbox) vs plain
sequential `nbgrader autograde`, and the sandbox's own cost (`lce courses grade --no-sandbox` on the same work).

230 submissions of one assignment (the programme's number of participants), made from the demo submissions, are
graded three ways in the same run, each in its own temporary copy of the course. Target: sandboxed grading at least
1.8 times faster than plain nbgrader on 2 cores. LCE_BENCH_QUICK=1 grades 16 submissions instead (for trying it out).

The infinite-loop demo is left out of the mix (it only measures the cell time-out, the same for both), and so is
the 4 GB allocation (plain nbgrader has no memory limit, so it would really allocate and slow the baseline)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lce_utils.courses.collect import collect
from lce_utils.courses.config import copy_course
from lce_utils.courses.demo import replicate, write_demo_submissions
from lce_utils.courses.release import release
from lce_utils.paths import ROOT

ASSIGNMENT = "adaptive-mindset"
TARGET = 1.8
MIX = ["demo-correct", "demo-partial", "demo-empty", "demo-late", "demo-edited-test", "demo-deleted-test",
       "demo-always-equal", "demo-output-flood", "demo-sys-exit", "demo-os-exit"]


def _lce_grade(root: Path, subs: Path, env: dict, *extra: str) -> tuple[float, int]:
    """Seconds `lce courses grade` took on subs in the course copy at root, and how many it autograded."""
    started = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).parent / "lce"), "courses", "grade", ASSIGNMENT, str(subs),
                           *extra], env={**env, "LCE_ROOT": str(root)}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"lce courses grade {' '.join(extra)} failed: {proc.stderr[-2000:]}")
    return seconds, len(list((root / "courses" / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb")))


def kernel_round_trips(base: Path, rounds: int = 8) -> dict[bool, float]:
    """Median seconds to start a grading kernel, import pandas and scipy in it and stop it, in its sandbox (True)
    and without (False), interleaved so that a change in the machine's load hits both alike."""
    from jupyter_client import KernelManager

    from lce_utils.courses.sandbox import SETTINGS_ENV, Containment, SandboxSettings, kernelspec
    from lce_utils.courses.sandbox_kernel import SANDBOX_KERNEL, install_kernelspec

    for name in ("ipc", "boxes", "handed-in"):
        (base / name).mkdir(parents=True)
    install_kernelspec(base / "jupyter", launcher=kernelspec())
    os.environ["JUPYTER_PATH"] = str(base / "jupyter")
    containment = Containment.prepare(True, 3072, 120)
    times: dict[bool, list[float]] = {True: [], False: []}
    try:
        for _ in range(rounds):
            for sandboxed in (True, False):
                os.environ[SETTINGS_ENV] = SandboxSettings(
                    bwrap=containment.bwrap if sandboxed else None, memory_mb=3072, box_dir=str(base / "boxes"),
                    handed_in=str(base / "handed-in"),
                    cgroups=containment.cgroups.__dict__ if containment.cgroups else None).to_env()
                started = time.perf_counter()
                km = KernelManager(kernel_name=SANDBOX_KERNEL, transport="ipc", ip=str(base / "ipc" / "kernel"))
                km.start_kernel(cwd=str(base / "handed-in"))
                client = km.client()
                client.start_channels()
                client.wait_for_ready(timeout=120)
                client.execute_interactive("import pandas, scipy.stats", timeout=120)
                client.stop_channels()
                km.shutdown_kernel(now=True)
                times[sandboxed].append(time.perf_counter() - started)
    finally:
        containment.close()
    return {key: statistics.median(values) for key, values in times.items()}


def _course_copy(base: Path, name: str) -> Path:
    root = copy_course(base / name)
    release([ASSIGNMENT], root / "courses")
    return root


def main() -> None:
    """Run both ways and print seconds per submission, the ratio and PASS/MISS."""
    count = 16 if os.environ.get("LCE_BENCH_QUICK") else 230
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="lce-bench-courses-") as tmp:
        base = Path(tmp)
        lce_root, plain_root, open_root = (_course_copy(base, name) for name in ("lce", "plain", "unsandboxed"))
        demos = base / "demos"
        write_demo_submissions(ASSIGNMENT, demos, root=lce_root / "courses", students=MIX)
        subs = base / "submissions"
        replicate(demos, subs, count, MIX)

        # baseline: nbgrader's own command, one student after another
        plain_course = plain_root / "courses"
        collect(ASSIGNMENT, subs, plain_course)
        started = time.perf_counter()
        subprocess.run([str(bindir / "nbgrader"), "autograde", ASSIGNMENT, "--force"], cwd=plain_course, env=env,
                       check=False, capture_output=True)
        plain = time.perf_counter() - started
        plain_graded = len(list((plain_course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb")))

        lce, lce_graded = _lce_grade(lce_root, subs, env)
        unsandboxed, open_graded = _lce_grade(open_root, subs, env, "--no-sandbox")
        kernels = kernel_round_trips(base / "kernels")

    ratio = plain / lce
    verdict = "PASS" if ratio >= TARGET else "MISS"
    print(f"courses grading, {count} submissions of {ASSIGNMENT} on {os.cpu_count()} cores")
    print(f"  plain sequential `nbgrader autograde`: {plain:7.1f} s  {plain / count:5.2f} s/submission "
          f"({plain_graded} autograded)")
    print(f"  `lce courses grade` (parallel, incl. feedback, tamper check and CSV export): {lce:7.1f} s  "
          f"{lce / count:5.2f} s/submission ({lce_graded} autograded)")
    print(f"  `lce courses grade --no-sandbox` (the same without bubblewrap): {unsandboxed:7.1f} s  "
          f"{unsandboxed / count:5.2f} s/submission ({open_graded} autograded)")
    overhead = (lce - unsandboxed) / count
    print(f"  sandbox overhead: {overhead * 1000:+.0f} ms per submission of wall time with {os.cpu_count()} "
          f"workers ({(lce / unsandboxed - 1) * 100:+.1f} %)")
    print(f"  one kernel (start, import pandas and scipy, stop; medians of 8, interleaved): sandboxed "
          f"{kernels[True]:.2f} s, unsandboxed {kernels[False]:.2f} s: the sandbox's own cost "
          f"{(kernels[True] - kernels[False]) * 1000:+.0f} ms per notebook")
    print(f"  speed-up {ratio:.2f}x  target >= {TARGET}x: {verdict}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "courses.json").write_text(json.dumps({
        "submissions": count, "plain_seconds": plain, "lce_seconds": lce, "unsandboxed_seconds": unsandboxed,
        "sandbox_overhead_seconds_per_submission": overhead, "kernel_sandboxed_seconds": kernels[True],
        "kernel_unsandboxed_seconds": kernels[False], "ratio": ratio, "target": TARGET,
        "verdict": verdict}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
