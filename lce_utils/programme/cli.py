"""`lce programme ...`: import staff lists, the Annex I indicators, SCB's monthly file, the demo register, the data
rights (export-person, erase-person, purge), and `serve` (the staff app and the attestation page behind the
hardened server)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from lce_utils.database import db_url
from lce_utils.errors import UsageError
from lce_utils.messages import both


def cmd_import(args: argparse.Namespace) -> int:
    from lce_utils.programme.importer import import_list

    done = import_list(Path(args.file), db_url(args), Path(args.mapping) if args.mapping else None)
    print(both("p_cli_imported", n=done.participations))
    if done.ignored_columns:
        print(both("p_cli_unused_columns", columns=", ".join(done.ignored_columns)))
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from lce_utils.programme.indicators import write_indicators

    table = write_indicators(Path(args.out), db_url(args))
    total = next(row for row in table if row["indicator"] == "participants")
    print(f"{args.out}: {len(table)} indicators, {total['total']} participations "
          f"({total['woman']} women, {total['man']} men, {total['non_binary']} non-binary)")
    return 0


def cmd_scb_export(args: argparse.Namespace) -> int:
    from lce_utils.programme.scb import due_date, export_month, stale_months

    written = export_month(args.month, Path(args.out), db_url(args), Path(args.mapping) if args.mapping else None)
    _record_scb_files(written, db_url(args))
    for item in written:
        line = f"{item.path}: {item.month} version {item.version}, {item.rows} row(s); {item.reason}"
        if item.protected:
            line += "; " + both("p_cli_protected", n=item.protected)
        print(line)
    if len(written) > 1:
        print(both("p_cli_cascade", month=args.month, n=len(written) - 1))
    mapping = Path(args.mapping) if args.mapping else None
    for month in stale_months(db_url(args), mapping):
        print(both("p_cli_stale", month=month))
    due = due_date(args.month)
    print(both("p_cli_due_late" if dt.date.today() > due else "p_cli_due", due=due))
    return 0


def _record_scb_files(written: list, url: str | None) -> None:
    """Record each month's file with the people it can name (started or ended in that month), for erasure and
    purge."""
    from lce_utils.programme.files import record_file
    from lce_utils.programme.store import records

    rows = records(url)
    for item in written:
        people = [r.person_id for r in rows if f"{r.entry_date:%Y-%m}" == item.month or
                  (r.exit_date is not None and f"{r.exit_date:%Y-%m}" == item.month)]
        record_file(item.path, "scb", people, url)


def cmd_demo(args: argparse.Namespace) -> int:
    print(run_demo(db_url(args)))
    return 0


def run_demo(url: str | None = None) -> str:
    """Create the demo register (fictitious people) and return a one-line summary."""
    from lce_utils.programme.demo import demo_url, seed_demo

    url = url or demo_url()
    return seed_demo(url)


def cmd_export_person(args: argparse.Namespace) -> int:
    from lce_utils.programme.files import record_file
    from lce_utils.programme.rights import export_person, person_id

    data = export_person(args.who, db_url(args))
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        record_file(Path(args.out), "person_export", [person_id(args.who, db_url(args))], db_url(args))
        print(f"{args.out}: " + both("p_cli_exported_person"))
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_erase_person(args: argparse.Namespace) -> int:
    from lce_utils.programme.rights import erase_person

    if not args.yes:
        raise UsageError(both("p_cli_erase_yes"))
    print(erase_person(args.who, db_url(args)))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from lce_utils.programme.rights import purge

    print(purge(db_url(args)))
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from lce_utils.paths import COURSES
    from lce_utils.programme.roster import existing_mentorship_store, roster, write_roster

    if args.weeks < 1:
        raise UsageError(f"--weeks must be at least 1, got {args.weeks}")
    rows = roster(db_url(args), Path(args.course) if args.course else COURSES,
                  existing_mentorship_store(args.mentorship_db), weeks=args.weeks)
    write_roster(Path(args.out), rows)
    _record_participations(Path(args.out), "roster", [r.participation_id for r in rows], db_url(args))
    risky = sum(1 for r in rows if r.at_risk)
    print(f"{args.out}: {len(rows)} participation(s), {risky} at risk (staff only: never publish this file)")
    return 0


def _record_participations(path: Path, kind: str, participation_ids: list[int], url: str | None) -> None:
    """Record a written file with the people of these participations (for erasure and purge)."""
    from lce_utils.programme.files import record_file
    from lce_utils.programme.store import records

    wanted = set(participation_ids)
    record_file(path, kind, [r.person_id for r in records(url) if r.participation_id in wanted], url)


def cmd_hours(args: argparse.Namespace) -> int:
    from lce_utils.programme.attendance import record_hours

    record_hours(args.participation, args.activity, args.month, args.hours, db_url(args))
    print(f"participation {args.participation}: {args.hours} h of {args.activity} in {args.month}")
    return 0


def cmd_import_hours(args: argparse.Namespace) -> int:
    from lce_utils.programme.attendance import import_hours

    print(both("p_cli_hours_imported", n=import_hours(Path(args.file), db_url(args))))
    return 0


def cmd_course_hours(args: argparse.Namespace) -> int:
    from lce_utils.paths import COURSES
    from lce_utils.programme.attendance import course_hours

    count = course_hours(Path(args.course) if args.course else COURSES, db_url(args))
    print(f"{count} course attendance row(s) set from the gradebook and the assignments' expected time")
    return 0


def cmd_issue_code(args: argparse.Namespace) -> int:
    from lce_utils.programme.attendance import issue_code

    print(both("p_cli_code", code=issue_code(args.person, db_url(args))))
    return 0


def cmd_attest(args: argparse.Namespace) -> int:
    from lce_utils.programme.attendance import attest

    hours = attest(args.code, args.month, db_url(args), method="cli")
    print(both("p_cli_attested", hours=hours, month=args.month))
    return 0


def cmd_certificate(args: argparse.Namespace) -> int:
    from lce_utils.programme.certificate import write_certificate

    print(write_certificate(args.participation, Path(args.out), db_url(args)))
    _record_participations(Path(args.out), "certificate", [args.participation], db_url(args))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.cli import check_serve
    from lce_utils.programme.serve import serve

    check_serve(args)
    return serve(port=args.port, host=args.host, token=args.token, db=db_url(args), demo=args.demo,
                 max_kernels=args.max_kernels, cull_idle=args.cull_idle, connect_timeout=args.connect_timeout,
                 max_pending=args.max_pending, per_client=args.per_client, live_per_client=args.live_per_client,
                 template=not args.voila_defaults, denylist=not args.voila_defaults)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce programme` and its sub-commands."""
    from lce_utils.mentorship.cli import part_commands, serve_options

    add = part_commands(subparsers, "programme", help="the ESF+ programme register: participants, indicators, SCB",
                        description="The register of the programme's participants: import staff lists, Annex I "
                        "indicators, SCB's monthly file, data rights. The register is LCE_PROGRAMME_DB (default "
                        "var/programme.db) unless --db is given; its key is LCE_PROGRAMME_KEY or the file "
                        "LCE_PROGRAMME_KEY_FILE (default var/programme.key).", what="register",
                        env_var="LCE_PROGRAMME_DB", default="sqlite:///var/programme.db")

    p = add("import", help="import a staff list (CSV, xlsx, xls, ods): all rows or none")
    p.add_argument("file")
    p.add_argument("--mapping", metavar="YAML", help="field: header pairs for columns named otherwise")
    p.set_defaults(func=cmd_import)
    p = add("indicators", help="the Annex I output and result indicators by gender (CSV)")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_indicators)
    p = add("scb-export", help="the month's participant file for SCB (a correction re-exports "
                               "every later month)")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--mapping", metavar="YAML", help="column mapping (default: lce_utils/programme/scb-columns.yaml)")
    p.set_defaults(func=cmd_scb_export)
    p = add("demo", help="a fictitious register of 230 participants (var/programme-demo.db)")
    p.set_defaults(func=cmd_demo)
    p = add("export-person", help="all the register holds about one person, as JSON")
    p.add_argument("who", help="personnummer or e-mail address")
    p.add_argument("--out", metavar="FILE")
    p.set_defaults(func=cmd_export_person)
    p = add("erase-person", help="erase one person (refused during the retention period)")
    p.add_argument("who", help="personnummer or e-mail address")
    p.add_argument("--yes", action="store_true")
    p.set_defaults(func=cmd_erase_person)
    p = add("roster", help="each participant across courses, mentorship, labs and hours, with an "
                               "at-risk flag (staff only)")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--course", metavar="DIR", help="the nbgrader course folder (default courses/)")
    p.add_argument("--mentorship-db", metavar="URL", help="the mentorship store (default LCE_MENTORSHIP_DB)")
    p.add_argument("--weeks", type=int, default=4, help="weeks without activity that make a participant at risk")
    p.set_defaults(func=cmd_roster)
    p = add("hours", help="set one participation's hours of an activity in a month")
    p.add_argument("participation", type=int)
    p.add_argument("activity")
    p.add_argument("month", metavar="YYYY-MM")
    p.add_argument("hours")
    p.set_defaults(func=cmd_hours)
    p = add("import-hours", help="hours from a list (participant, activity, month, hours): all "
                               "rows or none")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_hours)
    p = add("course-hours", help="hours from submitted assignments' expected time")
    p.add_argument("--course", metavar="DIR", help="the nbgrader course folder (default courses/)")
    p.set_defaults(func=cmd_course_hours)
    p = add("issue-code", help="a personal code for a participant's attestations")
    p.add_argument("person", type=int, help="the person's id")
    p.set_defaults(func=cmd_issue_code)
    p = add("attest", help="a participant attests the month's hours with their personal code")
    p.add_argument("code")
    p.add_argument("month", metavar="YYYY-MM")
    p.set_defaults(func=cmd_attest)
    p = add("certificate", help="the printable certificate of participation (HTML)")
    p.add_argument("participation", type=int)
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_certificate)
    p = add("purge", help="remove everything past the retention period")
    p.set_defaults(func=cmd_purge)
    p = add("serve", help="serve the staff app (behind the staff's token) and the participants' "
                               "attestation page with Voilà on 127.0.0.1")
    serve_options(p, port=8889, token="the programme staff's token (default: LCE_PROGRAMME_TOKEN or a random one in "
                  "var/programme-token; never the mentorship coordinator's)",
                  demo="serve the demo register (var/programme-demo.db, seeded if empty) instead of the real one")
    p.set_defaults(func=cmd_serve)


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: create the demo register in var/programme-demo.db (never the real register), with course hours
    from the demo gradebook when the courses step made one."""
    from lce_utils.paths import COURSES
    from lce_utils.programme.attendance import course_hours
    from lce_utils.programme.demo import demo_url

    summary = run_demo()
    if (COURSES / "gradebook.db").exists():
        summary += f"; {course_hours(COURSES, demo_url())} course attendance row(s) from the gradebook"
    return summary
