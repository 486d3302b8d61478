"""`lce knowledge share|unshare|benchmark`: institutions share a lab run's published ratios for the sector benchmark;
`lce run` shares the sample institution's run and two fictitious peers' so that the demo site shows the benchmark."""

from __future__ import annotations

import argparse
from pathlib import Path

from lce_utils.knowledge import benchmark
from lce_utils.messages import both

# Fictitious peers for the demo: (name, seed); small exports, metrics only (no notebooks).
DEMO_PEERS = (("Teater Söderslätt (fiktiv / fictitious)", 11), ("Bibliotek Linderöd (fiktivt / fictitious)", 12))
DEMO_PEER_ROWS = 3000


def register_commands(sub: argparse._SubParsersAction) -> None:
    """Add share, unshare and benchmark to `lce knowledge`."""
    p = sub.add_parser("share", help="share a lab run's published ratios in the sector benchmark",
                       description="Adds (or replaces) the institution's entry in the sector benchmark with the "
                       "ratios of a lab run folder's published figures. Counts are never shared.")
    p.add_argument("run", type=Path, help="a folder written by `lce labs run`")
    p.add_argument("--institution", required=True, help="the institution's name (named only in its own report)")
    p.set_defaults(func=cmd_share)
    p = sub.add_parser("unshare", help="withdraw an institution from the sector benchmark")
    p.add_argument("institution")
    p.set_defaults(func=cmd_unshare)
    p = sub.add_parser("benchmark", help="write each sharing institution's own benchmark report",
                       description="Writes <out>/<institution>.html for each sharing institution: its own position "
                       "named, its peers anonymous. The public page is part of the report site.")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--demo", action="store_true", help="the demo's fictitious institutions (`lce run`)")
    p.set_defaults(func=cmd_benchmark)


def cmd_share(args: argparse.Namespace) -> int:
    entry = benchmark.share(args.run, args.institution)
    known = sum(v is not None for v in entry.values.values())
    print(both("knowledge_shared", institution=entry.institution, slug=entry.slug, known=known,
               measures=len(entry.values), sharing=len(benchmark.load())))
    return 0


def cmd_unshare(args: argparse.Namespace) -> int:
    if benchmark.unshare(args.institution):
        print(both("knowledge_unshared", institution=args.institution))
        return 0
    print(both("knowledge_not_sharing", institution=args.institution))
    return 1


def cmd_benchmark(args: argparse.Namespace) -> int:
    from lce_utils.reports.build import now

    for path in benchmark.write_reports(args.out, built_at=now(), demo=args.demo):
        print(path)
    return 0


def run_step(args: argparse.Namespace) -> str:
    """The sample institution's run and two fictitious peers' shared, so the demo benchmark has three institutions."""
    from lce_utils.engagement.run import run_labs
    from lce_utils.engagement.sample import INSTITUTION, write_sample
    from lce_utils.paths import VAR

    sample_run = VAR / "labs" / "sample"
    if not (sample_run / "metrics.json").exists():
        return "benchmark: no sample lab run to share (labs skipped?)"
    benchmark.share(sample_run, INSTITUTION, demo=True)
    for name, seed in DEMO_PEERS:
        folder = VAR / "labs" / "peers" / benchmark.slug(name)
        if not (folder / "run" / "metrics.json").exists():
            files = write_sample(folder / "data", rows=DEMO_PEER_ROWS, seed=seed)
            run_labs(files.visits, folder / "run", events=files.events, institution=name, notebooks=False)
        benchmark.share(folder / "run", name, demo=True)
    return f"benchmark: {len(benchmark.load(demo=True))} fictitious institutions share (demo)"
