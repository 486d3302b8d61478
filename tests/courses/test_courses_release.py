"""The student versions: released safely, runnable top to bottom with only the unanswered exercises failing,
and `lce courses validate` explaining the result in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lce_utils.cli import main
from lce_utils.courses.config import assignments, copy_course
from lce_utils.courses.demo import write_demo_submissions
from lce_utils.courses.language import english_path
from lce_utils.courses.release import check_release, release
from lce_utils.paths import COURSES

pytestmark = pytest.mark.slow


SOURCES = sorted(COURSES.glob("source/*/*.ipynb"))


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = copy_course(tmp_path_factory.mktemp("release")) / "courses"
    notebooks = release(None, course)
    # every lesson twice, Swedish then English, courses in course.yaml's order
    expected = [f"release/{a.id}/{p.stem}{suffix}" for a in assignments(course)
                for p in sorted((course / "source" / a.id).glob("*.ipynb")) for suffix in (".ipynb", ".en.ipynb")]
    assert [p.relative_to(course).as_posix() for p in notebooks] == expected
    return course


def test_release_has_no_solutions_hidden_tests_or_outputs(released: Path) -> None:
    for folder in (released / "release").iterdir():
        assert check_release(folder.name, released) == []
        for path in folder.glob("*.ipynb"):
            text = path.read_text(encoding="utf-8")
            assert "BEGIN HIDDEN" not in text and "BEGIN SOLUTION" not in text and "Model answer" not in text
    # assets travel with the release
    assert (released / "release" / "creative-entrepreneurship" / "cashflow-2025.csv").exists()


def _released_params() -> list:
    return [pytest.param(p, lang, id=f"{p.parent.name}/{p.stem}.{lang}") for p in SOURCES for lang in ("sv", "en")]


@pytest.mark.parametrize(("source", "lang"), _released_params())
def test_student_version_runs_with_only_unanswered_exercises_failing(released: Path, source: Path, lang: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCE_TEST", "1")
    path = released / "release" / source.parent.name / source.name
    path = english_path(path) if lang == "en" else path
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if meta.get("solution"):
            # an answer cell either defines a function whose body raises, or raises right away
            assert [e["ename"] for e in errors] in ([], ["NotImplementedError"]), (i, cell.source[:80])
        elif meta.get("grade"):
            assert errors, f"test cell {meta['grade_id']} passed on an unanswered notebook"
            if "from lce_utils.courses.checks import" in cell.source:  # a lesson's check(): plain words, no traceback
                assert errors[0]["ename"] == "CheckFailed", (meta["grade_id"], errors[0]["ename"])
        else:
            assert not errors, f"cell {i} ({cell.source[:60]!r}) failed: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_both_versions_of_every_lesson_are_released_and_checked(released: Path) -> None:
    for source in SOURCES:
        sv_path = released / "release" / source.parent.name / source.name
        sv, en = nbformat.read(sv_path, as_version=4), nbformat.read(english_path(sv_path), as_version=4)
        assert (sv.metadata["lce"]["language"], en.metadata["lce"]["language"]) == ("sv", "en"), source
        assert len(sv.cells) == len(en.cells), source
        for a, b in zip(sv.cells, en.cells, strict=True):  # graded cells are the same in both
            if "nbgrader" in a.metadata:
                assert (a.source, a.metadata) == (b.source, b.metadata), source
    folder = released / "release" / SOURCES[0].parent.name
    english = english_path(folder / SOURCES[0].name)
    saved = english.read_bytes()
    try:
        english.unlink()
        assert check_release(folder.name, released)[0] == f"{english}: missing"
        nb = nbformat.reads(saved.decode("utf-8"), as_version=4)
        nb.metadata["lce"]["language"] = "sv"
        nb.cells[-1].source += "\n\n<!-- en -->\n\nleft over"
        nbformat.write(nb, english)
        problems = check_release(folder.name, released)
        assert f"{english}: still contains the language marker '<!-- en -->'" in problems
        assert f"{english}: metadata lce.language is not 'en'" in problems
    finally:
        english.write_bytes(saved)
    assert check_release(folder.name, released) == []


def test_an_english_hand_in_is_graded_and_fed_back_in_english(released: Path, tmp_path: Path) -> None:
    from lce_utils.courses.workflow import grade

    source = SOURCES[0]
    assignment = source.parent.name
    learner = tmp_path / "subs" / "eva"
    learner.mkdir(parents=True)
    english = english_path(released / "release" / assignment / source.name)
    nb = nbformat.read(english, as_version=4)
    del nb.metadata["lce"]["language"]  # as if the learner's tool dropped it: the file name still says English
    nbformat.write(nb, learner / english.name)
    for data in (released / "release" / assignment).iterdir():
        if data.suffix != ".ipynb" and data.is_file():
            shutil.copy2(data, learner / data.name)
    report = grade(assignment, tmp_path / "subs", released, workers=1, timeout=30)
    assert [r.student for r in report.results if r.ok] == ["eva"], report.lines()
    graded = nbformat.read(released / "autograded" / "eva" / assignment / source.name, as_version=4)
    assert graded.metadata["lce"]["language"] == "en"
    assert "set_language(\"en\")" in "\n".join(c.source for c in graded.cells)
    page = (released / "feedback" / "eva" / assignment / f"{source.stem}.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page


def test_validate_explains_unanswered_work_and_hidden_tests(released: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LCE_ROOT", str(released.parent))
    monkeypatch.setattr("lce_utils.courses.config.COURSES", released)
    empty = released / "release" / "creative-entrepreneurship" / "pricing-vat-and-budgets.ipynb"
    assert main(["courses", "validate", str(empty)]) == 1
    out = capsys.readouterr().out
    assert "not answered yet / inte besvarad" in out
    assert "5 check cell(s) also contain HIDDEN tests that were not run here" in out
    write_demo_submissions("creative-entrepreneurship", tmp_path, root=released, students=["demo-correct"])
    correct = tmp_path / "demo-correct" / empty.name
    shutil.copy2(released / "release" / "creative-entrepreneurship" / "cashflow-2025.csv", tmp_path / "demo-correct")
    assert main(["courses", "validate", str(correct)]) == 0
    out = capsys.readouterr().out
    assert "All visible checks passed" in out and "HIDDEN tests" in out
