"""Where a graded submission's CPU time goes (issue 13): `lce courses grade`'s work for N learners of the demo mix,
by process (the parent, the grading workers, the kernel launcher with bubblewrap, the kernels) and, in the workers,
by step (nbgrader's autograde with the kernel's messages, the feedback pages, reading the grades back).

CPU seconds, not wall time: the machine is shared. LCE_BENCH_LEARNERS=N grades N learners (default 16)."""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psutil

from benchmarks.bench_hub_exchange import ASSIGNMENT, MIX
from benchmarks.cpu_meter import CpuMeter
from lce_utils.courses import grading
from lce_utils.courses.config import copy_course
from lce_utils.courses.demo import replicate, write_demo_submissions
from lce_utils.courses.release import release

STEPS: dict[str, float] = defaultdict(float)  # a worker's own figures, sent back with each result


class ProcessMeter(CpuMeter):
    """CpuMeter that also keeps each process's kind (the last one seen: the launcher execs bwrap)."""

    def __init__(self) -> None:
        super().__init__(interval=0.05)
        self.kinds: dict[tuple[int, float], str] = {}

    def _sample(self) -> dict[tuple[int, float], float]:
        found = super()._sample()
        me = os.getpid()
        for key in found:
            try:
                argv = psutil.Process(key[0]).cmdline()
            except psutil.Error:
                continue
            if argv:
                self.kinds[key] = kind(argv, key[0] == me)
        return found

    def by_kind(self) -> dict[str, float]:
        """CPU seconds per kind of process while the block ran."""
        totals: dict[str, float] = defaultdict(float)
        for key, value in self._seen.items():
            totals[self.kinds.get(key, "unknown (ended before it was seen)")] += value - self._start.get(key, 0.0)
        totals["parent"] -= self._own
        return dict(totals)


def kind(argv: list[str], parent: bool) -> str:
    """What a grading process is, from its command line."""
    text = " ".join(argv)
    if parent:
        return "parent"
    if os.path.basename(argv[0]) == "bwrap":
        return "launcher + bwrap"
    if "lce_utils.courses.sandbox_kernel" in text:
        return "kernel"
    if "lce_utils.courses.sandbox" in text:
        return "launcher + bwrap"
    return "worker" if "multiprocessing" in text or "python" in os.path.basename(argv[0]) else argv[0]


def _timed(name: str, function: Any) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            STEPS[name] += time.process_time() - started
    return timed


def _grade_in_worker(assignment: str, student: str) -> dict[str, Any]:
    """The workers' grading, with their steps' CPU seconds in the result."""
    STEPS.clear()
    result = ORIGINAL(assignment, student)
    return {**result, "steps": dict(STEPS)}


ORIGINAL = grading._grade_in_worker


def main() -> None:
    """Grade N learners once and print CPU seconds per submission by process and by worker step."""
    from nbgrader.apps.api import NbGraderAPI

    from lce_utils.courses.workflow import grade

    count = int(os.environ.get("LCE_BENCH_LEARNERS", "16"))
    steps: dict[str, float] = defaultdict(float)
    merge = grading.merge_result

    def merged(root: Path, assignment: str, result: dict[str, Any], gb: Any = None) -> None:
        for name, seconds in result.get("steps", {}).items():
            steps[name] += seconds
        merge(root, assignment, result, gb)

    # the workers are forked from this process: they see these wrappers
    NbGraderAPI.autograde = _timed("nbgrader autograde (kernel messages included)",  # type: ignore[method-assign]
                                   NbGraderAPI.autograde)
    grading.generate_feedback = _timed("feedback pages", grading.generate_feedback)
    grading.read_grades = _timed("reading the grades back", grading.read_grades)
    grading._grade_in_worker = _grade_in_worker
    grading.merge_result = merged
    with tempfile.TemporaryDirectory(prefix="lce-bench-grading-cpu-") as tmp:
        root = copy_course(Path(tmp) / "course") / "courses"
        release([ASSIGNMENT], root)
        write_demo_submissions(ASSIGNMENT, Path(tmp) / "demos", root=root, students=MIX)
        replicate(Path(tmp) / "demos", Path(tmp) / "subs", count, MIX)
        with ProcessMeter() as meter:
            report = grade(ASSIGNMENT, Path(tmp) / "subs", root)
    load = os.getloadavg()
    print(f"grading CPU per submission, {count} learners of {ASSIGNMENT} ({sum(r.ok for r in report.results)} "
          f"graded), {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} at the end: "
          f"{meter.seconds / count:.2f} s in all")
    for name, seconds in sorted(meter.by_kind().items(), key=lambda item: -item[1]):
        print(f"  {name:45s} {seconds / count:6.3f} s")
    print("  in the workers, by step:")
    for name, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"    {name:43s} {seconds / count:6.3f} s")


if __name__ == "__main__":
    main()
