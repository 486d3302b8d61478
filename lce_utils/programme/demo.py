"""A fictitious register of 230 participants for `lce run` and the reports: names and e-mails from the mentorship
demo, nbgrader ids of the demo submissions, and personnummer made at run time with valid check digits (no
personnummer is ever written in a committed file)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lce_utils.paths import VAR
from lce_utils.programme import fields, personnummer
from lce_utils.programme.crypto import Cipher
from lce_utils.programme.models import Attendance, Participation, Result
from lce_utils.programme.store import add_participant, audit, reading, transaction

TARGET = 230
# the first is the institution of the sample lab run (`lce labs`), so the demo roster links a lab
INSTITUTIONS = ["Kulturhuset Öresund (fiktivt / fictitious)", "Teater Syd (fiktiv)", "Ljudverkstan (fiktiv)",
                "Bildhuset (fiktivt)", "Konsthallen Norr (fiktiv)"]


def demo_url() -> str:
    """The demo register (never the real LCE_PROGRAMME_DB)."""
    return f"sqlite:///{VAR / 'programme-demo.db'}"


def demo_students() -> list[str]:
    """The nbgrader ids of the demo submissions (instructors' checkout only; read from their expected grades, which
    is cheaper than importing the course's demo module)."""
    folder = Path(__file__).parent.parent / "courses" / "demo_expected"
    students: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):  # one per course: notebooks -> lesson -> expected -> student
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for lesson in (data.get("notebooks") or {}).values():
            students |= set((lesson or {}).get("expected") or {})
    return sorted(students)


def demo_people(n: int = TARGET, seed: int = 2026, today: dt.date | None = None) -> list[dict]:
    """n fictitious participants' records (as staff would enter them), the same for the same seed and day."""
    from lce_utils.mentorship.demo import demo_applications

    today = today or dt.date.today()
    rng = random.Random(seed)
    mentorship = demo_applications()
    students = demo_students()
    start = dt.date(today.year - 1, 1, 1)
    span = max(1, (today - dt.timedelta(days=35) - start).days)
    used: set[tuple[dt.date, int]] = set()
    people = []
    for i in range(n):
        app = mentorship[i] if i < len(mentorship) else None
        name = app["name"] if app else f"Demodeltagare {i + 1}"
        entry = start + dt.timedelta(days=rng.randrange(span))
        age = rng.choice([16, 17, 18, 22, 25, 29, 30, 34, 38, 41, 45, 49, 52, 54, 55, 58, 61, 66])
        born = entry - dt.timedelta(days=365 * age + rng.randrange(1, 360))
        serial = rng.randrange(100, 999)
        while (born, serial) in used:
            serial = rng.randrange(100, 999)
        used.add((born, serial))
        protected = i % 97 == 5
        record = {
            "name": name, "email": app["email"] if app else f"demo.{i + 1}@example.org",
            "gender": rng.choices(["woman", "man", "non_binary"], weights=[58, 39, 3])[0],
            "entry_date": entry.isoformat(),
            "labour_status": rng.choices(list(fields.LABOUR), weights=[70, 12, 8, 10])[0],
            "education": rng.choices(list(fields.EDUCATION), weights=[5, 30, 65])[0],
            "third_country_national": rng.random() < 0.08, "foreign_background": rng.random() < 0.22,
            "homeless": rng.random() < 0.01, "rural": rng.random() < 0.3,
            "disability": rng.choices(["yes", "no", "declined", None], weights=[8, 70, 15, 7])[0],
            "minority": rng.choices(["yes", "no", "declined", None], weights=[4, 70, 18, 8])[0],
            "mentorship_email": app["email"] if app else None,
            "student_id": students[i] if i < len(students) else None,
            "institution": INSTITUTIONS[i % len(INSTITUTIONS)] if i % 9 == 0 else None,
        }
        if protected:
            record.update(protected_identity="yes", birth_date=born.isoformat())
        else:
            record["personnummer"] = personnummer.make(born, serial, coordination=i % 41 == 3)
        exit_day = entry + dt.timedelta(days=rng.randint(60, 300))
        if exit_day < today - dt.timedelta(days=28) and rng.random() < 0.7:
            record.update(exit_date=exit_day.isoformat(),
                          exit_reason=rng.choices(list(fields.EXIT_REASONS), weights=[70, 15, 10, 5])[0])
        people.append({k: ("yes" if v is True else "no" if v is False else v) for k, v in record.items()
                       if v is not None})
    return people


def seed_demo(url: str | None = None, n: int = TARGET, seed: int = 2026, today: dt.date | None = None) -> str:
    """Fill the demo register once (safe to run again); returns a one-line summary."""
    url = url or demo_url()
    today = today or dt.date.today()
    with reading(url) as session:
        existing = session.scalar(select(func.count(Participation.id))) or 0
    if existing == 0:
        cipher = Cipher.load()
        cleaned = [fields.check_participant(p, today) for p in demo_people(n, seed, today)]
        rng = random.Random(seed + 1)

        def write(session: Session) -> None:
            for clean in cleaned:
                part = add_participant(session, clean, cipher, method="demo")
                if part.exit_date is not None:
                    _results(session, part, rng, today)
                _hours(session, part, rng, today)
            audit(session, "demo", participants=len(cleaned), actor="lce programme demo")

        transaction(write, url)
    with reading(url) as session:
        count = session.scalar(select(func.count(Participation.id))) or 0
        left = session.scalar(select(func.count(Participation.id)).where(Participation.exit_date.is_not(None))) or 0
    return (f"demo programme register in {url.split('///', 1)[-1]}: {count} participants (fictitious), {left} left, "
            f"target {TARGET}")


def _hours(session: Session, part: Participation, rng: random.Random, today: dt.date) -> None:
    """Workshop hours in every month of the participation (some months without any: the roster's at-risk)."""
    day = part.entry_date.replace(day=1)
    last = min(part.exit_date or today, today)
    while day <= last:
        if rng.random() < 0.8:
            session.add(Attendance(participation_id=part.id, activity="workshop", month=f"{day:%Y-%m}",
                                   hours=float(rng.choice([2, 3, 4, 6, 8, 12])), source="demo"))
        day = (day + dt.timedelta(days=32)).replace(day=1)


def _results(session: Session, part: Participation, rng: random.Random, today: dt.date) -> None:
    exit_day = part.exit_date
    assert exit_day is not None
    session.add(Result(participation_id=part.id, stage="exit", recorded_on=exit_day + dt.timedelta(days=14),
                       job_searching=rng.random() < 0.2, in_education=rng.random() < 0.15,
                       qualification=rng.random() < 0.6, employed=rng.random() < 0.75))
    later = exit_day + dt.timedelta(days=182)
    if later <= today:
        session.add(Result(participation_id=part.id, stage="six_months", recorded_on=later,
                           employed=rng.random() < 0.8, in_education=rng.random() < 0.1))
