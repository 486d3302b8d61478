"""The funder's reports from a real register: Annex I indicators (age bands on their boundaries, totals that add up)
and SCB's monthly files with the correction cascade, compared with golden files. The golden files hold <P1>, <P2>
... where the personnummer made at run time go (no personnummer is committed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lce_utils.errors import UsageError
from lce_utils.programme import store
from lce_utils.programme.indicators import age_band, indicator_table, write_indicators
from lce_utils.programme.personnummer import make
from lce_utils.programme.scb import export_month, stale_months
from tests.test_mentorship_store import postgres  # noqa: F401 - the PostgreSQL server fixture

GOLDEN = Path(__file__).parent / "programme_golden"
ENTRY = dt.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(tmp_path / "programme.key"))
    monkeypatch.delenv("LCE_PROGRAMME_KEY", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'programme.db'}"
    return request.getfixturevalue("postgres").new_database()


def born_years_before(day: dt.date, years: int, days_after: int = 0) -> dt.date:
    return day.replace(year=day.year - years) + dt.timedelta(days=days_after)


def participant(k: int, born: dt.date, entry: dt.date = ENTRY, **changes) -> dict:
    data = {"name": f"Deltagare {k}", "personnummer": make(born, 200 + k), "gender": "woman",
            "entry_date": entry.isoformat(), "labour_status": "employed", "education": "isced_5_8"}
    data.update(changes)
    return data


@pytest.mark.parametrize("age, band", [(17, "below_18"), (18, "18_29"), (29, "18_29"), (30, "30_54"),
                                       (54, "30_54"), (55, "55_plus")])
def test_age_band(age, band):
    assert age_band(age) == band


def test_age_bands_at_entry_on_their_boundaries(url):
    # k: (years, days after that birthday): the birthday on the entry day counts; one day later does not
    cases = {1: (18, 0), 2: (18, 1), 3: (30, 0), 4: (30, 1), 5: (55, 0), 6: (55, 1)}
    for k, (years, later) in cases.items():
        store.register(participant(k, born_years_before(ENTRY, years, later)), url, today=dt.date(2026, 12, 2))
    ages = {r.name: r.age_at_entry for r in store.records(url)}
    assert ages == {"Deltagare 1": 18, "Deltagare 2": 17, "Deltagare 3": 30, "Deltagare 4": 29,
                    "Deltagare 5": 55, "Deltagare 6": 54}
    table = {row["indicator"]: row["total"] for row in indicator_table(store.records(url))}
    assert (table["below_18"], table["age_18_29"], table["age_30_54"], table["age_55_plus"]) == (1, 2, 2, 1)


def test_indicators_by_gender_add_up_to_the_register(url, tmp_path):
    today = dt.date(2026, 12, 2)
    rows = [("woman", "employed", "isced_5_8", "yes"), ("woman", "unemployed", "isced_3_4", "declined"),
            ("man", "long_term_unemployed", "isced_0_2", "no"), ("man", "inactive", "isced_5_8", None),
            ("non_binary", "employed", "isced_3_4", "yes")]
    for k, (gender, labour, education, disability) in enumerate(rows, start=1):
        extra = {"disability": disability} if disability else {}
        store.register(participant(k, dt.date(1990, 1, k), gender=gender, labour_status=labour,
                                   education=education, **extra), url, today=today)
    first = store.records(url)[0].participation_id
    store.record_exit(first, "2026-05-31", "employment", url)
    store.record_result(first, "exit", "2026-06-10", url, employed="yes")
    table = write_indicators(tmp_path / "out" / "indicators.csv", url)
    by = {row["indicator"]: (row["woman"], row["man"], row["non_binary"], row["total"]) for row in table}
    assert by["participants"] == (2, 2, 1, 5)
    assert by["unemployed"] == (1, 1, 0, 2) and by["long_term_unemployed"] == (0, 1, 0, 1)
    assert by["employed"] == (1, 0, 1, 2) and by["inactive"] == (0, 1, 0, 1)
    assert by["disabilities"] == (1, 0, 1, 2) and by["disability_not_known"] == (1, 1, 0, 2)
    assert by["exit_employed"] == (1, 0, 0, 1) and by["six_months_employed"] == (0, 0, 0, 0)
    for row in table:
        assert row["woman"] + row["man"] + row["non_binary"] == row["total"], row["indicator"]
    total = by["participants"][3]
    assert by["employed"][3] + by["unemployed"][3] + by["inactive"][3] == total
    assert sum(by[b][3] for b in ("below_18", "age_18_29", "age_30_54", "age_55_plus")) == total
    assert sum(by[b][3] for b in ("isced_0_2", "isced_3_4", "isced_5_8")) == total
    assert len(store.records(url)) == total
    header = (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "indicator,sv,en,woman,man,non_binary,total"


def _golden(name: str, numbers: dict[str, str]) -> str:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    for placeholder, number in numbers.items():
        text = text.replace(placeholder, number)
    return text


def test_scb_months_and_the_correction_cascade(url, tmp_path):
    today = dt.date(2026, 4, 15)
    people = {
        "<P1>": participant(1, dt.date(1985, 4, 3), dt.date(2026, 1, 12), gender="woman"),
        "<P2>": participant(2, dt.date(1962, 11, 20), dt.date(2026, 1, 26), gender="man",
                            labour_status="long_term_unemployed", education="isced_3_4"),
        "<P3>": participant(3, dt.date(2001, 7, 9), dt.date(2026, 2, 2), gender="non_binary",
                            labour_status="inactive", education="isced_0_2"),
        "<P4>": participant(4, dt.date(1978, 2, 28), dt.date(2026, 3, 16), gender="woman"),
    }
    protected = participant(5, dt.date(1990, 5, 5), dt.date(2026, 2, 20), personnummer="", protected_identity="yes",
                            birth_date="1990-05-05")
    ids = {key: store.register(data, url, today=today) for key, data in people.items()}
    store.register(protected, url, today=today)
    store.record_exit(ids["<P1>"], "2026-02-27", "completed", url)
    store.record_exit(ids["<P2>"], "2026-03-31", "employment", url)
    numbers = {key: data["personnummer"] for key, data in people.items()}

    out = tmp_path / "scb"
    written = [export_month(m, out / f"scb-{m}.csv", url, today=today) for m in ("2026-01", "2026-02", "2026-03")]
    assert [[(w.month, w.version, w.rows, w.protected) for w in batch] for batch in written] == [
        [("2026-01", 1, 2, 0)], [("2026-02", 1, 2, 1)], [("2026-03", 1, 2, 0)]]
    for month in ("2026-01", "2026-02", "2026-03"):
        assert (out / f"scb-{month}.csv").read_text(encoding="utf-8") == _golden(f"scb-{month}.csv", numbers)

    # The same month again, unchanged: no new version, nothing else re-exported.
    again = export_month("2026-02", out / "scb-2026-02.csv", url, today=today)
    assert [(w.month, w.version, w.reason) for w in again] == [
        ("2026-02", 1, "unchanged since version 1 / oförändrad")]

    # The first participant really left in March: February is corrected, and March is reported again.
    store.record_exit(ids["<P1>"], "2026-03-06", "completed", url)
    assert stale_months(url) == ["2026-02", "2026-03"]
    cascade = export_month("2026-02", out / "scb-2026-02.csv", url, today=today)
    assert [(w.month, w.path.name, w.version, w.rows) for w in cascade] == [
        ("2026-02", "scb-2026-02.csv", 2, 1), ("2026-03", "scb-2026-03.csv", 2, 3)]
    assert cascade[0].reason == "correction of version 1 / rättelse"
    assert cascade[1].reason == "reported again after the correction of 2026-02 / rapporteras igen efter " \
                                "rättelsen av 2026-02"
    for month in ("2026-02", "2026-03"):
        assert (out / f"scb-{month}.csv").read_text(encoding="utf-8") == \
            _golden(f"scb-{month}-corrected.csv", numbers)
    assert (out / "scb-2026-01.csv").read_text(encoding="utf-8") == _golden("scb-2026-01.csv", numbers)
    assert stale_months(url) == []


def test_scb_refuses_a_month_that_has_not_ended(url, tmp_path):
    with pytest.raises(UsageError, match="--month 2026-04 has not ended yet"):
        export_month("2026-04", tmp_path / "x.csv", url, today=dt.date(2026, 4, 30))
    with pytest.raises(UsageError, match="expected YYYY-MM"):
        export_month("2026-4", tmp_path / "x.csv", url, today=dt.date(2026, 4, 30))


def test_published_tables_hide_small_groups(url):
    from lce_utils.programme.published import progress_tables

    today = dt.date(2026, 12, 2)
    genders = ["woman"] * 12 + ["man"] * 9 + ["non_binary"] * 2
    for k, gender in enumerate(genders, start=1):
        store.register(participant(k, dt.date(1970 + k, 1 + k % 12, 1 + k % 27), gender=gender), url, today=today)
    for pid in [r.participation_id for r in store.records(url)][:3]:
        store.record_exit(pid, "2026-05-29", "employment", url)
        store.record_result(pid, "exit", "2026-06-05", url, employed="yes")
    tables = progress_tables(url)
    gender = dict(zip(tables["participants_by_gender"]["gender"], tables["participants_by_gender"]["participants"]))
    assert pd.isna(gender["non_binary"]) and pd.isna(gender["woman"]) and gender["man"] == 9   # 2 and its complement
    status = tables["completion"]["participants"].tolist()
    assert all(pd.isna(v) for v in status), "3 left: hidden, and active would give it away from the total"
    results = dict(zip(tables["results_at_exit"]["result"], tables["results_at_exit"]["participants"]))
    assert pd.isna(results["employed"]) and results["in_education"] == 0
    progress = dict(zip(tables["progress"]["measure"], tables["progress"]["value"]))
    assert progress == {"participants": 23, "target": 230}
    assert tables["participants_by_education"]["participants"].tolist() == [0, 0, 23]
