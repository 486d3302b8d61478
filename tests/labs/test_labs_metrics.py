"""Every metric against a small case computed by hand (see the comments for the arithmetic)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
import sqlglot

from lce_utils.engagement import metrics as mx
from lce_utils.engagement import open_lab
from lce_utils.engagement.schema import AGE_BANDS

VISITS = """Datum;Kundnummer;Evenemang;Biljettyp;Pris;Kanal;Postnummer;Födelseår;Kön
2024-01-10 19:00;A;Hamlet;Ordinarie;200;Webb;21119;1990;Kvinna
2024-01-10 19:00;A;Hamlet;Ordinarie;200;Webb;21119;1990;Kvinna
2024-01-20 19:00;B;Hamlet;Barn;100;Webb;22100;2010;Man
2024-02-15 19:00;C;Carmen;Pensionär;300;Webb;21150;1950;Annat
2024-02-15 19:00;;Carmen;Fribiljett;0;Kassa;;;
2024-03-05 19:00;A;Carmen;Ordinarie;300;Kassa;21119;1990;Kvinna
2025-02-01 19:00;B;Hamlet;Barn;100;Webb;22100;2010;Man
"""
EVENTS = """Evenemang;Start;Konstform;Lokal;Kapacitet
Hamlet;2024-01-10 19:00;Teater;Stora;2
Hamlet;2024-01-20 19:00;Teater;Stora;4
Carmen;2024-02-15 19:00;Opera;Stora;2
Carmen;2024-03-05 19:00;Opera;Stora;10
Hamlet;2025-02-01 19:00;Teater;Stora;5
"""


@pytest.fixture
def files(write_export):
    return write_export(VISITS, EVENTS)


def records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def test_metrics_json_has_exactly_the_agreed_keys_and_values(files):
    lab = open_lab(*files, k=1)  # k=1: nothing is suppressed, so every value can be checked
    assert lab.metrics == {
        "rows_read": 7, "rows_rejected": 0,
        "visits": 7,
        "unique_visitors": 3,                      # A, B, C (the anonymous ticket has no visitor)
        "visits_per_visitor": 2.0,                 # 6 visits with a visitor / 3 visitors
        "returning_visitor_share": 0.6667,         # A (2 dates) and B (2 dates) of 3
        "revenue_sek": 1200.0,                     # 200+200+100+300+0+300+100
        "period_start": "2024-01-10", "period_end": "2025-02-01",
        "visits_by_gender": {"woman": 3, "man": 2, "other": 1, "unknown": 1},
        # age = visit year - birth year: A 34 (x3), B 14 and 15, C 74, anonymous unknown
        "visits_by_age_band": {"0-15": 2, "16-25": 0, "26-35": 3, "36-45": 0, "46-55": 0, "56-65": 0, "66-75": 1,
                               "76+": 0, "unknown": 1},
        "visits_by_month": {"2024-01": 3, "2024-02": 2, "2024-03": 1, "2025-02": 1},
    }


@pytest.mark.slow
def test_small_cells_are_null_in_metrics_json(files):
    metrics = open_lab(*files, k=5).metrics
    assert metrics["visits_by_gender"] == {"woman": None, "man": None, "other": None, "unknown": None}
    assert metrics["visits_by_age_band"]["16-25"] == 0  # 0 identifies no one and is published
    assert metrics["visits_by_age_band"]["26-35"] is None
    assert set(metrics["visits_by_month"].values()) == {None}
    assert open_lab(*files, k=3).metrics["visits_by_gender"] == {"woman": 3, "man": None, "other": None,
                                                                 "unknown": None}


@pytest.mark.slow
def test_new_and_returning_visitors_by_month(files):
    assert records(open_lab(*files, k=1).table("visitors_by_month")) == [
        {"month": "2024-01", "new_visitors": 2, "returning_visitors": 0},   # A and B come first
        {"month": "2024-02", "new_visitors": 1, "returning_visitors": 0},   # C
        {"month": "2024-03", "new_visitors": 0, "returning_visitors": 1},   # A again
        {"month": "2025-02", "new_visitors": 0, "returning_visitors": 1},   # B again
    ]


def test_cohort_retention_within_12_months(files):
    # 2024-Q1 newcomers A, B, C; A returned on 2024-03-05; B's return on 2025-02-01 is after 2025-01-20.
    assert records(open_lab(*files, k=1).table("cohort_retention")) == [
        {"cohort": "2024-Q1", "new_visitors": 3, "returned_within_12_months": 1, "retention_share": 0.3333,
         "window_complete": False},  # the 12 months after 2024-Q1 end after the data does
    ]


def test_occupancy_by_event_and_art_form(files):
    lab = open_lab(*files, k=1)
    events = records(lab.table("occupancy_by_event"))
    assert [(e["event"], e["start"][:10], e["tickets"], float(e["occupancy"]), e["sold_out"]) for e in events] == [
        ("Hamlet", "2024-01-10", 2, 1.0, True), ("Hamlet", "2024-01-20", 1, 0.25, False),
        ("Carmen", "2024-02-15", 2, 1.0, True), ("Carmen", "2024-03-05", 1, 0.1, False),
        ("Hamlet", "2025-02-01", 1, 0.2, False)]
    art = {r["art_form"]: r for r in records(lab.table("occupancy_by_art_form"))}
    assert art["Teater"]["performances"] == 3 and art["Teater"]["capacity"] == 11 and art["Teater"]["tickets"] == 4
    assert float(art["Teater"]["occupancy"]) == 0.3636            # 4 / 11
    assert float(art["Teater"]["mean_occupancy"]) == 0.4833       # (1 + 0.25 + 0.2) / 3
    assert art["Teater"]["sold_out_performances"] == 1 and art["Teater"]["performances_under_half"] == 2
    assert art["Opera"]["sold_out_share"] == 0.5 and float(art["Opera"]["occupancy"]) == 0.25   # 3 / 12


def test_revenue_by_ticket_type_and_channel(files):
    lab = open_lab(*files, k=1)
    by_type = [(r["ticket_type"], r["tickets"], float(r["revenue_sek"]), float(r["revenue_share"]))
               for r in records(lab.table("revenue_by_ticket_type"))]
    assert by_type == [("Ordinarie", 3, 700.0, 0.5833), ("Pensionär", 1, 300.0, 0.25), ("Barn", 2, 200.0, 0.1667),
                       ("Fribiljett", 1, 0.0, 0.0)]
    by_channel = [(r["channel"], r["tickets"], float(r["revenue_sek"]), float(r["mean_price_sek"]))
                  for r in records(lab.table("revenue_by_channel"))]
    assert by_channel == [("Webb", 5, 900.0, 180.0), ("Kassa", 2, 300.0, 150.0)]


def test_reach_by_area_and_catchments(files):
    rows = records(open_lab(*files, k=1).table("reach_by_area"))
    # 211: rows 1, 2, 6 (A) and 4 (C) = 4 of 6 visits with a postcode; 221: B's 2 visits.
    assert [(r["area"], r["visits"], r["unique_visitors"], float(r["share"]), r["cumulative_share"], r["catchment"])
            for r in rows] == [("211", 4, 2, 0.6667, 0.6667, "core"), ("221", 2, 1, 0.3333, 1.0, "primary")]


def test_published_tables_blank_small_counts_and_what_derives_from_them(files):
    lab = open_lab(*files, k=5)
    reach = lab.table("reach_by_area")
    assert reach["visits"].isna().all() and reach["share"].isna().all()
    by_type = lab.table("revenue_by_ticket_type")
    assert by_type["tickets"].isna().all() and by_type["revenue_sek"].isna().all()
    assert lab.raw["revenue_by_ticket_type"]["tickets"].sum() == 7  # the unsuppressed numbers stay internal


def test_representation_index_against_a_population(files):
    lab = open_lab(*files, k=1)
    population = pd.DataFrame([(g, b, 300 if (g, b) == ("woman", "26-35") else 100)
                               for g in ("woman", "man") for b in AGE_BANDS if b != "unknown"],
                              columns=["gender", "age_band", "population"])          # total 1800
    con = duckdb.connect()
    mx.create_views(con, str(lab.prepared.visits_path), None, population=population)
    raw = mx.compute_raw(con, has_visitor=True, has_events=False, events_dated=False, has_population=True)
    table = raw["representation_index"].set_index(["gender", "age_band"])
    # people at their first visit: A woman 26-35, B man 0-15; C (other) is not compared
    assert table.loc[("woman", "26-35"), "audience"] == 1
    assert table.loc[("woman", "26-35"), "representation_index"] == pytest.approx(300.0)   # 0.5 / (300/1800)
    assert table.loc[("man", "0-15"), "representation_index"] == pytest.approx(900.0)      # 0.5 / (100/1800)
    assert table.loc[("man", "76+"), "representation_index"] == 0
    assert table["audience_share"].sum() == pytest.approx(1.0)
    assert table["population_share"].sum() == pytest.approx(1.0)


def test_shipped_population_is_skane_2019():
    from lce_utils.engagement import population as pop
    by_age = pop.population_by_age()
    assert int(by_age["population"].sum()) == 1_377_827  # SCB: Skåne län, 31 December 2019
    assert len(by_age) == 202 and set(by_age["gender"]) == {"woman", "man"}
    assert "BE0101N1" in pop.source() and "2019" in pop.reference()
    assert int(pop.population_by_band()["population"].sum()) == 1_377_827


def test_period_filter(files):
    lab = open_lab(*files, k=1, period_start="2024-02-01", period_end="2024-12-31")
    assert lab.metrics["visits"] == 3 and lab.metrics["period_start"] == "2024-02-15"
    assert lab.metrics["rows_read"] == 7  # rows_read counts the file, not the period


def test_without_events_and_without_visitor_id(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("Date,Price\n2024-01-01,10\n2024-01-02,20\n", encoding="utf-8")
    lab = open_lab(path, k=1)
    assert lab.metrics["unique_visitors"] is None and lab.metrics["visits_per_visitor"] is None
    assert lab.metrics["returning_visitor_share"] is None and lab.metrics["revenue_sek"] == 30.0
    assert lab.table("occupancy_by_art_form").empty
    assert lab.table("visitors_by_month").empty


@pytest.mark.slow
def test_definitions_are_one_dialect_that_sqlglot_parses_and_transpiles():
    assert len(mx.check_definitions()) == len(mx.SQL)
    for name in mx.SQL:
        for dialect in ("postgres", "spark"):
            assert sqlglot.parse_one(mx.transpile(name, dialect), read=dialect) is not None
