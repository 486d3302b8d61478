"""Files with personal data that LCE writes: a registry of each file and the people in it, so erasure can
rewrite or delete them and the retention purge can expire them (also unregistered files in the exports folder)."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lce_utils import settings
from lce_utils.mentorship.models import ExportFile, ExportFilePerson
from lce_utils.staging import atomic_write

EMAIL_COLUMNS = ("a_email", "b_email")


def exports_dir() -> Path:
    """The exports folder: LCE_MENTORSHIP_EXPORTS (relative to the repository) or var/mentorship-exports."""
    return settings.MENTORSHIP_EXPORTS()


def register_file(session: Session, path: Path, kind: str, person_ids: Iterable[int]) -> ExportFile:
    """Record that path (just written) holds these people; a file written again under the same name is updated."""
    key = str(Path(path).resolve())
    row = session.scalar(select(ExportFile).where(ExportFile.path == key))
    if row is None:
        row = ExportFile(path=key, kind=kind)
        session.add(row)
        session.flush()
    else:
        row.kind = kind
        session.execute(delete(ExportFilePerson).where(ExportFilePerson.export_file_id == row.id))
    for pid in sorted(set(person_ids)):
        session.add(ExportFilePerson(export_file_id=row.id, person_id=pid))
    return row


def _plain(value: object) -> str:
    # exports neutralise cells that start like a formula with a leading apostrophe
    return str(value or "").lstrip("'").strip().lower()


def _rewrite_csv(path: Path, emails: set[str]) -> bool:
    """Drop the rows naming one of emails; False when the file is not an LCE matches CSV."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        if not set(EMAIL_COLUMNS) <= set(fields):
            return False
        rows = list(reader)
    kept = [r for r in rows if not ({_plain(r[c]) for c in EMAIL_COLUMNS} & emails)]
    if len(kept) == len(rows):
        return True

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(kept)
    atomic_write(path, write, mode=0o600)  # personal data: the owner reads it only
    return True


def _rewrite_xlsx(path: Path, emails: set[str]) -> bool:
    """Drop the rows naming one of emails from every sheet; False when it is not an LCE matches workbook."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.load_workbook(path)
    found = False
    for sheet in workbook.worksheets:
        header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1), [])]
        columns = [header.index(c) for c in EMAIL_COLUMNS if c in header]
        if len(columns) != len(EMAIL_COLUMNS):
            continue
        found = True
        doomed = [row[0].row for row in sheet.iter_rows(min_row=2)
                  if {_plain(row[i].value) for i in columns} & emails]
        for number in reversed(doomed):
            sheet.delete_rows(number)
        if sheet.auto_filter.ref:
            sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{max(sheet.max_row, 2)}"
    if not found:
        return False
    atomic_write(path, workbook.save, mode=0o600)
    return True


def _mentions(path: Path, needles: set[str]) -> bool:
    """Whether the file's text (or, for a zip such as .xlsx, any member's) contains one of needles."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        else:
            text = path.read_bytes().decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile):
        return True  # unreadable: treat as holding the person, so it is removed rather than left behind
    text = text.lower()
    return any(n in text for n in needles)


def scrub_file(path: Path, emails: set[str]) -> str:
    """Remove the people with these e-mails from one file: 'rewritten', 'deleted' or 'missing'."""
    if not path.exists():
        return "missing"
    try:
        if path.suffix == ".csv" and _rewrite_csv(path, emails):
            return "rewritten"
        if path.suffix == ".xlsx" and _rewrite_xlsx(path, emails):
            return "rewritten"
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        pass  # not a file we can rewrite: deleted below
    path.unlink(missing_ok=True)
    return "deleted"


def scrub_people(session: Session, people: dict[int, str], folder: Path | None = None) -> dict[str, int]:
    """Take the people (id -> e-mail) out of every registered file and every file in the exports folder."""
    counts = {"files_rewritten": 0, "files_deleted": 0}
    if not people:
        return counts
    emails = {e.lower() for e in people.values()}
    files = list(session.scalars(select(ExportFile).where(ExportFile.id.in_(
        select(ExportFilePerson.export_file_id).where(ExportFilePerson.person_id.in_(list(people))))))
                 .unique())
    for row in files:
        path = Path(row.path)
        outcome = "deleted" if row.kind == "person_json" and path.exists() else None
        if outcome:
            path.unlink(missing_ok=True)
        else:
            outcome = scrub_file(path, emails)
        if outcome in {"deleted", "missing"}:
            session.delete(row)
        if outcome != "missing":
            counts["files_" + outcome] += 1
    session.execute(delete(ExportFilePerson).where(ExportFilePerson.person_id.in_(list(people))))
    # Files in the exports folder that are not registered (written before the registry, or copied there).
    registered = set(session.scalars(select(ExportFile.path)))
    base = folder or exports_dir()
    if base.is_dir():
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if str(path.resolve()) not in registered and _mentions(path, emails):
                counts["files_" + scrub_file(path, emails)] += 1
    return counts


def expire_files(session: Session, cutoff: dt.datetime, folder: Path | None = None) -> int:
    """Delete registered files written before cutoff (naive UTC) and older unregistered files in the folder."""
    removed = 0
    for row in list(session.scalars(select(ExportFile).where(ExportFile.created_at < cutoff))):
        path = Path(row.path)
        if path.exists():
            path.unlink()
            removed += 1
        session.delete(row)
    registered = set(session.scalars(select(ExportFile.path)))
    base = folder or exports_dir()
    limit = cutoff.replace(tzinfo=dt.UTC).timestamp()
    if base.is_dir():
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if str(path.resolve()) not in registered and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
    return removed
