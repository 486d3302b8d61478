"""Collect an LMS download (a folder or .zip of <student>/<notebook>.ipynb) into nbgrader's submitted/ folder.

A lesson is released in Swedish (<notebook>.ipynb) and English (<notebook>.en.ipynb); a learner hands in either, or
both (a hub's exchange hands in the whole folder). The one they worked in is collected as <notebook>.ipynb, with its
language in the notebook metadata `lce.language`, which autograding keeps and feedback reads."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from lce_utils.courses.config import course_root, nbgrader_config
from lce_utils.courses.language import LANGUAGES, english_path, notebook_language
from lce_utils.errors import DataError, SubmissionError
from lce_utils.staging import swap_folder

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_ZIP_BYTES = 2 * 1024**3


@dataclass
class Collected:
    """What collect() found: students collected, and problems by student (or by path)."""

    students: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)  # student -> files not kept, and why
    languages: dict[str, dict[str, str]] = field(default_factory=dict)  # student -> notebook -> "sv" or "en"
    notes: dict[str, list[str]] = field(default_factory=dict)  # student -> which version was graded when both changed
    kept: dict[str, list[str]] = field(default_factory=dict)  # student -> lessons kept from an earlier hand-in


@dataclass(frozen=True)
class FileLimits:
    """What nbgrader keeps of the files handed in beside a notebook (CourseDirectory.ignore/include/max_*_size)."""

    ignore: tuple[str, ...]
    include: tuple[str, ...]
    max_file_kb: int
    max_dir_kb: int

    @classmethod
    def of_course(cls, root: Path) -> FileLimits:
        """The limits in the course's nbgrader_config.py (nbgrader's defaults where it sets none)."""
        from nbgrader.coursedir import CourseDirectory

        cd = CourseDirectory(config=nbgrader_config(root))
        return cls(tuple(cd.ignore), tuple(cd.include), int(cd.max_file_size), int(cd.max_dir_size))


def release_notebooks(assignment: str, root: str | Path | None = None) -> list[str]:
    """Names (without .ipynb) of the assignment's notebooks, from its source folder."""
    folder = course_root(root) / "source" / assignment
    return sorted(p.stem for p in folder.glob("*.ipynb"))


def _cell_sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def _changed(path: Path, nb: nbformat.NotebookNode, released: Path) -> bool:
    """Whether a handed-in notebook's cells differ from its released version (True when that is missing)."""
    try:
        return _cell_sources(nb) != _cell_sources(nbformat.read(released, as_version=4))
    except (OSError, ValueError):
        return True


@dataclass(frozen=True)
class Choice:
    """The version of one lesson that is graded: its file, language, and a note when the choice needs one."""

    path: Path
    language: str
    note: str = ""


def choose_version(name: str, versions: dict[str, tuple[Path, nbformat.NotebookNode]], release: Path) -> Choice:
    """Which of a learner's language versions of lesson `name` to grade.

    versions maps "sv"/"en" to (file, notebook). One version: that one. Both: the one whose cells differ from its
    release (release/<assignment>/<notebook>[.en].ipynb); both unchanged: the Swedish one; both changed: the one
    modified later (Swedish on a tie), with a note saying so."""
    if len(versions) == 1:
        lang, (path, _) = next(iter(versions.items()))
        return Choice(path, lang)
    released = {"sv": release / f"{name}.ipynb", "en": english_path(release / f"{name}.ipynb")}
    changed = [lang for lang in LANGUAGES if _changed(*versions[lang], released[lang])]
    if len(changed) == 1:
        return Choice(versions[changed[0]][0], changed[0])
    if not changed:
        return Choice(versions["sv"][0], "sv")
    sv, en = versions["sv"][0], versions["en"][0]
    lang = "en" if en.stat().st_mtime > sv.stat().st_mtime else "sv"
    chosen = versions[lang][0]
    other = en if lang == "sv" else sv
    return Choice(chosen, lang, f"handed in {sv.name} and {en.name}, both changed; graded {chosen.name} "
                                f"({'English' if lang == 'en' else 'Swedish'}), modified after {other.name}")


def _recorded_language(nb: nbformat.NotebookNode) -> str | None:
    meta = nb.metadata.get("lce")
    lang = meta.get("language") if isinstance(meta, dict) else None
    return lang if lang in LANGUAGES else None


def _write_chosen(choice: Choice, nb: nbformat.NotebookNode, dest: Path) -> str:
    """Copy the chosen version to dest (<notebook>.ipynb); record its language in the metadata if it has none.

    Returns the language the notebook now records (its own when it has one, else that of its file name)."""
    shutil.copy2(choice.path, dest)
    recorded = _recorded_language(nb)
    if recorded is None:
        stat = choice.path.stat()
        lce = nb.metadata.get("lce")
        nb.metadata["lce"] = {**(lce if isinstance(lce, dict) else {}), "language": choice.language}
        nbformat.write(nb, dest)
        os.utime(dest, (stat.st_atime, stat.st_mtime))
        recorded = choice.language
    return recorded


def _kept_files(folder: Path, limits: FileLimits, known: set[str]) -> tuple[list[Path], list[str]]:
    """The files of a learner's folder that nbgrader's collect would keep, and a message per file left out.

    Like nbgrader's exchange: names matching `ignore` (or not matching `include`) are skipped silently, files above
    max_file_size are skipped with a message (notebooks are always kept). Symbolic links are never followed.
    Top-level notebooks that are not part of the assignment are not graded by nbgrader, so they are not kept."""
    kept, left_out = [], []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink()
                             and not any(fnmatch.fnmatch(d, g) for g in limits.ignore))
        for name in sorted(filenames):
            path = here / name
            relative = path.relative_to(folder)
            if path.is_symlink() or not path.is_file() or any(fnmatch.fnmatch(name, g) for g in limits.ignore):
                continue
            if limits.include and not any(fnmatch.fnmatch(name, g) for g in limits.include):
                continue
            if here == folder and path.suffix == ".ipynb" and path.stem not in known:
                continue
            size_kb = path.stat().st_size / 1000
            if path.suffix != ".ipynb" and size_kb > limits.max_file_kb:
                left_out.append(f"{relative.as_posix()} ({size_kb:,.0f} kB) is larger than the {limits.max_file_kb:,} "
                                "kB allowed per handed-in file (CourseDirectory.max_file_size); graded without it")
                continue
            kept.append(relative)
    return kept, left_out


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
            for info in zf.infolist():  # extractall stamps files "now"; keep the zip's times (which version is later)
                stamp = time.mktime((*info.date_time, 0, 0, -1))
                os.utime(target / info.filename, (stamp, stamp))
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


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def collect(assignment: str, submissions: str | Path, root: str | Path | None = None,
            only_student: str | None = None, notify: Callable[[str], None] | None = _say) -> Collected:
    """Copy each student's notebooks, timestamp.txt and handed-in files into submitted/<student>/<assignment>/.

    Accepts <student>/<nb>.ipynb or <student>/<assignment>/<nb>.ipynb, as a folder or a .zip of one. Files beside
    the notebooks are kept as nbgrader keeps them (see _kept_files); each file left out for its size is named
    through notify. Problems with one student's files are reported and do not stop the others."""
    root = course_root(root)
    limits = FileLimits.of_course(root)
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
        student_dirs = sorted(p for p in top.iterdir()  # symbolic links are never followed: they could point anywhere
                              if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__MACOSX")))
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
            inner = student_dir / assignment
            folder = inner if inner.is_dir() and not inner.is_symlink() else student_dir
            versions: dict[str, dict[str, tuple[Path, nbformat.NotebookNode]]] = {}
            unreadable: dict[str, list[str]] = {}
            names = []
            for path in sorted(folder.glob("*.ipynb")):
                if not path.is_file() or path.is_symlink():
                    continue
                names.append(path.stem)
                name, lang = notebook_language(path)
                if name not in known:
                    continue
                try:
                    versions.setdefault(name, {})[lang] = (path, nbformat.read(path, as_version=4))
                except Exception as exc:  # any parse failure is the learner's file, not ours
                    unreadable.setdefault(name, []).append(f"{path.name} is not a readable notebook "
                                                           f"({type(exc).__name__})")
            lost = [message for name, messages in sorted(unreadable.items()) if name not in versions
                    for message in messages]
            if lost:  # a lesson with no readable version at all; an unreadable second version is only named
                result.problems[student] = "; ".join(lost)
                continue
            for messages in unreadable.values():
                for message in messages:
                    if notify:
                        notify(f"  UNREADABLE {student}: {message}; graded the other language version")
            if not versions:
                result.problems[student] = (f"no notebook of {assignment} found in {student_dir} (expected "
                                            f"{', '.join(sorted(known))}.ipynb or .en.ipynb; found: "
                                            f"{', '.join(names) or 'none'})")
                continue
            release = root / "release" / assignment
            choices = {name: choose_version(name, found, release) for name, found in sorted(versions.items())}
            kept, left_out = _kept_files(folder, limits, known)
            total_kb = sum((folder / p).stat().st_size for p in kept) / 1000
            if total_kb > limits.max_dir_kb:
                result.problems[student] = (f"the handed-in files of {student_dir} hold {total_kb:,.0f} kB, more "
                                            f"than the {limits.max_dir_kb:,} kB allowed (CourseDirectory.max_dir_size)")
                continue
            if left_out:
                result.left_out[student] = left_out
                for message in left_out:
                    if notify:
                        notify(f"  FILE LEFT OUT {student}: {message}")
            dest = root / "submitted" / student / assignment
            staging = dest.with_name(dest.name + ".part")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for relative in kept:
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / relative, staging / relative)
            for name, choice in choices.items():
                notebook = versions[name][choice.language][1]
                result.languages.setdefault(student, {})[name] = _write_chosen(choice, notebook,
                                                                               staging / f"{name}.ipynb")
                if choice.note:
                    result.notes.setdefault(student, []).append(choice.note)
                    if notify:
                        notify(f"  BOTH LANGUAGES {student}: {choice.note}")
            # lessons are handed in one at a time over weeks: a lesson handed in before and not in this hand-in
            # stays as it was (a download holding only lesson 2 must not erase lesson 1)
            for earlier in sorted(dest.glob("*.ipynb")) if dest.is_dir() else []:
                if earlier.stem in known and earlier.stem not in choices and not earlier.is_symlink():
                    shutil.copy2(earlier, staging / earlier.name)
                    result.kept.setdefault(student, []).append(earlier.stem)
                    if notify:
                        notify(f"  KEPT EARLIER {student}: {earlier.name} from an earlier hand-in (not in this one)")
            swap_folder(staging, dest)  # the earlier hand-in stays whole until this one takes its place
            result.students.append(student)
    if only_student and only_student not in result.students and only_student not in result.problems:
        raise DataError(f"{submissions}: no folder for student {only_student!r}")
    return result
