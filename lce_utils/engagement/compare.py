"""Two lab runs side by side (this year against last, a quarter against the one before): every metric and table
from the two runs' published files, with the change where both sides are shown.

Only published figures are read, so what is hidden in either run stays hidden: a change is given only where both
values are shown. Runs over overlapping periods are refused: their difference would describe just the days one has
and the other lacks, which can be a small group that neither run shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lce_utils.engagement.run_folder import Run, read_run
from lce_utils.engagement.schema import TABLE_KEYS
from lce_utils.errors import DataError
from lce_utils.messages import both

SCALARS = ("rows_read", "rows_rejected", "visits", "unique_visitors", "visits_per_visitor",
           "returning_visitor_share", "revenue_sek")
BREAKDOWNS = ("visits_by_gender", "visits_by_age_band", "visits_by_month")


@dataclass
class Comparison:
    """Changes from run a to run b: metrics (long form), tables (long form per table) and notes for the reader."""

    a: Run
    b: Run
    metrics: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    notes: list[str]


def _period(run: Run) -> tuple[str | None, str | None]:
    return run.metrics.get("period_start"), run.metrics.get("period_end")


def _change(a: Any, b: Any) -> tuple[Any, Any]:
    """(b - a, (b - a) / a) where both are shown numbers; None otherwise."""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return None, None
    diff = float(b) - float(a)
    return round(diff, 4), (round(diff / float(a), 4) if float(a) else None)


def _long(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    out = []
    for *keys, a, b in rows:
        diff, share = _change(a, b)
        out.append((*keys, None if a is None or pd.isna(a) else a, None if b is None or pd.isna(b) else b, diff,
                    share))
    return pd.DataFrame(out, columns=columns + ["a", "b", "change", "change_share"])


def _aligned(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Months and quarters as month or quarter of the year when each occurs once (this year against last)."""
    out = frame.copy()
    for key in keys:
        if key in ("month", "cohort") and len(out):
            of_year = out[key].astype(str).str[5:]  # '2024-03' -> '03', '2024-Q1' -> 'Q1'
            if of_year.is_unique:
                out[key] = of_year
    return out


def compare_runs(a: str | Path, b: str | Path) -> Comparison:
    """Every metric and table of run a against run b."""
    run_a, run_b = read_run(a), read_run(b)
    (a0, a1), (b0, b1) = _period(run_a), _period(run_b)
    if a0 and a1 and b0 and b1 and a0 <= b1 and b0 <= a1:
        raise DataError(both("labs_err_overlap", a=run_a.folder.name, a0=a0, a1=a1, b=run_b.folder.name, b0=b0,
                             b1=b1))
    rows: list[tuple] = [(name, "", run_a.metrics.get(name), run_b.metrics.get(name)) for name in SCALARS]
    for name in BREAKDOWNS:
        left, right = run_a.metrics.get(name) or {}, run_b.metrics.get(name) or {}
        if name == "visits_by_month":
            left, right = ({k[5:]: v for k, v in d.items()} if len({k[5:] for k in d}) == len(d) else d
                           for d in (left, right))
        for group in dict.fromkeys([*left, *right]):
            rows.append((name, group, left.get(group), right.get(group)))
    metrics = _long(rows, ["metric", "group"])
    tables = {}
    for name, keys in TABLE_KEYS.items():
        if name not in run_a.tables and name not in run_b.tables:
            continue
        left = _aligned(run_a.tables.get(name, pd.DataFrame(columns=keys)), keys)
        right = _aligned(run_b.tables.get(name, pd.DataFrame(columns=keys)), keys)
        measures = [c for c in dict.fromkeys([*left.columns, *right.columns]) if c not in keys
                    and _is_measure((left, right), c)]
        merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"), sort=False)
        table_rows = []
        for _, r in merged.iterrows():
            for measure in measures:
                table_rows.append((*[r[k] for k in keys], measure, _value(r, measure, "_a", left),
                                   _value(r, measure, "_b", right)))
        tables[name] = _long(table_rows, keys + ["measure"])
    return Comparison(run_a, run_b, metrics, tables, _notes(run_a, run_b))


def _is_measure(frames: tuple[pd.DataFrame, ...], column: str) -> bool:
    """A numeric column (not a flag) wherever it is present."""
    present = [f[column] for f in frames if column in f]
    return all(s.dtype != bool and (pd.api.types.is_numeric_dtype(s) or s.isna().all()) for s in present)


def _value(row: pd.Series, measure: str, suffix: str, side: pd.DataFrame) -> Any:
    if measure not in side:
        return None
    value = row.get(measure + suffix, row.get(measure))
    return None if value is None or pd.isna(value) else value


def _notes(a: Run, b: Run) -> list[str]:
    notes = []
    if a.info.get("k") != b.info.get("k"):
        notes.append(both("labs_note_k", a=a.info.get("k"), b=b.info.get("k")))
    if a.info.get("pseudonym_key") != b.info.get("pseudonym_key"):
        notes.append(both("labs_note_keys"))
    if a.info.get("row_meaning") != b.info.get("row_meaning"):
        meanings = {side: repr(run.info.get("row_meaning")) for side, run in (("a", a), ("b", b))}
        notes.append(both("labs_note_row_meaning", **meanings))
    return notes


def write_comparison(comparison: Comparison, out: str | Path) -> Path:
    """compare.json (runs, notes, metrics) and tables/<name>.csv into out."""
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    doc = {"a": {"run": comparison.a.folder.name, "period": list(_period(comparison.a)),
                 "institution": comparison.a.info.get("institution")},
           "b": {"run": comparison.b.folder.name, "period": list(_period(comparison.b)),
                 "institution": comparison.b.info.get("institution")},
           "notes": comparison.notes,
           "metrics": json.loads(comparison.metrics.to_json(orient="records"))}
    (out / "compare.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, frame in comparison.tables.items():
        frame.to_csv(out / "tables" / f"{name}.csv", index=False)
    return out


def summary(comparison: Comparison) -> str:
    """The scalar metrics as text lines (hidden values as '–')."""
    def shown(v: Any) -> str:
        return "–" if v is None or pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v)
    lines = [f"{comparison.a.folder.name} ({' – '.join(map(str, _period(comparison.a)))}) -> "
             f"{comparison.b.folder.name} ({' – '.join(map(str, _period(comparison.b)))})"]
    for r in comparison.metrics[comparison.metrics["group"] == ""].itertuples():
        pct = "" if r.change_share is None or pd.isna(r.change_share) else f" ({100 * r.change_share:+.0f} %)"
        lines.append(f"  {r.metric}: {shown(r.a)} -> {shown(r.b)}{pct}")
    lines += [f"  note: {n}" for n in comparison.notes]
    return "\n".join(lines)
