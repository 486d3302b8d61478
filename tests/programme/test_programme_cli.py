"""`lce programme ...` end to end on a real register: the demo of 230, indicators consistent with it, SCB's file and
its cascade as the command says it, export-person, erasure refused during the retention period, purge after it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest

from lce_utils import cli
from lce_utils.cli import main
from lce_utils.programme import store
from lce_utils.programme.demo import demo_people
from lce_utils.programme.personnummer import parse
from tests.test_hygiene import PERSONNUMMER


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LCE_PROGRAMME_KEY_FILE", str(folder / "programme.key"))
        assert main(["programme", "demo", "--db", f"sqlite:///{folder / 'demo.db'}"]) == 0
    return folder


def test_programme_runs_before_the_reports_in_lce_run():
    parts = list(cli.PARTS)
    assert parts.index("mentorship") < parts.index("programme") < parts.index("reports")
    assert hasattr(cli._load_parts()["programme"], "run_step")


def test_demo_people_have_valid_numbers_made_at_run_time():
    people = demo_people(today=dt.date(2026, 12, 2))
    assert len(people) == 230
    numbers = [p["personnummer"] for p in people if "personnummer" in p]
    assert len(numbers) == 227 and len(set(numbers)) == 227        # three people with protected identity
    assert all(parse(n, dt.date(2026, 12, 2)).formatted == n for n in numbers)
    assert sum(parse(n, dt.date(2026, 12, 2)).coordination for n in numbers) == 6
    assert people == demo_people(today=dt.date(2026, 12, 2)), "the same register for the same seed and day"
    plain = [n for n in numbers if not parse(n, dt.date(2026, 12, 2)).coordination]
    assert all(PERSONNUMMER.search(n) for n in plain), "the hygiene test would catch them if committed"


@pytest.mark.slow
def test_demo_and_indicators_consistent_with_the_register(demo_db, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(demo_db / "programme.key"))
    url = f"sqlite:///{demo_db / 'demo.db'}"
    capsys.readouterr()
    assert main(["programme", "demo", "--db", url]) == 0      # again: nothing added
    assert "230 participants (fictitious)" in capsys.readouterr().out
    assert main(["programme", "indicators", "--db", url, "--out", str(tmp_path / "ind.csv")]) == 0
    rows = {r["indicator"]: r for r in csv.DictReader((tmp_path / "ind.csv").open(encoding="utf-8"))}
    records = store.records(url)
    assert int(rows["participants"]["total"]) == len(records) == 230
    for gender in ("woman", "man", "non_binary"):
        assert int(rows["participants"][gender]) == sum(r.gender == gender for r in records)
    assert int(rows["exited"]["total"]) == sum(r.exit_date is not None for r in records)
    assert int(rows["disabilities"]["total"]) == sum(r.special["disability"] == "yes" for r in records)


def test_scb_export_says_what_it_re_exported(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    data = {"name": "Deltagare 1", "gender": "man", "labour_status": "employed", "education": "isced_3_4"}
    first = store.register({**data, "personnummer": _number(1), "entry_date": "2025-01-13"}, url)
    store.register({**data, "name": "Deltagare 2", "personnummer": _number(2), "entry_date": "2025-02-03"}, url)
    out = tmp_path / "scb"
    for month in ("2025-01", "2025-02", "2025-03"):
        assert main(["programme", "scb-export", "--db", url, "--month", month, "--out", str(out / f"{month}.csv")]) == 0
    capsys.readouterr()
    store.record_exit(first, "2025-01-31", "completed", url)
    assert main(["programme", "scb-export", "--db", url, "--month", "2025-04", "--out", str(out / "2025-04.csv")]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "varning: 2025-01 har rapporterats och ändrats sedan dess: exportera den igen (en rättelse, som gör om varje "
        "senare månad) / warning: 2025-01 was reported and has changed since: export it again (a correction, which "
        "re-exports every later month)")
    assert main(["programme", "scb-export", "--db", url, "--month", "2025-01", "--out", str(out / "2025-01.csv")]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].endswith("2025-01.csv: 2025-01 version 2, 2 row(s); rättelse av version 1 / correction of version 1")
    assert said[1].endswith("2025-02.csv: 2025-02 version 2, 1 row(s); rapporteras igen efter rättelsen av 2025-01 / "
                            "reported again after the correction of 2025-01")
    assert said[2].endswith("2025-03.csv: 2025-03 version 2, 0 row(s); rapporteras igen efter rättelsen av 2025-01 / "
                            "reported again after the correction of 2025-01")
    assert said[3].endswith("2025-04.csv: 2025-04 version 2, 0 row(s); rapporteras igen efter rättelsen av 2025-01 / "
                            "reported again after the correction of 2025-01")
    assert said[4:] == ["rättelsen av 2025-01 gjorde om 3 senare månader: skicka alla till SCB / the correction of "
                        "2025-01 re-exported 3 later month(s): send them all to SCB",
                        "senast: 2025-02-28 (försenad) / due: 2025-02-28 (late)"]


def _number(k: int) -> str:
    from lce_utils.programme.personnummer import make

    return make(dt.date(1980, 1, k), 400 + k)


def test_export_person_erasure_refused_then_purge(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    number = _number(3)
    store.register({"name": "Deltagare 3", "email": "d3@example.org", "personnummer": number, "gender": "woman",
                    "entry_date": "2025-03-03", "labour_status": "inactive", "education": "isced_5_8",
                    "minority": "declined"}, url)
    assert main(["programme", "export-person", "--db", url, number[2:], "--out", str(tmp_path / "me.json")]) == 0
    data = json.loads((tmp_path / "me.json").read_text(encoding="utf-8"))
    assert data["person"]["personnummer"] == number and data["person"]["email"] == "d3@example.org"
    [part] = data["participations"]
    assert part["minority"] is None and [a["outcome"] for a in part["collection_attempts"]] == ["declined"]
    assert data["retention"]["kept_until"] is None

    capsys.readouterr()
    assert main(["programme", "erase-person", "--db", url, "d3@example.org", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "erasure refused: the programme must keep its participants' records until five years after the year of " \
           "the last payment (LCE_PROGRAMME_LAST_PAYMENT is not set yet)" in err
    assert "Regulation (EU) 2021/1060 art. 82" in err
    monkeypatch.setenv("LCE_PROGRAMME_LAST_PAYMENT", "2020-06-30")
    monkeypatch.setenv("LCE_PROGRAMME_RETENTION_YEARS", "7")
    assert main(["programme", "purge", "--db", url]) == 0
    assert "nothing purged: records are kept until 2027-12-31" in capsys.readouterr().out
    monkeypatch.setenv("LCE_PROGRAMME_RETENTION_YEARS", "fem")
    assert main(["programme", "purge", "--db", url]) == 1
    assert ("LCE_PROGRAMME_RETENTION_YEARS: ett helt antal år förväntades, fick 'fem' / expected a whole number of "
            "years, got 'fem'") in capsys.readouterr().err
    monkeypatch.setenv("LCE_PROGRAMME_RETENTION_YEARS", "5")
    assert main(["programme", "purge", "--db", url]) == 0
    assert "purged 1 people, 3 row(s), 1 file(s), past 2025-12-31" in capsys.readouterr().out
    assert store.records(url) == [] and not (tmp_path / "me.json").exists(), "the person's export went too"


@pytest.mark.slow
def test_lce_run_step_seeds_the_demo_with_course_hours(tmp_path, monkeypatch):
    """`lce run`'s programme step: the demo register in var/ (here a temporary one) and course hours for the demo
    students who submitted while they took part."""
    import lce_utils.paths
    from lce_utils.programme import cli as programme_cli
    from lce_utils.programme import demo
    from lce_utils.programme.models import Person
    from tests.programme.test_programme_attendance import course_folder

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(demo, "VAR", tmp_path / "var")
    day = dt.datetime.combine(dt.date.today() - dt.timedelta(days=40), dt.time(12))
    students = demo.demo_students()
    assert len(students) == 13 and "demo-wrong" in students  # the twelve kinds of every course and demo-wrong
    course = course_folder(tmp_path, tuple((s, "a1", day, 10) for s in students))
    monkeypatch.setattr(lce_utils.paths, "COURSES", course)
    summary = programme_cli.run_step(None)
    url = demo.demo_url()
    with store.reading(url) as session:
        linked = {p.id for p in session.query(Person).filter(Person.student_id.in_(students))}
    records = store.records(url)
    active = sum(1 for r in records if r.person_id in linked and r.entry_date <= day.date()
                 and (r.exit_date is None or day.date() <= r.exit_date))
    assert 0 < active <= 12
    assert summary.endswith(f"230 participants (fictitious), {sum(r.exit_date is not None for r in records)} left, "
                            f"target 230; {active} course attendance row(s) from the gradebook")
    assert (tmp_path / "var" / "programme-demo.db").exists()
