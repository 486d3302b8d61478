"""Less CPU per graded submission (issue 13): what grading no longer does again and again, and that the result is
the same as before."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lce_utils.courses import feedback, grading, workflow
from lce_utils.courses.config import copy_course
from lce_utils.courses.export import read_status
from lce_utils.courses.grading import grading_config
from lce_utils.courses.mathml import MathMLExporter
from lce_utils.courses.release import release
from lce_utils.courses.sandbox_kernel import SANDBOX_KERNEL, install_kernelspec
from lce_utils.offline_html import render_notebook
from tests.submissions import ASSIGNMENT, write_submission


def _notebook(text: str, language: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[
        new_markdown_cell(f"# {text}\n\nArea $\\pi r^2$ and `code`"),
        new_code_cell(f"print({text!r})", execution_count=1,
                      outputs=[new_output("stream", name="stdout", text=text + "\n"),
                               new_output("display_data", data={"text/html": f"<b>{text}</b>"})]),
    ])
    nb.metadata["language_info"] = {"name": language}
    return nb


def test_feedback_pages_share_one_exporter_per_language_and_render_as_a_fresh_one(monkeypatch) -> None:
    made = []
    original = feedback.offline_exporter

    def counted(**kw):  # type: ignore[no-untyped-def]
        made.append(kw["lang"])
        return original(**kw)

    monkeypatch.setattr(feedback, "offline_exporter", counted)
    monkeypatch.setattr(feedback._EXPORTERS, "by_lang", {}, raising=False)
    first, second = _notebook("first", "python"), _notebook("second", "ipython3")
    pages = [feedback.render(nb, title, lang) for nb, title, lang in
             ((first, "A", "sv"), (second, "B", "sv"), (first, "C", "en"), (second, "D", "en"), (first, "E", "sv"))]
    assert made == ["sv", "en"]  # five pages, one exporter per language
    # a reused exporter carries nothing over from the page before: each page is what a new exporter makes
    fresh = [render_notebook(nb, title=title, lang=lang, exporter_class=MathMLExporter) for nb, title, lang in
             ((first, "A", "sv"), (second, "B", "sv"), (first, "C", "en"), (second, "D", "en"), (first, "E", "sv"))]
    assert pages == fresh
    assert "second" in pages[1] and "first" not in pages[1].split("<body", 1)[1]
    assert [page.count('<html lang="en">') for page in pages] == [0, 0, 1, 1, 0]


def test_the_kernel_launcher_imports_no_message_catalogue_and_no_subprocess() -> None:
    # `python -m lce_utils.courses.sandbox` runs once per grading kernel: what it imports is paid every time
    code = ("import sys, lce_utils.courses.sandbox; "
            "print([m for m in ('lce_utils.messages', 'subprocess') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _run(client, code: str) -> str:  # type: ignore[no-untyped-def]
    printed = []
    reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: printed.append(
        msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(printed)


@pytest.mark.slow
def test_the_grading_kernel_starts_without_debugpy_and_a_learner_can_still_import_it(tmp_path, monkeypatch) -> None:
    install_kernelspec(tmp_path / "jupyter", 3072)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    km = KernelManager(kernel_name=SANDBOX_KERNEL)
    km.start_kernel(cwd=str(tmp_path))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        loaded = _run(client, "import sys, json; print(json.dumps(sorted(m for m in sys.modules "
                              "if m.split('.')[0] in ('debugpy', '_pydevd_bundle', 'pydevd'))))")
        assert json.loads(loaded) == []
        assert _run(client, "import debugpy; print(debugpy.__name__, type(debugpy).__name__)").split() == \
            ["debugpy", "module"]
        assert _run(client, "print(sum(range(5)))").strip() == "10"
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def test_code_cells_are_not_bleached_again_and_the_page_stays_the_same(monkeypatch) -> None:
    from nbconvert.filters import clean_html

    from lce_utils.courses import mathml

    sources = ["<script>alert(1)</script>\nx = '\"&amp; <b>y</b>'  # é 你好", "!ls </pre></div><img src=x onerror=f()>",
               "y = 1 < 2 > 0  # &lt; &#39;", "", "\t\x0b\x01 control\r\ncharacters"]
    raw = nbformat.v4.new_raw_cell("<b>raw</b><script>r()</script>", metadata={"raw_mimetype": "text/html"})
    nb = new_notebook(cells=[new_markdown_cell("# Title <script>z()</script> $a<b$"), raw]
                      + [new_code_cell(source) for source in sources])
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": 'ipython3" onmouseover="f()'}
    cleaned = []
    monkeypatch.setattr(mathml, "clean_html", lambda element: cleaned.append(element) or clean_html(element))

    class Bleached(MathMLExporter):  # every code cell through bleach, as nbconvert's template does
        def default_filters(self):  # type: ignore[no-untyped-def]
            yield from super().default_filters()
            yield ("clean_html", clean_html)

    page = feedback.feedback_page(render_notebook(nb, title="T", exporter_class=MathMLExporter), "T")
    assert cleaned == [raw.source]  # bleach still cleans the raw cell, but no code cell's Pygments markup
    assert page == feedback.feedback_page(render_notebook(nb, title="T", exporter_class=Bleached), "T")
    tags: list[tuple[str, list]] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: tags.append((tag, attrs))  # type: ignore[method-assign]
    parser.feed(page)
    assert "script" not in {tag for tag, _ in tags}
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the learner's code, shown as text


def _page_with_every_output() -> nbformat.NotebookNode:
    """Outputs of each kind the template renders, and learner HTML that tries the edges of a start tag."""
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    learner_html = ('<IMG SRC="data:," TITLE="a > b"><img src="data:," alt="chart of visits"/>'
                    '<div class="x jp-OutputArea-output" tabindex="-1">forged</div>'
                    "<div class='jp-Cell-inputWrapper'>single quotes</div><img src=data:, >")
    nb = _notebook("Åsa & <Ola>", "python")
    nb.cells.append(new_code_cell("1/0", execution_count=2, outputs=[
        new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=["Traceback", "1/0"]),
        new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        new_output("display_data", data={"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"/>'}),
        new_output("display_data", data={"text/html": learner_html}),
        new_output("stream", name="stderr", text="warning\n"),
    ]))
    nb.cells.append(new_markdown_cell('## Förslag / Suggestions\n\n![figur](data:image/png;base64,' + png
                                      + ')\n\n<img src="data:,">\n\nK&ouml;r &lt;b&gt; &#197;sa'))
    return nb


@pytest.mark.parametrize("exporter_class", [MathMLExporter, None])
def test_pages_are_the_same_as_with_nbconverts_beautifulsoup_pass(exporter_class) -> None:
    """nbconvert's HTMLExporter parses and re-serialises every page with BeautifulSoup to add alt text and
    tabindex (about 40 % of a feedback page's CPU); LCE's exporter does it on the start tags: the same document."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from lce_utils.offline_html import NO_ALT, OfflineHTMLExporter

    class Souped(exporter_class or HTMLExporter):  # type: ignore[misc, valid-type]
        from_notebook_node = HTMLExporter.from_notebook_node  # nbconvert's own, with its soup

    nb = _page_with_every_output()
    fast = render_notebook(nb, title="t", lang="sv", exporter_class=exporter_class or OfflineHTMLExporter)
    slow = render_notebook(nb, title="t", lang="sv", exporter_class=Souped)
    assert fast != slow  # not BeautifulSoup's serialisation: the test would prove nothing if it were
    assert str(BeautifulSoup(fast, "html.parser")) == str(BeautifulSoup(slow, "html.parser"))
    assert fast.count(f'alt="{NO_ALT}"') == 5 and 'tabindex="-1"' not in fast
    # the text as text, as BeautifulSoup wrote it: nbconvert writes a heading's letters as references (&#246;)
    assert "Förslag / Suggestions" in fast and "Kör &lt;b&gt; Åsa" in fast
    assert "&#246;" not in fast and "&#197;" not in fast


def test_a_workers_gradebooks_share_one_engine_and_each_sees_what_the_others_wrote(tmp_path, monkeypatch) -> None:
    import nbgrader.api

    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)  # put back after the test
    grading._share_gradebook_engines()  # what each grading worker does as it starts
    url, other = f"sqlite:///{tmp_path / 'gradebook.db'}", f"sqlite:///{tmp_path / 'other.db'}"
    with nbgrader.api.Gradebook(url, "course") as first:
        first.add_student("ada")
        engine = first.engine
        with nbgrader.api.Gradebook(url, "course") as nested:  # nbgrader opens one inside another
            assert nested.engine is engine
            nested.add_student("bo")
        # the nested one's close() disposed the engine's pool while the outer one was still open: it goes on working
        assert sorted(student.id for student in first.students) == ["ada", "bo"]
        first.find_student("ada")
    compiled = len(engine._compiled_cache)
    with nbgrader.api.Gradebook(url, "course") as again, nbgrader.api.Gradebook(other, "course") as elsewhere:
        assert again.engine is engine and elsewhere.engine is not engine
        assert again.find_student("ada").id == "ada"
        assert elsewhere.students == []
    # the same lookups in a new Gradebook were not compiled again
    assert len(engine._compiled_cache) == compiled


def test_a_lessons_markdown_is_rendered_once_per_exporter_and_attachments_stay_each_pages_own(monkeypatch) -> None:
    from lce_utils.courses import mathml

    rendered: list[str] = []
    original = mathml.MarkdownWithMath.render

    def counted(self, source):  # type: ignore[no-untyped-def]
        rendered.append(source)
        return original(self, source)

    monkeypatch.setattr(mathml.MarkdownWithMath, "render", counted)
    monkeypatch.setattr(feedback._EXPORTERS, "by_lang", {}, raising=False)
    lesson = "## Lektion\n\nArea $\\pi r^2$, *viktigt*"
    pixel = {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
                          "RU5ErkJggg=="}
    other = {"image/png": pixel["image/png"].replace("DUlEQVR42", "DUlEQVR43")}
    huge = "ord " * (mathml.MARKDOWN_CACHE_CHARS // 4 + 1)  # longer than what an exporter keeps
    pages = []
    for answer, image in (("Mitt svar", pixel), ("Ett annat svar", other)):
        cell = new_markdown_cell("![bild](attachment:bild.png)")
        cell["attachments"] = {"bild.png": image}
        nb = new_notebook(cells=[new_markdown_cell(lesson), new_markdown_cell(answer), cell, new_markdown_cell(huge)])
        pages.append(feedback.render(nb, "Feedback", "sv"))
    assert rendered.count(lesson) == 1  # the lesson's text, once for both pages
    assert rendered.count("![bild](attachment:bild.png)") == 2  # a cell with attachments: each page its own
    assert rendered.count(huge) == 2 and huge not in {key[0] for key in feedback._exporter("sv")._lce_markdown}
    assert "Mitt svar" in pages[0] and "Ett annat svar" in pages[1] and "Mitt svar" not in pages[1]
    assert pixel["image/png"] in pages[0] and other["image/png"] in pages[1] and pixel["image/png"] not in pages[1]
    fresh = render_notebook(nb, title="Feedback", lang="sv", exporter_class=MathMLExporter)
    assert pages[1] == fresh


def test_a_lessons_code_is_highlighted_once_per_exporter_and_each_learners_own_code_on_their_page(monkeypatch
                                                                                                   ) -> None:
    """Pygments' highlighting of code cells was a third of a feedback page's CPU, and most code cells are the
    lesson's own, the same on every page: highlighted once per exporter, language and magics language."""
    from nbconvert.filters.highlight import Highlight2HTML

    highlighted: list[str] = []
    original = Highlight2HTML.__call__

    def counted(self, source, language=None, metadata=None):  # type: ignore[no-untyped-def]
        highlighted.append(source)
        return original(self, source, language, metadata)

    monkeypatch.setattr(Highlight2HTML, "__call__", counted)
    monkeypatch.setattr(feedback._EXPORTERS, "by_lang", {}, raising=False)
    lesson = "from lce_utils.courses.checks import check\ncheck(x > 0, sv='ja', en='yes')"
    magic = new_code_cell("SELECT 1")
    magic.metadata["magics_language"] = "sql"
    pages, notebooks = [], []
    for answer, language in (("x = 1", "python"), ("x = 2", "python"), ("x = 1", "ipython3")):
        nb = new_notebook(cells=[new_code_cell(lesson), new_code_cell(answer), new_code_cell("SELECT 1"), magic])
        nb.metadata["language_info"] = {"name": language}
        notebooks.append(nb)
        pages.append(feedback.render(nb, "Feedback", "sv"))
    # the lesson's cell once per language; the answers by their text; SELECT 1 with and without its magics
    # language, once each per language
    assert highlighted.count(lesson) == 2 and highlighted.count("x = 1") == 2 and highlighted.count("x = 2") == 1
    assert highlighted.count("SELECT 1") == 4
    assert '<span class="k">SELECT</span>' in pages[2].split("SELECT", 1)[1]  # the SQL magic, on IPython's page
    assert "hl-python" in pages[0] and "hl-ipython3" in pages[2] and "hl-ipython3" not in pages[1]
    for nb, page in zip(notebooks, pages):  # what a fresh exporter makes of each
        assert page == render_notebook(nb, title="Feedback", lang="sv", exporter_class=MathMLExporter)
    assert '<span class="mi">1</span>' in pages[0] and '<span class="mi">2</span>' in pages[1]


def test_a_style_block_that_loads_from_the_network_is_dropped_from_every_feedback_page() -> None:
    """The template's style blocks are checked once (the same on every page), and a block that loads is still
    dropped on each page."""
    loading = "<style>@import url(https://example.org/x.css);</style>"
    own = "<style>.jp-Cell { color: black; }</style>"
    for _ in range(2):
        page = feedback.feedback_page(f"<html><head>{own}{loading}</head><body><p>hej</p></body></html>", "T", "sv")
        assert ".jp-Cell { color: black; }" in page and "example.org" not in page


def test_a_workers_metadata_check_checks_the_schema_once_and_still_refuses_bad_metadata(monkeypatch) -> None:
    import jsonschema
    import nbgrader.nbgraderformat.common as common
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    monkeypatch.setattr(common, "jsonschema", common.jsonschema)  # put back after the test
    checked = []
    original = jsonschema.Draft4Validator.check_schema

    def counted(schema):  # type: ignore[no-untyped-def]
        checked.append(1)
        return original(schema)

    monkeypatch.setattr(jsonschema.Draft4Validator, "check_schema", counted)
    grading._check_metadata_schemas_once()

    def graded(points):  # type: ignore[no-untyped-def]
        cell = new_code_cell("assert True")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"test-{points}", "locked": True, "points": points,
                                     "schema_version": 3, "solution": False, "task": False}
        return cell

    MetadataValidator().validate_nb(new_notebook(cells=[graded(n) for n in range(1, 30)]))
    assert len(checked) == 1  # 29 cells, the schema itself checked once
    with pytest.raises(ValidationError, match="'two' is not of type"):
        MetadataValidator().validate_nb(new_notebook(cells=[graded(1), graded("two")]))


def test_a_page_and_a_graded_notebook_are_validated_once_after_all_preprocessors(monkeypatch) -> None:
    assert grading_config(Path("/tmp"))["Exporter"]["optimistic_validation"] is True  # nbgrader's autograde exporter
    page, broken = _notebook("once", "python"), _notebook("broken", "python")
    broken.cells[1]["execution_count"] = "one"  # the schema allows a number or null
    validated = []
    original = nbformat.validate

    def counted(nb, *args, **kwargs):  # type: ignore[no-untyped-def]
        validated.append(1)
        return original(nb, *args, **kwargs)

    monkeypatch.setattr(nbformat, "validate", counted)
    monkeypatch.setattr(feedback._EXPORTERS, "by_lang", {}, raising=False)
    feedback.render(page, "Feedback", "sv")
    assert len(validated) == 1  # was once after each of the HTML exporter's preprocessors
    with pytest.raises(nbformat.ValidationError):
        feedback.render(broken, "Feedback", "sv")


def test_each_learners_checks_and_status_are_written_as_their_result_arrives(tmp_path, monkeypatch) -> None:
    # The tamper checks and status files used to wait for the last learner's result: a serial tail of about 25 s
    # after 230 learners, with the workers done and one core idle. Now each learner's come right after their merge.
    course = copy_course(tmp_path / "root") / "courses"
    release([ASSIGNMENT], course)
    kinds = {"a-correct": "demo-correct", "b-partial": "demo-partial", "c-correct": "demo-correct"}
    for student, kind in kinds.items():
        write_submission(tmp_path / "subs", student, course, kind=kind)
    events: list[tuple[str, str]] = []
    merge_result, write_status = grading.merge_result, workflow.write_status

    def merged(root, assignment, data, gb):
        merge_result(root, assignment, data, gb)
        events.append(("merged", data["student"]))

    def status(root, assignment, student, content):
        events.append(("status", student))
        write_status(root, assignment, student, content)

    monkeypatch.setattr(grading, "merge_result", merged)
    monkeypatch.setattr(workflow, "write_status", status)
    report = workflow.grade(ASSIGNMENT, tmp_path / "subs", course, timeout=15, workers=2)
    order = [student for event, student in events if event == "merged"]
    assert sorted(order) == sorted(kinds)
    assert events == [(event, student) for student in order for event in ("merged", "status")]
    assert [(r.student, r.ok) for r in report.results] == [(s, True) for s in sorted(kinds)]
    assert report.findings == []
    assert {s: read_status(course, ASSIGNMENT, s)["ok"] for s in kinds} == dict.fromkeys(kinds, True)
