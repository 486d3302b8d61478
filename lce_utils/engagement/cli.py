"""`lce labs {sample,run,check}` and the labs step of `lce run`."""

from __future__ import annotations

import argparse
from pathlib import Path

from lce_utils.cli import command_group
from lce_utils.errors import UsageError
from lce_utils.messages import both


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
    sub = command_group(subparsers, "labs", help="engagement labs: analyse an institution's visitor and ticket data",
                        description="Engagement labs: parameterised notebooks over an institution's visits or "
                        "tickets export (CSV/TSV/TXT, .xlsx/.xls/.ods, Parquet, a Tickster purchase log as .json).",
                        dest="labs_command")

    sample = sub.add_parser("sample", help="generate a fictitious institution's export",
                            description="Writes visits.csv (or visits.parquet) and events.csv of a seeded, "
                            "fictitious institution.")
    sample.add_argument("--rows", type=_positive_int, default=20000, help="number of tickets (default 20000)")
    sample.add_argument("--out", required=True, type=Path, help="folder to write")
    sample.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    sample.add_argument("--format", choices=["csv", "parquet"], default="csv", help="visits file format")
    sample.set_defaults(func=cmd_sample)

    run = sub.add_parser("run", help="run the four labs on an export",
                         description="Validates the export once, writes metrics.json, tables/*.csv, rejects.csv, "
                         "findings.json, run.json, the executed notebooks and their offline HTML into --out.")
    _data_args(run)
    run.add_argument("--out", required=True, type=Path, help="output folder (replaced only when complete)")
    run.add_argument("--institution", help="institution name shown in the labs")
    run.add_argument("--period-start", help="first day to include (YYYY-MM-DD)")
    run.add_argument("--period-end", help="last day to include (YYYY-MM-DD)")
    run.add_argument("--no-notebooks", action="store_true", help="only metrics, tables and rejects")
    run.add_argument("--compare", type=Path, metavar="EARLIER_RUN",
                     help="also compare with an earlier run folder (separate period) into OUT/compare/")
    run.set_defaults(func=cmd_run)

    compare = sub.add_parser("compare", help="compare two lab runs (e.g. this year against last)",
                             description="Every metric and table of RUN_A against RUN_B, from their published "
                             "files: hidden values stay hidden, a change is given where both are shown. The runs "
                             "must cover separate periods.")
    compare.add_argument("run_a", type=Path, metavar="RUN_A", help="the earlier run folder")
    compare.add_argument("run_b", type=Path, metavar="RUN_B", help="the later run folder")
    compare.add_argument("--out", type=Path, help="write compare.json and tables/*.csv here")
    compare.set_defaults(func=cmd_compare)

    key_sub = command_group(sub, "key", help="export or import the pseudonymisation key",
                            description="The key that turns visitor ids into pseudonyms. Import the same key on "
                            "every machine that runs the labs for an institution, so that its runs share "
                            "pseudonyms. The key file is a secret: keep it like a password, never in a run folder "
                            "or in git.", dest="key_command", metavar="ACTION")
    export = key_sub.add_parser("export", help="write this machine's key to a new file (mode 0600)")
    export.add_argument("file", type=Path)
    export.set_defaults(func=cmd_key_export)
    import_ = key_sub.add_parser("import", help="use the key in a file from now on")
    import_.add_argument("file", type=Path)
    import_.add_argument("--force", action="store_true", help="replace a different key already in place")
    import_.set_defaults(func=cmd_key_import)

    check = sub.add_parser("check", help="validate an export and preview the column mapping",
                           description="Reads and validates the file, shows how columns are mapped and what "
                           "would be rejected, without running the labs.")
    _data_args(check)
    check.set_defaults(func=cmd_check)


def _data_args(parser: argparse.ArgumentParser) -> None:
    """The input options `run` and `check` share (check validates exactly what run would read)."""
    parser.add_argument("--data", required=True, nargs="+", metavar="FILE",
                        help="visits/tickets export: one file, several files or a quoted glob pattern "
                        "('exports/2024-*.csv') read as one export")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--mapping", type=Path, help="YAML mapping of canonical names to the file's columns")
    source.add_argument("--preset", choices=_preset_names(), help="built-in mapping for a system's export "
                        "(see engagement_labs/README.md)")
    parser.add_argument("--max-reject-share", type=_share, default=0.05,
                        help="stop when more than this share of rows cannot be read (default 0.05)")
    parser.add_argument("--events", type=Path, help="events file (event, start, art_form, venue, capacity)")
    parser.add_argument("--k", type=_positive_int, default=5, help="small-cell threshold: counts of people below k "
                        "are not published (default 5)")


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
    from lce_utils.engagement.compare import compare_runs, summary, write_comparison
    from lce_utils.engagement.run import run_labs
    from lce_utils.engagement.run_folder import read_run
    if args.compare:  # a folder that is not a run fails before the run, not after it
        read_run(args.compare)
    result = run_labs(_data(args), args.out, events=args.events, mapping=_mapping(args),
                      institution=args.institution, period_start=args.period_start, period_end=args.period_end,
                      k=args.k, max_reject_share=args.max_reject_share, notebooks=not args.no_notebooks)
    print(f"labs: {result.summary()}")
    if args.compare:
        comparison = compare_runs(args.compare, args.out)
        write_comparison(comparison, args.out / "compare")
        print(summary(comparison))
    return 0


def _data(args: argparse.Namespace) -> Path | list[Path]:
    """--data as given: one path (or pattern), or the list of several."""
    return Path(args.data[0]) if len(args.data) == 1 else [Path(d) for d in args.data]


def cmd_compare(args: argparse.Namespace) -> int:
    from lce_utils.engagement.compare import compare_runs, summary, write_comparison
    comparison = compare_runs(args.run_a, args.run_b)
    print(summary(comparison))
    if args.out:
        print(f"Wrote {write_comparison(comparison, args.out)}")
    return 0


def cmd_key_export(args: argparse.Namespace) -> int:
    from lce_utils.engagement.pseudonymise import export_key, key_fingerprint
    path = export_key(args.file)
    print(both("labs_key_exported", fingerprint=key_fingerprint(), path=path))
    return 0


def cmd_key_import(args: argparse.Namespace) -> int:
    from lce_utils.engagement.pseudonymise import import_key
    print(both("labs_key_imported", fingerprint=import_key(args.file, force=args.force)))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from lce_utils.engagement import story
    from lce_utils.engagement.combine import describe, expand_inputs
    from lce_utils.engagement.lab import Lab
    from lce_utils.engagement.load import prepare, preview
    from lce_utils.errors import DataError
    mapping = _mapping(args)
    files = expand_inputs(_data(args))
    hint = _suggested_preset(args) if mapping is None else ""
    if hint:
        print(hint)
    try:
        print(preview(files[0], mapping), end="")
        if len(files) > 1:
            print(both("labs_check_files", n=len(files), names=", ".join(f.name for f in files)))
    except DataError as exc:
        raise DataError(f"{exc} {hint}" if hint else str(exc)) from exc
    # The same validation as `run` (raises past the reject threshold), then every lab section without a kernel.
    prepared = prepare(files, args.events, mapping, max_reject_share=args.max_reject_share)
    if "events" in prepared.meta:
        events = prepared.meta["events"]
        shown = ", ".join(f"{k} <- {v}" for k, v in events["columns"].items())
        print(both("labs_check_events", n=events["rows"], columns=shown))
    lab = Lab(prepared, k=args.k)
    try:
        problems = story.dry_run(lab)
    finally:
        lab.con.close()
    if problems:
        raise DataError(both("labs_check_would_fail", inputs=describe(files), problems="; ".join(problems)))
    print(both("labs_check_ok"))
    return 0


def _suggested_preset(args: argparse.Namespace) -> str:
    """A line suggesting the preset the file's headers fit, or '' (also when the headers cannot be read)."""
    from lce_utils.engagement.combine import expand_inputs
    from lce_utils.engagement.load import read_headers
    from lce_utils.engagement.presets import suggest_preset
    from lce_utils.errors import DataError
    try:
        fit = suggest_preset(read_headers(expand_inputs(_data(args))[0]))
    except DataError:
        return ""  # preview names the problem
    if fit is None:
        return ""
    name, hits, wanted = fit
    return both("labs_check_preset", name=name, hits=hits, wanted=wanted)


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: generate the sample institution into var/labs/sample-data/ and run the labs into var/labs/sample/."""
    from lce_utils.engagement.lab import SAMPLE_ROWS, ensure_sample
    from lce_utils.engagement.run import run_labs
    from lce_utils.engagement.sample import INSTITUTION
    from lce_utils.paths import VAR
    if getattr(args, "labs_rows", None) is not None and args.labs_rows < 1:
        raise UsageError("rows must be at least 1")
    visits, events = ensure_sample(SAMPLE_ROWS)
    result = run_labs(visits, VAR / "labs" / "sample", events=events, institution=INSTITUTION, sample=True)
    return result.summary()
