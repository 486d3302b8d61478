"""One person across the parts, for staff only (never published): per participation, courses started, submitted
and passed (nbgrader's gradebook, by the linked student id), the mentorship match and sessions (by the linked
e-mail), the institution whose lab they ran, hours attended, status, and an "at risk" flag."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import or_, select

from lce_utils.messages import both
from lce_utils.paths import VAR
from lce_utils.programme.models import Attendance, Participation
from lce_utils.programme.store import reading

PASS_SHARE = 0.5  # a submission scoring at least half its points passes


@dataclass
class RosterRow:
    """What staff see about one participation."""
    participation_id: int
    name: str
    status: str
    courses_started: int
    courses_submitted: int
    courses_passed: int
    courses_failing: int
    mentorship_match: str
    mentoring_sessions: int
    institution: str
    lab_runs: int
    hours: float
    last_activity: str
    at_risk: str


def _gradebook(course: Path | None) -> dict[str, list[tuple[float, float, dt.date | None]]]:
    """student id -> (score, max score, submitted on) per submitted assignment."""
    if course is None or not (course / "gradebook.db").exists():
        return {}
    from nbgrader.api import Gradebook

    found: dict[str, list[tuple[float, float, dt.date | None]]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        for assignment in book.assignments:
            for submission in assignment.submissions:
                day = submission.timestamp.date() if submission.timestamp else None
                found.setdefault(submission.student.id, []).append(
                    (float(submission.score or 0), float(submission.max_score or 0), day))
    return found


def _lab_runs(labs: Path | None) -> dict[str, int]:
    """Institution (case- and space-folded) -> number of lab runs in labs/*/run.json."""
    import json

    found: dict[str, int] = {}
    for run in sorted(labs.glob("*/run.json")) if labs is not None else []:
        try:
            name = json.loads(run.read_text(encoding="utf-8")).get("institution")
        except (OSError, ValueError):
            continue
        if isinstance(name, str) and name.strip():
            key = " ".join(name.casefold().split())
            found[key] = found.get(key, 0) + 1
    return found


def _mentorship(emails: set[str], url: str | None) -> dict[str, tuple[str, list[dt.date]]]:
    """e-mail -> (match kind or "", session dates) from the mentorship store at url."""
    if not emails or url is None:
        return {}
    from lce_utils.mentorship.models import Application, Match, MentoringSession, Person
    from lce_utils.mentorship.store import reading as mentorship_reading

    found: dict[str, tuple[str, list[dt.date]]] = {}
    with mentorship_reading(url) as session:
        for person in session.scalars(select(Person).where(Person.email.in_(emails))):
            app_ids = list(session.scalars(select(Application.id).where(Application.person_id == person.id)))
            match = session.scalar(select(Match).where(or_(Match.a_application_id.in_(app_ids),
                                                           Match.b_application_id.in_(app_ids))))
            days = list(session.scalars(select(MentoringSession.held_on).where(
                MentoringSession.person_id == person.id))) if match else []
            found[person.email] = (match.kind if match else "", days)
    return found


def existing_mentorship_store(url: str | None) -> str | None:
    """The mentorship store's URL (url or LCE_MENTORSHIP_DB), or None for an SQLite file that does not exist
    (opening it would create an empty store)."""
    from lce_utils.mentorship.store import normalise_url

    found = normalise_url(url)
    if found.startswith("sqlite") and not Path(found.split("///", 1)[-1].split("?", 1)[0]).exists():
        return None
    return found


def roster(url: str | None = None, course: Path | None = None, mentorship_url: str | None = None,
           weeks: int = 4, today: dt.date | None = None, labs: Path | None = None) -> list[RosterRow]:
    """The roster: at risk when in the programme and without any activity (entry, submission, mentoring session,
    attended month) for weeks weeks, or with a failing course. labs (default var/labs) holds the lab runs."""
    today = today or dt.date.today()
    with reading(url) as session:
        parts = session.scalars(select(Participation).order_by(Participation.entry_date, Participation.id)).all()
        people = {p.id: p.person for p in parts}
        hours: dict[int, list[tuple[str, float]]] = {}
        for part_id, month, value in session.execute(select(Attendance.participation_id, Attendance.month,
                                                            Attendance.hours)):
            hours.setdefault(part_id, []).append((month, value))
    grades = _gradebook(course)
    runs = _lab_runs(VAR / "labs" if labs is None else labs)
    mentoring = _mentorship({p.mentorship_email for p in people.values() if p.mentorship_email}, mentorship_url)
    rows = []
    for part in parts:
        person = people[part.id]
        subs = grades.get(person.student_id or "", [])
        passed = sum(1 for score, top, _ in subs if top and score / top >= PASS_SHARE)
        kind, sessions = mentoring.get(person.mentorship_email or "", ("", []))
        attended = hours.get(part.id, [])
        activity = [part.entry_date, *(d for *_, d in subs if d), *sessions]
        activity += [dt.date(int(m[:4]), int(m[5:]), 1) for m, h in attended if h > 0]
        last = max(activity)
        left = part.exit_date is not None and part.exit_date <= today
        reasons = []
        if not left and (today - last).days > 7 * weeks:
            reasons.append(both("p_risk_inactive", weeks=(today - last).days // 7))
        if not left and len(subs) > passed:
            reasons.append(both("p_risk_failing"))
        rows.append(RosterRow(
            participation_id=part.id, name=person.name, status="left" if left else "active",
            courses_started=len(subs), courses_submitted=sum(1 for _, _, d in subs if d),
            courses_passed=passed, courses_failing=len(subs) - passed, mentorship_match=kind,
            mentoring_sessions=len(sessions), institution=person.institution or "",
            lab_runs=runs.get(" ".join((person.institution or "").casefold().split()), 0),
            hours=round(sum(h for _, h in attended), 2), last_activity=last.isoformat(), at_risk="; ".join(reasons)))
    return rows


def write_roster(out: Path, rows: list[RosterRow]) -> None:
    """The roster as CSV (staff only: it names people)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(RosterRow.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
