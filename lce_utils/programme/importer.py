"""Staff lists into the register: a CSV or spreadsheet, its headers mapped to the register's fields, every row
checked, and all rows stored in one transaction or none (every wrong row is named, with its column)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy.orm import Session

from lce_utils.errors import DataError
from lce_utils.messages import both, pair
from lce_utils.programme import fields
from lce_utils.programme.crypto import Cipher
from lce_utils.programme.store import add_participant, audit, transaction

SPREADSHEETS = {".xlsx", ".xls", ".ods"}


class ImportRowsError(DataError):
    """Rows of a staff list are wrong; nothing was imported. errors lists one line per wrong row."""

    def __init__(self, path: Path, errors: list[str]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{path}: {both('p_rows_wrong', n=len(errors))}:\n{shown}{more}")


def row_error(line: int, column: str | None, exc: fields.FieldError) -> str:
    """One wrong row of a list: its number, its column and what is wrong, Swedish then English."""
    row, col = "/".join(pair("p_row")), "/".join(pair("p_column"))
    return f"{row} {line}, {col} {column!r}: {exc.sv} / {exc.en}"


@dataclass(frozen=True)
class Imported:
    """What an import stored: how many participations, and the list's columns it did not use."""
    participations: int
    ignored_columns: list[str]


def read_table(path: Path) -> pd.DataFrame:
    """The list as text cells (CSV/TSV with ; , or tab, or the first sheet of xlsx/xls/ods)."""
    if not path.exists():
        raise DataError(f"{path}: " + both("p_no_file"))
    try:
        if path.suffix.lower() in SPREADSHEETS:
            return pd.read_excel(path, dtype=str, engine="calamine").fillna("")
        return pd.read_csv(path, dtype=str, sep=None, engine="python", keep_default_na=False,
                           encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: " + both("p_unreadable", error=exc)) from None


def load_mapping(path: Path | None) -> dict[str, str]:
    """A mapping file (YAML, field: header) as {field: header}; None for the default."""
    if path is None:
        return {}
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: " + both("p_mapping_unreadable", error=exc)) from None
    if not isinstance(mapping, dict) or any(k not in fields.FIELDS for k in mapping):
        unknown = sorted(set(mapping) - set(fields.FIELDS)) if isinstance(mapping, dict) else mapping
        raise DataError(f"{path}: " + both("p_mapping_fields", fields=", ".join(fields.FIELDS), unknown=unknown))
    return {str(k): str(v) for k, v in mapping.items()}


def resolve_columns(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """{field: header} for the list: the mapping first, else a header that is the field's name or its Swedish
    or English label (any case). A mapped header missing from the list is an error."""
    by_text = {h.strip().casefold(): h for h in headers}
    found: dict[str, str] = {}
    for field in fields.FIELDS:
        if field in mapping:
            header = by_text.get(mapping[field].strip().casefold())
            if header is None:
                raise DataError(both("p_mapping_no_column", field=field, header=repr(mapping[field]),
                                     headers=", ".join(headers)))
            found[field] = header
            continue
        for name in (field, *fields.LABELS[field]):
            if name.casefold() in by_text:
                found[field] = by_text[name.casefold()]
                break
    return found


def import_list(path: Path, url: str | None = None, mapping_path: Path | None = None,
                today: dt.date | None = None) -> Imported:
    """Import a staff list: all rows or none; ImportRowsError names every wrong row, column and reason."""
    table = read_table(path)
    headers = [str(h) for h in table.columns]
    columns = resolve_columns(headers, load_mapping(mapping_path))
    missing = [f for f in fields.REQUIRED if f not in columns]
    if "personnummer" not in columns and "protected_identity" not in columns:
        missing.append("personnummer")
    if missing:
        raise DataError(f"{path}: " + both("p_no_column", missing=", ".join(missing)))
    cipher = Cipher.load()

    def write(session: Session) -> int:
        errors: list[str] = []
        stored = 0
        for index, row in enumerate(table.to_dict("records")):
            line = index + 2  # the spreadsheet's row number: the header is row 1
            data: dict[str, Any] = {field: row[header] for field, header in columns.items()}
            try:
                clean = fields.check_participant(data, today)
                with session.begin_nested():
                    add_participant(session, clean, cipher, method="import")
                stored += 1
            except fields.FieldError as exc:
                column = columns.get(exc.field, exc.field)
                errors.append(row_error(line, column, exc))
        if errors:
            raise ImportRowsError(path, errors)
        audit(session, "import", rows=stored, file=path.name)
        return stored

    count = transaction(write, url)
    ignored = [h for h in headers if h not in set(columns.values())]
    return Imported(count, ignored)
