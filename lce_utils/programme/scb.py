"""The monthly participant file for SCB: a participation is reported in the month it starts and its exit in the
month it ends, through the column mapping in scb-columns.yaml. A month whose file changes after it was reported
is a correction, and every later month already reported is reported again (SCB's rule)."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lce_utils.errors import DataError, UsageError
from lce_utils.messages import both
from lce_utils.programme.models import ScbExport
from lce_utils.programme.store import Record, audit, records, transaction
from lce_utils.staging import atomic_write_text

MAPPING = Path(__file__).with_name("scb-columns.yaml")
DUE_DAYS = 28  # the report is due within four weeks of the month's end
FIELDS = {"personnummer", "event", "entry_date", "exit_date", "exit_reason", "gender", "labour_status", "education"}


@dataclass(frozen=True)
class Written:
    """One month's file: where, which version, how many rows, why it was written."""
    month: str
    path: Path
    version: int
    rows: int
    protected: int
    reason: str


def parse_month(text: str) -> tuple[int, int]:
    """YYYY-MM as (year, month), or UsageError."""
    found = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text.strip())
    if not found:
        raise UsageError(both("p_month_arg", value=repr(text)))
    return int(found[1]), int(found[2])


def month_end(month: str) -> dt.date:
    """The last day of month YYYY-MM."""
    year, number = parse_month(month)
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def load_mapping(path: Path | None = None) -> dict[str, Any]:
    """The column mapping, checked: every column names a known field, codes cover what they map."""
    path = path or MAPPING
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: " + both("p_scb_mapping_unreadable", error=exc)) from None
    columns = mapping.get("columns") if isinstance(mapping, dict) else None
    if not isinstance(columns, list) or not columns:
        raise DataError(f"{path}: " + both("p_scb_columns"))
    for n, column in enumerate(columns, start=1):
        if not isinstance(column, dict) or column.get("field") not in FIELDS or not column.get("header"):
            raise DataError(f"{path}: " + both("p_scb_column", n=n, fields=sorted(FIELDS)))
    return mapping


def _value(record: Record, event: str, column: dict[str, Any], date_format: str) -> str:
    field = column["field"]
    value = event if field == "event" else getattr(record, field)
    if value is None:
        return ""
    if field == "exit_date" and event == "start":
        return ""  # the start row carries the start; the exit is reported in its own month
    if field == "exit_reason" and event == "start":
        return ""
    if isinstance(value, dt.date):
        return value.strftime(date_format)
    codes = column.get("codes")
    if codes:
        if value not in codes:
            raise DataError(both("p_scb_no_code", header=repr(column["header"]), value=repr(value)))
        return str(codes[value])
    return str(value)


def render(month: str, rows: list[Record], mapping: dict[str, Any]) -> tuple[str, int, int]:
    """The month's file as text, its number of rows, and how many participants with protected identity were left
    for SCB's special form."""
    year, number = parse_month(month)

    def within(day: dt.date | None) -> TypeGuard[dt.date]:
        return day is not None and (day.year, day.month) == (year, number)

    events = [(r.entry_date, 0, r.participation_id, "start", r) for r in rows if within(r.entry_date)]
    events += [(r.exit_date, 1, r.participation_id, "exit", r) for r in rows if within(r.exit_date)]
    events.sort(key=lambda e: e[:3])
    protected = sum(1 for e in events if e[4].protected_identity)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=mapping.get("delimiter", ";"), lineterminator="\n")
    writer.writerow([c["header"] for c in mapping["columns"]])
    fmt = mapping.get("date_format", "%Y-%m-%d")
    written = 0
    for _day, _order, _id, event, record in events:
        if record.protected_identity:
            continue
        writer.writerow([_value(record, event, c, fmt) for c in mapping["columns"]])
        written += 1
    return out.getvalue(), written, protected


def path_for(out: Path, month: str, later: str) -> Path:
    """Where a later month's file goes beside out: the month in out's name replaced, else added."""
    if month in out.name:
        return out.with_name(out.name.replace(month, later))
    return out.with_name(f"{out.stem}-{later}{out.suffix}")


def export_month(month: str, out: Path, url: str | None = None, mapping_path: Path | None = None,
                 today: dt.date | None = None) -> list[Written]:
    """Write month's file to out; when it corrects a month already reported, write every later reported month
    again beside it. Returns what was written, the asked month first."""
    today = today or dt.date.today()
    end = month_end(month)
    if end >= today:
        raise UsageError(both("p_month_not_ended", month=month, end=end))
    mapping = load_mapping(mapping_path)
    rows = records(url)

    def write(session: Session) -> list[Written]:
        done = _export(session, month, out, rows, mapping)
        audit(session, "scb_export", months=[w.month for w in done], versions=[w.version for w in done])
        return done

    return transaction(write, url)


def _export(session: Session, month: str, out: Path, rows: list[Record], mapping: dict[str, Any]) -> list[Written]:
    last = _latest(session, month)
    text, count, protected = render(month, rows, mapping)
    digest = hashlib.sha256(text.encode()).hexdigest()
    done: list[Written] = []
    if last is not None and last.digest == digest:
        reason = both("p_scb_unchanged", version=last.version)
        atomic_write_text(out, text, mode=0o600)
        return [Written(month, out, last.version, count, protected, reason)]
    version = 1 if last is None else last.version + 1
    reason = both("p_scb_first") if last is None else both("p_scb_correction", version=last.version)
    done.append(_store(session, out, month, text, digest, version, count, protected, reason))
    if last is None:
        return done
    later = sorted(m for m in session.scalars(select(ScbExport.month).distinct()) if m > month)
    for other in later:
        other_text, other_count, other_protected = render(other, rows, mapping)
        previous = _latest(session, other)  # never None: other was reported (it is in scb_export)
        next_version = 1 if previous is None else previous.version + 1
        done.append(_store(session, path_for(out, month, other), other, other_text,
                           hashlib.sha256(other_text.encode()).hexdigest(), next_version, other_count,
                           other_protected, both("p_scb_again", month=month)))
    return done


def stale_months(url: str | None = None, mapping_path: Path | None = None) -> list[str]:
    """Months already reported whose file would differ today (the register was corrected since): each needs
    `scb-export` again, which re-reports the later months too."""
    mapping = load_mapping(mapping_path)
    rows = records(url)

    def read(session: Session) -> list[str]:
        stale = []
        for month in sorted(set(session.scalars(select(ScbExport.month)))):
            last = _latest(session, month)
            text = render(month, rows, mapping)[0]
            if last is not None and hashlib.sha256(text.encode()).hexdigest() != last.digest:
                stale.append(month)
        return stale

    return transaction(read, url)


def _latest(session: Session, month: str) -> ScbExport | None:
    version = session.scalar(select(func.max(ScbExport.version)).where(ScbExport.month == month))
    if version is None:
        return None
    return session.scalar(select(ScbExport).where(ScbExport.month == month, ScbExport.version == version))


def _store(session: Session, path: Path, month: str, text: str, digest: str, version: int, count: int,
           protected: int, reason: str) -> Written:
    atomic_write_text(path, text, mode=0o600)  # personnummer: the owner's only
    session.add(ScbExport(month=month, version=version, rows=count, digest=digest, reason=reason[:200]))
    return Written(month, path, version, count, protected, reason)


def due_date(month: str) -> dt.date:
    """The day the month's report is due: four weeks after the month's end."""
    return month_end(month) + dt.timedelta(days=DUE_DAYS)
