"""The loader's fast path keeps every figure exact: a CSV large enough for DuckDB to read it on several threads
still gets the row numbers of a spreadsheet (rejects, duplicate lines), and the benchmark's three implementations
(labs, bare DuckDB, plain pandas) agree on the same file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lce_utils.engagement.load import prepare
from lce_utils.engagement.sample import write_sample

pytestmark = pytest.mark.slow  # a 600 000-row CSV

ROWS = 600_000  # about 25 MB: DuckDB splits a file this size between its threads
BAD = (7, 123_457, 377_001, ROWS - 2)  # 0-based data lines with an impossible date
DUPLICATE = (250_000, 599_000)  # the second repeats the first line exactly


def test_row_numbers_of_a_large_csv_read_in_parallel(tmp_path):
    path = tmp_path / "large.csv"
    lines = [f"2024-03-{1 + i % 28:02d} 19:00;K{i};Evenemang {i % 40};Ordinarie;{100 + i % 300};Webb\n"
             for i in range(ROWS)]
    for i in BAD:
        lines[i] = lines[i].replace(lines[i][:10], "2024-02-30", 1)
    lines[DUPLICATE[1]] = lines[DUPLICATE[0]]
    path.write_text("Datum;Kundnummer;Evenemang;Biljettyp;Pris;Kanal\n" + "".join(lines), encoding="utf-8")
    prepared = prepare(path, cache_dir=tmp_path / "cache", max_reject_share=1.0)
    rejects = prepared.rejects_path.read_text(encoding="utf-8").splitlines()[1:]
    # A spreadsheet's numbering: the header is row 1, data line i (from 0) is row i + 2.
    assert rejects == [f"{i + 2},timestamp,timestamp is not a valid date,2024-02-30 19:00" for i in BAD]
    assert prepared.meta["rows_read"] == ROWS and prepared.meta["rows_rejected"] == len(BAD)
    assert prepared.meta["duplicate_rows"] == {"rows": 1, "examples": [[DUPLICATE[0] + 2, DUPLICATE[1] + 2]]}
    assert prepared.meta["period_start"] == "2024-03-01" and prepared.meta["period_end"] == "2024-03-28"


def test_benchmark_implementations_agree(tmp_path):
    """The benchmark's like-with-like check on a small file: same headline figures from all three."""
    write_sample(tmp_path / "csv", rows=3_000, messy=False, fmt="csv")
    root = Path(__file__).resolve().parents[2]
    results = {}
    for impl in ("lce", "duckdb", "pandas"):
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_labs", "--child", impl,
                              str(tmp_path / "csv" / "visits.csv"), str(tmp_path / "csv" / "events.csv")],
                             capture_output=True, text=True, cwd=root, check=True)
        results[impl] = json.loads(out.stdout.strip().splitlines()[-1])
    assert results["lce"]["check"] == results["duckdb"]["check"] == results["pandas"]["check"]
    assert results["lce"]["check"]["visits"] == 3_000
    assert all(r["cpu_seconds"] > 0 and r["peak_mb"] > 0 for r in results.values())
