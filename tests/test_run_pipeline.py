"""The README's main command, `lce run` (what `make run` runs), end to end on a fresh copy of the repository:
every part runs on the bundled sample data and leaves the outputs the other parts and readers need."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lce_utils.courses.demo import expected_scores
from lce_utils.paths import ROOT


def fresh_copy(target: Path) -> Path:
    """The repository's tracked files (as they are in the working tree), without anything generated."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode("utf-8").split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
@pytest.mark.timeout(3000)  # every lesson's demo submissions are graded: four or more lessons per course
def test_lce_run_runs_every_part_on_a_fresh_copy(tmp_path):
    root = fresh_copy(tmp_path / "lce")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "LCE_"))} | {"LCE_ROOT": str(root)}
    lce = Path(sys.executable).parent / "lce"
    result = subprocess.run([str(lce), "run"], cwd=root, env=env, capture_output=True, text=True, timeout=2900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    for part in ("courses", "labs", "mentorship", "programme", "reports"):
        assert f"{part}: done." in result.stdout + result.stderr, part

    # courses: every demo submission of every lesson is in the grade export (one row per lesson handed in)
    grades = sorted((root / "courses" / "exports").glob("*-grades.csv"))
    assert len(grades) == 3
    rows = [row for path in grades for row in csv.DictReader(path.open(encoding="utf-8"))]
    expected = expected_scores()  # what `lce run` reads: lce_utils' own demo_expected/
    assert len(rows) == sum(len(students) for lessons in expected.values() for students in lessons.values())
    assert {(r["assignment"], r["notebook"], r["student"]) for r in rows} == \
        {(a, nb, s) for a, lessons in expected.items() for nb, students in lessons.items() for s in students}
    assert "all scores as expected" in result.stdout + result.stderr
    # labs: the sample run's metrics and tables
    metrics = list((root / "var" / "labs").rglob("metrics.json"))
    assert metrics and all(json.loads(path.read_text(encoding="utf-8")) for path in metrics)
    # mentorship: the demo programme's database
    assert (root / "var" / "mentorship-demo.db").stat().st_size > 0
    # programme: the demo register of 230 fictitious participants
    assert (root / "var" / "programme-demo.db").stat().st_size > 0
    assert ": 230 participants (fictitious)" in result.stdout + result.stderr
    # reports: a site whose index links every report page, and nothing loaded from the network
    site = root / "_site"
    index = (site / "index.html").read_text(encoding="utf-8")
    pages = [p for p in site.glob("*.html") if p.name != "index.html"]
    assert len(pages) >= 6 and all(p.name in index for p in pages)
    for page in [site / "index.html", *pages]:
        text = page.read_text(encoding="utf-8")
        assert "<script src=\"http" not in text and "cdn." not in text, page.name
    # nothing was written into the checkout the test copied from
    assert not (root / ".." / "var").exists()
