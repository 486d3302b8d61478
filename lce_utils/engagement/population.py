"""The population of the county by sex and age (Statistics Sweden: REFERENCE), the reference for the
representation index."""

from __future__ import annotations

import io
from importlib import resources

import pandas as pd

from lce_utils.engagement.schema import AGE_BAND_SQL

DATA_FILE = "skane_population_2019.csv"
REFERENCE = "SCB (Statistics Sweden), BE0101N1: Skåne län by sex and age, 31 Dec 2019"


def _text() -> str | None:
    try:
        return (resources.files("lce_utils.engagement") / "data" / DATA_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None


def reference() -> str | None:
    """A one-line citation of the shipped table, or None when no reference is shipped."""
    return REFERENCE if _text() is not None else None


def source() -> str | None:
    """The data file's source note (its '#' header lines), or None when no reference is shipped."""
    text = _text()
    if text is None:
        return None
    return " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")).strip()


def population_by_age() -> pd.DataFrame | None:
    """gender (woman/man), age (0..100, 100 meaning 100 or older), population; None if not shipped."""
    text = _text()
    if text is None:
        return None
    return pd.read_csv(io.StringIO(text), comment="#", dtype={"gender": str, "age": "int64",
                                                              "population": "int64"})


def population_by_band() -> pd.DataFrame | None:
    """gender, age_band (the labs' bands), population: the table the representation index compares with."""
    frame = population_by_age()
    if frame is None:
        return None
    import duckdb
    con = duckdb.connect()
    try:
        con.register("pop", frame)
        return con.execute(f"SELECT gender, {AGE_BAND_SQL} AS age_band, sum(population)::BIGINT AS population "
                           "FROM pop GROUP BY ALL ORDER BY gender DESC, age_band").df()
    finally:
        con.close()
