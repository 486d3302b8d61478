"""Swedish forms: numbers as Swedish software writes them (spaces, no-break spaces, 'kr'), postcode areas by name,
and an institution's own report without the notes meant for the sample."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lce_utils.engagement import open_lab, story
from lce_utils.engagement.areas import area_label, area_names
from lce_utils.engagement.run import run_labs

NBSP, NNBSP = "\u00a0", "\u202f"


def test_prices_with_spaces_no_break_spaces_and_kronor(tmp_path):
    prices = ["1 234,50 kr", f"1{NBSP}234,50", "95,50 kr", f"1{NNBSP}000 kr", "250:-", "120 SEK",
              f"2{NBSP}000,00{NBSP}kr", "80 kronor"]
    path = tmp_path / "biljetter.csv"
    path.write_text("Datum;Pris\n" + "".join(f"2024-03-0{i + 1};{p}\n" for i, p in enumerate(prices)),
                    encoding="utf-8")
    lab = open_lab(path, k=1)
    try:
        # 1234.50 + 1234.50 + 95.50 + 1000 + 250 + 120 + 2000 + 80
        assert lab.metrics["revenue_sek"] == 6014.5 and lab.metrics["rows_rejected"] == 0
    finally:
        lab.con.close()


def test_counts_and_capacities_with_thousands_separators(tmp_path):
    path = tmp_path / "bibliotek.csv"
    path.write_text(f"Månad;Besök\n2025-01;12{NBSP}040\n2025-02;1 200 st\n2025-03;1.500\n2025-04;7\n",
                    encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  timestamp: Månad\n  count: Besök\n", encoding="utf-8")
    lab = open_lab(path, mapping_path=mapping, k=1)
    try:
        assert lab.metrics["visits"] == 12040 + 1200 + 1500 + 7 and lab.metrics["rows_rejected"] == 0
    finally:
        lab.con.close()
    visits = tmp_path / "visits.csv"
    visits.write_text("Datum;Evenemang\n" + "2024-05-04 19:00;Hamlet\n" * 3, encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text(f"Evenemang;Start;Konstform;Lokal;Kapacitet\nHamlet;2024-05-04 19:00;Teater;Stora;1{NBSP}200\n",
                      encoding="utf-8")
    lab = open_lab(visits, events, k=1)
    try:
        row = lab.table("occupancy_by_event").iloc[0]
        assert (row["capacity"], row["tickets"], float(row["occupancy"])) == (1200, 3, 0.0025)
    finally:
        lab.con.close()


def test_postcode_areas_are_named_from_open_data(tmp_path):
    names = area_names()
    assert (names["211"], names["222"], names["252"], names["291"]) == ("Malmö", "Lund", "Helsingborg", "Kristianstad")
    assert area_label("211") == "211 Malmö" and area_label("999") == "999"
    path = tmp_path / "visits.csv"
    path.write_text("Datum;Postnummer\n" + "2024-05-04;211 19\n" * 6 + f"2024-05-04;222{NBSP}21\n" * 5
                    + "2024-05-04;99999\n" * 5, encoding="utf-8")
    lab = open_lab(path, k=5)
    try:
        reach = lab.table("reach_by_area")
        assert reach[["area", "area_name", "visits", "catchment"]].values.tolist() == [
            ["211", "Malmö", 6, "core"], ["222", "Lund", 5, "core"], ["999", None, 5, "primary"]]
        html = story.chart_reach(lab).data
        assert "211 Malmö" in html and "222 Lund" in html and "kärnområde / core" in html
        assert ">core<" not in html  # the legend is translated
    finally:
        lab.con.close()


@pytest.mark.slow
def test_an_institutions_run_has_no_sample_notes(tmp_path):
    path = tmp_path / "egna.csv"
    path.write_text("Datum;Kundnummer;Pris\n" + "".join(f"2024-0{1 + i % 3}-1{i % 9} 19:00;K{i % 7};100\n"
                                                        for i in range(30)), encoding="utf-8")
    out = tmp_path / "run"
    run_labs(path, out, institution="Vårt hus")
    for name in ("01-audience-overview", "02-priority-groups", "03-programming-and-occupancy",
                 "04-loyalty-and-retention"):
        html = (out / "html" / f"{name}.html").read_text(encoding="utf-8")
        assert "Vårt hus" in html and "Kör med egna data" not in html and "Run it on your own data" not in html
        source = (tmp_path / "run" / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "sample-only" not in source
    # the notebooks themselves keep the note for people opening them in JupyterLab
    from lce_utils.paths import LABS
    assert all("Kör med egna data" in p.read_text(encoding="utf-8") for p in LABS.glob("0*.ipynb"))


def test_shipped_area_table_states_its_source_and_licence():
    from importlib import resources
    text = (resources.files("lce_utils.engagement") / "data" / "postcode_areas_se.csv").read_text(encoding="utf-8")
    header = " ".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Open Database License (ODbL)" in header and "countries-states-cities-database" in header
    rows = pd.read_csv(resources.files("lce_utils.engagement") / "data" / "postcode_areas_se.csv", comment="#",
                       dtype=str)
    assert len(rows) == 643 and rows["area"].str.fullmatch(r"\d{3}").all() and rows["area"].is_unique
    assert not any(re.search(r"[A-ZÅÄÖ]{2,}", n) for n in rows["name"])  # names in title case, not capitals
