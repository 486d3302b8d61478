"""Participants' consent to the network directory, recorded by staff with what the directory lists about them
(field, municipality, skills), and its revocation. lce_utils.knowledge.directory builds the page from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lce_utils.errors import DataError
from lce_utils.mentorship.audit import cli_actor
from lce_utils.mentorship.models import utcnow
from lce_utils.mentorship.store import DIRECTORY_CONSENT_VERSION, new_reference
from lce_utils.mentorship.validation import validate_listing
from lce_utils.messages import both
from lce_utils.programme.models import DirectoryEntry, Person
from lce_utils.programme.store import audit, transaction


def _person(session: Session, who: str) -> Person:
    """A participant by register id or e-mail address (never by personnummer: staff need not type it here)."""
    who = str(who).strip()
    if who.isdigit():
        person = session.get(Person, int(who))
    else:
        person = session.scalar(select(Person).where(Person.email == who.lower()))
    if person is None:
        raise DataError(both("p_no_participant_who", who=repr(who)))
    return person


def give_consent(who: str, listing: dict[str, Any], url: str | None = None, actor: str | None = None,
                 text_version: str = DIRECTORY_CONSENT_VERSION) -> str:
    """Record a participant's consent to the directory (shown the text of text_version) with what it lists;
    renews a revoked consent. Returns the contact reference."""
    clean = validate_listing(listing)
    surface = (actor or cli_actor())[:64]

    def write(session: Session) -> str:
        person = _person(session, who)
        row = session.scalar(select(DirectoryEntry).where(DirectoryEntry.person_id == person.id))
        if row is None:
            row = DirectoryEntry(person_id=person.id, reference=new_reference("P"), text_version=text_version,
                                 surface=surface, **clean)
            session.add(row)
        else:
            for key, value in clean.items():
                setattr(row, key, value)
            row.given_at, row.text_version, row.surface = utcnow(), text_version, surface
            row.revoked_at = row.revoked_by = None
        audit(session, "directory_consent", actor=surface)
        return row.reference

    return transaction(write, url)


def revoke_consent(who: str, url: str | None = None, actor: str | None = None) -> bool:
    """Withdraw a participant's consent (the next site build leaves them out); False if none was in force."""
    by = (actor or cli_actor())[:64]

    def write(session: Session) -> bool:
        person = _person(session, who)
        row = session.scalar(select(DirectoryEntry).where(DirectoryEntry.person_id == person.id))
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at, row.revoked_by = utcnow(), by
        audit(session, "directory_revoke", actor=by)
        return True

    return transaction(write, url)
