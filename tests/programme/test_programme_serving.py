"""The programme register served by the mentorship apps' hardened server (`lce programme serve`): the attestation
page public, the staff app and everything else behind the programme staff's own token; wrong personal codes
limited per visitor address.

Raw HTTP clients send each spelling exactly as written to a real server; kernels are counted by the server itself
(/lce/health); staff log in and register a participant, and a participant guesses codes, in a real Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from lce_utils.errors import DataError
from lce_utils.mentorship.access import AccessPolicy
from lce_utils.paths import ROOT
from lce_utils.programme import attendance, store
from lce_utils.programme.attendance import CODE_GUESSES, attest, hours_for_code, issue_code, record_hours
from lce_utils.programme.models import AuditEvent
from lce_utils.programme.personnummer import make
from lce_utils.programme.serve import PROGRAMME
from tests.mentorship.test_mentorship_access import (
    KERNEL_ID,
    WIDGET_VIEW,
    health,
    not_refused,
    raw_request,
    ws_handshake,
)
from tests.servers import free_port, running_server

LCE = str(Path(sys.executable).parent / "lce")
TOKEN = "programme-test-token-" + "p" * 12
MENTORSHIP_TOKEN = "mentorship-test-token-" + "m" * 12
R = "/voila/render/"
STAFF = R + "staff/index.ipynb"
ATTEST = R + "attest/index.ipynb"
TIMEOUT = 120_000


def participant(n: int) -> dict:
    return {"name": f"Deltagare {n}", "personnummer": make(dt.date(1988, 4, 4), 900 + n), "gender": "man",
            "entry_date": "2026-03-02", "labour_status": "employed", "education": "isced_5_8"}


# -- the limit on personal codes, without a server -----------------------------------------------------------------
def test_wrong_codes_are_limited_per_client_address(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    pid = store.register(participant(1), url)
    record_hours(pid, "workshop", "2026-03", 6, url)
    code = issue_code(store.records(url)[0].person_id, url)
    assert hours_for_code(code, url, client="203.0.113.7") == {"2026-03": 6.0}, "a right code is not counted"
    for i in range(CODE_GUESSES):
        with pytest.raises(DataError, match="^koden gäller inte / the code is not valid$"):
            hours_for_code(f"0000-0000-{i:04d}", url, client="203.0.113.7")
    for right_or_wrong in (code, "0000-0000-9999"):
        with pytest.raises(DataError, match="för många felaktiga koder härifrån.*too many wrong codes from here"):
            hours_for_code(right_or_wrong, url, client="203.0.113.7")
        with pytest.raises(DataError, match="too many wrong codes"):
            attest(right_or_wrong, "2026-03", url, client="203.0.113.7")
    assert hours_for_code(code, url, client="203.0.113.8") == {"2026-03": 6.0}, "another address is not affected"
    assert attest(code, "2026-03", url) == 6.0, "staff at the command line (no client) are not limited"
    with store.reading(url) as session:
        actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "code_refused")))
    assert len(actors) == 1 and not any("203.0.113" in a for a in actors), "a keyed hash, never the address"
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + attendance.CODE_WINDOW + dt.timedelta(minutes=1)
    monkeypatch.setattr(attendance, "utcnow", lambda: later)
    assert hours_for_code(code, url, client="203.0.113.7") == {"2026-03": 6.0}, "the window passed"


def test_one_server_two_folders_each_with_its_own_description():
    from lce_utils.mentorship.serve import CLIENT_HEADER, MENTORSHIP, build_config

    mentorship = build_config(port=1, token="m" * 24, pool=3)
    assert mentorship.Voila.root_dir == str(MENTORSHIP.root) == str(ROOT / "mentorship")
    assert mentorship.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 0}, "signup/index.ipynb": {"pool_size": 3}, "followup/index.ipynb": {"pool_size": 1}}
    assert "http_header_envs" not in mentorship.VoilaConfiguration, "mentorship kernels are not told the address"
    assert "cookie_name" not in mentorship.IdentityProvider
    programme = build_config(port=1, token="p" * 24, pool=0, preheat=False, site=PROGRAMME)
    assert programme.Voila.root_dir == str(ROOT / "programme")
    assert "kernel_pools_config" not in programme.VoilaKernelManager, "the attestation page is never preheated"
    assert programme.VoilaConfiguration.http_header_envs == [CLIENT_HEADER]
    assert programme.IdentityProvider.cookie_name == "lce-programme-login"
    assert PROGRAMME.token_setting.name == "LCE_PROGRAMME_TOKEN" and PROGRAMME.token_file.name == "programme-token"
    assert PROGRAMME.token_file != MENTORSHIP.token_file and PROGRAMME.public == ("attest/index.ipynb",)


# -- the served folder's policy, in a copy with links --------------------------------------------------------------
def test_programme_policy_protects_the_staff_file_under_any_name(tmp_path):
    root = tmp_path / "programme"
    shutil.copytree(ROOT / "programme", root)
    (root / "attest" / "staff.ipynb").symlink_to(root / "staff" / "index.ipynb")
    (root / "open").symlink_to(root / "staff")
    policy = AccessPolicy(root, public=PROGRAMME.public)
    assert policy.files == {root.resolve() / "attest" / "index.ipynb"}
    allowed = ["attest/index.ipynb", "/attest/index.ipynb", "./attest/index.ipynb", "staff/../attest/index.ipynb",
               "%61ttest/index.ipynb", "attest//index.ipynb"]
    refused = ["staff/index.ipynb", "//staff/index.ipynb", "./staff/index.ipynb", "attest/../staff/index.ipynb",
               "%73taff/index.ipynb", "%2573taff/index.ipynb", "attest/staff.ipynb", "open/index.ipynb",
               "Staff/index.ipynb", "STAFF/INDEX.IPYNB", "staff/index.ipynb/", "staff/", "attest/", "README.md",
               "attest/index.ipynb%00", ""]
    assert [p for p in allowed if not policy.is_public_notebook(p)] == []
    assert [p for p in refused if policy.is_public_notebook(p)] == []


# -- a real server -------------------------------------------------------------------------------------------------
@contextmanager
def programme_server(folder: Path, argv_head: list[str] | None = None, token: str = TOKEN):
    """A programme server on a free port with its own register, key and log; yields (base, port, log, url)."""
    port = free_port()
    url = f"sqlite:///{folder / 'programme.db'}"
    argv = (argv_head or [LCE, "programme", "serve"]) + ["--port", str(port), "--token", token,
                                                         "--max-kernels", "8"]
    env = {"LCE_PROGRAMME_DB": url, "LCE_PROGRAMME_KEY_FILE": str(folder / "programme.key"),
           "LCE_PROGRAMME_TOKEN": "", "LCE_MENTORSHIP_TOKEN": MENTORSHIP_TOKEN}
    log = folder / "voila.log"
    with running_server(argv, port, "/lce/health", env=env, timeout=150, log=log) as base:
        yield base, port, log, url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programme-serve")
    with programme_server(folder) as running:
        yield (*running, folder / "programme.key")


SPELLINGS = [
    R + "/staff/index.ipynb", R + "//staff/index.ipynb", R + "./staff/index.ipynb", R + "attest/../staff/index.ipynb",
    R + "%73taff/index.ipynb", R + "%2573taff/index.ipynb", R + "attest/%2e%2e/staff/index.ipynb",
    R + "attest/%2E%2E%2Fstaff%2Findex.ipynb", R + "attest\\..\\staff\\index.ipynb", R + "staff/index.ipynb/",
    R + "staff/", R + "staff", R + "Staff/index.ipynb", R + "STAFF/INDEX.IPYNB", R + "staff/index.ipynb;x=1",
    R + "staff/index.ipynb%00", R + "attest/index.ipynb/../../staff/index.ipynb", R + "%2Fstaff%2Findex.ipynb",
    R + "././staff/./index.ipynb", R + "attest/..%2fstaff/index.ipynb", STAFF, STAFF + "?template=lab",
    STAFF + "?token=", STAFF + "?token=wrong-" + "w" * 30, STAFF + f"?token={MENTORSHIP_TOKEN}",
    "/voila//render/staff/index.ipynb", "/voila/tree/staff", "/voila/tree/", "/", "/voila/api/contents/staff",
    "/voila/api/contents/staff/index.ipynb", "/voila/files/staff/index.ipynb", "/voila/files/attest/index.ipynb",
    "/api/contents/staff/index.ipynb", "/api/kernels", "/api/sessions", R + "README.md", "/voila/files/README.md",
]


@pytest.mark.slow
def test_programme_server_refuses_the_staff_app_under_every_spelling(server):
    base, port, _, _, _ = server
    before = health(base)
    attempts = [("GET", target) for target in SPELLINGS]
    attempts += [("GET", f"http://127.0.0.1:{port}{STAFF}"), ("HEAD", R + "/staff/index.ipynb"), ("POST", STAFF),
                 ("POST", "/api/kernels"), ("GET", STAFF + "?x=1", {"Authorization": f"token {MENTORSHIP_TOKEN}"})]
    wrong = not_refused(port, attempts, "Programregister")
    assert wrong == [], f"served or not refused: {wrong}"
    after = health(base)
    assert after["apps"].get("staff", 0) == 0 and after["kernels"] == before["kernels"], (before, after)
    assert ws_handshake(port, "/api/kernels/11111111-2222-3333-4444-555555555555/channels") in (302, 403)


@pytest.mark.slow
def test_programme_server_attest_page_anonymous_staff_app_with_its_token(server):
    base, port, log, _, _ = server
    status, _, body = raw_request(port, "GET", ATTEST)
    text = body.decode("utf-8", "replace")
    assert status == 200 and KERNEL_ID.search(text) and WIDGET_VIEW in text
    assert "Programregister" not in text and "lce_utils" not in text, "no staff text, no source"
    status, _, body = raw_request(port, "GET", STAFF, headers={"Authorization": f"token {TOKEN}"})
    assert status == 200 and WIDGET_VIEW in body.decode("utf-8", "replace")
    assert health(base)["apps"].get("staff") == 1
    status, answer, body = raw_request(port, "GET", "/login")
    page = body.decode("utf-8", "replace")
    assert status == 200 and "programmets personal" in page and "programme&#x27;s staff" in page
    assert 'href="/voila/render/attest/index.ipynb"' in page and "samordnare" not in page
    assert TOKEN not in log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_programme_server_short_token_refused_at_start(tmp_path):
    done = subprocess.run([LCE, "programme", "serve", "--port", str(free_port()), "--db",
                           f"sqlite:///{tmp_path / 'p.db'}"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LCE_PROGRAMME_TOKEN": "too-short",
                               "LCE_PROGRAMME_KEY_FILE": str(tmp_path / "k.key")})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "LCE_PROGRAMME_TOKEN" in done.stderr and "minst 24" in done.stderr and "too-short" not in done.stderr


@pytest.mark.slow
def test_programme_server_never_serves_a_linked_staff_file(tmp_path):
    """The same server code over a copy of programme/ with links to the staff app (the real folder stays clean)."""
    root = tmp_path / "programme"
    shutil.copytree(ROOT / "programme", root)
    (root / "attest" / "staff.ipynb").symlink_to(root / "staff" / "index.ipynb")
    (root / "open").symlink_to(root / "staff")
    script = ("import dataclasses, sys; from pathlib import Path; import lce_utils.programme.serve as s; "
              f"s.PROGRAMME = dataclasses.replace(s.PROGRAMME, root=Path({str(root)!r})); "
              "from lce_utils.cli import main; sys.exit(main(['programme', 'serve', *sys.argv[1:]]))")
    with programme_server(tmp_path, [sys.executable, "-c", script]) as (base, port, _, _):
        before = health(base)
        for target in (R + "attest/staff.ipynb", R + "open/index.ipynb", R + "open/", R + "attest/./staff.ipynb"):
            status, answer, body = raw_request(port, "GET", target)
            assert status == 403 or (status == 302 and "/login?" in answer.get("location", "")), (target, status)
        assert raw_request(port, "GET", R + "attest/index.ipynb")[0] == 200, "the copy's public page is served"
        assert health(base)["kernels"] == before["kernels"] + 1


def refusals(url: str, want: int, timeout: float = 90) -> None:
    """Wait until the register has counted want wrong codes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.reading(url) as session:
            if session.query(AuditEvent).filter_by(action="code_refused").count() >= want:
                return
        time.sleep(0.2)
    raise TimeoutError(f"the register never counted {want} wrong codes")


# -- in Chromium ---------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.browser
def test_programme_staff_log_in_and_register_in_chromium(server, page, monkeypatch):
    base, _, _, url, key = server
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(key))
    page.goto(base + STAFF, timeout=TIMEOUT)
    assert "/login" in page.url and page.evaluate("document.documentElement.lang") == "sv"
    page.get_by_label("Token").fill(MENTORSHIP_TOKEN)
    page.get_by_role("button", name="Logga in / Log in").click()
    alert = page.get_by_role("alert")
    alert.wait_for(timeout=TIMEOUT)
    assert "Fel token" in alert.inner_text() and "Wrong token" in alert.inner_text(), "never the mentorship token"
    page.get_by_label("Token").fill(TOKEN)
    page.get_by_role("button", name="Logga in / Log in").click()
    name = page.get_by_label("Namn / name")
    name.wait_for(timeout=TIMEOUT)
    name.fill("Beda <i>Test</i>")
    page.get_by_label("Personnummer / personnummer").fill(make(dt.date(1975, 11, 30), 654))
    page.get_by_label("Kön / gender").select_option(label="icke-binär / non-binary")
    page.get_by_label("Startdatum / entry date").fill("2026-02-16")
    page.get_by_label("Arbetsmarknadsstatus / labour status").select_option(label="utanför arbetskraften / inactive")
    page.get_by_label("Utbildningsnivå / education").select_option(label="eftergymnasial / ISCED 5-8")
    page.get_by_label("Minoritet / minority").select_option(label="avböjt / declined")
    page.get_by_role("button", name="Registrera / Register").click()
    page.get_by_text("Registrerad: deltagande").wait_for(timeout=60_000)
    page.get_by_role("button", name="Visa registret / Show the register").click()
    cell = page.locator("#programme-register td", has_text="Beda")
    cell.wait_for(timeout=60_000)
    assert cell.inner_text() == "Beda <i>Test</i>"
    [record] = [r for r in store.records(url) if r.name == "Beda <i>Test</i>"]
    assert (record.gender, record.labour_status, record.special["minority"]) == ("non_binary", "inactive", None)
    page.goto(base + "/logout", timeout=TIMEOUT)
    assert "Du är utloggad" in page.content()
    page.goto(base + STAFF, timeout=TIMEOUT)
    assert "/login" in page.url
    assert page.watch.external_requests == [] and page.watch.page_errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_programme_participant_code_guesses_limited_in_chromium(server, page, monkeypatch):
    """The page's kernel counts wrong codes against the address the server saw, never one the visitor claims."""
    base, _, _, url, key = server
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(key))
    pid = store.register(participant(2), url)
    record_hours(pid, "workshop", "2026-03", 4, url)
    person = next(r.person_id for r in store.records(url) if r.participation_id == pid)
    code = issue_code(person, url)
    page.set_extra_http_headers({"X-LCE-Client": "203.0.113.99"})
    page.goto(base + ATTEST, timeout=TIMEOUT)
    field = page.get_by_label("Personlig kod / Personal code")
    field.wait_for(timeout=TIMEOUT)
    show = page.get_by_role("button", name="Visa mina timmar / Show my hours")
    status = page.locator(".lce-error")
    for i in range(CODE_GUESSES):
        field.fill(f"0000-0000-{i:04d}")
        show.click()
        refusals(url, i + 1)  # (the message stays the same from one wrong code to the next: count them)
        page.get_by_text("koden gäller inte / the code is not valid").wait_for(timeout=60_000)
    field.fill(code)
    show.click()
    page.get_by_text("too many wrong codes from here").wait_for(timeout=60_000)
    assert "2026-03" not in status.inner_text() and page.locator("#my-hours").count() == 0
    with store.reading(url) as session:
        actors = {e.actor for e in session.query(AuditEvent).filter_by(action="code_refused")}
    assert actors == {attendance._client_actor("127.0.0.1")}, "the server's address, not the claimed one"
    assert hours_for_code(code, url) == {"2026-03": 4.0}, "the code itself is fine"
    assert page.watch.external_requests == [] and page.watch.page_errors == []
