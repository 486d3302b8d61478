"""The labs' data contract has one owner (lce_utils.engagement.schema): the SQL that bands ages names exactly
the bands metrics.json and the reports expect, for every age."""

from __future__ import annotations

import duckdb

from lce_utils.engagement import schema
from lce_utils.reports import data


def _band_by_hand(age: int | None) -> str:
    if age is None or age < 0:
        return "unknown"
    if age >= 76:
        return "76+"
    lower = 0 if age <= 15 else 16 + 10 * ((age - 16) // 10)
    return f"{lower}-{15 if lower == 0 else lower + 9}"


def test_the_age_band_sql_agrees_with_the_band_names_for_every_age():
    ages = [None, -3, *range(0, 111)]
    con = duckdb.connect()
    rows = con.execute(f"SELECT a, {schema.age_band_sql('a')} FROM unnest(?::INTEGER[]) AS t(a)", [ages]).fetchall()
    assert len(rows) == len(ages)
    for age, band in rows:
        assert band == _band_by_hand(age), age
        assert band in schema.AGE_BANDS
    assert {band for _, band in rows} == set(schema.AGE_BANDS)  # every band is reached, none is left over
    assert schema.AGE_BAND_SQL == schema.age_band_sql("age")


def test_the_reports_read_the_labs_contract_from_its_owner():
    assert data.AGE_BANDS == list(schema.AGE_BANDS) and data.GENDER_KEYS == list(schema.GENDERS)
    assert data.METRIC_KEYS == list(schema.METRIC_KEYS) and set(schema.GENDER_NAMES) == set(schema.GENDERS)
