"""One person across the parts: hours (entered, and from a real nbgrader gradebook with the assignments' expected
time), attestation with a personal code, the roster with a real mentorship store, and the certificate page."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from lce_utils.errors import DataError
from lce_utils.mentorship import current_matches, log_session, run_matching, submit_application
from lce_utils.programme import store
from lce_utils.programme.attendance import (
    attest,
    course_hours,
    expected_minutes,
    hours_for_code,
    issue_code,
    record_hours,
)
from lce_utils.programme.certificate import certificate_html
from lce_utils.programme.fields import FieldError
from lce_utils.programme.models import Attestation, Person
from lce_utils.programme.personnummer import make
from lce_utils.programme.rights import export_person
from lce_utils.programme.roster import roster
from tests.mentorship.test_mentorship_support import application, email

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def alembic_on_path(monkeypatch):
    # nbgrader creates a gradebook by running `alembic` from PATH (the CLI puts the venv there; so does this)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def participant(k: int, **changes) -> dict:
    data = {"name": f"Deltagare {k}", "personnummer": make(dt.date(1980, 2, k), 500 + k), "gender": "woman",
            "entry_date": "2026-02-02", "labour_status": "employed", "education": "isced_5_8"}
    data.update(changes)
    return data


SUBMISSIONS = (("s1", "a1", dt.datetime(2026, 3, 10, 12), 8), ("s1", "a2", dt.datetime(2026, 4, 2, 9), 3),
               ("s2", "a1", dt.datetime(2026, 3, 20, 9), 10))


def course_folder(root: Path, submissions: tuple = SUBMISSIONS) -> Path:
    """A tiny nbgrader course: two assignments with an expected time, a gradebook with real grades."""
    from nbgrader.api import Gradebook

    course = root / "course"
    for assignment, minutes in (("a1", 90), ("a2", 45)):
        folder = course / "source" / assignment
        folder.mkdir(parents=True)
        cell = {"cell_type": "markdown", "metadata": {},
                "source": [f"**Assignment** · **Expected time: about {minutes} minutes**"]}
        (folder / "nb.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                                     "nbformat_minor": 5}), encoding="utf-8")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        for assignment in ("a1", "a2"):
            book.add_assignment(assignment)
            book.add_notebook("nb", assignment)
            book.add_grade_cell("q", "nb", assignment, max_score=10, cell_type="code")
        for student, assignment, day, score in submissions:
            if student not in {s.id for s in book.students}:
                book.add_student(student)
            book.add_submission(assignment, student, timestamp=day)
            grade = book.find_grade("q", "nb", assignment, student)
            grade.auto_score = score
            book.db.commit()
    return course


def test_hours_attestation_and_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    pid = store.register(participant(1), url, today=TODAY)
    record_hours(pid, "workshop", "2026-03", "6,5", url)
    record_hours(pid, "mentoring", "2026-03", 1.5, url)
    record_hours(pid, "workshop", "2026-03", 7, url)            # entered again: replaced
    with pytest.raises(FieldError, match="^timmar: väntade timmar 0–744, fick '-2' / "
                                         "hours: expected hours 0-744, got '-2'$"):
        record_hours(pid, "workshop", "2026-04", "-2", url)
    person_id = store.records(url)[0].person_id
    code = issue_code(person_id, url)
    assert hours_for_code(code, url) == {"2026-03": 8.5}
    with pytest.raises(DataError, match="koden gäller inte / the code is not valid"):
        attest("0000-0000-0000", "2026-03", url)
    with pytest.raises(DataError, match="no hours recorded for 2026-04"):
        attest(code, "2026-04", url)
    assert attest(code.upper(), "2026-03", url) == 8.5
    with store.reading(url) as session:
        [row] = session.query(Attestation).all()
        assert (row.month, row.hours, row.method) == ("2026-03", 8.5, "participant page")
        assert row.attested_at is not None
        assert code not in str(session.scalar(select(Person.code_hash)))


@pytest.mark.slow
def test_course_hours_from_the_gradebook(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    course = course_folder(tmp_path)
    assert expected_minutes(course) == {"a1": {"nb": 90}, "a2": {"nb": 45}}
    first = store.register(participant(1, student_id="s1"), url, today=TODAY)
    store.register(participant(2, student_id="s2", entry_date="2026-03-25"), url, today=TODAY)  # after s2's work
    assert course_hours(course, url) == 2
    data = export_person(participant(1)["personnummer"], url)
    assert data["participations"][0]["attendance"] == [
        {"activity": "course:a1", "month": "2026-03", "hours": 1.5, "source": "course"},
        {"activity": "course:a2", "month": "2026-04", "hours": 0.75, "source": "course"}]
    assert [r.participation_id for r in store.records(url)][0] == first


@pytest.mark.slow
def test_course_hours_count_only_the_lessons_handed_in(tmp_path):
    """A course of lessons: a learner who handed in one of two lessons gets that lesson's minutes, not the course's."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    course = course_folder(tmp_path, submissions=(("s1", "a1", dt.datetime(2026, 3, 10, 12), 8),))
    second = json.loads((course / "source" / "a1" / "nb.ipynb").read_text(encoding="utf-8"))
    second["metadata"]["lce"] = {"lesson": 2, "minutes": 50, "title": {"sv": "Två", "en": "Two"}}
    (course / "source" / "a1" / "lesson-two.ipynb").write_text(json.dumps(second), encoding="utf-8")
    (course / "submitted" / "s1" / "a1").mkdir(parents=True)
    (course / "submitted" / "s1" / "a1" / "lesson-two.ipynb").write_text("{}", encoding="utf-8")
    assert expected_minutes(course)["a1"] == {"nb": 90, "lesson-two": 50}  # metadata before the text line
    store.register(participant(1, student_id="s1"), url, today=TODAY)
    assert course_hours(course, url) == 1
    data = export_person(participant(1)["personnummer"], url)
    assert data["participations"][0]["attendance"] == [
        {"activity": "course:a1", "month": "2026-03", "hours": 0.83, "source": "course"}]


def test_the_real_course_counts_every_lesson_once():
    from lce_utils.courses.curriculum import lessons
    from lce_utils.paths import COURSES

    minutes = expected_minutes(COURSES)
    assert sum(sum(m.values()) for m in minutes.values()) == sum(lesson.minutes or 0 for lesson in lessons())
    assert all(not name.endswith(".en") for m in minutes.values() for name in m)


@pytest.mark.slow
def test_roster_across_the_parts(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    mentoring = f"sqlite:///{tmp_path / 'm.db'}"
    course = course_folder(tmp_path)
    submit_application(application(1, role="mentor", skills_offered=["mixing", "grant writing"], skills_wanted=[]),
                       mentoring, send_code=False)
    submit_application(application(2), mentoring, send_code=False)
    run_matching(mentoring)
    [match] = current_matches(mentoring)
    log_session(email("person2"), match.code, dt.date(2026, 6, 1), 60, url=mentoring)
    labs = tmp_path / "labs"
    for run, name in (("a", "Konsthallen  (fiktiv)"), ("b", "konsthallen (fiktiv)"), ("c", "Annat hus")):
        (labs / run).mkdir(parents=True)
        (labs / run / "run.json").write_text(json.dumps({"institution": name}), encoding="utf-8")
    store.register(participant(1, student_id="s1", institution="Konsthallen (fiktiv)"), url, today=TODAY)
    store.register(participant(2, mentorship_email=email("person2")), url, today=TODAY)
    store.register(participant(3, student_id="s2"), url, today=TODAY)
    pid4 = store.register(participant(4, entry_date="2026-06-01"), url, today=TODAY)
    record_hours(pid4, "workshop", "2026-06", 3, url)
    rows = {r.name: r for r in roster(url, course, mentoring, weeks=4, today=TODAY, labs=labs)}
    one, two, three, four = (rows[f"Deltagare {k}"] for k in range(1, 5))
    assert (one.courses_started, one.courses_passed, one.courses_failing) == (2, 1, 1)
    assert one.at_risk == "ingen aktivitet på 10 veckor / no activity for 10 weeks; underkänd kurs / failing a course"
    assert one.institution == "Konsthallen (fiktiv)" and one.lab_runs == 2 and one.last_activity == "2026-04-02"
    assert two.lab_runs == 0
    assert (two.mentorship_match, two.mentoring_sessions, two.at_risk) == ("mentoring", 1, "")
    assert (three.courses_passed, three.last_activity) == (1, "2026-03-20")
    assert three.at_risk == "ingen aktivitet på 12 veckor / no activity for 12 weeks"
    assert (four.hours, four.at_risk, four.status) == (3.0, "", "active")


def test_certificate_is_printable_escaped_and_offline(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    pid = store.register(participant(1, name="Ada <script>alert(1)</script>"), url, today=TODAY)
    record_hours(pid, "workshop", "2026-03", 6, url)
    record_hours(pid, "course:a1", "2026-03", 1.5, url)
    store.record_exit(pid, "2026-05-29", "completed", url)
    page = certificate_html(pid, url, today=TODAY)
    assert "<script>" not in page and "Ada &lt;script&gt;" in page
    assert "från 2026-02-02 till 2026-05-29" in page and "from 2026-02-02 to 2026-05-29" in page
    assert "<td class=\"n\">7.5</td>" in page
    assert "http" not in page and participant(1)["personnummer"] not in page


def test_import_hours_all_or_nothing(tmp_path):
    from lce_utils.programme.attendance import import_hours
    from lce_utils.programme.importer import ImportRowsError

    url = f"sqlite:///{tmp_path / 'p.db'}"
    first = store.register(participant(1, email="d1@example.org"), url, today=TODAY)
    store.register(participant(2, student_id="s2"), url, today=TODAY)
    bad = tmp_path / "bad.csv"
    bad.write_text("Deltagare;Aktivitet;Månad;Timmar\nd1@example.org;workshop;2026-03;4\nnobody;workshop;2026-03;2\n"
                   f"{first};studiebesök;2026-3;2\ns2;workshop;2026-04;many\n", encoding="utf-8")
    with pytest.raises(ImportRowsError) as caught:
        import_hours(bad, url)
    assert caught.value.errors == [
        "rad/row 3, kolumn/column 'Deltagare': ingen deltagare 'nobody' / no participant 'nobody'",
        "rad/row 4, kolumn/column 'Månad': väntade ÅÅÅÅ-MM, fick '2026-3' / expected YYYY-MM, got '2026-3'",
        "rad/row 5, kolumn/column 'Timmar': väntade timmar 0–744, fick 'many' / expected hours 0-744, got 'many'"]
    assert export_person("d1@example.org", url)["participations"][0]["attendance"] == [], "nothing half-imported"
    good = tmp_path / "good.csv"
    good.write_text("participant,activity,month,hours\nd1@example.org,workshop,2026-03,4\ns2,workshop,2026-04,2.5\n"
                    f"{first},workshop,2026-03,5\n", encoding="utf-8")
    assert import_hours(good, url) == 3
    assert export_person("d1@example.org", url)["participations"][0]["attendance"] == [
        {"activity": "workshop", "month": "2026-03", "hours": 5.0, "source": "imported"}]
