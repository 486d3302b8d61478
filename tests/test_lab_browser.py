"""`make lab`'s configuration opens index.ipynb in JupyterLab, in a real browser."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lce_utils.paths import ROOT
from tests.servers import running_server

pytestmark = pytest.mark.browser


def test_lab_opens_landing_notebook(page, server_port, tmp_path):
    jupyter = Path(sys.executable).parent / "jupyter"
    argv = [str(jupyter), "lab", f"--config={ROOT / 'binder/jupyter_lab_config.py'}", f"--port={server_port}",
            "--no-browser", "--IdentityProvider.token=lce-test", "--ServerApp.port_retries=0"]
    env = {"JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    with running_server(argv, server_port, "/api/status?token=lce-test", cwd=ROOT, env=env,
                        log=tmp_path / "lab.log") as base:
        # The default URL of the configuration is the landing notebook.
        page.goto(f"{base}/?token=lce-test", timeout=60_000)
        page.wait_for_url("**/lab/tree/index.ipynb**", timeout=60_000)
        heading = page.locator(".jp-RenderedMarkdown h1", has_text="Learn, Create, Engage")
        heading.first.wait_for(timeout=90_000)
        assert page.locator(".jp-RenderedMarkdown", has_text="Spara ditt arbete").count() >= 1
        assert page.watch.external_requests == [], page.watch.external_requests
        assert page.watch.page_errors == [], page.watch.page_errors
