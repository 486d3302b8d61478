"""`lce knowledge submit|review|publish|reject|status|withdraw|example`: the case workflow on the command line,
and `lce run`'s step, which publishes the bundled fictional example case in the demo store."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import nbformat

from lce_utils import database
from lce_utils.knowledge import cases
from lce_utils.knowledge.case_checks import check_case
from lce_utils.messages import both
from lce_utils.paths import KNOWLEDGE, VAR
from lce_utils.privacy import DEFAULT_K

EXAMPLE = KNOWLEDGE / "cases" / "example.ipynb"
DEMO_DB = f"sqlite:///{VAR / 'knowledge-demo.db'}"


def submit(path: Path, url: str | None = None, k: int = DEFAULT_K) -> tuple[int, str]:
    """Check a case notebook and queue it; (its id, the author's token). Raises CaseRefused with every problem."""
    path = Path(path)
    checked = check_case(path, k=k)
    nb = checked.notebook
    for cell in nb.cells:  # timings and kernel chatter are not part of the case
        cell.metadata.pop("execution", None)
    return cases.queue(checked.front, nbformat.writes(nb), checked.disclosure,
                       hashlib.sha256(path.read_bytes()).hexdigest(), url)


def publish_example(url: str = DEMO_DB) -> str:
    """Submit and publish the bundled fictional example case once (again only when the notebook changed)."""
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    found = cases.find_content(digest, url)
    if found is not None and found.status == cases.PUBLISHED:
        return f"example case {found.id} already published"
    case_id = found.id if found is not None else submit(EXAMPLE, url)[0]
    cases.decide(case_id, cases.PUBLISHED, url=url)
    return f"example case {case_id} published in {cases.normalise_url(url)}"


def _print_case(case: cases.CaseInfo) -> None:
    sv, en = cases.STATUS_TEXT[case.status]
    print(f"{case.id:>4}  {case.submitted_at[:10]}  {sv} / {en}  {case.title['sv']} / {case.title['en']}  "
          f"({', '.join(case.authors)}; {case.organisation}; {case.art_form}; {case.licence})")


def cmd_submit(args: argparse.Namespace) -> int:
    case_id, token = submit(args.case, database.db_url(args))
    print(both("knowledge_submitted", id=case_id))
    print("Spara koden: med den ser du fallets status och kan dra tillbaka det. / Keep this token: with it you see "
          "the case's status and can withdraw it:")
    print(f"  {token}")
    print(f"  lce knowledge status {token}")
    print(f"  lce knowledge withdraw {token}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    queued = cases.listed(None if args.all else cases.QUEUED, database.db_url(args))
    if not queued:
        print(both("knowledge_none_queued"))
    for case in queued:
        _print_case(case)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    case = cases.decide(args.id, cases.PUBLISHED, url=database.db_url(args))
    print(both("knowledge_published", id=case.id))
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    case = cases.decide(args.id, cases.REJECTED, args.reason, url=database.db_url(args))
    print(both("knowledge_rejected", id=case.id))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    case = cases.status(args.token, database.db_url(args))
    _print_case(case)
    if case.status == cases.REJECTED:
        print(f"{both('knowledge_reason')}: {case.reason}")
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    case = cases.withdraw(args.token, database.db_url(args))
    print(both("knowledge_withdrawn", id=case.id))
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    print(publish_example(database.db_url(args) or DEMO_DB))
    return 0


def register_commands(sub: argparse._SubParsersAction) -> None:
    """The case commands of `lce knowledge`."""
    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        parser = database.db_option(sub.add_parser(name, help=help_text, description=help_text), what="case store",
                                    env_var=cases.ENV_VAR, default="var/knowledge.db")
        parser.set_defaults(func=func)
        return parser

    add("submit", cmd_submit, "check a case notebook (front matter, personal data, runs, small counts) and queue "
        "it for review; prints the author's token").add_argument("case", type=Path, metavar="CASE.ipynb")
    add("review", cmd_review, "list the cases waiting for review (staff)").add_argument(
        "--all", action="store_true", help="every case, whatever its state")
    add("publish", cmd_publish, "publish a reviewed case on the site's next build (staff)").add_argument(
        "id", type=int, metavar="ID")
    reject = add("reject", cmd_reject, "reject a case with a reason the author reads (staff)")
    reject.add_argument("id", type=int, metavar="ID")
    reject.add_argument("--reason", required=True, metavar="TEXT", help="why, for the author")
    add("status", cmd_status, "a case's state (and a rejection's reason), by the author's token").add_argument(
        "token", metavar="TOKEN")
    add("withdraw", cmd_withdraw, "withdraw a case by the author's token: it leaves the site on the next "
        "build").add_argument("token", metavar="TOKEN")
    add("example", cmd_example, "publish the bundled fictional example case (default: the demo store "
        "var/knowledge-demo.db)")


def run_step(args: argparse.Namespace) -> str:
    """`lce run`: the fictional example case, published in the demo store the demo site shows."""
    return publish_example()
