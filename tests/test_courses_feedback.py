"""Feedback pages for real: learners' scripts, handlers, remote images, URLs in outputs, math and content that
nbconvert cannot render, graded by `lce courses grade` and opened in Debian's Chromium."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from lce_utils.courses.config import copy_course
from lce_utils.courses.demo import write_demo_submissions
from lce_utils.courses.feedback import CSP, feedback_page
from lce_utils.offline_html import remote_loads
from lce_utils.reports.sanitize import clean_fragment, remote_images_as_links
from tests.test_courses_grading import TIMEOUT, run_lce

ASSIGNMENT = "adaptive-mindset"
NOTEBOOK = "iterating-under-uncertainty"
HOSTILE_OUTPUT = r'''from IPython.display import HTML, Markdown, display
display(HTML("<script>document.title = 'pwned-script'</script>"
             "<img src='x' onerror=\"document.title = 'pwned-onerror'\">"
             "<img src='https://example.com/remote.png' alt='remote'>"
             "<p style='background: url(https://example.com/bg.png)'>styled</p>"
             "<iframe src='https://example.com/frame'></iframe>"))
print("<img src=https://example.com/printed.png>")
display(Markdown("![poster](https://example.com/poster.png) and $$\\int_0^1 x\\,dx$$"))
'''
HOSTILE_MARKDOWN = ("![poster](https://example.com/poster.png)\n\n<script>document.title = 'pwned-script'</script>\n\n"
                    "<img src=https://example.com/a.png onerror=\"document.title = 'pwned-onerror'\">\n\n"
                    "$$e^{i\\pi} + 1 = 0$$\n")
# a display whose markdown is a number: not valid notebook data (dropped with a note when grading), and nbconvert's
# renderer fails on it (AttributeError) where it is found in an autograded notebook
UNRENDERABLE = "from IPython.display import publish_display_data\npublish_display_data({'text/markdown': 12})\n"
STUDENTS = ["demo-correct", "hostile-output", "hostile-markdown", "unrenderable", "plain"]
PAGES = ["demo-correct", "hostile-output", "hostile-markdown", "plain"]


def _submissions(course: Path, subs: Path) -> None:
    write_demo_submissions(ASSIGNMENT, subs, root=course, students=["demo-correct"])
    for student in STUDENTS[1:]:  # "plain" hands in the correct notebook
        nb = nbformat.read(subs / "demo-correct" / f"{NOTEBOOK}.ipynb", as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid == "response_rate_answer" and student in ("hostile-output", "unrenderable"):
                cell.source = (HOSTILE_OUTPUT if student == "hostile-output" else UNRENDERABLE) + cell.source
            elif gid == "reflection" and student == "hostile-markdown":
                cell.source = HOSTILE_MARKDOWN + cell.source
        (subs / student).mkdir()
        nbformat.write(nb, subs / student / f"{NOTEBOOK}.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("feedback")
    root = copy_course(base / "root")
    course = root / "courses"
    run_lce(root, "courses", "release", ASSIGNMENT)
    _submissions(course, base / "subs")
    proc = run_lce(root, "courses", "grade", ASSIGNMENT, str(base / "subs"), "--timeout", TIMEOUT)
    # an autograded notebook that nbconvert cannot render, as a broken output or a future nbconvert could leave it
    graded = course / "autograded" / "plain" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    data = json.loads(graded.read_text(encoding="utf-8"))
    code = next(c for c in data["cells"] if c["cell_type"] == "code")
    code["outputs"].append({"output_type": "display_data", "data": {"text/markdown": 12}, "metadata": {}})
    graded.write_text(json.dumps(data), encoding="utf-8")
    again = run_lce(root, "courses", "feedback", ASSIGNMENT, "--student", "plain")
    pages = {s: course / "feedback" / s / ASSIGNMENT / f"{NOTEBOOK}.html" for s in PAGES}
    return {"course": course, "stdout": proc.stdout, "pages": pages, "feedback_stdout": again.stdout}


@pytest.mark.slow
def test_hostile_content_never_stops_grading(graded: dict) -> None:
    with (graded["course"] / "exports" / f"{ASSIGNMENT}-grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert {s: (float(r["score"]), r["needs_manual_grading"]) for s, r in rows.items()} == \
        {s: (11.0, "True") for s in STUDENTS}, graded["stdout"]
    assert f"graded {len(STUDENTS)} of {len(STUDENTS)} submissions" in graded["stdout"]
    page = (graded["course"] / "feedback" / "unrenderable" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text("utf-8")
    assert "An output that is not valid notebook data was dropped" in page


@pytest.mark.slow
def test_pages_run_no_script_and_load_nothing(graded: dict) -> None:
    for student, path in graded["pages"].items():
        page = path.read_text(encoding="utf-8")
        assert remote_loads(page) == [], student
        assert not re.search(r"<(script|iframe|object|embed)\b", page, re.I), student
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page, re.I), student   # no event handler attribute
        assert f'content="{CSP}"' in page
    output = graded["pages"]["hostile-output"].read_text(encoding="utf-8")
    markdown = graded["pages"]["hostile-markdown"].read_text(encoding="utf-8")
    for page in (output, markdown):  # remote images become plain links
        assert '<a href="https://example.com/poster.png">poster (image on the web, not loaded' in page
    assert '<a href="https://example.com/remote.png">remote (image on the web' in output
    assert "&lt;img src=https://example.com/printed.png&gt;" in output   # printed text stays text
    assert "$$\\int_0^1 x\\,dx$$" in output and "$$e^{i\\pi} + 1 = 0$$" in markdown   # math as written
    assert "Score / Poäng: 11 of / av 14" in output and "Score / Poäng: 11 of / av 14" in markdown


@pytest.mark.slow
def test_unrenderable_notebook_gets_a_plain_page(graded: dict) -> None:
    assert graded["feedback_stdout"].strip().endswith(f"plain/{ASSIGNMENT}/{NOTEBOOK}.html")
    page = graded["pages"]["plain"].read_text(encoding="utf-8")
    assert "Your notebook could not be shown here" in page and "Din notebook kunde inte visas här" in page
    assert "Score / Poäng: 11 of / av 14" in page
    assert re.search(r"<code>test_scenarios</code></td><td>4</td><td>passed / godkänd", page)


@pytest.mark.slow
def test_chromium_opens_every_page_without_requests_or_scripts(graded: dict, page, tmp_path: Path) -> None:
    for student, path in graded["pages"].items():
        html = path.read_text(encoding="utf-8")
        # also without the Content-Security-Policy: the sanitising alone must hold
        bare = tmp_path / f"{student}-no-csp.html"
        bare.write_text(html.replace(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">', ""),
                        encoding="utf-8")
        assert "Content-Security-Policy" not in bare.read_text(encoding="utf-8")
        for target in (path, bare):
            page.goto(target.as_uri())
            page.wait_for_load_state("load")
            assert page.title() == f"Feedback: {NOTEBOOK} ({student})", (student, target)
            assert page.locator("text=Score / Poäng").count() >= 1
    assert page.watch.external_requests == []
    assert page.watch.page_errors == []


def test_remote_loads_reads_markup_not_text() -> None:
    assert remote_loads('<img src="https://example.com/x.png">')
    assert remote_loads("<div style=\"background: url('//example.com/x.png')\"></div>")
    assert remote_loads('<svg><image href="https://example.com/x.png"/></svg>')
    assert remote_loads('<video poster="http://example.com/p.png"></video>')
    assert not remote_loads("<pre>&lt;img src=https://example.com/x.png&gt; src=https://x</pre>")
    assert not remote_loads('<img src="data:image/png;base64,AAAA">')
    assert not remote_loads('<a href="https://scb.se">SCB</a>')


def test_remote_images_become_links_and_scripts_vanish() -> None:
    fragment = ('<p><img src="https://example.com/p.png" alt="a &quot;poster&quot;" onerror="alert(1)">'
                '<img src="http://example.com/q.png"><script>alert(2)</script><a href="javascript:alert(3)">j</a>'
                '<a href="https://scb.se">SCB</a></p>')
    clean = clean_fragment(remote_images_as_links(fragment), external_links=True)
    assert clean == ('<p><a href="https://example.com/p.png">a "poster" (image on the web, not loaded / bild på '
                     'webben, inte hämtad)</a><a href="http://example.com/q.png">image / bild (image on the web, '
                     'not loaded / bild på webben, inte hämtad)</a><a>j</a><a href="https://scb.se">SCB</a></p>')
    assert clean_fragment(fragment) == '<p><img alt="a &quot;poster&quot;"><img><a>j</a><a>SCB</a></p>'


def test_feedback_page_keeps_the_templates_styles_only() -> None:
    rendered = ("<html><head><title>x</title><style>body { color: red }</style>"
                "<style>@import url(https://example.com/a.css);</style></head><body><main><p>hi"
                "<script>alert(1)</script><img src=x onerror=alert(2)></p></main></body></html>")
    page = feedback_page(rendered, "Feedback: <nb>")
    assert "<style>body { color: red }</style>" in page and "example.com" not in page
    assert "<title>Feedback: &lt;nb&gt;</title>" in page
    assert '<main class="jp-Notebook"><p>hi</p></main>' in page
