"""Mentorship benchmark: time to an interactive sign-up form (preheated vs Voilà's default), one visitor and five
at once, in the same run; and matching 2,000 applicants.

Run from the repo root: `python -m benchmarks.bench_mentorship` (LCE_BENCH_QUICK=1 for a shorter run)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.servers import free_port, running_server

QUICK = os.environ.get("LCE_BENCH_QUICK", "") not in {"", "0"}
REPEATS = 3 if QUICK else 7
LCE = str(Path(sys.executable).parent / "lce")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SIGNUP = "/voila/render/signup/index.ipynb"
TARGET_SINGLE = 1.2
TARGET_RATIO = 1.5
TARGET_MATCHING = 3.0


def wait_pool(base: str, want: int, timeout: float = 120) -> None:
    """Wait until the sign-up pool holds `want` rendered kernels (no-op for the default server)."""
    deadline = time.monotonic() + timeout
    while want and time.monotonic() < deadline:
        with urllib.request.urlopen(base + "/lce/health", timeout=10) as resp:
            if json.load(resp)["pools"].get("signup/index.ipynb", 0) >= want:
                time.sleep(0.5)
                return
        time.sleep(0.3)


async def visit(browser, base: str) -> float:
    """Seconds from the page request until the name field is visible and enabled (the form is interactive)."""
    context = await browser.new_context(locale="sv-SE")
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(base + SIGNUP, timeout=180_000)
    field = page.get_by_label("Namn (krävs)", exact=True)
    await field.wait_for(timeout=180_000)
    await field.fill("x")
    elapsed = time.perf_counter() - start
    await context.close()
    return elapsed


async def measure(base: str, pool: int) -> tuple[list[float], list[float]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        await visit(browser, base)  # warm the browser cache the same way for both servers
        wait_pool(base, pool)
        single = []
        for _ in range(REPEATS):
            wait_pool(base, pool)
            single.append(await visit(browser, base))
        wait_pool(base, pool)
        five = list(await asyncio.gather(*[visit(browser, base) for _ in range(5)]))
        await browser.close()
    return single, five


def serve_and_measure(label: str, extra: list[str], pool: int) -> tuple[list[float], list[float]]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LCE_MENTORSHIP_DB": f"sqlite:///{tmp}/bench.db"}
        with running_server([LCE, "mentorship", "serve", "--port", str(port), *extra], port, "/lce/health",
                            env=env, timeout=120, log=Path(tmp) / "voila.log") as base:
            print(f"  measuring {label} ...", flush=True)
            return asyncio.run(measure(base, pool))


def bench_signup() -> bool:
    print(f"Time to an interactive sign-up form ({REPEATS} single visits, median; then 5 at once)")
    d_single, d_five = serve_and_measure("Voilà default (no preheat, default template and extensions)",
                                         ["--no-preheat", "--voila-defaults"], pool=0)
    o_single, o_five = serve_and_measure("LCE serving (pool 5, local template, extension denylist)",
                                         ["--pool", "5"], pool=5)
    d_med, o_med = statistics.median(d_single), statistics.median(o_single)
    ratio = d_med / o_med
    print(f"  one visitor   default {d_med:5.2f} s   preheated {o_med:5.2f} s   speed-up x{ratio:.2f}")
    print(f"  five at once  default max {max(d_five):5.2f} s (mean {statistics.mean(d_five):.2f})   "
          f"preheated max {max(o_five):5.2f} s (mean {statistics.mean(o_five):.2f})")
    checks = [
        (f"one visitor under {TARGET_SINGLE} s", o_med < TARGET_SINGLE, f"{o_med:.2f} s"),
        (f"at least x{TARGET_RATIO} faster than the default", ratio >= TARGET_RATIO, f"x{ratio:.2f}"),
        ("five at once each under twice the single-visitor time", max(o_five) < 2 * o_med,
         f"max {max(o_five):.2f} s vs {2 * o_med:.2f} s"),
    ]
    for name, ok, value in checks:
        print(f"  target: {name:55s} {'PASS' if ok else 'MISS'} ({value})")
    return all(ok for _, ok, _ in checks)


def bench_matching() -> bool:
    from lce_utils.mentorship.demo import demo_applications
    from lce_utils.mentorship.matching import Candidate, match

    n = 500 if QUICK else 2000
    apps = demo_applications(n, seed=7)
    rng = random.Random(7)
    candidates = [Candidate.from_dict({**a, "id": i, "organisation": rng.choice([None, a["organisation"]])})
                  for i, a in enumerate(apps)]
    roles = {r: sum(1 for c in candidates if c.role == r) for r in ("mentor", "mentee", "mutual")}
    start = time.perf_counter()
    result = match(candidates)
    seconds = time.perf_counter() - start
    print(f"Matching {n} applicants ({roles['mentor']} mentors, {roles['mentee']} mentees, {roles['mutual']} "
          f"mutual): {len(result.pairs)} pairs, total score {result.total_score:.1f}, {seconds:.2f} s")
    ok = seconds < TARGET_MATCHING
    print(f"  target: {f'matching under {TARGET_MATCHING:g} s':55s} {'PASS' if ok else 'MISS'} ({seconds:.2f} s; "
          f"networkx's blossom took 27.7 s on the same 2 000 before)")
    return ok


def main() -> None:
    bench_matching()
    bench_signup()


if __name__ == "__main__":
    main()
