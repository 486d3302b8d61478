"""Serving pieces without a browser: the live-kernel cap on real kernels, the extension denylist, the template;
and the follow-up app's forms on a real store."""

from __future__ import annotations

import datetime as dt

import pytest
from tornado import web

from lce_utils.mentorship import current_matches, list_applications, run_matching, submit_application
from lce_utils.mentorship.apps.followup import FollowupApp
from lce_utils.mentorship.serve import TEMPLATE_ROOT, CappedKernelManager, denied_extensions
from tests.mentorship.test_mentorship_support import application, email


def test_mentorship_kernel_cap_refuses_beyond_the_limit(tmp_path):
    async def scenario() -> tuple[int, int]:
        manager = CappedKernelManager(max_kernels=2, connection_dir=str(tmp_path))
        first = await manager.start_kernel(path="signup")
        await manager.start_kernel(path="coordinator")
        with pytest.raises(web.HTTPError) as info:
            await manager.start_kernel(path="signup")
        assert manager.kernel_paths[first] == "signup"
        await manager.shutdown_kernel(first, now=True)
        await manager.start_kernel(path="signup")  # room again after one stopped
        alive = len(manager.list_kernel_ids())
        await manager.shutdown_all(now=True)
        return info.value.status_code, alive

    from tests.mentorship.test_mentorship_browser import in_thread  # (Playwright's sync API may own this thread's loop)

    status, alive = in_thread(scenario())
    assert status == 503 and alive == 2


def test_mentorship_extension_denylist_keeps_only_the_widgets():
    denied = denied_extensions()
    assert "@jupyter-widgets/jupyterlab-manager" not in denied
    assert any("nbgrader" in name for name in denied)
    assert any(name.startswith("@jupyter-notebook/") for name in denied)


def test_mentorship_template_loads_nothing_from_the_network():
    text = (TEMPLATE_ROOT / "voila" / "templates" / "lce" / "index.html.j2").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in text and "https://" not in text.replace("https://github.com/pallets", "")
    assert "{%- extends 'nbconvert/templates/lab/index.html.j2' -%}" in text


@pytest.mark.slow
def test_mentorship_followup_app_logs_sessions_and_feedback(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    submit_application(application(1, role="mentor", skills_offered=["mixing"], skills_wanted=[]), url)
    submit_application(application(2), url)
    run_matching(url)
    code = current_matches(url)[0].code
    app = FollowupApp(url=url)
    app.email.widget.value, app.code.widget.value = email("person2"), "wrong"
    app.on_log_session()
    assert "hör inte ihop" in app.code.error.value
    app.code.widget.value = code
    app.held_on.widget.value = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    app.on_log_session()
    assert "framtiden" in app.held_on.error.value
    app.held_on.widget.value = dt.date.today().isoformat()
    app.on_log_session()
    assert "är sparad" in app.session_result.value and app.held_on.error.value == ""
    app.switch.widget.value = "en"
    app.score.widget.value = 4
    app.comment.widget.value = "Good <b>talks</b>"
    app.on_feedback()
    assert "Thank you for your feedback" in app.feedback_result.value
    assert len(list_applications(url)) == 2


def test_mentorship_websocket_filter_holds_back_stderr_errors_and_tracebacks():
    from lce_utils.mentorship.serve import withheld

    def msg(kind: str, content: dict) -> dict:
        return {"header": {"msg_type": kind}, "msg_type": kind, "metadata": {}, "content": content}

    verdicts = [
        withheld(msg("stream", {"name": "stderr", "text": "lce mentorship: unexpected error\n"})),
        withheld(msg("error", {"ename": "OperationalError", "evalue": "x", "traceback": ["..."]})),
        withheld(msg("execute_reply", {"status": "error", "ename": "E", "evalue": "x", "traceback": []})),
        withheld(msg("comm_msg", {"comm_id": "c", "data": {"state": {"outputs": [
            {"output_type": "stream", "text": "Traceback (most recent call last):\n  File \"/srv/x.py\""}]}}})),
        withheld(msg("stream", {"name": "stdout", "text": "saved\n"})),
        withheld(msg("comm_msg", {"comm_id": "c", "data": {"method": "update", "state": {"value": "Åsa"}}})),
        withheld(msg("kernel_info_reply", {"status": "ok", "banner": "Python 3.11"})),
    ]
    assert verdicts == ["stderr", "error", "traceback", "traceback", None, None, None]


def test_mentorship_server_pages_are_bilingual_and_self_contained():
    from lce_utils.mentorship.pages import busy_page, error_page, login_page, logout_page

    busy = busy_page(retry_after=10)
    assert '<meta http-equiv="refresh" content="10">' in busy and 'lang="sv"' in busy
    assert "Många besökare just nu" in busy and "Many visitors right now" in busy
    login = login_page(action="/login", next_url='/x"><script>', xsrf_html="", failed=True,
                       signup_url="/voila/render/signup/index.ipynb")
    assert '<label for="password">' in login and 'id="password"' in login and 'aria-invalid="true"' in login
    assert "Fel token" in login and "Wrong token" in login and '"><script>' not in login
    pages = [busy, login, logout_page(login_url="/login"), error_page(403), error_page(404)]
    assert not any("http://" in p or "https://" in p or "<script" in p for p in pages)
    assert "Åtkomst nekad" in error_page(403) and "Page not found" in error_page(404)


def test_mentorship_template_never_puts_stderr_or_a_traceback_in_the_page(monkeypatch):
    """LCE's Voilà template renders a cell's stdout but never its stderr or an error output (Voilà strips them
    only when a cell ends normally; the lab template it extends showed both)."""
    import nbformat
    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    from tests.mentorship.test_mentorship_browser import in_thread

    monkeypatch.setenv("JUPYTER_PATH", str(TEMPLATE_ROOT))
    cell = nbformat.v4.new_code_cell("app()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="STDOUT-SHOWN\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="STDERR-HIDDEN /srv/lce/app.py\n"),
                    nbformat.v4.new_output("error", ename="OperationalError", evalue="db",
                                           traceback=["Traceback (most recent call last): TRACEBACK-HIDDEN"])]
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                         "display_name": "Python 3"}})

    async def kernel_start(nb):  # (the template asks for a kernel id; the cells below are already run)
        return "kernel"

    async def cells(nb, kernel_id):
        for each in nb.cells:
            yield each

    async def render() -> str:
        exporter = VoilaExporter(template_paths=collect_template_paths(["voila", "nbconvert"], "lce"),
                                 template_name="lce", base_url="/", theme="light")
        resources = {"base_url": "/", "theme": "light", "template": "lce", "metadata": {"name": "app"},
                     "page_config": {}}
        context = {"frontend": "voila", "kernel_start": kernel_start, "cell_generator": cells,
                   "main_js": "voila.js", "progressive_rendering": False}
        parts = [part async for part, _ in exporter.generate_from_notebook_node(nb, resources=resources,
                                                                               extra_context=context)]
        return "".join(parts)

    html = in_thread(render())
    assert "STDOUT-SHOWN" in html, "outputs are rendered (so the test can see one missing)"
    assert "STDERR-HIDDEN" not in html and "/srv/lce" not in html
    assert "TRACEBACK-HIDDEN" not in html and "Traceback" not in html
