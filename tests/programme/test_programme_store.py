"""The register on real SQLite and a real PostgreSQL server: participants, encryption at rest, declined special
categories with their collection log, re-entry, protected identity, exits and results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text

from lce_utils.errors import DataError
from lce_utils.programme import store
from lce_utils.programme.fields import FieldError
from lce_utils.programme.models import CollectionAttempt, Participation, Person
from lce_utils.programme.personnummer import make

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch) -> Path:
    """Each test its own key, outside the database."""
    path = tmp_path / "keys" / "programme.key"
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(path))
    monkeypatch.delenv("LCE_PROGRAMME_KEY", raising=False)
    return path


def person(k: int = 1, **changes) -> dict:
    """A fictitious participant whose number is made at run time."""
    data = {"name": f"Deltagare {k}", "email": f"deltagare{k}@example.org",
            "personnummer": make(dt.date(1980 + k % 30, 1 + k % 12, 1 + k % 28), 100 + k),
            "gender": "kvinna", "entry_date": "2026-03-02", "labour_status": "anställd", "education": "5-8",
            "foreign_background": "nej", "rural": "ja"}
    data.update(changes)
    return data


def test_register_and_read_back(url):
    pid = store.register(person(1, disability="ja", minority="nej"), url, today=TODAY)
    [record] = store.records(url)
    assert record.participation_id == pid
    assert record.personnummer == person(1)["personnummer"]
    assert (record.gender, record.labour_status, record.education) == ("woman", "employed", "isced_5_8")
    assert record.flags == {"third_country_national": None, "foreign_background": False, "homeless": None,
                            "rural": True}
    assert record.special == {"disability": "yes", "minority": "no"}
    with store.reading(url) as session:
        row = session.scalar(select(Participation))
        assert row.disability_token not in {None, "yes"} and row.minority_token not in {None, "no"}
        assert session.scalar(select(Person.pnr_token)) != person(1)["personnummer"]


def test_declined_special_category_stays_blank_with_the_attempt_logged(url):
    pid = store.register(person(2, disability="avböjt"), url, today=TODAY)
    [record] = store.records(url)
    assert record.special == {"disability": None, "minority": None}
    with store.reading(url) as session:
        attempts = [(a.category, a.outcome, a.method) for a in session.scalars(select(CollectionAttempt))]
    assert attempts == [("disability", "declined", "staff")]   # minority was not asked: no attempt
    store.collect_special(pid, "disability", "nej", url)        # asked again later: answered
    store.collect_special(pid, "minority", "declined", url)
    assert store.records(url)[0].special == {"disability": "no", "minority": None}
    with store.reading(url) as session:
        attempts = [(a.category, a.outcome) for a in session.scalars(select(CollectionAttempt)
                                                                      .order_by(CollectionAttempt.id))]
    assert attempts == [("disability", "declined"), ("disability", "answered"), ("minority", "declined")]


def test_re_entry_of_the_same_person(url):
    first = store.register(person(3), url, today=TODAY)
    ten_digit = person(3)["personnummer"][2:]      # the same person written in the ten-digit form
    with pytest.raises(FieldError, match="the person already takes part since 2026-03-02"):
        store.register(person(3, personnummer=ten_digit, entry_date="2026-05-04"), url, today=TODAY)
    store.record_exit(first, "2026-04-30", "fullföljt", url)
    with pytest.raises(FieldError, match="already takes part"):          # entering before the exit
        store.register(person(3, personnummer=ten_digit, entry_date="2026-04-15"), url, today=TODAY)
    second = store.register(person(3, personnummer=ten_digit, entry_date="2026-09-01"), url, today=TODAY)
    rows = store.records(url)
    assert [(r.participation_id, r.entry_date, r.exit_date) for r in rows] == [
        (first, dt.date(2026, 3, 2), dt.date(2026, 4, 30)), (second, dt.date(2026, 9, 1), None)]
    assert rows[0].person_id == rows[1].person_id
    with store.reading(url) as session:
        assert session.scalar(text("SELECT count(*) FROM programme_people")) == 1


def test_protected_identity_has_no_number_but_a_birth_date(url):
    with pytest.raises(FieldError, match="födelsedatum: saknas / birth date: missing"):
        store.register(person(4, personnummer="", protected_identity="ja"), url, today=TODAY)
    with pytest.raises(FieldError, match="left empty for a protected identity"):
        store.register(person(4, protected_identity="ja"), url, today=TODAY)
    store.register(person(4, personnummer="", protected_identity="ja", birth_date="1970-06-30"), url, today=TODAY)
    [record] = store.records(url)
    assert record.protected_identity and record.personnummer is None
    assert record.birth_date == dt.date(1970, 6, 30)


def test_exit_and_results(url):
    pid = store.register(person(5), url, today=TODAY)
    with pytest.raises(DataError, match="has no exit date yet"):
        store.record_result(pid, "exit", "2026-05-01", url, employed="ja")
    store.record_exit(pid, "2026-04-30", "arbete", url)
    with pytest.raises(DataError, match="recorded 5.0 weeks after the exit, expected 0 to 4"):
        store.record_result(pid, "exit", "2026-06-04", url, employed="ja")
    store.record_result(pid, "exit", "2026-05-28", url, employed="ja", qualification="ja")
    store.record_result(pid, "six_months", "2026-10-30", url, employed="ja")
    [record] = store.records(url)
    assert record.exit_reason == "employment"
    assert record.results == {
        "exit": {"job_searching": False, "in_education": False, "qualification": True, "employed": True},
        "six_months": {"job_searching": False, "in_education": False, "qualification": False, "employed": True}}


def test_no_personnummer_in_the_database_file(tmp_path, key_file):
    url = f"sqlite:///{tmp_path / 'programme.db'}"
    numbers = [person(k)["personnummer"] for k in range(1, 21)]
    for k in range(1, 21):
        store.register(person(k, disability="ja", minority="nej"), url, today=TODAY)
    store.get_engine(url).dispose()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("programme.db")]
    content = b"".join(p.read_bytes() for p in files)
    assert len(content) > 10_000
    for number in numbers:
        for form in (number, number.replace("-", ""), number[2:], number[2:].replace("-", "")):
            assert form.encode() not in content, f"{form} found in {files}"
    assert b"Deltagare 7" in content, "the search would find plain text (names are not encrypted)"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0, "the key is private to its owner"
    assert all(number.encode() not in key_file.read_bytes() for number in numbers)


def test_another_key_cannot_read_the_register(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'programme.db'}"
    store.register(person(6), url, today=TODAY)
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(tmp_path / "other.key"))   # a lost key file, made anew
    with pytest.raises(DataError, match="this is not the register's key .*other.key.*; restore the key"):
        store.records(url)
    with pytest.raises(DataError, match="this is not the register's key"):
        store.register(person(7), url, today=TODAY)     # nothing encrypted with a second key
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(tmp_path / "keys" / "programme.key"))
    assert [r.name for r in store.records(url)] == ["Deltagare 6"]


def test_default_url_is_resolved_like_mentorship(monkeypatch, tmp_path):
    from lce_utils.paths import ROOT

    monkeypatch.setenv("LCE_PROGRAMME_DB", "sqlite:///var/elsewhere-programme.db")
    assert store.normalise_url(None) == f"sqlite:///{ROOT}/var/elsewhere-programme.db"
    monkeypatch.delenv("LCE_PROGRAMME_DB")
    assert store.normalise_url(None) == f"sqlite:///{ROOT}/var/programme.db"
    assert store.normalise_url("postgresql://u@db/lce") == "postgresql+psycopg://u@db/lce"
    with pytest.raises(DataError, match="programme register: 'var/p.db' is not a database URL.*LCE_PROGRAMME_DB"):
        store.normalise_url("var/p.db")


@pytest.mark.postgres
@pytest.mark.slow
def test_shares_a_postgres_database_with_mentorship(postgres):
    from lce_utils.mentorship.store import get_engine as mentorship_engine

    url = postgres.new_database()
    mentorship_engine(url)
    store.register(person(7), url, today=TODAY)
    with store.reading(url) as session:
        tables = set(session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    assert {"alembic_version", "programme_alembic_version", "people", "programme_people"} <= tables


def test_upgrading_a_filled_register_keeps_its_participants(tmp_path):
    """Migration 0002 once re-created programme_people in SQLite's batch mode: with foreign keys on, dropping the
    old table deleted every participation (ON DELETE CASCADE). A register at 0001 must keep its rows."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from lce_utils.database import sqlite_setup

    url = f"sqlite:///{tmp_path / 'programme.db'}"
    engine = create_engine(url)
    sqlite_setup(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(store.MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO programme_people (id, name, coordination_number, protected_identity, "
                          "birth_date, gender, created_at) VALUES (1, 'Deltagare 1', 0, 1, '1980-01-02', 'woman', "
                          "'2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO programme_participations (id, person_id, entry_date, labour_status, "
                          "education, created_at, updated_at) VALUES (1, 1, '2026-01-05', 'employed', 'isced_5_8', "
                          "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        conn.commit()
    engine.dispose()
    [record] = store.records(url)          # opening the register upgrades it to the newest migration
    assert (record.name, record.entry_date) == ("Deltagare 1", dt.date(2026, 1, 5))
    with store.reading(url) as session:
        assert session.scalar(text("SELECT version_num FROM programme_alembic_version")) == "0004"
