"""Where things live: the repository's folders and the generated ones."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout holding courses/, engagement_labs/, mentorship/ and knowledge/.

    LCE_ROOT overrides it (for running the CLI outside the checkout)."""
    if os.environ.get("LCE_ROOT"):
        return Path(os.environ["LCE_ROOT"]).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "courses").is_dir() and (here / "knowledge").is_dir():
        return here
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / "courses").is_dir() and (folder / "knowledge").is_dir():
            return folder
    return here


ROOT = repo_root()
COURSES = ROOT / "courses"
LABS = ROOT / "engagement_labs"
MENTORSHIP_APPS = ROOT / "mentorship"
KNOWLEDGE = ROOT / "knowledge"
VAR = ROOT / "var"          # runtime state: databases, lab runs, caches (ignored by git)
SITE = ROOT / "_site"       # the published report site (ignored by git)

# Folders that hold generated notebooks; the test suite executes every other notebook.
GENERATED_DIRS = (
    ".venv", "node_modules", "_site", "var", ".ipynb_checkpoints", ".lce-cache",
    "courses/release", "courses/submitted", "courses/autograded", "courses/feedback",
    "courses/exports", "engagement_labs/output", "benchmarks/results",
)
