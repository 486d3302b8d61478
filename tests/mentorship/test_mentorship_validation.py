"""Validation of applications, sessions and feedback: every value checked in Python, forged ones included."""

from __future__ import annotations

import datetime as dt

import pytest

from lce_utils.mentorship import ValidationError
from lce_utils.mentorship.apps.common import hosting_refusal
from lce_utils.mentorship.apps.signup import SignupApp
from lce_utils.mentorship.exports import neutralise
from lce_utils.mentorship.options import MUNICIPALITIES
from lce_utils.mentorship.validation import validate_application, validate_feedback, validate_session
from tests.mentorship.test_mentorship_support import application, email


def errors_of(data) -> dict:
    with pytest.raises(ValidationError) as info:
        validate_application(data)
    return info.value.errors


def test_mentorship_valid_application_is_cleaned():
    clean = validate_application(application(name="  Anna   Berg ", email=" Anna" + "@EXAMPLE.org ",
                                             skills_wanted=["Mixing", "mixing ", ""]))
    assert clean["name"] == "Anna Berg"
    assert clean["email"] == "anna" + "@example.org"
    assert clean["skills_wanted"] == ["Mixing"]
    assert clean["capacity"] == 1


def test_mentorship_skane_has_33_municipalities():
    assert len(MUNICIPALITIES) == len(set(MUNICIPALITIES)) == 33
    assert {"Malmö", "Helsingborg", "Östra Göinge", "Örkelljunga"} <= set(MUNICIPALITIES)


def test_mentorship_every_required_field_is_named_in_both_languages():
    errs = errors_of({})
    for field in ("name", "email", "role", "field", "goals", "languages", "availability", "municipality",
                  "consent_purpose"):
        assert field in errs, field
        sv, en = errs[field]
        assert sv and en and sv != en


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-address"), ("email", "a@b"), ("email", ["x"]), ("role", "boss"), ("role", 1),
    ("field", "astrology"), ("municipality", "Oslo"), ("languages", ["sv", "xx"]), ("languages", "sv"),
    ("availability", ["nights"]), ("consent_purpose", "true"), ("consent_purpose", False), ("consent_contact", 1),
    ("name", "x" * 121), ("name", "Anna\x00Berg"), ("name", 42), ("goals", "g" * 2001), ("capacity", 4),
    ("capacity", True), ("skills_wanted", ["s" * 61]), ("skills_wanted", [str(i) for i in range(11)]),
    ("skills_wanted", [{"$ne": 1}]), ("organisation", "o" * 161),
])
def test_mentorship_forged_values_are_rejected(field, value):
    errs = errors_of(application(**{field: value}))
    assert field in errs


def test_mentorship_unknown_fields_are_rejected():
    errs = errors_of(application(is_admin=True))
    assert "is_admin" in errs


def test_mentorship_role_decides_which_skills_are_required():
    assert "skills_offered" in errors_of(application(role="mentor", skills_offered=[]))
    assert "skills_wanted" in errors_of(application(role="mentee", skills_wanted=[]))
    errs = errors_of(application(role="mutual", skills_offered=[], skills_wanted=[]))
    assert {"skills_offered", "skills_wanted"} <= set(errs)
    assert validate_application(application(role="mentor", skills_offered=["mixing"], capacity=3))["capacity"] == 3


def test_mentorship_message_in_chosen_language():
    with pytest.raises(ValidationError) as info:
        validate_application(application(email="nope"))
    assert "giltig" in info.value.message("email", "sv")
    assert "valid" in info.value.message("email", "en")
    assert info.value.message("name", "en") is None


def test_mentorship_session_and_feedback_checks():
    assert validate_session("2025-03-01", 60, "online")[0] == dt.date(2025, 3, 1)
    for held, minutes, fmt, field in [("tomorrow", 60, "online", "held_on"),
                                      (dt.date.today() + dt.timedelta(days=2), 60, "online", "held_on"),
                                      ("2025-03-01", 2, "online", "minutes"), ("2025-03-01", "60", "online", "minutes"),
                                      ("2025-03-01", 60, "telepathy", "session_format")]:
        with pytest.raises(ValidationError) as info:
            validate_session(held, minutes, fmt)
        assert field in info.value.errors
    assert validate_feedback(5, "  bra  ") == (5, "bra")
    for score in (0, 6, "5", True, None):
        with pytest.raises(ValidationError):
            validate_feedback(score, None)


def test_mentorship_signup_app_validates_forged_widget_state(tmp_path):
    """The widgets' values are what a browser sends; forged ones are caught in Python and nothing is stored."""
    from lce_utils.mentorship import list_applications

    url = f"sqlite:///{tmp_path / 'm.db'}"
    app = SignupApp(url=url, store=True)
    app.fields["name"].widget.value = "x" * 500
    app.fields["email"].widget.value = email("forged")
    app.fields["goals"].widget.value = "goals"
    app.on_submit()
    assert "Högst 120 tecken" in app.fields["name"].error.value
    assert "role" in app._last_errors and "consent_purpose" in app._last_errors
    assert list_applications(url) == []


def test_mentorship_hosting_refusal():
    assert hosting_refusal({"BINDER_SERVICE_HOST": "10.0.0.1"})
    assert hosting_refusal({"BINDER_LAUNCH_HOST": "https://mybinder.org/", "LCE_MENTORSHIP_DB": "sqlite:///x"})
    assert not hosting_refusal({"BINDER_SERVICE_HOST": "x", "LCE_MENTORSHIP_ALLOW_HOSTED": "1"})
    assert hosting_refusal({"JUPYTERHUB_API_TOKEN": "x"})
    assert not hosting_refusal({"JUPYTERHUB_API_TOKEN": "x", "LCE_MENTORSHIP_DB": "postgresql://db/lce"})
    assert not hosting_refusal({})


def test_mentorship_signup_on_binder_stores_nothing(tmp_path, monkeypatch):
    from lce_utils.mentorship import list_applications

    monkeypatch.setenv("BINDER_SERVICE_HOST", "10.0.0.1")
    url = f"sqlite:///{tmp_path / 'm.db'}"
    app = SignupApp(url=url)
    assert "Binder" in app.hosted_note.value
    data = application(7)
    w = app.fields
    w["name"].widget.value, w["email"].widget.value, w["goals"].widget.value = data["name"], data["email"], "Goals"
    w["role"].widget.value, w["field"].widget.value, w["municipality"].widget.value = "mentee", "music", "Lund"
    w["skills_wanted"].widget.value = "mixing"
    app.languages.boxes["sv"].value = app.availability.boxes["evenings"].value = True
    app.consent_purpose.widget.value = True
    app.on_submit()
    assert "Inget har sparats" in app.result.value
    assert list_applications(url) == []


@pytest.mark.parametrize("value,expected", [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"),
                                            ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("Anna", "Anna"),
                                            (3, 3)])
def test_mentorship_neutralise_formula_cells(value, expected):
    assert neutralise(value) == expected
