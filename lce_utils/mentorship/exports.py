"""Exports for the coordinators: matches as CSV and Excel with formula-like cells neutralised, one person's data.

Files are registered (export_files) with the people in them before they are written, so erasure can rewrite or
delete them and the retention purge can expire them; the coordinator app streams downloads and writes nothing.
Every export is in the audit log (who, when, what; no personal data)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from lce_utils.mentorship import audit
from lce_utils.mentorship.export_files import register_file
from lce_utils.mentorship.matching import explain
from lce_utils.mentorship.store import _person, exclusive, matches_in, person_record, reading, transaction
from lce_utils.staging import atomic_write

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = ["pair_id", "kind", "code", "locked", "score", "a_name", "a_email", "a_organisation", "b_name", "b_email",
           "b_organisation", "why_sv", "why_en"]


def neutralise(value: Any) -> Any:
    """A cell value that a spreadsheet will not run: text starting with = + - @ (or a control) gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _matches(session: Session) -> tuple[list[dict[str, Any]], set[int]]:
    """The current matches as flat rows, and the ids of the people in them."""
    rows: list[dict[str, Any]] = []
    people: set[int] = set()
    for m in matches_in(session):
        rows.append({"pair_id": m.id, "kind": m.kind, "code": m.code, "locked": bool(m.locked),
                     "score": round(m.score, 2), "a_name": m.a.person.name, "a_email": m.a.person.email,
                     "a_organisation": m.a.person.organisation or "", "b_name": m.b.person.name,
                     "b_email": m.b.person.email, "b_organisation": m.b.person.organisation or "",
                     "why_sv": explain(m.reasons, "sv"), "why_en": explain(m.reasons, "en")})
        people.update((m.a.person_id, m.b.person_id))
    return rows, people


def match_rows(url: str | None = None) -> list[dict[str, Any]]:
    """The current matches as flat rows (names and e-mails included: for the coordinators only)."""
    with reading(url) as session:
        return _matches(session)[0]


def _csv_into(rows: list[dict[str, Any]], fh: IO[str]) -> None:
    writer = csv.DictWriter(fh, fieldnames=COLUMNS if not rows else list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise(v) for k, v in row.items()})


def _xlsx_into(rows: list[dict[str, Any]], target: str | IO[bytes]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False,
                                            "in_memory": True})
    sheet = workbook.add_worksheet("matches")
    header = COLUMNS if not rows else list(rows[0])
    bold = workbook.add_format({"bold": True})
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(header):
            value = row[name]
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(neutralise(value if value is not None else "")))
    sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    workbook.close()


def write_csv(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """rows as UTF-8 CSV (with BOM, so Excel reads Swedish letters), cells neutralised, written atomically."""
    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            _csv_into(rows, fh)
    return atomic_write(Path(path), write, mode=0o600)


def write_xlsx(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """rows as an Excel workbook where every text is stored as text (never a formula), written atomically."""
    return atomic_write(Path(path), lambda tmp: _xlsx_into(rows, tmp), mode=0o600)


def matches_bytes(rows: list[dict[str, Any]], kind: str) -> bytes:
    """rows as the bytes of a CSV ("csv") or Excel ("xlsx") file, for a download that leaves no file behind."""
    if kind == "csv":
        text = io.StringIO(newline="")
        _csv_into(rows, text)
        return text.getvalue().encode("utf-8-sig")
    buffer = io.BytesIO()
    _xlsx_into(rows, buffer)
    return buffer.getvalue()


def _audit(url: str | None, actor: str | None, action: str, **details: Any) -> None:
    transaction(lambda session: audit.record(session, actor or audit.cli_actor(), action, **details), url)


def export_matches(folder: str | Path, url: str | None = None, stem: str = "matches",
                   actor: str | None = None) -> tuple[Path, Path]:
    """The current matches as folder/stem.csv and folder/stem.xlsx, registered and audited."""
    folder = Path(folder)
    paths = folder / f"{stem}.csv", folder / f"{stem}.xlsx"

    def register_and_write(session: Session) -> tuple[Path, Path]:
        # read, registered and written inside one transaction serialised with erasures (exclusive): an erasure
        # either came first (its person is not read) or comes after and finds the registered file
        exclusive(session)
        rows, people = _matches(session)
        for path, kind in zip(paths, ("matches_csv", "matches_xlsx")):
            register_file(session, path, kind, people)
        audit.record(session, actor or audit.cli_actor(), "export_matches", rows=len(rows),
                     files=[p.name for p in paths])
        return write_csv(rows, paths[0]), write_xlsx(rows, paths[1])

    return transaction(register_and_write, url)


def download_matches(kind: str, url: str | None = None, actor: str | None = None) -> tuple[str, bytes]:
    """A file name and the bytes of the current matches as "csv" or "xlsx", audited; nothing written to disk."""
    rows = match_rows(url)
    name = f"matches-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.{kind}"
    data = matches_bytes(rows, kind)
    _audit(url, actor, "export_matches", rows=len(rows), format=kind, stored=False)
    return name, data


def person_data(email: str, url: str | None = None, actor: str | None = None, stored: bool = False
                ) -> dict[str, Any]:
    """One person's data (export_person), audited as an export (without the person)."""
    with reading(url) as session:
        data = person_record(session, email)
    _audit(url, actor, "export_person", stored=stored)
    return data


def write_person_export(email: str, path: str | Path, url: str | None = None, actor: str | None = None) -> Path:
    """One person's data (export_person) as a JSON file, registered, audited and written atomically (in one
    transaction serialised with erasures, as export_matches)."""
    def register_and_write(session: Session) -> Path:
        exclusive(session)
        data = person_record(session, email)
        row = register_file(session, Path(path), "person_json", [_person(session, email).id])
        session.flush()
        # the file's own name may name the person: the log keeps the registry number only
        audit.record(session, actor or audit.cli_actor(), "export_person", stored=True, file_id=row.id)

        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=2)
        return atomic_write(Path(path), write, mode=0o600)

    return transaction(register_and_write, url)
