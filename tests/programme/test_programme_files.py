"""Files `lce programme` writes about people (certificates, person exports, SCB's monthly files, rosters) go with
the people: erase-person deletes the files naming that person, purge deletes them all once the retention period
has ended; files about others and files LCE did not write stay."""

from __future__ import annotations

import datetime as dt

from lce_utils.cli import main
from lce_utils.programme import store
from lce_utils.programme.attendance import record_hours
from lce_utils.programme.personnummer import make


def lce(*argv: str) -> None:
    assert main(["programme", *argv]) == 0


def test_erase_and_purge_delete_the_files_about_the_people(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    out = tmp_path / "out"
    numbers = {}
    for n, entry in ((1, "2026-03-02"), (2, "2026-04-06")):
        numbers[n] = make(dt.date(1980 + n, 5, 5), 400 + n)
        pid = store.register({"name": f"Deltagare {n}", "email": f"deltagare{n}@example.org",
                              "personnummer": numbers[n], "gender": "woman", "entry_date": entry,
                              "labour_status": "unemployed", "education": "isced_3_4"}, url)
        record_hours(pid, "workshop", entry[:7], 3, url)
        lce("certificate", str(pid), "--out", str(out / f"intyg-{n}.html"), "--db", url)
        lce("export-person", f"deltagare{n}@example.org", "--out", str(out / f"person-{n}.json"), "--db", url)
    lce("scb-export", "--month", "2026-03", "--out", str(out / "scb-2026-03.csv"), "--db", url)
    lce("scb-export", "--month", "2026-04", "--out", str(out / "scb-2026-04.csv"), "--db", url)
    lce("indicators", "--out", str(out / "indicators.csv"), "--db", url)
    (out / "notes.txt").write_text("not written by lce\n", encoding="utf-8")
    assert numbers[1] in (out / "scb-2026-03.csv").read_text(encoding="utf-8"), "the month's file names person 1"
    everything = {p.name for p in out.iterdir()}

    capsys.readouterr()  # the retention period runs: nothing erased, no file touched
    assert main(["programme", "erase-person", "deltagare1@example.org", "--yes", "--db", url]) == 1
    assert "erasure refused" in capsys.readouterr().err
    assert main(["programme", "purge", "--db", url]) == 0
    assert {p.name for p in out.iterdir()} == everything

    monkeypatch.setenv("LCE_PROGRAMME_LAST_PAYMENT", "2015-06-30")  # kept until 2020-12-31
    capsys.readouterr()
    lce("erase-person", "deltagare1@example.org", "--yes", "--db", url)
    assert "3 file(s) naming the person" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == everything - {"intyg-1.html", "person-1.json", "scb-2026-03.csv"}

    lce("purge", "--db", url)
    said = capsys.readouterr().out
    assert "purged 1 people" in said and "3 file(s)" in said, said
    assert {p.name for p in out.iterdir()} == {"indicators.csv", "notes.txt"}, "counts only, and not LCE's"
