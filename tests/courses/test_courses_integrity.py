"""Grading integrity for real: submissions that tamper with the IPython shell or try to print hidden tests, graded by
`lce courses grade` in one batch with honest ones. Each gets its exact score and flag; the honest ones score exactly
what they score when graded alone."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from lce_utils.courses.config import copy_course
from lce_utils.courses.demo import ALWAYS_EQUAL, course_demos, write_demo_submissions
from lce_utils.courses.integrity import (
    INTEGRITY_ENAME,
    autograde_pipeline,
    builtin_names_used,
    checked_outputs,
    source_message,
)
from lce_utils.courses.release import hidden_test_regions
from tests.courses.test_courses_grading import TIMEOUT, run_lce

pytestmark = pytest.mark.slow

ASSIGNMENT = "adaptive-mindset"
NOTEBOOK = "iterating-under-uncertainty"
TESTS = ["test_response_rate", "test_poster", "test_scenarios"]   # 3 + 4 + 4 points, each with hidden checks
HONEST = {"demo-correct": (11.0, True), "demo-partial": (7.0, False)}

_NAMES = course_demos(ASSIGNMENT)[NOTEBOOK]
CHEAT = ALWAYS_EQUAL + "\n".join([f"{n} = _always" for n in _NAMES.functions]
                                 + [f"{n} = cheat" for n in _NAMES.values]) + "\n"
# The learner's function prints the running test cell (hidden checks included), keeps it for a later cell, and
# raises it as an error message when a hidden check calls it with months=10.
LEAK = '''def _running_cell():
    return get_ipython().user_ns["In"][-1]


def response_rate(responses, invitations):
    global kept
    kept = _running_cell()
    print(kept)
    if invitations <= 0:
        raise ValueError("nobody was invited")
    return responses / invitations


def yearly_income(gigs_per_month, fee, months=12):
    if months != 12:
        raise ValueError(_running_cell())
    return gigs_per_month * fee * months
'''
SKIP_EVERYTHING_AST = '''import ast


class _Nothing(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Pass()]
        return ast.fix_missing_locations(node)


get_ipython().ast_transformers.append(_Nothing())
'''
RUN_AST_NODES = '''_Shell = type(get_ipython())
_original = _Shell.run_ast_nodes


async def _run_nothing(self, nodelist, *args, **kwargs):
    return await _original(self, [], *args, **kwargs)


_Shell.run_ast_nodes = _run_nothing
'''

# student -> (demo it starts from, {answer cell: code put before its answer}, score, manual?, reasons, flagged tests)
ATTACKS: dict[str, tuple[str, dict[str, str], float, bool, list[str], list[str]]] = {
    # an empty notebook whose hook turns every later cell into `pass`: 11 points, unflagged, before
    "cleanup-hook": ("released", {"response_rate_answer":
                     "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"},
                     0.0, True, ["input_transformers_cleanup"], TESTS),
    "post-hook": ("released", {"response_rate_answer":
                  "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"},
                  0.0, True, ["input_transformers_post"], TESTS),
    "ast-hook": ("released", {"response_rate_answer": SKIP_EVERYTHING_AST}, 0.0, True, ["ast_transformers"],
                 TESTS),
    # tampering after the first check ran: that check keeps its 3 points, the later ones are graded by hand
    "showtraceback-later": ("demo-correct", {"poster_answer":
                            "get_ipython().showtraceback = lambda *args, **kwargs: None"},
                            3.0, True, ["shell method showtraceback was replaced"], TESTS[1:]),
    "shell-methods": ("demo-correct", {"response_rate_answer": RUN_AST_NODES + "import sys\n"
                      "sys.excepthook = lambda *args: None\n"
                      "get_ipython().set_custom_exc((AssertionError,), lambda *args, **kwargs: None)"},
                      0.0, True, ["shell method run_ast_nodes was replaced", "custom_exceptions were changed"],
                      TESTS),
    "builtins": ("released", {"response_rate_answer": CHEAT + "import builtins\nbuiltins.abs = lambda x: 0\n"
                 "builtins.AssertionError = type('AssertionError', (Exception,), {})\n"
                 "builtins.print = lambda *args, **kwargs: None\ntype = lambda *args: str"},  # checks use type()
                 0.0, True, ["the built-in abs was replaced", "the built-in AssertionError was replaced",
                             "the built-in print was replaced", "rebinds the built-in name type"], TESTS),
    "trace-and-testing": ("demo-correct", {"response_rate_answer": "import sys\nsys.settrace(lambda *args: None)\n"
                          "sys.setprofile(lambda *args: None)\nimport numpy.testing, pandas.testing\n"
                          "numpy.testing.assert_allclose = lambda *args, **kwargs: None\n"
                          "pandas.testing.assert_frame_equal = lambda *args, **kwargs: None"},
                          0.0, True, ["sys.settrace was called", "sys.gettrace() was replaced",
                                      "sys.getprofile() was replaced",
                                      "numpy.testing.assert_allclose was replaced by the notebook",
                                      "pandas.testing.assert_frame_equal was replaced by the notebook"], TESTS),
    # LCE's checks module (lesson test cells call check(...)): a no-op check would pass every cheat object
    "check-replaced": ("released", {"response_rate_answer": CHEAT + "import lce_utils.courses.checks as c\n"
                       "c.check = lambda *args, **kwargs: None\nc.is_number = lambda value: True"},
                       0.0, True, ["lce_utils.courses.checks.check was replaced by the notebook",
                                   "lce_utils.courses.checks.is_number was replaced by the notebook"], TESTS),
    "checkfailed-replaced": ("demo-correct", {"response_rate_answer": "from lce_utils.courses import checks\n"
                             "checks.CheckFailed = type('CheckFailed', (Warning,), {})"},
                             0.0, True, ["lce_utils.courses.checks.CheckFailed was replaced by the notebook"], TESTS),
    "render-traceback-later": ("demo-correct", {"poster_answer": "from lce_utils.courses.checks import CheckFailed\n"
                               "CheckFailed._render_traceback_ = lambda self: []"},
                               3.0, True, ["checks.CheckFailed._render_traceback_ was replaced by the notebook"],
                               TESTS[1:]),
}


def _build(subs: Path, course: Path, student: str, start: str, prefixes: dict[str, str]) -> nbformat.NotebookNode:
    """A submission from a demo (or the released notebook, i.e. unanswered) with code put before answers."""
    path = course / "release" / ASSIGNMENT if start == "released" else subs / start
    nb = nbformat.read(path / f"{NOTEBOOK}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in prefixes:
            cell.source = prefixes[gid] + "\n" + cell.source
    (subs / student).mkdir()
    nbformat.write(nb, subs / student / f"{NOTEBOOK}.ipynb")
    return nb


def _build_leak(subs: Path, course: Path) -> None:
    """Not tampering, but printing hidden tests: every check passes except the hidden months=10 one (7 points)."""
    nb = _build(subs, course, "leak", "demo-correct", {})
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "response_rate_answer":
            cell.source = LEAK
        elif gid == "scenario_answer":  # its correct yearly_income steps aside for the leaking one
            cell.source = "print(kept)\n" + cell.source.replace("def yearly_income", "def _unused_yearly_income")
    nbformat.write(nb, subs / "leak" / f"{NOTEBOOK}.ipynb")


def _rows(course: Path, kind: str) -> list[dict]:
    with (course / "exports" / f"{ASSIGNMENT}-{kind}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The honest demos graded alone, then with every attack in one batch (each in its own course copy)."""
    base = tmp_path_factory.mktemp("integrity")
    out = {}
    for run in ("alone", "batch"):
        root = copy_course(base / run)
        course = root / "courses"
        subs = base / f"subs-{run}"
        run_lce(root, "courses", "release", ASSIGNMENT)
        write_demo_submissions(ASSIGNMENT, subs, root=course, students=list(HONEST))
        for other in subs.glob("*/*.ipynb"):  # this batch is about one lesson: the honest demos hand in only it
            if other.stem != NOTEBOOK:
                other.unlink()
        if run == "batch":
            for student, (start, prefixes, *_) in ATTACKS.items():
                _build(subs, course, student, start, prefixes)
            _build_leak(subs, course)
        stdout = run_lce(root, "courses", "grade", ASSIGNMENT, str(subs), "--timeout", TIMEOUT).stdout
        out[run] = {"course": course, "stdout": stdout}
    return out


def test_tampering_gets_no_automatic_points_and_is_flagged_with_its_reason(batch: dict) -> None:
    course = batch["batch"]["course"]
    grades = {r["student"]: r for r in _rows(course, "grades")}
    tests = {(r["student"], r["test"]): r for r in _rows(course, "tests")}
    integrity = _rows(course, "integrity")
    for student, (_, _, score, manual, reasons, flagged) in ATTACKS.items():
        row = grades[student]
        assert (float(row["score"]), row["needs_manual_grading"]) == (score, str(manual)), (student, row)
        problems = {r["cell"]: r["problem"] for r in integrity if r["student"] == student}
        assert set(problems) == set(flagged), (student, problems)
        assert all(r in p and "graded by hand" in p for p in problems.values() for r in reasons), (student, problems)
        for test in flagged:
            assert tests[(student, test)]["points"] == "0.0"
            message = tests[(student, test)]["message"]  # Swedish first (the export keeps 300 characters)
            assert message.startswith(f"{INTEGRITY_ENAME}: Kontrollen rättades inte automatiskt"), message
        assert f"TAMPERED {student} / {NOTEBOOK} / {flagged[0]}: ran in a changed Python shell" in \
            batch["batch"]["stdout"]
    assert tests[("showtraceback-later", "test_response_rate")]["points"] == "3.0"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        flagged_students = {s.student.id for s in gb.assignment_submissions(ASSIGNMENT)
                            if any(nb.flagged for nb in s.notebooks)}
        waiting = {(s.student.id, g.name) for s in gb.assignment_submissions(ASSIGNMENT) for nb in s.notebooks
                   for g in nb.grades if g.needs_manual_grade and g.name.startswith("test_")}
    assert flagged_students == set(ATTACKS)
    assert waiting == {(s, t) for s, attack in ATTACKS.items() for t in attack[5]}


def test_honest_submissions_score_in_the_batch_exactly_as_alone(batch: dict) -> None:
    alone = {r["student"]: r for r in _rows(batch["alone"]["course"], "grades")}
    together = {r["student"]: r for r in _rows(batch["batch"]["course"], "grades")}
    assert {s: (float(r["score"]), r["needs_manual_grading"] == "True") for s, r in alone.items()} == HONEST
    assert {s: together[s] for s in HONEST} == alone
    alone_tests = [r for r in _rows(batch["alone"]["course"], "tests")]
    assert [r for r in _rows(batch["batch"]["course"], "tests") if r["student"] in HONEST] == alone_tests
    assert not [r for r in _rows(batch["batch"]["course"], "integrity") if r["student"] in HONEST]


def test_hidden_tests_never_reach_feedback_or_exports(batch: dict) -> None:
    course = batch["batch"]["course"]
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    hidden = [line.strip() for c in source.cells for region in hidden_test_regions(c.source)
              for line in region.splitlines() if len(line.strip()) > 20]
    assert "rate = response_rate(45, 45)" in hidden and "income = yearly_income(4, 2500, months=10)" in hidden
    grades = {r["student"]: r for r in _rows(course, "grades")}
    assert (float(grades["leak"]["score"]), grades["leak"]["needs_manual_grading"]) == (7.0, "True")
    tests = {r["test"]: r for r in _rows(course, "tests") if r["student"] == "leak"}
    assert [tests[t]["passed"] for t in TESTS] == ["True", "True", "False"]
    assert tests["test_scenarios"]["message"] == "ValueError"   # the learner's message (the test source) dropped
    for student in [*ATTACKS, "leak", *HONEST]:
        page = (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
        assert not [line for line in hidden if line in page], student
        graded = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
        outputs = nbformat.writes(nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell(outputs=c.outputs) for c in graded.cells
            if c.cell_type == "code" and "BEGIN HIDDEN TESTS" in c.source]))
        assert not [line for line in hidden if line in outputs], student
    csv_text = (course / "exports" / f"{ASSIGNMENT}-tests.csv").read_text(encoding="utf-8")
    assert not [line for line in hidden if line in csv_text]
    page = (course / "feedback" / "leak" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    assert "Passed: all checks of this cell succeeded" in page and "Godkänd" in page
    assert "Outputs of cells that ran after the first hidden check are not shown here" in page


def test_pipeline_is_nbgraders_own_with_execute_and_save_replaced() -> None:
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    default = Autograde.autograde_preprocessors.default()
    ours = autograde_pipeline()
    assert [pp for pp in ours if pp in default] == [pp for pp in default if pp not in (Execute, SaveAutoGrades)]
    assert [pp.__name__ for pp in ours if pp not in default] == ["IntegrityExecute", "IntegritySaveAutoGrades"]
    named = ["nbgrader.preprocessors.Execute", "nbgrader.preprocessors.SaveAutoGrades"]  # a course's own setting
    assert [pp.__name__ for pp in autograde_pipeline(named)] == ["IntegrityExecute", "IntegritySaveAutoGrades"]


def test_messages_of_cells_with_hidden_tests_come_from_the_test_source() -> None:
    source = ("x = f(1)\nassert x == 2, f'f(1) should be 2, not {x!r}'\n### BEGIN HIDDEN TESTS\n"
              "assert f(3) == 6, 'f should double any number'\nif f(0):\n    raise AssertionError('f(0) is 0')\n"
              "### END HIDDEN TESTS")
    assert source_message(source, 2) == "f(1) should be 2, not …"
    assert source_message(source, 4) == "f should double any number"
    assert source_message(source, 6) == "f(0) is 0"
    assert source_message(source, 1) == "" and source_message(source, None) == ""
    assert builtin_names_used("assert isinstance(x, float) and abs(x) < len(y)") == ["abs", "float", "isinstance",
                                                                                   "len"]
    assert builtin_names_used("max = 3\nassert abs(max - x) < 1") == ["abs"]   # the test's own max is not tampering
    cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 2}},
                                     execution_count=7)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="secret test source\n"),
                    nbformat.v4.new_output("error", ename="LeakError", evalue="assert f(3) == 6",
                                           traceback=["Cell In[7], line 4", "assert f(3) == 6"])]
    [error] = checked_outputs(cell)
    assert (error.ename, error.evalue) == ("Error", "f should double any number")
    assert "f(3)" not in nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        outputs=[error])]))
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="anything the learner printed\n")]
    [passed] = checked_outputs(cell)
    assert passed.text.startswith("Godkänd: alla kontroller i cellen gick igenom")  # Swedish first, then English
    assert "/ Passed: all checks of this cell succeeded" in passed.text


def test_a_failed_check_in_a_cell_with_hidden_tests_gets_its_own_text_from_the_source() -> None:
    from lce_utils.courses.integrity import check_message

    source = ('x = f(1)\ncheck(is_number(x), sv=f"x ska vara ett tal, inte {x!r}.", en=f"x should be a number, '
              'not {x!r}.")\n### BEGIN HIDDEN TESTS\ncheck(x == 2,\n      sv="f(1) ska vara 2.", '
              'en="f(1) should be 2.")\n### END HIDDEN TESTS')
    assert check_message(source, "f(1) ska vara 2.") == ("f(1) ska vara 2.", 4)
    assert check_message(source, "\x1b[1mf(1) should be 2.\x1b[0m") == ("f(1) should be 2.", 4)
    # the learner's value never comes back, only the source's text; both languages before set_language() ran
    assert check_message(source, "x should be a number, not 'check(x == 2'.") == ("x should be a number, not ….", 2)
    assert check_message(source, "f(1) ska vara 2.\n\nf(1) should be 2.") == ("f(1) ska vara 2. / f(1) should be 2.", 4)
    assert check_message(source, "anything else the notebook raised") == ("", None)
    cell = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 2}},
                                     execution_count=7)
    cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue="f(1) should be 2.",
                                           traceback=["\x1b[1;31mNot done yet:\x1b[0m f(1) should be 2."])]
    [error] = checked_outputs(cell)
    assert (error.ename, error.evalue) == ("CheckFailed", "f(1) should be 2.")
    assert error.traceback == ["CheckFailed: f(1) should be 2.",
                               "Kontrollerat på rad 4 i testcellen / Checked at line 4 of the test cell"]
    cell.outputs[0].evalue = "my own text, not the test's"   # unmatched: nothing of it is shown
    [error] = checked_outputs(cell)
    assert (error.ename, error.evalue, error.traceback) == ("CheckFailed", "", ["CheckFailed"])
