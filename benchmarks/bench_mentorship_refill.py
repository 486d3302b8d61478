"""Five visitors at once: does refilling the preheated pool after their pages are in make the slowest faster?

When five visitors take the five preheated sign-up kernels, Voilà starts five new kernels 0.2 s later, and their
start-up and rendering share the two cores (and the server's event loop) with the five visitors' own pages.
`--refill-wait` lets a refill wait (at most that many seconds) while visitors' pages are still being sent, waiting
for their browser, or fetching their widgets' state. Baseline, measured in the same run on a server of its own
beside it (the two take turns, round by round): refill at once (`--refill-wait 0`, Voilà's own behaviour; the
server's default is 15). Measures as in bench_mentorship: server side (plain HTTP and websocket client: page and
every widget's state in) and Chromium (until the name field takes input); the slowest of five, median over
rounds, each round from a full pool.

Run from the repo root: `python -m benchmarks.bench_mentorship_refill` (LCE_BENCH_QUICK=1 for a shorter run)."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.bench_mentorship import (
    ARGS,
    CHROMIUM,
    LCE,
    QUICK,
    TOKEN,
    Round,
    load,
    measure_round,
    server_process,
    wait_pool,
)
from tests.servers import free_port, running_server

POOL = 5
ROUNDS = 2 if QUICK else 4
BROWSER_ROUNDS = 1 if QUICK else 2
VARIANTS = [("refill at once (baseline)", "0"), ("refill after the visitors' pages (up to 15 s)", "15")]


async def rounds(bases: dict[str, str], servers: dict[str, Any]) -> dict[str, dict[str, list[float]]]:
    """Per server: one visitor alone, then five at once (slowest), from a full pool each time; server side, then
    Chromium. The servers take turns round by round, so that a change in the machine's load hits both."""
    from playwright.async_api import async_playwright

    out = {label: {"one": [], "five": [], "browser five": []} for label in bases}
    for label, base in bases.items():
        wait_pool(base, POOL, timeout=300)
        await measure_round(base, servers[label], 1)  # (first use of each path in the server process)
    for _ in range(ROUNDS):
        for label, base in bases.items():
            wait_pool(base, POOL, timeout=300)
            out[label]["one"].append((await measure_round(base, servers[label], 1)).slowest)
            wait_pool(base, POOL, timeout=300)
            five: Round = await measure_round(base, servers[label], 5)
            out[label]["five"].append(five.slowest)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for label, base in bases.items():
            wait_pool(base, POOL, timeout=300)
            await measure_round(base, servers[label], 1, browser)  # (warm the browser the same way for both)
        for _ in range(BROWSER_ROUNDS):
            for label, base in bases.items():
                wait_pool(base, POOL, timeout=300)
                out[label]["browser five"].append((await measure_round(base, servers[label], 5, browser)).slowest)
        await browser.close()
    return out


def measure() -> dict[str, dict[str, float]]:
    """Both servers side by side (idle pools cost next to nothing), measured in turns; medians per server."""
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        bases, servers = {}, {}
        for n, (label, refill_wait) in enumerate(VARIANTS):
            port = free_port()
            env = {"LCE_MENTORSHIP_DB": f"sqlite:///{tmp}/bench{n}.db"}
            argv = [LCE, "mentorship", "serve", "--port", str(port), "--token", TOKEN, "--max-kernels", "40",
                    "--pool", str(POOL), "--refill-wait", refill_wait]
            bases[label] = stack.enter_context(running_server(argv, port, "/lce/health", env=env, timeout=120,
                                                              log=Path(tmp) / f"voila{n}.log"))
            servers[label] = server_process(port)
        print(f"  measuring {' and '.join(bases)} in turns (load {load()}) ...", flush=True)
        found = asyncio.run(rounds(bases, servers))
        print(f"  load at the end: {load()}")
    return {label: {key: statistics.median(values) for key, values in rows.items()} for label, rows in found.items()}


def main() -> None:
    print(f"Five visitors at once from a full pool of {POOL} ({ROUNDS} rounds server side, {BROWSER_ROUNDS} in "
          "Chromium; median of each round's slowest)")
    results = list(measure().items())
    (_, base), (label, new) = results
    print(f"  {'':48s} {'one alone':>10s} {'5: slowest':>11s} {'5 in Chromium':>14s}")
    for name, row in results:
        print(f"  {name:48s} {row['one']:9.2f}s {row['five']:10.2f}s {row['browser five']:13.2f}s")
    print(f"  five at once vs one alone (server side): baseline x{base['five'] / base['one']:.1f}, "
          f"{label} x{new['five'] / new['one']:.1f}")
    print(f"  speed-up of {label} over the baseline: server side x{base['five'] / new['five']:.2f}, "
          f"Chromium x{base['browser five'] / new['browser five']:.2f} (above 1: faster)")


if __name__ == "__main__":
    main()
