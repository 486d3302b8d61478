"""Fast checks of the course workflow's pieces: late policy, collecting, tamper detection, feedback hiding,
release checks and the CLI surface."""

from __future__ import annotations

import copy
import json
import os
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lce_utils.cli import build_parser, main
from lce_utils.courses import collect as collect_mod
from lce_utils.courses.cli import demo_mismatches
from lce_utils.courses.config import assignments
from lce_utils.courses.demo import KINDS, REQUIRED, Expected, course_demos, expected_scores
from lce_utils.courses.export import first_error_line
from lce_utils.courses.feedback import failed_in_hidden, safe_notebook, strip_hidden
from lce_utils.courses.grading import default_time_limit, default_workers
from lce_utils.courses.language import language_version
from lce_utils.courses.late import PercentPerDayLate, late_penalty
from lce_utils.courses.nbfile import read_checked, read_release
from lce_utils.courses.release import check_release
from lce_utils.courses.tamper import check_notebook
from lce_utils.errors import DataError, SubmissionError

DAY = 86400


def test_late_penalty_per_started_day_with_a_cap() -> None:
    assert late_penalty(10, 0, 10, 50) == 0
    assert late_penalty(10, 1, 10, 50) == 1.0          # one second late is one started day
    assert late_penalty(10, DAY + 1, 10, 50) == 2.0
    assert late_penalty(10, 30 * DAY, 10, 50) == 5.0   # capped at 50 %
    assert late_penalty(0, 3 * DAY, 10, 50) == 0
    plugin = PercentPerDayLate(percent_per_day=25, max_percent=100)
    assert plugin.late_submission_penalty("x", 8.0, 2.5 * DAY) == 6.0


def test_course_yaml_lists_the_three_assignments_with_due_dates() -> None:
    items = assignments()
    assert [a.id for a in items] == ["adaptive-mindset", "digital-tools-for-artistic-processes",
                                     "creative-entrepreneurship"]
    assert all(a.due is not None for a in items)
    assert set(expected_scores()) == {a.id for a in items}


def test_bad_course_yaml_names_the_problem(tmp_path: Path) -> None:
    (tmp_path / "course.yaml").write_text("assignments:\n  - id: a\n    due: next week\n")
    with pytest.raises(DataError, match="due 'next week' is not a date"):
        assignments(tmp_path)


def _course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "source" / "a1").mkdir(parents=True)
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), root / "source" / "a1" / "nb.ipynb")
    return root


def _student(folder: Path, name: str, with_assignment_level: bool = False) -> None:
    target = folder / name / ("a1" if with_assignment_level else "")
    target.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[new_code_cell("x = 2")]), target / "nb.ipynb")


def test_collect_accepts_both_layouts_and_reports_bad_students(tmp_path: Path) -> None:
    root = _course(tmp_path)
    subs = tmp_path / "subs"
    _student(subs, "anna")
    _student(subs, "bo", with_assignment_level=True)
    (subs / "bo" / "a1" / "timestamp.txt").write_text("2026-01-01 10:00:00 UTC")
    (subs / "cy").mkdir()
    (subs / "cy" / "nb.ipynb").write_text("{broken")
    _student(subs, "bad name")
    (subs / "dee").mkdir()
    (subs / "dee" / "other.ipynb").write_text("{}")
    result = collect_mod.collect("a1", subs, root)
    assert result.students == ["anna", "bo"]
    assert set(result.problems) == {"cy", "bad name", "dee"}
    assert "not a readable notebook" in result.problems["cy"]
    assert "found: other" in result.problems["dee"]
    assert (root / "submitted" / "bo" / "a1" / "timestamp.txt").exists()
    assert (root / "submitted" / "anna" / "a1" / "nb.ipynb").exists()


def test_collect_unwraps_a_zip_and_refuses_unsafe_paths(tmp_path: Path) -> None:
    root = _course(tmp_path)
    subs = tmp_path / "subs"
    _student(subs, "anna")
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(subs / "anna" / "nb.ipynb", "Export 2026/anna/nb.ipynb")
    assert collect_mod.collect("a1", archive, root).students == ["anna"]
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape/nb.ipynb", "{}")
    with pytest.raises(SubmissionError, match="unsafe path"):
        collect_mod.collect("a1", evil, root)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SubmissionError, match="expected a folder or a .zip"):
        collect_mod.collect("a1", tmp_path / "notes.txt", root)


def _graded_nb() -> nbformat.NotebookNode:
    def meta(gid: str, **kw: object) -> dict:
        base = {"grade": False, "solution": False, "locked": False, "task": False, "schema_version": 3,
                "grade_id": gid}
        base.update(kw)
        return {"nbgrader": base}

    answer = new_code_cell("# YOUR CODE HERE\nraise NotImplementedError()", metadata=meta("ans", solution=True))
    test = new_code_cell("assert f(1) == 2, 'f(1) should be 2'\n### BEGIN HIDDEN TESTS\n"
                         "assert f(5) == 10, 'f should double any number'\n### END HIDDEN TESTS",
                         metadata=meta("t1", grade=True, locked=True, points=2))
    intro = new_markdown_cell("Read me", metadata=meta("intro", locked=True))
    return new_notebook(cells=[intro, answer, test])


def test_tamper_detection_names_each_kind_of_change() -> None:
    released = _graded_nb()
    assert check_notebook("s", "nb", copy.deepcopy(released), released) == []
    edited = copy.deepcopy(released)
    edited.cells[2].source = "pass"
    edited.cells[0].source = "I changed the intro"
    problems = {f.cell: f.problem for f in check_notebook("s", "nb", edited, released)}
    assert "silently restored" in problems["t1"] and "locked cell edited" in problems["intro"]
    deleted = copy.deepcopy(released)
    del deleted.cells[2]
    [finding] = check_notebook("s", "nb", deleted, released)
    assert finding.cell == "t1" and "test cell deleted" in finding.problem and "manual" in finding.problem
    meta = copy.deepcopy(released)
    meta.cells[2].metadata.nbgrader["points"] = 200
    [finding] = check_notebook("s", "nb", meta, released)
    assert "metadata" in finding.problem and "points" in finding.problem
    answered = copy.deepcopy(released)
    answered.cells[1].source = "def f(x):\n    return 2 * x"
    assert check_notebook("s", "nb", answered, released) == []


def test_feedback_hides_hidden_test_code_and_tracebacks_but_says_which_failed() -> None:
    nb = _graded_nb()
    test = nb.cells[2]
    assert strip_hidden(test.source).count("f(5)") == 0
    test.outputs = [new_output("error", ename="AssertionError", evalue="f should double any number",
                               traceback=["\x1b[0;31m----\x1b[0m", "Cell \x1b[0;32mIn[3], line 3\x1b[0m",
                                          "----> 3 assert f(5) == 10, 'f should double any number'"])]
    assert failed_in_hidden(test)
    safe, results = safe_notebook(nb)
    text = nbformat.writes(safe)
    assert "f(5) == 10" not in text
    assert results == [{"test": "t1", "max_points": 2, "passed": False, "message":
                        "AssertionError: f should double any number", "hidden": True, "has_hidden": True}]
    test.outputs[0]["traceback"][1] = "Cell In[3], line 1"
    assert not failed_in_hidden(test)


def test_first_error_line_explains_unanswered_exercises() -> None:
    cell = new_code_cell("x")
    cell.outputs = [new_output("error", ename="NotImplementedError", evalue="", traceback=[])]
    assert first_error_line(cell) == "NotImplementedError: the exercise has not been answered yet"
    cell.outputs = [new_output("error", ename="AssertionError", evalue="first\nsecond", traceback=[])]
    assert first_error_line(cell) == "AssertionError: first"


def test_release_check_catches_leaked_solutions_hidden_tests_and_outputs(tmp_path: Path) -> None:
    root = tmp_path / "course"
    (root / "source" / "a1").mkdir(parents=True)
    (root / "release" / "a1").mkdir(parents=True)
    source = new_notebook(cells=[
        new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return the_secret_formula(x) * 2\n    ### END SOLUTION"),
        new_code_cell("assert f(1) == 2, 'visible'\n### BEGIN HIDDEN TESTS\n"
                      "assert f(99) == 198, 'hidden message here'\n### END HIDDEN TESTS")])
    nbformat.write(source, root / "source" / "a1" / "nb.ipynb")
    good = new_notebook(cells=[new_code_cell("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
                               new_code_cell("assert f(1) == 2, 'visible'")])
    for lang, name in (("sv", "nb.ipynb"), ("en", "nb.en.ipynb")):  # both language versions are checked
        nbformat.write(language_version(good, lang), root / "release" / "a1" / name)
    assert check_release("a1", root) == []
    bad = copy.deepcopy(source)
    bad.cells[1].outputs = [new_output("stream", name="stdout", text="hi")]
    nbformat.write(language_version(bad, "en"), root / "release" / "a1" / "nb.en.ipynb")
    problems = check_release("a1", root)
    assert any("BEGIN SOLUTION" in p for p in problems)
    assert any("the_secret_formula" in p for p in problems)
    assert any("f(99) == 198" in p for p in problems)
    assert any("has outputs" in p for p in problems)


def test_every_lesson_has_its_demos_and_every_kind_is_expected_somewhere() -> None:
    table = expected_scores()
    for assignment, lessons in table.items():
        assert lessons, assignment
        for notebook, students in lessons.items():
            assert set(REQUIRED) - {"demo-wrong"} <= set(students), (assignment, notebook)
            assert students["demo-empty"].score == 0
        # today's notebook of each course keeps every robustness and cheat kind
        assert set(KINDS) - {"demo-wrong"} <= {s for students in lessons.values() for s in students}, assignment
    assert table["adaptive-mindset"]["iterating-under-uncertainty"]["demo-late"] == Expected(8.8, True)


DEMO_YAML = """notebooks:
  lesson-a:
    points: {auto: 5, manual: 0}
    cheat_names: {functions: [f], values: [x]}
    partial: [a1]
    wrong: {a2: "y = 1"}
    expected:
      demo-correct: {score: 5, needs_manual_grading: false}
      demo-wrong:   {score: 3, needs_manual_grading: false}
  lesson-b:
    expected:
      demo-correct: {score: 2, needs_manual_grading: true}
"""


def test_demo_expectations_are_read_per_lesson_and_bad_ones_named(tmp_path: Path) -> None:
    (tmp_path / "course-x.yaml").write_text(DEMO_YAML, encoding="utf-8")
    lessons = course_demos("course-x", tmp_path)
    assert list(lessons) == ["lesson-a", "lesson-b"]
    a = lessons["lesson-a"]
    assert (a.points_auto, a.functions, a.values, a.partial, a.wrong) == (5.0, ("f",), ("x",), ("a1",), {"a2": "y = 1"})
    assert expected_scores(tmp_path) == {"course-x": {
        "lesson-a": {"demo-correct": Expected(5.0, False), "demo-wrong": Expected(3.0, False)},
        "lesson-b": {"demo-correct": Expected(2.0, True)}}}
    for bad, message in (
            (DEMO_YAML.replace("demo-wrong:  ", "demo-wronk:  "), r"notebooks.lesson-a.expected.demo-wronk: not a "
                                                                  "demo learner"),
            (DEMO_YAML.replace("{score: 2, needs_manual_grading: true}", "{score: two}"),
             r"notebooks.lesson-b.expected.demo-correct: expected \{score: <number>"),
            (DEMO_YAML.replace('wrong: {a2: "y = 1"}', "wrong: {}"), "demo-wrong is expected but `wrong` names no"),
            ("lessons: []\n", "expected a top-level `notebooks:` mapping")):
        (tmp_path / "course-x.yaml").write_text(bad, encoding="utf-8")
        with pytest.raises(DataError, match=message) as exc:
            course_demos("course-x", tmp_path)
        assert "course-x.yaml" in str(exc.value)


def test_demo_grades_are_compared_per_lesson_and_learner() -> None:
    expected = {"l1": {"demo-correct": Expected(5.0, True), "demo-empty": Expected(0.0, False)},
                "l2": {"demo-correct": Expected(3.0, False)}}
    rows = [{"student": "demo-correct", "notebook": "l1", "score": 5.0, "needs_manual_grading": True},
            {"student": "demo-empty", "notebook": "l1", "score": "0.0", "needs_manual_grading": "False"},
            {"student": "demo-correct", "notebook": "l2", "score": 3.0, "needs_manual_grading": False}]
    assert demo_mismatches("c", expected, rows, ["l1", "l2"]) == []
    rows[2]["score"] = 2.5
    rows.append({"student": "demo-empty", "notebook": "l2", "score": 0.0, "needs_manual_grading": False})
    assert demo_mismatches("c", expected, rows[1:], ["l1", "l2", "l3"]) == [
        "c/l3: no demo submissions in demo_expected/c.yaml",
        "c/l1/demo-correct: no grade (expected 5)",
        "c/l2/demo-correct: 2.5, needs manual grading False (expected 3, False)",
        "c/l2/demo-empty: graded 0.0 but not expected to hand it in"]


def test_a_submission_may_take_as_long_per_lesson_as_a_one_notebook_assignment() -> None:
    assert default_time_limit(10) == 200
    assert default_time_limit(10, notebooks=4) == 800
    assert default_time_limit(1, notebooks=0) == 120  # at least 120 s



def test_cli_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for argv in (["courses", "--help"], ["courses", "grade", "--help"], ["courses", "validate", "--help"]):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args(argv)
        assert exc.value.code == 0
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["courses", "grade", "adaptive-mindset", "x", "--workers", "0"])
    assert exc.value.code == 2
    assert "expected a number above 0" in capsys.readouterr().err
    assert main(["courses", "feedback", "no-such-assignment"]) == 2
    assert "unknown assignment" in capsys.readouterr().err
    assert main(["courses", "validate", "/no/such/notebook.ipynb"]) == 1
    err = capsys.readouterr().err
    assert "not a notebook file" in err and "ingen anteckningsbok" in err


def test_grading_runs_two_workers_more_than_the_cores_as_far_as_memory_holds_their_kernels() -> None:
    gib = 1024 ** 3
    assert default_workers(3072, cores=2, memory_bytes=24 * gib) == 4
    assert default_workers(3072, cores=16, memory_bytes=24 * gib) == 8    # 8 kernels of 3 GiB fill 24 GiB
    assert default_workers(3072, cores=2, memory_bytes=4 * gib) == 1     # never none
    assert default_workers(3072, cores=2, memory_bytes=10 * gib) == 3    # memory, not cores, sets the number
    assert default_workers(1024, cores=1, memory_bytes=4 * gib) == 3
    assert 1 <= default_workers() <= len(os.sched_getaffinity(0)) + 2  # this machine, from what it reports


def test_the_grade_command_leaves_the_number_of_workers_to_the_grader() -> None:
    args = build_parser().parse_args(["courses", "grade", "a1", "subs"])
    assert args.workers is None


def test_notebooks_read_after_grading_are_what_nbformat_reads_without_its_validation(tmp_path: Path) -> None:
    """The checks and exports after grading read every learner's notebooks again; nbformat's schema validation was
    about half of that and changes nothing (it only logs). The notebook read must be the same: lines joined, a
    version 3 notebook converted, an invalid one read as it is, a file that is no notebook refused."""
    released = next(Path("courses/release/adaptive-mindset").glob("*.ipynb"), None) or next(
        Path("courses/source/adaptive-mindset").glob("*.ipynb"))
    lines = tmp_path / "lines.ipynb"
    nb = nbformat.read(released, as_version=4)
    raw = nbformat.writes(nb)
    lines.write_text(raw, encoding="utf-8")  # nbformat writes sources as lists of lines
    invalid = tmp_path / "invalid.ipynb"
    invalid.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [  # and no count
        {"cell_type": "code", "id": "a", "metadata": {}, "source": ["x = 1\n", "y"], "outputs": [], "nonsense": 1}]}))
    old = tmp_path / "v3.ipynb"
    old.write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [
        {"metadata": {}, "cells": [{"cell_type": "code", "input": ["print(1)"], "language": "python",
                                    "metadata": {}, "outputs": [], "collapsed": False}]}]}), encoding="utf-8")
    for path in (lines, invalid, old):
        ours, theirs = read_checked(path), nbformat.read(path, as_version=4)
        if path == old:  # converting from version 3 draws new cell ids
            for cell in ours.cells + theirs.cells:
                cell.pop("id")
        assert ours == theirs, path
    assert read_checked(lines).cells[0].source == nb.cells[0].source
    assert read_checked(old).nbformat == 4 and read_checked(old).cells[0].source == "print(1)"
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_text("{not json")
    with pytest.raises(Exception) as read_error:
        nbformat.read(garbage, as_version=4)
    with pytest.raises(type(read_error.value)):
        read_checked(garbage)
    # a released notebook is read once per version of the file
    copy = tmp_path / "release.ipynb"
    copy.write_text(raw, encoding="utf-8")
    assert read_release(copy) is read_release(copy)
    nb.cells[0].source = "changed"
    copy.write_text(nbformat.writes(nb), encoding="utf-8")
    os.utime(copy, ns=(1, 2))
    assert read_release(copy).cells[0].source == "changed"

