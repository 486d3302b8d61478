"""Grading integrity: no automatic points for checks that ran in a tampered shell, and no learner output from cells
with hidden tests.

`IntegrityExecute` replaces nbgrader's Execute preprocessor. Before the first cell it sends the kernel side
(lce_utils/courses/integrity_probe.py), which takes a baseline of the IPython shell while no learner code has run;
before and after every test cell it asks that probe whether the shell still matches it (input or AST transformers,
run_cell/showtraceback, builtins, trace functions, numpy/pandas testing functions, ...). A test cell that ran in a
changed shell gets an error output named GradingIntegrityError with the reason (0 points), and
`IntegritySaveAutoGrades` marks it for manual grading. A test cell with hidden tests keeps only LCE's own pass/fail
message: whatever the learner's code printed or raised while the hidden tests ran is dropped."""

from __future__ import annotations

import ast
import builtins
import re
import secrets
import time
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbformat.validator import NotebookValidationError
from nbgrader import utils as nbutils
from nbgrader.preprocessors import Execute, SaveAutoGrades

from lce_utils.courses.config import course_root
from lce_utils.courses.nbfile import read_checked
from lce_utils.courses.output_cap import CappedExecute
from lce_utils.courses.tamper import Finding
from lce_utils.messages import both

INTEGRITY_ENAME = "GradingIntegrityError"
PROBE_SOURCE = Path(__file__).with_name("integrity_probe.py")
PROBE_TIMEOUT = 20  # seconds for the baseline or one probe to answer (a busy machine starts kernels slowly)
PASSED = both("grade_cell_passed") + "\n"   # the feedback page puts the learner's language first
INVALID_OUTPUT = both("grade_invalid_output") + "\n"
SAFE_ENAMES = {name for name, value in vars(builtins).items()
               if isinstance(value, type) and issubclass(value, BaseException)} | {"CellTimeoutError"}
_LINE = re.compile(r"Cell In\s*\[(\d*)\],?\s*line (\d+)"
                   r"|<ipython-input-(\d+)-[^>]*>,?\s*(?:line|in <[^>]*>\(\))\s*(\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
CHECK_ENAME = "CheckFailed"   # lce_utils.courses.checks: a lesson's check(...) that did not pass
CHECKED_LINE = re.compile(r"Checked at line (\d+) of the test cell")


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: a code cell with points and no solution."""
    return cell.cell_type == "code" and bool(nbutils.is_grade(cell)) and not nbutils.is_solution(cell)


def has_hidden_tests(source: str) -> bool:
    """Whether a cell's source holds a BEGIN HIDDEN TESTS region."""
    return "BEGIN HIDDEN TESTS" in source


def builtin_names_used(source: str) -> list[str]:
    """The built-in names a test cell's code reads and does not bind itself (all builtins if it cannot be parsed)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return sorted(vars(builtins))
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name)]
    own = {node.id for node in names if not isinstance(node.ctx, ast.Load)}
    return sorted({node.id for node in names} & set(vars(builtins)) - own)


def setup_expression() -> str:
    """The user expression that installs the probe in a fresh namespace of the kernel (not the learner's).

    Like the probe it runs as a user expression, outside run_cell, so both see the shell in the same state
    (IPython swaps sys.excepthook, sys.displayhook and input() only while a cell runs)."""
    source = PROBE_SOURCE.read_text(encoding="utf-8") + "\ninstall()\n"
    return (f"exec(compile({source!r}, '<lce-integrity>', 'exec'), "
            "{'__name__': '_lce_integrity_setup', 'get_ipython': get_ipython})")


def probe_expression(nonce: str, names: list[str]) -> str:
    """The user expression that runs the probe (evaluated by the kernel without input transformers)."""
    return f"__import__('sys').modules['_lce_integrity'].check({nonce!r}, {names!r})"


def parse_answer(reply: dict | None, nonce: str) -> list[str]:
    """The probe's findings from an execute reply; a missing or forged answer is itself a finding."""
    if reply is None:
        return ["the integrity check did not answer in time"]
    content = reply.get("content", {})
    result = content.get("user_expressions", {}).get("lce", {})
    if content.get("status") != "ok" or result.get("status") != "ok":
        return ["the integrity check could not run (the shell or the namespace it uses was changed)"]
    text = result.get("data", {}).get("text/plain", "")
    try:
        answer = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        answer = None
    if not isinstance(answer, str) or answer.split("\t")[0] != nonce:
        return ["the integrity check gave a wrong answer (its output was changed)"]
    return [part for part in answer.split("\t")[1:] if part]


def failing_line(cell: NotebookNode) -> int | None:
    """The line of the test cell where its error was raised (from the first traceback frame in this cell)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
        checked = CHECKED_LINE.search(text)
        if checked:
            return int(checked.group(1))
        for found in _LINE.finditer(text):
            count = found.group(1) or found.group(3)
            if not count or cell.get("execution_count") is None or int(count) == cell.execution_count:
                return int(found.group(2) or found.group(4))
    return None


def _text_of(node: ast.expr | None) -> str:
    """A message written in the test's own source: a string, or an f-string with its values shown as '…'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        # an f-string's literal parts are str constants, its {…} parts FormattedValue nodes
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "…"
                       for v in node.values)
    return ""


def source_message(source: str, line: int | None) -> str:
    """The instructor's message of the assert (or raise) at line of a test cell; '' if there is none."""
    if line is None:
        return ""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    for node in ast.walk(tree):
        if not (isinstance(node, (ast.Assert, ast.Raise)) and node.lineno <= line <= (node.end_lineno or line)):
            continue
        if isinstance(node, ast.Assert):
            return _text_of(node.msg)
        if isinstance(node.exc, ast.Call) and node.exc.args:
            return _text_of(node.exc.args[0])
    return ""


def _pattern_of(node: ast.expr | None) -> re.Pattern[str] | None:
    """A regex matching what a string or f-string of the source can print (its {…} parts as anything)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.compile(re.escape(node.value), re.S)
    if isinstance(node, ast.JoinedStr):
        return re.compile("".join(re.escape(v.value) if isinstance(v, ast.Constant) and isinstance(v.value, str)
                                  else ".*?" for v in node.values), re.S)
    return None


def check_message(source: str, shown: str) -> tuple[str, int | None]:
    """The text and line of the test cell's own check(cond, sv=..., en=...) whose message a failed check showed.

    lce_utils.courses.checks shows its message without a traceback, so the failing line is unknown; the message
    the kernel sent only selects one of the source's checks, and the source's own text (f-string values as '…') is
    what is returned, never the learner's. ('', None) when no check of the source matches."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "", None
    shown = _ANSI.sub("", shown).strip()
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) and node.func.id == "check"), key=lambda n: n.lineno)
    for call in calls:
        texts = {k.arg: k.value for k in call.keywords if k.arg in ("sv", "en")}
        sv, en = _pattern_of(texts.get("sv")), _pattern_of(texts.get("en"))
        for pattern, text in ((sv, _text_of(texts.get("sv"))), (en, _text_of(texts.get("en")))):
            if pattern is not None and pattern.fullmatch(shown):
                return text, call.lineno
        # before set_language() ran, a check shows both languages (lce_utils.courses.checks.say)
        if sv is not None and en is not None and re.fullmatch(f"(?:{sv.pattern})\n\n(?:{en.pattern})", shown, re.S):
            return f"{_text_of(texts['sv'])} / {_text_of(texts['en'])}", call.lineno
    return "", None


def checked_outputs(cell: NotebookNode) -> list[NotebookNode]:
    """LCE's own outputs for an executed test cell, with the grade nbgrader gives the original outputs."""
    points, max_points = nbutils.determine_grade(cell)
    if points is not None and points >= max_points:
        return [nbformat.v4.new_output("stream", name="stdout", text=PASSED)]
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    if error is None and points:  # partial credit from the cell's result: keep that number only
        return [nbformat.v4.new_output("execute_result", data={"text/plain": f"{points:g}"},
                                       execution_count=cell.get("execution_count"))]
    ename = error.get("ename") if error else "Error"
    ename = ename if ename in SAFE_ENAMES else "Error"
    line = failing_line(cell)
    message = source_message(cell.source, line) if error else \
        both("grade_stderr")
    if error and not message and error.get("ename") == CHECK_ENAME:   # a lesson's check(...) failed
        message, found = check_message(cell.source, str(error.get("evalue", "")))
        ename, line = CHECK_ENAME, line if line is not None else found
    traceback = [f"{ename}: {message}" if message else ename]
    if line is not None:
        traceback.append(both("grade_checked_line", line=line))
    return [nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=traceback)]


def integrity_output(reasons: list[str]) -> NotebookNode:
    """The error output that replaces a test cell's outputs when its shell was tampered with."""
    reason = "; ".join(reasons)
    return nbformat.v4.new_output("error", ename=INTEGRITY_ENAME, evalue=both("grade_not_trusted", reason=reason),
                                  traceback=[f"{INTEGRITY_ENAME}: {reason}"])


def integrity_reasons(cell: NotebookNode) -> list[str]:
    """The tampering reasons recorded in a graded test cell ([] if none)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" and output.get("ename") == INTEGRITY_ENAME:
            first = (output.get("traceback") or [""])[0]
            return [r for r in first.removeprefix(f"{INTEGRITY_ENAME}: ").split("; ") if r]
    return []


class IntegrityExecute(CappedExecute):
    """nbgrader's Execute (with the sandbox's output caps) plus an integrity probe around every test cell and
    hidden-test output replaced by LCE's own message."""

    def preprocess(self, nb: NotebookNode, resources: dict | None = None, km: object = None
                   ) -> tuple[NotebookNode, dict]:
        """Execute the notebook; the baseline is taken before its first cell."""
        self._setup_problem: list[str] | None = None
        return super().preprocess(nb, resources, km)

    async def _async_request(self, code: str, expressions: dict[str, str]) -> dict | None:
        msg_id = await ensure_async(self.kc.execute(code, silent=True, store_history=False,
                                                    user_expressions=expressions, allow_stdin=False,
                                                    stop_on_error=False))
        deadline = time.monotonic() + PROBE_TIMEOUT
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
            except Empty:
                if not await ensure_async(self.kc.is_alive()):
                    raise DeadKernelError("Kernel died") from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg
        return None

    _request = run_sync(_async_request)

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> NotebookNode | None:
        """Store an output; one that is not valid notebook data (a learner can send any JSON) becomes a note."""
        try:
            return super().output(outs, msg, display_id, cell_index)
        except NotebookValidationError:
            note = nbformat.v4.new_output("stream", name="stdout", text=INVALID_OUTPUT)
            outs.append(note)
            return note

    def _probe(self, names: list[str]) -> list[str]:
        if self._setup_problem:
            return self._setup_problem
        nonce = secrets.token_hex(8)
        return parse_answer(self._request("", {"lce": probe_expression(nonce, names)}), nonce)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        """Run one cell; a test cell is probed before and after, and its outputs are LCE's own if needed."""
        if self._setup_problem is None:
            reply = self._request("", {"lce": setup_expression()})
            ok = reply is not None and reply["content"].get("user_expressions", {}).get("lce", {}).get(
                "status") == "ok"
            self._setup_problem = [] if ok else ["the integrity check could not start in the kernel"]
        if not is_test_cell(cell):
            return super().preprocess_cell(cell, resources, index)
        names = builtin_names_used(cell.source)
        reasons = self._probe(names)
        cell, resources = super().preprocess_cell(cell, resources, index)
        reasons += [r for r in self._probe(names) if r not in reasons]
        if reasons:
            cell.outputs = [integrity_output(reasons)]
        elif has_hidden_tests(cell.source):
            cell.outputs = checked_outputs(cell)
        return cell, resources


class IntegritySaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades; a test cell that ran in a tampered shell waits for manual grading."""

    def _add_score(self, cell: NotebookNode, resources: dict) -> None:
        super()._add_score(cell, resources)
        if integrity_reasons(cell):
            grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                              self.assignment_id, self.student_id)
            grade.auto_score, grade.needs_manual_grade = 0.0, True
            self.gradebook.db.commit()


def autograde_pipeline(pipeline: list | None = None) -> list:
    """nbgrader's autograde preprocessors (the course's, else nbgrader's default) with Execute and SaveAutoGrades
    replaced by the integrity-checking classes above."""
    from nbgrader.converters import Autograde
    from traitlets.utils.importstring import import_item

    swap = {Execute: IntegrityExecute, CappedExecute: IntegrityExecute, SaveAutoGrades: IntegritySaveAutoGrades}
    pipeline = list(pipeline) if pipeline else Autograde.autograde_preprocessors.default()
    # a course's nbgrader_config.py may name them as strings ("nbgrader.preprocessors.Execute")
    resolved = [import_item(pp) if isinstance(pp, str) else pp for pp in pipeline]
    return [swap.get(pp, pp) for pp in resolved]


def shell_findings(assignment: str, student: str, root: str | Path | None = None) -> list[Finding]:
    """Tampering found while a student's notebooks ran, read from their autograded notebooks."""
    root = course_root(root)
    findings = []
    for path in sorted((root / "autograded" / student / assignment).glob("*.ipynb")):
        try:
            nb = read_checked(path)
        except Exception:  # nbgrader wrote it; unreadable means nothing was graded there
            continue
        for cell in nb.cells:
            reasons = integrity_reasons(cell) if is_test_cell(cell) else []
            if reasons:
                findings.append(Finding(student, path.stem, cell.metadata["nbgrader"]["grade_id"],
                                        "ran in a changed Python shell (" + "; ".join(reasons)
                                        + "); no automatic points, graded by hand"))
    return findings
