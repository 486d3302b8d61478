"""`lce courses ...`: release, grade, feedback, export, validate and the demo round trip for `lce run`."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from lce_utils.cli import command_group
from lce_utils.courses.config import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_MEMORY_MB,
    assignments,
    check_assignment,
    course_root,
    nbgrader_config,
)
from lce_utils.errors import LCEError, UsageError

# nbgrader settings that move a course's folders away from where LCE reads them (db_url is read: config.db_url)
MOVED_LAYOUT = {"source_directory", "release_directory", "submitted_directory", "autograded_directory",
                "feedback_directory", "solution_directory", "directory_structure"}
DEMO_TIMEOUT = 20  # seconds per cell for the demo submissions (the infinite loop waits this long; a loaded
# machine needs more than 10 s for a cell that imports pandas in the sandbox)
COURSE_HELP = ("an existing nbgrader course folder (its nbgrader_config.py, source/ and gradebook.db); default: "
               "courses/ of the LCE checkout (LCE_ROOT, when set, names the checkout)")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {number}")
    return number


def _course(args: argparse.Namespace) -> Path | None:
    """The course folder given with --course (checked to be an nbgrader course), None for LCE's own."""
    if not getattr(args, "course", None):
        return None
    root = Path(args.course).resolve()
    if not (root / "source").is_dir():
        raise UsageError(f"--course {args.course}: not an nbgrader course folder (expected a source/ folder in it, "
                         "beside nbgrader_config.py)")
    config = root / "nbgrader_config.py"
    moved = sorted(set(nbgrader_config(root).CourseDirectory) & MOVED_LAYOUT) if config.exists() else []
    if moved:  # named before any work: LCE reads every folder at nbgrader's default places
        raise UsageError(f"{config}: sets CourseDirectory.{', '.join(moved)}; LCE needs nbgrader's default layout "
                         "(source/, release/, submitted/, autograded/ and feedback/ in the course "
                         "folder): remove the setting(s) and move the folders there")
    return root


def cmd_release(args: argparse.Namespace) -> int:
    """Generate the student versions and check them."""
    from lce_utils.courses.release import release

    for path in release(args.assignments or None, _course(args)):
        print(path)
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade a folder or zip of submissions."""
    from lce_utils.courses.workflow import grade

    report = grade(args.assignment, args.submissions, _course(args), out=args.out, student=args.student,
                   workers=args.workers, timeout=args.timeout, memory_mb=args.memory_mb,
                   sandbox=not args.no_sandbox, time_limit=args.time_limit)
    print("\n".join(report.lines()))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """(Re)write feedback HTML."""
    from lce_utils.courses.feedback import generate_feedback

    root = _course(args)
    check_assignment(args.assignment, root)
    written = generate_feedback(args.assignment, [args.student] if args.student else None, root)
    if args.student and not written:
        raise UsageError(f"no autograded work of {args.student!r} for {args.assignment}; run `lce courses grade` first")
    for path in written:
        print(path)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the CSV exports."""
    from lce_utils.courses.workflow import export_all

    root = _course(args)
    names = [check_assignment(a, root) for a in args.assignments] or [a.id for a in assignments(root)]
    if args.out and len(names) != 1:
        raise UsageError("--out needs exactly one ASSIGNMENT")
    for name in names:
        for path in export_all(name, root, out=args.out):
            print(path)
    return 0


def cmd_lms_export(args: argparse.Namespace) -> int:
    """Write Canvas's or Moodle's grade-import CSV."""
    from lce_utils.courses.lms_export import write_lms_csv

    root = _course(args)
    names = [check_assignment(a, root) for a in args.assignments] or None
    ids = dict(item.split("=", 1) for item in args.canvas_id if "=" in item)
    if len(ids) != len(args.canvas_id):
        raise UsageError("--canvas-id expects ASSIGNMENT=ID, e.g. --canvas-id adaptive-mindset=1234")
    print(write_lms_csv(args.lms, args.roster, args.out, names, root, ids))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a learner's notebook and explain the result."""
    from lce_utils.courses.validate import validate_notebook

    result = validate_notebook(args.notebook, _course(args), timeout=args.timeout)
    print("\n".join(result.lines))
    return 0 if result.ok else 1


def demo_mismatches(assignment: str, expected: dict[str, dict[str, Any]], rows: list[dict[str, Any]],
                    lessons: list[str]) -> list[str]:
    """Every way the demo grade rows of one assignment differ from demo_expected/<assignment>.yaml: a score or
    manual-grading flag not as written, a lesson graded that lists no demos or with a row missing, a row too many."""
    problems = [f"{assignment}/{nb}: no demo submissions in demo_expected/{assignment}.yaml"
                for nb in lessons if nb not in expected]
    got = {(r["student"], r["notebook"]): r for r in rows}
    for nb, students in expected.items():
        for student, want in students.items():
            row = got.pop((student, nb), None)
            if row is None:
                problems.append(f"{assignment}/{nb}/{student}: no grade (expected {want.score:g})")
            elif (abs(float(row["score"]) - want.score) > 1e-6
                  or _flag(row["needs_manual_grading"]) != want.needs_manual_grading):
                problems.append(f"{assignment}/{nb}/{student}: {float(row['score']):g}, needs manual grading "
                                f"{_flag(row['needs_manual_grading'])} (expected {want.score:g}, "
                                f"{want.needs_manual_grading})")
    problems += [f"{assignment}/{nb}/{student}: graded {row['score']} but not expected to hand it in"
                 for (student, nb), row in sorted(got.items())]
    return problems


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


def run_demo(workers: int | None = None, timeout: int = DEMO_TIMEOUT, echo: bool = True) -> str:
    """Release everything, grade every lesson's demo submissions and compare each with its expected score; an
    unexpected score (or a lesson without demos) is an error naming each one."""
    try:
        from lce_utils.courses.demo import expected_scores, summary_table, write_demo_submissions
    except ModuleNotFoundError as exc:  # `lce courses publish` leaves the demo answers out of the learners' copy
        raise UsageError("the demo submissions are in the instructors' repository only, not in this copy") from exc
    from lce_utils.courses.collect import release_notebooks
    from lce_utils.courses.export import collect_rows
    from lce_utils.courses.release import release
    from lce_utils.courses.workflow import grade
    from lce_utils.paths import VAR
    from lce_utils.progress import step

    notebooks = release(None)
    expected = expected_scores()
    total, mismatches, failed, tampered = 0, [], 0, 0
    VAR.mkdir(parents=True, exist_ok=True)
    for item in assignments():
        with tempfile.TemporaryDirectory(prefix="lce-demo-", dir=VAR) as tmp:
            students = write_demo_submissions(item.id, tmp)
            if not students:
                mismatches.append(f"{item.id}: no demo submissions in demo_expected/{item.id}.yaml")
                continue
            for student in students:  # each demo starts afresh: collection keeps lessons handed in earlier
                shutil.rmtree(course_root() / "submitted" / student / item.id, ignore_errors=True)
            step(f"courses: grading {len(students)} demo learners of {item.id}")
            report = grade(item.id, tmp, workers=workers, timeout=timeout)
        rows, _ = collect_rows(item.id)
        rows = [r for r in rows if r["student"] in students]
        if echo:
            print("\n".join(report.lines()))
            print(summary_table(rows))
        total += len(rows)
        failed += sum(not r.ok for r in report.results)
        tampered += len({f.student for f in report.findings})
        mismatches += demo_mismatches(item.id, expected.get(item.id, {}), rows, release_notebooks(item.id))
    summary = (f"released {len(notebooks)} notebooks; graded {total} demo submissions of lessons ({failed} learners "
               f"not gradable, {tampered} flagged for tampering); CSVs in courses/exports/")
    if mismatches:
        raise LCEError(f"{summary}; UNEXPECTED demo grades ({len(mismatches)}): " + "; ".join(mismatches))
    return summary.replace("lessons (", "lessons (all scores as expected; ", 1)


def cmd_curriculum(args: argparse.Namespace) -> int:
    """Print the curriculum table (or write it into courses/README.md and index.ipynb)."""
    from lce_utils.courses.curriculum import curriculum_command

    return curriculum_command(write=args.write)


def cmd_publish(args: argparse.Namespace) -> int:
    """Write the learners' repository."""
    from lce_utils.courses.publish import publish

    print("\n".join(publish(args.out, message=args.message).lines()))
    return 0


def run_step(args: argparse.Namespace) -> str:
    """`lce run`'s courses step: release, grade the demo submissions, print the score table."""
    return run_demo()


def cmd_demo(args: argparse.Namespace) -> int:
    """Grade the demo submissions (what `lce run` does for courses)."""
    print(run_demo(workers=args.workers, timeout=args.timeout))
    return 0


def _command(sub: argparse._SubParsersAction, name: str, func: Any, *, course: bool = True, **kwargs: Any
             ) -> argparse.ArgumentParser:
    """Add `lce courses NAME` running func; with course, its --course option (every command on a course has it)."""
    parser = sub.add_parser(name, **kwargs)
    parser.set_defaults(func=func)
    if course:
        parser.add_argument("--course", metavar="DIR", help=COURSE_HELP)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `lce courses` and its sub-commands."""
    sub = command_group(subparsers, "courses", help="graded notebook courses (nbgrader): release, grade, feedback",
                        description="Release the course notebooks, grade learners' submissions in "
                                    "parallel, write feedback and CSV exports, and check a notebook as a learner.",
                        dest="courses_command", metavar="SUBCOMMAND")

    p = _command(sub, "release", cmd_release,
                 help="generate the student versions (no solutions, hidden tests or outputs)")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="assignments to release (default: all)")

    p = _command(sub, "grade", cmd_grade,
                 help="collect, autograde, feedback and export one assignment's submissions",
                 description="SUBMISSIONS is a folder of <student>/<notebook>.ipynb (an <assignment> level "
                 "inside each student folder is accepted too) or a .zip of one, as an LMS download gives. "
                 "A <student>/timestamp.txt, if present, is the submission time used for late penalties. "
                 "Other files beside a notebook are kept as nbgrader keeps them (CourseDirectory.ignore, "
                 "include, max_file_size and max_dir_size of the course's nbgrader_config.py); a file over "
                 "max_file_size is named and left out.")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("submissions", metavar="SUBMISSIONS")
    p.add_argument("--out", metavar="FILE", help="grades CSV (default <course>/exports/<assignment>-grades.csv)")
    p.add_argument("--student", metavar="ID", help="re-grade only this learner; others are left as they are")
    p.add_argument("--workers", type=_positive, default=None,
                   help="parallel grading processes (default: two more than the cores, at most as many as "
                   "the machine's memory holds at --memory-mb each)")
    p.add_argument("--timeout", type=_positive, default=DEFAULT_CELL_TIMEOUT, help="seconds per cell (default 30)")
    p.add_argument("--memory-mb", type=_positive, default=DEFAULT_MEMORY_MB,
                   help=f"memory limit per submission in MB (default {DEFAULT_MEMORY_MB})")
    p.add_argument("--time-limit", type=_positive, default=None, metavar="SECONDS",
                   help="wall-clock limit per submission, all its notebooks together (default: 20 cell time-outs, "
                   "at least 120 s, for each notebook of the assignment); past it the sandbox is stopped and the "
                   "learner is not graded")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run learners' notebooks WITHOUT the bubblewrap sandbox (only for machines without user "
                   "namespaces); every report and export then says so")

    p = _command(sub, "feedback", cmd_feedback, help="write feedback HTML (hidden tests named, never shown)")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--student", metavar="ID", help="only this learner")

    p = _command(sub, "export", cmd_export, help="write the grades, tests and integrity CSVs from the gradebook")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    p.add_argument("--out", metavar="FILE", help="grades CSV path (one assignment only)")

    p = _command(sub, "lms-export", cmd_lms_export,
                 help="grades as Canvas's or Moodle's grade-import CSV (needs a roster CSV)",
                 description="ROSTER is a CSV with the columns learner,name,email,canvas_id,sis_user_id,"
                 "sis_login_id,section (learner = the id in the gradebook); see lce_utils/courses/lms_export.py.")
    p.add_argument("lms", choices=["canvas", "moodle"])
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    p.add_argument("--roster", required=True, metavar="ROSTER")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--canvas-id", action="append", default=[], metavar="ASSIGNMENT=ID",
                   help="Canvas's id of an assignment, so the import updates it instead of making a new column")

    p = _command(sub, "validate", cmd_validate,
                 help="check your notebook before handing it in, explained in plain words")
    p.add_argument("notebook", metavar="NOTEBOOK")
    p.add_argument("--timeout", type=_positive, default=60, help="seconds per cell (default 60)")

    p = _command(sub, "publish", cmd_publish, course=False,
                 help="write the learners' repository: released notebooks, labs, apps, no answers",
                 description="Writes OUT, the learners' public repository that Binder serves: the released "
                 "notebooks, index.ipynb, engagement_labs/, the mentorship sign-up, lce_utils (without the "
                 "demo answers), binder/ and a README. It refuses to write if any solution, hidden test or "
                 "model answer would reach OUT. When OUT is a git repository the new state is committed there.")
    p.add_argument("out", metavar="OUT", help="a new or empty folder, or one written by an earlier publish")
    p.add_argument("--message", metavar="TEXT", help="the commit message in OUT (default names this checkout's commit)")

    p = _command(sub, "curriculum", cmd_curriculum, course=False,
                 help="every course's lessons as a Markdown table, from the notebooks' metadata")
    p.add_argument("--write", action="store_true", help="write it into courses/README.md and index.ipynb instead")

    p = _command(sub, "demo", cmd_demo, course=False,
                 help="release, then grade the demo submissions of every assignment")
    p.add_argument("--workers", type=_positive, default=None,
                   help="default: two more than the cores, as memory allows")
    p.add_argument("--timeout", type=_positive, default=DEMO_TIMEOUT, help=f"seconds per cell (default {DEMO_TIMEOUT})")
