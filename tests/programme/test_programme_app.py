"""The staff app: in-process with real widgets and a real register (in a real Chromium behind the hardened server:
tests/programme/test_programme_serving.py)."""

from __future__ import annotations

import datetime as dt

from lce_utils.programme import store
from lce_utils.programme.apps import StaffApp
from lce_utils.programme.personnummer import make


def fill(app: StaffApp, number: str, name: str = "Deltagare 1") -> None:
    values = {"name": name, "personnummer": number, "gender": "woman", "entry_date": "2026-03-02",
              "labour_status": "unemployed", "education": "isced_3_4", "disability": "declined", "rural": "yes"}
    for key, value in values.items():
        app.inputs[key].value = value


def test_staff_app_registers_and_shows_the_register(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    app = StaffApp(url, today=dt.date(2026, 12, 2))
    assert not (tmp_path / "p.db").exists(), "showing the app opens nothing"
    number = make(dt.date(1991, 8, 14), 321)
    fill(app, number[:-1] + str((int(number[-1]) + 1) % 10))
    app.submit.click()
    assert ">personnummer: fel kontrollsiffra / personnummer: wrong check digit<" in app.status.value
    assert app.inputs["name"].value == "Deltagare 1", "the form keeps what was typed"
    fill(app, number, name="Ada <b>Lovelace</b>")
    app.submit.click()
    assert "Registrerad: deltagande 1 / Registered: participation 1" in app.status.value
    assert app.inputs["name"].value == "" and app.inputs["gender"].value == ""
    [record] = store.records(url)
    assert (record.labour_status, record.special["disability"], record.flags["rural"]) == ("unemployed", None, True)
    app.show_register.click()
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in app.overview.value and "<b>" not in app.overview.value
    assert number not in app.overview.value and number[2:] not in app.overview.value
    assert "Deltagare / Participants: <strong>1</strong>" in app.overview.value


def test_staff_app_roster_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    app = StaffApp(url, today=dt.date(2026, 6, 15))
    fill(app, make(dt.date(1991, 8, 14), 321), name="Cleo <img src=x>")
    app.inputs["entry_date"].value = "2026-03-02"
    app.submit.click()
    app.roster(course=tmp_path / "no-course", mentorship_url=None, labs=tmp_path / "no-labs")
    assert 'id="programme-roster"' in app.roster_view.value
    assert "<td>Cleo &lt;img src=x&gt;</td><td>active</td><td>0/0</td><td></td><td>0</td><td>0</td>" \
           "<td>ingen aktivitet på 15 veckor / no activity for 15 weeks</td>" in app.roster_view.value


def test_attestation_page(tmp_path):
    from lce_utils.programme.apps import AttestApp
    from lce_utils.programme.attendance import issue_code, record_hours
    from lce_utils.programme.models import Attestation

    url = f"sqlite:///{tmp_path / 'p.db'}"
    pid = store.register({"name": "Deltagare 9", "personnummer": make(dt.date(1988, 4, 4), 909), "gender": "man",
                          "entry_date": "2026-03-02", "labour_status": "employed", "education": "isced_5_8"}, url)
    record_hours(pid, "workshop", "2026-03", 6, url)
    record_hours(pid, "course:a1", "2026-04", 1.5, url)
    code = issue_code(store.records(url)[0].person_id, url)
    page = AttestApp(url)
    page.code.value = "fel-kod"
    page.show_hours.click()
    assert "koden gäller inte / the code is not valid" in page.status.value and page.table.value == ""
    page.code.value = code
    page.show_hours.click()
    assert "<tr><td>2026-03</td><td>6.0</td></tr><tr><td>2026-04</td><td>1.5</td></tr>" in page.table.value
    page.month.value = "2026-04"
    page.attest_button.click()
    assert "Intygat: 1.5 timmar i 2026-04 / Attested: 1.5 hours in 2026-04" in page.status.value
    with store.reading(url) as session:
        [row] = session.query(Attestation).all()
    assert (row.month, row.hours, row.method) == ("2026-04", 1.5, "participant page")
