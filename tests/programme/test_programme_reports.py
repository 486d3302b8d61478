"""The funder's reports from a real register: Annex I indicators (age bands on their boundaries, totals that add up)
and SCB's monthly files with the correction cascade, compared with golden files. The golden files hold <P1>, <P2>
... where the personnummer made at run time go (no personnummer is committed)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lce_utils import database
from lce_utils.errors import UsageError
from lce_utils.programme import store
from lce_utils.programme.indicators import age_band, indicator_table, write_indicators
from lce_utils.programme.personnummer import make
from lce_utils.programme.scb import export_month, stale_months

GOLDEN = Path(__file__).parent.parent / "programme_golden"
ENTRY = dt.date(2026, 2, 10)


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
        ("2026-02", 1, "oförändrad sedan version 1 / unchanged since version 1")]

    # The first participant really left in March: February is corrected, and March is reported again.
    store.record_exit(ids["<P1>"], "2026-03-06", "completed", url)
    assert stale_months(url) == ["2026-02", "2026-03"]
    cascade = export_month("2026-02", out / "scb-2026-02.csv", url, today=today)
    assert [(w.month, w.path.name, w.version, w.rows) for w in cascade] == [
        ("2026-02", "scb-2026-02.csv", 2, 1), ("2026-03", "scb-2026-03.csv", 2, 3)]
    assert cascade[0].reason == "rättelse av version 1 / correction of version 1"
    assert cascade[1].reason == "rapporteras igen efter rättelsen av 2026-02 / reported again after the correction " \
                                "of 2026-02"
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
    # 2 is hidden, and one of the others (chosen in the keyed order, not by size) so the total gives nothing away
    hidden = {g for g, v in gender.items() if pd.isna(v)}
    assert "non_binary" in hidden and len(hidden) == 2 and {gender[g] for g in gender.keys() - hidden} <= {9, 12}
    status = tables["completion"]["participants"].tolist()
    assert all(pd.isna(v) for v in status), "3 left: hidden, and active would give it away from the total"
    results = dict(zip(tables["results_at_exit"]["result"], tables["results_at_exit"]["participants"]))
    assert pd.isna(results["employed"]) and results["in_education"] == 0
    progress = dict(zip(tables["progress"]["measure"], tables["progress"]["value"]))
    assert progress == {"participants": 23, "target": 230}
    assert tables["participants_by_education"]["participants"].tolist() == [0, 0, 23]


# --- the published register on the report site: protected together, audited across the page -------------------

TODAY = dt.date(2026, 12, 2)
# 12 participants: 9 women and 3 men (3 is a small group: hidden, and the women too, or 12 − 9 would give it away);
# 7 left, 5 of them employed at exit (so 2 were not: "employed" is hidden, not just small groups).
EXPECTED = {
    "progress": {"participants": 12, "target": 230},
    "participants_by_gender": {"woman": None, "man": None, "non_binary": 0},
    "participants_by_age_band": {"below_18": 0, "18_29": 6, "30_54": 6, "55_plus": 0},
    "participants_by_labour_status": {"employed": 12, "unemployed": 0, "long_term_unemployed": 0, "inactive": 0},
    "participants_by_education": {"isced_0_2": 0, "isced_3_4": None, "isced_5_8": None},
    "completion": {"active": 5, "left": 7},
    "results_at_exit": {"employed": None, "in_education": 0, "qualification": 7, "job_searching": 0},
    "results_six_months": {"employed": 0, "in_education": 0},
}


def small_register(url: str) -> None:
    for k in range(1, 13):
        born = dt.date(2000, 1, k) if k <= 6 else dt.date(1980, 1, k)
        store.register(participant(k, born, gender="woman" if k <= 9 else "man",
                                   education="isced_5_8" if k <= 8 else "isced_3_4"), url, today=TODAY)
    for n, pid in enumerate([r.participation_id for r in store.records(url)][:7]):
        store.record_exit(pid, "2026-05-29", "completed", url)
        store.record_result(pid, "exit", "2026-06-05", url, employed="yes" if n < 5 else "no", qualification="yes")


def as_shown(frame: pd.DataFrame) -> dict:
    return {key: None if pd.isna(v) else int(v) for key, v in zip(frame.iloc[:, 0], frame.iloc[:, 1])}


def arithmetic(tables: dict[str, pd.DataFrame]) -> tuple[dict, set, list]:
    """What a reader of the tables knows, with the sums that hold between them (written here, not taken from the
    code under test): every breakdown adds up to the participant total, and each result splits those who left
    into the ones with it and the ones without (never published)."""
    shown: dict[str, int] = {}
    hidden: set[str] = set()
    relations: list = []
    shown["participants"] = as_shown(tables["progress"])["participants"]
    for name in ("participants_by_gender", "participants_by_age_band", "participants_by_labour_status",
                 "participants_by_education", "completion", "results_at_exit"):
        cells = {f"{name}/{key}": value for key, value in as_shown(tables[name]).items()}
        for cell, value in cells.items():
            (hidden.add(cell) if value is None else shown.__setitem__(cell, value))
        if name == "results_at_exit":
            relations += [("completion/left", [cell, f"{cell}/not"]) for cell in cells]
        else:
            relations.append(("participants", list(cells)))
    return shown, hidden, relations


def test_published_register_exact_figures(url, monkeypatch):
    from lce_utils.programme.published import progress_tables

    monkeypatch.delenv("LCE_PRIVACY_KEY", raising=False)
    small_register(url)
    tables = progress_tables(url)
    assert {name: as_shown(frame) for name, frame in tables.items()} == EXPECTED


def test_published_register_passes_the_auditor_on_its_arithmetic(tmp_path, monkeypatch):
    """Fails on the tables of suppress_with_complement (each table on its own, results only under k): they show
    7 left and 5 employed, so the 2 who left without a job are known exactly."""
    from lce_utils.privacy_audit import audit_cells
    from lce_utils.programme.published import progress_tables

    monkeypatch.delenv("LCE_PRIVACY_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'programme.db'}"
    small_register(url)
    shown, hidden, relations = arithmetic(progress_tables(url))
    found: dict = {}
    assert audit_cells(shown, hidden, relations, found=found) == []
    assert found["participants_by_gender/man"] == (0, 12) and found["results_at_exit/employed/not"] == (0, 7)


def test_a_leak_between_the_tables_is_flagged():
    """The auditor test above can fail: the same arithmetic over tables that show the employed beside those who
    left flags the 2 who left without a job (what suppress_with_complement's tables published)."""
    from lce_utils.privacy_audit import audit_cells

    leaky = {name: pd.DataFrame({"key": list(cells), "n": pd.array(list(cells.values()), dtype="Int64")})
             for name, cells in EXPECTED.items()}
    leaky["results_at_exit"].loc[0, "n"] = 5
    shown, hidden, relations = arithmetic(leaky)
    findings = audit_cells(shown, hidden, relations)
    assert [(f.kind, f.cell, f.interval) for f in findings] == [("narrow", "results_at_exit/employed/not", (2, 2))]


@pytest.mark.slow
def test_programme_page_publishes_the_register_and_passes_the_audit(tmp_path):
    """The programme-progress report built for real from a 12-participant register: figures, "prickad", the
    target, and `lce privacy audit` over the page finds nothing."""
    from lce_utils.privacy_audit import audit_path
    from lce_utils.reports.manifest import read_manifest

    root = tmp_path / "root"
    (root / "var").mkdir(parents=True)
    small_register(f"sqlite:///{root / 'var' / 'programme-demo.db'}")
    database.dispose_engines()  # staff closed the register: its -wal file is gone
    out = tmp_path / "site"
    build = [sys.executable, "-m", "lce_utils.cli", "reports", "build", "--root", str(root), "--out", str(out),
             "--only", "programme-progress", "--jobs", "1"]
    proc = subprocess.run(build, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = read_manifest(out)["reports"]["programme-progress"]
    assert built["status"] == "ok", built
    page = (out / "programme-progress.html").read_text(encoding="utf-8")
    assert "Deltagare i registret" in page and "Participants in the register" in page
    assert "Programmets mål" in page and "230" in page and "prickad" in page
    audit = audit_path(out)
    assert audit.ok, audit.findings
    assert audit.intervals["programme/gender/man"] == (0, 12)
    doc = json.loads((out / "programme-progress.disclosure.json").read_text(encoding="utf-8"))
    cells = {c: v for t in doc["tables"] for c, v in t["cells"].items()}
    assert cells["programme/participants"] == 12 and cells["programme/gender/man"] is None
    assert cells["programme/status/left"] == 7 and cells["programme/exit/employed"] is None
    relations = [r for t in doc["tables"] for r in t["relations"]]
    assert {"total": "programme/status/left", "parts": ["programme/exit/employed", "programme/exit/employed/not"]} \
        in relations
    # reading left the register as it was (no -wal file a killed kernel leaves behind): nothing runs again
    assert sorted(p.name for p in (root / "var").iterdir()) == ["programme-demo.db"]
    again = subprocess.run(build, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and read_manifest(out)["reports"]["programme-progress"]["built_at"] == \
        built["built_at"], again.stdout + again.stderr


@pytest.mark.slow
def test_programme_page_without_a_register_says_so(tmp_path):
    from lce_utils.reports.build import CONFIG, build_site
    from tests.reports import samples

    root = tmp_path / "root"
    samples.write_course_exports(root, learners=12)
    out = tmp_path / "site"
    result = build_site(CONFIG, root=root, out=out, only=["programme-progress"])
    assert result.errors == [] and result.ran == ["programme-progress"], result
    page = (out / "programme-progress.html").read_text(encoding="utf-8")
    assert "Deltagarregistret finns inte ännu" in page and "The participant register is not available yet" in page
    assert "Kursresultat" in page  # the rest of the report is built


@pytest.mark.slow
def test_an_open_register_does_not_make_the_programme_page_run_again(tmp_path):
    """The directory page (and any server) keeps the register open while the site builds: SQLite's empty -wal file
    beside it is no change; a -wal holding pages is."""
    from lce_utils.reports import manifest
    from lce_utils.reports.build import CONFIG
    from lce_utils.reports.config import load_config

    root = tmp_path / "root"
    (root / "var").mkdir(parents=True)
    db = root / "var" / "programme-demo.db"
    db.write_bytes(b"register")
    spec = next(s for s in load_config(CONFIG, root) if s.id == "programme-progress")

    def key() -> str:
        return manifest.report_key(spec, root, "code")

    before = key()
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"")
    assert key() == before
    wal.write_bytes(b"frames")
    assert key() != before
