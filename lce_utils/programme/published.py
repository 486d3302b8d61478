"""What the report site may publish about the register: counts of participations by gender, age band, labour
status and education, completion and results, against the programme's target, every count through
lce_utils.privacy (groups under k hidden, with complements where a total would give them away)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from lce_utils.privacy import DEFAULT_K, suppress_count, suppress_with_complement
from lce_utils.programme import fields
from lce_utils.programme.demo import TARGET
from lce_utils.programme.indicators import age_band
from lce_utils.programme.store import Record, records

AGE_BANDS = ("below_18", "18_29", "30_54", "55_plus")
RESULTS = ("employed", "in_education", "qualification", "job_searching")


def _breakdown(rows: list[Record], key: str, values: tuple[str, ...],
               of: Callable[[Record], str]) -> pd.DataFrame:
    frame = pd.DataFrame({key: list(values), "participants": [sum(of(r) == v for r in rows) for v in values]})
    return suppress_with_complement(frame, "participants")


def progress_tables(url: str | None = None, k: int = DEFAULT_K, rows: list[Record] | None = None
                    ) -> dict[str, pd.DataFrame]:
    """The published tables (no names, no numbers about fewer than k people)."""
    rows = records(url) if rows is None else rows
    tables = {
        "participants_by_gender": _breakdown(rows, "gender", tuple(fields.GENDERS), lambda r: r.gender),
        "participants_by_age_band": _breakdown(rows, "age_band", AGE_BANDS, lambda r: age_band(r.age_at_entry)),
        "participants_by_labour_status": _breakdown(rows, "labour_status", tuple(fields.LABOUR),
                                                    lambda r: r.labour_status),
        "participants_by_education": _breakdown(rows, "education", tuple(fields.EDUCATION), lambda r: r.education),
        "completion": _breakdown(rows, "status", ("active", "left"),
                                 lambda r: "left" if r.exit_date is not None else "active"),
    }
    left = [r for r in rows if r.exit_date is not None]
    tables["results_at_exit"] = pd.DataFrame({
        "result": list(RESULTS),
        "participants": pd.array([suppress_count(sum(r.results.get("exit", {}).get(x, False) for r in left), k)
                                  for x in RESULTS], dtype="Int64")})
    tables["progress"] = pd.DataFrame({"measure": ["participants", "target"],
                                       "value": pd.array([suppress_count(len(rows), k), TARGET], dtype="Int64")})
    return tables
