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

from benchmarks.bench_mentorship import SERVER_PHASES, TOKEN, measure_round, server_process, server_visit
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
