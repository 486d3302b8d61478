"""`make lab`'s configuration in a real browser: the landing notebook, and Voilà as Binder serves it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lce_utils.paths import ROOT
from tests.servers import free_port, running_server

pytestmark = pytest.mark.browser
TOKEN = "lce-test"


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab with binder/jupyter_lab_config.py, the same server Binder's links go through."""
    tmp = tmp_path_factory.mktemp("lab")
    port = free_port()
    jupyter = Path(sys.executable).parent / "jupyter"
    argv = [str(jupyter), "lab", f"--config={ROOT / 'binder/jupyter_lab_config.py'}", f"--port={port}",
            "--no-browser", f"--IdentityProvider.token={TOKEN}", "--ServerApp.port_retries=0"]
    env = {"JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "ws"),
           "LCE_MENTORSHIP_DB": f"sqlite:///{tmp / 'mentorship.db'}"}
    with running_server(argv, port, f"/api/status?token={TOKEN}", cwd=ROOT, env=env, log=tmp / "lab.log") as base:
        yield base


def test_lab_opens_landing_notebook(page, lab_server):
    # The default URL of the configuration is the landing notebook.
    page.goto(f"{lab_server}/?token={TOKEN}", timeout=60_000)
    page.wait_for_url("**/lab/tree/index.ipynb**", timeout=60_000)
    heading = page.locator(".jp-RenderedMarkdown h1", has_text="Learn, Create, Engage")
    heading.first.wait_for(timeout=90_000)
    page.locator(".jp-RenderedMarkdown", has_text="Spara ditt arbete").first.wait_for(state="attached",
                                                                                   timeout=30_000)
    assert page.watch.external_requests == [], page.watch.external_requests
    assert page.watch.page_errors == [], page.watch.page_errors


def test_signup_through_jupyter_server_voila_loads_nothing_remote(page, lab_server):
    """The README's Binder link renders the sign-up with Voilà's server extension: the same offline template."""
    page.goto(f"{lab_server}/voila/render/mentorship/signup/index.ipynb?token={TOKEN}", timeout=120_000)
    page.get_by_label("Namn (krävs)", exact=True).wait_for(timeout=120_000)
    assert page.watch.external_requests == [], page.watch.external_requests
    assert page.watch.page_errors == [], page.watch.page_errors
    assert page.watch.console_errors == [], page.watch.console_errors
