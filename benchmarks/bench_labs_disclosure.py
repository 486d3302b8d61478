"""What protecting the labs' published figures costs: lce_utils.privacy.protect over metrics.json and every table,
against two baselines measured in the same process on the same data.

For each size of the sample institution (12, 400, 1 000 and 5 000 rows: the sizes small venues have; 100 000 with
LCE_BENCH_FULL=1): the metric definitions in a bare DuckDB connection (`metrics.compute_raw`, baseline "SQL"), then
`published.publish` (primary suppression and privacy.protect's complementary cells, baseline for nothing), then
one run of the auditor over what was published (`privacy_audit.audit_cells`, two LPs per unseen cell: what
`lce privacy audit` does on the output folder, baseline "audit"). Prints the times and two ratios:
publish / audit (target <= 1: hiding the cells costs less than checking the result once) and (SQL + publish) / SQL.

Before one mechanism (2026-12-02, same machine, load 16-36, same cells): the labs' own protect (engagement/
disclosure.py, deleted) took 6.0 / 12.4 / 3.4 / 1.7 s at 12 / 400 / 1 000 / 5 000 rows, and privacy.protect with an
LP audit of every unseen cell after each hidden cell 23 / 561 / 56 / 33 s, where one audit of the result took
6.8 / 8.7 / 3.6 / 2.9 s.

    python -m benchmarks.bench_labs_disclosure
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

SIZES = [12, 400, 1_000, 5_000] + ([100_000] if os.environ.get("LCE_BENCH_FULL", "") not in ("", "0") else [])
TARGET = 1.0


def measure(rows: int, work: Path) -> dict[str, float]:
    """Seconds of the SQL, publish and audit, and the cells published and hidden, on the sample of that size."""
    from lce_utils.engagement import metrics as mx
    from lce_utils.engagement import population as pop
    from lce_utils.engagement.load import prepare
    from lce_utils.engagement.published import cell_name, publish
    from lce_utils.engagement.sample import write_sample
    from lce_utils.privacy_audit import audit_cells
    files = write_sample(work / f"s{rows}", rows=rows, seed=7)
    prepared = prepare(files.visits, files.events, max_reject_share=1.0)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    mx.create_views(con, str(prepared.visits_path), str(prepared.events_path), population=pop.population_by_band(),
                    materialize=True)
    start = time.perf_counter()
    raw = mx.compute_raw(con, has_visitor=True, has_events=True, events_dated=True, has_population=True)
    sql = time.perf_counter() - start
    start = time.perf_counter()
    publication = publish(raw, prepared.meta["rows_read"], prepared.meta["rows_rejected"], True, True, True)
    published = time.perf_counter() - start
    con.close()
    cells, hidden = publication.cells, publication.hidden
    relations = [(cell_name(t), [cell_name(p) for p in parts]) for t, parts in cells.relations()]
    shown = {cell_name(c): v for c, v in cells.values.items() if c in cells.published and c not in hidden}
    start = time.perf_counter()
    findings = audit_cells(shown, [cell_name(c) for c in hidden], relations)
    audit = time.perf_counter() - start
    if findings:
        raise SystemExit(f"{rows} rows: the auditor found {findings[0].message}")
    return {"sql": sql, "publish": published, "audit": audit, "cells": len(cells.published), "hidden": len(hidden)}


def main() -> int:
    from scipy.optimize import linprog  # noqa: F401  imported once before timing: both sides use it
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="lce-bench-disclosure-") as tmp:
        os.environ.setdefault("LCE_LABS_CACHE", str(Path(tmp) / "cache"))
        os.environ.setdefault("LCE_LABS_PSEUDONYM_KEY", "bench")
        for rows in SIZES:
            m = measure(rows, Path(tmp))
            ratio = m["publish"] / m["audit"] if m["audit"] > 0 else 0.0
            worst = max(worst, ratio)
            print(f"{rows:>8,} rows: SQL in bare DuckDB {m['sql']:.2f} s, publish (privacy.protect) "
                  f"{m['publish']:.2f} s, one audit of the result {m['audit']:.2f} s; {m['hidden']:.0f} of "
                  f"{m['cells']:.0f} cells hidden; publish / audit {ratio:.2f}, "
                  f"(SQL + publish) / SQL {(m['sql'] + m['publish']) / m['sql']:.2f}", flush=True)
    ok = worst <= TARGET
    print(f"target publish / audit <= {TARGET} at every size: {'met' if ok else 'MISSED'} (worst {worst:.2f})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
