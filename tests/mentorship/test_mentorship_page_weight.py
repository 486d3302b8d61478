"""What Chromium loads for the sign-up page (issue 10, point 7): Chromium's own cost per visit is mostly compiling
and running Voilà's JavaScript, so the number and bytes of scripts are held under what was measured, and nothing
is fetched from anywhere but the server.

Measured on 2026-12-02 (a fresh browser context, until the name field takes input and the network is idle):
before, 91 scripts of 4,681,000 bytes (among them MathJax 3, 16 scripts and about 1.1 MB, loaded to typeset the
widgets' labels, and jupyterlab_pygments' 3); now 73 scripts of 3,767,647 bytes (MathJax replaced by the
template's 700-byte stub, jupyterlab_pygments denied). The limits leave a little room and fail on the old page."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import free_port, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LCE = str(Path(sys.executable).parent / "lce")
TOKEN = "test-coordinator-token-" + "w" * 8
SIGNUP = "/voila/render/signup/index.ipynb"
TIMEOUT = 120_000
MAX_SCRIPTS = 76  # measured 73 (91 before)
MAX_SCRIPT_BYTES = 3_900_000  # measured 3,767,647 (4,681,000 before)


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mentorship-weight")
    port = free_port()
    argv = [LCE, "mentorship", "serve", "--port", str(port), "--pool", "1", "--token", TOKEN]
    env = {"LCE_MENTORSHIP_DB": f"sqlite:///{folder / 'mentorship.db'}"}
    with running_server(argv, port, "/lce/health", env=env, timeout=120, log=folder / "voila.log") as base:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the preheated form, as a visitor finds it
            with urllib.request.urlopen(base + "/lce/health", timeout=10) as resp:
                if json.load(resp)["rendered"].get("signup/index.ipynb", 0) >= 1:
                    break
            time.sleep(0.5)
        yield base


def test_signup_page_loads_few_scripts_and_only_from_the_server(browser, voila):
    context = browser.new_context(locale="sv-SE")  # (an empty cache: a first visit)
    page = context.new_page()
    finished, failed, errors = [], [], []
    page.on("requestfinished", lambda req: finished.append(req))
    page.on("requestfailed", lambda req: failed.append(req))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(voila + SIGNUP, timeout=TIMEOUT)
        name = page.get_by_label("Namn (krävs)", exact=True)
        name.fill("Test", timeout=TIMEOUT)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)  # (what loads once the widgets show, too)
        scripts = [(req.url, req.sizes()["responseBodySize"]) for req in finished if req.resource_type == "script"]
        hosts = {urlsplit(req.url).netloc for req in finished + failed if not req.url.startswith("data:")}
    finally:
        context.close()
    assert hosts == {urlsplit(voila).netloc}, hosts
    assert not failed, [req.url for req in failed]
    assert not errors, errors
    total = sum(size for _, size in scripts)
    assert len(scripts) <= MAX_SCRIPTS, (len(scripts), total)
    assert total <= MAX_SCRIPT_BYTES, (len(scripts), total)
    assert not [url for url, _ in scripts if "jupyterlab_pygments" in url]
    assert [url for url, _ in scripts if "/lce-no-mathjax.js" in url], "the MathJax stub was not what was loaded"
