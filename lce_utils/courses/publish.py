"""`lce courses publish OUT`: the learners' public repository, with nothing of the instructors' own material.

This checkout is the instructors' (private) repository: course sources with solutions and hidden tests, demo
submissions and their expected scores. The learners' repository, the one Binder serves, is written from it: the
released notebooks, the landing notebook, the labs, the mentorship sign-up, the package and the environment. Every
file is checked for solution and hidden-test text before anything reaches OUT."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat

from lce_utils.courses.config import course_root
from lce_utils.courses.release import release, secret_lines
from lce_utils.errors import LCEError, UsageError
from lce_utils.paths import GENERATED_DIRS, ROOT

# What the learners' repository holds (files or folders of this checkout), besides the released notebooks.
PUBLISHED = ("index.ipynb", "engagement_labs", "mentorship/signup", "mentorship/voila-template", "lce_utils",
             "binder", "pyproject.toml", "LICENSE", "LICENSE-CONTENT.md", "CITATION.cff")
# Instructor-only files and folders inside published folders: the demo submissions' answers and their expected
# scores (one file per course in demo_expected/).
INSTRUCTOR_ONLY = ("lce_utils/courses/demo.py", "lce_utils/courses/demo_expected.yaml",
                   "lce_utils/courses/demo_expected")
# Never published, wherever they are: caches, databases (gradebooks, personal data), nbgrader's working folders.
NEVER = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", "*.db", "*.db-*", "*.sqlite", "*.sqlite3",
         "gradebook*", "submitted", "autograded", "feedback", "exports", "source")
INSTRUCTORS_ONLY_TAG = "instructors-only"  # a landing-notebook cell that only makes sense in this checkout
MARKER = ".lce-published"  # marks OUT as written by this command, so that a later publish may replace it
_SOLUTION_MARKER = re.compile(r'^\s*"?\s*(?:#+|=+)\s*(?:BEGIN|END) (?:SOLUTION|HIDDEN TESTS|MARK SCHEME)', re.MULTILINE)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MAKE = re.compile(r"`make(?: [\w.-]+)?`")  # a command that needs this checkout's Makefile

LEARNERS_GITIGNORE = """.venv/
__pycache__/
.ipynb_checkpoints/
*.egg-info/
var/
*.db
"""


@dataclass
class Published:
    """What publish() wrote."""

    out: Path
    files: int = 0
    notebooks: list[str] = field(default_factory=list)
    commit: str | None = None
    git: bool = False

    def lines(self) -> list[str]:
        """Summary lines for the command line."""
        out = [f"published {self.files} files to {self.out}, no solutions, hidden tests or model answers in them",
               *(f"  {name}" for name in self.notebooks)]
        if self.git:
            out.append(f"  committed {self.commit}" if self.commit else "  no change since the last publish")
        return out


def _git(folder: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise LCEError(f"git {' '.join(args)} in {folder} failed: {(proc.stderr or proc.stdout).strip()[:300]}")
    return proc.stdout


def _never(relative: str) -> bool:
    """Whether a path (relative to a repository) is instructors' material or a working file by its name alone."""
    return (relative in INSTRUCTOR_ONLY or relative.startswith(tuple(f"{item}/" for item in INSTRUCTOR_ONLY))
            or any(fnmatch.fnmatch(part, pattern) for part in relative.split("/") for pattern in NEVER))


def candidate_files(checkout: Path) -> list[str]:
    """The checkout's files under PUBLISHED, as relative paths: those git tracks (never an untracked or ignored file,
    such as an institution's data dropped beside the labs or a database), or every file when there is no git."""
    if (checkout / ".git").exists():
        listed = _git(checkout, "ls-files", "--cached", "-z", "--", *PUBLISHED)
        names = [n for n in listed.split("\0") if n and (checkout / n).is_file()]
    else:
        names = []
        for item in PUBLISHED:
            path = checkout / item
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
            names += [p.relative_to(checkout).as_posix() for p in files]
    generated = tuple(g + "/" for g in GENERATED_DIRS)
    return sorted(n for n in set(names)
                  if not _never(n) and not n.startswith(generated) and not (checkout / n).is_symlink())


def _released(course: Path, staging: Path) -> list[str]:
    """Release every assignment in a scratch copy of the course (the instructors' gradebook is left alone) and copy
    the student versions, with their data files, into staging/courses/release/."""
    with tempfile.TemporaryDirectory(prefix="lce-publish-course-") as tmp:
        scratch = Path(tmp) / "course"
        scratch.mkdir()
        shutil.copytree(course / "source", scratch / "source")
        for name in ("nbgrader_config.py", "course.yaml"):
            if (course / name).exists():
                shutil.copy2(course / name, scratch / name)
        notebooks = release(None, scratch)
        shutil.copytree(scratch / "release", staging / "courses" / "release",
                        ignore=shutil.ignore_patterns(*NEVER))
        if (course / "course.yaml").exists():  # titles and due dates, for learners and `lce courses` alike
            shutil.copy2(course / "course.yaml", staging / "courses" / "course.yaml")
    return [p.relative_to(scratch).as_posix().replace("release/", "courses/release/", 1) for p in notebooks]


def learners_landing(nb: nbformat.NotebookNode, base: Path) -> nbformat.NotebookNode:
    """The landing notebook without its cells tagged `instructors-only`, and with links to files the learners'
    repository lacks turned into plain text (a list item whose links all went is dropped)."""
    nb.cells = [c for c in nb.cells if INSTRUCTORS_ONLY_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = []
        for line in cell.source.splitlines():
            links = _LINK.findall(line)
            missing = [target for _, target in links if "://" not in target and not target.startswith(("#", "mailto:"))
                       and not (base / target.split("#", 1)[0]).exists()]
            if missing and len(missing) == len(links) and re.match(r"\s*(?:[-*]|\d+\.)\s", line):
                continue
            for target in missing:
                line = re.sub(r"\[([^\]]+)\]\(" + re.escape(target) + r"\)", r"\1", line)
            lines.append(line)
        cell.source = "\n".join(lines)
    return nb


def landing_problems(nb: nbformat.NotebookNode, base: Path) -> list[str]:
    """What the learners' landing notebook tells them to run that their repository (base) cannot: `make …` without
    a Makefile."""
    if (base / "Makefile").exists():
        return []
    return [f"index.ipynb: tells learners to run {found} but the learners' repository has no Makefile (tag that "
            f"cell {INSTRUCTORS_ONLY_TAG})" for cell in nb.cells if cell.cell_type == "markdown"
            for found in _MAKE.findall(cell.source)]


# The learners' README: its text in both languages is content (like a lesson's prose), kept as a template
README_TEMPLATE = Path(__file__).with_name("learners_README.md.j2")


def learners_readme(checkout: Path, notebooks: list[str]) -> str:
    """The learners' README: the Binder links of this checkout's README, what is here, how to work with it."""
    readme = checkout / "README.md"
    badges = [line for line in readme.read_text(encoding="utf-8").splitlines()
              if "mybinder.org/v2/gh/" in line] if readme.exists() else []
    listed = "\n".join(f"- [{Path(n).stem}]({n})" for n in notebooks)
    template = jinja2.Template(README_TEMPLATE.read_text(encoding="utf-8"), keep_trailing_newline=True)
    return template.render(badges="\n".join(badges), listed=listed)


def leaks(folder: Path, course: Path) -> list[str]:
    """Files under folder that hold a solution, model answer or hidden test of course's source notebooks, a
    solution marker, or that are instructor-only by name."""
    secrets: set[str] = set()
    for source in sorted((course / "source").glob("*/*.ipynb")):
        secrets |= secret_lines(nbformat.read(source, as_version=4))
    # a line is searched as written and as JSON escapes it inside a notebook file
    needles = {s: {s, json.dumps(s, ensure_ascii=False)[1:-1], json.dumps(s)[1:-1]} for s in secrets}
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.relative_to(folder).parts):
        relative = path.relative_to(folder).as_posix()
        if _never(relative):
            problems.append(f"{relative}: instructors' material by its name")
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        if _SOLUTION_MARKER.search(text):
            problems.append(f"{relative}: holds a solution or hidden-test marker")
        for secret, forms in needles.items():
            if any(form in text for form in forms):
                problems.append(f"{relative}: holds solution or hidden-test text {secret[:60]!r}")
                break
    return problems


def _check_out(out: Path, checkout: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    inside = checkout in out.parents and (checkout / "var") not in (out, *out.parents)
    if out == checkout or out in checkout.parents or inside:
        raise UsageError(f"{out}: the learners' repository must be outside this checkout ({checkout}; var/ is allowed)")
    if out.is_dir() and not (out / MARKER).exists() and any(p.name != ".git" for p in out.iterdir()):
        raise UsageError(f"{out}: not empty and not written by `lce courses publish` (no {MARKER}); give a new or "
                         "empty folder, or a clone of the learners' repository")


def publish(out: str | Path, checkout: str | Path | None = None, course: str | Path | None = None,
            message: str | None = None) -> Published:
    """Write the learners' repository to out (replacing all but its .git), after checking it leaks nothing."""
    checkout = Path(checkout).resolve() if checkout else ROOT
    course = course_root(course) if course else checkout / "courses"
    out = Path(out).resolve()
    _check_out(out, checkout)
    out.mkdir(parents=True, exist_ok=True)
    result = Published(out, git=(out / ".git").exists())
    with tempfile.TemporaryDirectory(prefix=".lce-publish-", dir=out.parent) as tmp:
        staging = Path(tmp)
        for relative in candidate_files(checkout):
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(checkout / relative, staging / relative)
        result.notebooks = _released(course, staging)
        (staging / "README.md").write_text(learners_readme(checkout, result.notebooks), encoding="utf-8")
        landing = staging / "index.ipynb"
        problems = []
        if landing.exists():
            learners = learners_landing(nbformat.read(landing, as_version=4), staging)
            problems += landing_problems(learners, staging)
            nbformat.write(learners, landing)
        (staging / ".gitignore").write_text(LEARNERS_GITIGNORE, encoding="utf-8")
        (staging / MARKER).write_text("Written by `lce courses publish` from the instructors' repository; the next "
                                      "publish replaces every file here but .git/.\n", encoding="utf-8")
        problems += leaks(staging, course)
        if problems:
            raise LCEError(f"not published: {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                               if len(problems) > 1 else ""))
        for old in out.iterdir():
            if old.name != ".git":
                shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for new in staging.iterdir():
            shutil.move(str(new), out / new.name)
    result.files = sum(1 for p in out.rglob("*") if p.is_file() and ".git" not in p.relative_to(out).parts)
    if result.git:
        result.commit = _commit(out, checkout, message)
    return result


def _commit(out: Path, checkout: Path, message: str | None) -> str | None:
    """Commit OUT's new state (None when nothing changed)."""
    _git(out, "add", "--all")
    if not _git(out, "status", "--porcelain"):
        return None
    if not message:
        head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        message = f"Learners' materials published from the instructors' repository{f' at {head}' if head else ''}"
    identity = []
    if subprocess.run(["git", "-C", str(out), "config", "user.email"], capture_output=True).returncode != 0:
        identity = ["-c", "user.name=LCE publish", "-c", "user.email=lce-publish@localhost"]
    _git(out, *identity, "commit", "--quiet", "-m", message)
    return _git(out, "rev-parse", "--short", "HEAD").strip()
