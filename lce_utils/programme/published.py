"""What the report site may publish about the register: participations by gender, age band, labour status and
education, completion and results, against the programme's target, every count through lce_utils.privacy.protect.

The tables are protected together, as one publication: the participant total is one cell shared by every
breakdown (each breakdown's parts sum to it), the participants who left and those still taking part sum to it too,
and each result splits those who left into the ones with it and the ones without (an unpublished complement a
reader could otherwise work out, as "8 left, 6 employed" tells that 2 were not). Cell names are global
("programme/…"), so the auditor reads this page's tables together with any other page publishing the same cells.
Reading needs no key: nothing published here is encrypted in the register, and nothing identifies anyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lce_utils.messages import pair
from lce_utils.privacy import DEFAULT_K, Relation, protect
from lce_utils.programme import fields
from lce_utils.programme.demo import TARGET
from lce_utils.programme.indicators import age_band
from lce_utils.programme.models import Participation
from lce_utils.programme.store import age_on, reading

PREFIX = "programme"
TOTAL = f"{PREFIX}/participants"
LEFT = f"{PREFIX}/status/left"
AGE_BANDS = ("below_18", "18_29", "30_54", "55_plus")
RESULTS = {"exit": ("employed", "in_education", "qualification", "job_searching"),
           "six_months": ("employed", "in_education")}

def _labels(group: str, categories: str) -> dict[str, tuple[str, str]]:
    """Each category's (Swedish, English) label, from the catalogue's key pub_<group>_<category>."""
    return {c: pair(f"pub_{group}_{c}") for c in categories.split()}


# Bilingual labels of the published categories (the page's tables and charts).
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "gender": _labels("gender", "woman man non_binary"),
    "age_band": _labels("age_band", "below_18 18_29 30_54 55_plus"),
    "labour_status": _labels("labour_status", "employed unemployed long_term_unemployed inactive"),
    "education": _labels("education", "isced_0_2 isced_3_4 isced_5_8"),
    "status": _labels("status", "active left"),
    "result": _labels("result", "employed in_education qualification job_searching"),
}
# (table id, key column, categories, Swedish title, English title): the titles are the catalogue's pub_<table id>
BREAKDOWNS: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = tuple(
    (table_id, column, categories, *pair(f"pub_{table_id}")) for table_id, column, categories in (
    ("participants_by_gender", "gender", tuple(fields.GENDERS)),
    ("participants_by_age_band", "age_band", AGE_BANDS),
    ("participants_by_labour_status", "labour_status", tuple(fields.LABOUR)),
    ("participants_by_education", "education", tuple(fields.EDUCATION)),
    ("completion", "status", ("active", "left")),
))
RESULT_TABLES = {"exit": "results_at_exit", "six_months": "results_six_months"}
RESULT_TITLES = {stage: pair(f"pub_{table_id}") for stage, table_id in RESULT_TABLES.items()}


@dataclass(frozen=True)
class Row:
    """What the published tables need of one participation: nothing that identifies anyone, nothing encrypted."""
    gender: str
    age_at_entry: int
    labour_status: str
    education: str
    exit_date: dt.date | None
    results: dict[str, dict[str, bool]]


def register_rows(url: str | None = None) -> list[Row]:
    """Every participation of the register at url (a re-entry counts again, as in the indicators); no key needed."""
    with reading(url) as session:
        parts = session.scalars(select(Participation).options(
            selectinload(Participation.person), selectinload(Participation.results))).all()
        return [Row(p.person.gender, age_on(p.person.birth_date, p.entry_date), p.labour_status, p.education,
                    p.exit_date, {r.stage: {k: bool(getattr(r, k)) for k in fields.RESULT_FLAGS} for r in p.results})
                for p in parts]


def _category(row: Any, key: str) -> str:
    if key == "age_band":
        return age_band(row.age_at_entry)
    if key == "status":
        return "left" if row.exit_date is not None else "active"
    return str(getattr(row, key))


@dataclass
class Table:
    """One published table: its frame (key column and "participants", <NA> = suppressed), its cells as shown and
    the sums it takes part in (for the disclosure record)."""
    id: str
    title: tuple[str, str]
    key: str
    frame: pd.DataFrame
    cells: dict[str, int | None]
    relations: list[Relation] = field(default_factory=list)


@dataclass
class Publication:
    """The register's published tables, protected together, and the programme's target (not about people)."""
    tables: list[Table]
    participants: int | None
    left: int | None
    target: int

    def table(self, table_id: str) -> Table:
        """The table with this id."""
        return next(t for t in self.tables if t.id == table_id)


def _cell(table_id: str, key: str, value: str) -> str:
    if table_id.startswith("results_"):  # results_at_exit -> programme/exit/…, results_six_months -> …/six_months/…
        return f"{PREFIX}/{table_id.removeprefix('results_').removeprefix('at_')}/{value}"
    return f"{PREFIX}/{key}/{value}"


def publication(rows: list[Any], k: int = DEFAULT_K, target: int = TARGET, key: str | None = None) -> Publication:
    """Count rows (Row or store.Record) into the published tables and protect every count together."""
    if target < 1:
        raise ValueError(f"target: expected a whole number of participants of at least 1, got {target}")
    left_rows = [r for r in rows if r.exit_date is not None]
    values: dict[str, int | None] = {TOTAL: len(rows)}
    published = [TOTAL]
    relations: list[Relation] = []
    layout: list[tuple[str, tuple[str, str], str, dict[str, str], list[Relation]]] = []
    for table_id, key_column, categories, sv, en in BREAKDOWNS:
        names = {c: _cell(table_id, key_column, c) for c in categories}
        for category, name in names.items():
            values[name] = sum(_category(r, key_column) == category for r in rows)
        relation: Relation = (TOTAL, list(names.values()))
        relations.append(relation)
        published += list(names.values())
        layout.append((table_id, (sv, en), key_column, names, [relation]))
    for stage, results in RESULTS.items():
        table_id = RESULT_TABLES[stage]
        names = {x: _cell(table_id, "result", x) for x in results}
        own: list[Relation] = []
        for result, name in names.items():
            having = sum(r.results.get(stage, {}).get(result, False) for r in left_rows)
            without = f"{name}/not"  # never shown: the leavers without this result
            values[name], values[without] = having, len(left_rows) - having
            own.append((LEFT, [name, without]))
        relations += own
        published += list(names.values())
        layout.append((table_id, RESULT_TITLES[stage], "result", names, own))
    # The participant counts first, then the results given what is shown of them: protect widens to every linked
    # cell when a hidden cell has no shown neighbour (a result of the few who left), and the counts resolved first
    # leave it a neighbour. The second call checks everything together, so the result passes the auditor either way.
    core = [c for c in published if not c.startswith((f"{PREFIX}/exit/", f"{PREFIX}/six_months/"))]
    first = protect({c: values[c] for c in core}, relations[:len(BREAKDOWNS)], core, k, key=key)
    shown = protect({**values, **first}, relations, published, k, key=key)
    tables = []
    for table_id, title, key_column, names, own in layout:
        counts = [shown[n] for n in names.values()]
        frame = pd.DataFrame({key_column: list(names), "participants": pd.array(counts, dtype="Int64")})
        tables.append(Table(table_id, title, key_column, frame, {n: shown[n] for n in names.values()}, own))
    progress = pd.DataFrame({"measure": ["participants", "target"],
                             "value": pd.array([shown[TOTAL], target], dtype="Int64")})
    tables.insert(0, Table("progress", pair("pub_progress"), "measure", progress,
                           {TOTAL: shown[TOTAL]}))
    return Publication(tables, shown[TOTAL], shown[LEFT], target)


def progress_tables(url: str | None = None, k: int = DEFAULT_K, rows: list[Any] | None = None,
                    target: int = TARGET) -> dict[str, pd.DataFrame]:
    """The published tables by id (no names, no number that gives away fewer than k people)."""
    rows = register_rows(url) if rows is None else rows
    return {t.id: t.frame for t in publication(rows, k, target).tables}
