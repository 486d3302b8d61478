"""Grades for the programme's LMS: Canvas's and Moodle's grade-import CSV files, from the course's gradebook.

A roster CSV maps the course's learner ids (hub user names) to the LMS's own identities:
`learner,name,email,canvas_id,sis_user_id,sis_login_id,section` (Canvas needs canvas_id or sis_user_id; Moodle
needs email). Scores are LCE's exported ones (late penalty taken off), summed over an assignment's notebooks.
Canvas: the layout of Canvas's own gradebook export (Student, ID, SIS User ID, SIS Login ID, Section, then one
column per assignment, a 'Points Possible' row first), which its gradebook import reads back. Moodle: one
identifier column (Email address) and one column per grade item, mapped to grade items on Moodle's
'Import > CSV file' page. A learner without a graded submission gets an empty cell (no grade), never a 0."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from lce_utils.courses.config import assignments, course_root
from lce_utils.courses.export import assignment_max_score, collect_rows
from lce_utils.errors import DataError
from lce_utils.messages import both

ROSTER_COLUMNS = ("learner", "name", "email", "canvas_id", "sis_user_id", "sis_login_id", "section")
FORMATS = ("canvas", "moodle")


@dataclass(frozen=True)
class RosterEntry:
    """One learner as the LMS knows them."""

    learner: str
    name: str
    email: str
    canvas_id: str
    sis_user_id: str
    sis_login_id: str
    section: str


def read_roster(path: str | Path, lms: str) -> list[RosterEntry]:
    """Read the roster CSV; an error names the file, row and column, in Swedish and English."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(both("err_roster_unreadable", path=path, error=exc)) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "learner" not in reader.fieldnames:
        raise DataError(both("err_roster_header", path=path, columns=", ".join(ROSTER_COLUMNS[1:])))
    needed = ("email",) if lms == "moodle" else ()
    entries, seen = [], set()
    for number, row in enumerate(reader, start=2):
        values = {c: (row.get(c) or "").strip() for c in ROSTER_COLUMNS}
        if not values["learner"]:
            raise DataError(both("err_roster_no_learner", path=path, row=number))
        if values["learner"] in seen:
            raise DataError(both("err_roster_twice", path=path, row=number, learner=repr(values["learner"])))
        seen.add(values["learner"])
        missing = [c for c in needed if not values[c]]
        if lms == "canvas" and not (values["canvas_id"] or values["sis_user_id"]):
            missing.append("canvas_id or sis_user_id")
        if missing:
            raise DataError(both("err_roster_empty_column", path=path, row=number, columns=", ".join(missing),
                                 lms=lms))
        entries.append(RosterEntry(**values))
    return entries


def assignment_totals(names: list[str], root: str | Path | None = None) -> dict[str, dict[str, tuple[float, float]]]:
    """assignment -> learner -> (score after late penalty, max score), summed over the assignment's notebooks."""
    totals: dict[str, dict[str, tuple[float, float]]] = {}
    for name in names:
        rows, _ = collect_rows(name, root)
        per: dict[str, tuple[float, float]] = {}
        for row in rows:
            score, top = per.get(row["student"], (0.0, 0.0))
            per[row["student"]] = (score + float(row["score"]), top + float(row["max_score"]))
        totals[name] = {k: (round(s, 2), round(m, 2)) for k, (s, m) in per.items()}
    return totals


def _number(value: float) -> str:
    return f"{value:g}"


def lms_csv(lms: str, roster: list[RosterEntry], names: list[str], root: str | Path | None = None,
            canvas_ids: dict[str, str] | None = None) -> str:
    """The grade-import CSV text for lms ('canvas' or 'moodle') of the given assignments."""
    if lms not in FORMATS:
        raise DataError(f"unknown LMS {lms!r}; expected one of {', '.join(FORMATS)}")
    root = course_root(root)
    titles = {a.id: a.title for a in assignments(root)}
    totals = assignment_totals(names, root)
    known = {e.learner for e in roster}
    unlisted = sorted({s for per in totals.values() for s in per} - known)
    if unlisted:  # a grade that would go nowhere: refuse rather than drop it silently
        raise DataError(both("err_roster_unlisted", learners=", ".join(unlisted)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if lms == "canvas":
        ids = canvas_ids or {}
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
                        + [f"{titles.get(n, n)} ({ids[n]})" if n in ids else titles.get(n, n) for n in names])
        # every lesson's points, also when no learner has handed in all lessons (the grades have no row for those)
        maxima = [assignment_max_score(n, root) or max((m for _, m in totals[n].values()), default=0.0)
                  for n in names]
        writer.writerow(["    Points Possible", "", "", "", ""] + [_number(m) for m in maxima])
        for e in roster:
            writer.writerow([e.name, e.canvas_id, e.sis_user_id, e.sis_login_id, e.section]
                            + [_number(totals[n][e.learner][0]) if e.learner in totals[n] else "" for n in names])
    else:
        writer.writerow(["Email address"] + [titles.get(n, n) for n in names])
        for e in roster:
            writer.writerow([e.email] + [_number(totals[n][e.learner][0]) if e.learner in totals[n] else ""
                                         for n in names])
    return out.getvalue()


def write_lms_csv(lms: str, roster_path: str | Path, out: str | Path, names: list[str] | None = None,
                  root: str | Path | None = None, canvas_ids: dict[str, str] | None = None) -> Path:
    """Write the LMS grade-import CSV of the given assignments (all when none) to out."""
    root = course_root(root)
    names = names or [a.id for a in assignments(root)]
    text = lms_csv(lms, read_roster(roster_path, lms), names, root, canvas_ids)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out
