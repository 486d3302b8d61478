"""Exports for the coordinators: matches as CSV and Excel with formula-like cells neutralised, one person's data."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from lce_utils.mentorship.matching import explain
from lce_utils.mentorship.store import current_matches, export_person

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = ["pair_id", "kind", "code", "locked", "score", "a_name", "a_email", "a_organisation", "b_name", "b_email",
           "b_organisation", "why_sv", "why_en"]


def neutralise(value: Any) -> Any:
    """A cell value that a spreadsheet will not run: text starting with = + - @ (or a control) gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def match_rows(url: str | None = None) -> list[dict[str, Any]]:
    """The current matches as flat rows (names and e-mails included: for the coordinators only)."""
    rows = []
    for m in current_matches(url):
        rows.append({"pair_id": m.id, "kind": m.kind, "code": m.code, "locked": bool(m.locked),
                     "score": round(m.score, 2), "a_name": m.a.person.name, "a_email": m.a.person.email,
                     "a_organisation": m.a.person.organisation or "", "b_name": m.b.person.name,
                     "b_email": m.b.person.email, "b_organisation": m.b.person.organisation or "",
                     "why_sv": explain(m.reasons, "sv"), "why_en": explain(m.reasons, "en")})
    return rows


def _atomic_target(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)


def write_csv(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """rows as UTF-8 CSV (with BOM, so Excel reads å ä ö), cells neutralised, written atomically."""
    path = Path(path)
    fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS if not rows else list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: neutralise(v) for k, v in row.items()})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_xlsx(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """rows as an Excel workbook where every text is stored as text (never a formula), written atomically."""
    import xlsxwriter

    path = Path(path)
    fd, tmp = _atomic_target(path)
    os.close(fd)
    try:
        workbook = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False})
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
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export_matches(folder: str | Path, url: str | None = None, stem: str = "matches") -> tuple[Path, Path]:
    """The current matches as folder/stem.csv and folder/stem.xlsx."""
    rows = match_rows(url)
    folder = Path(folder)
    return write_csv(rows, folder / f"{stem}.csv"), write_xlsx(rows, folder / f"{stem}.xlsx")


def write_person_export(email: str, path: str | Path, url: str | None = None) -> Path:
    """One person's data (export_person) as a JSON file, written atomically."""
    data = export_person(email, url)
    path = Path(path)
    fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
