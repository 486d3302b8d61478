"""Accessibility of the pages outside the report site that people read: a learner's feedback page (here) and the
engagement labs' HTML (tests/labs/test_labs_a11y.py), in Debian's Chromium with axe-core (the report site's pinned
version, node_modules/axe-core), offline, at a desktop and a phone width. No serious or critical finding; every
moderate one is listed by rule id in knowledge/README.md; colour contrast is decided for everything but the
labels inside the static SVG charts (axe cannot see the background behind SVG text)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from lce_utils.paths import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
README = ROOT / "knowledge" / "README.md"
WIDTHS = (1280, 360)
ASSIGNMENT = "adaptive-mindset"
NOTEBOOK = "iterating-under-uncertainty"


def axe_findings(browser, page: Path) -> list[tuple[int, str, str, str]]:
    """(width, rule id, impact, first node) of every axe violation on page at each width, and a 'contrast-unknown'
    entry for each text whose contrast axe could not decide that is not an SVG chart's label."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    found = []
    for width in WIDTHS:
        # feedback pages forbid every script (Content-Security-Policy): axe runs with the policy bypassed
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
        try:
            tab = context.new_page()
            requests: list[str] = []
            tab.on("request", lambda r, seen=requests: r.url.startswith(("file:", "data:")) or seen.append(r.url))
            tab.goto(page.as_uri())
            tab.wait_for_load_state("load")
            tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})")
            assert requests == [], f"{page.name} loads from the network: {requests}"
        finally:
            context.close()
        found += [(width, v["id"], v["impact"], v["nodes"][0]["html"][:160]) for v in result["violations"]]
        found += [(width, "contrast-unknown", "serious", n["html"][:160]) for v in result["incomplete"]
                  if v["id"] == "color-contrast" for n in v["nodes"]
                  if not n["html"].startswith(("<text", "<tspan"))]
    return found


def check_page(browser, page: Path) -> list[tuple[int, str, str, str]]:
    """Fail on a serious or critical finding or on a moderate one knowledge/README.md does not list; return all."""
    found = axe_findings(browser, page)
    assert [f for f in found if f[2] in ("serious", "critical")] == [], page.name
    readme = README.read_text(encoding="utf-8")
    unlisted = [f for f in found if f[2] == "moderate" and f"`{f[1]}`" not in readme]
    assert unlisted == [], f"moderate axe findings on {page.name} not listed in knowledge/README.md: {unlisted}"
    return found


def feedback_pages(graded: nbformat.NotebookNode, out: Path) -> dict[str, Path]:
    """The feedback page of a graded notebook in each language, through the feedback code `lce courses feedback`
    uses (the gradebook's score left out: the page shows the one given here)."""
    from lce_utils.courses import feedback as F
    from lce_utils.courses.mathml import MathMLExporter
    from lce_utils.offline_html import render_notebook

    pages = {}
    for lang in F.LANGUAGES:
        safe, results = F.safe_notebook(graded, lang)
        safe.cells.insert(0, F._summary_cell("learner0001", ASSIGNMENT, NOTEBOOK, 8.0, 14.0, 0.0, results,
                                             ["Tydligt resonemang / clear reasoning"], lang))
        title = F.page_title(lang, NOTEBOOK, "learner0001")
        html = F.feedback_page(render_notebook(safe, title=title, lang=lang, exporter_class=MathMLExporter),
                               title, lang)
        pages[lang] = out / f"{NOTEBOOK}.{lang}.html"
        pages[lang].write_text(html, encoding="utf-8")
    return pages


@pytest.mark.slow
@pytest.mark.browser
def test_feedback_pages_pass_axe_at_desktop_and_phone_width(browser, tmp_path):
    """One lesson's notebook with its solutions, run by a real kernel (as the autograder runs a learner's), shown as
    its feedback page. At 360 px the summary table's check names widened it into a scrolling box the keyboard could
    not reach (scrollable-region-focusable, serious)."""
    from lce_utils.notebooks import run_notebook

    source = ROOT / "courses" / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    work = tmp_path / "lesson"
    shutil.copytree(source.parent, work)
    graded = run_notebook(work / source.name, cwd=work, timeout=300)
    pages = feedback_pages(graded, tmp_path)
    for lang, page in pages.items():
        assert f'<html lang="{lang}">' in page.read_text(encoding="utf-8")
        check_page(browser, page)


@pytest.mark.browser
def test_axe_check_finds_what_it_should(browser, tmp_path):
    """The checks above are real: an unreachable scrolling box, an unlabelled image, text of unknown contrast."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="sv"><head><title>t</title></head><body><main>'
                    '<div style="overflow-x:auto;width:200px"><table><tr><td>en_kontroll_med_ett_mycket_langt_namn'
                    '_som_inte_ryms</td><td>3</td></tr></table></div>'
                    '<img src="data:image/png;base64,iVBORw0KGgo=">'
                    '<p style="background-image:linear-gradient(#fff,#eee)">text på en gradient</p>'
                    "</main></body></html>", encoding="utf-8")
    rules = {f[1] for f in axe_findings(browser, page)}
    assert {"scrollable-region-focusable", "image-alt", "contrast-unknown"} <= rules, rules
