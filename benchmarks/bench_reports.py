"""Knowledge reports: parallel build, unchanged rebuild and page size, against baselines measured in this run.

Targets: --jobs 2 at least 1.7x faster than --jobs 1 (full build of the sample site); an unchanged rebuild under a
tenth of a full build; every report page under 1.5 MB, also with ten times more data.
LCE_BENCH_QUICK=1 skips the ten-times-data build (for a quick try); LCE_BENCH_REPEAT=N times each full build N
times, alternating --jobs 1 and --jobs 2, and keeps the fastest of each (default 2). The load average is printed:
the speed-up needs both cores free, so the CPU times are printed too (each report's, and the build process's own:
the serial part), with the speed-up they allow on two free cores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lce_utils.reports.build import CONFIG, build_site
from tests.reports import samples

MAX_PAGE = 1_500_000


def cpu_now() -> float:
    """CPU seconds of this process and its ended children (with --jobs 1 the kernels; the Pagefind binary)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed_build(root: Path, out: Path, jobs: int, force: bool = False) -> tuple[float, object]:
    """Wall time of build_site (in this process; the interpreter's start-up is not counted); the result carries the
    build process's own CPU seconds as .main_cpu."""
    start, cpu = time.perf_counter(), cpu_now()
    result = build_site(CONFIG, root=root, out=out, jobs=jobs, force=force)
    result.main_cpu = cpu_now() - cpu  # type: ignore[attr-defined]
    return time.perf_counter() - start, result


def makespan(costs: list[float], workers: int) -> float:
    """When the last of workers finishes, each taking the next report (longest first, as the build orders them)."""
    loads = [0.0] * workers
    for cost in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += cost
    return max(loads)


def wall_split(t1: float, r1, t2: float, r2) -> None:
    """Where the wall time went: the reports (each one's own wall time; with 2 jobs, when the last worker would
    finish them longest first) and the rest of the build (pool start and end, pages, search index, audit)."""
    sec1 = [e["seconds"] for e in r1.reports if e["id"] in r1.ran]
    sec2 = [e["seconds"] for e in r2.reports if e["id"] in r2.ran]
    span = makespan(sec2, 2)
    print(f"wall, --jobs 1: reports {sum(sec1):.1f} s, the rest {t1 - sum(sec1):.1f} s; --jobs 2: reports "
          f"{sum(sec2):.1f} s in all, {span:.1f} s on two workers, the rest {t2 - span:.1f} s")


def cpu_model(r1, r2) -> None:
    """The speed-up the CPU times allow, which the machine's load does not change: each report's CPU (worker and
    kernel, recorded by the build) and the build process's own CPU outside the reports (the serial part)."""
    per1 = [e["cpu"] for e in r1.reports if e["id"] in r1.ran]  # in the manifest's order, in both builds
    per2 = [e["cpu"] for e in r2.reports if e["id"] in r2.ran]
    serial1 = r1.main_cpu - sum(per1)  # with --jobs 1 the reports ran in the build process
    serial2 = r2.main_cpu  # with --jobs 2 they ran in the workers, not children of this process
    total2 = serial2 + sum(per2)
    path2 = serial2 + makespan(per2, 2)
    print(f"CPU, --jobs 1: {r1.main_cpu:.1f} s ({sum(per1):.1f} in {len(per1)} reports: "
          f"{', '.join(f'{c:.1f}' for c in per1)}; {serial1:.1f} serial)")
    print(f"CPU, --jobs 2: {total2:.1f} s ({sum(per2):.1f} in reports: {', '.join(f'{c:.1f}' for c in per2)}; "
          f"{serial2:.1f} in the build process); "
          f"critical path {path2:.1f} s = {path2 / total2:.3f} of the CPU time; speed-up the CPU allows on 2 free "
          f"cores: {total2 / path2:.2f}x (reports alone, longest first: "
          f"{sum(per2) / makespan(per2, 2):.2f}x)")


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def page_sizes(out: Path) -> dict[str, int]:
    """Bytes of each report page of a built site."""
    return {p.stem: p.stat().st_size for p in sorted(out.glob("*.html")) if p.name != "index.html"}


def main() -> None:
    """Run the measurements and print ratios against the targets."""
    quick = os.environ.get("LCE_BENCH_QUICK") == "1"
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        root = work / "root"
        samples.write_all(root)
        # warm the OS caches and Python's bytecode once, so that neither timed build pays for it
        build_site(CONFIG, root=root, out=work / "warm", jobs=2)

        repeat = max(1, int(os.environ.get("LCE_BENCH_REPEAT", "2")))
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        runs1, runs2 = [], []
        for _ in range(repeat):
            for jobs, runs in ((1, runs1), (2, runs2)):
                # every report again (the site is a symlink to its version folder: removing it did not)
                runs.append(timed_build(root, work / f"site{jobs}", jobs=jobs, force=True))
        t1, r1 = min(runs1, key=lambda x: x[0])
        t2, r2 = min(runs2, key=lambda x: x[0])
        print(f"  --jobs 1 runs: {', '.join(f'{t:.1f}' for t, _ in runs1)} s; --jobs 2 runs: "
              f"{', '.join(f'{t:.1f}' for t, _ in runs2)} s (fastest kept)")
        n = len(r1.ran)
        assert r1.errors == [] and r2.errors == [] and n and len(r2.ran) == n, "the sample site must build"
        speedup = t1 / t2
        print(f"full build of {n} reports: --jobs 1 {t1:.1f} s, --jobs 2 {t2:.1f} s")
        print(f"parallel speed-up (jobs 1 / jobs 2): {speedup:.2f}x  target >= 1.7x  {verdict(speedup >= 1.7)}")
        cpu_model(r1, r2)
        wall_split(t1, r1, t2, r2)

        tu, ru = timed_build(root, work / "site2", jobs=2)
        assert ru.ran == [] and len(ru.reused) == n
        ratio = tu / t2
        print(f"unchanged rebuild: {tu:.2f} s = {ratio:.3f} of the --jobs 2 full build "
              f"({tu / t1:.3f} of --jobs 1)  target < 0.1  {verdict(ratio < 0.1)}")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lce_utils.cli", "reports", "build", "--root", str(root), "--out",
                        str(work / "site2")], check=True, capture_output=True)
        cli = time.perf_counter() - start
        print(f"  (the same through the `lce` CLI, with interpreter start-up and every part's imports: {cli:.2f} s "
              f"= {cli / t2:.3f})")

        sizes = {"1x": page_sizes(work / "site2")}
        if not quick:
            big = work / "root10"
            samples.write_all(big, scale=10)
            t10, r10 = timed_build(big, work / "site10", jobs=2)
            assert r10.errors == [], r10.summary()
            print(f"full build with 10x data: {t10:.1f} s")
            sizes["10x"] = page_sizes(work / "site10")
        worst = 0
        for scale, pages in sizes.items():
            for name, size in pages.items():
                worst = max(worst, size)
                print(f"  page size {scale:>3} {name:<42} {size / 1e6:6.3f} MB  {verdict(size < MAX_PAGE)}")
        print(f"largest report page: {worst / 1e6:.3f} MB  target < 1.5 MB  {verdict(worst < MAX_PAGE)}"
              + ("  (10x data skipped: LCE_BENCH_QUICK=1)" if quick else ""))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
