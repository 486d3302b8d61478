"""What protecting the labs' published figures together costs, against the metrics' own SQL in bare DuckDB.

For each size, on the same validated Parquet file and in the same process: the metric definitions run in a bare
DuckDB connection (the baseline: `metrics.compute_raw`), then `published.publish` (privacy.suppress_count and
`disclosure.protect` over metrics.json and every table). Prints both times and the ratio (baseline + publish) /
baseline; target: <= 1.1 at the largest size. Then a worst case for the protection itself: a 150 x 9 table with row,
column and grand totals and many small counts.

    python -m benchmarks.bench_labs_disclosure            # 100k and 1M sample rows
    LCE_BENCH_QUICK=1 python -m benchmarks.bench_labs_disclosure   # 20k and 100k
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

QUICK = os.environ.get("LCE_BENCH_QUICK", "") not in ("", "0")
SIZES = [20_000, 100_000] if QUICK else [100_000, 1_000_000]
TARGET = 1.1


def measure(rows: int, work: Path) -> tuple[float, float, int]:
    """(SQL seconds, publish seconds, hidden cells) on the sample institution of that size."""
    from lce_utils.engagement import metrics as mx
    from lce_utils.engagement import population as pop
    from lce_utils.engagement.load import prepare
    from lce_utils.engagement.published import publish
    from lce_utils.engagement.sample import write_sample
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
    tables = publish(raw, prepared.meta["rows_read"], prepared.meta["rows_rejected"], True, True, True).tables
    published = time.perf_counter() - start
    hidden = sum(int(frame.isna().sum().sum()) for frame in tables.values())
    con.close()
    return sql, published, hidden


def worst_table() -> tuple[float, int]:
    """Seconds to protect a 150 x 9 table with margins, and how many cells it hides."""
    from lce_utils.engagement.disclosure import Cells, protect
    cells, rng = Cells(), np.random.default_rng(2)
    for i in range(150):
        for j in range(9):
            cells.add(("x", i, j), int(rng.choice([0, 1, 2, 3, 6, 8, 12, 30, 50])))
    for i in range(150):
        cells.total(cells.add(("row", i), sum(cells.values[("x", i, j)] for j in range(9))),
                    [("x", i, j) for j in range(9)])
    for j in range(9):
        cells.total(cells.add(("column", j), sum(cells.values[("x", i, j)] for i in range(150))),
                    [("x", i, j) for i in range(150)])
    start = time.perf_counter()
    hidden = protect(cells)
    return time.perf_counter() - start, len(hidden)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="lce-bench-disclosure-") as tmp:
        os.environ.setdefault("LCE_LABS_CACHE", str(Path(tmp) / "cache"))
        os.environ.setdefault("LCE_LABS_PSEUDONYM_KEY", "bench")
        ratio = 0.0
        for rows in SIZES:
            sql, published, hidden = measure(rows, Path(tmp))
            ratio = (sql + published) / sql
            print(f"{rows:>10,} rows: metrics SQL in bare DuckDB {sql:.2f} s, publish {published:.2f} s "
                  f"({hidden} blank cells), ratio {ratio:.2f}")
    seconds, hidden = worst_table()
    print(f"150 x 9 table with margins: protected in {seconds:.2f} s ({hidden} cells hidden)")
    ok = ratio <= TARGET
    print(f"target (baseline + publish) / baseline <= {TARGET} at {SIZES[-1]:,} rows: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
