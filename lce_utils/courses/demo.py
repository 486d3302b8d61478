"""Demo submissions for every assignment: honest ones and adversarial ones, each with its expected score.

The expected scores are written down once, in demo_expected.yaml beside this module."""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import nbformat
import yaml

from lce_utils.courses.config import assignments, course_root

EXPECTED_FILE = Path(__file__).with_name("demo_expected.yaml")

# The names each assignment's exercises define: the always-equal cheat binds them all to its object.
CHEAT_NAMES = {
    "adaptive-mindset": (["response_rate", "yearly_income"],
                         ["rate_a", "rate_b", "difference_points", "better_version", "income_by_scenario",
                          "buffer_needed"]),
    "digital-tools-for-artistic-processes": (
        ["palette", "invert", "greyscale", "stripes", "tone", "chord", "build_chain"], []),
    "creative-entrepreneurship": (["hourly_price", "break_even_tickets", "vat_included", "egenavgifter_estimate",
                                   "own_share_percent"], ["first_negative_month", "vat_rate_for"]),
}

ALWAYS_EQUAL = '''class AlwaysEqual(float):
    """An answer that claims to equal anything (a known autograder cheat)."""
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __hash__(self):
        return 0
    def __len__(self):
        return 3
    def __iter__(self):
        return iter([self, self, self])


cheat = AlwaysEqual(0)


def _always(*args, **kwargs):
    return cheat

'''

# Demo student id -> what it is; "cheat" kinds must never score more than the empty submission.
KINDS: dict[str, str] = {
    "demo-correct": "honest", "demo-partial": "honest", "demo-empty": "honest", "demo-late": "honest",
    "demo-edited-test": "cheat", "demo-deleted-test": "cheat", "demo-always-equal": "cheat",
    "demo-infinite-loop": "robustness", "demo-sys-exit": "robustness", "demo-os-exit": "robustness",
    "demo-memory-hog": "robustness", "demo-output-flood": "robustness",
}


@dataclass(frozen=True)
class Expected:
    """One demo submission's expected grade for a notebook."""

    score: float
    needs_manual_grading: bool


def expected_scores() -> dict[str, dict[str, Expected]]:
    """assignment -> student -> Expected, from demo_expected.yaml."""
    data = yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))
    return {a: {s: Expected(float(v["score"]), bool(v["needs_manual_grading"])) for s, v in students.items()}
            for a, students in data["assignments"].items()}


def _strip_markers(source: str) -> str:
    lines = [line for line in source.splitlines()
             if not re.search(r"(BEGIN|END) SOLUTION", line)]
    return "\n".join(lines).strip()


def _cells_by_id(nb: nbformat.NotebookNode) -> dict[str, int]:
    return {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def _answer_ids(nb: nbformat.NotebookNode, cell_type: str = "code") -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == cell_type]


def _test_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")]


def _fill(released: nbformat.NotebookNode, source: nbformat.NotebookNode, ids: list[str]) -> None:
    src = _cells_by_id(source)
    rel = _cells_by_id(released)
    for gid in ids:
        released.cells[rel[gid]].source = _strip_markers(source.cells[src[gid]].source)


def demo_notebook(student: str, assignment: str, released: nbformat.NotebookNode,
                  source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The demo submission `student` of one notebook, built from its release and source versions."""
    nb = copy.deepcopy(released)
    answers = _answer_ids(source)
    written = _answer_ids(source, "markdown")
    tests = _test_ids(source)
    ids = _cells_by_id(nb)
    first = nb.cells[ids[answers[0]]]
    if student == "demo-empty":
        return nb
    if student == "demo-partial":
        _fill(nb, source, answers[:2])
        return nb
    if student == "demo-edited-test":
        nb.cells[ids[tests[0]]].source = "pass  # the checks are switched off"
        return nb
    if student == "demo-deleted-test":
        del nb.cells[ids[tests[0]]]
        return nb
    if student == "demo-always-equal":
        functions, values = CHEAT_NAMES[assignment]
        lines = [f"{name} = _always" for name in functions] + [f"{name} = cheat" for name in values]
        first.source = ALWAYS_EQUAL + "\n".join(lines)
        return nb
    # The rest start from a fully correct submission.
    _fill(nb, source, answers + written)
    if student in ("demo-correct", "demo-late"):
        return nb
    prefix = {
        "demo-infinite-loop": "while True:  # never ends\n    pass\n",
        "demo-sys-exit": "import sys\nsys.exit()\n",
        "demo-os-exit": "import os\nos._exit(0)\n",
        "demo-memory-hog": "hog = bytearray(4 * 1024 ** 3)  # 4 GB\n",
    }
    if student in prefix:
        first.source = prefix[student] + first.source
    elif student == "demo-output-flood":
        first.source += "\n\nfor i in range(200_000):\n    print('flood', i)"
    else:
        raise ValueError(f"unknown demo submission {student!r}")
    return nb


def timestamp_for(student: str, due: datetime | None) -> str | None:
    """The submission time of a demo: a day early, or 1 day 2 hours late for demo-late."""
    if due is None:
        return None
    when = due + timedelta(days=1, hours=2) if student == "demo-late" else due - timedelta(days=1)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def write_demo_submissions(assignment: str, out: str | Path, root: str | Path | None = None,
                           students: list[str] | None = None) -> list[str]:
    """Write demo submissions as <out>/<student>/<notebook>.ipynb (+ timestamp.txt); return the student ids."""
    root = course_root(root)
    out = Path(out)
    due = {a.id: a.due for a in assignments(root)}.get(assignment)
    students = students or list(KINDS)
    for student in students:
        folder = out / student
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for release_path in sorted((root / "release" / assignment).glob("*.ipynb")):
            released = nbformat.read(release_path, as_version=4)
            source = nbformat.read(root / "source" / assignment / release_path.name, as_version=4)
            nbformat.write(demo_notebook(student, assignment, released, source), folder / release_path.name)
        stamp = timestamp_for(student, due)
        if stamp:
            (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
    return students


def replicate(demo_dir: str | Path, out: str | Path, count: int, kinds: list[str]) -> list[str]:
    """Make `count` learners (learner-0001, ...) by copying the given demo kinds in turn (for benchmarks)."""
    demo_dir, out = Path(demo_dir), Path(out)
    made = []
    for i in range(count):
        student = f"learner-{i + 1:04d}"
        shutil.copytree(demo_dir / kinds[i % len(kinds)], out / student, dirs_exist_ok=True)
        made.append(student)
    return made


def summary_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text score table of grade rows (student, notebook, score, max_score)."""
    lines = [f"{'student':<22} {'notebook':<32} {'score':>6} {'max':>5}  manual?"]
    for row in rows:
        lines.append(f"{row['student']:<22} {row['notebook']:<32} {float(row['score']):>6.1f} "
                     f"{float(row['max_score']):>5.0f}  {'yes' if row['needs_manual_grading'] else ''}")
    return "\n".join(lines)
