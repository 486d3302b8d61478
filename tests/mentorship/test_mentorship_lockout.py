"""No lock-out: concurrent starts cannot overshoot the kernel cap; pages that never connect hold only a few
kernels (per client and overall) and lose them within the connect timeout; a full server answers with a bilingual
503 page that retries by itself. Real kernels, a real server, a real Chromium."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from tornado import web

from lce_utils.mentorship import list_applications
from lce_utils.mentorship.kernels import CURRENT_TICKET, CappedKernelManager, Ticket
from tests.mentorship.test_mentorship_access import (
    SIGNUP,
    TIMEOUT,
    health,
    raw_request,
    start_server,
    wait_for_health,
    wait_for_pool,
)
from tests.mentorship.test_mentorship_browser import SV, fill_signup, in_thread, open_signup
from tests.mentorship.test_mentorship_support import application, email

FLOOD = 50
PER_CLIENT = 3
MAX_KERNELS = 14
CONNECT_TIMEOUT = 8


def test_lockout_concurrent_starts_never_exceed_the_cap(tmp_path):
    async def scenario() -> tuple[int, int, int, int]:
        manager = CappedKernelManager(max_kernels=3, connection_dir=str(tmp_path))
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, len(manager.list_kernel_ids()))
                await asyncio.sleep(0.01)

        watcher = asyncio.ensure_future(watch())
        results = await asyncio.gather(*[manager.start_kernel(path="signup") for _ in range(7)],
                                       return_exceptions=True)
        watcher.cancel()
        started = sum(1 for r in results if isinstance(r, str))
        refused = sum(1 for r in results if isinstance(r, web.HTTPError) and r.status_code == 503)
        alive = len(manager.list_kernel_ids())
        await manager.shutdown_all(now=True)
        return started, refused, alive, peak

    assert in_thread(scenario()) == (3, 4, 3, 3)


@pytest.mark.slow
def test_lockout_admission_per_client_overall_and_culling(tmp_path):
    async def scenario() -> dict:
        manager = CappedKernelManager(max_kernels=6, max_pending=3, max_pending_per_client=2, connect_timeout=1,
                                      connection_dir=str(tmp_path))
        out: dict = {}
        a1, a2 = manager.admit("10.0.0.1", False), manager.admit("10.0.0.1", False)
        refusals = []
        for client in ("10.0.0.1", "10.0.0.2"):
            try:
                manager.admit(client, False)  # the first: per client; the second: overall (3 waiting)
            except web.HTTPError as exc:
                refusals.append(exc.status_code)
            if client == "10.0.0.1":
                b1 = manager.admit("10.0.0.2", False)
        out["refusals"] = refusals
        staff = manager.admit("10.0.0.1", True)  # staff hold the token: not limited, not counted
        manager.page_sent(b1)
        manager.page_sent(staff)  # requests that ended without a kernel release their place
        out["waiting after release"] = manager.pending_count()
        k1 = await manager.start_kernel(path="signup")
        manager.assign(a1, k1)
        manager.page_sent(a1)
        k2 = await manager.start_kernel(path="signup")
        manager.assign(a2, k2)
        manager.page_sent(a2)
        manager.notify_connect(k2)  # this page's browser connected
        out["pending of 10.0.0.1"] = manager.pending_count("10.0.0.1")
        await asyncio.sleep(1.3)
        await manager.cull_unconnected()  # (its periodic run may have been first)
        out["culled"] = k1 not in manager.list_kernel_ids()
        out["alive"] = sorted(manager.list_kernel_ids()) == [k2]
        token = CURRENT_TICKET.set(Ticket("10.0.0.9", staff=False))
        try:
            await manager.start_kernel(path="coordinator")
        except web.HTTPError as exc:
            out["visitor starts a coordinator kernel"] = exc.status_code
        finally:
            CURRENT_TICKET.reset(token)
        out["kernels"] = len(manager.list_kernel_ids())
        await manager.shutdown_all(now=True)
        return out

    assert in_thread(scenario()) == {"refusals": [503, 503], "waiting after release": 2, "pending of 10.0.0.1": 1,
                                     "culled": True, "alive": True, "visitor starts a coordinator kernel": 403,
                                     "kernels": 1}


def test_lockout_one_client_cannot_hold_more_than_its_share_of_connected_kernels(tmp_path):
    async def scenario() -> list:
        manager = CappedKernelManager(max_pending=10, max_pending_per_client=2, max_live_per_client=3,
                                      connection_dir=str(tmp_path))
        for i in range(3):  # a script that fetches the page and opens its websocket, three times
            ticket = manager.admit("10.0.0.1", False)
            manager.assign(ticket, f"kernel-{i}")
            manager.page_sent(ticket)
            manager.pending.pop(f"kernel-{i}")  # (what notify_connect does for a live kernel)
            manager.connected.add(f"kernel-{i}")
        outcome = [manager.pending_count("10.0.0.1"), manager.live_count("10.0.0.1")]
        try:
            manager.admit("10.0.0.1", False)
        except web.HTTPError as exc:
            outcome.append(exc.status_code)
        outcome.append(manager.admit("10.0.0.2", False).client)  # another address is admitted
        await manager.shutdown_all(now=True)
        return outcome

    assert in_thread(scenario()) == [0, 3, 503, "10.0.0.2"]


@pytest.mark.slow
def test_lockout_pool_refill_waits_while_a_visitor_arrives(tmp_path):
    """With --refill-wait, the sign-up pool is not refilled while the page that took its kernel has not connected
    (Voilà refilled it 0.2 s later, beside the visitor); it is refilled once the page's websocket is open."""
    import re

    from tests.mentorship.test_mentorship_browser import _ws_exchange, kernel_message

    with start_server(tmp_path, "--pool", "1", "--max-kernels", "8", "--refill-wait", "120") as running:
        base, port, log, _ = running
        before = wait_until_rendered(base)
        status, _, body = raw_request(port, "GET", SIGNUP)  # the preheated page, sent; no browser runs it yet
        assert status == 200
        kid = re.search(rb'"kernelId": "([0-9a-f-]{36})"', body).group(1).decode()
        seen = kernel_states(base)
        assert seen == {(before["kernels"], 0)}, seen
        ws = base.replace("http", "ws", 1) + f"/api/kernels/{kid}/channels"
        replies = in_thread(_ws_exchange(ws, [kernel_message("kernel_info_request", {})], wait=5))
        assert any(r["msg_type"] == "kernel_info_reply" for r in replies)
        refilled = wait_until_rendered(base)  # the page connected: the refill starts after the settle time
        assert refilled["kernels"] == before["kernels"] + 1
        assert "Using pre-heated kernel" in log.read_text(encoding="utf-8", errors="replace")


def wait_until_rendered(base: str, count: int = 1, timeout: float = 180) -> dict:
    """Wait until the sign-up pool holds count kernels whose page is rendered (so requests get them); the health."""
    return wait_for_health(base, lambda s: s["rendered"].get("signup/index.ipynb", 0) >= count,
                           f"fewer than {count} rendered sign-up kernels in the pool", timeout)


def kernel_states(base: str, seconds: float = 4) -> set[tuple[int, int]]:
    """The (live kernels, kernels starting) the server reports over the next seconds (Voilà's refill would be
    starting within 0.2 s of a page)."""
    seen = set()
    window = time.monotonic() + seconds
    while time.monotonic() < window:
        state = health(base)
        seen.add((state["kernels"], state["starting"]))
        time.sleep(0.2)
    return seen


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mentorship-lockout")
    with start_server(folder, "--pool", "2", "--max-kernels", str(MAX_KERNELS), "--max-pending", "6",
                      "--per-client", str(PER_CLIENT), "--connect-timeout", str(CONNECT_TIMEOUT)) as running:
        base, port, log, store = running
        wait_for_pool(base, 2)
        yield base, port, f"sqlite:///{store}"


def wait_until_nothing_pending(base: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = health(base)
        if state["pending"] == 0:
            return state
        time.sleep(0.5)
    raise AssertionError(f"kernels of pages that never connected were not stopped: {health(base)}")


@pytest.mark.slow
@pytest.mark.browser
def test_lockout_fifty_requests_without_a_browser_leave_the_form_working(crowded, page):
    base, port, url = crowded
    peak = {"kernels": 0}
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            state = health(base)
            peak["kernels"] = max(peak["kernels"], state["kernels"] + state["starting"])
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(FLOOD) as pool:  # all at once, from another client address
            answers = list(pool.map(lambda _: raw_request(port, "GET", SIGNUP, source="127.0.0.2"), range(FLOOD)))
    finally:
        sampling.set()
        sampler.join()
    statuses = sorted(status for status, _, _ in answers)
    assert statuses.count(200) == PER_CLIENT and statuses.count(503) == FLOOD - PER_CLIENT, statuses
    for status, headers, body in answers:
        if status == 503:
            text = body.decode("utf-8")
            assert headers.get("retry-after") == "10"
            assert "Många besökare" in text and "Many visitors" in text and 'http-equiv="refresh"' in text
            assert "http://" not in text and "https://" not in text and "Traceback" not in text
    assert peak["kernels"] <= MAX_KERNELS
    # a person with a browser, from their own address, gets a working form at once
    open_signup(page, base)
    fill_signup(page, application(5001, email=email("after.flood")), SV)
    page.get_by_role("button", name=SV["submit"]).click()
    page.locator("#confirmation").wait_for(timeout=TIMEOUT)
    assert email("after.flood") in {a.person.email for a in list_applications(url)}
    state = wait_until_nothing_pending(base)  # the flood's kernels are stopped (their pages never connected)
    assert state["apps"].get("signup", 0) <= 2 + state["connected"]


@pytest.mark.slow
@pytest.mark.browser
def test_lockout_full_server_page_retries_by_itself(crowded, page):
    base, port, _ = crowded
    wait_until_nothing_pending(base)
    for _ in range(PER_CLIENT):  # this address fills its share with pages that never connect
        assert raw_request(port, "GET", SIGNUP)[0] == 200
    response = page.goto(base + SIGNUP, timeout=TIMEOUT)
    assert response.status == 503 and response.headers.get("retry-after") == "10"
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert "Många besökare just nu" in page.content() and "Many visitors right now" in page.content()
    # no click, no reload by the test: the page reloads itself and the form appears once those kernels are stopped
    page.get_by_label(SV["name"], exact=True).wait_for(timeout=120_000)
    assert health(base)["pending"] <= PER_CLIENT
    assert page.watch.external_requests == [] and page.watch.page_errors == []
