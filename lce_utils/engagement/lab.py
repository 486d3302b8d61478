"""One lab session over validated data: the metrics and published tables the notebooks and the CLI share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lce_utils.engagement import metrics as mx
from lce_utils.engagement import population as pop
from lce_utils.engagement.combine import Inputs
from lce_utils.engagement.load import DEFAULT_MAX_REJECT_SHARE, Prepared, prepare
from lce_utils.engagement.pseudonymise import key_fingerprint
from lce_utils.engagement.published import Publication, publish
from lce_utils.errors import ParameterError
from lce_utils.messages import both
from lce_utils.privacy import DEFAULT_K

SAMPLE_ROWS = 20000
SAMPLE_SEED = 2024


def sample_dir() -> Path:
    from lce_utils.paths import VAR
    return VAR / "labs" / "sample-data"


def ensure_sample(rows: int = SAMPLE_ROWS, seed: int = SAMPLE_SEED, out: Path | None = None) -> tuple[Path, Path]:
    """The sample institution's visits.csv and events.csv, generated into var/labs/sample-data/ if missing."""
    from lce_utils.engagement.sample import write_sample
    out = out or sample_dir()
    stamp = out / "sample.json"
    wanted = {"rows": rows, "seed": seed}
    if not (stamp.exists() and json.loads(stamp.read_text()) == wanted and (out / "visits.csv").exists()):
        files = write_sample(out, rows=rows, seed=seed)
        (files.visits.parent / "sample.json").write_text(json.dumps(wanted))
    return out / "visits.csv", out / "events.csv"


@dataclass
class Lab:
    """Validated data opened in DuckDB, with the period and the suppression threshold k of this run."""

    prepared: Prepared
    institution: str = "Sample institution / Exempelinstitution"
    period_start: str | None = None
    period_end: str | None = None
    k: int = DEFAULT_K
    con: duckdb.DuckDBPyConnection = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if int(self.k) < 1:
            raise ParameterError(f"k must be a whole number of at least 1, got {self.k!r}")
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        self.population = pop.population_by_band()
        mx.create_views(self.con, str(self.prepared.visits_path),
                        str(self.prepared.events_path) if self.prepared.events_path else None,
                        self.period_start, self.period_end, self.population, materialize=True)

    @property
    def meta(self) -> dict[str, Any]:
        return self.prepared.meta

    @property
    def has(self) -> dict[str, bool]:
        return self.meta["has"]

    @property
    def has_events(self) -> bool:
        return self.prepared.events_path is not None

    @property
    def has_population(self) -> bool:
        return self.population is not None

    @cached_property
    def raw(self) -> dict[str, pd.DataFrame]:
        """Unsuppressed results (for computing suggestions; never published as they are)."""
        events_dated = bool(self.has_events and self.meta.get("events", {}).get("columns", {}).get("start"))
        return mx.compute_raw(self.con, self.has["visitor_id"], self.has_events, events_dated, self.has_population)

    @cached_property
    def published(self) -> Publication:
        """metrics.json and the tables, protected together (engagement.published)."""
        return publish(self.raw, self.meta["rows_read"], self.meta["rows_rejected"], self.has["visitor_id"],
                       self.has["price"], self.has_events, self.k)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The published tables (small counts about people blanked, and what would give them back)."""
        return self.published[1]

    @property
    def metrics(self) -> dict[str, Any]:
        """metrics.json's content."""
        return self.published[0]

    @property
    def not_available(self) -> dict[str, str]:
        """Metrics that need individual visitors and this data cannot give, each with the reason (never guessed)."""
        if self.meta.get("row_meaning") == "count":
            reason = both("labs_na_counts")
        elif not self.has["visitor_id"]:
            reason = both("labs_na_no_visitor_id")
        else:
            return {}
        return dict.fromkeys(("unique_visitors", "visits_per_visitor", "returning_visitor_share",
                              "visitors_by_month", "cohort_retention"), reason)

    def table(self, name: str) -> pd.DataFrame:
        """One published table by its file name (without .csv)."""
        if name not in self.tables:
            raise ParameterError(f"no table {name!r}; tables: {', '.join(self.tables)}")
        return self.tables[name]

    def query(self, sql: str) -> pd.DataFrame:
        """Run a DuckDB query over the views visits/events/population (results are not suppressed)."""
        return self.con.execute(sql).df()

    def run_info(self) -> dict[str, Any]:
        """run.json: what was analysed, without any local path of personal data."""
        return {
            "institution": self.institution,
            "period": {"start": self.metrics["period_start"], "end": self.metrics["period_end"],
                       "requested_start": self.period_start, "requested_end": self.period_end},
            "input_sha256": self.meta["content_hash"],
            "inputs": self.meta.get("inputs"),
            "events_sha256": self.meta.get("events_hash"),
            "mapping": self.meta.get("mapping"),
            "columns": self.meta["columns"],
            "detected": self.meta["detected"],
            "row_meaning": self.meta.get("row_meaning", "visit"),
            "rows_excluded": self.meta.get("rows_excluded", {}),
            "duplicate_rows": self.meta.get("duplicate_rows", {}),
            "not_available": self.not_available,
            "k": self.k,
            "pseudonym_key": key_fingerprint(),
            "population_reference": pop.reference(),
            "engine": f"duckdb {duckdb.__version__}",
        }


def open_lab(data_path: Inputs | None = None, events_path: str | Path | None = None,
             mapping_path: str | Path | None = None, prepared_dir: str | Path | None = None,
             institution: str | None = None, period_start: str | None = None, period_end: str | None = None,
             k: int = DEFAULT_K, max_reject_share: float = DEFAULT_MAX_REJECT_SHARE) -> Lab:
    """What each notebook calls with its parameters: the shared validated data, or the sample by default."""
    if prepared_dir:
        folder = Path(prepared_dir)
        meta_file = folder / "meta.json"
        if not meta_file.exists():
            raise ParameterError(f"prepared_dir {folder} holds no prepared data (meta.json missing)")
        prepared = Prepared(folder, json.loads(meta_file.read_text(encoding="utf-8")))
    else:
        if data_path is None:
            data_path, default_events = ensure_sample()
            events_path = events_path or default_events
            institution = institution or _sample_name()
        prepared = prepare(data_path, events_path, mapping_path, max_reject_share=max_reject_share)
    return Lab(prepared, institution or "Institution", period_start or None, period_end or None, int(k))


def _sample_name() -> str:
    from lce_utils.engagement.sample import INSTITUTION
    return INSTITUTION
