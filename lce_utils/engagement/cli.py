"""`lce labs {sample,run,check}` and the labs step of `lce run`."""

from __future__ import annotations

import argparse
from pathlib import Path

from lce_utils.errors import UsageError


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce labs` with sample, run and check."""
    labs = subparsers.add_parser("labs", help="engagement labs: analyse an institution's visitor and ticket data",
                                 description="Engagement labs: parameterised notebooks over an institution's "
                                 "visits or tickets export (CSV/TSV/TXT, .xlsx/.xls/.ods, Parquet).")
    sub = labs.add_subparsers(dest="labs_command", metavar="COMMAND")
    sub.required = True

    sample = sub.add_parser("sample", help="generate a fictitious Skåne institution's export",
                            description="Writes visits.csv (or visits.parquet) and events.csv of a seeded, "
                            "fictitious institution.")
    sample.add_argument("--rows", type=_positive_int, default=20000, help="number of tickets (default 20000)")
    sample.add_argument("--out", required=True, type=Path, help="folder to write")
    sample.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    sample.add_argument("--format", choices=["csv", "parquet"], default="csv", help="visits file format")
    sample.set_defaults(func=cmd_sample)

    run = sub.add_parser("run", help="run the four labs on an export",
                         description="Validates the export once, writes metrics.json, tables/*.csv, rejects.csv, "
                         "run.json, the executed notebooks and their offline HTML into --out.")
    _data_args(run)
    run.add_argument("--events", type=Path, help="events file (event, start, art_form, venue, capacity)")
    run.add_argument("--out", required=True, type=Path, help="output folder (replaced only when complete)")
    run.add_argument("--institution", help="institution name shown in the labs")
    run.add_argument("--period-start", help="first day to include (YYYY-MM-DD)")
    run.add_argument("--period-end", help="last day to include (YYYY-MM-DD)")
    run.add_argument("--k", type=_positive_int, default=5, help="small-cell threshold: counts of people below k "
                     "are not published (default 5)")
    run.add_argument("--no-notebooks", action="store_true", help="only metrics, tables and rejects")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser("check", help="validate an export and preview the column mapping",
                           description="Reads and validates the file, shows how columns are mapped and what "
                           "would be rejected, without running the labs.")
    _data_args(check)
    check.add_argument("--events", type=Path, help="events file, checked as `run` would")
    check.add_argument("--k", type=_positive_int, default=5, help="small-cell threshold, as for `run` (default 5)")
    check.set_defaults(func=cmd_check)


def _data_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, type=Path, help="visits/tickets export")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--mapping", type=Path, help="YAML mapping of canonical names to the file's columns")
    source.add_argument("--preset", choices=_preset_names(), help="built-in mapping for a system's export "
                        "(see engagement_labs/README.md)")
    parser.add_argument("--max-reject-share", type=_share, default=0.05,
                        help="stop when more than this share of rows cannot be read (default 0.05)")


def _preset_names() -> list[str]:
    from lce_utils.engagement.presets import preset_names
    return preset_names()


def _mapping(args: argparse.Namespace) -> Path | None:
    """The mapping file of --mapping or --preset (None: recognise the headers)."""
    if getattr(args, "preset", None):
        from lce_utils.engagement.presets import preset_path
        return preset_path(args.preset)
    return args.mapping


def cmd_sample(args: argparse.Namespace) -> int:
    from lce_utils.engagement.sample import write_sample
    files = write_sample(args.out, rows=args.rows, seed=args.seed, fmt=args.format)
    print(f"Wrote {files.rows} tickets of {files.performances} performances: {files.visits}, {files.events}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from lce_utils.engagement.run import run_labs
    result = run_labs(args.data, args.out, events=args.events, mapping=_mapping(args), institution=args.institution,
                      period_start=args.period_start, period_end=args.period_end, k=args.k,
                      max_reject_share=args.max_reject_share, notebooks=not args.no_notebooks)
    print(f"labs: {result.summary()}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from lce_utils.engagement import story
    from lce_utils.engagement.lab import Lab
    from lce_utils.engagement.load import prepare, preview
    from lce_utils.errors import DataError
    mapping = _mapping(args)
    hint = _suggested_preset(args) if mapping is None else ""
    if hint:
        print(hint)
    try:
        print(preview(args.data, mapping), end="")
    except DataError as exc:
        raise DataError(f"{exc} {hint}" if hint else str(exc)) from exc
    # The same validation as `run` (raises past the reject threshold), then every lab section without a kernel.
    prepared = prepare(args.data, args.events, mapping, max_reject_share=args.max_reject_share)
    if "events" in prepared.meta:
        events = prepared.meta["events"]
        shown = ", ".join(f"{k} <- {v}" for k, v in events["columns"].items())
        print(f"Events / evenemang: {events['rows']} performances / föreställningar ({shown})")
    lab = Lab(prepared, k=args.k)
    try:
        problems = story.dry_run(lab)
    finally:
        lab.con.close()
    if problems:
        raise DataError(f"{args.data.name}: `lce labs run` would fail / skulle misslyckas: " + "; ".join(problems))
    print("OK: the file can be analysed / filen kan analyseras")
    return 0


def _suggested_preset(args: argparse.Namespace) -> str:
    """A line suggesting the preset the file's headers fit, or '' (also when the headers cannot be read)."""
    from lce_utils.engagement.load import read_headers
    from lce_utils.engagement.presets import suggest_preset
    from lce_utils.errors import DataError
    try:
        fit = suggest_preset(read_headers(args.data))
    except DataError:
        return ""  # preview names the problem
    if fit is None:
        return ""
    name, hits, wanted = fit
    return (f"Preset: the headers fit --preset {name} ({hits} of its {wanted} columns) / rubrikerna passar "
            f"--preset {name}")


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: generate the sample institution into var/labs/sample-data/ and run the labs into var/labs/sample/."""
    from lce_utils.engagement.lab import SAMPLE_ROWS, ensure_sample
    from lce_utils.engagement.run import run_labs
    from lce_utils.engagement.sample import INSTITUTION
    from lce_utils.paths import VAR
    if getattr(args, "labs_rows", None) is not None and args.labs_rows < 1:
        raise UsageError("rows must be at least 1")
    visits, events = ensure_sample(SAMPLE_ROWS)
    result = run_labs(visits, VAR / "labs" / "sample", events=events, institution=INSTITUTION)
    return result.summary()
