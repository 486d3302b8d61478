"""The `lce` command: one subcommand per part, `lce run` for the whole pipeline.

Exit status: 0 ok, 1 failed, 2 usage. Errors print as one line; --debug shows the traceback."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from lce_utils.errors import LCEError, UsageError

# Each part lives in its own module with `register(subparsers)` adding its commands and, optionally,
# `run_step(args) -> str` for `lce run` (returns a one-line summary). Order is the pipeline's order:
# the reports come last because they read what the other parts wrote.
PARTS: dict[str, str] = {
    "courses": "lce_utils.courses.cli",
    "labs": "lce_utils.engagement.cli",
    "mentorship": "lce_utils.mentorship.cli",
    "programme": "lce_utils.programme.cli",
    "knowledge": "lce_utils.knowledge.cli",  # cases and the rest of knowledge sharing; before the site shows them
    "reports": "lce_utils.reports.cli",
    "privacy": "lce_utils.privacy_audit",  # `lce privacy audit PATH`; no pipeline step
    "hub": "lce_utils.courses.hub",  # `lce hub setup|check HUB_YAML` (deploy/hub/); no pipeline step
    "settings": "lce_utils.settings",  # `lce settings`: every LCE_* setting as it resolves; no pipeline step
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and a one-line message on usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"lce: error: {message}", file=sys.stderr)
        sys.exit(2)


def command_group(subparsers: argparse._SubParsersAction, name: str, *, help: str, description: str, dest: str,
                  metavar: str = "COMMAND") -> argparse._SubParsersAction:
    """Add `lce NAME` (or a group below it) whose own sub-commands are required; returns their subparsers."""
    parser = subparsers.add_parser(name, help=help, description=description)
    sub = parser.add_subparsers(dest=dest, metavar=metavar)
    sub.required = True
    return sub


def _load_parts() -> dict[str, object]:
    return {name: importlib.import_module(module) for name, module in PARTS.items()}


def build_parser(parts: dict[str, object] | None = None) -> argparse.ArgumentParser:
    parts = _load_parts() if parts is None else parts
    parser = _Parser(prog="lce", description="Learn, Create, Engage: courses, engagement labs, "
                     "mentorship and knowledge reports.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in parts.values():
        module.register(sub)  # type: ignore[attr-defined]
    run = sub.add_parser("run", help="run the whole programme pipeline on the sample data",
                         description="Runs every part that exists, in order, on the bundled or "
                         "generated sample data, and says which parts ran.")
    run.add_argument("--skip", nargs="*", default=[], choices=list(PARTS), help="parts to leave out")
    run.set_defaults(func=lambda args: run_pipeline(args, parts))
    return parser


def run_pipeline(args: argparse.Namespace, parts: dict[str, object]) -> int:
    """`lce run`: each existing part's step in order; a failing step fails the run after the others ran."""
    from lce_utils.paths import SITE
    from lce_utils.progress import step

    failed: list[str] = []
    for name in PARTS:
        module = parts.get(name)
        if name in args.skip:
            step(f"{name}: skipped (--skip)")
            continue
        if not hasattr(module, "run_step"):
            continue  # a part with commands only (e.g. `lce privacy audit`)
        step(f"{name}: running")
        try:
            summary = module.run_step(args)
        except LCEError as exc:
            failed.append(name)
            print(f"lce: {name} failed: {exc}", file=sys.stderr)
            if args.debug:
                traceback.print_exc()
            continue
        step(f"{name}: done. {summary}")
    index = SITE / "index.html"
    print()
    if index.exists():
        print(f"Results: {index}  (serve it with `make serve-site`, then open http://127.0.0.1:8000/)")
    print("JupyterLab with the courses and labs: `make lab`")
    print("Mentorship apps (sign-up, coordinator, follow-up): `make mentorship`")
    if failed:
        print(f"lce run: failed parts: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _ensure_venv_on_path() -> None:
    # nbgrader starts `alembic` and Jupyter starts kernels as subprocesses found on PATH; make
    # `.venv/bin/lce` work without the environment being activated.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    _ensure_venv_on_path()
    try:
        parser = build_parser()
        # --debug is accepted anywhere on the line (sub-parsers would reject it after the sub-command).
        args = parser.parse_args((["--debug"] if debug else []) + [a for a in argv if a != "--debug"])
        func: Callable[[argparse.Namespace], int | None] = args.func
        return int(func(args) or 0)
    except UsageError as exc:
        print(f"lce: usage: {exc}", file=sys.stderr)
        return 2
    except LCEError as exc:
        if debug:
            traceback.print_exc()
        print(f"lce: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lce: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # an unexpected failure: still one line unless --debug
        if debug:
            traceback.print_exc()
        print(f"lce: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
