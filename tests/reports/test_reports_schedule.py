"""The report build's schedule: each report's CPU time is recorded, and the next build starts the costliest first
(by CPU time, which the machine's load does not change, unlike wall time)."""

from __future__ import annotations

import json

import pytest

from lce_utils.reports.build import CONFIG, build_site
from lce_utils.reports.manifest import MANIFEST, read_manifest
from tests.reports import samples

COURSES = ["course-results-adaptive-mindset", "course-results-digital-tools",
           "course-results-creative-entrepreneurship"]


@pytest.mark.slow
def test_reports_run_costliest_first_by_the_cpu_time_last_recorded(tmp_path):
    root = tmp_path / "root"
    samples.write_course_exports(root)
    out = tmp_path / "site"
    first = build_site(CONFIG, root=root, out=out, jobs=1, only=["course-results"])
    assert sorted(first.ran) == sorted(COURSES), first.summary()
    manifest = read_manifest(out)
    for rid in COURSES:
        entry = manifest["reports"][rid]
        assert entry["cpu"] > 0 and entry["seconds"] > 0, entry
    # wall times say one order, CPU times the opposite: the CPU times decide
    for rank, rid in enumerate(COURSES):
        manifest["reports"][rid].update(seconds=10.0 * (rank + 1), cpu=10.0 * (len(COURSES) - rank))
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    again = build_site(CONFIG, root=root, out=out, jobs=1, only=["course-results"], force=True)
    assert again.ran == COURSES
