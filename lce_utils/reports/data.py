"""Reading the other parts' outputs for the report templates: checked columns, clear errors, missing = None."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from lce_utils.courses.schema import ADDED_COLUMNS, GRADE_COLUMNS, TEST_COLUMNS
from lce_utils.engagement import schema as labs_schema
from lce_utils.engagement.run_folder import Run as LabRun
from lce_utils.engagement.run_folder import read_run
from lce_utils.errors import DataError
from lce_utils.mentorship import store as mentorship_store

METRIC_KEYS = list(labs_schema.METRIC_KEYS)  # the labs' contract (lce_utils.engagement.schema)
GENDER_KEYS = list(labs_schema.GENDERS)
AGE_BANDS = list(labs_schema.AGE_BANDS)
_TRUE = {"true", "1", "yes", "ja", "t", "y"}
_FALSE = {"false", "0", "no", "nej", "f", "n", ""}


def read_table(path: Path, columns: list[str], *, numeric: tuple[str, ...] = (),
               boolean: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV with the given columns; raises DataError naming the file, row and column of a bad value."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: cannot be read as CSV: {str(exc).splitlines()[0]}") from exc
    missing = [c for c in columns if c not in frame.columns and c not in ADDED_COLUMNS]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {missing}; expected columns {columns}")
    for column in numeric:
        values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
        bad = values.isna() & frame[column].str.strip().ne("")
        if bad.any():
            row = int(bad.idxmax())
            raise DataError(f"{path.name}: row {row + 2}, column {column!r}: expected a number, "
                            f"got {frame.at[row, column]!r}")
        frame[column] = values
    for column in boolean:
        text = frame[column].str.strip().str.lower()
        bad = ~text.isin(_TRUE | _FALSE)
        if bad.any():
            row = int(bad.idxmax())
            raise DataError(f"{path.name}: row {row + 2}, column {column!r}: expected true or false, "
                            f"got {frame.at[row, column]!r}")
        frame[column] = text.isin(_TRUE)
    return frame


def assignments(exports_dir: str | Path) -> list[str]:
    """The assignments with a grades export in exports_dir (sorted; empty when there is none)."""
    folder = Path(exports_dir)
    return sorted(p.name.removesuffix("-grades.csv") for p in folder.glob("*-grades.csv")) if folder.is_dir() else []


def course_grades(exports_dir: str | Path, assignment: str) -> pd.DataFrame | None:
    """One row per learner and notebook of an assignment's grades export; None when it does not exist."""
    path = Path(exports_dir) / f"{assignment}-grades.csv"
    if not path.is_file():
        return None
    grades = read_table(path, GRADE_COLUMNS, numeric=("score", "max_score"), boolean=("needs_manual_grading",))
    # sandboxed: True / False (graded with --no-sandbox) / None (no record, or an export from before the column)
    text = grades["sandboxed"].str.strip().str.lower() if "sandboxed" in grades else pd.Series("", grades.index)
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"{path.name}: row {row + 2}, column 'sandboxed': expected true, false or empty, "
                        f"got {grades.at[row, 'sandboxed']!r}")
    grades["sandboxed"] = [None if v == "" else v in _TRUE for v in text]
    return grades


def course_tests(exports_dir: str | Path, assignment: str) -> pd.DataFrame | None:
    """One row per learner and autograded test; None when the export does not exist."""
    path = Path(exports_dir) / f"{assignment}-tests.csv"
    if not path.is_file():
        return None
    return read_table(path, TEST_COLUMNS, numeric=("points", "max_points"), boolean=("passed",))


def lab_run(run_dir: str | Path) -> LabRun | None:
    """The lab run in run_dir (read by the labs' own reader); None when there is no metrics.json."""
    folder = Path(run_dir)
    return read_run(folder) if (folder / "metrics.json").is_file() else None


def mentorship_url(url: str | None) -> str:
    """The mentorship database to read: the parameter, else the store's own (LCE_MENTORSHIP_DB, else
    var/mentorship.db; the manifests name the demo database); a relative SQLite path is relative to the
    repository, as for the store (not to the report's folder)."""
    return mentorship_store.normalise_url(url or None)


def mentorship_tables(url: str | None, k: int = 5) -> dict[str, pd.DataFrame] | None:
    """The mentorship outcome tables (already suppressed); None when its database is missing."""
    from lce_utils.mentorship import outcome_tables

    url = mentorship_url(url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///").split("?")[0]).is_file():
        return None
    return outcome_tables(url, k=k)


def programme_publication(url: str | None, k: int = 5, target: int | None = None) -> Any:
    """The register's published tables (lce_utils.programme.published.Publication), protected together; None when
    its register is missing. url: the parameter, else LCE_PROGRAMME_DB, else var/programme.db (a relative SQLite
    path is relative to the repository, as for the store)."""
    from lce_utils.programme import published
    from lce_utils.programme.store import normalise_url

    url = normalise_url(url or None)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///").split("?")[0]).is_file():
        return None
    rows = published.register_rows(url)
    return published.publication(rows, k, published.TARGET if target is None else target)
