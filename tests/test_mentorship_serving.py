"""Serving pieces without a browser: the live-kernel cap on real kernels, the extension denylist, the template;
and the follow-up app's forms on a real store."""

from __future__ import annotations

import datetime as dt

import pytest
from tornado import web

from lce_utils.mentorship import current_matches, list_applications, run_matching, submit_application
from lce_utils.mentorship.apps.followup import FollowupApp
from lce_utils.mentorship.serve import TEMPLATE_ROOT, CappedKernelManager, denied_extensions
from tests.test_mentorship_support import application, email


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

    from tests.test_mentorship_browser import in_thread  # (Playwright's sync API may own this thread's loop)

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
