"""The one reader of a published lab run folder (metrics.json, run.json, findings.json, tables/*.csv): the labs'
comparison, the benchmark, the knowledge cases and the reports all read runs through it, checked against the
contract in engagement/schema.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lce_utils.engagement import findings
from lce_utils.engagement.schema import AGE_BANDS, FINDINGS_FILE, GENDERS, METRIC_KEYS, TABLE_KEYS
from lce_utils.errors import DataError
from lce_utils.messages import both
from lce_utils.privacy import DEFAULT_K


@dataclass
class Run:
    """A run folder as published: metrics.json, run.json ({} when absent), findings.json's sections ({} for a run
    written before it existed: computed from its published files) and tables/*.csv (their key columns as text)."""

    folder: Path
    metrics: dict[str, Any]
    info: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(both("labs_err_json", file=path.name, detail=str(exc))) from exc
    if not isinstance(data, dict):
        raise DataError(both("labs_err_json_object", file=path.name))
    return data


def _metrics(path: Path) -> dict[str, Any]:
    metrics = _json(path)
    missing = [k for k in METRIC_KEYS if k not in metrics]
    if missing:
        raise DataError(both("labs_err_metrics_missing", keys=missing))
    for key, expected in (("visits_by_gender", list(GENDERS)), ("visits_by_age_band", list(AGE_BANDS))):
        found = metrics[key]
        if not isinstance(found, dict) or not set(found) <= set(expected):
            unknown = sorted(set(found) - set(expected)) if isinstance(found, dict) else found
            raise DataError(both("labs_err_metrics_keys", metric=key, unknown=repr(unknown), expected=expected))
    return metrics


def _table(path: Path) -> pd.DataFrame:
    key_types = dict.fromkeys(TABLE_KEYS.get(path.stem, ()), str)
    try:
        return pd.read_csv(path, dtype=key_types)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(both("labs_err_table", file=f"tables/{path.name}",
                             detail=str(exc).splitlines()[0])) from exc
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def read_run(path: str | Path) -> Run:
    """The run folder written by `lce labs run` at path; a clear error when it is not one."""
    folder = Path(path)
    if not (folder / "metrics.json").is_file():
        raise DataError(both("labs_err_not_a_run", folder=str(folder)))
    metrics = _metrics(folder / "metrics.json")
    info = _json(folder / "run.json") if (folder / "run.json").is_file() else {}
    tables = {p.stem: _table(p) for p in sorted((folder / "tables").glob("*.csv"))}
    if (folder / FINDINGS_FILE).is_file():
        found = _json(folder / FINDINGS_FILE).get("sections", {})
    else:  # a run from before findings.json: the same engine on its published files
        found = findings.compute(metrics, tables, bool(info.get("population_reference")),
                                 int(info.get("k") or DEFAULT_K))
    return Run(folder, metrics, info, tables, found)
