"""Accessibility of a lab run's HTML (the four labs executed on the smallest sample the lab tests use), checked
as tests/test_a11y_pages.py checks the feedback pages: axe-core in Chromium, offline, at a desktop and a phone
width."""

from __future__ import annotations

import pytest

from lce_utils.engagement.run import NOTEBOOKS, run_labs
from lce_utils.engagement.sample import write_sample
from tests.test_a11y_pages import check_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_lab_pages_pass_axe_at_desktop_and_phone_width(browser, tmp_path):
    sample = write_sample(tmp_path / "sample", rows=3000, seed=7)
    result = run_labs(sample.visits, tmp_path / "out", events=sample.events, institution="Testhuset")
    assert list(result.notebooks) == list(NOTEBOOKS)
    for name in NOTEBOOKS:
        page = tmp_path / "out" / "html" / f"{name}.html"
        assert '<html lang="sv"' in page.read_text(encoding="utf-8")
        check_page(browser, page)
