"""Shared fixtures: a real Chromium (Debian's, through Playwright), servers on free ports, the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lce_utils.paths import ROOT
from tests.servers import free_port, running_server  # noqa: F401  (re-exported for tests)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(autouse=True, scope="session")
def _mentorship_exports_in_temp(tmp_path_factory):
    """Erasure and purge clean the exports folder: in tests, a temporary one, never the checkout's var/."""
    if "LCE_MENTORSHIP_EXPORTS" not in os.environ:
        os.environ["LCE_MENTORSHIP_EXPORTS"] = str(tmp_path_factory.mktemp("mentorship-exports"))
    yield


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)  # in CI a browser test must not pass by skipping
        pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_session():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session):
    """Debian's Chromium, headless; never a downloaded browser."""
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageWatch:
    """What a page did: console errors, page errors and every request that left 127.0.0.1."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.external_requests: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("request", self._on_request)

    def _on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        host = url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if host not in {"127.0.0.1", "localhost"} and not url.startswith("file:"):
            self.external_requests.append(url)


@pytest.fixture
def page(browser):
    """A fresh browser context and page; requests leaving 127.0.0.1 are blocked and recorded."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    watch = PageWatch(page)

    def route(route_obj):
        url = route_obj.request.url
        host = url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if url.startswith(("http://", "https://", "ws://", "wss://")) and host not in {"127.0.0.1", "localhost"}:
            route_obj.abort()
        else:
            route_obj.continue_()

    page.route("**/*", route)
    page.watch = watch
    yield page
    context.close()


@pytest.fixture
def server_port() -> int:
    return free_port()
