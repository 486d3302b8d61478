"""Stopping a grading run (Ctrl+C, or the caller giving up) stops it: the learners still queued are not graded."""

from __future__ import annotations

import time
from pathlib import Path

from lce_utils.courses import grading


def _no_init(*args) -> None:
    pass


def _slow_grade(assignment: str, student: str) -> dict:
    # stands in for a kernel run: marks that this learner was graded, in the folder the test named
    (Path(assignment) / student).touch()
    time.sleep(0.3)
    return {"student": student, "ok": True}


def test_giving_up_cancels_the_queued_learners(tmp_path, monkeypatch):
    monkeypatch.setattr(grading, "_worker_init", _no_init)
    monkeypatch.setattr(grading, "_grade_in_worker", _slow_grade)
    students = [f"learner-{i:02d}" for i in range(40)]
    results = grading._run_pool(str(tmp_path), students, 2, (), show=False)
    first = next(iter(results))
    assert first["ok"]
    results.close()  # what Ctrl+C in the loop that reads the results does to this generator
    graded = len(list(tmp_path.iterdir()))
    # the two workers may each have started one or two more, never the whole queue of 40
    assert 1 <= graded <= 8, f"{graded} of 40 learners were graded after the run was stopped"
