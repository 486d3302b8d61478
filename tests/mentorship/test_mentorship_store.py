"""The store on real SQLite and on a real PostgreSQL server started by the tests: the same tests for both."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading

import pandas as pd
import pytest
from sqlalchemy import inspect, select, text, update

from lce_utils.mentorship import (
    ValidationError,
    current_matches,
    erase_person,
    export_person,
    give_feedback,
    list_applications,
    log_session,
    outcome_tables,
    purge_older_than,
    run_matching,
    set_locked,
    submit_application,
)
from lce_utils.mentorship.exports import export_matches
from lce_utils.mentorship.models import Application, Consent
from lce_utils.mentorship.store import exclude_match, get_engine, reading, transaction
from tests.mentorship.test_mentorship_support import PostgresServer, application, email


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


# (the PostgreSQL variant starts a server and makes a database: slow; the SQLite one is the quick check)
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow])])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mentorship.db'}"
    return request.getfixturevalue("postgres").new_database()


def mentor(i: int, **changes) -> dict:
    return application(i, role="mentor", skills_offered=["mixing", "grant writing"], skills_wanted=[], **changes)


def test_mentorship_schema_is_versioned(url):
    engine = get_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
    tables = set(inspect(engine).get_table_names())
    assert {"people", "applications", "consents", "match_runs", "matches", "exclusions", "sessions",
            "feedback", "confirmations", "export_files", "export_file_people", "audit_log", "directory_consents",
            "learner_feedback"} <= tables


def test_mentorship_submit_stores_once_with_consent(url):
    first = submit_application(application(1), url)
    again = submit_application(application(1), url)
    assert again.id == first.id and again.duplicate and not first.duplicate
    changed = submit_application(application(1, goals="Another goal entirely"), url)
    assert changed.id != first.id
    apps = list_applications(url)
    assert len(apps) == 2 and len({a.person_id for a in apps}) == 1
    with reading(url) as session:
        consents = list(session.scalars(select(Consent)))
    assert len(consents) == 2 and all(c.purpose for c in consents)


def test_mentorship_invalid_is_not_stored(url):
    with pytest.raises(ValidationError):
        submit_application(application(2, municipality="Oslo"), url)
    assert list_applications(url) == []


def test_mentorship_list_filters(url):
    submit_application(application(1, organisation="Teater Syd"), url)
    submit_application(mentor(2, field="film"), url)
    assert [a.role for a in list_applications(url, role="mentor")] == ["mentor"]
    assert len(list_applications(url, field="film")) == 1
    assert len(list_applications(url, text="teater")) == 1
    assert len(list_applications(url, text="TESTPERSON")) == 2


def test_mentorship_concurrent_writers_lose_no_row(url):
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for j in range(5):
                submit_application(application(k * 100 + j), url)
                submit_application(application(k * 100 + j), url)  # the duplicate is stored once
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(list_applications(url)) == 40


@pytest.mark.slow
def test_mentorship_concurrent_processes_lose_no_row(url):
    code = ("import sys; from tests.mentorship.test_mentorship_support import application; "
            "from lce_utils.mentorship import submit_application; k=int(sys.argv[1]); "
            "[submit_application(application(k*100+j), sys.argv[2]) for j in range(6)]")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(k), url]) for k in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert len(list_applications(url)) == 24


def test_mentorship_matching_run_lock_exclude_and_export(url, tmp_path):
    submit_application(mentor(1, capacity=2, organisation="Org"), url)
    for i in range(2, 5):
        submit_application(application(i, organisation="Org" if i == 2 else None), url)
    summary = run_matching(url)
    matches = current_matches(url)
    assert summary["pairs"] == len(matches) == 2
    assert all(m.a.person.email == email("person1") for m in matches)
    assert email("person2") not in {m.b.person.email for m in matches}  # same organisation
    set_locked(matches[0].id, True, url)
    locked_b = matches[0].b_application_id
    run_matching(url)
    again = current_matches(url)
    assert any(m.locked and m.b_application_id == locked_b for m in again) and len(again) == 2
    unlocked = next(m for m in again if not m.locked)
    exclude_match(unlocked.id, url)
    run_matching(url, exclude_same_org=False)
    final = current_matches(url)
    assert {frozenset((m.a_application_id, m.b_application_id)) for m in final}.isdisjoint(
        {frozenset((unlocked.a_application_id, unlocked.b_application_id))})
    csv_path, xlsx_path = export_matches(tmp_path, url)
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("pair_id,kind,code")
    assert xlsx_path.stat().st_size > 0


def test_mentorship_export_erase_and_purge(url):
    submit_application(mentor(1), url)
    submit_application(application(2), url)
    run_matching(url)
    code = current_matches(url)[0].code
    log_session(email("person2"), code, dt.date.today(), 60, "online", url=url)
    give_feedback(email("person2"), code, 4, "Bra samtal", url=url)
    data = export_person(email("person2"), url)
    assert data["person"]["name"] == "Testperson 2"
    assert len(data["applications"]) == 1 and data["feedback"][0]["comment"] == "Bra samtal"
    assert data["sessions"][0]["minutes"] == 60
    assert "person1" not in str(data), "the partner's personal data is not part of the export"
    removed = erase_person(email("person2"), url)
    assert removed >= 5
    assert [a.person.email for a in list_applications(url)] == [email("person1")]
    with pytest.raises(Exception, match="no person"):
        export_person(email("person2"), url)
    # retention: make the remaining application old, then purge
    def age(session):
        session.execute(update(Application).values(created_at=dt.datetime(2020, 1, 1)))
    transaction(age, url)
    assert purge_older_than(365, url) == 1
    assert list_applications(url) == []


def test_mentorship_followup_needs_the_right_code(url):
    submit_application(mentor(1), url)
    submit_application(application(2), url)
    run_matching(url)
    code = current_matches(url)[0].code
    with pytest.raises(ValidationError) as info:
        log_session(email("person3"), code, "2025-01-10", 60, "online", url=url)
    assert "match_code" in info.value.errors
    with pytest.raises(ValidationError):
        give_feedback(email("person2"), "deadbeef", 5, None, url=url)
    log_session(email("person1"), code, "2025-01-10", 60, "online", url=url)
    assert current_matches(url)[0].locked, "a pair with sessions is kept by later runs"


def test_mentorship_outcome_tables_suppress_small_groups(url):
    for i in range(6):
        submit_application(application(i, field="film"), url)
    for i in range(6, 8):
        submit_application(mentor(i, field="games", capacity=3), url)
    run_matching(url)
    for m in current_matches(url):
        give_feedback(m.b.person.email, m.code, 5, "fritext som aldrig publiceras", url=url)
    tables = outcome_tables(url, k=5)
    roles = dict(zip(tables["participants_by_role"]["role"], tables["participants_by_role"]["participants"]))
    # 6 mentees and 2 mentors: the 2 is hidden, and so is the 6 (else 8 applications - 6 would give it away)
    assert roles["mentee"] is pd_na() and roles["mentor"] is pd_na() and roles["mutual"] == 0
    fields = dict(zip(tables["participants_by_field"]["field"], tables["participants_by_field"]["participants"]))
    assert fields["film"] is pd_na() and fields["games"] is pd_na()
    assert int(tables["matches_by_kind"].set_index("kind").loc["mentoring", "matches"]) == 6
    summary = tables["feedback_summary"]
    assert int(summary["responses"][0]) == 6 and float(summary["mean_score"][0]) == 5.0
    assert set(tables) >= {"participants_by_role", "participants_by_field", "matches_by_kind", "sessions_by_month",
                           "feedback_scores", "feedback_summary"}
    dumped = " ".join(t.to_csv() for t in tables.values())
    assert "@" not in dumped and "Testperson" not in dumped and "fritext" not in dumped
    few = outcome_tables(url, k=10)["feedback_summary"]
    assert few["responses"].isna()[0] and few["mean_score"].isna()[0]


def test_mentorship_outcome_tables_hide_a_single_small_group_from_subtraction(url):
    """7 mentees, 6 mentors, 2 mutual: 15 applications published; mutual alone hidden would be 15 - 7 - 6 = 2."""
    for i in range(7):
        submit_application(application(i, field="film"), url)
    for i in range(7, 13):
        submit_application(mentor(i, field="music"), url)
    for i in range(13, 15):
        submit_application(application(i, role="mutual", field="games", skills_offered=["mixing"]), url)
    tables = outcome_tables(url, k=5)
    published = int(tables["programme_summary"]["applications"][0])
    assert published == 15
    roles = tables["participants_by_role"].set_index("role")["participants"]
    assert roles.isna().sum() == 2 and pd.isna(roles["mutual"]) and pd.isna(roles["mentor"]) and roles["mentee"] == 7
    # what a reader can work out: only the sum of the hidden groups, not either of them
    assert published - int(roles.sum(skipna=True)) == 8
    for name, column in (("participants_by_field", "participants"), ("matches_by_kind", "matches"),
                         ("feedback_scores", "responses"), ("sessions_by_month", "sessions")):
        assert tables[name][column].isna().sum() != 1, name


def pd_na():
    import pandas as pd

    return pd.NA
