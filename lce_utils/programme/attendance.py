"""Hours per participant, activity and month (entered by staff, or a course's expected time for each submitted
assignment), and each participant's monthly attestation of their hours with a personal code.

Wrong codes are counted per visitor address (stored as a keyed hash in the audit log, so the count holds across
the page's kernels and server restarts): after CODE_GUESSES of them within CODE_WINDOW every code from that
address, the right one too, is refused until the oldest has left the window. Codes are 48 random bits, so the limit
keeps guessing hopeless rather than merely slow."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lce_utils.errors import DataError
from lce_utils.mentorship.models import utcnow
from lce_utils.messages import both
from lce_utils.programme import fields
from lce_utils.programme.crypto import Cipher
from lce_utils.programme.models import Attendance, Attestation, AuditEvent, Participation, Person
from lce_utils.programme.scb import parse_month
from lce_utils.programme.store import audit, reading, transaction

EXPECTED = re.compile(r"Expected time: about (\d+) minutes")
# The visitor's address, given to the attestation page's kernel by `lce programme serve` (AppSite.client_env).
CLIENT_ENV = "HTTP_X_LCE_CLIENT"
CODE_GUESSES = 5  # wrong codes per address ...
CODE_WINDOW = dt.timedelta(hours=1)  # ... within this time
REFUSED = "code_refused"


def _hours(value: Any) -> float:
    try:
        hours = float(str(value).replace(",", "."))
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 744:  # at most every hour of a month
        raise fields.FieldError("hours", "p_hours", value=repr(value))
    return round(hours, 2)


def _upsert(session: Session, participation_id: int, activity: str, month: str, hours: float, source: str) -> None:
    row = session.scalar(select(Attendance).where(Attendance.participation_id == participation_id,
                                                  Attendance.activity == activity, Attendance.month == month))
    if row is None:
        session.add(Attendance(participation_id=participation_id, activity=activity, month=month, hours=hours,
                               source=source))
    else:
        row.hours, row.source = hours, source


def record_hours(participation_id: int, activity: str, month: str, hours: Any, url: str | None = None,
                 source: str = "entered") -> None:
    """Set the hours of one participation on one activity in month YYYY-MM (entered again: replaced)."""
    parse_month(month)
    value = _hours(hours)
    activity = str(activity or "").strip()[:80]
    if not activity:
        raise fields.FieldError("activity", "pf_missing")

    def write(session: Session) -> None:
        if session.get(Participation, participation_id) is None:
            raise DataError(both("p_no_participation", id=participation_id))
        _upsert(session, participation_id, activity, month, value, source)

    transaction(write, url)


def expected_minutes(course: Path) -> dict[str, dict[str, int]]:
    """Each assignment's lessons and their expected time in minutes: a lesson notebook's metadata `lce.minutes`
    (courses/README.md's curriculum), else an "Expected time: about N minutes" line in it; from the course's
    source/ folder, or release/ where there is no source."""
    found: dict[str, dict[str, int]] = {}
    for folder in ("source", "release"):
        for notebook in sorted((course / folder).glob("*/*.ipynb")):
            assignment, lesson = notebook.parent.name, notebook.name.removesuffix(".ipynb")
            if lesson.endswith(".en") or lesson in found.get(assignment, {}):
                continue  # the English version of a released lesson is the same lesson
            nb = json.loads(notebook.read_text(encoding="utf-8"))
            meta = nb.get("metadata", {}).get("lce")
            minutes = meta.get("minutes") if isinstance(meta, dict) else None
            if not isinstance(minutes, int):
                texts = ("".join(cell.get("source", [])) for cell in nb.get("cells", []))
                minutes = next((int(m[1]) for m in map(EXPECTED.search, texts) if m), None)
            if minutes is not None:
                found.setdefault(assignment, {})[lesson] = minutes
    return found


def course_hours(course: Path, url: str | None = None) -> int:
    """Hours from the gradebook of course: each assignment a linked participant submitted counts the expected time
    of the lessons handed in, in the month of the submission. Returns how many rows were set."""
    from nbgrader.api import Gradebook, MissingEntry

    from lce_utils.courses.export import handed_in

    minutes = expected_minutes(course)
    gradebook = course / "gradebook.db"
    if not gradebook.exists():
        raise DataError(f"{gradebook}: " + both("p_no_gradebook"))
    with reading(url) as session:
        linked = session.execute(select(Participation.id, Person.student_id, Participation.entry_date,
                                        Participation.exit_date).join(Person)
                                 .where(Person.student_id.is_not(None))).all()
    rows: list[tuple[int, str, str, float]] = []
    with Gradebook(f"sqlite:///{gradebook}") as book:
        for part_id, student, entry, exit_day in linked:
            for assignment, lessons in minutes.items():
                try:
                    submission = book.find_submission(assignment, student)
                except MissingEntry:
                    continue
                day = (submission.timestamp or dt.datetime.now()).date()
                if day < entry or (exit_day and day > exit_day):
                    continue
                given = handed_in(course, assignment, str(student))  # only the lessons handed in count
                mins = sum(m for lesson, m in lessons.items() if given is None or lesson in given)
                if mins:
                    rows.append((part_id, f"course:{assignment}", f"{day:%Y-%m}", round(mins / 60, 2)))

    def write(session: Session) -> int:
        for part_id, activity, month, hours in rows:
            _upsert(session, part_id, activity, month, hours, "course")
        return len(rows)

    return transaction(write, url)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def issue_code(person_id: int, url: str | None = None) -> str:
    """A new personal code for the participant page (replacing any earlier one); shown once, stored hashed."""
    code = "-".join(secrets.token_hex(2) for _ in range(3))

    def write(session: Session) -> None:
        person = session.get(Person, person_id)
        if person is None:
            raise DataError(both("p_no_person_id", id=person_id))
        person.code_hash = _code_hash(code)
        audit(session, "issue_code", people=1)

    transaction(write, url)
    return code


def hours_for_code(code: str, url: str | None = None, client: str | None = None) -> dict[str, float]:
    """The hours per month of the person with this personal code (what the participant page shows); client is the
    visitor's address on the participant page (None: staff at the command line, no limit)."""
    person_id = _person_for(code, url, client)
    with reading(url) as session:
        rows = session.execute(select(Attendance.month, Attendance.hours).join(Participation)
                               .where(Participation.person_id == person_id)).all()
    months: dict[str, float] = {}
    for month, hours in rows:
        months[month] = round(months.get(month, 0.0) + hours, 2)
    return dict(sorted(months.items()))


def _client_actor(client: str) -> str:
    """The audit log's name for a visitor's address: a keyed hash (the log holds no addresses)."""
    return "client:" + Cipher.load().lookup("attestation-client:" + client)[:40]


def _person_for(code: str, url: str | None, client: str | None) -> int:
    """The id of the person with this code; DataError when it is wrong (counted against client) or when client has
    given too many wrong codes lately (then even the right code is refused, and the message is the same whether
    or not it was right)."""
    actor = _client_actor(client) if client is not None else None

    def check(session: Session) -> tuple[int | None, bool]:
        if actor is not None:
            since = utcnow() - CODE_WINDOW
            wrong = session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.action == REFUSED, AuditEvent.actor == actor, AuditEvent.at >= since)) or 0
            if wrong >= CODE_GUESSES:
                return None, True
        person = session.scalar(select(Person).where(Person.code_hash == _code_hash(str(code or ""))))
        if person is None and actor is not None:
            audit(session, REFUSED, actor=actor)
        return (None if person is None else person.id), False

    person_id, blocked = transaction(check, url)
    if blocked:
        raise DataError(both("p_code_blocked", minutes=int(CODE_WINDOW.total_seconds() // 60)))
    if person_id is None:
        raise DataError(both("p_code_invalid"))
    return person_id


def attest(code: str, month: str, url: str | None = None, method: str = "participant page",
           client: str | None = None) -> float:
    """The participant with this code attests their hours of month; recorded with the time and method. Returns
    the hours attested. client as for `hours_for_code`."""
    parse_month(month)
    person_id = _person_for(code, url, client)

    def write(session: Session) -> float:
        parts = session.scalars(select(Participation).where(Participation.person_id == person_id)).all()
        hours = 0.0
        target = None
        for part in parts:
            these = session.scalars(select(Attendance.hours).where(Attendance.participation_id == part.id,
                                                                   Attendance.month == month)).all()
            if these:
                hours += sum(these)
                target = part
        if target is None:
            raise DataError(both("p_no_hours", month=month))
        session.add(Attestation(participation_id=target.id, month=month, hours=round(hours, 2), method=method[:32]))
        return round(hours, 2)

    return transaction(write, url)


def import_hours(path: Path, url: str | None = None) -> int:
    """Hours from a list with the columns participant (a participation id, an e-mail or a student id), activity,
    month (YYYY-MM) and hours: all rows or none; ImportRowsError names every wrong row and column."""
    from lce_utils.programme.importer import ImportRowsError, read_table, row_error

    table = read_table(path)
    columns = {str(c).strip().casefold(): str(c) for c in table.columns}
    wanted = {key: (key, *fields.OTHER_LABELS[key]) for key in ("participant", "activity", "month", "hours")}
    found = {key: next((columns[n] for n in names if n in columns), None) for key, names in wanted.items()}
    missing = [key for key, header in found.items() if header is None]
    if missing:
        raise DataError(f"{path}: " + both("p_hours_columns", missing=", ".join(missing)))

    def write(session: Session) -> int:
        errors: list[str] = []
        count = 0
        for index, row in enumerate(table.to_dict("records")):
            line = index + 2
            key = "participant"  # the column a FieldError is about
            try:
                part_id = _participation_for(session, str(row[found["participant"]]).strip())
                key = "activity"
                activity = str(row[found["activity"]]).strip()[:80]
                if not activity:
                    raise fields.FieldError("activity", "pf_missing")
                key = "month"
                month = str(row[found["month"]]).strip()
                if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
                    raise fields.FieldError("month", "p_month", value=repr(month))
                key = "hours"
                _upsert(session, part_id, activity, month, _hours(row[found["hours"]]), "imported")
                count += 1
            except fields.FieldError as exc:
                errors.append(row_error(line, found[key], exc))
        if errors:
            raise ImportRowsError(path, errors)
        audit(session, "import_hours", rows=count, file=path.name)
        return count

    return transaction(write, url)


def _participation_for(session: Session, text: str) -> int:
    """The participation a list names: its id, or the latest participation of the person with that e-mail or
    student id."""
    if text.isdigit() and session.get(Participation, int(text)) is not None:
        return int(text)
    person = session.scalar(select(Person).where((Person.email == text.lower()) | (Person.student_id == text)))
    if person is None or not person.participations:
        raise fields.FieldError("participant", "p_no_participant", value=repr(text))
    return person.participations[-1].id
