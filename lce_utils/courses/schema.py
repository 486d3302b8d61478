"""The courses' CSV exports as a data contract: `courses/export.py` writes them, the reports read them; both
import the columns from here."""

from __future__ import annotations

# `sandboxed`: True (each notebook ran in its own sandbox), False (graded with --no-sandbox: unconfined, the course in
# reach) or empty (no record of `lce courses grade` for that learner, e.g. graded by plain nbgrader)
GRADE_COLUMNS = ["student", "assignment", "notebook", "score", "max_score", "needs_manual_grading", "sandboxed"]
TEST_COLUMNS = ["student", "assignment", "notebook", "test", "points", "max_points", "passed", "message",
                "sandboxed"]
# Columns added after the first exports: a reader accepts an export without them.
ADDED_COLUMNS = ("sandboxed",)
