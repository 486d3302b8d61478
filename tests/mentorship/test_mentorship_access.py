"""Access control on what is served, not on how the URL is spelt; tokens (constant time, minimum length, never
logged); the bilingual log-in and a working logout; no kernel stderr or traceback on the websocket.

Raw HTTP and websocket clients send each spelling exactly as written (no client-side normalisation) to a real
`lce mentorship serve`; kernels are counted by the server itself (/lce/health)."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from lce_utils.errors import UsageError
from lce_utils.mentorship.access import (
    MIN_TOKEN_LENGTH,
    AccessPolicy,
    GuessLimit,
    check_token,
    client_address,
    redact,
    tokens_match,
)
from lce_utils.paths import ROOT
from tests.servers import free_port, running_server

LCE = str(Path(sys.executable).parent / "lce")
TOKEN = "access-test-token-" + "k" * 14
SIGNUP = "/voila/render/signup/index.ipynb"
COORD = "/voila/render/coordinator/index.ipynb"
TIMEOUT = 90_000
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # (a widget's state then comes from its kernel)


# -- raw clients -------------------------------------------------------------------------------------------------
def raw_request(port: int, method: str, target: str, headers: dict | None = None, body: bytes = b"",
                source: str = "127.0.0.1", timeout: float = 120) -> tuple[int, dict[str, str], bytes]:
    """Send one request line exactly as given; return (status, lower-cased headers, raw body)."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    raw = b"".join(chunks)
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found: dict[str, str] = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        found[key.strip().lower()] = (found.get(key.strip().lower(), "") + " " + value.strip()).strip()
    if "chunked" in found.get("transfer-encoding", ""):
        rest = dechunk(rest)
    return int(status_line.split()[1]), found, rest


def dechunk(data: bytes) -> bytes:
    """The body of a chunked HTTP response."""
    out, pos = [], 0
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            break
        out.append(data[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return b"".join(out)


def ws_handshake(port: int, target: str, headers: dict | None = None) -> int:
    """The status of a websocket upgrade request (101 means the socket opened)."""
    key = base64.b64encode(os.urandom(16)).decode()
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key,
               "Sec-WebSocket-Version": "13", **(headers or {})}
    lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}"] + [f"{k}: {v}" for k, v in upgrade.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        first = sock.recv(4096).decode("latin-1")
    return int(first.split()[1])


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "/lce/health", timeout=30) as resp:
        return json.load(resp)


def wait_for_health(base: str, ready: Callable[[dict], bool], what: str, timeout: float = 180) -> dict:
    """Poll the server's health until ready(health) and no kernel is starting (deadline: timeout); the health."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = health(base)
        if ready(state) and state["starting"] == 0:
            return state
        time.sleep(0.3)
    raise TimeoutError(f"{what}: {health(base)}")


def wait_for_pool(base: str, size: int, timeout: float = 180) -> dict:
    """Wait until the sign-up pool holds size kernels; the health."""
    return wait_for_health(base, lambda s: s["pools"].get("signup/index.ipynb", 0) >= size,
                           f"the sign-up pool never reached {size}", timeout)


def not_refused(port: int, attempts: list[tuple], staff_text: str) -> list[tuple[str, str, int]]:
    """The attempts ((method, target[, headers])) the server did not refuse: answered neither 403 nor with a
    redirect to the log-in page, or with a kernel id, a widget or staff_text (a staff page's words) in the answer."""
    wrong: list[tuple[str, str, int]] = []
    for method, target, *headers in attempts:
        status, answer, body = raw_request(port, method, target, headers=headers[0] if headers else None)
        text = body.decode("utf-8", "replace")
        refused = status == 403 or (status == 302 and "/login?" in answer.get("location", ""))
        if not refused or "kernelId" in text or "widget-" in text or staff_text in text:
            wrong.append((method, target, status))
    return wrong


def start_server(folder: Path, *extra: str, token: str = TOKEN, db: Path | None = None,
                 env: dict[str, str] | None = None):
    """`lce mentorship serve` on a free port with its own store and log (and `env` added to its environment);
    a context manager yielding (base, port, log path, store path)."""
    from contextlib import contextmanager

    @contextmanager
    def run():
        port = free_port()
        store = db or folder / "mentorship.db"
        log = folder / "voila.log"
        argv = [LCE, "mentorship", "serve", "--port", str(port), "--token", token, *extra]
        run_env = {"LCE_MENTORSHIP_DB": f"sqlite:///{store}", "LCE_MENTORSHIP_EXPORTS": str(folder / "exports"),
                   "LCE_MENTORSHIP_TOKEN": "", **(env or {})}
        with running_server(argv, port, "/lce/health", env=run_env, timeout=150, log=log) as base:
            yield base, port, log, store

    return run()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mentorship-access")
    with start_server(folder, "--pool", "1", "--max-kernels", "12") as (base, port, log, store):
        wait_for_pool(base, 1)
        yield base, port, log


# -- the policy, without a server --------------------------------------------------------------------------------
def test_access_policy_protects_files_not_spellings(tmp_path):
    for app in ("signup", "followup", "coordinator"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "index.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "signup" / "coord.ipynb").symlink_to(tmp_path / "coordinator" / "index.ipynb")
    (tmp_path / "public").symlink_to(tmp_path / "coordinator")
    (tmp_path / "followup" / "index.ipynb").unlink()
    (tmp_path / "followup" / "index.ipynb").symlink_to(tmp_path / "coordinator" / "index.ipynb")
    policy = AccessPolicy(tmp_path)
    assert policy.files == {tmp_path.resolve() / "signup" / "index.ipynb"}, "a public name linked elsewhere is private"
    allowed = ["signup/index.ipynb", "/signup/index.ipynb", "./signup/index.ipynb", "coordinator/../signup/index.ipynb",
               "%73ignup/index.ipynb", "signup//index.ipynb"]
    refused = ["coordinator/index.ipynb", "/coordinator/index.ipynb", "signup/../coordinator/index.ipynb",
               "%63oordinator/index.ipynb", "%2563oordinator/index.ipynb", "signup/%2e%2e/coordinator/index.ipynb",
               "signup/coord.ipynb", "public/index.ipynb", "followup/index.ipynb", "Signup/index.ipynb",
               "signup\\index.ipynb", "signup/index.ipynb;x", "signup/index.ipynb%00", "../signup/index.ipynb/..",
               "signup", "signup/", ""]
    assert [p for p in allowed if not policy.is_public_notebook(p)] == []
    assert [p for p in refused if policy.is_public_notebook(p)] == []
    kernels = {"11111111-2222-3333-4444-555555555555": "signup", "aaaaaaaa-2222-3333-4444-555555555555": "coordinator",
               "bbbbbbbb-2222-3333-4444-555555555555": "public"}
    may = lambda path: policy.anonymous_may(path, kernels.get)  # noqa: E731
    assert may("/api/kernels/11111111-2222-3333-4444-555555555555/channels")
    assert not may("/api/kernels/aaaaaaaa-2222-3333-4444-555555555555/channels")
    assert not may("/api/kernels/bbbbbbbb-2222-3333-4444-555555555555/channels"), "a linked folder is resolved"
    assert not may("/voila/query/99999999-2222-3333-4444-555555555555"), "an unknown kernel is refused"
    assert may("/voila/static/voila.js") and may("/lce/health")
    assert not may("/voila/tree/") and not may("/") and not may("/voila/files/signup/index.ipynb")


def test_access_tokens_minimum_length_constant_time_compare_and_redaction():
    with pytest.raises(UsageError) as info:
        check_token("short-token")
    assert f"at least {MIN_TOKEN_LENGTH}" in str(info.value) and f"minst {MIN_TOKEN_LENGTH}" in str(info.value)
    assert check_token("x" * MIN_TOKEN_LENGTH) == "x" * MIN_TOKEN_LENGTH
    assert tokens_match(TOKEN, TOKEN) and not tokens_match(TOKEN[:-1], TOKEN) and not tokens_match("", "")
    assert not tokens_match(None, TOKEN) and not tokens_match("åäö", TOKEN)
    line = f"GET /x?a=1&token={TOKEN}&b=2 next=%2Fy%3Ftoken%3D{TOKEN}%26c Authorization: token {TOKEN}"
    assert TOKEN not in redact(line) and redact(line).count("[redacted]") == 3 and "&b=2" in redact(line)


def test_access_client_address_trusts_forwarding_only_from_the_proxy():
    proxy = frozenset({"127.0.0.1"})
    assert client_address("127.0.0.1", {"X-Forwarded-For": "6.6.6.6, 203.0.113.7"}, proxy) == "203.0.113.7"
    assert client_address("127.0.0.1", {"X-Real-IP": "203.0.113.8"}, proxy) == "203.0.113.8"
    assert client_address("198.51.100.1", {"X-Forwarded-For": "203.0.113.7"}, proxy) == "198.51.100.1"
    assert client_address("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, frozenset()) == "127.0.0.1"


@pytest.mark.slow
def test_access_guess_limit_per_address():
    now = [0.0]
    limit = GuessLimit(limit=3, window=600, clock=lambda: now[0])
    for _ in range(3):
        assert not limit.blocked("203.0.113.7")
        limit.failed("203.0.113.7")
    assert limit.blocked("203.0.113.7") and not limit.blocked("203.0.113.8")
    now[0] = 601.0
    assert not limit.blocked("203.0.113.7"), "the window passed"


@pytest.mark.slow
def test_access_short_token_refused_at_start(tmp_path):
    env = {**os.environ, "LCE_MENTORSHIP_DB": f"sqlite:///{tmp_path / 'm.db'}", "LCE_MENTORSHIP_TOKEN": ""}
    done = subprocess.run([LCE, "mentorship", "serve", "--port", str(free_port()), "--token", "too-short"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "at least 24" in done.stderr and "minst 24" in done.stderr and "too-short" not in done.stderr


# -- every spelling, on a real server ----------------------------------------------------------------------------
R = "/voila/render/"
SPELLINGS = [
    R + "/coordinator/index.ipynb", R + "./coordinator/index.ipynb", R + "signup/../coordinator/index.ipynb",
    R + "%63oordinator/index.ipynb", R + "%2563oordinator/index.ipynb", R + "signup/%2e%2e/coordinator/index.ipynb",
    R + "signup/%2E%2E%2Fcoordinator%2Findex.ipynb", R + "signup/%252e%252e/coordinator/index.ipynb",
    R + "signup\\..\\coordinator\\index.ipynb", R + "signup%5c..%5ccoordinator%5cindex.ipynb",
    R + "coordinator;x=1/index.ipynb", R + "coordinator/index.ipynb;x=1", R + "Coordinator/index.ipynb",
    R + "COORDINATOR/INDEX.IPYNB", R + "coordinator/index.ipynb/", R + "coordinator/", R + "coordinator",
    R + "coordinator/index.ipynb?token=", R + "coordinator/index.ipynb?token=wrong-" + "w" * 30,
    R + "coordinator/index.ipynb%00", R + "signup/index.ipynb/../../coordinator/index.ipynb",
    R + "%2Fcoordinator%2Findex.ipynb", R + "././coordinator/./index.ipynb", R + "signup/..%2fcoordinator/index.ipynb",
    COORD, COORD + "?template=lab", "/voila//render/coordinator/index.ipynb", "/voila/tree/coordinator",
    "/voila/tree//coordinator", "/voila/tree/", "/voila/tree", "/", "/voila/api/contents/coordinator",
    "/voila/api/contents//coordinator/index.ipynb", "/voila/api/contents/coordinator/index.ipynb",
    "/voila/api/contents/", "/api/contents/coordinator/index.ipynb", "/voila/files/coordinator/index.ipynb",
    "/voila/files//coordinator/index.ipynb", "/api/kernels", "/api/sessions", "/voila/api/shutdown/x",
]


@pytest.mark.slow
def test_access_every_spelling_is_refused_and_starts_no_kernel(server):
    base, port, _ = server
    before = wait_for_pool(base, 1)
    attempts = [("GET", target) for target in SPELLINGS]
    attempts += [("GET", f"http://127.0.0.1:{port}{COORD}"), ("HEAD", R + "/coordinator/index.ipynb"),
                 ("POST", "/api/kernels"), ("POST", COORD), ("POST", R + "%63oordinator/index.ipynb"),
                 ("DELETE", "/api/kernels"), ("OPTIONS", COORD)]
    wrong = not_refused(port, attempts, "Samordning")
    assert wrong == [], f"served or not refused: {wrong}"
    after = health(base)
    assert after["apps"].get("coordinator", 0) == 0, after
    assert after["kernels"] == before["kernels"], (before, after)
    # the public form still opens under an odd spelling: what matters is the file it runs
    status, _, body = raw_request(port, "GET", R + "/signup/./index.ipynb")
    assert status == 200 and KERNEL_ID.search(body.decode("utf-8", "replace"))


@pytest.mark.slow
def test_access_coordinator_kernel_refused_on_every_route(server):
    base, port, _ = server
    from tests.mentorship.test_mentorship_browser import _ws_exchange, in_thread, kernel_message

    status, _, body = raw_request(port, "GET", COORD, headers={"Authorization": f"token {TOKEN}"})
    assert status == 200 and WIDGET_VIEW in body.decode("utf-8", "replace")
    kid = KERNEL_ID.search(body.decode("utf-8", "replace")).group(1)
    ws = base.replace("http", "ws") + f"/api/kernels/{kid}/channels"
    ok = in_thread(_ws_exchange(ws, [kernel_message("kernel_info_request", {})], wait=5,
                                headers={"Authorization": f"token {TOKEN}"}))
    assert any(r["msg_type"] == "kernel_info_reply" for r in ok), "with the token the socket works"
    sockets = [f"/api/kernels/{kid}/channels", f"/api/kernels/{kid.upper()}/channels",
               f"/api/kernels/{kid}/channels/", f"/api//kernels/{kid}/channels", f"/voila/query/{kid}",
               f"/api/kernels/%{ord(kid[0]):02x}{kid[1:]}/channels", f"/api/kernels/{kid}/channels?token=wrong"]
    opened = {target: ws_handshake(port, target) for target in sockets}
    opened["forged cookie"] = ws_handshake(port, f"/api/kernels/{kid}/channels",
                                           {"Cookie": f'username-127-0-0-1-{port}="2|1:0|10:1|4:x|4:eA==|"'})
    assert {t: s for t, s in opened.items() if s not in (302, 403)} == {}, opened
    calls = [("GET", f"/api/kernels/{kid}"), ("DELETE", f"/api/kernels/{kid}"),
             ("POST", f"/voila/api/shutdown/{kid}"), ("GET", f"/voila/api/shutdown/{kid}"),
             ("POST", f"/api/kernels/{kid}/restart"), ("POST", f"/api/kernels/{kid}/interrupt")]
    answers = {f"{m} {t}": raw_request(port, m, t)[0] for m, t in calls}
    assert {c: s for c, s in answers.items() if s not in (302, 403)} == {}, answers
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as info:
        in_thread(_ws_exchange(ws, [kernel_message("kernel_info_request", {})], wait=2))
    assert info.value.code == 403
    assert health(base)["apps"].get("coordinator") == 1, "the coordinator's kernel was neither stopped nor used"


@pytest.mark.slow
def test_access_too_many_wrong_tokens_block_that_address_only(server):
    base, port, _ = server
    staff_only = "/voila/tree/"
    assert raw_request(port, "GET", staff_only, headers={"Authorization": f"token {TOKEN}"},
                       source="127.0.0.4")[0] == 200
    for i in range(10):
        raw_request(port, "GET", staff_only, headers={"Authorization": f"token guess-{i:02d}" + "g" * 24},
                    source="127.0.0.4")
    assert raw_request(port, "GET", staff_only, headers={"Authorization": f"token {TOKEN}"},
                       source="127.0.0.4")[0] == 302, "even the right token, from the guessing address"
    assert raw_request(port, "GET", staff_only, headers={"Authorization": f"token {TOKEN}"},
                       source="127.0.0.5")[0] == 200, "another address is not affected"


@pytest.mark.slow
def test_access_token_never_written_to_the_log(server):
    base, port, log = server
    for target in (f"/nothing/here?token={TOKEN}", f"/voila/files/x.png?token={TOKEN}&x=1",
                   f"/api/kernels/00000000-0000-0000-0000-000000000000?token={TOKEN}",
                   f"{COORD}?token={TOKEN[:-1]}"):
        raw_request(port, "GET", target)
    raw_request(port, "GET", "/nothing/else", headers={"Authorization": f"token {TOKEN}"})
    deadline = time.monotonic() + 30  # the server logs each request after answering it: wait for the last one
    while "/nothing/else" not in (text := log.read_text(encoding="utf-8", errors="replace")):
        assert time.monotonic() < deadline, "the last request never reached the log"
        time.sleep(0.05)
    assert "/nothing/here?token=[redacted]" in text, "the requests were logged (with the token redacted)"
    assert TOKEN not in text and TOKEN[:-1] not in text


@pytest.mark.slow
@pytest.mark.browser
def test_access_bilingual_login_and_logout_in_a_browser(server, page):
    base, _, _ = server
    page.goto(base + COORD, timeout=TIMEOUT)
    assert "/login" in page.url
    assert page.evaluate("document.documentElement.lang") == "sv"
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Logga in / Log in"
    field = page.get_by_label("Token")
    field.fill("wrong-" + "w" * 30)
    page.get_by_role("button", name="Logga in / Log in").click()
    alert = page.get_by_role("alert")
    alert.wait_for(timeout=TIMEOUT)
    assert "Fel token" in alert.inner_text() and "Wrong token" in alert.inner_text()
    assert page.get_by_label("Token").get_attribute("aria-invalid") == "true"
    page.get_by_label("Token").fill(TOKEN)
    page.get_by_role("button", name="Logga in / Log in").click()
    page.get_by_role("heading", name="Samordning av mentorsprogrammet").wait_for(timeout=TIMEOUT)
    assert any(c["name"].startswith("username-") for c in page.context.cookies())
    page.goto(base + "/logout", timeout=TIMEOUT)
    assert "Du är utloggad" in page.content() and "You are logged" in page.content()
    assert not any(c["name"].startswith("username-") and c["value"] for c in page.context.cookies())
    page.goto(base + COORD, timeout=TIMEOUT)
    assert "/login" in page.url and "Samordning av" not in page.content()
    assert page.watch.external_requests == [] and page.watch.page_errors == []


# -- no internals to visitors ------------------------------------------------------------------------------------
INTERNALS = (str(ROOT), sys.prefix, "site-packages", "Traceback", '"stderr"')


def leaks(texts: list[str], *extra: str) -> list[str]:
    """The internals (a traceback, a server path, stderr) found in these messages."""
    return sorted({marker for text in texts for marker in (*INTERNALS, *extra) if marker and marker in text})


def comm_update(comm_id: str, state: dict) -> dict:
    from tests.mentorship.test_mentorship_browser import kernel_message

    return kernel_message("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state,
                                                                   "buffer_paths": []}})


@pytest.mark.slow
def test_access_forged_comm_messages_get_no_traceback(server):
    base, port, log = server
    from tests.mentorship.test_mentorship_browser import _ws_exchange, in_thread, kernel_message

    status, _, body = raw_request(port, "GET", SIGNUP)
    assert status == 200
    kid = KERNEL_ID.search(body.decode("utf-8", "replace")).group(1)
    ws = base.replace("http", "ws") + f"/api/kernels/{kid}/channels"
    info = kernel_message("comm_info_request", {})
    replies = in_thread(_ws_exchange(ws, [info], wait=4))
    comms = next(r for r in replies if r["msg_type"] == "comm_info_reply")["content"]["comms"]
    assert len(comms) > 10, "the form's widgets are there to be forged"
    forged = [comm_update(cid, {"value": {"not": ["a", "string"]}, "index": "x", "options": 5,
                                "layout": "IPY_MODEL_missing"}) for cid in sorted(comms)[:6]]
    forged += [kernel_message("comm_msg", {"comm_id": "no-such-comm", "data": {"method": "update"}}),
               kernel_message("comm_open", {"comm_id": "x1", "target_name": "jupyter.widget",
                                            "data": {"state": {"_model_name": "NoSuchModel"}}}),
               kernel_message("comm_msg", {"data": 5})]
    log_before = len(log.read_text(encoding="utf-8", errors="replace"))
    replies = in_thread(_ws_exchange(ws, forged + [kernel_message("kernel_info_request", {})], wait=15))
    assert any(r["msg_type"] == "kernel_info_reply" for r in replies), "the socket kept working"
    texts = [json.dumps(r) for r in replies]
    assert [r["msg_type"] for r in replies if r["msg_type"] in ("error", "stream")] == []
    assert leaks(texts) == []
    withheld = log.read_text(encoding="utf-8", errors="replace")[log_before:]
    assert "Kept from the browser" in withheld and "Traceback" in withheld, "the kernel did fail (in the log)"


@pytest.mark.slow
@pytest.mark.browser
def test_access_broken_database_reaches_the_visitor_as_a_message_only(tmp_path, browser):
    with start_server(tmp_path, "--pool", "1", "--max-kernels", "6") as (base, port, log, store):
        wait_for_pool(base, 1)
        # the database breaks while the server runs (its WAL too, or SQLite would read page 1 from there)
        for part in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
            part.unlink(missing_ok=True)
        store.write_bytes(b"this is not an SQLite database " * 300)
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        frames: list[str] = []

        def on_socket(ws) -> None:
            def keep(payload) -> None:
                frames.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload)

            ws.on("framereceived", keep)

        page.on("websocket", on_socket)
        try:
            from tests.mentorship.test_mentorship_browser import SV, fill_signup, open_signup
            from tests.mentorship.test_mentorship_support import application, email

            open_signup(page, base)
            fill_signup(page, application(4001, email=email("broken.db")), SV)
            page.get_by_role("button", name=SV["submit"]).click()
            alert = page.get_by_text("Något gick fel när ansökan skulle sparas")
            alert.wait_for(timeout=TIMEOUT)
            page.wait_for_timeout(2000)  # time for any stream message to follow
            html = page.content()
        finally:
            context.close()
        assert len(frames) > 5, "the page talked to its kernel"
        assert leaks(frames, str(store)) == []
        assert leaks([html], str(store)) == []
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Kept from the browser (stderr)" in text and "Traceback" in text, "the error went to the log"
