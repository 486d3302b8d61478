"""Column types decided over the whole column (decimal style, thousands separators, date order), and timestamps
as people write them (ISO 8601 with T, Z and offsets in Swedish local time, 12-hour clocks, 19.00, Swedish and
English month names, date-, month- and year-only values)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from lce_utils.engagement import load_visits, open_lab
from lce_utils.errors import DataError


def write(path, dates, prices=None, sep=";"):
    prices = prices if prices is not None else ["100"] * len(dates)
    path.write_text("Datum" + sep + "Pris\n" + "".join(f"{d}{sep}{p}\n" for d, p in zip(dates, prices)),
                    encoding="utf-8")
    return path


def test_decimal_comma_after_two_thousand_whole_prices(tmp_path):
    # 2 100 tickets: 2 000 at whole kronor, then 100 at 95,50 (read as 9550 when guessed from the first 2 000).
    prices = [str(200 + i % 300) for i in range(2000)] + ["95,50"] * 100
    dates = [f"2024-0{1 + i % 9}-1{i % 10} 19:00" for i in range(2100)]
    path = write(tmp_path / "export.csv", dates, prices)
    expected = sum(float(p.replace(",", ".")) for p in prices)
    assert expected == sum(200 + i % 300 for i in range(2000)) + 9550.0
    lab = open_lab(path, k=1)
    assert lab.meta["detected"]["decimal"] == ","
    assert lab.metrics["revenue_sek"] == round(expected, 2) == 698550.0
    assert lab.metrics["rows_rejected"] == 0


@pytest.mark.parametrize("prices,values", [
    (["1 234,50 kr", "95,50", "100"], [1234.5, 95.5, 100.0]),
    (["1.234,50", "95,5", "2.000"], [1234.5, 95.5, 2000.0]),
    (["1,234.50", "95.5", "2,000"], [1234.5, 95.5, 2000.0]),
    (["1 000:-", "250,-", "1\u00a0200 SEK"], [1000.0, 250.0, 1200.0]),
    (["100", "250", "1000"], [100.0, 250.0, 1000.0]),
])
def test_thousands_separators_and_currency_marks(tmp_path, prices, values):
    path = write(tmp_path / "export.csv", ["2024-03-01"] * 3, prices, sep="\t")
    assert list(load_visits(path).frame["price"]) == values


def test_mixed_decimal_styles_stop_with_both_readings(tmp_path):
    path = write(tmp_path / "export.csv", ["2024-03-01"] * 4, ["100", "95,50", "12.50", "200"])
    with pytest.raises(DataError) as err:
        load_visits(path)
    message = str(err.value)
    assert message.startswith("export.csv, column 'Pris': blandade decimaltecken")
    assert "/ mixed decimal styles" in message
    assert "'95,50' reads as 95.5 only with a decimal comma, '12.50' as 12.5 only with a decimal point" in message
    assert len(load_visits(path, {"decimal": ","}, max_reject_share=0.5).rejects) == 1  # 12.50 is not a price there


def test_ambiguous_thousands_stop_with_both_readings(tmp_path):
    path = write(tmp_path / "export.csv", ["2024-03-01"] * 3, ["1,500", "2,000", "100"])
    with pytest.raises(DataError, match=r"tvetydiga tal: .* / ambiguous numbers: '1,500' is 1.5 with a decimal "
                                        r"comma or 1500 with ',' as a thousands separator"):
        load_visits(path)
    assert list(load_visits(path, {"decimal": "."}).frame["price"]) == [1500.0, 2000.0, 100.0]
    assert list(load_visits(path, {"decimal": ","}).frame["price"]) == [1.5, 2.0, 100.0]


@pytest.mark.slow
def test_date_order_decided_over_the_whole_column(tmp_path):
    ambiguous = [f"0{1 + i % 9}/0{1 + i % 3}/2024 19:00" for i in range(2500)]
    day_first = write(tmp_path / "dmy.csv", ambiguous + ["13/04/2024 19:00"])
    frame = load_visits(day_first).frame
    assert frame["ts"].iloc[-1] == pd.Timestamp("2024-04-13 19:00")
    assert frame["ts"].iloc[1] == pd.Timestamp("2024-02-02 19:00") and frame["ts"].iloc[2] == pd.Timestamp(
        "2024-03-03 19:00") and frame["ts"].iloc[3] == pd.Timestamp("2024-01-04 19:00")  # 04/01 day first
    month_first = write(tmp_path / "mdy.csv", ambiguous + ["04/13/2024 19:00"])
    assert load_visits(month_first).frame["ts"].iloc[3] == pd.Timestamp("2024-04-01 19:00")
    with pytest.raises(DataError, match=r"blandad datumordning: .* / mixed date orders: '13/04/2024 19:00' is only a "
                                        r"date day first, '04/13/2024 19:00' only month first"):
        load_visits(write(tmp_path / "mixed.csv", ambiguous + ["13/04/2024 19:00", "04/13/2024 19:00"]))
    only_ambiguous = write(tmp_path / "amb.csv", ambiguous)
    with pytest.raises(DataError, match=r"tvetydiga datum: .* / ambiguous dates: '09/03/2024 19:00' is day 9 month 3 "
                                        r"\(day first\) or month 9 day 3 \(month first\)"):
        load_visits(only_ambiguous)
    assert load_visits(only_ambiguous, {"date_format": "month-first"}).frame["ts"].iloc[3] == pd.Timestamp(
        "2024-04-01 19:00")
    assert load_visits(only_ambiguous, {"date_format": "%d/%m/%Y %H:%M"}).frame["ts"].iloc[3] == pd.Timestamp(
        "2024-01-04 19:00")


def stockholm(utc: str) -> pd.Timestamp:
    """A UTC time as Swedish wall-clock time (Python's zoneinfo, independent of DuckDB's ICU)."""
    local = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Stockholm"))
    return pd.Timestamp(local.replace(tzinfo=None))


def test_timestamps_as_people_write_them(tmp_path):
    cases = [
        ("2025-03-01T19:00:00Z", stockholm("2025-03-01 19:00")),              # Eventbrite, UTC: 20:00 in winter
        ("2025-07-01T17:00:00+00:00", stockholm("2025-07-01 17:00")),         # summer time: 19:00
        ("2025-03-29T23:30:00Z", stockholm("2025-03-29 23:30")),              # next day, 00:30
        ("2025-03-01T19:00:00+01:00", pd.Timestamp("2025-03-01 19:00")),      # Tickster's API with an offset
        ("2025-03-01T18:00:00.250+0000", stockholm("2025-03-01 18:00:00.250")),
        ("2025-03-01T19:00", pd.Timestamp("2025-03-01 19:00")),
        ("2025-03-01 19.00", pd.Timestamp("2025-03-01 19:00")),
        ("1 mars 2025", pd.Timestamp("2025-03-01")),
        ("lör 1 mars 2025 kl. 19.00", pd.Timestamp("2025-03-01 19:00")),
        ("15 okt. 2025 18:30", pd.Timestamp("2025-10-15 18:30")),
        ("1 maj 2025", pd.Timestamp("2025-05-01")),
        ("March 1, 2025 7:00 PM", pd.Timestamp("2025-03-01 19:00")),
        ("Saturday, March 1, 2025 7:00 PM", pd.Timestamp("2025-03-01 19:00")),
        ("2 Mar 2025 2:30 pm", pd.Timestamp("2025-03-02 14:30")),
    ]
    path = write(tmp_path / "export.csv", [c[0] for c in cases])
    loaded = load_visits(path)
    assert loaded.rejects.empty
    assert [pd.Timestamp(t) for t in loaded.frame["ts"]] == [c[1] for c in cases]
    assert stockholm("2025-03-01 19:00") == pd.Timestamp("2025-03-01 20:00")
    assert stockholm("2025-07-01 17:00") == pd.Timestamp("2025-07-01 19:00")
    assert stockholm("2025-03-29 23:30") == pd.Timestamp("2025-03-30 00:30")


def test_twelve_hour_month_first_like_tessitura(tmp_path):
    dates = ["3/1/2025 7:00 PM", "3/14/2025 2:00 PM", "12/5/2025 11:30 AM", "1/2/2025 12:00 AM"]
    frame = load_visits(write(tmp_path / "export.csv", dates)).frame
    assert list(frame["ts"]) == [pd.Timestamp("2025-03-01 19:00"), pd.Timestamp("2025-03-14 14:00"),
                                 pd.Timestamp("2025-12-05 11:30"), pd.Timestamp("2025-01-02 00:00")]


def test_date_month_and_year_only_values(tmp_path):
    frame = load_visits(write(tmp_path / "days.csv", ["2025-03-01", "20250302", "03.03.2025"])).frame
    assert list(frame["ts"]) == [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-02"), pd.Timestamp("2025-03-03")]
    frame = load_visits(write(tmp_path / "months.csv", ["2025-03", "mars 2025", "April 2025", "2025-12"])).frame
    assert list(frame["ts"]) == [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01"),
                                 pd.Timestamp("2025-12-01")]
    frame = load_visits(write(tmp_path / "years.csv", ["2023", "2024"])).frame
    assert list(frame["ts"]) == [pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01")]


def test_events_start_read_the_same_way(tmp_path):
    (tmp_path / "events.csv").write_text("Evenemang;Start;Kapacitet\nHamlet;1 mars 2025 kl. 19.00;10\n",
                                         encoding="utf-8")
    path = tmp_path / "visits.csv"
    path.write_text("Datum;Evenemang;Pris\n2025-03-01T18:00:00Z;Hamlet;100\n2025-03-01T18:00:00Z;Hamlet;100\n",
                    encoding="utf-8")
    lab = open_lab(path, tmp_path / "events.csv", k=1)
    table = lab.table("occupancy_by_event")
    assert table[["event", "tickets", "capacity"]].to_dict("records") == [
        {"event": "Hamlet", "tickets": 2, "capacity": 10}]
    assert pd.Timestamp(table["start"].iloc[0]) == pd.Timestamp("2025-03-01 19:00")


def test_check_stops_where_run_stops(tmp_path, capsys):
    from lce_utils.cli import main
    path = write(tmp_path / "export.csv", ["03/04/2024 19:00", "05/06/2024 19:00"])
    assert main(["labs", "check", "--data", str(path)]) == 1
    check_err = capsys.readouterr().err.strip().splitlines()[-1]
    assert main(["labs", "run", "--data", str(path), "--out", str(tmp_path / "out"), "--no-notebooks"]) == 1
    run_err = capsys.readouterr().err.strip().splitlines()[-1]
    assert check_err == run_err
    assert run_err.startswith("lce: error: export.csv, column 'Datum': tvetydiga datum: '05/06/2024 19:00' är dag 5 "
                              "månad 6 (dagen först) eller månad 5 dag 6 (månaden först)")
    assert ("/ ambiguous dates: '05/06/2024 19:00' is day 5 month 6 (day first) or month 5 day 6 (month first)"
            in run_err)
    assert not (tmp_path / "out").exists()
