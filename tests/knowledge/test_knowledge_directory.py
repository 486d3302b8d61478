"""The network directory (issue 17 item 3): only people with a consent in force are listed, a revocation or an
erasure drops them at the next site build, the sign-up's consent is optional and cannot be forged, and the page
carries no e-mail address but the programme office's and no phone number."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lce_utils.errors import LCEError
from lce_utils.knowledge import directory
from lce_utils.mentorship import erase, export_person, submit_application
from lce_utils.mentorship.validation import ValidationError, validate_application
from lce_utils.programme import directory as pdirectory
from lce_utils.programme import rights
from lce_utils.programme.store import register
from tests.mentorship.test_mentorship_support import application, email
from tests.programme.test_programme_store import person

CONTACT = "office@" + "example.org"
UPDATED = "2026-12-02T07:00:00+00:00"
TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def stores(tmp_path, monkeypatch):
    """A mentorship store and a programme register of their own (with their own key)."""
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(tmp_path / "programme.key"))
    monkeypatch.delenv("LCE_PROGRAMME_KEY", raising=False)
    for name in ("LCE_PROGRAMME_LAST_PAYMENT", "LCE_PROGRAMME_RETENTION_YEARS"):
        monkeypatch.delenv(name, raising=False)
    return f"sqlite:///{tmp_path / 'mentorship.db'}", f"sqlite:///{tmp_path / 'programme.db'}"


def mentor(i: int, consent: object, **changes) -> dict:
    data = {"role": "mentor", "skills_offered": ["sound design", "grant writing"], "skills_wanted": [],
            "organisation": "Ljudverkstan (fiktiv)", "municipality": "Ystad", "consent_directory": consent}
    return application(i, **{**data, **changes})


def listed(stores) -> list[tuple[str, tuple[str, ...]]]:
    return [(e.name, e.roles) for e in directory.entries(*stores)]


def page(stores, tmp_path) -> str:
    config = {"directory": {"mentorship_db": stores[0], "programme_db": stores[1]}}
    directory.write_page(tmp_path, config, tmp_path, updated=UPDATED, contact=CONTACT, demo=True)
    return (tmp_path / directory.PAGE).read_text(encoding="utf-8")


def test_directory_lists_only_people_with_consent(stores, tmp_path):
    m, p = stores
    submit_application(mentor(1, True, name="Alva Mentor"), m)
    submit_application(mentor(2, False, name="Bo Ingetsamtycke"), m)
    submit_application(application(3, name="Cleo Utanfält"), m)  # the field left out: not consented either
    register(person(1, name="Dana Deltagare"), p, today=TODAY)
    register(person(2, name="Eli Ejlistad"), p, today=TODAY)
    ref = pdirectory.give_consent("deltagare1@example.org", {"field": "libraries", "municipality": "Lund",
                                                            "skills_offered": ["digital archiving"],
                                                            "skills_wanted": ["podcasting"]}, p, actor="test")
    assert re.fullmatch(r"P-[A-Z]{4}-[A-Z]{4}", ref)
    assert listed(stores) == [("Alva Mentor", ("mentor",)), ("Dana Deltagare", ("participant",))]
    html = page(stores, tmp_path)
    assert "Alva Mentor" in html and "Dana Deltagare" in html and ref in html
    assert "Bo Ingetsamtycke" not in html and "Cleo Utanfält" not in html and "Eli Ejlistad" not in html
    assert "sound design, grant writing" in html and "Bibliotek" in html and "Libraries" in html
    # no one's e-mail address: only the office's, and no phone number at all
    assert set(directory.EMAIL.findall(html)) == {CONTACT}
    assert "person1@" not in html and "deltagare1@" not in html
    assert not any(sum(c.isdigit() for c in m_.group()) >= 7 for m_ in directory.PHONE.finditer(html))
    assert '<html lang="sv">' in html and html.count('lang="en"') >= 10
    # the office finds whom a reference names
    assert directory.lookup(ref, m, p) == {"reference": ref, "name": "Dana Deltagare",
                                           "email": "deltagare1@example.org"}


def test_revoking_drops_the_person_at_the_next_build(stores, tmp_path):
    m, p = stores
    submit_application(mentor(1, True, name="Alva Mentor"), m)
    submit_application(mentor(2, True, name="Frans Mentor"), m)
    register(person(1, name="Dana Deltagare"), p, today=TODAY)
    ref = pdirectory.give_consent("1", {"field": "music", "municipality": "Malmö", "skills_offered": ["mixing"]}, p)
    assert [name for name, _ in listed(stores)] == ["Alva Mentor", "Dana Deltagare", "Frans Mentor"]
    [frans] = [e for e in directory.entries(m, p) if e.name == "Frans Mentor"]
    assert "withdrawn" in directory.revoke(frans.reference, m, p, actor="test")
    assert "withdrawn" in directory.revoke(ref, m, p, actor="test")
    assert "already withdrawn" in directory.revoke(ref, m, p, actor="test")
    html = page(stores, tmp_path)
    assert "Frans Mentor" not in html and "Dana Deltagare" not in html and "Alva Mentor" in html
    # the revocation is kept (when, by whom) for the person's right of access
    [row] = export_person(email("person2"), m)["directory_consent"]
    assert row["revoked_at"] and row["surface"] == "signup-form" and row["text_version"] == "directory-2026-1"
    # consenting again on a new sign-up lists the person again, with the same reference
    submit_application(mentor(2, True, name="Frans Mentor", goals="Another goal"), m)
    assert [e.reference for e in directory.entries(m, p) if e.name == "Frans Mentor"] == [frans.reference]


def test_erasure_drops_the_person_and_their_consent(stores, tmp_path, monkeypatch):
    m, p = stores
    submit_application(mentor(1, True, name="Alva Mentor"), m)
    submit_application(mentor(2, True, name="Frans Mentor"), m)
    register(person(1, name="Dana Deltagare"), p, today=TODAY)
    register(person(2, name="Eli Deltagare"), p, today=TODAY)
    for who in ("1", "2"):
        pdirectory.give_consent(who, {"field": "film", "municipality": "Lund", "skills_wanted": ["editing"]}, p)
    erase(email("person2"), m, actor="test")
    monkeypatch.setenv("LCE_PROGRAMME_LAST_PAYMENT", "2020-06-30")  # the ESF+ retention period has ended
    rights.erase_person("deltagare2@example.org", p, today=TODAY)
    assert listed(stores) == [("Alva Mentor", ("mentor",)), ("Dana Deltagare", ("participant",))]
    from sqlalchemy import func, select

    from lce_utils.mentorship.models import DirectoryConsent
    from lce_utils.mentorship.store import reading
    from lce_utils.programme.models import DirectoryEntry
    from lce_utils.programme.store import reading as preading
    with reading(m) as s:
        assert s.scalar(select(func.count(DirectoryConsent.id))) == 1, "the erased person's consent is gone"
    with preading(p) as s:
        assert s.scalar(select(func.count(DirectoryEntry.id))) == 1
    html = page(stores, tmp_path)
    assert "Frans Mentor" not in html and "Eli Deltagare" not in html


def test_directory_consent_must_be_a_real_tick(stores):
    """Like every field, the consent is checked again in Python: only True consents; a forged value ("true", 1,
    "yes") is refused with the field named and nothing stored; leaving it out means no."""
    m, _ = stores
    for forged in ("true", 1, "yes", [True]):
        with pytest.raises(ValidationError) as info:
            validate_application(mentor(9, forged))
        assert set(info.value.errors) == {"consent_directory"}
        assert info.value.message("consent_directory", "en") == "Must be yes or no."
    assert validate_application({k: v for k, v in mentor(9, True).items() if k != "consent_directory"}
                                )["consent_directory"] is False
    with pytest.raises(ValidationError):
        submit_application(mentor(9, "true"), m)
    assert listed(stores) == []


def test_a_pending_application_never_lists_the_stored_person(stores):
    """A stranger who signs up with someone's e-mail (another name: pending) cannot put that person in the
    directory."""
    m, _ = stores
    submit_application(mentor(1, False, name="Alva Mentor"), m)
    app = submit_application(mentor(1, True, name="Someone Else"), m, send_code=False)
    assert app.status == "pending"
    assert listed(stores) == []


def test_contact_details_never_reach_the_page(stores, tmp_path):
    m, _ = stores
    submit_application(mentor(1, True, name="Alva Mentor",
                              skills_offered=["mixing", "ring 070-123 45 67", "skriv till alva@" + "example.org"]), m)
    html = page(stores, tmp_path)
    assert "mixing" in html and "070-123" not in html and "alva@" not in html
    with pytest.raises(LCEError, match="phone"):
        directory.check_page("<p>+46 70 123 45 67</p>", CONTACT)
    with pytest.raises(LCEError, match="e-mail"):
        directory.check_page(f"<p>{CONTACT} x.y@example.com</p>", CONTACT)
    directory.check_page(f'<p>{CONTACT} <time datetime="{UPDATED}">2026-12-02</time> 10 000 kr</p>', CONTACT)


# -- the sign-up's box in a real server and browser --------------------------------------------------------------

@pytest.fixture(scope="module")
def signup_server(tmp_path_factory):
    import sys
    from pathlib import Path

    from tests.servers import free_port, running_server

    folder = tmp_path_factory.mktemp("directory-voila")
    url = f"sqlite:///{folder / 'mentorship.db'}"
    port = free_port()
    argv = [str(Path(sys.executable).parent / "lce"), "mentorship", "serve", "--port", str(port), "--pool", "1",
            "--max-kernels", "12", "--token", "directory-test-token-" + "d" * 12]
    env = {"LCE_MENTORSHIP_DB": url, "LCE_MENTORSHIP_EXPORTS": str(folder / "exports")}
    with running_server(argv, port, "/lce/health", env=env, timeout=120, log=folder / "voila.log") as base:
        yield base, url


DIRECTORY_BOX = "Visa mig i programmets nätverkskatalog (valfritt)"


@pytest.mark.browser
@pytest.mark.slow
def test_signup_directory_box_is_optional_and_cannot_be_forged(signup_server, page):
    """The box is unticked and optional; a forged widget message ("true" instead of a tick) leaves it unticked in
    the kernel, so the application is stored without a directory consent; a real tick lists the applicant."""
    from tests.mentorship.test_mentorship_browser import SV, TIMEOUT, fill_signup, open_signup

    base, url = signup_server
    open_signup(page, base)
    box = page.get_by_label(DIRECTORY_BOX)
    assert box.is_visible() and not box.is_checked()
    assert "programkontoret" in page.locator("#directory-notice").inner_text()
    fill_signup(page, application(71, name="Gry Förfalskad", email=email("gry.forged")), SV)
    page.evaluate("""async (label) => {
        const wm = await window.jupyterapp.widgetManagerPromise.promise;
        const models = await Promise.all(Object.values(wm._models));
        const box = models.find(m => m.get('description') === label);
        box.set('value', 'true'); box.save_changes();
    }""", DIRECTORY_BOX)
    page.get_by_role("button", name=SV["submit"]).click()
    page.locator("#confirmation").wait_for(timeout=TIMEOUT)
    assert directory.mentorship_entries(url) == []
    assert export_person(email("gry.forged"), url)["directory_consent"] == []

    open_signup(page, base)
    fill_signup(page, application(72, name="Hedda Samtycker", email=email("hedda.consents")), SV)
    page.get_by_label(DIRECTORY_BOX).check()
    page.get_by_role("button", name=SV["submit"]).click()
    page.locator("#confirmation").wait_for(timeout=TIMEOUT)
    [entry] = directory.mentorship_entries(url)
    assert (entry.name, entry.roles, entry.municipality) == ("Hedda Samtycker", ("mentee",), "Lund")
    [consent] = export_person(email("hedda.consents"), url)["directory_consent"]
    assert (consent["surface"], consent["text_version"], consent["revoked_at"]) == ("signup-form", "directory-2026-1",
                                                                                    None)
