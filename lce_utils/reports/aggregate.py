"""Aggregates the reports publish: every count of people goes through lce_utils.privacy (k = 5 by default)."""

from __future__ import annotations

import pandas as pd

from lce_utils.privacy import DEFAULT_K, suppress_count, suppress_frame, suppress_with_complement

SCORE_BANDS = [(0, 50, "0–49 %"), (50, 70, "50–69 %"), (70, 90, "70–89 %"), (90, 101, "90–100 %")]
PEOPLE_COLUMNS = {"visits", "visitors", "unique_visitors", "participants", "learners", "count", "n", "members",
                  "mentors", "mentees", "matches", "sessions", "respondents", "people", "attendees", "returning",
                  "new_visitors", "returning_visitors", "responses", "audience",
                  "returned_within_12_months"}
# Values derived from a count on the same row (the labs' tables, README "Tables"): blanked with it.
DERIVED_COLUMNS = {"share", "audience_share", "representation_index", "retention_share", "occupancy",
                   "mean_occupancy", "cumulative_share", "revenue_share", "failed_share", "mean_score", "index"}


def learner_scores(grades: pd.DataFrame) -> pd.DataFrame:
    """Each learner's total over an assignment's notebooks, as a percentage (student ids stay in memory only)."""
    totals = grades.groupby("student", as_index=False).agg(score=("score", "sum"), max_score=("max_score", "sum"),
                                                            manual=("needs_manual_grading", "any"))
    totals["percent"] = (100 * totals["score"] / totals["max_score"].where(totals["max_score"] > 0)).fillna(0)
    return totals


def score_distribution(grades: pd.DataFrame, k: int = DEFAULT_K) -> pd.DataFrame:
    """Learners per score band (suppressed below k)."""
    percent = learner_scores(grades)["percent"]
    rows = [{"band": label, "learners": int(((percent >= lo) & (percent < hi)).sum())}
            for lo, hi, label in SCORE_BANDS]
    return suppress_with_complement(pd.DataFrame(rows), "learners", k)


def score_summary(grades: pd.DataFrame, k: int = DEFAULT_K) -> dict[str, object]:
    """Learners, median and mean score (blank when fewer than k learners) and the manual-grading count."""
    scores = learner_scores(grades)
    n = len(scores)
    enough = n >= k
    return {"learners": suppress_count(n, k),
            "median_percent": round(float(scores["percent"].median()), 1) if enough else None,
            "mean_percent": round(float(scores["percent"].mean()), 1) if enough else None,
            "needs_manual_grading": suppress_count(int(scores["manual"].sum()), k)}


def hardest_tests(tests: pd.DataFrame, k: int = DEFAULT_K, top: int = 10) -> pd.DataFrame:
    """The autograded tests most learners failed: learners tried, failed and the failed share (suppressed)."""
    per = tests.groupby(["notebook", "test"], as_index=False).agg(
        learners=("student", "nunique"), failed=("passed", lambda s: int((~s.astype(bool)).sum())))
    per["failed_share"] = (per["failed"] / per["learners"]).round(2)
    per = per.sort_values(["failed_share", "failed"], ascending=False).head(top).reset_index(drop=True)
    out = suppress_frame(per, ["learners", "failed"], k, dependent_columns=["failed_share"])
    return out


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
