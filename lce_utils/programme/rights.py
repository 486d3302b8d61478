"""Data rights under a legal obligation: a person's data machine-readable (GDPR art. 15 and 20), erasure refused
while the ESF+ records must be kept (GDPR art. 17(3)(b)), and the purge once that period has ended. Both also
delete the files `lce programme` wrote about the people they remove (`files.py`).

The period: documents of an operation are kept for five years from 31 December of the year in which the
managing authority's last payment to the beneficiary was made (Regulation (EU) 2021/1060, art. 82). That
payment's date is set with LCE_PROGRAMME_LAST_PAYMENT (YYYY-MM-DD; until it is set the period runs) and the years
with LCE_PROGRAMME_RETENTION_YEARS (default 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session, selectinload

from lce_utils import settings
from lce_utils.errors import DataError
from lce_utils.messages import both, t
from lce_utils.programme import fields, personnummer
from lce_utils.programme.crypto import Cipher
from lce_utils.programme.files import delete_files
from lce_utils.programme.models import (
    Attendance,
    Attestation,
    CollectionAttempt,
    DirectoryEntry,
    Participation,
    Person,
    Result,
)
from lce_utils.programme.store import audit, reading, transaction

LAST_PAYMENT_ENV = settings.PROGRAMME_LAST_PAYMENT.name
RULE = both("p_rule")


def _kept(key: str, end: dt.date | None) -> str:
    """The message key, Swedish then English, saying until when the records are kept (and the rule, if asked)."""
    def say(lang: str) -> str:
        until = t("p_kept_until", lang, end=end) if end else t("p_kept_until_unset", lang, env=LAST_PAYMENT_ENV)
        return t(key, lang, until=until, rule=t("p_rule", lang))
    return f"{say('sv')} / {say('en')}"


def retention_end(env: dict[str, str] | None = None) -> dt.date | None:
    """The last day records must be kept, or None while the last payment is not made (the period runs)."""
    years = settings.PROGRAMME_RETENTION_YEARS(env)
    paid = settings.PROGRAMME_LAST_PAYMENT(env)
    return None if paid is None else dt.date(paid.year + years, 12, 31)


def _find(session: Session, who: str, cipher: Cipher) -> Person:
    who = who.strip()
    if "@" in who:
        person = session.scalar(select(Person).where(Person.email == who.lower()))
    else:
        digits = personnummer.parse(who).digits
        person = session.scalar(select(Person).where(Person.pnr_lookup == cipher.lookup(digits)))
    if person is None:
        raise DataError(both("p_no_such_person"))
    return person


def person_id(who: str, url: str | None = None) -> int:
    """The register's id of the person with this personnummer or e-mail (DataError if there is none)."""
    cipher = Cipher.load()
    with reading(url) as session:
        return _find(session, who, cipher).id


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def export_person(who: str, url: str | None = None) -> dict[str, Any]:
    """Everything the register holds about the person with this personnummer or e-mail, decrypted, JSON-ready."""
    cipher = Cipher.load()
    with reading(url) as session:
        person = _find(session, who, cipher)
        parts = session.scalars(select(Participation).options(
            selectinload(Participation.attempts), selectinload(Participation.results),
            selectinload(Participation.attendance), selectinload(Participation.attestations))
            .where(Participation.person_id == person.id).order_by(Participation.entry_date)).all()
        keep = ("name", "email", "protected_identity", "coordination_number", "birth_date", "gender",
                "student_id", "mentorship_email", "institution", "created_at")
        return {
            "person": {**{k: _iso(getattr(person, k)) for k in keep},
                       "personnummer": cipher.decrypt(person.pnr_token)},
            "participations": [{
                **{k: _iso(getattr(p, k)) for k in ("entry_date", "exit_date", "exit_reason", "labour_status",
                                                     "education", *fields.FLAGS)},
                **{c: cipher.decrypt(getattr(p, f"{c}_token")) for c in fields.SPECIAL},
                "collection_attempts": [{"category": a.category, "outcome": a.outcome, "method": a.method,
                                         "at": _iso(a.attempted_at)} for a in p.attempts],
                "results": [{"stage": r.stage, "recorded_on": _iso(r.recorded_on),
                             **{k: getattr(r, k) for k in fields.RESULT_FLAGS}} for r in p.results],
                "attendance": [{"activity": a.activity, "month": a.month, "hours": a.hours, "source": a.source}
                               for a in p.attendance],
                "attestations": [{"month": a.month, "hours": a.hours, "method": a.method,
                                  "at": _iso(a.attested_at)} for a in p.attestations],
            } for p in parts],
            "directory": [{"reference": d.reference, "field": d.field, "municipality": d.municipality,
                           "skills_offered": d.skills_offered, "skills_wanted": d.skills_wanted,
                           "text_version": d.text_version, "surface": d.surface, "given_at": _iso(d.given_at),
                           "revoked_at": _iso(d.revoked_at)}
                          for d in session.scalars(select(DirectoryEntry)
                                                   .where(DirectoryEntry.person_id == person.id))],
            "retention": {"rule": RULE, "kept_until": _iso(retention_end())},
        }


def _delete_people(session: Session, person_ids: list[int]) -> int:
    """Delete people with everything about them; returns the number of rows removed."""
    part_ids = list(session.scalars(select(Participation.id).where(Participation.person_id.in_(person_ids))))
    removed = 0
    for table in (CollectionAttempt, Result, Attendance, Attestation):
        # cast: a DELETE gives a CursorResult (with rowcount); Session.execute is typed as the generic Result
        result = cast(CursorResult[Any], session.execute(delete(table).where(table.participation_id.in_(part_ids))))
        removed += result.rowcount
    session.execute(delete(Participation).where(Participation.id.in_(part_ids)))
    # (the directory entry goes with the person: the next site build lists them no more)
    removed += cast(CursorResult[Any], session.execute(
        delete(DirectoryEntry).where(DirectoryEntry.person_id.in_(person_ids)))).rowcount
    session.execute(delete(Person).where(Person.id.in_(person_ids)))
    return len(person_ids) + len(part_ids) + removed


def erase_person(who: str, url: str | None = None, today: dt.date | None = None) -> str:
    """Erase one person once the retention period has ended; before that DataError says why not and until when."""
    today = today or dt.date.today()
    end = retention_end()
    if end is None or today <= end:
        raise DataError(_kept("p_erasure_refused", end))
    cipher = Cipher.load()

    def write(session: Session) -> str:
        person = _find(session, who, cipher)
        rows = _delete_people(session, [person.id])
        files = delete_files(session, [person.id])
        audit(session, "erase_person", rows=rows, files=files)
        return both("p_erased", rows=rows, files=files)

    return transaction(write, url)


def purge(url: str | None = None, today: dt.date | None = None) -> str:
    """Remove every participant once the retention period has ended; otherwise remove nothing and say until when."""
    today = today or dt.date.today()
    end = retention_end()
    if end is None or today <= end:
        return _kept("p_nothing_purged", end)

    def write(session: Session) -> str:
        ids = list(session.scalars(select(Person.id)))
        rows = _delete_people(session, ids) if ids else 0
        files = delete_files(session)  # (every file written about people: all of them are past the period)
        audit(session, "purge", people=len(ids), rows=rows, files=files)
        return both("p_purged", people=len(ids), rows=rows, files=files, end=end)

    return transaction(write, url)
