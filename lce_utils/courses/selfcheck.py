"""Check my work from inside JupyterLab: LCE's explanation of the saved notebook, in its language, never a traceback.

The footer of every released lesson (courses/footer.ipynb) calls `check_my_work()`. It finds the notebook the kernel
belongs to (ipykernel's `__session__`, from JPY_SESSION_NAME that jupyter_server sets to the notebook's path when it
starts the kernel; else the lesson folder's notebook that holds what the kernel ran), warns when recent cells are not
in the saved file, and runs `lce courses validate` on it in a separate process (a fresh kernel, the learner's own
untouched). Run as `python -m lce_utils.courses.selfcheck NOTEBOOK` it prints that explanation as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lce_utils.messages import pair

# Only the standard library at import: graded notebooks import this module too (their footer), where it does nothing
# but must cost nothing (a learner's profile hook makes every import of a big package take a minute).
TIMEOUT = 300          # seconds for the whole check (a lesson runs in seconds; a busy Binder is slow)
RECENT = 1             # how many of the latest cells the kernel ran must be in the saved notebook (more: a cell
                       # run, then edited and saved, would be reported as unsaved)


def pick(language: str | None, sv: str, en: str) -> str:
    """sv or en; both (Swedish first) when the language is not known."""
    return sv if language == "sv" else en if language == "en" else f"{sv}\n{en}"


def _shell() -> object | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def executed_sources(shell: object | None = None) -> list[str]:
    """The cells this kernel ran, oldest first, the running one last (raw input as typed)."""
    shell = shell or _shell()
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    return [str(s) for s in (history or [])[1:]]


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _read(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=4)


def _code_sources(path: Path) -> set[str]:
    nb = _read(path)
    return {_normal(c.source) for c in nb.cells if c.cell_type == "code"}


def session_name(shell: object | None = None) -> str | None:
    """The notebook path jupyter_server gave this kernel's session (ipykernel's __session__), if any."""
    shell = shell or _shell()
    name = getattr(shell, "user_ns", {}).get("__session__") or os.environ.get("JPY_SESSION_NAME")
    return str(name) if name else None


def this_notebook(shell: object | None = None, folder: str | Path | None = None) -> Path:
    """The notebook this kernel belongs to; LookupError (plain words) when it cannot be told."""
    shell = shell or _shell()
    names = [getattr(shell, "user_ns", {}).get("__session__"), os.environ.get("JPY_SESSION_NAME")]
    folder = Path(folder or os.getcwd())
    for name in names:
        if name and str(name).endswith(".ipynb"):
            path = Path(name) if Path(name).is_absolute() else folder / name
            if path.is_file():
                return path.resolve()
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(notebooks) == 1:
        return notebooks[0].resolve()
    # the notebook was renamed or the kernel was started without a session: the one holding what the kernel ran
    ran = {_normal(s) for s in executed_sources(shell) if s.strip()}
    scored = sorted(((len(ran & _code_sources(p)), p) for p in notebooks), key=lambda item: -item[0])
    if scored and scored[0][0] and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1].resolve()
    raise LookupError(pick(None, *pair("self_which_notebook")))


def is_lesson(path: Path) -> bool:
    """Whether the notebook is a lesson (metadata lce.lesson); the footer's cells act only there."""
    try:
        return _read(path).metadata.get("lce", {}).get("lesson") is not None
    except Exception:
        return False


NOT_A_LESSON = pick(None, *pair("self_not_a_lesson"))


def notebook_language(path: Path) -> str | None:
    """The saved notebook's language ('sv', 'en'), else the language its checks were set to, else None."""
    from lce_utils.courses.checks import language
    from lce_utils.courses.validate import notebook_language as from_notebook

    try:
        return from_notebook(_read(path)) or language()
    except Exception:  # an unreadable file is reported by the check itself
        return language()


def unsaved_warning(path: Path, history: list[str] | None = None, language: str | None = None) -> str:
    """A plain warning when one of the latest cells the kernel ran is not in the saved notebook; '' otherwise."""
    history = executed_sources() if history is None else history
    recent = [s for s in history[:-1] if s.strip()][-RECENT:]   # [:-1]: the cell that asks is running now
    try:
        saved = _code_sources(path)
    except Exception:
        return ""
    if all(_normal(s) in saved for s in recent):
        return ""
    return pick(language or notebook_language(path), *pair("self_unsaved"))


def explain(path: Path, timeout: int = TIMEOUT) -> tuple[bool, list[str]]:
    """Run `lce courses validate` on the saved notebook in another process; (passed, lines) in its language."""
    language = notebook_language(path)
    try:
        proc = subprocess.run([sys.executable, "-m", "lce_utils.courses.selfcheck", str(path)], capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        answer = json.loads(proc.stdout.strip().splitlines()[-1])
        return bool(answer["ok"]), [str(line) for line in answer["lines"]]
    except subprocess.TimeoutExpired:
        return False, [pick(language, *pair("self_timeout", minutes=timeout // 60))]
    except (OSError, ValueError, KeyError, IndexError):
        return False, [pick(language, *pair("self_could_not_run"))]


def check_my_work(notebook: str | Path | None = None, timeout: int = TIMEOUT) -> None:
    """What the footer's check-my-work cell prints; nothing while nbgrader grades or validates the notebook."""
    from lce_utils.courses.savework import grading

    if grading():
        return
    if notebook is None and not session_name():
        # run top to bottom without a Jupyter session (nbclient, papermill): nobody is there to read the check,
        # and running the notebook again from inside itself would only double the time
        print(pick(None, *pair("self_in_jupyterlab")))
        return
    try:
        path = Path(notebook).resolve() if notebook else this_notebook()
    except LookupError as exc:
        print(exc)
        return
    if not is_lesson(path):
        print(NOT_A_LESSON)
        return
    language = notebook_language(path)
    warning = unsaved_warning(path, language=language)
    print(pick(language, f"Kontrollerar den sparade notebooken {path.name} …",
               f"Checking the saved notebook {path.name} …"), flush=True)
    if warning:
        print(warning, flush=True)
    ok, lines = explain(path, timeout)
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    """Print {'ok', 'lines'} as JSON for one notebook (lines in the notebook's language); exit 0 if it passed."""
    import logging

    from lce_utils.errors import LCEError

    logging.disable(logging.WARNING)
    path = Path((argv or sys.argv[1:])[0])
    language = notebook_language(path) if path.is_file() else None
    try:
        from lce_utils.courses.validate import validate_notebook

        result = validate_notebook(path)
        ok, lines = result.ok, result.text(language)
    except LCEError as exc:
        ok, lines = False, [str(exc)]
    except Exception as exc:  # whatever nbgrader raises: a plain line, never a traceback in the learner's notebook
        ok, lines = False, [pick(language, *pair("self_failed", error=type(exc).__name__))]
    print(json.dumps({"ok": ok, "lines": lines}, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
