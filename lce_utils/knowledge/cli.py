"""`lce knowledge ...`: the knowledge-sharing commands (cases written by participants, and what the other parts of
issue 17 add). Each module in COMMAND_MODULES adds its sub-commands with `register_commands(sub)` and may have a
`run_step(args) -> str` for `lce run`; add a module to the tuple to add commands to the group."""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType

from lce_utils.cli import command_group

COMMAND_MODULES: tuple[str, ...] = (
    "lce_utils.knowledge.case_commands",
    "lce_utils.knowledge.benchmark_commands",
    "lce_utils.knowledge.directory",  # lce knowledge directory consent|revoke|lookup|list; demo consents
    "lce_utils.knowledge.feedback",  # lce knowledge feedback contexts|link; demo answers
)


def _modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in COMMAND_MODULES]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce knowledge` and the sub-commands of every module in COMMAND_MODULES."""
    sub = command_group(subparsers, "knowledge", help="knowledge sharing: cases written by participants",
                        description="Knowledge sharing across the sector: participants submit cases, staff review "
                        "and publish them on the report site.", dest="knowledge_command", metavar="SUBCOMMAND")
    for module in _modules():
        module.register_commands(sub)


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: each module's step (the bundled example case, ...); one summary line."""
    return "; ".join(module.run_step(args) for module in _modules() if hasattr(module, "run_step"))
