"""The course directory: where it is, its nbgrader configuration and its assignment list (course.yaml)."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from lce_utils.courses.sandbox_kernel import DEFAULT_MEMORY_MB, SANDBOX_KERNEL  # noqa: F401 (re-exported)
from lce_utils.errors import DataError, UsageError

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI
from lce_utils.paths import COURSES

DEFAULT_CELL_TIMEOUT = 30        # seconds per cell when grading
COURSES_SOURCE_GLOB = "source/*/*.ipynb"


@dataclass(frozen=True)
class Assignment:
    """One assignment of course.yaml."""

    id: str
    title_sv: str
    title_en: str
    due: datetime | None

    @property
    def title(self) -> str:
        """The course's English name (callers from before the Swedish one existed)."""
        return self.title_en


def course_root(root: str | Path | None = None) -> Path:
    """The nbgrader course directory (courses/ of the checkout unless given)."""
    return Path(root).resolve() if root is not None else COURSES


def copy_course(checkout: Path) -> Path:
    """A new checkout root at `checkout` holding a copy of the course's committed files only; returns it.

    For grading runs that must not touch the real course (tests, benchmarks)."""
    course = checkout / "courses"
    course.mkdir(parents=True)
    shutil.copytree(COURSES / "source", course / "source")
    for name in ("nbgrader_config.py", "course.yaml", "header.ipynb", "footer.ipynb"):
        if name.endswith(".py") or (COURSES / name).exists():  # nbgrader's header and footer, where there are any
            shutil.copy2(COURSES / name, course / name)
    (checkout / "knowledge").mkdir()  # lce_utils.paths recognises a checkout by courses/ and knowledge/
    return checkout


def _titles(title: object, where: str) -> tuple[str, str]:
    """(Swedish, English) from course.yaml's `title: {sv: ..., en: ...}`; a plain string serves as both."""
    if isinstance(title, dict):
        missing = [lang for lang in ("sv", "en") if not isinstance(title.get(lang), str) or not title[lang].strip()]
        if missing:
            raise DataError(f"{where}: title has no {' or '.join(missing)} name (expected title: {{sv: ..., en: ...}})")
        return title["sv"].strip(), title["en"].strip()
    return str(title), str(title)


def assignments(root: str | Path | None = None) -> list[Assignment]:
    """The course's assignments in teaching order, read from course.yaml (falls back to source/ folders)."""
    root = course_root(root)
    path = root / "course.yaml"
    if not path.exists():
        return [Assignment(p.name, p.name, p.name, None) for p in sorted((root / "source").iterdir()) if p.is_dir()]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = data["assignments"]
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: expected a list 'assignments' of {{id, title: {{sv, en}}, due}} ({exc})") from exc
    result = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "id" not in item:
            raise DataError(f"{path}: assignment {i} has no 'id'")
        due = item.get("due")
        try:
            due_dt = datetime.fromisoformat(str(due)) if due else None
        except ValueError as exc:
            raise DataError(f"{path}: assignment {item['id']!r}: due {due!r} is not a date like "
                            "'2026-03-01 23:59:00'") from exc
        title_sv, title_en = _titles(item.get("title", item["id"]), f"{path}: assignment {item['id']!r}")
        result.append(Assignment(str(item["id"]), title_sv, title_en, due_dt))
    return result


def check_assignment(assignment: str, root: str | Path | None = None) -> str:
    """Return assignment if it has a source folder, else raise UsageError listing the known ones."""
    root = course_root(root)
    if not (root / "source" / assignment).is_dir():
        known = ", ".join(a.id for a in assignments(root))
        raise UsageError(f"unknown assignment {assignment!r}; known: {known}")
    return assignment


def nbgrader_config(root: str | Path | None = None, *, timeout: int | None = None,
                    kernel_name: str | None = None, extra: Config | None = None) -> Config:
    """The course's nbgrader_config.py with the root, time-out and grading kernel set by LCE."""
    root = course_root(root)
    config = Config()
    config_file = root / "nbgrader_config.py"
    if config_file.exists():
        config.merge(PyFileConfigLoader(config_file.name, path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    config.Execute.timeout = timeout or DEFAULT_CELL_TIMEOUT
    if kernel_name:  # LCE's own grading: the sandboxed kernel, stopped at once after the last cell
        config.Execute.kernel_name = kernel_name
        config.Execute.shutdown_kernel = "immediate"
    config.NbGraderAPI.log_level = logging.WARNING
    # tampering probes around test cells; no learner output from cells with hidden tests (courses/integrity.py)
    from lce_utils.courses.integrity import autograde_pipeline

    config.Autograde.autograde_preprocessors = autograde_pipeline(config.Autograde.get("autograde_preprocessors"))
    if extra is not None:  # settings of LCE's grading workers (the sandbox's kernel transport, output caps)
        config.merge(extra)
    return config


def ensure_tools_on_path() -> None:
    """Put this Python's bin folder on PATH: nbgrader runs `alembic` and kernels as subprocesses."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(root: str | Path | None = None, **kwargs: object) -> NbGraderAPI:
    """An in-process NbGraderAPI for the course at root."""
    ensure_tools_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config(root, **kwargs)  # type: ignore[arg-type]
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api


def db_url(root: str | Path | None = None) -> str:
    """The course's gradebook: nbgrader_config.py's CourseDirectory.db_url (PostgreSQL on a hub where several
    people grade, deploy/hub/), else gradebook.db (SQLite) in the course folder, nbgrader's default."""
    root = course_root(root)
    config_file = root / "nbgrader_config.py"
    if config_file.exists():
        url = PyFileConfigLoader(config_file.name, path=str(root)).load_config().CourseDirectory.get("db_url")
        if url:
            return str(url)
    return f"sqlite:///{root / 'gradebook.db'}"


# nbgrader's schema indexes foreign keys only where a unique constraint starts with them: every score, and every
# submission's list of notebooks, then scans the whole grade, comment or submitted_notebook table, so grading and
# the formgrader got slower with each submission in the gradebook (the 230-learner load test, docs/scale.md).
GRADEBOOK_INDEXES = {"grade": "notebook_id", "comment": "notebook_id", "submitted_notebook": "assignment_id",
                     "submitted_assignment": "student_id"}


def index_gradebook(url: str) -> None:
    """Add the indexes nbgrader's lookups need to the gradebook at url (SQLite or PostgreSQL; idempotent).
    nbgrader neither needs nor removes them; its migrations leave other indexes alone."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as con:
            for table, column in GRADEBOOK_INDEXES.items():
                con.execute(text(f"CREATE INDEX IF NOT EXISTS lce_{table}_{column} ON {table} ({column})"))
    finally:
        engine.dispose()


def has_gradebook(root: str | Path | None = None) -> bool:
    """Whether the course has a gradebook yet (a database server's is always there; SQLite's is a file)."""
    url = db_url(root)
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()
