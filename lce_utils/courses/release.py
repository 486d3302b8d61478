"""`lce courses release`: nbgrader generate_assignment, the Swedish and English version of each lesson (language.py),
then a check that every student version really is one."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from lce_utils.courses.config import assignments, check_assignment, course_root, db_url, nbgrader_api
from lce_utils.courses.language import LANGUAGE_TAG, MARKER, english_path, is_english_copy, write_language_versions
from lce_utils.errors import LCEError, UsageError

_SOLUTION = re.compile(r"^\s*#+\s*BEGIN SOLUTION|^\s*#+\s*END SOLUTION(?:\s|$)", re.MULTILINE)
_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
            "BEGIN MARK SCHEME", "END MARK SCHEME")


def _regions(source: str, begin: str, end: str) -> list[str]:
    """The text between lines holding the begin and end markers (one string per region)."""
    regions: list[str] = []
    current: list[str] | None = None
    for line in source.splitlines():
        if begin in line:
            current = []
        elif end in line and current is not None:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def solution_regions(source: str) -> list[str]:
    """The text between BEGIN/END SOLUTION markers of a source cell (one string per region)."""
    return _regions(source, "BEGIN SOLUTION", "END SOLUTION")


def hidden_test_regions(source: str) -> list[str]:
    """The text between BEGIN/END HIDDEN TESTS markers of a cell."""
    return _regions(source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _public_lines(source: str) -> list[str]:
    """Lines of a cell outside any solution or hidden-test region."""
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
            inside = False
        elif not inside:
            lines.append(line)
    return lines


def secret_lines(source: nbformat.NotebookNode, min_length: int = 25) -> set[str]:
    """The lines of a source notebook's solutions, model answers and hidden tests that its public part lacks.

    Comment lines and lines shorter than min_length are left out: they are too common to point at an answer, and so
    are lines the public part shows anyway (e.g. inside a worked example's line with a comment after it)."""
    public = "\n".join(line.strip() for cell in source.cells for line in _public_lines(cell.source))
    secrets = set()
    for cell in source.cells:
        for region in solution_regions(cell.source) + hidden_test_regions(cell.source):
            for line in region.splitlines():
                line = line.strip()
                if len(line) >= min_length and not line.startswith("#") and line not in public:
                    secrets.add(line)
    return secrets


def _check_version(source: nbformat.NotebookNode, release_path: Path, lang: str) -> list[str]:
    """Problems of one language version of a released notebook."""
    if not release_path.exists():
        return [f"{release_path}: missing"]
    problems = []
    released = nbformat.read(release_path, as_version=4)
    text = "\n".join(c.source for c in released.cells)
    for marker in _MARKERS:
        if marker in text:
            problems.append(f"{release_path}: still contains {marker!r}")
    if any(line.strip() == MARKER for line in text.splitlines()):
        problems.append(f"{release_path}: still contains the language marker {MARKER!r}")
    for line in sorted(secret_lines(source)):
        if line in text:
            problems.append(f"{release_path}: solution or hidden-test line left in: {line[:60]!r}")
    for i, cell in enumerate(released.cells, start=1):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count):
            problems.append(f"{release_path}: cell {i} has outputs")
        if cell.cell_type == "code" and LANGUAGE_TAG in cell.metadata.get("tags", []) \
                and f'set_language("{lang}")' not in cell.source:
            problems.append(f"{release_path}: cell {i} (tagged {LANGUAGE_TAG}) does not set the language {lang!r}")
    recorded = released.metadata.get("lce", {})
    if not isinstance(recorded, dict) or recorded.get("language") != lang:
        problems.append(f"{release_path}: metadata lce.language is not {lang!r}")
    return problems


def check_release(assignment: str, root: str | Path | None = None) -> list[str]:
    """Problems in release/<assignment>: a language version missing, markers, solution or hidden-test text, outputs.

    Both versions of every source notebook are checked: <notebook>.ipynb (Swedish) and <notebook>.en.ipynb."""
    root = course_root(root)
    problems = []
    for source_path in sorted((root / "source" / assignment).glob("*.ipynb")):
        source = nbformat.read(source_path, as_version=4)
        release_path = root / "release" / assignment / source_path.name
        problems += _check_version(source, release_path, "sv")
        problems += _check_version(source, english_path(release_path), "en")
    return problems


def set_due_dates(root: str | Path | None = None) -> None:
    """Write course.yaml's due dates into the gradebook (nbgrader 0.9 ignores db_assignments config)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url(root)) as gb:
        for item in assignments(root):
            if item.due is not None:
                gb.update_or_create_assignment(item.id, duedate=item.due)


def release(names: list[str] | None = None, root: str | Path | None = None) -> list[Path]:
    """Generate the student versions of each assignment (all when names is empty); return the notebooks written.

    Each lesson is released twice: Swedish as <notebook>.ipynb, English as <notebook>.en.ipynb (language.py)."""
    root = course_root(root)
    if not (root / "source").is_dir():
        raise UsageError(f"{root}: no source/ folder with the course's source notebooks; the learners' repository "
                         "(written by `lce courses publish`) has only the released ones, in courses/release/")
    names = [check_assignment(n, root) for n in names] if names else [a.id for a in assignments(root)]
    api = nbgrader_api(root)
    written: list[Path] = []
    for name in names:
        clash = sorted(p.name for p in (root / "source" / name).glob("*.ipynb") if is_english_copy(p))
        if clash:  # release writes <notebook>.en.ipynb itself, from the bilingual <notebook>.ipynb
            raise UsageError(f"{root / 'source' / name}: {clash[0]} is named like the English version of a lesson; "
                             "a source notebook holds both languages (Swedish, then English after "
                             f"'{MARKER}') and has no .en in its name")
        outcome = api.generate_assignment(name, force=True, create=True)
        if not outcome.get("success"):
            lines = [line for line in (outcome.get("error") or outcome.get("log") or "").splitlines() if line.strip()]
            raise LCEError(f"nbgrader could not generate {name}: {lines[-1] if lines else 'unknown error'}")
        for source_path in sorted((root / "source" / name).glob("*.ipynb")):
            written += write_language_versions(root / "release" / name / source_path.name)
        problems = check_release(name, root)
        if problems:
            raise LCEError(f"the release of {name} is not safe to hand out: {problems[0]}"
                           + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    set_due_dates(root)
    return written
