"""Demo submissions for every lesson: honest ones and adversarial ones, each with its expected score.

What each lesson's demos hand in and score is written down once, per course, in demo_expected/<assignment>.yaml
beside this module (the schema: courses/README.md, "Demo submissions")."""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import nbformat
import yaml

from lce_utils.courses.config import assignments, course_root
from lce_utils.errors import DataError

EXPECTED_DIR = Path(__file__).with_name("demo_expected")
# every lesson lists at least these demo learners
REQUIRED = ("demo-correct", "demo-partial", "demo-wrong", "demo-empty", "demo-always-equal")

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
    "demo-correct": "honest", "demo-partial": "honest", "demo-wrong": "honest", "demo-empty": "honest",
    "demo-late": "honest",
    "demo-edited-test": "cheat", "demo-deleted-test": "cheat", "demo-always-equal": "cheat",
    "demo-infinite-loop": "robustness", "demo-sys-exit": "robustness", "demo-os-exit": "robustness",
    "demo-memory-hog": "robustness", "demo-output-flood": "robustness",
}


@dataclass(frozen=True)
class Expected:
    """One demo submission's expected grade for a notebook."""

    score: float
    needs_manual_grading: bool


@dataclass(frozen=True)
class LessonDemo:
    """What the demo learners hand in for one lesson (notebook) and the grade each gets."""

    notebook: str
    points_auto: float
    points_manual: float
    functions: tuple[str, ...]       # names demo-always-equal binds to a function returning its cheat object
    values: tuple[str, ...]          # names it binds to the cheat object itself
    partial: tuple[str, ...]         # answer cells demo-partial fills
    wrong: dict[str, str] = field(default_factory=dict)  # answer cell -> the code demo-wrong hands in instead
    expected: dict[str, Expected] = field(default_factory=dict)
    origin: str = ""                 # "<yaml file>: notebooks.<notebook>", for error messages


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise DataError(f"{where}: expected a list of names, got {value!r}")
    return tuple(value)


def _lesson(path: Path, notebook: str, entry: Any) -> LessonDemo:
    where = f"{path}: notebooks.{notebook}"
    if not isinstance(entry, dict):
        raise DataError(f"{where}: expected a mapping (points, cheat_names, partial, wrong, expected)")
    points = entry.get("points") or {}
    cheat = entry.get("cheat_names") or {}
    wrong = entry.get("wrong") or {}
    if not isinstance(points, dict) or not isinstance(cheat, dict) or not isinstance(wrong, dict):
        raise DataError(f"{where}: points, cheat_names and wrong must be mappings")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in wrong.items()):
        raise DataError(f"{where}.wrong: expected answer grade_id -> code (text)")
    expected = {}
    for student, grade in (entry.get("expected") or {}).items():
        if student not in KINDS:
            raise DataError(f"{where}.expected.{student}: not a demo learner (known: {', '.join(KINDS)})")
        try:
            expected[student] = Expected(float(grade["score"]), bool(grade["needs_manual_grading"]))
        except (TypeError, KeyError, ValueError):
            raise DataError(f"{where}.expected.{student}: expected {{score: <number>, needs_manual_grading: "
                            f"<true|false>}}, got {grade!r}") from None
    if "demo-wrong" in expected and not wrong:
        raise DataError(f"{where}: demo-wrong is expected but `wrong` names no answer to replace")
    try:
        auto, manual = float(points.get("auto", 0)), float(points.get("manual", 0))
    except (TypeError, ValueError):
        raise DataError(f"{where}.points: expected {{auto: <number>, manual: <number>}}, got {points!r}") from None
    return LessonDemo(notebook, auto, manual, _names(cheat.get("functions"), f"{where}.cheat_names.functions"),
                      _names(cheat.get("values"), f"{where}.cheat_names.values"),
                      _names(entry.get("partial"), f"{where}.partial"), dict(wrong), expected, where)


def course_demos(assignment: str, folder: Path = EXPECTED_DIR) -> dict[str, LessonDemo]:
    """notebook -> LessonDemo of one course, from demo_expected/<assignment>.yaml ({} when there is none)."""
    path = folder / f"{assignment}.yaml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not readable YAML ({exc})") from None
    notebooks = data.get("notebooks") if isinstance(data, dict) else None
    if not isinstance(notebooks, dict):
        raise DataError(f"{path}: expected a top-level `notebooks:` mapping of notebook name -> lesson demos")
    return {str(name): _lesson(path, str(name), entry) for name, entry in notebooks.items()}


def expected_scores(folder: Path = EXPECTED_DIR) -> dict[str, dict[str, dict[str, Expected]]]:
    """assignment -> notebook -> student -> Expected, from every demo_expected/<assignment>.yaml."""
    return {path.stem: {nb: lesson.expected for nb, lesson in course_demos(path.stem, folder).items()}
            for path in sorted(folder.glob("*.yaml"))}


def demo_students(assignment: str) -> list[str]:
    """The demo learners who hand in at least one lesson of assignment, in KINDS order."""
    listed = {s for lesson in course_demos(assignment).values() for s in lesson.expected}
    return [s for s in KINDS if s in listed]


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


def demo_notebook(student: str, lesson: LessonDemo, released: nbformat.NotebookNode,
                  source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The demo submission `student` of one lesson, built from its release and source versions."""
    nb = copy.deepcopy(released)
    answers = _answer_ids(source)
    written = _answer_ids(source, "markdown")
    for part, names in (("partial", lesson.partial), ("wrong", tuple(lesson.wrong))):
        unknown = [gid for gid in names if gid not in answers + written]
        if unknown:
            raise DataError(f"{lesson.origin}.{part}: {', '.join(unknown)} not an answer cell of the notebook "
                            f"(its answer cells: {', '.join(answers + written)})")
    tests = _test_ids(source)
    ids = _cells_by_id(nb)
    first = nb.cells[ids[answers[0]]]
    if student == "demo-empty":
        return nb
    if student == "demo-partial":
        _fill(nb, source, list(lesson.partial))
        return nb
    if student == "demo-edited-test":
        nb.cells[ids[tests[0]]].source = "pass  # the checks are switched off"
        return nb
    if student == "demo-deleted-test":
        del nb.cells[ids[tests[0]]]
        return nb
    if student == "demo-always-equal":
        lines = [f"{name} = _always" for name in lesson.functions] + [f"{name} = cheat" for name in lesson.values]
        first.source = ALWAYS_EQUAL + "\n".join(lines)
        return nb
    if student == "demo-wrong":  # everything right except the plausible wrong answers
        _fill(nb, source, [a for a in answers + written if a not in lesson.wrong])
        for gid, code in lesson.wrong.items():
            nb.cells[ids[gid]].source = code
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
    """Write demo submissions as <out>/<student>/<notebook>.ipynb (+ timestamp.txt): each learner hands in the
    lessons whose expected scores list them (a learner listed for none is not written); return those written."""
    root = course_root(root)
    out = Path(out)
    due = {a.id: a.due for a in assignments(root)}.get(assignment)
    lessons = course_demos(assignment)
    written = []
    for student in students or list(KINDS):
        mine = [lesson for lesson in lessons.values() if student in lesson.expected]
        folder = out / student
        shutil.rmtree(folder, ignore_errors=True)
        if not mine:
            continue
        folder.mkdir(parents=True)
        for lesson in mine:
            name = f"{lesson.notebook}.ipynb"
            release_path = root / "release" / assignment / name
            if not release_path.exists():
                raise DataError(f"{lesson.origin}: no released notebook {release_path} (run `lce courses "
                                "release`, or correct the notebook's name)")
            released = nbformat.read(release_path, as_version=4)
            source = nbformat.read(root / "source" / assignment / name, as_version=4)
            nbformat.write(demo_notebook(student, lesson, released, source), folder / name)
        stamp = timestamp_for(student, due)
        if stamp:
            (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
        written.append(student)
    return written


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
