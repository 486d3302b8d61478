"""`lce mentorship ...`: serve the apps, seed the demo programme, match, export, erase, purge."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from lce_utils.cli import command_group
from lce_utils.database import db_option, db_url
from lce_utils.errors import UsageError


def cmd_serve(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.serve import serve

    check_serve(args)
    if args.pool < 0 or args.pool >= args.max_kernels:
        raise UsageError(f"--pool ({args.pool}) must be at least 0 and below --max-kernels ({args.max_kernels})")
    db = served_database(args.db, args.demo)
    return serve(port=args.port, host=args.host, token=args.token, pool=args.pool, max_kernels=args.max_kernels,
                 cull_idle=args.cull_idle, db=db, preheat=not args.no_preheat,
                 template=not args.voila_defaults, denylist=not args.voila_defaults,
                 connect_timeout=args.connect_timeout, max_pending=args.max_pending, per_client=args.per_client,
                 live_per_client=args.live_per_client, refill_wait=args.refill_wait)


def served_database(db: str | None, demo: bool) -> str:
    """The one database the server and all its kernels use (absolute), said on standard output; with demo,
    the demo programme's (seeded if empty)."""
    from lce_utils.mentorship.store import describe_url, export_retention_days, normalise_url, retention_days

    if demo and db:
        raise UsageError("--demo serves the demo programme's database: leave out --db (or --demo)")
    retention_days(), export_retention_days()  # a wrong setting stops the server here, with its message
    if demo:
        print(run_demo(), flush=True)
        from lce_utils.mentorship.demo import demo_url

        db = demo_url()
    url = normalise_url(db)
    print(f"database / databas: {describe_url(url)}{' (demo programme, fictitious people)' if demo else ''}",
          flush=True)
    return url


def cmd_demo(args: argparse.Namespace) -> int:
    print(run_demo(args.db, args.size))
    return 0


def run_demo(url: str | None = None, size: int = 90) -> str:
    """Seed the demo programme and return a one-line summary."""
    from lce_utils.mentorship.demo import demo_url, seed_demo

    url = url or demo_url()
    counts = seed_demo(url, n=size)
    where = url.replace("sqlite:///", "") if url.startswith("sqlite:///") else url.split("@")[-1]
    return (f"demo mentorship programme in {where}: {counts['applications']} applications, {counts['matches']} "
            f"pairs, {counts['sessions']} sessions, {counts['feedback']} feedback responses (fictitious people)")


def cmd_match(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.store import run_matching

    summary = run_matching(db_url(args), exclude_same_org=not args.allow_same_organisation)
    print(f"matching run {summary['run_id']}: {summary['pairs']} pairs ({summary['locked']} locked), "
          f"{summary['unmatched']} without a pair, total score {summary['total_score']:g}")
    return 0


def cmd_export_matches(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.export_files import exports_dir
    from lce_utils.mentorship.exports import export_matches

    csv_path, xlsx_path = export_matches(args.out or exports_dir(), db_url(args))
    print(f"wrote {csv_path} and {xlsx_path} (registered: erase-person and purge will clean them)")
    return 0


def cmd_export_person(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.exports import person_data, write_person_export

    if args.out:
        print(f"wrote {write_person_export(args.email, Path(args.out), db_url(args))}")
    else:
        json.dump(person_data(args.email, db_url(args)), sys.stdout, ensure_ascii=False, indent=2)
        print()
    return 0


def cmd_erase_person(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.store import erase

    if not args.yes:
        raise UsageError("erase-person deletes the person's data for good: add --yes to confirm")
    counts = erase(args.email, db_url(args))
    print(f"erased {counts['rows']} records about {args.email}; export files rewritten {counts['files_rewritten']}, "
          f"deleted {counts['files_deleted']}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.store import purge, retention_days

    days = retention_days() if args.days is None else args.days
    if days < 0 or (args.export_days is not None and args.export_days < 0):
        raise UsageError(f"--days and --export-days must be at least 0, got {days} and {args.export_days}")
    counts = purge(days, db_url(args), export_days=args.export_days)
    print(f"erased {counts['applications']} applications older than {days} days ({counts['people']} people "
          f"left without one); export files rewritten {counts['files_rewritten']}, deleted "
          f"{counts['files_deleted'] + counts['files_expired']}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.store import audit_events

    for event in audit_events(db_url(args))[-args.last:]:
        print(f"{event.at.isoformat(timespec='seconds')}Z  {event.actor:<24}  {event.action:<20}  "
              f"{json.dumps(event.details, ensure_ascii=False, sort_keys=True)}")
    return 0


def cmd_pending(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.identity import flagged_applications

    for app in flagged_applications(db_url(args)):
        print(f"{app.id}\t{app.status}\t{app.flag}\tstored: {app.person.name} / {app.person.organisation or '-'}"
              f"\tsent: {app.submitted_name or app.person.name} / {app.submitted_organisation or '-'}")
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.identity import decide_application

    print(f"application {args.application}: {decide_application(args.application, args.decision, db_url(args))}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from lce_utils.mentorship.store import default_url, get_engine

    engine = get_engine(db_url(args))
    print(f"schema up to date in {engine.url.render_as_string(hide_password=True) or default_url()}")
    return 0


def part_commands(subparsers: argparse._SubParsersAction, name: str, *, help: str, description: str, what: str,
                  env_var: str, default: str) -> Callable[..., argparse.ArgumentParser]:
    """`lce NAME` with required sub-commands, each with --db for the part's database (what, its LCE_* variable and
    default): returns add(command, help=...) giving a sub-command's parser."""
    sub = command_group(subparsers, name, help=help, description=description, dest=f"{name}_command")

    def add(command: str, help: str) -> argparse.ArgumentParser:
        return db_option(sub.add_parser(command, help=help), what=what, env_var=env_var, default=default)
    return add


def serve_options(p: argparse.ArgumentParser, *, port: int, token: str, demo: str) -> argparse.ArgumentParser:
    """The options of every served folder's server (`lce mentorship serve`, `lce programme serve`): address,
    token (whose), the kernel limits, Voilà's defaults for comparison, and the demo database (which)."""
    p.add_argument("--port", type=int, default=port)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1; put a reverse "
                   "proxy with TLS in front for real use)")
    p.add_argument("--token", help=token)
    p.add_argument("--max-kernels", type=int, default=24, help="most live kernels at once (default 24)")
    p.add_argument("--cull-idle", type=int, default=900, help="seconds before an idle kernel is stopped")
    p.add_argument("--connect-timeout", type=int, default=45, help="seconds a sent page has to connect to its "
                   "kernel before the kernel is stopped (default 45)")
    p.add_argument("--max-pending", type=int, default=12, help="most kernels waiting for their page to connect "
                   "(default 12)")
    p.add_argument("--per-client", type=int, default=8, help="the same, per client address (default 8)")
    p.add_argument("--live-per-client", type=int, default=16, help="most kernels of one client address, waiting "
                   "or connected (default 16)")
    p.add_argument("--voila-defaults", action="store_true", help="Voilà's own template and extensions "
                   "(for comparison only)")
    p.add_argument("--demo", action="store_true", help=demo)
    return p


def check_serve(args: argparse.Namespace) -> None:
    """UsageError for a port or kernel cap a server cannot use."""
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    if args.max_kernels < 2:
        raise UsageError(f"--max-kernels must be at least 2, got {args.max_kernels}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce mentorship` and its sub-commands."""
    add = part_commands(subparsers, "mentorship", help="the mentorship programme: apps, matching, data rights",
                        description="Serve the Voilà apps, seed the demo programme, run the matching, export or "
                        "erase one person's data, purge old applications. The store is LCE_MENTORSHIP_DB (default "
                        "var/mentorship.db) unless --db is given; a relative SQLite path is relative to the "
                        "repository.", what="store", env_var="LCE_MENTORSHIP_DB",
                        default="sqlite:///var/mentorship.db")

    p = add("serve", help="serve the three apps with Voilà on 127.0.0.1")
    serve_options(p, port=8888, token="the coordinator's token (default: LCE_MENTORSHIP_TOKEN or a random one)",
                  demo="serve the demo programme's database (var/mentorship-demo.db, seeded if empty) instead of "
                  "the real store")
    p.add_argument("--pool", type=int, default=5, help="preheated kernels kept ready for the sign-up (default 5)")
    p.add_argument("--refill-wait", type=float, default=15.0, help="seconds a pool refill may wait while visitors' "
                   "pages are coming in, so it does not slow them down (default 15; 0: at once)")
    p.add_argument("--no-preheat", action="store_true", help="start a kernel per visit (Voilà's default)")
    p.set_defaults(func=cmd_serve)

    p = add("demo", help="seed the fictitious demo programme (default var/mentorship-demo.db)")
    p.add_argument("--size", type=int, default=90, help="number of fictitious applications")
    p.set_defaults(func=cmd_demo)

    p = add("match", help="run the matching for everyone not in a locked pair")
    p.add_argument("--allow-same-organisation", action="store_true", help="allow pairs from one organisation")
    p.set_defaults(func=cmd_match)

    p = add("export-matches", help="write the current matches as CSV and Excel")
    p.add_argument("--out", help="folder for matches.csv and matches.xlsx (default: LCE_MENTORSHIP_EXPORTS or "
                   "var/mentorship-exports)")
    p.set_defaults(func=cmd_export_matches)

    p = add("export-person", help="everything stored about one person, as JSON")
    p.add_argument("email")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_export_person)

    p = add("erase-person", help="erase everything stored about one person")
    p.add_argument("email")
    p.add_argument("--yes", action="store_true", help="confirm the erasure")
    p.set_defaults(func=cmd_erase_person)

    p = add("purge", help="erase applications and export files older than the retention "
                               "periods (what the server also runs daily; for a timer when it does not run)")
    p.add_argument("--days", type=int, help="keep applications this many days (default: "
                   "LCE_MENTORSHIP_RETENTION_DAYS or 365)")
    p.add_argument("--export-days", type=int, help="keep export files this many days (default: "
                   "LCE_MENTORSHIP_EXPORT_RETENTION_DAYS or 30)")
    p.set_defaults(func=cmd_purge)

    p = add("audit", help="the audit log: exports, erasures, purges, decisions")
    p.add_argument("--last", type=int, default=50, help="how many of the latest events (default 50)")
    p.set_defaults(func=cmd_audit)

    p = add("pending", help="applications to check (same e-mail, different name, ...)")
    p.set_defaults(func=cmd_pending)

    p = add("decide", help="accept or reject an application waiting to be checked")
    p.add_argument("application", type=int)
    p.add_argument("decision", choices=["update", "keep", "reject"], help="update: accept it and the name and "
                   "organisation sent; keep: accept it, keep the stored ones; reject: delete it")
    p.set_defaults(func=cmd_decide)

    p = add("migrate", help="create or upgrade the store's schema")
    p.set_defaults(func=cmd_migrate)


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: seed the demo programme in var/mentorship-demo.db (never the real store)."""
    return run_demo()
