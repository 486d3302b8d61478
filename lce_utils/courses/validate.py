"""`lce courses validate NOTEBOOK` and "Check my work": nbgrader's validate, explained in plain words.

Every message exists in Swedish and English; `Validation.text(language)` gives one language (the notebook's, for the
check-my-work cell of the lesson footer), `Validation.lines` both (English / Swedish, for the command line)."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch

import nbformat

from lce_utils.courses.config import (
    COURSES_SOURCE_GLOB,
    SANDBOX_KERNEL,
    course_root,
    ensure_tools_on_path,
    nbgrader_config,
)
from lce_utils.courses.sandbox_kernel import install_kernelspec
from lce_utils.errors import DataError
from lce_utils.messages import both, pair

# The released answer stubs (courses/nbgrader_config.py sets them from here): what an unanswered cell still holds.
CODE_STUB = "# " + both("val_code_stub")
TEXT_STUB = both("val_text_stub")
LANGUAGE_CALL = re.compile(r"""set_language\(\s*["'](sv|en)["']\s*\)""")
_EXERCISE = re.compile(rf"\*\*((?:{'|'.join(pair('val_exercise'))})\s+[^*]*?)\.?\*\*")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NAME_ERROR = re.compile(r"NameError: name '([^']+)' is not defined")


@dataclass
class Message:
    """One line for the learner, in both languages."""

    sv: str
    en: str
    both: str = ""   # the line in both languages, where "English / Swedish" would read badly

    @classmethod
    def of(cls, key: str, **params: object) -> Message:
        """The catalogue's message key (lce_utils.messages) as a line."""
        return cls(*pair(key, **params))

    def text(self, language: str | None) -> str:
        """The line in language ('sv' or 'en'); both (English / Swedish) when None."""
        if language == "sv":
            return self.sv
        if language == "en":
            return self.en
        return self.both or (self.en if self.en == self.sv else f"{self.en} / {self.sv}")


@dataclass
class Validation:
    """The outcome of validating one notebook, with the lines to show a learner."""

    ok: bool
    messages: list[Message] = field(default_factory=list)
    language: str | None = None

    @property
    def lines(self) -> list[str]:
        """Every line in both languages."""
        return [m.text(None) for m in self.messages]

    def text(self, language: str | None = None) -> list[str]:
        """Every line in language (default: the notebook's own)."""
        return [m.text(language or self.language) for m in self.messages]


def notebook_language(nb: nbformat.NotebookNode) -> str | None:
    """'sv' or 'en': the notebook's metadata lce.language, else its lce-language cell; None if neither says."""
    language = nb.metadata.get("lce", {}).get("language")
    if language in ("sv", "en"):
        return str(language)
    for cell in nb.cells:
        if cell.cell_type == "code" and "lce-language" in cell.metadata.get("tags", []):
            found = LANGUAGE_CALL.search(cell.source)
            return found.group(1) if found else None
    return None


def source_name(notebook: Path) -> str:
    """The source notebook's file name for a learner's notebook (the English version x.en.ipynb comes from x)."""
    return notebook.name.removesuffix(".en.ipynb") + ".ipynb" if notebook.name.endswith(".en.ipynb") \
        else notebook.name


def hidden_test_count(notebook: Path, root: str | Path | None = None) -> int | None:
    """How many test cells of this notebook have hidden tests (from the course source), None if unknown."""
    name = source_name(notebook)
    for source in course_root(root).glob(COURSES_SOURCE_GLOB):
        if source.name == name:
            nb = nbformat.read(source, as_version=4)
            return sum("BEGIN HIDDEN TESTS" in c.source for c in nb.cells)
    return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def left_as_released(source: str, code_stub: str) -> bool:
    """Whether an answer cell still ends its answer at the released stub: the stub's comment line is there and
    nothing follows it at its indentation (the cell ends, or a line closes the block or the brackets around it)."""
    stub = code_stub.strip().splitlines()[0].strip() if code_stub.strip() else ""
    lines = source.splitlines()
    for i, line in enumerate(lines):
        if not stub or line.strip() != stub:
            continue
        after = [rest for rest in lines[i + 1:] if rest.strip() and not rest.strip().startswith("#")]
        before = [rest for rest in lines[:i] if rest.strip() and not rest.strip().startswith("#")]
        if not _indent(line) and before:   # an answer written above the stub
            return False
        if not after or _indent(after[0]) < _indent(line) or after[0].strip()[:1] in ")]}":
            return True
    return False


def unanswered(nb: nbformat.NotebookNode, code_stub: str, text_stub: str) -> list[tuple[str, bool]]:
    """(where, written?) for each answer cell still as released: the code stub with nothing after it, or the
    text stub; where is the exercise ('Exercise 2' in either language) or section heading before it."""
    found = []
    where = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            exercise = _EXERCISE.search(cell.source)
            heading = next((line.lstrip("#").strip() for line in cell.source.splitlines()
                            if line.startswith("## ")), "")
            where = exercise.group(1) if exercise else (heading or where)
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        if cell.cell_type == "code" and left_as_released(cell.source, code_stub):
            found.append((where, False))
        elif cell.cell_type == "markdown" and cell.source.strip() in ("", text_stub.strip()):
            found.append((where, True))
    return found


def _failure(raw: str) -> Message:
    """What a failed test cell's error says, in plain words (the check's own message where it has one)."""
    text = _ANSI.sub("", raw or "")
    if "NotImplementedError" in text:
        return Message(*pair("val_not_answered"), " / ".join(reversed(pair("val_unanswered"))))
    missing = _NAME_ERROR.search(text)
    if missing:
        name = missing.group(1)
        return Message.of("val_name_missing", name=name)
    if "Partial credit" in text:
        return Message.of("val_partly_right")
    last = _last_line(text)
    # a check(...) that failed starts with check_not_done in either language (lce_utils.courses.checks)
    for prefix in (f"{text}:" for text in pair("check_not_done")):
        if last.startswith(prefix):
            last = last.removeprefix(prefix).strip()
    return Message(*(last or text for text in pair("val_an_error")))


def _run_validator(path: Path, root: str | Path | None, timeout: int) -> dict:
    from nbgrader.validator import Validator

    ensure_tools_on_path()
    with tempfile.TemporaryDirectory(prefix="lce-validate-") as tmp:
        install_kernelspec(tmp)  # the same limited, quiet kernel as grading
        jupyter_path = os.pathsep.join(filter(None, [tmp, os.environ.get("JUPYTER_PATH")]))
        with patch.dict(os.environ, {"JUPYTER_PATH": jupyter_path}):  # restored afterwards, also on errors
            config = nbgrader_config(root, timeout=timeout, kernel_name=SANDBOX_KERNEL)
            return dict(Validator(config=config).validate(str(path.resolve())))


def _stubs(root: str | Path | None) -> tuple[str, str]:
    """The course's released code stub (Python) and text stub: its nbgrader_config.py's (else nbgrader's defaults);
    LCE's where the course folder has no configuration (the learners' repository has only the releases)."""
    from nbgrader.preprocessors import ClearSolutions

    if not (course_root(root) / "nbgrader_config.py").exists():
        return CODE_STUB, TEXT_STUB
    clear = ClearSolutions(config=nbgrader_config(root))
    return str(clear.code_stub.get("python", "")), str(clear.text_stub)


def validate_notebook(path: str | Path, root: str | Path | None = None, timeout: int = 60) -> Validation:
    """Run nbgrader's Validator on a learner's notebook and explain the result."""
    path = Path(path)
    if not path.exists() or path.suffix != ".ipynb":
        raise DataError(both("val_not_a_notebook", path=path))
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        raise DataError(both("val_unreadable", path=path, error=type(exc).__name__)) from exc
    results = _run_validator(path, root, timeout)
    hidden = hidden_test_count(path, root)
    result = Validation(True, language=notebook_language(nb))
    say = result.messages.append
    if results.get("type_changed"):
        result.ok = False
        n = len(results["type_changed"])
        say(Message.of("val_type_changed", n=n))
    if results.get("changed"):
        result.ok = False
        n = len(results["changed"])
        say(Message.of("val_changed", n=n))
    todo = unanswered(nb, *_stubs(root))
    # a written answer left as released is listed above already (nbgrader reports it as a failed cell too)
    failed = [f for f in results.get("failed", []) if (f.get("raw_error") or "").strip()
              != "You did not provide a response."]
    if todo:
        result.ok = False
        say(Message.of("val_missing_answers", n=len(todo)))
        for where, written in todo:
            (sv, en), (sv_cell, en_cell) = (pair("val_written_missing"), pair("val_text_cell")) if written else \
                (pair("val_unanswered"), pair("val_answer_cell"))
            say(Message(f"  - {sv}: {where or sv_cell}", f"  - {en}: {where or en_cell}", f"  - {en} / {sv}: {where}"))
    if failed:
        result.ok = False
        say(Message.of("val_failed_checks", n=len(failed)))
        for item in failed:
            reason = _failure(item.get("raw_error") or "")
            say(Message(f"  - {reason.sv}", f"  - {reason.en}", f"  - {reason.text(None)}"))
        say(Message.of("val_read_message"))
    if result.ok:
        say(Message.of("val_all_passed"))
    if hidden:
        say(Message.of("val_hidden_count", n=hidden))
    elif hidden is None:
        say(Message.of("val_hidden_maybe"))
    return result
