"""`make bench`: run every benchmarks/bench_*.py in turn (or those named), each in its own process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not wanted or p.stem.removeprefix("bench_") in wanted)
    if not scripts:
        print("no benchmarks found" + (f" named {sorted(wanted)}" if wanted else ""), file=sys.stderr)
        return 2
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", f"benchmarks.{script.stem}"], cwd=HERE.parent)
        print(f"=== {script.stem}: exit {rc}, {time.perf_counter() - start:.0f} s ===", flush=True)
        if rc:
            failed.append(script.stem)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
