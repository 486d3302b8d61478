"""The mentorship store: one SQLAlchemy engine per URL, migrated, with safe concurrent writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, delete, func, or_, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, joinedload

from lce_utils import database, settings
from lce_utils.errors import DataError
from lce_utils.mentorship import audit
from lce_utils.mentorship.export_files import expire_files, scrub_people
from lce_utils.mentorship.models import (
    Application,
    AuditEvent,
    Confirmation,
    Consent,
    DirectoryConsent,
    Exclusion,
    Feedback,
    Match,
    MatchRun,
    MentoringSession,
    Person,
    utcnow,
)
from lce_utils.mentorship.validation import (
    ValidationError,
    validate_application,
    validate_email,
    validate_feedback,
    validate_session,
)
from lce_utils.messages import both, pair

ENV_VAR = settings.MENTORSHIP_DB.name
PRIVACY_NOTICE_VERSION = "2026-1"
# The version of the directory consent's text (message "consent_directory"); a new wording gets a new version.
DIRECTORY_CONSENT_VERSION = "directory-2026-1"
REFERENCE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # letters only: a reference never looks like a phone number or a word
MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")


class PersonNotFound(DataError):
    """No person with the given e-mail address is in the store."""


def retention_days() -> int:
    """How long applications are kept: LCE_MENTORSHIP_RETENTION_DAYS, default 365."""
    return settings.MENTORSHIP_RETENTION_DAYS()


def export_retention_days() -> int:
    """How long export files are kept: LCE_MENTORSHIP_EXPORT_RETENTION_DAYS, default 30."""
    return settings.MENTORSHIP_EXPORT_RETENTION_DAYS()


try:  # shown in the privacy notice; a wrong setting is reported by the server and the CLI, not by every import
    RETENTION_DAYS = retention_days()
except DataError:
    RETENTION_DAYS = 365


def default_url() -> str:
    """The store's URL: LCE_MENTORSHIP_DB, or SQLite in var/mentorship.db."""
    return settings.MENTORSHIP_DB()


def normalise_url(url: str | None, root: Path | None = None) -> str:
    """url (or the default) as the one database it names: a relative SQLite path resolved against the
    repository (not the current folder: Voilà runs each app in its own), PostgreSQL pointed at psycopg 3."""
    return database.normalise_url(url or default_url(), root, what="mentorship store", env_var=ENV_VAR,
                                  example="sqlite:///var/mentorship.db")


def describe_url(url: str | None = None) -> str:
    """The database url names, for people: the file of an SQLite database, else the URL without its password."""
    return database.describe(normalise_url(url))


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest migration (alembic), safely when several processes do it at once."""
    database.migrate(engine, MIGRATIONS)


def get_engine(url: str | None = None) -> Engine:
    """The engine for url (default: LCE_MENTORSHIP_DB or var/mentorship.db), created and migrated once."""
    return database.engine_for(normalise_url(url), MIGRATIONS, "mentorship store")


def transaction(fn: Callable[[Session], T], url: str | None = None, attempts: int = 12) -> T:
    """Run fn(session) in one transaction, retrying when the database is busy or a unique race was lost."""
    return database.run_transaction(get_engine(url), fn, attempts)


def exclusive(session: Session) -> None:
    """Serialise this transaction with every other that writes or cleans export files (erasure, purge, exports),
    so a file is never written with a person an erasure has already looked for. SQLite's BEGIN IMMEDIATE does
    it once the transaction has its connection; PostgreSQL takes a transaction-level advisory lock. Read what
    the files will hold in this same session afterwards."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4711506)"))
    else:
        session.connection()  # starts the transaction: BEGIN IMMEDIATE takes SQLite's write lock now


@contextmanager
def reading(url: str | None = None) -> Iterator[Session]:
    """A session for reads; objects stay usable after it closes."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        yield session


def fingerprint(clean: dict[str, Any]) -> str:
    """The identity of an application's content: the same form sent twice has the same fingerprint."""
    keys = ("name", "email", "organisation", "role", "field", "skills_offered", "skills_wanted", "goals",
            "languages", "availability", "municipality", "capacity")
    payload = {k: clean[k] for k in keys}
    payload["skills_offered"] = sorted(s.casefold() for s in payload["skills_offered"])
    payload["skills_wanted"] = sorted(s.casefold() for s in payload["skills_wanted"])
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def same_text(a: str | None, b: str | None) -> bool:
    """Whether two names (or organisations) are the same but for case, accents' encoding and spaces."""
    def canon(value: str | None) -> str:
        return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())
    return canon(a) == canon(b)


def submit_application(data: dict[str, Any], url: str | None = None, send_code: bool = True) -> Application:
    """Validate and store one application (stored once however often it is sent); ValidationError if invalid.

    A stored e-mail never changes the stored person: with another name the application is "pending"
    (flag "name_differs") until the coordinator decides or, when SMTP is configured (LCE_SMTP_*), the code
    mailed to the stored address is entered; with the same name but another organisation it is active and
    flagged "organisation_differs" for the coordinator. The returned application says `duplicate` and
    `code_sent` (whether a confirmation code went out)."""
    clean = validate_application(data)
    digest = fingerprint(clean)
    fields = ("role", "field", "skills_offered", "skills_wanted", "goals", "languages", "availability",
              "municipality", "capacity")

    def write(session: Session) -> Application:
        existing = session.scalar(select(Application).options(joinedload(Application.person))
                                  .where(Application.fingerprint == digest))
        if existing is not None:
            existing.duplicate = True  # type: ignore[attr-defined]
            return existing
        person = session.scalar(select(Person).where(Person.email == clean["email"]))
        app = Application(fingerprint=digest, **{k: clean[k] for k in fields})
        if person is None:
            person = Person(email=clean["email"], name=clean["name"], organisation=clean["organisation"])
            session.add(person)
        elif not same_text(person.name, clean["name"]):
            app.status, app.flag = "pending", "name_differs"
            app.submitted_name, app.submitted_organisation = clean["name"], clean["organisation"]
        elif not same_text(person.organisation, clean["organisation"]):
            app.flag, app.submitted_organisation = "organisation_differs", clean["organisation"]
        app.person = person
        session.add(app)
        session.flush()
        session.add(Consent(person_id=person.id, application_id=app.id, purpose=clean["consent_purpose"],
                            contact=clean["consent_contact"], notice_version=PRIVACY_NOTICE_VERSION))
        if clean["consent_directory"] and app.status == "active":
            # (a pending application may be a stranger's: it never lists the stored person)
            give_directory_consent(session, person.id, "signup-form")
        app.duplicate = False  # type: ignore[attr-defined]
        return app

    app = transaction(write, url)
    app.code_sent = False  # type: ignore[attr-defined]
    if send_code and app.status == "pending" and not app.duplicate:  # type: ignore[attr-defined]
        from lce_utils.mentorship.identity import send_confirmation  # (identity builds on this module)

        app.code_sent = send_confirmation(app.id, url)  # type: ignore[attr-defined]
    return app


def list_applications(url: str | None = None, role: str | None = None, field: str | None = None,
                      text: str | None = None, status: str | None = "active") -> list[Application]:
    """Applications, oldest first, optionally filtered by role, field and a text in name/e-mail/organisation;
    only active ones unless status says otherwise ("pending", or None for all)."""
    query = select(Application).join(Application.person).options(joinedload(Application.person))
    if status:
        query = query.where(Application.status == status)
    if role:
        query = query.where(Application.role == role)
    if field:
        query = query.where(Application.field == field)
    if text and text.strip():
        like = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(Person.name).like(like), Person.email.like(like),
                                func.lower(func.coalesce(Person.organisation, "")).like(like)))
    with reading(url) as session:
        return list(session.scalars(query.order_by(Application.id)).unique())


def _person(session: Session, email: str) -> Person:
    email = validate_email(email)
    person = session.scalar(select(Person).where(Person.email == email))
    if person is None:
        raise PersonNotFound(f"no person with e-mail {email} in the mentorship store / ingen person med den "
                             "e-postadressen")
    return person


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def person_record(session: Session, email: str) -> dict[str, Any]:
    """Everything the store holds about one person, read in the caller's session."""
    person = _person(session, email)
    apps = list(session.scalars(select(Application).where(Application.person_id == person.id)))
    app_ids = [a.id for a in apps]
    consents = list(session.scalars(select(Consent).where(Consent.person_id == person.id)))
    matches = list(session.scalars(select(Match).where(or_(Match.a_application_id.in_(app_ids),
                                                           Match.b_application_id.in_(app_ids)))))
    sessions = list(session.scalars(select(MentoringSession).where(MentoringSession.person_id == person.id)))
    feedback = list(session.scalars(select(Feedback).where(Feedback.person_id == person.id)))
    return {
        "person": {"email": person.email, "name": person.name, "organisation": person.organisation,
                   "created_at": _iso(person.created_at), "updated_at": _iso(person.updated_at)},
        "applications": [{**{k: v for k, v in a.as_dict().items() if k not in {"name", "email", "organisation"}},
                          "status": a.status, "flag": a.flag, "submitted_name": a.submitted_name,
                          "submitted_organisation": a.submitted_organisation} for a in apps],
        "consents": [{"application_id": c.application_id, "purpose": c.purpose, "contact": c.contact,
                      "notice_version": c.notice_version, "given_at": _iso(c.given_at)} for c in consents],
        "matches": [{"id": m.id, "kind": m.kind, "score": m.score, "locked": m.locked, "code": m.code,
                     "role": "a" if m.a_application_id in app_ids else "b", "created_at": _iso(m.created_at)}
                    for m in matches],
        "sessions": [{"match_id": s.match_id, "held_on": _iso(s.held_on), "minutes": s.minutes,
                      "format": s.format} for s in sessions],
        "feedback": [{"match_id": f.match_id, "score": f.score, "comment": f.comment,
                      "created_at": _iso(f.created_at)} for f in feedback],
        "directory_consent": [{"reference": d.reference, "text_version": d.text_version, "surface": d.surface,
                               "given_at": _iso(d.given_at), "revoked_at": _iso(d.revoked_at)}
                              for d in session.scalars(select(DirectoryConsent)
                                                       .where(DirectoryConsent.person_id == person.id))],
    }


def export_person(email: str, url: str | None = None) -> dict[str, Any]:
    """Everything the store holds about one person (right of access), as JSON-ready data."""
    with reading(url) as session:
        return person_record(session, email)


def _removed(session: Session, statement: Any) -> int:
    """Run a DELETE (or UPDATE) and return how many rows it touched."""
    return cast(CursorResult, session.execute(statement)).rowcount


def _delete_applications(session: Session, app_ids: list[int]) -> int:
    """Delete applications and everything that hangs on them; returns the number of rows removed."""
    if not app_ids:
        return 0
    removed = 0
    match_ids = list(session.scalars(select(Match.id).where(or_(Match.a_application_id.in_(app_ids),
                                                                Match.b_application_id.in_(app_ids)))))
    if match_ids:
        removed += _removed(session, delete(MentoringSession).where(MentoringSession.match_id.in_(match_ids)))
        removed += _removed(session, delete(Feedback).where(Feedback.match_id.in_(match_ids)))
        removed += _removed(session, delete(Match).where(Match.id.in_(match_ids)))
    removed += _removed(session, delete(Exclusion).where(or_(Exclusion.low_application_id.in_(app_ids),
                                                           Exclusion.high_application_id.in_(app_ids))))
    removed += _removed(session, delete(Consent).where(Consent.application_id.in_(app_ids)))
    removed += _removed(session, delete(Confirmation).where(Confirmation.application_id.in_(app_ids)))
    removed += _removed(session, delete(Application).where(Application.id.in_(app_ids)))
    return removed


def _delete_people(session: Session, person_ids: list[int]) -> int:
    """Delete people (their applications already gone), unlinking their anonymous sessions and feedback."""
    if not person_ids:
        return 0
    session.execute(update(MentoringSession).where(MentoringSession.person_id.in_(person_ids))
                    .values(person_id=None))
    session.execute(update(Feedback).where(Feedback.person_id.in_(person_ids)).values(person_id=None))
    removed = _removed(session, delete(Consent).where(Consent.person_id.in_(person_ids)))
    removed += _removed(session, delete(DirectoryConsent).where(DirectoryConsent.person_id.in_(person_ids)))
    return removed + _removed(session, delete(Person).where(Person.id.in_(person_ids)))


def erase(email: str, url: str | None = None, actor: str | None = None) -> dict[str, int]:
    """Erase one person from every table and every export file LCE wrote (right to erasure); audited without
    the person. Returns the counts: rows, files_rewritten, files_deleted."""

    def write(session: Session) -> dict[str, int]:
        exclusive(session)
        person = _person(session, email)
        app_ids = list(session.scalars(select(Application.id).where(Application.person_id == person.id)))
        counts = {"rows": _delete_applications(session, app_ids) + _delete_people(session, [person.id])}
        counts.update(scrub_people(session, {person.id: person.email}))
        audit.record(session, actor or audit.cli_actor(), "erase_person", **counts)
        return counts

    return transaction(write, url)


def erase_person(email: str, url: str | None = None, actor: str | None = None) -> int:
    """Erase one person and everything about them (see erase); returns the number of rows removed."""
    return erase(email, url, actor)["rows"]


def purge(days: int | None = None, url: str | None = None, *, export_days: int | None = None,
          now: dt.datetime | None = None, actor: str | None = None) -> dict[str, int]:
    """The retention purge: applications received more than days ago (default LCE_MENTORSHIP_RETENTION_DAYS),
    people left without any (also from export files), and export files older than export_days (default
    LCE_MENTORSHIP_EXPORT_RETENTION_DAYS). now (naive UTC) is for tests. Audited; returns the counts."""
    days = retention_days() if days is None else days
    export_days = export_retention_days() if export_days is None else export_days
    for name, value in (("days", days), ("export days", export_days)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DataError("purge: " + both("purge_days_invalid", name=name, value=repr(value)))
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)

    def write(session: Session) -> dict[str, int]:
        exclusive(session)
        app_ids = list(session.scalars(select(Application.id).where(Application.created_at < cutoff)))
        _delete_applications(session, app_ids)
        orphans = {pid: mail for pid, mail in session.execute(select(Person.id, Person.email).where(
            ~select(Application.id).where(Application.person_id == Person.id).exists()))}
        _delete_people(session, list(orphans))
        counts = {"applications": len(app_ids), "people": len(orphans), **scrub_people(session, orphans)}
        counts["files_expired"] = expire_files(session, now - dt.timedelta(days=export_days))
        audit.record(session, actor or audit.cli_actor(), "purge", days=days, export_days=export_days, **counts)
        return counts

    return transaction(write, url)


def purge_older_than(days: int, url: str | None = None, actor: str | None = None) -> int:
    """Erase applications received more than days ago (see purge); returns how many."""
    return purge(days, url, actor=actor)["applications"]


def audit_events(url: str | None = None) -> list[AuditEvent]:
    """The audit log, oldest first."""
    with reading(url) as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


# --- matches -----------------------------------------------------------------------------------------------------

def matches_in(session: Session) -> list[Match]:
    """The matches in force, read in the caller's session, with both applications and people loaded."""
    query = (select(Match).options(joinedload(Match.a).joinedload(Application.person),
                                   joinedload(Match.b).joinedload(Application.person)).order_by(Match.id))
    return list(session.scalars(query).unique())


def current_matches(url: str | None = None) -> list[Match]:
    """The matches in force (locked ones and those of the latest run), with both applications loaded."""
    with reading(url) as session:
        return matches_in(session)


def run_matching(url: str | None = None, exclude_same_org: bool = True) -> dict[str, Any]:
    """Match all applicants not in a locked pair and replace the unlocked matches; returns a summary."""
    from lce_utils.mentorship import matching

    def write(session: Session) -> dict[str, Any]:
        apps = list(session.scalars(select(Application).options(joinedload(Application.person))
                                    .where(Application.status == "active")).unique())
        locked = list(session.scalars(select(Match).where(Match.locked.is_(True))))
        exclusions = {frozenset(r) for r in session.execute(
            select(Exclusion.low_application_id, Exclusion.high_application_id))}
        result = matching.match([matching.Candidate.from_application(a) for a in apps],
                                locked=[(m.a_application_id, m.b_application_id) for m in locked],
                                excluded=exclusions, exclude_same_organisation=exclude_same_org)
        session.execute(delete(Match).where(Match.locked.is_(False)))
        run = MatchRun(params={"exclude_same_organisation": exclude_same_org}, total_score=result.total_score)
        session.add(run)
        session.flush()
        for chosen in result.pairs:
            session.add(Match(run_id=run.id, a_application_id=chosen.a, b_application_id=chosen.b, kind=chosen.kind,
                              score=chosen.score, reasons=chosen.reasons, code=secrets.token_hex(4)))
        return {"run_id": run.id, "pairs": len(result.pairs) + len(locked), "new_pairs": len(result.pairs),
                "locked": len(locked), "unmatched": len(result.unmatched), "total_score": result.total_score}

    return transaction(write, url)


def set_locked(match_id: int, locked: bool, url: str | None = None) -> None:
    """Lock a pair (kept by later runs) or unlock it."""
    def write(session: Session) -> None:
        match = session.get(Match, match_id)
        if match is None:
            raise DataError(f"no match with id {match_id} / ingen matchning med id {match_id}")
        match.locked = bool(locked)
    transaction(write, url)


def exclude_match(match_id: int, url: str | None = None) -> None:
    """Exclude the pair of a match from later runs and remove the match (if it has no sessions logged)."""
    def write(session: Session) -> None:
        match = session.get(Match, match_id)
        if match is None:
            raise DataError(f"no match with id {match_id} / ingen matchning med id {match_id}")
        low, high = sorted((match.a_application_id, match.b_application_id))
        if session.scalar(select(Exclusion.id).where(Exclusion.low_application_id == low,
                                                     Exclusion.high_application_id == high)) is None:
            session.add(Exclusion(low_application_id=low, high_application_id=high))
        session.execute(delete(MentoringSession).where(MentoringSession.match_id == match_id))
        session.execute(delete(Feedback).where(Feedback.match_id == match_id))
        session.delete(match)
    transaction(write, url)


def _match_for(session: Session, email: str, code: str) -> tuple[Match, Person]:
    email = validate_email(email)
    code = code.strip().lower() if isinstance(code, str) else ""
    person = session.scalar(select(Person).where(Person.email == email))
    match = session.scalar(select(Match).where(Match.code == code)) if code else None
    if person is None or match is None or person.id not in {match.a.person_id, match.b.person_id}:
        raise ValidationError({"match_code": pair("err_match_code")})
    return match, person


def log_session(email: str, code: str, held_on: Any, minutes: Any, session_format: Any = "in_person",
                url: str | None = None) -> MentoringSession:
    """Record one mentoring session of the match with this code; the match is locked from then on."""
    day, mins, fmt = validate_session(held_on, minutes, session_format)

    def write(session: Session) -> MentoringSession:
        match, person = _match_for(session, email, code)
        match.locked = True
        row = MentoringSession(match_id=match.id, person_id=person.id, held_on=day, minutes=mins, format=fmt)
        session.add(row)
        return row

    return transaction(write, url)


def give_feedback(email: str, code: str, score: Any, comment: Any = None, url: str | None = None) -> Feedback:
    """Record one participant's feedback (1-5 and an optional comment) on their match."""
    value, text = validate_feedback(score, comment)

    def write(session: Session) -> Feedback:
        match, person = _match_for(session, email, code)
        row = Feedback(match_id=match.id, person_id=person.id, score=value, comment=text)
        session.add(row)
        return row

    return transaction(write, url)


# --- the network directory (lce_utils.knowledge.directory lists who consented) ------------------------------------

def new_reference(prefix: str) -> str:
    """A random contact reference, e.g. "M-KXBT-QMRW": letters only (never a phone or e-mail pattern)."""
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{letters[:4]}-{letters[4:]}"


def give_directory_consent(session: Session, person_id: int, surface: str,
                           text_version: str = DIRECTORY_CONSENT_VERSION) -> DirectoryConsent:
    """Record (or renew after a revocation) a person's consent to the directory, in the caller's transaction."""
    row = session.scalar(select(DirectoryConsent).where(DirectoryConsent.person_id == person_id))
    if row is None:
        row = DirectoryConsent(person_id=person_id, reference=new_reference("M"), text_version=text_version,
                               surface=surface[:64])
        session.add(row)
    elif row.revoked_at is not None or row.text_version != text_version:
        row.given_at, row.text_version, row.surface = utcnow(), text_version, surface[:64]
        row.revoked_at = row.revoked_by = None
    return row


def revoke_directory_consent(email: str, url: str | None = None, actor: str | None = None) -> bool:
    """Withdraw a person's consent to the directory (the next site build leaves them out); False if they had
    none in force."""
    def write(session: Session) -> bool:
        person = _person(session, email)
        row = session.scalar(select(DirectoryConsent).where(DirectoryConsent.person_id == person.id))
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at, row.revoked_by = utcnow(), (actor or audit.cli_actor())[:64]
        return True

    return transaction(write, url)
