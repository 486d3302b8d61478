"""The ESF+ common indicators of Annex I to Regulation (EU) 2021/1057, by gender, from the register.

Every participation counts (a person who leaves and enters again counts again, as SCB reports each start).
Output indicators use the data at entry, age bands the age on the entry date; result indicators use the results
recorded at exit and about six months later."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

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


# (code, Swedish, English, who counts)
INDICATORS: list[tuple[str, str, str, Callable[[Record], bool]]] = [
    ("participants", "Deltagare", "Participants", lambda r: True),
    ("unemployed", "Arbetslösa, inkl. långtidsarbetslösa", "Unemployed, incl. long-term unemployed",
     lambda r: r.labour_status in {"unemployed", "long_term_unemployed"}),
    ("long_term_unemployed", "Långtidsarbetslösa", "Long-term unemployed",
     lambda r: r.labour_status == "long_term_unemployed"),
    ("inactive", "Utanför arbetskraften", "Inactive", lambda r: r.labour_status == "inactive"),
    ("employed", "Sysselsatta, inkl. egenföretagare", "Employed, incl. self-employed",
     lambda r: r.labour_status == "employed"),
    ("below_18", "Under 18 år", "Below 18 years of age", lambda r: age_band(r.age_at_entry) == "below_18"),
    ("age_18_29", "18–29 år", "18-29 years of age", lambda r: age_band(r.age_at_entry) == "18_29"),
    ("age_30_54", "30–54 år (ingen indikator i bilaga I; summerar åldrarna)",
     "30-54 years of age (not an Annex I indicator; makes the ages add up)",
     lambda r: age_band(r.age_at_entry) == "30_54"),
    ("age_55_plus", "55 år och äldre", "55 years of age and above", lambda r: age_band(r.age_at_entry) == "55_plus"),
    ("isced_0_2", "Förgymnasial utbildning (ISCED 0–2)", "ISCED 0-2", lambda r: r.education == "isced_0_2"),
    ("isced_3_4", "Gymnasial utbildning (ISCED 3–4)", "ISCED 3-4", lambda r: r.education == "isced_3_4"),
    ("isced_5_8", "Eftergymnasial utbildning (ISCED 5–8)", "ISCED 5-8", lambda r: r.education == "isced_5_8"),
    ("disabilities", "Deltagare med funktionsnedsättning", "Participants with disabilities",
     lambda r: r.special["disability"] == "yes"),
    ("disability_not_known", "Funktionsnedsättning: avböjt eller ej frågat",
     "Disability: declined or not asked", lambda r: r.special["disability"] is None),
    ("third_country_nationals", "Tredjelandsmedborgare", "Third-country nationals",
     lambda r: bool(r.flags["third_country_national"])),
    ("foreign_background", "Utländsk bakgrund", "Participants of foreign background",
     lambda r: bool(r.flags["foreign_background"])),
    ("minorities", "Minoriteter (inkl. marginaliserade grupper som romer)",
     "Minorities (incl. marginalised communities such as Roma)", lambda r: r.special["minority"] == "yes"),
    ("minority_not_known", "Minoritet: avböjt eller ej frågat", "Minority: declined or not asked",
     lambda r: r.special["minority"] is None),
    ("homeless", "Hemlösa eller utestängda från bostadsmarknaden", "Homeless or affected by housing exclusion",
     lambda r: bool(r.flags["homeless"])),
    ("rural", "Från landsbygd", "From rural areas", lambda r: bool(r.flags["rural"])),
    ("exited", "Avslutade deltagare", "Participants who left", lambda r: r.exit_date is not None),
    ("exit_job_searching", "Söker arbete vid avslut", "Engaged in job searching upon leaving",
     _result("exit", "job_searching")),
    ("exit_in_education", "I utbildning vid avslut", "In education or training upon leaving",
     _result("exit", "in_education")),
    ("exit_qualification", "Har fått en kvalifikation vid avslut", "Gaining a qualification upon leaving",
     _result("exit", "qualification")),
    ("exit_employed", "I arbete, inkl. egenföretagare, vid avslut", "In employment, incl. self-employment, "
     "upon leaving", _result("exit", "employed")),
    ("six_months_employed", "I arbete, inkl. egenföretagare, sex månader efter avslut",
     "In employment, incl. self-employment, six months after leaving", _result("six_months", "employed")),
    ("six_months_in_education", "I utbildning sex månader efter avslut",
     "In education or training six months after leaving", _result("six_months", "in_education")),
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
