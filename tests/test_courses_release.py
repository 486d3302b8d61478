"""The student versions: released safely, runnable top to bottom with only the unanswered exercises failing,
and `lce courses validate` explaining the result in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lce_utils.cli import main
from lce_utils.courses.demo import write_demo_submissions
from lce_utils.courses.release import check_release, release
from lce_utils.paths import COURSES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("release") / "courses"
    course.mkdir()
    shutil.copytree(COURSES / "source", course / "source")
    for name in ("nbgrader_config.py", "course.yaml"):
        shutil.copy2(COURSES / name, course / name)
    notebooks = release(None, course)
    assert [p.relative_to(course).as_posix() for p in notebooks] == [
        "release/adaptive-mindset/iterating-under-uncertainty.ipynb",
        "release/digital-tools-for-artistic-processes/images-sound-and-text.ipynb",
        "release/creative-entrepreneurship/pricing-vat-and-budgets.ipynb",
    ]
    return course


def test_release_has_no_solutions_hidden_tests_or_outputs(released: Path) -> None:
    for folder in (released / "release").iterdir():
        assert check_release(folder.name, released) == []
        for path in folder.glob("*.ipynb"):
            text = path.read_text(encoding="utf-8")
            assert "BEGIN HIDDEN" not in text and "BEGIN SOLUTION" not in text and "Model answer" not in text
    # assets travel with the release
    assert (released / "release" / "creative-entrepreneurship" / "cashflow-2025.csv").exists()


@pytest.mark.parametrize("assignment", ["adaptive-mindset", "digital-tools-for-artistic-processes",
                                        "creative-entrepreneurship"])
def test_student_version_runs_with_only_unanswered_exercises_failing(released: Path, assignment: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCE_TEST", "1")
    path = next((released / "release" / assignment).glob("*.ipynb"))
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
        else:
            assert not errors, f"cell {i} ({cell.source[:60]!r}) failed: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_validate_explains_unanswered_work_and_hidden_tests(released: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LCE_ROOT", str(released.parent))
    monkeypatch.setattr("lce_utils.courses.config.COURSES", released)
    empty = next((released / "release" / "creative-entrepreneurship").glob("*.ipynb"))
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
