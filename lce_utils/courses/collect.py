"""Collect an LMS download (a folder or .zip of <student>/<notebook>.ipynb) into nbgrader's submitted/ folder."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from lce_utils.courses.config import course_root
from lce_utils.errors import DataError, SubmissionError

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_ZIP_BYTES = 2 * 1024**3


@dataclass
class Collected:
    """What collect() found: students collected, and problems by student (or by path)."""

    students: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def release_notebooks(assignment: str, root: str | Path | None = None) -> list[str]:
    """Names (without .ipynb) of the assignment's notebooks, from its source folder."""
    folder = course_root(root) / "source" / assignment
    return sorted(p.stem for p in folder.glob("*.ipynb"))


def _extract_zip(archive: Path, target: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive}: unpacks to {total / 1e9:.1f} GB, more than the 2 GB allowed")
            for info in zf.infolist():
                name = Path(info.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise SubmissionError(f"{archive}: unsafe path {info.filename!r} in the zip file")
            zf.extractall(target)
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"{archive}: not a readable zip file ({exc})") from exc
    return target


def _student_level(folder: Path, assignment: str) -> Path:
    """Skip wrapper folders (a zip often holds one folder) down to the level of student folders."""
    while True:
        children = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        dirs = [p for p in children if p.is_dir()]
        if len(dirs) != 1 or any(p.suffix == ".ipynb" for p in children):
            return folder
        only = dirs[0]
        if any(only.glob("*.ipynb")) or (only / assignment).is_dir():
            return folder  # the single folder is a student's
        folder = only


def collect(assignment: str, submissions: str | Path, root: str | Path | None = None,
            only_student: str | None = None) -> Collected:
    """Copy each student's notebooks (and timestamp.txt) into submitted/<student>/<assignment>/.

    Accepts <student>/<nb>.ipynb or <student>/<assignment>/<nb>.ipynb, as a folder or a .zip of one.
    Problems with one student's files are reported and do not stop the others."""
    root = course_root(root)
    source = Path(submissions)
    if not source.exists():
        raise SubmissionError(f"{source}: no such folder or zip file")
    known = set(release_notebooks(assignment, root))
    result = Collected()
    with tempfile.TemporaryDirectory(prefix="lce-collect-") as tmp:
        if source.is_file():
            if source.suffix.lower() != ".zip":
                raise SubmissionError(f"{source}: expected a folder or a .zip file of <student>/<notebook>.ipynb")
            source = _extract_zip(source, Path(tmp))
        top = _student_level(source, assignment)
        student_dirs = sorted(p for p in top.iterdir() if p.is_dir() and not p.name.startswith((".", "__MACOSX")))
        if not student_dirs:
            raise SubmissionError(f"{submissions}: no student folders found (expected <student>/<notebook>.ipynb)")
        for student_dir in student_dirs:
            student = student_dir.name
            if only_student and student != only_student:
                continue
            if not STUDENT_ID.match(student):
                result.problems[student] = ("the folder name is not a usable student id (letters, digits, '.', "
                                            "'_' and '-', at most 64)")
                continue
            folder = student_dir / assignment if (student_dir / assignment).is_dir() else student_dir
            notebooks = {p.stem: p for p in folder.glob("*.ipynb")}
            found = {name: path for name, path in notebooks.items() if name in known}
            if not found:
                names = ", ".join(sorted(notebooks)) or "none"
                result.problems[student] = (f"no notebook of {assignment} found in {student_dir} (expected "
                                            f"{', '.join(sorted(known))}.ipynb; found: {names})")
                continue
            unreadable = []
            for name, path in found.items():
                try:
                    nbformat.read(path, as_version=4)
                except Exception as exc:  # any parse failure is the learner's file, not ours
                    unreadable.append(f"{path.name} is not a readable notebook ({type(exc).__name__})")
            if unreadable:
                result.problems[student] = "; ".join(unreadable)
                continue
            dest = root / "submitted" / student / assignment
            staging = dest.with_name(dest.name + ".part")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for name, path in found.items():
                shutil.copy2(path, staging / f"{name}.ipynb")
            stamp = folder / "timestamp.txt"
            if stamp.exists():
                shutil.copy2(stamp, staging / "timestamp.txt")
            shutil.rmtree(dest, ignore_errors=True)
            staging.rename(dest)
            result.students.append(student)
    if only_student and only_student not in result.students and only_student not in result.problems:
        raise DataError(f"{submissions}: no folder for student {only_student!r}")
    return result
