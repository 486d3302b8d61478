"""The report site's search, for real: Pagefind bundles built with the site, Debian's Chromium with every request
that leaves 127.0.0.1 aborted, Swedish stemming on Swedish text and English on English, and pages that still read
and navigate with JavaScript off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lce_utils.knowledge.case_commands import publish_example
from lce_utils.reports import search
from lce_utils.reports.build import build_site

pytestmark = pytest.mark.slow  # the module's fixture builds a site

TINY = {"cells": [
    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "word = 'x'", "outputs": [],
     "execution_count": None, "id": "p"},
    {"cell_type": "code", "metadata": {}, "source": "print('Konserterna i parken lockade många.')", "outputs": [],
     "execution_count": None, "id": "a"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A small demo site: one report and the bundled example case, published from a case store of its own."""
    folder = tmp_path_factory.mktemp("search-site")
    db = f"sqlite:///{folder / 'knowledge.db'}"
    publish_example(db)
    (folder / "templates").mkdir()
    (folder / "templates" / "tiny.ipynb").write_text(json.dumps(TINY))
    config = folder / "reports.yaml"
    config.write_text(f"data: demo\ncontact: lce-demo@example.org\ncases: {{database: '{db}'}}\nreports:\n"
                      "  - {id: parken, title: {sv: Parken, en: The park}, template: tiny.ipynb}\n")
    out = folder / "_site"
    build_site(config, root=folder, out=out)
    return out


def visible_words(html: str) -> set[str]:
    return set(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", html).lower()))


def test_pages_are_indexed_by_language(site):
    """Swedish text in the Swedish bundle, English text in the English one; the bundles hold only what is used."""
    case = next(p for p in search.pages(site) if p.url == "case-1.html")
    assert case.title == {"sv": "Öppna repetitioner för unga", "en": "Open rehearsals for young people"}
    assert "utställningar och föreställningar" in case.text["sv"] and "exhibitions" not in case.text["sv"]
    assert "exhibitions and performances" in case.text["en"] and "utställningar" not in case.text["en"]
    for lang in ("sv", "en"):
        entry = json.loads((site / "pagefind" / lang / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == [lang]
        assert not (site / "pagefind" / lang / "pagefind-ui.js").exists()
    assert (site / "assets" / "search.js").is_file() and (site / "sok.html").is_file()
    assert "sok.html" not in [p.url for p in search.pages(site)]


def _search(page, base: str, terms: str) -> list[tuple[str, str]]:
    page.goto(f"{base}/sok.html")
    page.wait_for_selector("#lce-search[data-ready]", timeout=60_000)  # else the form would submit as a plain GET
    page.fill("#lce-search-q", terms)
    page.click("#lce-search button[type=submit]")
    page.wait_for_function("document.getElementById('lce-search-status').textContent.includes(' träffar för ')",
                           timeout=60_000)
    return [(li.get_attribute("lang"), li.query_selector("a").get_attribute("href"))
            for li in page.query_selector_all("#lce-search-results li")]


@pytest.mark.browser
def test_swedish_and_english_search_offline(page, site, served):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    case = (site / "case-1.html").read_text(encoding="utf-8")
    words = visible_words(case)
    assert "utställningar" in words and "utställning" not in words  # only the plural form is on the page
    assert _search(page, served, "utställning") == [("sv", "case-1.html")]
    assert "utställningar" in page.inner_text("#lce-search-results mark")
    assert "exhibition" not in words and "exhibitions" in words
    assert _search(page, served, "exhibition") == [("en", "case-1.html")]
    assert sorted(_search(page, served, "rehearsals")) == [("en", "case-1.html"), ("en", "fall.html"),
                                                          ("en", "index.html")]  # the case and the lists of cases
    assert ("sv", "parken.html") in _search(page, served, "konsert")  # a report page, its printed output
    assert _search(page, served, "zyxwvut") == []
    assert "0 träffar" in page.inner_text("#lce-search-status")
    found = _search(page, served, "utställning")
    page.click(f"#lce-search-results a[href='{found[0][1]}']")
    page.wait_for_url("**/case-1.html")
    assert page.watch.external_requests == [] and page.watch.page_errors == [] and page.watch.console_errors == []
    assert requested and all(url.startswith(served) for url in requested), [u for u in requested
                                                                            if not u.startswith(served)]


@pytest.mark.browser
def test_pages_read_and_navigate_without_javascript(browser, served):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    try:
        page = context.new_page()
        outside: list[str] = []
        page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                   if not route.request.url.startswith(served) else route.continue_())
        page.goto(f"{served}/index.html")
        page.click("nav >> text=Sök")
        page.wait_for_url("**/sok.html")
        notice = page.locator("noscript p, p.lce-note").first
        assert "Sökningen behöver JavaScript" in page.content() and "Search needs JavaScript" in page.content()
        assert notice.count() == 1
        page.click("nav >> text=Fall")
        page.wait_for_url("**/fall.html")
        page.click("a[href='case-1.html']")
        page.wait_for_url("**/case-1.html")
        assert "Open rehearsals for young people" in page.inner_text("h1")
        assert outside == []
    finally:
        context.close()


def test_search_index_builds_inside_a_running_event_loop(tmp_path):
    """Jupyter and Playwright run an event loop in the caller's thread, where asyncio.run alone fails: the site
    built in the same process as a browser test lost its search (and the build) that way."""
    import asyncio
    import threading

    from lce_utils.reports import render

    (tmp_path / "assets").mkdir()
    (tmp_path / "a.html").write_text(render.report_page(report_id="a", title={"sv": "Utställningar", "en": "Shows"},
                                                        built_at="2026-12-02T00:00:00", body="<p>Utställningar</p>"))

    indexed: list[int] = []

    async def inside_a_loop() -> None:
        indexed.append(search.index_site(tmp_path))

    # a thread of its own: a browser test before this one leaves Playwright's loop running in the main thread
    worker = threading.Thread(target=lambda: asyncio.run(inside_a_loop()))
    worker.start()
    worker.join()
    assert indexed == [1]
    entry = json.loads((tmp_path / "pagefind" / "sv" / "pagefind-entry.json").read_text())
    assert entry["languages"]["sv"]["page_count"] == 1
