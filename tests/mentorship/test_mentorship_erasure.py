"""Erasure and retention that hold: after erase-person no table row and no file LCE wrote holds the person; the
audit log has the event without the person; the purge by age (dates frozen by parameters) also expires export
files, and runs by itself when `lce mentorship serve` starts."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text, update

from lce_utils.mentorship import (
    current_matches,
    give_feedback,
    list_applications,
    log_session,
    run_matching,
    submit_application,
)
from lce_utils.mentorship.exports import export_matches, match_rows, write_csv, write_xlsx
from lce_utils.mentorship.models import Application, ExportFile
from lce_utils.mentorship.store import audit_events, export_person, get_engine, purge, transaction
from tests.mentorship.test_mentorship_store import postgres  # noqa: F401 - the PostgreSQL server fixture
from tests.mentorship.test_mentorship_support import application, email
from tests.servers import free_port, running_server

ZELDA = email("zelda.quux")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh SQLite store, its exports folder, and a fixed actor for the audit log."""
    monkeypatch.setenv("LCE_MENTORSHIP_EXPORTS", str(tmp_path / "exports"))
    monkeypatch.setenv("LCE_MENTORSHIP_ACTOR", "tester")
    monkeypatch.delenv("LCE_SMTP_HOST", raising=False)
    return f"sqlite:///{tmp_path / 'mentorship.db'}", tmp_path / "exports"


def programme(url: str) -> None:
    """A mentor (capacity 2) matched with Zelda Quux and Otto Other."""
    submit_application(application(1, name="Mentor Person", role="mentor", skills_offered=["mixing", "grant writing"],
                                   skills_wanted=[], capacity=2), url)
    submit_application(application(2, name="Zelda Quux", email=ZELDA), url)
    submit_application(application(3, name="Otto Other"), url)
    assert run_matching(url)["pairs"] == 2


def file_text(path: Path) -> str:
    """What a file says, lower-cased; an .xlsx (a zip) is every member's XML."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return " ".join(archive.read(n).decode("utf-8") for n in archive.namelist()).lower()
    return path.read_text(encoding="utf-8-sig").lower()


def every_table(url: str) -> str:
    """Every row of every table, as text, lower-cased."""
    engine = get_engine(url)
    with engine.connect() as conn:
        return "\n".join(repr(tuple(row)) for name in inspect(engine).get_table_names()
                         for row in conn.execute(text(f'SELECT * FROM "{name}"'))).lower()


def cli(capsys, *args: str) -> tuple[int, str, str]:
    from lce_utils.cli import main

    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def test_erase_person_leaves_no_row_and_no_file(store, tmp_path, capsys):
    url, exports = store
    programme(url)
    code = next(m.code for m in current_matches(url) if m.b.person.email == ZELDA)
    log_session(ZELDA, code, dt.date(2026, 11, 2), 60, "online", url=url)
    give_feedback(ZELDA, code, 5, "Mycket givande", url=url)
    give_feedback(email("person1"), code, 4, "Bra samtal med Zelda", url=url)
    # registered files: the default exports folder, another folder, one person's JSON named after her
    assert cli(capsys, "mentorship", "export-matches", "--db", url)[0] == 0
    assert cli(capsys, "mentorship", "export-matches", "--db", url, "--out", str(tmp_path / "elsewhere"))[0] == 0
    assert cli(capsys, "mentorship", "export-person", ZELDA, "--db", url, "--out",
               str(exports / "zelda-quux.json"))[0] == 0
    # files the coordinator app wrote before the registry existed (the bug report's matches-*.csv/xlsx, person-*)
    write_csv(match_rows(url), exports / "matches-20261101-101010.csv")
    write_xlsx(match_rows(url), exports / "matches-20261101-101010.xlsx")
    (exports / "person-20261101-101011.json").write_text(json.dumps(export_person(ZELDA, url)), encoding="utf-8")
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in {".csv", ".xlsx", ".json"})
    assert len(files) == 8 and all("zelda" in file_text(p) for p in files)
    assert "zelda" in every_table(url)

    rc, out, _ = cli(capsys, "mentorship", "erase-person", ZELDA, "--yes", "--db", url)
    assert rc == 0
    assert out.strip() == f"erased 7 records about {ZELDA}; export files rewritten 6, deleted 2"

    left = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in {".csv", ".xlsx", ".json"})
    assert [p.relative_to(tmp_path).as_posix() for p in left] == [
        "elsewhere/matches.csv", "elsewhere/matches.xlsx", "exports/matches-20261101-101010.csv",
        "exports/matches-20261101-101010.xlsx", "exports/matches.csv", "exports/matches.xlsx"]
    for path in left:
        content = file_text(path)
        assert "zelda" not in content and "quux" not in content, path
        assert "otto other" in content and "mentor person" in content, "the other pair is kept"
        if path.suffix == ".csv":
            assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 2, "header and the other pair"
    tables = every_table(url)
    assert "zelda" not in tables and "quux" not in tables and "mycket givande" not in tables
    assert "otto other" in tables
    events = [(e.actor, e.action, e.details) for e in audit_events(url)]
    assert events == [
        ("tester", "export_matches", {"rows": 2, "files": ["matches.csv", "matches.xlsx"]}),
        ("tester", "export_matches", {"rows": 2, "files": ["matches.csv", "matches.xlsx"]}),
        ("tester", "export_person", {"stored": True, "file_id": 5}),
        ("tester", "erase_person", {"rows": 7, "files_rewritten": 6, "files_deleted": 2}),
    ]
    rc, out, _ = cli(capsys, "mentorship", "audit", "--db", url)
    assert rc == 0 and len(out.strip().splitlines()) == 4 and "zelda" not in out.lower()


def test_coordinator_exports_leave_no_file_on_the_server(store):
    from lce_utils.mentorship.apps.coordinator import CoordinatorApp

    url, exports = store
    programme(url)
    app = CoordinatorApp(url=url)
    app.on_export("csv")
    app.on_export("xlsx")
    app.email.value = ZELDA
    app.on_export_person()
    assert app.export_result.value.count('href="data:') == 1 and "matches-" in app.export_result.value
    assert 'download="person.json"' in app.person_result.value
    assert not exports.exists()
    assert [(e.actor, e.action, e.details) for e in audit_events(url)] == [
        ("coordinator (token)", "export_matches", {"rows": 2, "format": "csv", "stored": False}),
        ("coordinator (token)", "export_matches", {"rows": 2, "format": "xlsx", "stored": False}),
        ("coordinator (token)", "export_person", {"stored": False})]


def age(url: str, model, when: dt.datetime, **where) -> None:
    """Set created_at of the rows of model (matching where) to when."""
    query = update(model).values(created_at=when)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    transaction(lambda session: session.execute(query), url)


def test_purge_by_age_also_expires_export_files(store):
    url, exports = store
    programme(url)  # applications 1 (mentor), 2 (Zelda), 3 (Otto)
    age(url, Application, dt.datetime(2026, 11, 1))
    age(url, Application, dt.datetime(2025, 1, 1), id=2)
    export_matches(exports, url, stem="old")
    export_matches(exports, url, stem="new")
    age(url, ExportFile, dt.datetime(2026, 10, 1))
    transaction(lambda s: s.execute(update(ExportFile).where(ExportFile.path.like("%new.%"))
                                    .values(created_at=dt.datetime(2026, 11, 20))), url)
    notes, readme = exports / "notes.txt", exports / "readme.txt"  # unregistered, naming nobody
    notes.write_text("old notes", encoding="utf-8")
    readme.write_text("recent", encoding="utf-8")
    os.utime(notes, (dt.datetime(2026, 10, 15, tzinfo=dt.UTC).timestamp(),) * 2)
    os.utime(readme, (dt.datetime(2026, 11, 25, tzinfo=dt.UTC).timestamp(),) * 2)

    counts = purge(365, url, export_days=30, now=dt.datetime(2026, 12, 1), actor="tester")
    assert counts == {"applications": 1, "people": 1, "files_rewritten": 4, "files_deleted": 0,
                      "files_expired": 3}
    assert sorted(p.name for p in exports.iterdir()) == ["new.csv", "new.xlsx", "readme.txt"]
    assert "zelda" not in file_text(exports / "new.csv") and "zelda" not in file_text(exports / "new.xlsx")
    assert "zelda" not in every_table(url)
    assert [a.id for a in list_applications(url)] == [1, 3]
    event = audit_events(url)[-1]
    assert (event.actor, event.action, event.details) == ("tester", "purge", {"days": 365, "export_days": 30,
                                                                              **counts})
    # a day later nothing more is old enough
    assert purge(365, url, export_days=30, now=dt.datetime(2026, 12, 2), actor="tester") == {
        "applications": 0, "people": 0, "files_rewritten": 0, "files_deleted": 0, "files_expired": 0}


def test_purge_period_from_the_environment(store, monkeypatch, capsys):
    url, _ = store
    programme(url)
    age(url, Application, dt.datetime(2000, 1, 1), id=3)
    monkeypatch.setenv("LCE_MENTORSHIP_RETENTION_DAYS", "ten")
    rc, out, err = cli(capsys, "mentorship", "purge", "--db", url)
    assert rc == 1 and len(err.strip().splitlines()) == 1 and "LCE_MENTORSHIP_RETENTION_DAYS" in err
    monkeypatch.setenv("LCE_MENTORSHIP_RETENTION_DAYS", "10")
    rc, out, err = cli(capsys, "mentorship", "purge", "--db", url)
    assert rc == 0 and out.startswith("erased 1 applications older than 10 days")
    assert [a.id for a in list_applications(url)] == [1, 2]


def wait_for_purge(url: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in audit_events(url) if e.action == "purge"]
        if found:
            return {"actor": found[0].actor, **found[0].details}
        time.sleep(0.2)
    raise TimeoutError("no purge in the audit log")


def test_retention_schedule_runs_at_once(store):
    from lce_utils.mentorship.retention import start_retention_schedule

    url, _ = store
    programme(url)
    age(url, Application, dt.datetime(2000, 1, 1), id=2)
    stop = start_retention_schedule(url, interval=3600)
    try:
        assert wait_for_purge(url) == {"actor": "retention (automatic)", "days": 365, "export_days": 30,
                                       "applications": 1, "people": 1, "files_rewritten": 0, "files_deleted": 0,
                                       "files_expired": 0}
    finally:
        stop.set()


@pytest.mark.slow
def test_serve_purges_on_start_and_says_which_database(store, tmp_path):
    url, _ = store
    programme(url)
    age(url, Application, dt.datetime(2000, 1, 1), id=2)
    port = free_port()
    log = tmp_path / "serve.log"
    argv = [str(Path(sys.executable).parent / "lce"), "mentorship", "serve", "--port", str(port), "--db", url,
            "--pool", "0", "--max-kernels", "2", "--token", "t" * 32]
    with running_server(argv, port, "/lce/health", env={"LCE_MENTORSHIP_RETENTION_DAYS": "365"}, log=log):
        assert wait_for_purge(url)["applications"] == 1
    out = log.read_text(encoding="utf-8")
    assert f"database / databas: SQLite {tmp_path / 'mentorship.db'}" in out
    assert [a.id for a in list_applications(url)] == [1, 3]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_export_during_an_erasure_never_writes_the_person(backend, store, tmp_path, request):
    """The export waits for the erasure's transaction (exclusive), then reads the store without the person."""
    import threading

    from lce_utils.mentorship.store import _delete_applications, _delete_people, _person, exclusive

    url = store[0] if backend == "sqlite" else request.getfixturevalue("postgres").new_database()
    programme(url)
    erasing, release = threading.Event(), threading.Event()

    def erase_slowly(session) -> None:
        exclusive(session)
        person = _person(session, ZELDA)
        app_ids = [a.id for a in person.applications]
        _delete_applications(session, app_ids)
        _delete_people(session, [person.id])
        erasing.set()
        release.wait(30)

    eraser = threading.Thread(target=transaction, args=(erase_slowly, url))
    eraser.start()
    erasing.wait(30)
    exporter = threading.Thread(target=export_matches, args=(tmp_path / "during", url))
    exporter.start()
    exporter.join(2)  # gives the export every chance to read too early, if nothing holds it back
    release.set()
    eraser.join(60)
    exporter.join(60)
    content = file_text(tmp_path / "during" / "matches.csv")
    assert "zelda" not in content and "otto other" in content



@pytest.mark.slow
def test_coordinator_error_message_follows_a_language_switch(store):
    """An invalid e-mail's message is shown again in English after the switch (it raised NameError: the message
    function referred to the exception variable, which Python deletes when the except block ends)."""
    from lce_utils.mentorship.apps.coordinator import CoordinatorApp

    url, _ = store
    app = CoordinatorApp(url=url)
    app.email.value = "not an address"
    app.on_export_person()
    swedish = app.person_result.value
    assert 'role="alert"' in swedish and "e-post" in swedish.lower()
    app.switch.widget.value = "en"
    english = app.person_result.value
    assert 'role="alert"' in english and "e-mail" in english.lower() and english != swedish
