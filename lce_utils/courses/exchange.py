"""What nbgrader's exchange needs beside LCE's feedback pages to release them to learners (`release_feedback`).

nbgrader's release_feedback reads timestamp.txt and submission_secret.txt from feedback/<student>/<assignment>/ and
names each released page by a hash of that secret, so only the learner whose submission carried it can fetch it.
nbgrader's own feedback step copies both from the autograded folder; LCE writes its own pages, so it copies them."""

from __future__ import annotations

import shutil
from pathlib import Path

from lce_utils.courses.config import course_root

RELEASE_FILES = ("timestamp.txt", "submission_secret.txt")


def copy_release_files(assignment: str, students: list[str], root: str | Path | None = None) -> list[Path]:
    """Copy timestamp.txt and submission_secret.txt beside each student's feedback pages; returns the copies."""
    root = course_root(root)
    copied = []
    for student in students:
        graded = root / "autograded" / student / assignment
        feedback = root / "feedback" / student / assignment
        if not feedback.is_dir() or not any(feedback.glob("*.html")):
            continue  # no page (not graded): nothing to release
        for name in RELEASE_FILES:
            if (graded / name).is_file():
                shutil.copyfile(graded / name, feedback / name)
                copied.append(feedback / name)
    return copied
