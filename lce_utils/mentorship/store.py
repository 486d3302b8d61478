"""The mentorship store: one SQLAlchemy engine per URL, migrated, with safe concurrent writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, delete, event, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, joinedload

from lce_utils.errors import DataError
from lce_utils.mentorship.models import (Application, Consent, Exclusion, Feedback, Match, MatchRun,
                                         MentoringSession, Person, utcnow)
from lce_utils.mentorship.validation import (ValidationError, validate_application,
                                             validate_email, validate_feedback, validate_session)
from lce_utils.paths import VAR

ENV_VAR = "LCE_MENTORSHIP_DB"
PRIVACY_NOTICE_VERSION = "2026-1"
RETENTION_DAYS = 365
MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class PersonNotFound(DataError):
    """No person with the given e-mail address is in the store."""


def default_url() -> str:
    """The store's URL: LCE_MENTORSHIP_DB, or SQLite in var/mentorship.db."""
    return os.environ.get(ENV_VAR) or f"sqlite:///{VAR / 'mentorship.db'}"


def normalise_url(url: str | None) -> str:
    """url (or the default) with PostgreSQL pointed at psycopg 3, the driver installed."""
    url = url or default_url()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Writers queue for the lock at the start instead of failing half-way on an upgrade from read to write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest migration (alembic), safely when several processes do it at once."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    for attempt in range(10):
        try:
            with engine.connect() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            return
        except OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.2 + random.random() * 0.3)
        except IntegrityError:  # another process created the version table at the same moment
            time.sleep(0.1)


def get_engine(url: str | None = None) -> Engine:
    """The engine for url (default: LCE_MENTORSHIP_DB or var/mentorship.db), created and migrated once."""
    url = normalise_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            _sqlite_setup(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        try:
            migrate(engine)
        except OperationalError as exc:
            raise DataError(f"mentorship store {engine.url.render_as_string(hide_password=True)}: cannot open or "
                            f"migrate the database ({exc.orig})") from exc
        _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests and servers that stop)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _retryable(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in ("locked", "busy", "deadlock", "could not serialize"))


def transaction(fn: Callable[[Session], T], url: str | None = None, attempts: int = 12) -> T:
    """Run fn(session) in one transaction, retrying when the database is busy or a unique race was lost."""
    engine = get_engine(url)
    for attempt in range(attempts):
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                return fn(session)
        except OperationalError as exc:
            if attempt == attempts - 1 or not _retryable(exc):
                raise
        except IntegrityError:
            if attempt == attempts - 1:
                raise
        time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


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


def submit_application(data: dict[str, Any], url: str | None = None) -> Application:
    """Validate and store one application (stored once however often it is sent); ValidationError if invalid."""
    clean = validate_application(data)
    digest = fingerprint(clean)

    def write(session: Session) -> Application:
        existing = session.scalar(select(Application).options(joinedload(Application.person))
                                  .where(Application.fingerprint == digest))
        if existing is not None:
            existing.duplicate = True  # type: ignore[attr-defined]
            return existing
        person = session.scalar(select(Person).where(Person.email == clean["email"]))
        if person is None:
            person = Person(email=clean["email"], name=clean["name"], organisation=clean["organisation"])
            session.add(person)
        else:
            person.name, person.organisation, person.updated_at = clean["name"], clean["organisation"], utcnow()
        app = Application(person=person, fingerprint=digest, **{k: clean[k] for k in (
            "role", "field", "skills_offered", "skills_wanted", "goals", "languages", "availability",
            "municipality", "capacity")})
        session.add(app)
        session.flush()
        session.add(Consent(person_id=person.id, application_id=app.id, purpose=clean["consent_purpose"],
                            contact=clean["consent_contact"], notice_version=PRIVACY_NOTICE_VERSION))
        app.duplicate = False  # type: ignore[attr-defined]
        return app

    return transaction(write, url)


def list_applications(url: str | None = None, role: str | None = None, field: str | None = None,
                      text: str | None = None) -> list[Application]:
    """Applications, oldest first, optionally filtered by role, field and a text in name/e-mail/organisation."""
    query = select(Application).join(Application.person).options(joinedload(Application.person))
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


def export_person(email: str, url: str | None = None) -> dict[str, Any]:
    """Everything the store holds about one person (right of access), as JSON-ready data."""
    with reading(url) as session:
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
            "applications": [{k: v for k, v in a.as_dict().items() if k not in {"name", "email", "organisation"}}
                             for a in apps],
            "consents": [{"application_id": c.application_id, "purpose": c.purpose, "contact": c.contact,
                          "notice_version": c.notice_version, "given_at": _iso(c.given_at)} for c in consents],
            "matches": [{"id": m.id, "kind": m.kind, "score": m.score, "locked": m.locked, "code": m.code,
                         "role": "a" if m.a_application_id in app_ids else "b", "created_at": _iso(m.created_at)}
                        for m in matches],
            "sessions": [{"match_id": s.match_id, "held_on": _iso(s.held_on), "minutes": s.minutes,
                          "format": s.format} for s in sessions],
            "feedback": [{"match_id": f.match_id, "score": f.score, "comment": f.comment,
                          "created_at": _iso(f.created_at)} for f in feedback],
        }


def _delete_applications(session: Session, app_ids: list[int]) -> int:
    """Delete applications and everything that hangs on them; returns the number of rows removed."""
    if not app_ids:
        return 0
    removed = 0
    match_ids = list(session.scalars(select(Match.id).where(or_(Match.a_application_id.in_(app_ids),
                                                                Match.b_application_id.in_(app_ids)))))
    if match_ids:
        removed += session.execute(delete(MentoringSession).where(MentoringSession.match_id.in_(match_ids))).rowcount
        removed += session.execute(delete(Feedback).where(Feedback.match_id.in_(match_ids))).rowcount
        removed += session.execute(delete(Match).where(Match.id.in_(match_ids))).rowcount
    removed += session.execute(delete(Exclusion).where(or_(Exclusion.low_application_id.in_(app_ids),
                                                           Exclusion.high_application_id.in_(app_ids)))).rowcount
    removed += session.execute(delete(Consent).where(Consent.application_id.in_(app_ids))).rowcount
    removed += session.execute(delete(Application).where(Application.id.in_(app_ids))).rowcount
    return removed


def erase_person(email: str, url: str | None = None) -> int:
    """Erase one person and everything about them (right to erasure); returns the number of rows removed."""

    def write(session: Session) -> int:
        person = _person(session, email)
        app_ids = list(session.scalars(select(Application.id).where(Application.person_id == person.id)))
        removed = _delete_applications(session, app_ids)
        session.execute(update(MentoringSession).where(MentoringSession.person_id == person.id)
                        .values(person_id=None))
        session.execute(update(Feedback).where(Feedback.person_id == person.id).values(person_id=None))
        removed += session.execute(delete(Consent).where(Consent.person_id == person.id)).rowcount
        removed += session.execute(delete(Person).where(Person.id == person.id)).rowcount
        return removed

    return transaction(write, url)


def purge_older_than(days: int, url: str | None = None) -> int:
    """Erase applications received more than days ago (and people left without any); returns how many."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise DataError(f"purge: days must be a whole number of at least 0, got {days!r} / dagar måste vara ett "
                        "heltal, minst 0")
    cutoff = utcnow() - dt.timedelta(days=days)

    def write(session: Session) -> int:
        app_ids = list(session.scalars(select(Application.id).where(Application.created_at < cutoff)))
        _delete_applications(session, app_ids)
        orphans = select(Person.id).where(~select(Application.id).where(Application.person_id == Person.id)
                                          .exists())
        orphan_ids = list(session.scalars(orphans))
        if orphan_ids:
            session.execute(update(MentoringSession).where(MentoringSession.person_id.in_(orphan_ids))
                            .values(person_id=None))
            session.execute(update(Feedback).where(Feedback.person_id.in_(orphan_ids)).values(person_id=None))
            session.execute(delete(Consent).where(Consent.person_id.in_(orphan_ids)))
            session.execute(delete(Person).where(Person.id.in_(orphan_ids)))
        return len(app_ids)

    return transaction(write, url)


# --- matches -----------------------------------------------------------------------------------------------------

def current_matches(url: str | None = None) -> list[Match]:
    """The matches in force (locked ones and those of the latest run), with both applications loaded."""
    with reading(url) as session:
        query = (select(Match).options(joinedload(Match.a).joinedload(Application.person),
                                       joinedload(Match.b).joinedload(Application.person)).order_by(Match.id))
        return list(session.scalars(query).unique())


def excluded_pairs(url: str | None = None) -> set[frozenset[int]]:
    """Pairs of application ids the coordinators excluded."""
    with reading(url) as session:
        rows = session.execute(select(Exclusion.low_application_id, Exclusion.high_application_id))
        return {frozenset(row) for row in rows}


def run_matching(url: str | None = None, exclude_same_org: bool = True) -> dict[str, Any]:
    """Match all applicants not in a locked pair and replace the unlocked matches; returns a summary."""
    from lce_utils.mentorship import matching

    def write(session: Session) -> dict[str, Any]:
        apps = list(session.scalars(select(Application).options(joinedload(Application.person))).unique())
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
        for pair in result.pairs:
            session.add(Match(run_id=run.id, a_application_id=pair.a, b_application_id=pair.b, kind=pair.kind,
                              score=pair.score, reasons=pair.reasons, code=secrets.token_hex(4)))
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
        raise ValidationError({"match_code": ("Koden och e-postadressen hör inte ihop med någon matchning.",
                                              "The code and e-mail address do not belong to any match.")})
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
