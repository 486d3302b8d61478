"""The mentorship benchmark's measuring client, on a real server with real kernels: a visit records every phase
in order and leaves its kernel running, so that stopping kernels (a blocking request that takes a kernel's
shutdown time) never happens while other visitors of a round are still being measured. It did: each visit
stopped its kernel as soon as it was measured, holding the client's event loop, and five visitors' widget states
seemed to arrive one after another, 1 to 2 s apart (the "five at once" figure of issue 10 was mostly that)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import psutil
import pytest

from benchmarks.bench_mentorship import (
    INTERACTIVE_JS,
    NAME_LABEL,
    SERVER_PHASES,
    TOKEN,
    Visit,
    measure_round,
    server_process,
    server_visit,
)
from tests.mentorship.test_mentorship_access import start_server, wait_for_pool
from tests.mentorship.test_mentorship_browser import in_thread

pytestmark = pytest.mark.slow  # a Voila server and measured rounds of visits


def alive(base: str, kernel_id: str | None) -> bool:
    """Whether the server still runs this kernel (asked as staff; Voilà answers 404 for a stopped one)."""
    request = urllib.request.Request(f"{base}/api/kernels/{kernel_id}", headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return json.load(resp)["id"] == kernel_id
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


def test_bench_visits_keep_their_kernels_until_the_round_is_measured(tmp_path):
    with start_server(tmp_path, "--pool", "2", "--max-kernels", "10", token=TOKEN) as (base, port, _, _):
        wait_for_pool(base, 2)

        async def three_at_once() -> tuple[list, set[str]]:
            visits = await asyncio.gather(*[server_visit(base) for _ in range(3)])
            return list(visits), {v.kernel_id for v in visits if alive(base, v.kernel_id)}  # (nothing else ran)

        visits, running = in_thread(three_at_once())
        for visit in visits:
            assert list(visit.phases) == list(SERVER_PHASES)  # every phase, in the order they happen
            assert sorted(visit.phases.values()) == list(visit.phases.values())
            assert visit.kernel_id in running  # not stopped by the visit itself
        server = server_process(port)
        assert isinstance(server, psutil.Process)
        wait_for_pool(base, 2)
        round_ = in_thread(measure_round(base, server, 2))
        assert len(round_.visits) == 2 and round_.server_cpu > 0
        assert not any(alive(base, v.kernel_id) for v in round_.visits)  # stopped at the end of the round


def test_default_server_refills_its_pool_only_after_the_visitors_pages(tmp_path):
    """Without any flag, pool refills wait for arriving visitors: two pages that took the pool's kernels and have
    not connected yet hold the refill back (Voilà refilled 0.2 s after each page, and five refills at once held
    the server's event loop and both cores while five visitors waited for their widgets' state); once the pages
    have connected and fetched their widgets, the pool is full again."""
    import re

    from tests.mentorship.test_mentorship_access import SIGNUP, raw_request
    from tests.mentorship.test_mentorship_lockout import kernel_states, wait_until_rendered

    with start_server(tmp_path, "--pool", "2", "--max-kernels", "10", token=TOKEN) as (base, port, log, _):
        wait_for_pool(base, 2)
        before = wait_until_rendered(base, 2, timeout=300)
        pages = [raw_request(port, "GET", SIGNUP) for _ in range(2)]  # sent; no browser runs them yet
        assert [status for status, _, _ in pages] == [200, 200]
        kernels = [re.search(rb'"kernelId": "([0-9a-f-]{36})"', body).group(1).decode() for _, _, body in pages]
        assert all(alive(base, kid) for kid in kernels)
        seen = kernel_states(base)
        assert seen == {(before["kernels"], 0)}, seen
        assert "Using pre-heated kernel" in log.read_text(encoding="utf-8", errors="replace")
        wait_for_pool(base, 2)  # refilled (after the pages were culled or connected)


# The benchmark's in-page time to interactive (INTERACTIVE_JS): on a page that shows the field, enables it and
# removes a cover over it, in each order, the time it records is after the last of the three and before Playwright
# has typed into the field; a field with another label is never "interactive".
STAGED_PAGE = """<!doctype html><html lang="sv"><body>
<div id="cover" style="position:fixed;inset:0;background:#fff">Laddar …</div>
<div id="cells" style="display:none"><label for="n">{label}</label><input id="n" disabled></div>
<script>
  const now = () => performance.timeOrigin + performance.now();
  setTimeout(() => {{ document.getElementById("cells").style.display = "block"; window.shownAt = now(); }}, {shown});
  setTimeout(() => {{ document.getElementById("n").disabled = false; window.enabledAt = now(); }}, {enabled});
  setTimeout(() => {{ document.getElementById("cover").remove(); window.uncoveredAt = now(); }}, {uncovered});
</script></body></html>"""
STAGES = ("shown", "enabled", "uncovered")


def _staged_visit(browser, label: str, last: str) -> tuple[dict, float]:
    delays = dict(zip([stage for stage in STAGES if stage != last] + [last], (150, 300, 450)))
    body = STAGED_PAGE.format(label=label, **delays)
    context = browser.new_context(locale="sv-SE")
    context.add_init_script(INTERACTIVE_JS)
    context.route("http://lce.test/**", lambda route: route.fulfill(content_type="text/html; charset=utf-8",
                                                                     body=body))
    page = context.new_page()
    try:
        page.goto("http://lce.test/signup")
        page.wait_for_function("[window.shownAt, window.enabledAt, window.uncoveredAt].every(Boolean)")
        if label == NAME_LABEL:
            page.get_by_label(NAME_LABEL, exact=True).fill("x")
        else:
            page.wait_for_timeout(300)  # frames after the last change, in which the marker could appear
        typed = page.evaluate("performance.timeOrigin + performance.now()")
        marks = page.evaluate("({interactive: window.__lceInteractive, shown: window.shownAt, "
                              "enabled: window.enabledAt, uncovered: window.uncoveredAt})")
    finally:
        context.close()
    return marks, typed


@pytest.mark.browser
@pytest.mark.parametrize("last", STAGES)
def test_the_in_page_time_to_interactive_waits_for_a_visible_enabled_uncovered_field(browser, last):
    marks, typed = _staged_visit(browser, NAME_LABEL, last)
    assert max(marks[stage] for stage in STAGES) == marks[last] <= marks["interactive"] <= typed


@pytest.mark.browser
def test_a_field_with_another_label_is_never_interactive(browser):
    marks, _ = _staged_visit(browser, "E-post (krävs)", "uncovered")
    assert marks["uncovered"] is not None and marks["interactive"] is None


def test_a_chromium_visit_counts_the_in_page_time_and_falls_back_to_playwrights():
    assert Visit({"usable": 1.4, "interactive": 0.9}).total == 0.9
    assert Visit({"usable": 1.4}).total == 1.4
    assert Visit({}).total == float("inf")
