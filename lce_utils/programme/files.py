"""Files about people that `lce programme` writes (certificates, person exports, SCB's monthly files, rosters):
each is recorded with the ids of the people in it, so erasure deletes the files naming the person and the purge
deletes them all once the retention period has ended (`rights.py`).

The record is kept in the register's audit log ("file_written", then "file_deleted"): the register has no file
table of its own (the mentorship store's `export_files` registry belongs to that store). The indicator table is
not recorded: it holds counts by gender only, no person."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lce_utils.programme.models import AuditEvent
from lce_utils.programme.store import audit, transaction

WRITTEN, DELETED = "file_written", "file_deleted"


def record_file(path: Path, kind: str, person_ids: Iterable[int], url: str | None = None) -> None:
    """Record that path (just written) holds these people (a file written again under its name: replaced)."""
    key = str(Path(path).resolve())
    people = sorted(set(person_ids))

    def write(session: Session) -> None:
        audit(session, WRITTEN, path=key, kind=kind, people=people)

    transaction(write, url)


def recorded(session: Session) -> dict[str, set[int]]:
    """Each recorded file that has not been deleted since, with the people in it (its latest writing's)."""
    files: dict[str, set[int]] = {}
    for event in session.scalars(select(AuditEvent).where(AuditEvent.action.in_((WRITTEN, DELETED)))
                                 .order_by(AuditEvent.id)):
        path = str(event.details.get("path", ""))
        if event.action == WRITTEN:
            files[path] = {int(p) for p in event.details.get("people", [])}
        else:
            files.pop(path, None)
    return files


def delete_files(session: Session, person_ids: Iterable[int] | None = None) -> int:
    """Delete the recorded files naming one of these people (None: every recorded file); returns how many existed.
    A file naming others too goes as a whole: it is written again from the register when needed."""
    wanted = None if person_ids is None else set(person_ids)
    removed = 0
    for path, people in recorded(session).items():
        if wanted is not None and not people & wanted:
            continue
        file = Path(path)
        if file.exists():
            file.unlink()
            removed += 1
        audit(session, DELETED, path=path)
    return removed
