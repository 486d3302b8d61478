"""Check my work and the download inside JupyterLab, for real: `make lab`'s JupyterLab on a released lesson, a kernel
session per language version, the footer's cells run through that kernel; nbgrader's Validate button is off."""

from __future__ import annotations

import io
import json
import shutil
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from queue import Empty

import nbformat
import pytest
from jupyter_client import BlockingKernelClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lce_utils.courses.release import release
from lce_utils.courses.validate import left_as_released
from lce_utils.paths import ROOT
from tests.servers import free_port, running_server

pytestmark = pytest.mark.slow

TOKEN = "selfcheck-test-token"
STUB = "# Skriv ditt svar här / Write your answer here"
CHECK_CELL = "from lce_utils.courses.selfcheck import check_my_work\n\ncheck_my_work()"


def _nbgrader(grade_id: str, *, solution: bool = False, points: int = 0) -> dict:
    return {"nbgrader": {"grade": bool(points), "grade_id": grade_id, "locked": not solution, "points": points,
                         "schema_version": 3, "solution": solution, "task": False}}


def _test_cell(name: str, grade_id: str, points: int) -> nbformat.NotebookNode:
    source = ("from lce_utils.courses.checks import check, done, is_number\n\n"
              f'check("{name}" in globals(), sv="Namnet {name} finns inte än.", en="The name {name} does not exist '
              'yet.")\n'
              f'check(is_number({name}), sv="{name} ska vara ett tal.", en="{name} should be a number.")\n'
              "### BEGIN HIDDEN TESTS\n"
              f'check({name} > 0, sv="{name} ska vara större än noll.", en="{name} should be more than zero.")\n'
              "### END HIDDEN TESTS\n"
              'done(sv="Bra!", en="Well done!")')
    return new_code_cell(source, metadata=_nbgrader(grade_id, points=points))


def _lesson() -> nbformat.NotebookNode:
    nb = new_notebook(cells=[
        new_markdown_cell("# Provlektion\n\nLektion 1 av 1\n\n<!-- en -->\n\n# Trial lesson\n\nLesson 1 of 1"),
        new_code_cell('from lce_utils.courses.checks import set_language\nset_language("sv")',
                      metadata={"tags": ["lce-language"]}),
        new_markdown_cell("**Övning 1.** Skriv biljettpriset.\n\n<!-- en -->\n\n**Exercise 1.** Write the ticket "
                          "price."),
        new_code_cell("# price = ...\n### BEGIN SOLUTION\nprice = 120\n### END SOLUTION",
                      metadata=_nbgrader("price_answer", solution=True)),
        _test_cell("price", "test_price", 2),
        new_markdown_cell("**Övning 2.** Räkna ut summan.\n\n<!-- en -->\n\n**Exercise 2.** Work out the total."),
        new_code_cell("### BEGIN SOLUTION\ntotal = price * 3\n### END SOLUTION",
                      metadata=_nbgrader("total_answer", solution=True)),
        _test_cell("total", "test_total", 1),
    ])
    nb.metadata["lce"] = {"lesson": 1, "title": {"sv": "Provlektion", "en": "Trial lesson"}, "minutes": 45}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A released trial lesson answered half-way by a learner, in JupyterLab as `make lab` starts it."""
    tmp = tmp_path_factory.mktemp("selfcheck")
    course = tmp / "checkout" / "courses"
    (course / "source" / "trial").mkdir(parents=True)
    (tmp / "checkout" / "knowledge").mkdir()
    for name in ("nbgrader_config.py", "footer.ipynb"):
        shutil.copy2(ROOT / "courses" / name, course / name)
    nbformat.write(_lesson(), course / "source" / "trial" / "lesson.ipynb")
    release(["trial"], root=course)
    work = tmp / "work"
    work.mkdir()
    for name in ("lesson.ipynb", "lesson.en.ipynb"):
        nb = nbformat.read(course / "release" / "trial" / name, as_version=4)
        for cell in nb.cells:   # the learner answers exercise 1 and saves
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "price_answer":
                cell.source = cell.source + "\nprice = 120"
        nbformat.write(nb, work / name)
    (work / "my-sounds").mkdir()
    (work / "my-sounds" / "tone.wav").write_bytes(b"RIFF" + bytes(100))
    port = free_port()
    argv = [str(Path(sys.executable).parent / "jupyter"), "lab", f"--config={ROOT / 'binder/jupyter_lab_config.py'}",
            f"--port={port}", "--no-browser", f"--IdentityProvider.token={TOKEN}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={work}"]
    env = {"JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "ws"),
           "JUPYTER_CONFIG_PATH": str(ROOT / "binder" / "learner-config"),   # as `make lab` sets it
           "LCE_ROOT": str(tmp / "checkout")}
    with running_server(argv, port, f"/api/status?token={TOKEN}", cwd=work, env=env, log=tmp / "lab.log") as base:
        yield {"base": base, "runtime": tmp / "runtime", "work": work}


def _api(base: str, path: str, body: dict | None = None, method: str = "GET") -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}?token={TOKEN}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read().decode()
    return json.loads(text) if text else {}


def _run(client: BlockingKernelClient, code: str) -> tuple[str, list[dict], dict]:
    """Execute code in the kernel; (stdout text, error contents, display data) once the kernel is idle again."""
    msg_id = client.execute(code)
    text, errors, shown = [], [], {}
    while True:
        msg = client.get_iopub_msg(timeout=300)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            text.append(content["text"])
        elif kind == "error":
            errors.append(content)
        elif kind in ("display_data", "execute_result"):
            shown = content["data"]
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(text), errors, shown


@pytest.fixture
def session(lab: dict, request: pytest.FixtureRequest):
    """A kernel session on one language version of the lesson, as JupyterLab opens it; closed afterwards."""
    name = request.param
    model = _api(lab["base"], "/api/sessions", {"path": name, "name": name, "type": "notebook",
                                                "kernel": {"name": "python3"}}, "POST")
    kernel = model["kernel"]["id"]
    deadline = time.monotonic() + 180
    client = BlockingKernelClient(connection_file=str(lab["runtime"] / f"kernel-{kernel}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        while True:   # iopub joins late: ask for kernel info until its status messages arrive there
            client.kernel_info()
            try:
                client.get_iopub_msg(timeout=2)
                break
            except Empty:
                assert time.monotonic() < deadline, "no message from the lesson's kernel"
        while True:   # drain what the kernel-info requests published
            try:
                client.get_iopub_msg(timeout=1)
            except Empty:
                break
        yield client
    finally:
        client.stop_channels()
        _api(lab["base"], f"/api/sessions/{model['id']}", method="DELETE")


SWEDISH = ["Kontrollerar den sparade notebooken lesson.ipynb …",
           "1 svar saknas än:",
           "  - inte besvarad: Övning 2",
           "1 kontroll(er) gick inte igenom än:",
           "  - Namnet total finns inte än.",
           "Läs meddelandet under kontrollcellen, ändra svaret ovanför den och kör båda cellerna igen.",
           "Obs: 2 kontrollcell(er) har även DOLDA tester som inte kördes här. Kursledaren kör dem vid rättningen, så "
           "att allt går igenom här är ingen garanti för full poäng."]
ENGLISH = ["Checking the saved notebook lesson.en.ipynb …",
           "1 answer(s) still missing:",
           "  - not answered yet: Exercise 2",
           "1 check(s) did not pass yet:",
           "  - The name total does not exist yet.",
           "Read the message under the check cell, change the answer above it and run both cells again.",
           "Note: 2 check cell(s) also contain HIDDEN tests that were not run here; your course leader runs them "
           "when grading, so passing here does not guarantee full points."]


@pytest.mark.parametrize(("session", "expected", "unsaved"), [
    ("lesson.ipynb", SWEDISH, "Obs: notebooken verkar ha ändringar som inte är sparade."),
    ("lesson.en.ipynb", ENGLISH, "Note: the notebook seems to have changes that are not saved."),
], indirect=["session"])
def test_check_my_work_explains_the_saved_lesson_in_its_language(session: BlockingKernelClient,
                                                                  expected: list[str], unsaved: str) -> None:
    text, errors, _ = _run(session, CHECK_CELL)
    assert errors == []
    assert text.splitlines() == expected
    assert "Traceback" not in text and "Error" not in text
    # a cell run but not saved: the learner is told to save first (and still gets the check of the saved file)
    _run(session, "total = 360")
    text, errors, _ = _run(session, CHECK_CELL)
    assert errors == []
    assert text.splitlines()[1].startswith(unsaved)
    assert text.splitlines()[2:] == expected[1:]


@pytest.mark.parametrize("session", ["lesson.ipynb"], indirect=True)
def test_the_download_link_is_served_by_jupyterlab(lab: dict, session: BlockingKernelClient) -> None:
    _, errors, shown = _run(session, "from lce_utils.courses.savework import download_link\n\ndownload_link()")
    assert errors == []
    assert '<a href="lesson.zip" download="lesson.zip"' in shown["text/html"] and "Ladda ner" in shown["text/html"]
    with urllib.request.urlopen(f"{lab['base']}/files/lesson.zip?token={TOKEN}", timeout=60) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    assert archive.namelist() == ["lesson.ipynb", "my-sounds/tone.wav"]


def test_nbgraders_validate_button_is_off_in_make_lab(lab: dict) -> None:
    with urllib.request.urlopen(f"{lab['base']}/lab?token={TOKEN}", timeout=60) as response:
        page = response.read().decode()
    start = page.index('<script id="jupyter-config-data" type="application/json">')
    config = json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])
    assert "@jupyter/nbgrader:validate-assignment" in config["disabledExtensions"]
    assert "@jupyter/nbgrader:assignment-list" not in config["disabledExtensions"]


def test_an_answer_counts_as_missing_while_the_stub_ends_its_block() -> None:
    assert left_as_released(f"# price = ...\n{STUB}", STUB)
    assert not left_as_released(f"# price = ...\n{STUB}\nprice = 120", STUB)
    assert not left_as_released(f"price = 120\n{STUB}", STUB)
    assert left_as_released(f'def f(x):\n    """Doc."""\n    {STUB}\n\n\ndef g():\n    return 1', STUB)
    assert not left_as_released(f'def f(x):\n    """Doc."""\n    {STUB}\n    return x', STUB)
    assert left_as_released(f"total = (\n    {STUB}\n)", STUB)
    assert not left_as_released(f"total = (\n    {STUB}\n    3\n)", STUB)
    assert not left_as_released("price = 120", STUB)


def test_a_failed_check_is_explained_by_its_own_message_never_a_traceback() -> None:
    from lce_utils.courses.validate import Message, _failure

    check = _failure("\x1b[1;31mInte klart än:\x1b[0m Namnet total finns inte än.")
    assert (check.sv, check.text(None)) == ("Namnet total finns inte än.", "Namnet total finns inte än.")
    missing = _failure("Traceback (most recent call last):\n  Cell In[4], line 1\nNameError: name 'price' is not "
                       "defined")
    assert missing.text("en") == ("the name price does not exist yet: write your answer in the answer cell above "
                                  "and run it (Shift+Enter)")
    assert missing.text("sv").startswith("namnet price finns inte än")
    assert Message("Hej", "Hello").text(None) == "Hello / Hej"


@pytest.mark.parametrize("session", ["lesson.ipynb"], indirect=True)
def test_in_chromium_no_validate_button_and_the_download_link_goes_through_files(
        lab: dict, session: BlockingKernelClient, page) -> None:
    # session: the kernel already runs, so JupyterLab opens the notebook on it
    page.goto(f"{lab['base']}/lab/tree/lesson.ipynb?token={TOKEN}", timeout=120_000)
    toolbar = page.locator(".jp-NotebookPanel-toolbar")
    toolbar.first.wait_for(timeout=120_000)
    page.locator(".jp-RenderedMarkdown", has_text="Ladda ner allt på en gång").first.wait_for(state="attached",
                                                                                         timeout=120_000)
    assert toolbar.locator("[data-command='docmanager:save'], .jp-ToolbarButtonComponent").count() > 0
    assert page.locator(".validate-button").count() == 0   # nbgrader's plugin adds it to every notebook's toolbar
    cell = page.locator(".jp-CodeCell", has_text="download_link()").first
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    link = page.locator(".jp-OutputArea-output a[download='lesson.zip']").first
    link.wait_for(timeout=180_000)
    href = link.get_attribute("href") or ""
    assert "/files/lesson.zip" in href   # JupyterLab resolved the relative link
    response = page.request.get(href if href.startswith("http") else lab["base"] + href)
    assert response.status == 200
    assert zipfile.ZipFile(io.BytesIO(response.body())).namelist() == ["lesson.ipynb", "my-sounds/tone.wav"]
    assert page.watch.external_requests == []


def test_without_a_course_configuration_the_lce_stubs_are_recognised(tmp_path: Path) -> None:
    # the learners' repository has the releases only: no nbgrader_config.py beside them
    from lce_utils.courses.validate import CODE_STUB, TEXT_STUB, _stubs, unanswered

    assert _stubs(tmp_path) == (CODE_STUB, TEXT_STUB) == (STUB, "Skriv ditt svar här. / Write your answer here.")
    assert _stubs(ROOT / "courses") == (CODE_STUB, TEXT_STUB)   # the course's configuration sets the same
    nb = _lesson()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = f"# price = ...\n{STUB}"
    assert unanswered(nb, CODE_STUB, TEXT_STUB) == [("Övning 1", False), ("Övning 2", False)]


def test_without_a_jupyter_session_the_check_says_where_it_runs_and_runs_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """nbclient or papermill running a lesson top to bottom has no session: no second run of the notebook."""
    from lce_utils.courses import selfcheck

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(selfcheck, "explain", lambda *a, **k: pytest.fail("the notebook must not be run again"))
    selfcheck.check_my_work()
    out = capsys.readouterr().out
    assert "Kontrollen körs när du kör cellen i JupyterLab." in out and "The check runs when" in out
