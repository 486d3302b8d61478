"""The ESF+ common indicators of Annex I to Regulation (EU) 2021/1057, by gender, from the register.

Every participation counts (a person who leaves and enters again counts again, as SCB reports each start).
Output indicators use the data at entry, age bands the age on the entry date; result indicators use the results
recorded at exit and about six months later."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from lce_utils.messages import pair
from lce_utils.programme.store import Record, records

GENDER_COLUMNS = ("woman", "man", "non_binary")


def age_band(age: int) -> str:
    """The age band at entry: below_18, 18_29, 30_54 or 55_plus."""
    if age < 18:
        return "below_18"
    if age <= 29:
        return "18_29"
    if age <= 54:
        return "30_54"
    return "55_plus"


def _result(stage: str, key: str) -> Callable[[Record], bool]:
    return lambda r: r.results.get(stage, {}).get(key, False)


def _named(code: str, counts: Callable[[Record], bool]) -> tuple[str, str, str, Callable[[Record], bool]]:
    """An indicator with its Swedish and English name from the catalogue (key ind_<code>)."""
    return (code, *pair(f"ind_{code}"), counts)


# (code, Swedish, English, who counts)
INDICATORS: list[tuple[str, str, str, Callable[[Record], bool]]] = [
    _named("participants", lambda r: True),
    _named("unemployed", lambda r: r.labour_status in {"unemployed", "long_term_unemployed"}),
    _named("long_term_unemployed", lambda r: r.labour_status == "long_term_unemployed"),
    _named("inactive", lambda r: r.labour_status == "inactive"),
    _named("employed", lambda r: r.labour_status == "employed"),
    _named("below_18", lambda r: age_band(r.age_at_entry) == "below_18"),
    _named("age_18_29", lambda r: age_band(r.age_at_entry) == "18_29"),
    _named("age_30_54", lambda r: age_band(r.age_at_entry) == "30_54"),
    _named("age_55_plus", lambda r: age_band(r.age_at_entry) == "55_plus"),
    _named("isced_0_2", lambda r: r.education == "isced_0_2"),
    _named("isced_3_4", lambda r: r.education == "isced_3_4"),
    _named("isced_5_8", lambda r: r.education == "isced_5_8"),
    _named("disabilities", lambda r: r.special["disability"] == "yes"),
    _named("disability_not_known", lambda r: r.special["disability"] is None),
    _named("third_country_nationals", lambda r: bool(r.flags["third_country_national"])),
    _named("foreign_background", lambda r: bool(r.flags["foreign_background"])),
    _named("minorities", lambda r: r.special["minority"] == "yes"),
    _named("minority_not_known", lambda r: r.special["minority"] is None),
    _named("homeless", lambda r: bool(r.flags["homeless"])),
    _named("rural", lambda r: bool(r.flags["rural"])),
    _named("exited", lambda r: r.exit_date is not None),
    _named("exit_job_searching", _result("exit", "job_searching")),
    _named("exit_in_education", _result("exit", "in_education")),
    _named("exit_qualification", _result("exit", "qualification")),
    _named("exit_employed", _result("exit", "employed")),
    _named("six_months_employed", _result("six_months", "employed")),
    _named("six_months_in_education", _result("six_months", "in_education")),
]


def indicator_table(rows: list[Record]) -> list[dict[str, object]]:
    """One row per indicator: code, Swedish and English name, count by gender and total."""
    table = []
    for code, sv, en, counts in INDICATORS:
        chosen = [r for r in rows if counts(r)]
        row: dict[str, object] = {"indicator": code, "sv": sv, "en": en}
        for gender in GENDER_COLUMNS:
            row[gender] = sum(r.gender == gender for r in chosen)
        row["total"] = len(chosen)
        table.append(row)
    return table


def write_indicators(out: Path, url: str | None = None) -> list[dict[str, object]]:
    """Write the indicator table of the register at url to the CSV file out; returns the table."""
    table = indicator_table(records(url))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["indicator", "sv", "en", *GENDER_COLUMNS, "total"])
        writer.writeheader()
        writer.writerows(table)
    return table
