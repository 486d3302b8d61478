"""The lessons' chi-squared test (lce_utils.courses.significance) gives scipy.stats.chi2_contingency's statistic,
p-value and degrees of freedom; a table it cannot test is refused in the lesson's language, naming the row or
column; and no lesson imports scipy, which costs about a second of CPU in every grading kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, chi2_contingency

from lce_utils.courses import checks
from lce_utils.courses.significance import TableError, chi_squared_survival, chi_squared_test
from lce_utils.paths import COURSES, ROOT

LESSON = COURSES / "source" / "adaptive-mindset" / "iterating-under-uncertainty.ipynb"

TABLES = [
    [[21, 399], [37, 373]],        # the lesson's posters
    [[12, 5], [9, 7]],             # small counts: Yates moves each count by 0.5
    [[10, 10], [10, 10]],          # no difference at all: statistic 0, p 1
    [[10, 10.2], [10, 10]],        # a difference under 0.5: Yates stops at the expected value
    [[0, 15], [14, 1]],            # a zero cell
    [[500_000, 1], [1, 500_000]],  # a p-value far below the smallest float scipy prints
    [[3, 8, 12], [9, 4, 2]],       # 2 x 3: two degrees of freedom, no correction
    [[25, 30, 12, 8], [14, 22, 30, 17], [8, 9, 20, 31]],
    [[i * j % 7 + 1 for j in range(9)] for i in range(6)],  # 40 degrees of freedom
    [[12.5, 3.25], [4.75, 9.0]],   # weighted counts
]


@pytest.mark.parametrize("correction", [True, False])
@pytest.mark.parametrize("table", TABLES, ids=range(len(TABLES)))
def test_the_chi_squared_test_gives_scipys_statistic_p_value_and_degrees_of_freedom(table, correction) -> None:
    statistic, p_value, dof, _ = chi2_contingency(table, correction=correction)
    result = chi_squared_test(table, correction=correction)
    assert result.dof == dof
    assert result.statistic == pytest.approx(statistic, rel=1e-12, abs=1e-12)
    assert result.p_value == pytest.approx(p_value, rel=1e-9, abs=1e-300)


def test_the_survival_function_is_scipys_over_small_and_large_degrees_of_freedom() -> None:
    for dof in [*range(1, 61), 99, 100, 999, 1000]:
        for x in [1e-6, 0.01, 0.5, 1, 2.7, dof / 2, dof, dof + 3 * dof ** 0.5, 2 * dof + 10, 50, 300, 1400]:
            expected = chi2.sf(x, dof)
            assert chi_squared_survival(x, dof) == pytest.approx(expected, rel=1e-8, abs=1e-300), (x, dof)
    assert chi_squared_survival(0.0, 3) == 1.0


def test_numpy_arrays_and_data_frames_are_tables_too() -> None:
    table = [[21, 399], [37, 373]]
    expected = chi_squared_test(table)
    assert chi_squared_test(np.array(table)) == expected
    assert chi_squared_test(pd.DataFrame(table, columns=["ja", "nej"], index=["A", "B"])) == expected


@pytest.fixture
def english():
    checks.set_language("en")
    yield
    checks._state["language"] = None


@pytest.mark.parametrize("table, message", [
    ([[1, 2], [3]], "every row of the table must have the same number of columns"),
    ([[1, 2, 3]], "the table needs at least two rows and two columns"),
    ([[1], [2]], "the table needs at least two rows and two columns"),
    (42, "the table must be rows of counts, for example [[21, 399], [37, 373]]"),
    ([[1, 2], [3, -4]], "row 2, column 2: -4 is not a count (a number 0 or greater)"),
    ([[1, float("nan")], [3, 4]], "row 1, column 2: nan is not a count (a number 0 or greater)"),
    ([[1, True], [3, 4]], "row 1, column 2: True is not a count (a number 0 or greater)"),
    ([["21", 399], [37, 373]], "row 1, column 1: '21' is not a count (a number 0 or greater)"),
    ([[0, 0], [3, 4]], "row 1 is all zeros: there is nothing to compare"),
    ([[3, 0], [4, 0]], "column 2 is all zeros: there is nothing to compare"),
])
def test_a_table_that_cannot_be_tested_is_refused_in_the_lessons_language(english, table, message) -> None:
    with pytest.raises(TableError) as refused:
        chi_squared_test(table)
    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)
    # IPython shows these lines instead of a traceback
    assert refused.value._render_traceback_() == [f"\x1b[1;31mTableError:\x1b[0m {message}"]


def test_before_the_language_cell_the_refusal_is_in_both_languages() -> None:
    with pytest.raises(TableError) as refused:
        chi_squared_test([[0, 0], [3, 4]])
    assert str(refused.value) == ("rad 1 är bara nollor: då går det inte att jämföra\n\n"
                                  "row 1 is all zeros: there is nothing to compare")


def _code_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


def test_no_lesson_imports_scipy() -> None:
    # scipy.stats costs 0.8-1.1 s of CPU to import, in every grading kernel (docs/scale.md, "Where a submission's
    # CPU goes"); lessons use lce_utils.courses.significance instead.
    importing = [f"{path.relative_to(COURSES)} cell {cell.get('id')}"
                 for path in sorted(COURSES.glob("source/*/*.ipynb")) for cell in _code_cells(path)
                 for line in "".join(cell["source"]).splitlines()
                 if line.strip().startswith(("import scipy", "from scipy"))]
    assert importing == []


def test_the_ab_test_lessons_p_value_cell_prints_scipys_p_value_without_loading_scipy() -> None:
    cell = next(cell for cell in _code_cells(LESSON)
                if cell["metadata"].get("nbgrader", {}).get("grade_id") == "poster_pvalue")
    loaded = "\nimport sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))"
    source = "".join(cell["source"]) + loaded
    run = subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines()
    expected = chi2_contingency([[21, 420 - 21], [37, 410 - 37]])[1]
    # by hand: chi² with Yates 4.569, p = erfc(√(4.569 / 2)) = 0.0326
    assert lines[0] == f"p-värde / p-value: {expected:.3f}" == "p-värde / p-value: 0.033"
    assert lines[1] == "Troligen en verklig skillnad. / Probably a real difference."
    assert lines[2] == "[]"
