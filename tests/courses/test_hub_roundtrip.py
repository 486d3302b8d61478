"""The course round trip on a real JupyterHub (deploy/hub/): release, fetch, submit, collect, grade, feedback.

A real hub on 127.0.0.1 with configurable-http-proxy from node_modules, two learners and one grader as real Unix
users made by the test, each learner's own single-user server, the course's formgrader as a hub service run as the
grader, nbgrader's filesystem exchange, and LCE's sandboxed grader run as the grader. Needs root (CI runs as root)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest
import requests
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lce_utils.courses.hub import (
    default_proxy,
    ensure_unix_user,
    linked_environment,
    load_settings,
    setup_course,
    setup_exchange,
)
from lce_utils.paths import ROOT
from tests.conftest import IN_CI
from tests.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

CONFIG = ROOT / "deploy" / "hub" / "jupyterhub_config.py"
SYSTEM_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
COURSE = "hubtest"
ASSIGNMENT = "ps1"
BROWSER_ASSIGNMENT = "ps2"
LCE = ["-c", "import sys; from lce_utils.cli import main; sys.exit(main(sys.argv[1:]))"]
ANSWERS = {  # learner -> the body of double(x) and the score it earns (2 + 1 points)
    "a": ("    # answer-of-a\n    return 2 * x", 3.0),
    "b": ("    # answer-of-b\n    return abs(x) * 2", 2.0),   # right for positive numbers only: 1-point check fails
}


def _missing() -> str:
    """Why this machine cannot run a real hub with real Unix users ('' when it can)."""
    if os.geteuid() != 0:
        return "needs root to create Unix users (CI runs as root)"
    for tool in ("useradd", "userdel", "runuser", "bwrap"):
        if not shutil.which(tool):
            return f"{tool} is missing"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing (learners' servers run the environment with the system's Python)"
    if not default_proxy().exists():
        return f"{default_proxy()} is missing: run `npm ci` (configurable-http-proxy)"
    return ""


def _require() -> None:
    why = _missing()
    if why:
        message = f"JupyterHub round trip: {why}"
        if IN_CI:
            pytest.fail(message)  # in CI the round trip must run, never pass by skipping
        pytest.skip(message)


def _wait(what: str, check, timeout: float = 120.0, interval: float = 0.3):
    """check()'s first truthy value, or fail naming what did not happen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (requests.RequestException, OSError, ValueError, KeyError) as exc:
            last = exc
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last!r})")


def _source_notebook() -> nbformat.NotebookNode:
    def meta(**kw):
        return {"nbgrader": {"schema_version": 3, "task": False, "locked": False, "solution": False,
                             "grade": False, **kw}}
    answer = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    return new_notebook(cells=[
        new_markdown_cell("Write `double(x)`.", metadata=meta(grade_id="intro", locked=True)),
        new_code_cell(answer, metadata=meta(grade_id="answer", solution=True)),
        new_code_cell("assert double(2) == 4", metadata=meta(grade_id="positive", grade=True, locked=True,
                                                             points=2)),
        new_code_cell("assert double(-1) == -2", metadata=meta(grade_id="negative", grade=True, locked=True,
                                                               points=1)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


class Hub:
    """The running hub: its address, the admin token, the people and the course folder."""

    def __init__(self, base: Path, url: str, token: str, learners: dict[str, str], grader: str, course_dir: Path,
                 exchange: Path, python: Path, log: Path):
        self.base, self.url, self.token, self.learners, self.grader = base, url, token, learners, grader
        self.course_dir, self.exchange, self.python, self.log = course_dir, exchange, python, log

    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=120, **kw)

    def user_token(self, name: str, scopes: list[str] | None = None) -> str:
        body = {"note": "round-trip test", "expires_in": 3600}
        if scopes:
            body["scopes"] = scopes
        response = self.api("POST", f"/hub/api/users/{name}/tokens", json=body)
        assert response.status_code == 201, response.text
        return response.json()["token"]

    def as_user(self, name: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run argv as the Unix user name, in their home, with the learners' environment first on PATH."""
        home = pwd.getpwnam(name).pw_dir
        env = ["env", "-i", f"HOME={home}", f"USER={name}", f"PATH={self.python.parent}:/usr/bin:/bin",
               "LANG=C.UTF-8"]
        result = subprocess.run(["runuser", "-u", name, "--", *env, *argv], cwd=home, capture_output=True,
                                text=True, timeout=600)
        if check:
            assert result.returncode == 0, f"{argv} as {name}: {result.stdout}\n{result.stderr}"
        return result

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-20000:] if self.log.exists() else ""


def _cleanup(proc: subprocess.Popen | None, users: list[str], base: Path) -> None:
    started: list[psutil.Process] = []
    if proc is not None and proc.poll() is None:
        try:  # the proxy and services the hub started: they may sit in sessions of their own
            started = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the servers and services it started, then the proxy
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    survivors = [p for p in started if p.is_running()]
    for p in survivors:  # a configurable-http-proxy or idle culler that outlived the hub would hold its ports
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(survivors, timeout=30)
    uids = set()
    for name in users:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    # anything still running as the test's own users (a server that outlived the hub) is ended by its pid
    left = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids]
    for p in left:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=30)
    for name in users:
        subprocess.run(["userdel", "--remove", name], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def hub():
    _require()
    suffix = secrets.token_hex(3)
    learners = {key: f"lceh{key}{suffix}" for key in ANSWERS}
    grader = f"lcehg{suffix}"
    users = [*learners.values(), grader]
    base = Path(tempfile.mkdtemp(prefix="lce-hub-test-"))
    base.chmod(0o755)  # learners' servers read the config folder below it
    proc = None
    try:
        for name in users:
            assert ensure_unix_user(name), f"{name} existed already"
        python = linked_environment(Path(sys.prefix), base / "env", SYSTEM_PYTHON)
        source = base / "course-source"
        (source / "source" / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(_source_notebook(), source / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        (source / "source" / BROWSER_ASSIGNMENT).mkdir(parents=True)
        nbformat.write(_source_notebook(), source / "source" / BROWSER_ASSIGNMENT / f"{BROWSER_ASSIGNMENT}.ipynb")
        (source / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
        course_dir = Path(pwd.getpwnam(grader).pw_dir) / COURSE
        port, token, password = free_port(), secrets.token_hex(32), secrets.token_urlsafe(12)
        settings_path = base / "hub.yaml"
        settings_path.write_text(yaml.safe_dump({
            "hub": {"ip": "127.0.0.1", "port": port, "hub_port": free_port(), "proxy_api_port": free_port(),
                    "state_dir": str(base / "state"), "config_dir": str(base / "jupyter"),
                    "authenticator": "dummy", "admin_users": [], "idle_timeout": 3600},
            "environment": {"python": str(python), "proxy": str(default_proxy())},
            "exchange": str(base / "exchange"),
            "courses": [{"id": COURSE, "directory": str(course_dir), "service_user": grader,
                         "service_port": free_port(), "graders": [grader], "learners": sorted(learners.values())}],
        }))
        settings = load_settings(settings_path)
        setup_exchange(settings.exchange)
        setup_course(settings, settings.courses[0], source)
        service = {"name": "round-trip-test", "api_token": token}
        role = {"name": "round-trip-test", "services": ["round-trip-test"],
                "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups", "access:servers",
                           "access:services", "list:users", "read:users"]}
        (base / "jupyterhub_config.local.py").write_text(
            f"c.JupyterHub.services.append({service!r})\n"
            f"c.JupyterHub.load_roles.append({role!r})\n"
            f"c.DummyAuthenticator.password = {password!r}\n")
        (base / "state").mkdir(mode=0o700)
        log = base / "state" / "hub.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)],
                                    cwd=base / "state", stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                    env={**os.environ, "LCE_HUB_SETTINGS": str(settings_path)})
        the_hub = Hub(base, f"http://127.0.0.1:{port}", token, learners, grader, course_dir, settings.exchange,
                      python, log)
        the_hub.password = password

        def up():
            assert proc.poll() is None, f"the hub exited:\n{the_hub.log_tail()}"
            return the_hub.api("GET", "/hub/api/").status_code == 200
        _wait("the hub's API", up, timeout=180)
        yield the_hub
    finally:
        _cleanup(proc, users, base)


def _service(hub: Hub, token: str, method: str, path: str) -> dict:
    """Call the course's formgrader (a hub service run as the grader) through the proxy."""
    response = hub.api(method, f"/services/{COURSE}/formgrader/api{path}", token=token)
    assert response.status_code == 200, f"{method} {path}: {response.status_code} {response.text[:500]}"
    return response.json()


def _start_server(hub: Hub, name: str) -> None:
    if hub.api("GET", f"/hub/api/users/{name}").json()["servers"].get("", {}).get("ready"):
        return
    response = hub.api("POST", f"/hub/api/users/{name}/server")
    assert response.status_code in (201, 202), response.text

    def ready():
        server = hub.api("GET", f"/hub/api/users/{name}").json()["servers"].get("", {})
        return server.get("ready")
    _wait(f"{name}'s server", ready, timeout=180)


def _assignments(hub: Hub, name: str, token: str, action: str | None = None) -> list[dict]:
    if action:
        response = hub.api("POST", f"/user/{name}/assignments/{action}", token=token,
                           data={"course_id": COURSE, "assignment_id": ASSIGNMENT})
    else:
        response = hub.api("GET", f"/user/{name}/assignments", token=token, params={"course_id": COURSE})
    assert response.status_code == 200, f"{action or 'list'} for {name}: {response.status_code} {response.text}"
    body = response.json()
    assert body.get("success"), f"{action or 'list'} for {name}: {body}\n{hub.log_tail()}"
    return body["value"]


def _answer(hub: Hub, name: str, token: str, body: str) -> None:
    """The learner's own server saves their answer into the fetched notebook."""
    path = f"/user/{name}/api/contents/{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    model = hub.api("GET", path, token=token).json()
    for cell in model["content"]["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "answer":
            cell["source"] = f"def double(x):\n{body}"
    response = hub.api("PUT", path, token=token, json={"type": "notebook", "format": "json",
                                                       "content": model["content"]})
    assert response.status_code == 200, response.text


def _release(hub: Hub, assignment: str) -> str:
    """The grader generates the student version with LCE, then releases it to the exchange from the formgrader."""
    grader_token = hub.user_token(hub.grader, [f"access:services!service={COURSE}"])
    hub.as_user(hub.grader, str(hub.python), *LCE, "courses", "release", assignment, "--course", str(hub.course_dir))
    _wait("the formgrader service", lambda: hub.api(
        "GET", f"/services/{COURSE}/formgrader/api/status", token=grader_token).status_code == 200, timeout=180)
    released = _service(hub, grader_token, "POST", f"/assignment/{assignment}/release")
    assert released["success"], released
    return grader_token


def test_release_fetch_submit_collect_grade_feedback(hub: Hub):
    from nbgrader.api import Gradebook

    grader_token = _release(hub, ASSIGNMENT)
    # JupyterHub >= 4.1 forbids framing; the formgrader panel is an iframe of the same site, so 'self' is allowed
    page = hub.api("GET", f"/services/{COURSE}/formgrader", token=grader_token)
    assert page.status_code == 200 and "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]

    tokens = {}
    for name in hub.learners.values():  # both servers start at once, as learners' do
        response = hub.api("POST", f"/hub/api/users/{name}/server")
        assert response.status_code in (201, 202, 400), response.text  # 400: already running
    for key, name in hub.learners.items():
        _start_server(hub, name)
        tokens[key] = hub.user_token(name)
        status = hub.api("GET", f"/user/{name}/api/status", token=tokens[key])
        assert "frame-ancestors 'self'" in status.headers["Content-Security-Policy"]
        listed = _assignments(hub, name, tokens[key])
        assert [(a["course_id"], a["assignment_id"], a["status"]) for a in listed
                if a["assignment_id"] == ASSIGNMENT] == [(COURSE, ASSIGNMENT, "released")]
        _assignments(hub, name, tokens[key], "fetch")
        fetched = Path(pwd.getpwnam(name).pw_dir) / COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert fetched.stat().st_uid == pwd.getpwnam(name).pw_uid  # fetched by the learner's own server
        _answer(hub, name, tokens[key], ANSWERS[key][0])
        after = _assignments(hub, name, tokens[key], "submit")
        assert any(a["status"] == "submitted" for a in after), after

    inbound = hub.exchange / COURSE / "inbound"
    submissions = sorted(p.name for p in inbound.iterdir())
    assert len(submissions) == 2 and all(s.split("+")[0] in hub.learners.values() for s in submissions)
    # a learner can neither list the inbound folder nor read another learner's home
    a, b = hub.learners["a"], hub.learners["b"]
    probe = hub.as_user(a, str(hub.python), "-c", f"import os; os.listdir({str(inbound)!r})", check=False)
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, probe
    theirs = Path(pwd.getpwnam(b).pw_dir) / COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    probe = hub.as_user(a, str(hub.python), "-c", f"open({str(theirs)!r}).read()", check=False)
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, probe
    assert stat.S_IMODE(inbound.stat().st_mode) & 0o004 == 0  # others may write into it, never list it

    collected = _service(hub, grader_token, "POST", f"/assignment/{ASSIGNMENT}/collect")
    assert collected["success"], collected
    for name in hub.learners.values():
        assert (hub.course_dir / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()

    # LCE's parallel, sandboxed grader, run as the grader on what the formgrader collected
    graded = hub.as_user(hub.grader, str(hub.python), *LCE, "courses", "grade", ASSIGNMENT,
                         str(hub.course_dir / "submitted"), "--course", str(hub.course_dir), "--workers", "2")
    assert "graded 2 of 2" in graded.stdout, graded.stdout

    with Gradebook(f"sqlite:///{hub.course_dir / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(ASSIGNMENT)}
    assert scores == {hub.learners[k]: score for k, (_, score) in ANSWERS.items()}

    released = _service(hub, grader_token, "POST", f"/assignment/{ASSIGNMENT}/release_feedback")
    assert released["success"], released
    feedback_dir = hub.exchange / COURSE / "feedback"
    assert len(list(feedback_dir.iterdir())) == 2
    probe = hub.as_user(a, str(hub.python), "-c", f"import os; os.listdir({str(feedback_dir)!r})", check=False)
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, probe

    for key, name in hub.learners.items():
        _assignments(hub, name, tokens[key], "fetch_feedback")
        pages = sorted((Path(pwd.getpwnam(name).pw_dir) / COURSE / ASSIGNMENT / "feedback").rglob("*.html"))
        assert len(pages) == 1, pages  # their own page, no one else's
        text = pages[0].read_text(encoding="utf-8")
        other = "b" if key == "a" else "a"
        assert f"answer-of-{key}" in text and f"answer-of-{other}" not in text
        assert pages[0].stat().st_uid == pwd.getpwnam(name).pw_uid


@pytest.mark.browser
def test_learner_fetches_and_submits_in_chromium(hub: Hub, page):
    """One learner signs in and uses JupyterLab's Assignment List: Fetch, then Submit, by clicking."""
    _release(hub, BROWSER_ASSIGNMENT)
    name = hub.learners["a"]
    _start_server(hub, name)
    page.set_default_timeout(120_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/**")
    page.goto(f"{hub.url}/user/{name}/lab")
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name="Assignment List").click()
    released = page.locator("#released_assignments_list .list_item", has_text=BROWSER_ASSIGNMENT)
    released.get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list .list_item", has_text=BROWSER_ASSIGNMENT)
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list .list_item", has_text=BROWSER_ASSIGNMENT).first.wait_for()
    home = Path(pwd.getpwnam(name).pw_dir)
    assert (home / COURSE / BROWSER_ASSIGNMENT / f"{BROWSER_ASSIGNMENT}.ipynb").stat().st_uid == \
        pwd.getpwnam(name).pw_uid
    handed_in = [p for p in (hub.exchange / COURSE / "inbound").iterdir()
                 if p.name.startswith(f"{name}+{BROWSER_ASSIGNMENT}+")]
    assert len(handed_in) == 1 and handed_in[0].stat().st_uid == pwd.getpwnam(name).pw_uid
    assert not page.watch.page_errors and not page.watch.external_requests
