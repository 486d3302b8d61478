"""Aggregates the reports publish: every count of people goes through lce_utils.privacy (k = 5 by default)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lce_utils import privacy
from lce_utils.privacy import DEFAULT_K, Relation, suppress_with_complement

SCORE_BANDS = [(0, 50, "0–49 %"), (50, 70, "50–69 %"), (70, 90, "70–89 %"), (90, 101, "90–100 %")]
PEOPLE_COLUMNS = {"visits", "visitors", "unique_visitors", "participants", "learners", "count", "n", "members",
                  "mentors", "mentees", "matches", "sessions", "respondents", "people", "attendees", "returning",
                  "new_visitors", "returning_visitors", "responses", "audience",
                  "returned_within_12_months", "applications"}
# Values derived from a count on the same row (the labs' tables, README "Tables"): blanked with it.
DERIVED_COLUMNS = {"share", "audience_share", "representation_index", "retention_share", "occupancy",
                   "mean_occupancy", "cumulative_share", "revenue_share", "failed_share", "mean_score", "index"}


def learner_scores(grades: pd.DataFrame) -> pd.DataFrame:
    """Each learner's total over the notebooks (lessons) they handed in, as a percentage: the grades export has no
    row for a lesson not handed in, so it counts neither as 0 nor as failed (student ids stay in memory only)."""
    totals = grades.groupby("student", as_index=False).agg(score=("score", "sum"), max_score=("max_score", "sum"),
                                                            manual=("needs_manual_grading", "any"))
    totals["percent"] = (100 * totals["score"] / totals["max_score"].where(totals["max_score"] > 0)).fillna(0)
    return totals


@dataclass
class CoursePublication:
    """Everything a page shows about one assignment's learners, protected together (privacy.protect).

    The cells are linked: learners = awaiting manual grading + the others (unpublished); learners = the sum of
    the score bands; per listed test, learners who tried = failed + passed (unpublished). The course page and
    the programme page both show cells of it, so both get the same cells suppressed."""

    assignment: str
    values: dict[str, int]
    relations: list[Relation]
    shown: dict[str, int | None]
    tests: pd.DataFrame
    median: float | None
    mean: float | None
    lessons: pd.DataFrame = field(default_factory=pd.DataFrame)  # per notebook: learners, manual, median_percent

    def cell(self, name: str) -> str:
        """The global name of one of this assignment's cells."""
        return f"course/{self.assignment}/{name}"

    def bands(self) -> pd.DataFrame:
        """Learners per score band as shown (<NA> = suppressed)."""
        return pd.DataFrame({"band": [label for _, _, label in SCORE_BANDS],
                             "learners": pd.array([self.shown[self.cell(f"band/{label}")]
                                                   for _, _, label in SCORE_BANDS], dtype="Int64")})

    def band_relation(self) -> list[Relation]:
        """learners = the sum of the bands."""
        return [r for r in self.relations if r[0] == self.cell("learners") and "band/" in r[1][0]]


def course_publication(grades: pd.DataFrame, tests: pd.DataFrame | None, assignment: str, k: int = DEFAULT_K,
                       top: int = 10) -> CoursePublication:
    """The protected figures of one assignment: learners, manual grading, score bands and the hardest tests."""
    scores = learner_scores(grades)
    n, manual = len(scores), int(scores["manual"].sum())
    name = f"course/{assignment}"
    values = {f"{name}/learners": n, f"{name}/manual": manual, f"{name}/not-manual": n - manual}
    relations: list[Relation] = [(f"{name}/learners", [f"{name}/manual", f"{name}/not-manual"])]
    bands = []
    for lo, hi, label in SCORE_BANDS:
        bands.append(f"{name}/band/{label}")
        values[bands[-1]] = int(((scores["percent"] >= lo) & (scores["percent"] < hi)).sum())
    relations.append((f"{name}/learners", bands))
    published = [f"{name}/learners", f"{name}/manual", *bands]
    lessons = lesson_results(grades)
    for row in lessons.itertuples():  # who handed in each lesson, and who of them waits for manual grading
        lesson = f"{name}/lesson/{row.notebook}"
        handed, waiting = int(row.learners), int(row.manual)
        values.update({f"{lesson}/learners": handed, f"{lesson}/not-handed-in": n - handed,
                       f"{lesson}/manual": waiting, f"{lesson}/not-manual": handed - waiting})
        relations += [(f"{name}/learners", [f"{lesson}/learners", f"{lesson}/not-handed-in"]),
                      (f"{lesson}/learners", [f"{lesson}/manual", f"{lesson}/not-manual"])]
        published += [f"{lesson}/learners", f"{lesson}/manual"]
    per = pd.DataFrame(columns=["notebook", "test", "learners", "failed", "failed_share"])
    if tests is not None and len(tests):
        per = tests.groupby(["notebook", "test"], as_index=False).agg(
            learners=("student", "nunique"), failed=("passed", lambda s: int((~s.astype(bool)).sum())))
        per["failed_share"] = (per["failed"] / per["learners"]).round(2)
        per = per.sort_values(["failed_share", "failed"], ascending=False).head(top).reset_index(drop=True)
        for row in per.itertuples():
            test = f"{name}/test/{row.notebook}/{row.test}"
            values.update({f"{test}/tried": int(row.learners), f"{test}/failed": int(row.failed),
                           f"{test}/passed": int(row.learners) - int(row.failed)})
            relations.append((f"{test}/tried", [f"{test}/failed", f"{test}/passed"]))
            published += [f"{test}/tried", f"{test}/failed"]
    shown = privacy.protect(values, relations, published, k)
    enough = shown[f"{name}/learners"] is not None
    publication = CoursePublication(assignment, values, relations, shown, per,
                                    round(float(scores["percent"].median()), 1) if enough else None,
                                    round(float(scores["percent"].mean()), 1) if enough else None)
    if len(lessons):
        learners = [shown[f"{name}/lesson/{nb}/learners"] for nb in lessons["notebook"]]
        publication.lessons = lessons.assign(
            learners=pd.array(learners, dtype="Int64"),
            manual=pd.array([shown[f"{name}/lesson/{nb}/manual"] for nb in lessons["notebook"]], dtype="Int64"),
            median_percent=lessons["median_percent"].astype("object").mask(pd.Series([v is None for v in learners])))
    if len(per):
        tried = [shown[f"{name}/test/{r.notebook}/{r.test}/tried"] for r in per.itertuples()]
        failed = [shown[f"{name}/test/{r.notebook}/{r.test}/failed"] for r in per.itertuples()]
        hidden = pd.Series([a is None or b is None for a, b in zip(tried, failed)])
        publication.tests = per.assign(learners=pd.array(tried, dtype="Int64"), failed=pd.array(failed, dtype="Int64"),
                                       failed_share=per["failed_share"].astype("object").mask(hidden))
    return publication


def lesson_results(grades: pd.DataFrame) -> pd.DataFrame:
    """Per notebook (lesson) of an assignment, unprotected: learners who handed it in, how many of them wait for
    manual grading, and their median score in percent (a lesson not handed in has no row, so no 0 in it)."""
    if not len(grades):
        return pd.DataFrame(columns=["notebook", "learners", "manual", "median_percent"])
    rows = grades.assign(percent=(100 * grades["score"] / grades["max_score"].where(grades["max_score"] > 0))
                         .fillna(0))
    out = rows.groupby("notebook", as_index=False, sort=True).agg(
        learners=("student", "nunique"), manual=("needs_manual_grading", "sum"), median_percent=("percent", "median"))
    out["manual"] = out["manual"].astype(int)
    out["median_percent"] = out["median_percent"].round(1)
    return out


def score_distribution(grades: pd.DataFrame, k: int = DEFAULT_K) -> pd.DataFrame:
    """Learners per score band, protected with the assignment's other figures."""
    return course_publication(grades, None, "", k).bands()


def score_summary(grades: pd.DataFrame, k: int = DEFAULT_K) -> dict[str, object]:
    """Learners, median and mean score (blank when learners are suppressed) and the manual-grading count."""
    pub = course_publication(grades, None, "", k)
    return {"learners": pub.shown[pub.cell("learners")], "median_percent": pub.median,
            "mean_percent": pub.mean, "needs_manual_grading": pub.shown[pub.cell("manual")]}


def hardest_tests(tests: pd.DataFrame, k: int = DEFAULT_K, top: int = 10) -> pd.DataFrame:
    """The autograded tests most learners failed: learners tried, failed and the failed share (protected)."""
    grades = pd.DataFrame({"student": [], "score": [], "max_score": [], "needs_manual_grading": []})
    return course_publication(grades, tests, "", k, top).tests


def grade_overview(grade_frames: dict[str, pd.DataFrame], k: int = DEFAULT_K) -> pd.DataFrame:
    """Learners per score band for each assignment (one column per assignment, suppressed)."""
    table = pd.DataFrame({"band": [label for _, _, label in SCORE_BANDS]})
    for name, grades in grade_frames.items():
        table[name] = score_distribution(grades, k)["learners"]
    return table


def protect(frame: pd.DataFrame, k: int = DEFAULT_K) -> pd.DataFrame:
    """Suppress the columns of a table that count people (by name) again, with secondary suppression; the
    values derived from a hidden count on its row (shares, indexes) are blanked too."""
    counts = [c for c in frame.columns if str(c).lower() in PEOPLE_COLUMNS
              and pd.api.types.is_numeric_dtype(frame[c])]
    derived = [c for c in frame.columns if str(c).lower() in DERIVED_COLUMNS]
    out = frame
    for column in counts:
        out = suppress_with_complement(out, column, k, derived)
    return out
