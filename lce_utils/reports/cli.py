"""`lce reports ...`: build the knowledge report site and list the configured reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from lce_utils.cli import command_group
from lce_utils.errors import NotebookError
from lce_utils.paths import SITE


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce reports build` and `lce reports list`."""
    sub = command_group(subparsers, "reports", help="build the knowledge report site (papermill)",
                        description="Knowledge reports: run knowledge/templates/*.ipynb with the "
                                    "parameters in knowledge/reports.yaml and publish an offline HTML site.",
                        dest="reports_command", metavar="SUBCOMMAND")
    build = sub.add_parser("build", help="run changed reports and publish the site",
                           description="Runs each report whose template, parameters or inputs changed, "
                           "then publishes the site atomically. A failing report keeps its last good page.")
    build.add_argument("--only", nargs="+", metavar="ID", help="build only these reports (others keep their pages)")
    build.add_argument("--jobs", type=int, default=2, metavar="N", help="reports run in parallel (default 2)")
    build.add_argument("--out", type=Path, default=SITE, metavar="DIR", help=f"site folder (default {SITE})")
    build.add_argument("--force", action="store_true", help="run every report even if nothing changed")
    build.add_argument("--allow-mixed-data", action="store_true",
                       help="build a site whose manifest mixes demo and real reports (demo pages are marked)")
    build.add_argument("--config", type=Path, default=None, metavar="YAML",
                       help="report configuration (default knowledge/reports.yaml)")
    build.add_argument("--root", type=Path, default=None, metavar="DIR",
                       help="data root the inputs are read from (default: the repository)")
    build.set_defaults(func=_build)
    listing = sub.add_parser("list", help="list the configured reports, their inputs and status",
                             description="Lists each report of knowledge/reports.yaml, whether its inputs "
                             "exist and its status in the built site.")
    listing.add_argument("--out", type=Path, default=SITE, metavar="DIR", help=f"site folder (default {SITE})")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--config", type=Path, default=None, metavar="YAML",
                         help="report configuration (default knowledge/reports.yaml)")
    listing.add_argument("--root", type=Path, default=None, metavar="DIR",
                         help="data root the inputs are read from (default: the repository)")
    listing.set_defaults(func=_list)


def _kwargs(args: argparse.Namespace) -> dict:
    from lce_utils.paths import ROOT
    from lce_utils.reports.build import CONFIG
    return {"config": getattr(args, "config", None) or CONFIG, "root": getattr(args, "root", None) or ROOT,
            "out": getattr(args, "out", None) or SITE}


def _build(args: argparse.Namespace) -> int:
    from lce_utils.reports.build import build_site
    result = build_site(**_kwargs(args), jobs=args.jobs, only=args.only, force=args.force,
                        allow_mixed=args.allow_mixed_data)
    print(result.summary())
    for entry in result.reports:
        if entry["status"] in ("stale", "failed") and entry.get("failed_key"):
            print(f"  {entry['id']}: {entry['reason']}")
    return 1 if result.errors else 0


def _list(args: argparse.Namespace) -> int:
    from lce_utils.reports.build import dumps, list_reports
    rows = list_reports(**_kwargs(args))
    if args.json:
        print(dumps(rows))
        return 0
    for row in rows:
        print(f"{row['id']:<40} {row['status']:<12} {row['built_at'][:10]:<10}  {row['inputs']}")
    return 0


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: build the site from knowledge/reports.yaml (two jobs); returns a summary naming index.html."""
    from lce_utils.reports.build import build_site
    result = build_site(jobs=2)
    if result.errors:
        raise NotebookError(f"{result.summary()}; failing: " + "; ".join(
            f"{r['id']}: {r['reason']}" for r in result.reports if r.get("failed_key")))
    return result.summary()
