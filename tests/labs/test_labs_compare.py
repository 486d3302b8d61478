"""Periods compared: `lce labs compare`, `run --compare`, the pseudonymisation key moved between machines, and
several files (a glob) read as one export."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest

from lce_utils.cli import main
from lce_utils.engagement import open_lab
from lce_utils.engagement.compare import compare_runs
from lce_utils.engagement.load import prepare
from lce_utils.engagement.pseudonymise import pseudonymise
from lce_utils.engagement.run import run_labs
from lce_utils.errors import DataError, ParameterError

HEADER = "Datum;Kundnummer;Evenemang;Biljettyp;Pris;Kanal;Postnummer;Födelseår;Kön\n"


def line(date: str, visitor: str, price: int, gender: str) -> str:
    return f"{date} 19:00;{visitor};Hamlet;Ordinarie;{price};Webb;21119;1990;{gender}\n"


# 2024: 8 visits (6 women, 2 men) at 100 kr; 2025: 11 visits (6 women, 5 men) at 120 kr; all in March.
YEARS = HEADER + "".join(line(f"2024-03-0{1 + i % 6}", f"A{i}", 100, "Kvinna" if i < 6 else "Man")
                         for i in range(8)) \
    + "".join(line(f"2025-03-0{1 + i % 6}", f"B{i}", 120, "Kvinna" if i < 6 else "Man") for i in range(11))


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("LCE_LABS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LCE_LABS_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("LCE_LABS_KEY_FILE", str(tmp_path / "machine-1" / "pseudonym.key"))


@pytest.fixture
def runs(tmp_path):
    data = tmp_path / "visits.csv"
    data.write_text(YEARS, encoding="utf-8")
    for year in ("2024", "2025"):
        run_labs(data, tmp_path / year, period_start=f"{year}-01-01", period_end=f"{year}-12-31", notebooks=False)
    return tmp_path / "2024", tmp_path / "2025"


def metric(comparison, name: str, group: str = "") -> tuple:
    row = comparison.metrics[(comparison.metrics["metric"] == name) & (comparison.metrics["group"] == group)]
    return tuple(None if pd.isna(v) else v for v in row[["a", "b", "change", "change_share"]].iloc[0])


def test_compare_gives_changes_only_where_both_runs_show_the_value(runs):
    comparison = compare_runs(*runs)
    assert metric(comparison, "unique_visitors") == (8, 11, 3.0, 0.375)        # 3 / 8
    assert metric(comparison, "revenue_sek") == (800.0, 1320.0, 520.0, 0.65)   # 520 / 800
    # 2024: men 2 is hidden, and women 6 with it (8 - 6 would give 2 back); the counts that equal them through the
    # one age band, month and channel (visits 8, March 8, Webb 8) follow in privacy.protect's keyed order. 2025
    # shows all: no change is given where one run hides the value.
    assert metric(comparison, "visits") == (None, 11, None, None)
    assert metric(comparison, "visits_by_gender", "woman") == (None, 6, None, None)
    assert metric(comparison, "visits_by_gender", "man") == (None, 5, None, None)
    assert metric(comparison, "visits_by_month", "03") == (None, 11, None, None)  # March against March
    channel = comparison.tables["revenue_by_channel"]
    assert [tuple(None if pd.isna(v) else v for v in r)
            for r in channel[["channel", "measure", "a", "b", "change"]].itertuples(index=False)] == [
        ("Webb", "tickets", None, 11, None), ("Webb", "revenue_sek", None, 1320.0, None),
        ("Webb", "mean_price_sek", None, 120.0, None), ("Webb", "revenue_share", None, 1.0, None)]
    assert comparison.notes == []


def test_compare_cli_writes_the_comparison(runs, tmp_path, capsys):
    assert main(["labs", "compare", str(runs[0]), str(runs[1]), "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    assert "visits: – -> 11" in printed and "unique_visitors: 8 -> 11 (+38 %)" in printed
    doc = json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))
    assert doc["a"]["period"] == ["2024-03-01", "2024-03-06"] and doc["b"]["period"] == ["2025-03-01", "2025-03-06"]
    reach = pd.read_csv(tmp_path / "cmp" / "tables" / "reach_by_area.csv", dtype={"area": str})
    assert reach[reach["measure"] == "unique_visitors"][["area", "a", "b", "change"]].values.tolist() == [
        ["211", 8, 11, 3]]


def test_overlapping_periods_are_refused(tmp_path):
    data = tmp_path / "visits.csv"
    data.write_text(YEARS, encoding="utf-8")
    run_labs(data, tmp_path / "all", notebooks=False)
    run_labs(data, tmp_path / "2025", period_start="2025-01-01", notebooks=False)
    with pytest.raises(DataError, match=r"perioderna överlappar.* / all \(2024-03-01 – 2025-03-06\) and 2025 "
                                        r"\(2025-03-01 – 2025-03-06\) overlap"):
        compare_runs(tmp_path / "all", tmp_path / "2025")
    with pytest.raises(DataError, match="not a lab run folder"):
        compare_runs(tmp_path / "all", tmp_path)


@pytest.mark.slow
def test_run_with_compare_writes_into_the_new_run(runs, tmp_path, capsys):
    data = tmp_path / "visits.csv"
    assert main(["labs", "run", "--data", str(data), "--out", str(tmp_path / "new"), "--period-start", "2025-01-01",
                 "--no-notebooks", "--compare", str(runs[0])]) == 0
    doc = json.loads((tmp_path / "new" / "compare" / "compare.json").read_text(encoding="utf-8"))
    assert {"metric": "unique_visitors", "group": "", "a": 8, "b": 11, "change": 3.0,
            "change_share": 0.375} in doc["metrics"]


def test_key_export_and_import_keep_pseudonyms_across_machines(tmp_path, monkeypatch, capsys):
    data = tmp_path / "visits.csv"
    data.write_text(YEARS, encoding="utf-8")
    first = pd.read_parquet(prepare(data).visits_path)["visitor_id"].dropna().tolist()
    exported = tmp_path / "key-for-machine-2.txt"
    assert main(["labs", "key", "export", str(exported)]) == 0
    assert stat.S_IMODE(os.stat(exported).st_mode) == 0o600
    assert main(["labs", "key", "export", str(exported)]) == 1  # never overwrites
    capsys.readouterr()
    # machine 2: its own key first, then the exported one
    monkeypatch.setenv("LCE_LABS_KEY_FILE", str(tmp_path / "machine-2" / "pseudonym.key"))
    monkeypatch.setenv("LCE_LABS_CACHE", str(tmp_path / "cache-2"))
    own = pd.read_parquet(prepare(data).visits_path)["visitor_id"].dropna().tolist()
    assert set(own).isdisjoint(first)
    with pytest.raises(ParameterError, match="a different key is in place.*--force"):
        from lce_utils.engagement.pseudonymise import import_key
        import_key(exported)
    assert main(["labs", "key", "import", str(exported), "--force"]) == 0
    again = pd.read_parquet(prepare(data).visits_path)["visitor_id"].dropna().tolist()
    assert again == first
    assert first[0] == pseudonymise("A0", exported.read_text().strip())
    bad = tmp_path / "bad.txt"
    bad.write_text("short\n", encoding="utf-8")
    assert main(["labs", "key", "import", str(bad)]) == 1
    assert "not a pseudonymisation key" in capsys.readouterr().err


def test_runs_record_the_key_fingerprint_not_the_key(runs):
    a, b = (json.loads((r / "run.json").read_text(encoding="utf-8")) for r in runs)
    assert a["pseudonym_key"] == b["pseudonym_key"] and len(a["pseudonym_key"]) == 12
    key = (runs[0].parent / "machine-1" / "pseudonym.key").read_text().strip()
    for run in runs:
        for path in run.rglob("*"):
            if path.is_file():
                assert key not in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_several_monthly_files_are_one_export(tmp_path, capsys):
    jan = HEADER + line("2024-01-05", "K1", 100, "Kvinna") + line("2024-01-06", "K2", 150, "Man")
    feb = HEADER + line("2024-02-05", "K1", 100, "Kvinna") + "igår;K3;Hamlet;Ordinarie;100;Webb;21119;1990;Man\n" \
        + line("2024-02-07", "K3", 200, "Man")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "2024-01.csv").write_text(jan, encoding="utf-8")
    (tmp_path / "exports" / "2024-02.csv").write_text(feb, encoding="utf-8")
    pattern = str(tmp_path / "exports" / "2024-*.csv")
    lab = open_lab(pattern, k=1, max_reject_share=0.5)
    try:
        m = lab.metrics
        assert (m["rows_read"], m["rows_rejected"], m["visits"], m["unique_visitors"], m["revenue_sek"]) == \
            (5, 1, 4, 3, 550.0)                                  # K1 twice, K2, K3; 100 + 150 + 100 + 200
        assert m["visits_by_month"] == {"2024-01": 2, "2024-02": 2} and m["returning_visitor_share"] == 0.3333
        assert [i["file"] for i in lab.run_info()["inputs"]] == ["2024-01.csv", "2024-02.csv"]
    finally:
        lab.con.close()
    rejects = pd.read_csv(lab.prepared.rejects_path, dtype=str)
    assert rejects.values.tolist() == [["2024-02.csv", "3", "timestamp", "timestamp is not a valid date", "igår"]]
    assert main(["labs", "check", "--data", str(tmp_path / "exports" / "2024-01.csv"),
                 str(tmp_path / "exports" / "2024-02.csv"), "--max-reject-share", "0.5"]) == 0
    assert "Files: 2 read as one export (2024-01.csv, 2024-02.csv)" in capsys.readouterr().out
    (tmp_path / "exports" / "2024-03.csv").write_text("Datum;Pris\n2024-03-01;10\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"2024-03.csv: has columns \['price', 'timestamp'\], but 2024-01.csv has"):
        open_lab(pattern, max_reject_share=0.5)
    with pytest.raises(DataError, match="no file matches this pattern"):
        open_lab(str(tmp_path / "nothing-*.csv"))
