"""Course results per lesson: an assignment of several notebooks where learners have handed in only some of them.
A lesson not handed in is not a failure: it has no row in the grades export, so it counts in no figure."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from lce_utils.courses.export import _write_csv
from lce_utils.courses.schema import GRADE_COLUMNS, TEST_COLUMNS
from lce_utils.paths import ROOT
from lce_utils.reports import aggregate, execute, sections

TEMPLATE = ROOT / "knowledge" / "templates" / "course-results.ipynb"


def partial_hand_ins() -> pd.DataFrame:
    """12 learners hand in lesson 'first' (10 points); the first 7 of them also 'second' (4 points).
    Learner n scores n % 11 on 'first' and 4 on 'second'; learner 0 waits for manual grading on 'first'."""
    rows = []
    for n in range(12):
        rows.append({"student": f"s{n:02d}", "assignment": "x", "notebook": "first", "score": float(n % 11),
                     "max_score": 10.0, "needs_manual_grading": n == 0, "sandboxed": True})
        if n < 7:
            rows.append({"student": f"s{n:02d}", "assignment": "x", "notebook": "second", "score": 4.0,
                         "max_score": 4.0, "needs_manual_grading": False, "sandboxed": True})
    return pd.DataFrame(rows)


def test_lesson_results_count_only_lessons_handed_in() -> None:
    grades = partial_hand_ins()
    lessons = aggregate.lesson_results(grades)
    assert lessons.to_dict("records") == [
        {"notebook": "first", "learners": 12, "manual": 1, "median_percent": 45.0},  # 0, 0, 1..10: median 4.5 of 10
        {"notebook": "second", "learners": 7, "manual": 0, "median_percent": 100.0}]
    scores = aggregate.learner_scores(grades).set_index("student")["percent"]
    # s10 handed in only 'first', 10 of 10: 100 %, not 10 of 14 as if 'second' were failed
    assert scores["s10"] == 100.0 and scores["s11"] == 0.0
    assert scores["s03"] == 100 * 7 / 14


def test_lesson_figures_are_protected_with_the_assignment() -> None:
    pub = aggregate.course_publication(partial_hand_ins(), None, "x", k=5)
    shown = pub.lessons.set_index("notebook")
    assert int(shown.at["first", "learners"]) == 12
    # 'second' (7) and the 5 learners who have not handed it in yet: both at least k, so shown
    assert int(shown.at["second", "learners"]) == 7 and pub.values["course/x/lesson/second/not-handed-in"] == 5
    # one learner waiting for manual grading is a small group: hidden, and so is its complement on that lesson
    assert pd.isna(shown.at["first", "manual"])
    assert ("course/x/learners", ["course/x/lesson/second/learners", "course/x/lesson/second/not-handed-in"]) in \
        pub.relations
    # 3 learners handed in a lesson: that count and its median are suppressed
    few = partial_hand_ins()
    few = few[(few["notebook"] == "first") | (few["student"] < "s03")]
    small = aggregate.course_publication(few, None, "x", k=5).lessons.set_index("notebook")
    assert pd.isna(small.at["second", "learners"]) and pd.isna(small.at["second", "median_percent"])


@pytest.mark.slow
def test_course_results_page_shows_each_lesson_by_its_title(tmp_path: Path) -> None:
    exports = tmp_path / "courses" / "exports"
    grades = partial_hand_ins()
    _write_csv(exports / "x-grades.csv", GRADE_COLUMNS, grades.to_dict("records"))
    _write_csv(exports / "x-tests.csv", TEST_COLUMNS, [])
    source = tmp_path / "courses" / "source" / "x"
    source.mkdir(parents=True)
    for number, name, sv, en in ((2, "first", "Andra lektionen", "Second lesson"),
                                 (1, "second", "Första lektionen", "First lesson")):
        nb = nbformat.v4.new_notebook()
        nb.metadata["lce"] = {"lesson": number, "title": {"sv": sv, "en": en}, "minutes": 60}
        nbformat.write(nb, source / f"{name}.ipynb")
    out = execute.run_template(TEMPLATE, {"exports_dir": str(exports), "assignment": "x", "k": 5}, cwd=tmp_path,
                               timeout=120)
    html = "".join(o.get("data", {}).get("text/html", "") for c in out.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "Resultat per lektion" in html
    first, second = html.index("Lektion 1: Första lektionen / Lesson 1: First lesson"), \
        html.index("Lektion 2: Andra lektionen / Lesson 2: Second lesson")
    assert first < second  # in teaching order, from the notebooks' lesson metadata
    assert sections.lesson_names(str(exports), "x")["first"] == (2, "Lektion 2: Andra lektionen / Lesson 2: "
                                                                   "Second lesson")
