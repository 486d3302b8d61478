"""A sign-up with an e-mail the store holds never changes the stored person: it waits for the coordinator or for
the code mailed (through a real aiosmtpd server started here) to the stored address. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import email as email_lib
import re
import time
from email import policy

import pytest
from sqlalchemy import create_engine, inspect, select, text

from lce_utils.mentorship import list_applications, run_matching, submit_application
from lce_utils.mentorship.identity import MAX_ATTEMPTS, confirm_application, decide_application, flagged_applications
from lce_utils.mentorship.models import Confirmation, utcnow
from lce_utils.mentorship.store import MIGRATIONS, audit_events, get_engine, reading
from lce_utils.mentorship.validation import ValidationError
from tests.mentorship.test_mentorship_store import postgres  # noqa: F401 - the PostgreSQL server fixture
from tests.mentorship.test_mentorship_support import application, email
from tests.servers import free_port, running_server


# (the PostgreSQL variant starts a server and makes a database: slow; the SQLite one is the quick check)
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow])])
def url(request, tmp_path, monkeypatch):
    monkeypatch.delenv("LCE_SMTP_HOST", raising=False)
    monkeypatch.setenv("LCE_MENTORSHIP_EXPORTS", str(tmp_path / "exports"))
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mentorship.db'}"
    return request.getfixturevalue("postgres").new_database()


def people_rows(url: str) -> list[tuple]:
    """Every column of every stored person, exactly as stored."""
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM people ORDER BY id"))]


def owner(**changes) -> dict:
    return application(1, **{"name": "Alva Lindqvist", "organisation": "Teater Syd", **changes})


def test_hijack_leaves_the_person_byte_identical_and_waits_for_the_coordinator(url):
    first = submit_application(owner(), url)
    before = people_rows(url)
    hijack = submit_application(owner(name="Mallory Mallet", organisation="Evil AB", goals="Take over"), url)
    assert people_rows(url) == before
    assert (hijack.status, hijack.flag, hijack.submitted_name, hijack.submitted_organisation) == (
        "pending", "name_differs", "Mallory Mallet", "Evil AB")
    assert hijack.person_id == first.person_id and not hijack.code_sent  # no SMTP configured here
    assert [a.id for a in list_applications(url)] == [first.id], "only active applications are listed"
    assert [a.id for a in flagged_applications(url)] == [hijack.id]
    # the same hijack again is the same pending application, and is never matched
    assert submit_application(owner(name="Mallory Mallet", organisation="Evil AB", goals="Take over"),
                              url).duplicate
    submit_application(application(2, role="mentor", skills_offered=["mixing"], skills_wanted=[]), url)
    run_matching(url)
    with get_engine(url).connect() as conn:
        matched = {r[0] for r in conn.execute(text("SELECT a_application_id FROM matches UNION "
                                                   "SELECT b_application_id FROM matches"))}
    assert hijack.id not in matched and first.id in matched
    assert people_rows(url)[0] == before[0]


def test_same_name_is_a_repeat_application_that_edits_nothing(url):
    first = submit_application(owner(), url)
    before = people_rows(url)
    # case and spacing are not another name
    again = submit_application(owner(name="  alva   LINDQVIST ", goals="A second, different goal"), url)
    assert (again.status, again.flag, again.id != first.id) == ("active", None, True)
    moved = submit_application(owner(organisation="Ljudverkstan", goals="A third goal"), url)
    assert (moved.status, moved.flag, moved.submitted_organisation) == ("active", "organisation_differs",
                                                                         "Ljudverkstan")
    assert people_rows(url) == before, "the organisation is not changed silently"
    assert [a.id for a in flagged_applications(url)] == [moved.id]


def test_coordinator_decisions(url):
    submit_application(owner(), url)
    keep = submit_application(owner(name="Alva Berg", goals="Keep"), url)
    update = submit_application(owner(name="Alva Berg", organisation="Bildhuset", goals="Update"), url)
    reject = submit_application(owner(name="Mallory Mallet", goals="Reject"), url)
    before = people_rows(url)
    assert decide_application(keep.id, "keep", url, actor="coordinator (token)") == "keep"
    assert people_rows(url) == before
    assert decide_application(reject.id, "reject", url, actor="coordinator (token)") == "reject"
    assert people_rows(url) == before
    decide_application(update.id, "update", url, actor="coordinator (token)")
    with reading(url) as session:
        from lce_utils.mentorship.models import Person

        person = session.scalar(select(Person))
    assert (person.name, person.organisation) == ("Alva Berg", "Bildhuset")
    assert sorted(a.id for a in list_applications(url)) == sorted([keep.id, update.id, keep.id - 1])
    assert flagged_applications(url) == []
    events = [(e.actor, e.action, e.details) for e in audit_events(url)]
    assert events == [("coordinator (token)", "keep_application", {"flag": "name_differs"}),
                      ("coordinator (token)", "reject_application", {"flag": "name_differs"}),
                      ("coordinator (token)", "update_application", {"flag": "name_differs"})]
    with pytest.raises(Exception, match="waiting for a decision"):
        decide_application(keep.id, "keep", url)


class Mailbox:
    """What the aiosmtpd handler received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email_lib.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), email_lib.message_from_bytes(envelope.content,
                                                                                     policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("LCE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LCE_SMTP_PORT", str(port))
    monkeypatch.setenv("LCE_SMTP_SECURITY", "none")
    monkeypatch.setenv("LCE_SMTP_FROM", "mentorship@" + "example" + ".org")
    yield box
    controller.stop()


def code_in(message) -> str:
    found = re.findall(r"\b(\d{6})\b", message.get_content())
    assert len(set(found)) == 1, found
    return found[0]


def test_smtp_code_confirms_the_application(url, smtp):
    first = submit_application(owner(), url)
    before = people_rows(url)
    pending = submit_application(owner(name="Alva Berg", organisation="Bildhuset", goals="New name"), url)
    assert pending.status == "pending" and pending.code_sent
    assert people_rows(url) == before
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == [email("person1")], "the code goes to the stored address, not to the form's sender"
    assert "Bekräfta" in message["Subject"] and "Alva Berg" in message.get_content()
    code = code_in(message)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as info:
        confirm_application(pending.id, wrong, url)
    assert info.value.message("code", "en").startswith("The code is wrong")
    with reading(url) as session:
        assert session.scalar(select(Confirmation.attempts)) == 1
    assert people_rows(url) == before
    confirmed = confirm_application(pending.id, f" {code[:3]} {code[3:]} ", url)
    assert (confirmed.status, confirmed.flag, confirmed.submitted_name) == ("active", None, None)
    assert sorted(a.id for a in list_applications(url)) == [first.id, pending.id]
    rows = people_rows(url)
    assert len(rows) == 1 and "Alva Berg" in rows[0] and "Bildhuset" in rows[0], "the mailbox's owner confirmed it"
    with reading(url) as session:
        assert session.scalar(select(Confirmation.id)) is None
    with pytest.raises(ValidationError):
        confirm_application(pending.id, code, url)  # used once
    assert [(e.actor, e.action) for e in audit_events(url)] == [("applicant (e-mail code)", "confirm_application")]


def test_smtp_code_expires_and_counts_attempts(url, smtp):
    submit_application(owner(), url)
    late = submit_application(owner(name="Mallory Mallet", goals="Late"), url)
    code = code_in(smtp.messages[-1][1])
    with pytest.raises(ValidationError):
        confirm_application(late.id, code, url, now=utcnow() + dt.timedelta(hours=24, minutes=1))
    guessed = submit_application(owner(name="Mallory Mallet", goals="Guessing"), url)
    code = code_in(smtp.messages[-1][1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            confirm_application(guessed.id, wrong, url)
    with pytest.raises(ValidationError):
        confirm_application(guessed.id, code, url)  # right, but after too many wrong tries
    assert {a.id for a in flagged_applications(url)} == {late.id, guessed.id}
    assert all(a.status == "pending" for a in flagged_applications(url))


def test_smtp_down_leaves_the_application_for_the_coordinator(url, monkeypatch, capfd):
    monkeypatch.setenv("LCE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LCE_SMTP_PORT", str(free_port()))  # nobody listens there
    monkeypatch.setenv("LCE_SMTP_SECURITY", "none")
    monkeypatch.setenv("LCE_SMTP_FROM", "mentorship@" + "example" + ".org")
    submit_application(owner(), url)
    pending = submit_application(owner(name="Mallory Mallet"), url)
    assert pending.status == "pending" and not pending.code_sent
    with reading(url) as session:
        assert session.scalar(select(Confirmation.id)) is None
    err = capfd.readouterr().err
    assert "not sent: ConnectionRefusedError" in err and email("person1") not in err


def test_migration_0002_keeps_existing_rows(url):
    """A store created by 0001 with data is upgraded in place (SQLite and PostgreSQL)."""
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        now = dt.datetime(2026, 1, 2, 3, 4, 5)
        conn.execute(text("INSERT INTO people (id, email, name, organisation, created_at, updated_at) VALUES "
                          "(1, :e, 'Old Person', NULL, :t, :t)"), {"e": email("old"), "t": now})
        conn.execute(text(
            "INSERT INTO applications (id, person_id, role, field, skills_offered, skills_wanted, goals, "
            "languages, availability, municipality, capacity, fingerprint, created_at) VALUES (1, 1, "
            "'mentee', 'music', '[]', '[\"mixing\"]', 'Goals', '[\"sv\"]', '[\"evenings\"]', 'Malmö', 1, "
            "'f', :t)"), {"t": now})
        conn.commit()
    engine.dispose()
    apps = list_applications(url)  # get_engine upgrades to the newest revision
    assert [(a.id, a.status, a.flag, a.person.name) for a in apps] == [(1, "active", None, "Old Person")]
    assert {"confirmations", "export_files", "export_file_people", "audit_log"} <= set(
        inspect(get_engine(url)).get_table_names())
    # and back: 0002's downgrade leaves 0001's schema with the rows
    engine = create_engine(url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        conn.commit()
        assert "audit_log" not in inspect(conn).get_table_names()
        assert "status" not in {c["name"] for c in inspect(conn).get_columns("applications")}
        assert conn.execute(text("SELECT name FROM people")).scalars().all() == ["Old Person"]
    engine.dispose()


def test_signup_app_asks_for_the_mailed_code(url, smtp):
    from lce_utils.mentorship.apps.signup import SignupApp

    submit_application(owner(), url)
    app = SignupApp(url=url, store=True)
    app.collect = lambda: owner(name="Alva Berg", goals="A new start")  # what the form's widgets hold
    app.on_submit()
    assert app.code_box.layout.display is None and "Vi har skickat en kod" in app.code_note.value
    code = code_in(smtp.messages[-1][1])
    app.code.widget.value = "000000" if code != "000000" else "111111"
    app.on_confirm_code()
    assert "Koden stämmer inte" in app.code.error.value
    app.code.widget.value = code
    app.on_confirm_code()
    assert "Tack, ansökan är bekräftad" in app.result.value and app.code_box.layout.display == "none"
    assert [a.person.name for a in list_applications(url)] == ["Alva Berg", "Alva Berg"]


def test_signup_page_never_shows_the_stored_name(url):
    from lce_utils.mentorship.apps.signup import SignupApp

    submit_application(owner(), url)
    app = SignupApp(url=url, store=True)
    app.collect = lambda: owner(name="Mallory Mallet", goals="Take over")  # what the form's widgets hold
    app.on_submit()
    assert "Mallory Mallet" in app.result.value and "Alva" not in app.result.value
    assert app.code_box.layout.display == "none", "no SMTP: nothing to enter, the coordinator decides"


def test_pending_applications_are_not_counted_in_the_reports(url):
    from lce_utils.mentorship import outcome_tables

    for i in range(6):
        submit_application(application(i), url)
    for i in range(6):
        submit_application(application(i, name=f"Someone Else {i}", role="mentor", skills_offered=["mixing"],
                                       skills_wanted=[]), url)
    tables = outcome_tables(url, k=5)
    roles = tables["participants_by_role"].set_index("role")["participants"]
    assert int(roles["mentee"]) == 6 and int(roles["mentor"]) == 0
    assert int(tables["programme_summary"]["applications"][0]) == 6


def test_codes_to_one_address_are_limited(url, smtp):
    from lce_utils.mentorship.identity import MAILS_PER_DAY

    submit_application(owner(), url)
    sent = [submit_application(owner(name=f"Mallory {i}"), url).code_sent for i in range(MAILS_PER_DAY + 2)]
    assert MAILS_PER_DAY == 3 and sent == [True, True, True, False, False]
    assert len(smtp.messages) == 3 and len(flagged_applications(url)) == 5


# --- in a real browser, on a real `lce mentorship serve` whose kernels mail through the aiosmtpd server -------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """aiosmtpd and the Voilà server (sign-up kernels configured to mail through it); yields base, url, mailbox."""
    from aiosmtpd.controller import Controller

    from tests.mentorship.test_mentorship_browser import LCE, TOKEN

    folder = tmp_path_factory.mktemp("identity-voila")
    box = Mailbox()
    smtp_port, port = free_port(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    url = f"sqlite:///{folder / 'mentorship.db'}"
    env = {"LCE_MENTORSHIP_DB": url, "LCE_MENTORSHIP_EXPORTS": str(folder / "exports"), "LCE_SMTP_HOST": "127.0.0.1",
           "LCE_SMTP_PORT": str(smtp_port), "LCE_SMTP_SECURITY": "none",
           "LCE_SMTP_FROM": "mentorship@" + "example" + ".org"}
    argv = [LCE, "mentorship", "serve", "--port", str(port), "--pool", "1", "--max-kernels", "8", "--token", TOKEN]
    try:
        with running_server(argv, port, "/lce/health", env=env, timeout=120, log=folder / "voila.log") as base:
            yield base, url, box
    finally:
        controller.stop()


def wait_for_mail(box: Mailbox, count: int, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(box.messages) < count:
        time.sleep(0.1)
    assert len(box.messages) >= count, "no mail arrived"
    return box.messages[count - 1]


@pytest.mark.browser
@pytest.mark.slow
def test_browser_signup_with_a_known_address_confirms_by_the_mailed_code(served, page):
    from tests.mentorship.test_mentorship_browser import SV, TIMEOUT, fill_signup, open_signup

    base, url, box = served
    submit_application(application(3001, name="Alva Lindqvist", email=email("alva.known")), url, send_code=False)
    before = people_rows(url)
    open_signup(page, base)
    fill_signup(page, application(3001, name="Alva Berg", email=email("alva.known"), goals="A new start"), SV)
    mails = len(box.messages)
    page.get_by_role("button", name=SV["submit"]).click()
    page.get_by_text("Tack, Alva Berg!").wait_for(timeout=TIMEOUT)
    assert "Lindqvist" not in page.locator("#confirmation").inner_text()
    recipients, message = wait_for_mail(box, mails + 1)
    assert recipients == [email("alva.known")]
    assert people_rows(url) == before, "nothing changes before the code is entered"
    code = code_in(message)
    field = page.get_by_label("Kod från e-postmeddelandet")
    field.fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Bekräfta").click()
    page.get_by_text("Koden stämmer inte").wait_for(timeout=TIMEOUT)
    field.fill(code)
    page.get_by_role("button", name="Bekräfta").click()
    page.get_by_text("Tack, ansökan är bekräftad").wait_for(timeout=TIMEOUT)
    assert [a.person.name for a in list_applications(url) if a.person.email == email("alva.known")] == [
        "Alva Berg", "Alva Berg"]
    assert page.watch.console_errors == [] and page.watch.external_requests == []


@pytest.mark.browser
@pytest.mark.slow
def test_browser_coordinator_sees_and_rejects_same_email_different_name(served, page):
    from tests.mentorship.test_mentorship_browser import COORD, TIMEOUT, TOKEN

    base, url, _ = served
    submit_application(application(3002, name="Nora Holm", email=email("nora.known")), url, send_code=False)
    hijack = submit_application(application(3002, name="Mallory Mallet", email=email("nora.known"),
                                            goals="Take over"), url, send_code=False)
    before = people_rows(url)
    page.goto(base + COORD + "?token=" + TOKEN, timeout=TIMEOUT)
    page.get_by_role("heading", name="Ansökningar att granska").wait_for(timeout=TIMEOUT)
    row = page.locator("#pending tr", has_text="Mallory Mallet")
    assert "samma e-post, annat namn" in row.inner_text() and "Nora Holm" in row.inner_text()
    page.get_by_label("Ansökan", exact=True).select_option(
        label=f"{hijack.id}: samma e-post, annat namn ({email('nora.known')})")
    page.get_by_role("button", name="Avvisa ansökan").click()
    page.get_by_text("Beslutet är sparat").wait_for(timeout=TIMEOUT)
    assert hijack.id not in {a.id for a in flagged_applications(url)}
    assert people_rows(url) == before
    assert ("coordinator (token)", "reject_application") in {(e.actor, e.action) for e in audit_events(url)}


def test_cli_pending_and_decide(url, capsys, monkeypatch):
    from lce_utils.cli import main

    monkeypatch.setenv("LCE_MENTORSHIP_ACTOR", "tester")
    submit_application(owner(), url)
    hijack = submit_application(owner(name="Mallory Mallet", organisation="Evil AB"), url)
    capsys.readouterr()
    assert main(["mentorship", "pending", "--db", url]) == 0
    assert capsys.readouterr().out == (f"{hijack.id}\tpending\tname_differs\tstored: Alva Lindqvist / Teater Syd"
                                       f"\tsent: Mallory Mallet / Evil AB\n")
    assert main(["mentorship", "decide", str(hijack.id), "reject", "--db", url]) == 0
    assert capsys.readouterr().out == f"application {hijack.id}: reject\n"
    assert main(["mentorship", "decide", str(hijack.id), "keep", "--db", url]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"no application {hijack.id} waiting for a decision" in err
    assert [(e.actor, e.action) for e in audit_events(url)] == [("tester", "reject_application")]
