"""Feedback pages for real: learners' scripts, handlers, remote images, URLs in outputs, math and content that
nbconvert cannot render, graded by `lce courses grade` and opened in Debian's Chromium (and checked by axe-core);
Swedish first, English for a learner whose notebook says so."""

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
from lce_utils.courses.mathml import formula, typeset
from lce_utils.messages import pair
from lce_utils.offline_html import remote_loads
from lce_utils.paths import ROOT
from lce_utils.reports.sanitize import clean_fragment, remote_images_as_links
from tests.courses.test_courses_grading import TIMEOUT, run_lce

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
                    "$$e^{i\\pi} + 1 = 0$$\n\nBeläggningen i Ystad: $$\\text{beläggning} = \\frac{45}{60} = 0{,}75$$ "
                    "alltså 75 %.\n\nBiljetten kostar \\$5 eller \\$10; en andel $\\frac{a}{b}$ och "
                    "$\\href{javascript:alert(1)}{x}$ och `$kod$`\n")
# a learner who reads the course in English (their notebook says so) and shows a formula as a text/latex output
ENGLISH_MATH = "from IPython.display import Math, display\ndisplay(Math(r'\\sqrt{x^2 + 1}'))\n"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# a display whose markdown is a number: not valid notebook data (dropped with a note when grading), and nbconvert's
# renderer fails on it (AttributeError) where it is found in an autograded notebook
UNRENDERABLE = "from IPython.display import publish_display_data\npublish_display_data({'text/markdown': 12})\n"
# "english-version": hands in the English version (<notebook>.en.ipynb), its metadata naming no language
STUDENTS = ["demo-correct", "hostile-output", "hostile-markdown", "unrenderable", "plain", "english", "english-version"]
PAGES = ["demo-correct", "hostile-output", "hostile-markdown", "plain", "english", "english-version"]


def _submissions(course: Path, subs: Path) -> None:
    write_demo_submissions(ASSIGNMENT, subs, root=course, students=["demo-correct"])
    for student in STUDENTS[1:]:  # "plain" hands in the correct notebook
        nb = nbformat.read(subs / "demo-correct" / f"{NOTEBOOK}.ipynb", as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid == "response_rate_answer" and student in ("hostile-output", "unrenderable", "english"):
                code = {"hostile-output": HOSTILE_OUTPUT, "unrenderable": UNRENDERABLE, "english": ENGLISH_MATH}
                cell.source = code[student] + cell.source
            elif gid == "reflection" and student == "hostile-markdown":
                cell.source = HOSTILE_MARKDOWN + cell.source
        if student == "english":
            nb.metadata["lce"] = {"language": "en"}
        if student == "english-version":
            nb.metadata.get("lce", {}).pop("language", None)
            language_cell = next(c for c in nb.cells if "lce-language" in c.metadata.get("tags", []))
            language_cell.source = language_cell.source.replace('set_language("sv")', 'set_language("en")')
        (subs / student).mkdir()
        name = f"{NOTEBOOK}.en.ipynb" if student == "english-version" else f"{NOTEBOOK}.ipynb"
        nbformat.write(nb, subs / student / name)


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
        rows = {r["student"]: r for r in csv.DictReader(handle) if r.get("notebook", NOTEBOOK) == NOTEBOOK}
    assert {s: (float(r["score"]), r["needs_manual_grading"], r["sandboxed"]) for s, r in rows.items()} == \
        {s: (11.0, "True", "True") for s in STUDENTS}, graded["stdout"]
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
        assert ('<a href="https://example.com/poster.png">poster (bild på webben, inte hämtad / image on the web, '
                'not loaded)') in page
    assert '<a href="https://example.com/remote.png">remote (bild på webben, inte hämtad / image on the web' in output
    assert "&lt;img src=https://example.com/printed.png&gt;" in output   # printed text stays text
    score = 'Poäng: 11 av 14 / <span lang="en">Score: 11 of 14</span>'
    assert score in output and score in markdown
    for page in graded["pages"].values():  # sandboxed: no word of --no-sandbox
        assert pair("fb_not_sandboxed")[0] not in page.read_text(encoding="utf-8")


MATHML = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="{}">'


@pytest.mark.slow
def test_math_is_mathml_where_jupyter_sees_math(graded: dict) -> None:
    output = graded["pages"]["hostile-output"].read_text(encoding="utf-8")
    markdown = graded["pages"]["hostile-markdown"].read_text(encoding="utf-8")
    english = graded["pages"]["english"].read_text(encoding="utf-8")
    # display math of a markdown cell and of a Markdown output
    assert MATHML.format("block") + "<mrow><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo>" \
        "<mn>1</mn><mo>=</mo><mn>0</mn></mrow></math>" in markdown
    assert MATHML.format("block") + "<mrow><msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup><mi>x</mi>" in output
    # inline math; escaped dollars stay prices and code stays code; a link hidden in LaTeX leaves nothing
    assert MATHML.format("inline") + "<mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac></mrow>" \
        "</math>" in markdown
    assert "Biljetten kostar $5 eller $10; en andel" in markdown
    # display math in a Swedish sentence, with Swedish words and a decimal comma (0{,}75 is one number)
    assert "Beläggningen i Ystad: " + MATHML.format("block") + "<mrow><mtext>beläggning</mtext><mo>=</mo><mfrac>" \
        "<mrow><mn>45</mn></mrow><mrow><mn>60</mn></mrow></mfrac><mo>=</mo><mn>0,75</mn></mrow></math>" in markdown
    assert "<code>$kod$</code>" in markdown
    assert not re.search(r"<m[a-z]+ [^>]*href", markdown) and "javascript:" not in markdown
    # a text/latex output (IPython's Math)
    assert MATHML.format("inline") + '<mrow><mstyle displaystyle="true" scriptlevel="0"><msqrt><mrow><msup>' \
        "<mi>x</mi><mn>2</mn></msup><mo>+</mo><mn>1</mn></mrow></msqrt></mstyle></mrow></math>" in english
    for page in (output, markdown, english):
        assert "lce-math" not in page   # every marked formula became MathML


@pytest.mark.slow
def test_each_page_in_the_learners_language_with_the_other_beside_it(graded: dict) -> None:
    swedish = graded["pages"]["demo-correct"].read_text(encoding="utf-8")
    english = graded["pages"]["english"].read_text(encoding="utf-8")
    assert '<html lang="sv">' in swedish and '<html lang="en">' in english
    assert "<title>Återkoppling: iterating-under-uncertainty (demo-correct)</title>" in swedish
    assert "<title>Feedback: iterating-under-uncertainty (english)</title>" in english
    assert 'Poäng: 11 av 14 / <span lang="en">Score: 11 of 14</span>' in swedish
    assert 'Score: 11 of 14 / <span lang="sv">Poäng: 11 av 14</span>' in english
    assert 'godkänd / <span lang="en">passed</span>' in swedish
    assert 'passed / <span lang="sv">godkänd</span>' in english
    # the English version handed in: graded as <notebook>.ipynb, its page in English
    english_version = graded["pages"]["english-version"].read_text(encoding="utf-8")
    assert '<html lang="en">' in english_version
    assert "<title>Feedback: iterating-under-uncertainty (english-version)</title>" in english_version
    assert 'Score: 11 of 14 / <span lang="sv">Poäng: 11 av 14</span>' in english_version
    # notes inside the notebook: where hidden checks were, and LCE's own pass message, the learner's language first
    hidden_sv = "# Dolda kontroller kördes här; koden visas inte. / Hidden checks ran here; their code is not shown."
    hidden_en = "# Hidden checks ran here; their code is not shown. / Dolda kontroller kördes här; koden visas inte."
    passed_sv = ("Godkänd: alla kontroller i cellen gick igenom. Utdata från celler med dolda kontroller visas inte. / "
                 "Passed: all checks")
    passed_en = ("Passed: all checks of this cell succeeded. Output of cells with hidden checks is not shown. / "
                 "Godkänd: alla")
    assert swedish.count(hidden_sv) == 3 and hidden_en not in swedish
    assert english.count(hidden_en) == 3 and english_version.count(hidden_en) == 3 and hidden_sv not in english
    assert swedish.count(passed_sv) == 3 and english.count(passed_en) == 3 and english_version.count(passed_en) == 3


@pytest.mark.slow
def test_unrenderable_notebook_gets_a_plain_page(graded: dict) -> None:
    assert graded["feedback_stdout"].strip().endswith(f"plain/{ASSIGNMENT}/{NOTEBOOK}.html")
    page = graded["pages"]["plain"].read_text(encoding="utf-8")
    assert "Your notebook could not be shown here" in page and "Din notebook kunde inte visas här" in page
    assert 'Poäng: 11 av 14 / <span lang="en">Score: 11 of 14</span>' in page
    assert '<code>test_scenarios</code></td><td>4</td><td>godkänd / <span lang="en">passed</span>' in page


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
            word = "Feedback" if student.startswith("english") else "Återkoppling"
            assert page.title() == f"{word}: {NOTEBOOK} ({student})", (student, target)
            assert page.locator("text=Score: 11 of 14").count() >= 1
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
    assert clean == ('<p><a href="https://example.com/p.png">a "poster" (bild på webben, inte hämtad / image on the '
                     'web, not loaded)</a><a href="http://example.com/q.png">bild / image (bild på webben, inte hämtad '
                     '/ image on the web, not loaded)</a><a>j</a><a href="https://scb.se">SCB</a></p>')
    assert clean_fragment(fragment) == '<p><img alt="a &quot;poster&quot;"><img><a>j</a><a>SCB</a></p>'


def test_feedback_page_keeps_the_templates_styles_only() -> None:
    rendered = ("<html><head><title>x</title><style>body { color: red }</style>"
                "<style>@import url(https://example.com/a.css);</style></head><body><main><p>hi"
                "<script>alert(1)</script><img src=x onerror=alert(2)></p></main></body></html>")
    page = feedback_page(rendered, "Feedback: <nb>")
    assert "<style>body { color: red }</style>" in page and "example.com" not in page
    assert "<title>Feedback: &lt;nb&gt;</title>" in page
    assert '<main class="jp-Notebook"><p>hi</p></main>' in page


@pytest.mark.slow
def test_chromium_lays_out_the_math_itself(graded: dict, page) -> None:
    page.goto(graded["pages"]["hostile-markdown"].as_uri())
    page.wait_for_load_state("load")
    layout = page.evaluate("""() => {
        const block = document.querySelector('math[display="block"]');
        const frac = document.querySelector('mfrac');
        const [top, bottom] = [...frac.children].map(e => e.getBoundingClientRect());
        return {namespace: block.namespaceURI, display: getComputedStyle(block).display,
                stacked: top.bottom <= bottom.top + 0.5, height: block.getBoundingClientRect().height};
    }""")
    assert layout["namespace"] == "http://www.w3.org/1998/Math/MathML"
    assert layout["display"] == "block math"   # MathML Core, drawn by Chromium itself
    assert layout["stacked"] and layout["height"] > 0   # a fraction's numerator sits above its denominator
    assert page.watch.external_requests == [] and page.watch.page_errors == []


@pytest.mark.slow
def test_axe_finds_nothing_serious_on_feedback_pages(graded: dict, browser) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    # the page's Content-Security-Policy allows no script at all: axe-core runs with it bypassed
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        found = {}
        languages = set()
        for student in ("demo-correct", "hostile-markdown", "english", "english-version", "plain"):
            tab = context.new_page()
            tab.goto(graded["pages"][student].as_uri())
            tab.wait_for_load_state("load")
            languages.add(tab.evaluate("() => document.documentElement.lang"))
            tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            violations = tab.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
            found[student] = [(v["id"], v["impact"], len(v["nodes"])) for v in violations
                              if v["impact"] in ("serious", "critical")]
            tab.close()
    finally:
        context.close()
    assert found == {s: [] for s in found}
    assert languages == {"sv", "en"}   # Swedish and English pages, the Swedish one with math


def test_the_learners_language_comes_from_the_metadata_or_the_language_cell() -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    from lce_utils.courses.feedback import learner_language, strip_hidden

    cell = new_code_cell('from lce_utils.courses.checks import set_language\nset_language("en")',
                         metadata={"tags": ["lce-language"]})
    assert learner_language(new_notebook(cells=[cell])) == "en"
    assert learner_language(new_notebook(cells=[cell], metadata={"lce": {"language": "sv"}})) == "sv"
    assert learner_language(new_notebook(cells=[new_code_cell('set_language("en")')])) == "sv"   # untagged
    source = "check(a)\n    ### BEGIN HIDDEN TESTS\n    check(b)\n    ### END HIDDEN TESTS\ndone()"
    assert strip_hidden(source, "en") == ("check(a)\n    # Hidden checks ran here; their code is not shown. / "
                                          "Dolda kontroller kördes här; koden visas inte.\ndone()")
    assert formula("0{,}75 + f(a, b)", False) == MATHML.format("inline") + "<mrow><mn>0,75</mn><mo>+</mo><mi>f</mi>" \
        '<mo stretchy="false">(</mo><mi>a</mi><mo>,</mo><mi>b</mi><mo stretchy="false">)</mo></mrow></math>'


def test_mathml_of_learners_latex_is_sanitised() -> None:
    assert formula(r"\href{javascript:alert(1)}{x}", False) == \
        MATHML.format("inline") + "<mrow><mrow><mrow><mi>x</mi></mrow></mrow></mrow></math>"
    assert formula("", True) is None and formula("x" * 5000, False) is None
    marked = ('<p><span class="lce-math-inline">a &lt; b</span> <span class="lce-math-block">\\left(</span></p>'
              '<div class="jp-RenderedLatex jp-OutputArea-output" data-mime-type="text/latex">$$x$$ and $y$</div>'
              "<pre>$z$</pre>")
    out = typeset(marked)
    assert out.startswith("<p>" + MATHML.format("inline") + "<mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow></math>")
    assert MATHML.format("block") + "<mrow><mi>x</mi></mrow></math> and " + MATHML.format("inline") in out
    assert out.endswith("<pre>$z$</pre>")
    assert '<span class="lce-math-block">\\left(</span>' not in out and "$$\\left($$" in out   # not LaTeX: as written
