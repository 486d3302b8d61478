"""The programme register's store: LCE_PROGRAMME_DB (default var/programme.db) through lce_utils.database, and
the writes and reads of participants, special categories, exits and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from lce_utils import database, settings
from lce_utils.errors import DataError
from lce_utils.mentorship.audit import cli_actor
from lce_utils.messages import both
from lce_utils.programme import fields
from lce_utils.programme.crypto import KEY_ENV, Cipher, key_file
from lce_utils.programme.models import AuditEvent, CollectionAttempt, Participation, Person, Result, Setting

ENV_VAR = settings.PROGRAMME_DB.name
MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")


def default_url() -> str:
    """The register's URL: LCE_PROGRAMME_DB, or SQLite in var/programme.db."""
    return settings.PROGRAMME_DB()


def normalise_url(url: str | None, root: Path | None = None) -> str:
    """url (or the default) as the one database it names (see lce_utils.database.normalise_url)."""
    return database.normalise_url(url or default_url(), root, what="programme register", env_var=ENV_VAR,
                                  example="sqlite:///var/programme.db")


def get_engine(url: str | None = None) -> Engine:
    """The register's engine, created and migrated once."""
    return database.engine_for(normalise_url(url), MIGRATIONS, "programme register")


def transaction(fn: Callable[[Session], T], url: str | None = None) -> T:
    """Run fn(session) in one transaction of the register, retried while the database is busy."""
    return database.run_transaction(get_engine(url), fn)


@contextmanager
def reading(url: str | None = None) -> Iterator[Session]:
    """A session for reads; objects stay usable after it closes."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        yield session


def audit(session: Session, action: str, actor: str | None = None, **details: Any) -> None:
    """One audit event in the caller's transaction (counts, never a person's data)."""
    session.add(AuditEvent(actor=(actor or cli_actor())[:120], action=action, details=details))


def verify_key(session: Session, cipher: Cipher) -> None:
    """Refuse a key that is not the one the register's values are encrypted with (a lost key file silently
    replaced by a new one would otherwise mix two keys); the first key used is recorded."""
    stored = session.get(Setting, "key_fingerprint")
    if stored is None:
        session.add(Setting(name="key_fingerprint", value=cipher.fingerprint()))
    elif stored.value != cipher.fingerprint():
        raise DataError("programme register: " + both("p_wrong_key", env=KEY_ENV, file=key_file()))


# --- writes --------------------------------------------------------------------------------------------------------

def add_participant(session: Session, clean: dict[str, Any], cipher: Cipher, method: str = "staff") -> Participation:
    """Store one checked record (fields.check_participant) in the caller's transaction: a new person, or a new
    participation of a person already registered (re-entry), never overlapping an open or later one."""
    verify_key(session, cipher)
    identity = clean["identity"]
    person = None
    if identity is not None:
        person = session.scalar(select(Person).where(Person.pnr_lookup == cipher.lookup(identity.digits)))
    elif clean["email"]:
        person = session.scalar(select(Person).where(Person.email == clean["email"]))
    if person is None:
        if clean["email"] and session.scalar(select(Person.id).where(Person.email == clean["email"])):
            raise fields.FieldError("email", "p_used_by_other")
        if clean["student_id"] and session.scalar(select(Person.id).where(Person.student_id == clean["student_id"])):
            raise fields.FieldError("student_id", "p_used_by_other")
        person = Person(name=clean["name"], email=clean["email"], birth_date=clean["birth_date"],
                        gender=clean["gender"], protected_identity=clean["protected_identity"],
                        pnr_token=cipher.encrypt(identity.formatted) if identity else None,
                        pnr_lookup=cipher.lookup(identity.digits) if identity else None,
                        coordination_number=bool(identity and identity.coordination),
                        student_id=clean["student_id"], mentorship_email=clean["mentorship_email"],
                        institution=clean["institution"])
        session.add(person)
        session.flush()
    else:
        for earlier in session.scalars(select(Participation).where(Participation.person_id == person.id)):
            if earlier.exit_date is None or earlier.exit_date >= clean["entry_date"]:
                if earlier.exit_date is None:
                    raise fields.FieldError("entry_date", "p_already_takes_part_open", entry=earlier.entry_date)
                raise fields.FieldError("entry_date", "p_already_takes_part", entry=earlier.entry_date,
                                        exit=earlier.exit_date)
    part = Participation(person_id=person.id, entry_date=clean["entry_date"], exit_date=clean["exit_date"],
                         exit_reason=clean["exit_reason"], labour_status=clean["labour_status"],
                         education=clean["education"], **{f: clean[f] for f in fields.FLAGS})
    session.add(part)
    session.flush()
    for category in fields.SPECIAL:
        if clean[category] is not None:
            set_special(session, part, category, clean[category], cipher, method)
    return part


def set_special(session: Session, part: Participation, category: str, answer: str, cipher: Cipher,
                method: str = "staff") -> None:
    """Record one attempt to collect a special category: "yes"/"no" stored encrypted, "declined" leaves it
    blank; every attempt is logged with its time and method."""
    if category not in fields.SPECIAL or answer not in {"yes", "no", "declined"}:
        raise DataError(both("p_special", category=repr(category), value=repr(answer)))
    setattr(part, f"{category}_token", None if answer == "declined" else cipher.encrypt(answer))
    session.add(CollectionAttempt(participation_id=part.id, category=category,
                                  outcome="declined" if answer == "declined" else "answered", method=method))


def register(data: dict[str, Any], url: str | None = None, today: dt.date | None = None,
             method: str = "staff") -> int:
    """Check and store one participant (see add_participant); returns the participation's id."""
    clean = fields.check_participant(data, today)
    cipher = Cipher.load()
    return transaction(lambda s: add_participant(s, clean, cipher, method).id, url)


def _participation(session: Session, participation_id: int) -> Participation:
    part = session.get(Participation, participation_id)
    if part is None:
        raise DataError(both("p_no_participation", id=participation_id))
    return part


def collect_special(participation_id: int, category: str, answer: Any, url: str | None = None,
                    method: str = "staff") -> None:
    """Record a later attempt to collect a special category (yes, no or declined)."""
    value = fields.special(category, answer)
    if value is None:
        raise fields.FieldError(category, "p_yes_no_declined")
    cipher = Cipher.load()
    transaction(lambda s: set_special(s, _participation(s, participation_id), category, value, cipher, method), url)


def record_exit(participation_id: int, exit_date: Any, reason: Any, url: str | None = None) -> None:
    """The participation's exit date and reason."""
    day = fields.date("exit_date", exit_date, required=True)
    why = fields.choice("exit_reason", reason, fields.EXIT_REASONS)

    def write(session: Session) -> None:
        part = _participation(session, participation_id)
        if day < part.entry_date:
            raise fields.FieldError("exit_date", "pf_before_entry")
        part.exit_date, part.exit_reason = day, why

    transaction(write, url)


def record_result(participation_id: int, stage: str, recorded_on: Any, url: str | None = None,
                  **answers: Any) -> None:
    """The common result indicators of a participation at exit (recorded within four weeks of it) or about six
    months later (recorded 20 to 32 weeks after it); answers are job_searching, in_education, qualification,
    employed (yes/no)."""
    if stage not in {"exit", "six_months"}:
        raise DataError(both("p_stage", value=repr(stage)))
    day = fields.date("recorded_on", recorded_on, required=True)
    unknown = set(answers) - set(fields.RESULT_FLAGS)
    if unknown:
        raise DataError(both("p_unknown_indicators", names=sorted(unknown)))
    values = {k: bool(fields.flag(k, answers.get(k))) for k in fields.RESULT_FLAGS}

    def write(session: Session) -> None:
        part = _participation(session, participation_id)
        if part.exit_date is None:
            raise DataError(both("p_no_exit_yet", id=participation_id))
        weeks = (day - part.exit_date).days / 7
        window = (0, 4) if stage == "exit" else (20, 32)
        if not window[0] <= weeks <= window[1]:
            raise DataError(both("p_result_window", stage=stage, weeks=f"{weeks:.1f}", low=window[0], high=window[1]))
        row = session.scalar(select(Result).where(Result.participation_id == part.id, Result.stage == stage))
        if row is None:
            row = Result(participation_id=part.id, stage=stage, recorded_on=day)
            session.add(row)
        row.recorded_on = day
        for key, value in values.items():
            setattr(row, key, value)

    transaction(write, url)


# --- reads ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """One participation with its person, decrypted, as the reports see it."""
    person_id: int
    participation_id: int
    name: str
    personnummer: str | None
    protected_identity: bool
    birth_date: dt.date
    gender: str
    entry_date: dt.date
    exit_date: dt.date | None
    exit_reason: str | None
    labour_status: str
    education: str
    flags: dict[str, bool | None]
    special: dict[str, str | None]
    results: dict[str, dict[str, bool]]
    updated_at: dt.datetime

    @property
    def age_at_entry(self) -> int:
        """Whole years of age on the entry date."""
        return age_on(self.birth_date, self.entry_date)


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years of age on day (a birthday counts from that day on; 29 February from 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def records(url: str | None = None) -> list[Record]:
    """Every participation in the register, oldest entry first, decrypted with the register's key."""
    cipher = Cipher.load()
    with reading(url) as session:
        stored = session.get(Setting, "key_fingerprint")
        if stored is not None and stored.value != cipher.fingerprint():
            verify_key(session, cipher)  # raises: the same message as for writes
        parts = session.scalars(select(Participation).options(
            selectinload(Participation.person), selectinload(Participation.results))
            .order_by(Participation.entry_date, Participation.id)).all()
        return [Record(person_id=p.person_id, participation_id=p.id, name=p.person.name,
                       personnummer=cipher.decrypt(p.person.pnr_token),
                       protected_identity=p.person.protected_identity, birth_date=p.person.birth_date,
                       gender=p.person.gender, entry_date=p.entry_date, exit_date=p.exit_date,
                       exit_reason=p.exit_reason, labour_status=p.labour_status, education=p.education,
                       flags={f: getattr(p, f) for f in fields.FLAGS},
                       special={c: cipher.decrypt(getattr(p, f"{c}_token")) for c in fields.SPECIAL},
                       results={r.stage: {k: getattr(r, k) for k in fields.RESULT_FLAGS} for r in p.results},
                       updated_at=p.updated_at)
                for p in parts]
