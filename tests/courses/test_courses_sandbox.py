"""The grading sandbox for real: bubblewrap, cgroups and nbgrader grading learners' notebooks that try to get out.

One batch is graded in a temporary copy of the course: a prober that tries to read, write, connect and leave a
process behind, a classmate it targets, a notebook whose three child processes want more memory together than
the submission may have, one that fills its memory with a file, and an honest one that uses pandas' strings and
600 MB. Then `lce courses grade --no-sandbox` and a machine without bwrap."""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from lce_utils.courses.collect import collect
from lce_utils.courses.config import copy_course
from lce_utils.courses.export import collect_rows
from lce_utils.courses.grading import autograde_parallel
from lce_utils.courses.release import release
from lce_utils.courses.sandbox import Containment, _folder, _mounts, _own_cgroups, bwrap_path
from lce_utils.courses.workflow import NOT_SANDBOXED, grade
from lce_utils.messages import pair
from lce_utils.paths import ROOT
from tests.courses.test_courses_grading import LCE, read_csv, run_lce
from tests.submissions import ASSIGNMENT, first_answer_output, probe_lines, write_submission

pytestmark = pytest.mark.slow
TIMEOUT = 15        # seconds per cell
MEMORY_MB = 1536    # per submission in this batch: three children of 600 MB do not fit together
TOKEN = secrets.token_hex(4)
SLEEP = f"3007.{int(TOKEN, 16) % 10**6}"  # a `sleep` only this test run starts

PROBE = '''
import os, socket, subprocess
def _probe(name, action):
    try:
        print(f"PROBE {{name}}: {{action()!r}}")
    except Exception as exc:
        print(f"PROBE {{name}}: blocked {{type(exc).__name__}}")
_probe("read_source", lambda: open({source!r}).read(80))
_probe("read_gradebook", lambda: open({gradebook!r}, "rb").read(16))
_probe("read_classmate", lambda: open({classmate!r}).read(80))
_probe("read_repo", lambda: open({readme!r}).read(80))
_probe("list_repo", lambda: sorted(os.listdir({repo!r})))
_probe("list_home", lambda: sorted(os.listdir({home!r})))
_probe("read_demo_answers", lambda: open({demo!r}).read(80))
_probe("read_demo_expected", lambda: open({demo_expected!r}).read(80))
_probe("list_demo_expected", lambda: sorted(os.listdir(os.path.dirname({demo_expected!r}))))
_probe("walk_up", lambda: sorted(os.listdir(os.path.join(os.getcwd(), "..", "..", ".."))))
_probe("cwd", lambda: sorted(os.listdir(".")))
_probe("users", lambda: [line.split(":")[0] for line in open("/etc/passwd")])
_probe("write_course", lambda: open({course!r} + "/pwned-{token}.txt", "w").write("x"))
_probe("write_classmate", lambda: open({classmate!r}, "w").write("x"))
_probe("write_tmp", lambda: open("/tmp/pwned-{token}", "w").write("x"))
_probe("write_cwd", lambda: open("pwned-{token}", "w").write("x"))
_probe("connect", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).close() or "connected")
_probe("leave_process", lambda: subprocess.Popen(["sleep", "{sleep}"], start_new_session=True).pid > 0)
'''

MEMORY = '''
import os, time
pids, (r, w) = [], os.pipe()
for i in range(3):
    pid = os.fork()
    if pid == 0:  # a child that really holds 600 MB (touched, not only reserved)
        block = b"\\x01" * (600 * 1024 * 1024)
        os.write(w, b"+")
        time.sleep(6)
        os._exit(0)
    pids.append(pid)
statuses = [os.waitpid(p, 0)[1] for p in pids]
print("PROBE killed:", sum(os.WIFSIGNALED(s) and os.WTERMSIG(s) == 9 for s in statuses))
'''

FILLER = '''
chunk = b"\\x01" * (64 * 1024 * 1024)
with open("/run/lce/ipc/junk-{token}", "wb") as handle:  # the one folder of the machine it may write into
    for i in range(40):
        handle.write(chunk)
        handle.flush()
'''

# pandas' strings are Arrow arrays; Arrow's own allocator (mimalloc) reserves 1 GiB of address space on first use,
# which an address-space limit (RLIMIT_AS) counts as if it were memory in use
ARROW = '''
import pandas as pd
names = pd.Series(["Malmö", "Lund", "Ystad"], dtype="str")
block = bytearray(600 * 1024 * 1024)  # well within the submission's memory
print("PROBE held:", len(block) // 2**20, "".join(names.str[0]))
'''


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sleepers() -> list[int]:
    """Processes of this test's marker `sleep`, anywhere on the machine."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if SLEEP in " ".join(proc.info["cmdline"] or []):
            found.append(proc.pid)
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("sandbox")
    root = copy_course(base / "root")
    course = root / "courses"
    release([ASSIGNMENT], course)
    subs = base / "submissions"
    listener = Listener()
    classmate = course / "submitted" / "classmate" / ASSIGNMENT / "iterating-under-uncertainty.ipynb"
    code = PROBE.format(
        source=str(course / "source" / ASSIGNMENT / "iterating-under-uncertainty.ipynb"),
        gradebook=str(course / "gradebook.db"), classmate=str(classmate), readme=str(ROOT / "README.md"),
        repo=str(ROOT), home=str(Path.home()), demo=str(ROOT / "lce_utils" / "courses" / "demo.py"),
        demo_expected=str(ROOT / "lce_utils" / "courses" / "demo_expected" / f"{ASSIGNMENT}.yaml"),
        course=str(course), token=TOKEN, port=listener.port, sleep=SLEEP)
    write_submission(subs, "prober", course, code=code)
    write_submission(subs, "classmate", course)
    write_submission(subs, "memory", course, code=MEMORY)
    write_submission(subs, "filler", course, code=FILLER.format(token=TOKEN))
    write_submission(subs, "arrow", course, code=ARROW)
    config_before = digest(course / "nbgrader_config.py")
    report = grade(ASSIGNMENT, subs, course, timeout=TIMEOUT, memory_mb=MEMORY_MB, workers=2)
    listener.sock.close()
    rows = {r["student"]: r for r in collect_rows(ASSIGNMENT, course)[0]}
    return {"course": course, "report": report, "rows": rows, "listener": listener, "classmate": classmate,
            "config_before": config_before, "probe": probe_lines(first_answer_output(course, "prober"))}


def test_every_submission_is_graded_in_full(batch: dict) -> None:
    assert {r.student: r.error for r in batch["report"].results if not r.ok} == {
        "filler": f"memory limit: the submission's processes together needed more than {MEMORY_MB} MB and the "
                  "kernel was stopped"}
    assert {s: float(r["score"]) for s, r in batch["rows"].items()} == {"prober": 11.0, "classmate": 11.0,
                                                                          "memory": 11.0, "filler": 0.0,
                                                                          "arrow": 11.0}
    lines = "\n".join(batch["report"].lines())
    assert "containment: bubblewrap sandbox per submission" in lines
    assert f"cgroup v1: {MEMORY_MB} MB memory" in lines
    assert "NOT SANDBOXED" not in lines


def test_no_read_outside_the_submission(batch: dict) -> None:
    probe = batch["probe"]
    for name in ("read_source", "read_gradebook", "read_classmate", "read_repo"):
        assert probe[name] == "blocked FileNotFoundError", (name, probe[name])
    # the repository shows only the read-only Python environment and lce_utils' code (for the notebooks' imports)
    assert probe["list_repo"] == "['.venv', 'lce_utils']"
    home = eval(probe["list_home"]) if probe["list_home"].startswith("[") else []  # noqa: S307 (our own repr)
    assert set(home) <= {".pyenv"}, home  # at most the folder of the base interpreter the venv links to
    assert probe["read_demo_answers"] == "blocked PermissionError"  # lce_utils' instructor-only files masked
    assert probe["read_demo_expected"] == "blocked FileNotFoundError"  # and its folder of expected scores empty
    assert probe["list_demo_expected"] == "[]"
    assert "courses" not in probe["walk_up"] and "gradebook.db" not in probe["walk_up"]
    assert probe["cwd"] == "['iterating-under-uncertainty.ipynb', 'timestamp.txt']"
    assert probe["users"] == "['nobody']"  # not the machine's user list


def test_no_write_outside_the_submission(batch: dict) -> None:
    course, probe = batch["course"], batch["probe"]
    assert probe["write_course"] == "blocked FileNotFoundError"
    assert probe["write_classmate"] == "blocked FileNotFoundError"
    assert probe["write_tmp"] == "1" and probe["write_cwd"] == "1"  # its own private /tmp and working copy
    assert not Path(f"/tmp/pwned-{TOKEN}").exists()
    assert list(course.rglob(f"pwned-{TOKEN}*")) == []
    assert digest(course / "nbgrader_config.py") == batch["config_before"]
    assert float(batch["rows"]["classmate"]["score"]) == 11.0
    assert "yearly_income" in batch["classmate"].read_text(encoding="utf-8")  # the classmate's notebook intact


def test_no_connection_to_a_port_on_localhost(batch: dict) -> None:
    assert batch["probe"]["connect"].startswith("blocked "), batch["probe"]["connect"]
    assert batch["listener"].accepted == 0


def test_no_process_left_after_grading(batch: dict) -> None:
    assert batch["probe"]["leave_process"] == "True"  # it did start one, in a new session
    assert sleepers() == []
    own = [p for p in Path("/sys/fs/cgroup/memory").rglob(f"lce-grading-{os.getpid()}-*")]
    assert own == []  # the batch's cgroups are gone too


def test_what_it_writes_into_the_socket_folder_counts_as_memory_and_is_removed(batch: dict) -> None:
    # 2.5 GB written into the socket folder (a tmpfs) stopped the filler at its memory limit, and nothing is left
    assert list(Path("/dev/shm").rglob(f"junk-{TOKEN}")) == []


def test_memory_limit_holds_across_child_processes(batch: dict) -> None:
    # each child is far below the per-process limit; together they pass the sandbox's memory, so one is killed
    killed = probe_lines(first_answer_output(batch["course"], "memory"))["killed"]
    assert int(killed) >= 1


def test_memory_a_library_reserves_but_does_not_use_is_not_counted(batch: dict) -> None:
    # the honest learner's 600 MB fit: its kernel is not left with too little address space by Arrow's reservation
    # (then 600 MB failed with a MemoryError, and at random moments the kernel's own small allocations did too)
    assert probe_lines(first_answer_output(batch["course"], "arrow"))["held"] == "600 MLY"


def test_time_limit_stops_the_whole_sandbox(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "root")
    course = root / "courses"
    release([ASSIGNMENT], course)
    subs = tmp_path / "subs"
    # every answer waits just under the cell time-out, and leaves a process in a new session
    write_submission(subs, "slow", course, per_answer=f"import subprocess, time\n"
                     f"subprocess.Popen(['sleep', '{SLEEP}'], start_new_session=True)\ntime.sleep(12)\n")
    write_submission(subs, "quick", course)
    report = grade(ASSIGNMENT, subs, course, timeout=TIMEOUT, time_limit=20, workers=2)
    assert {r.student: r.error for r in report.results} == {
        "quick": "", "slow": "time limit: the submission ran longer than 20 s in all, so its sandbox was stopped"}
    assert {r["student"]: float(r["score"]) for r in collect_rows(ASSIGNMENT, course)[0]} == {"quick": 11.0,
                                                                                               "slow": 0.0}
    assert sleepers() == []


def test_no_sandbox_is_stated_in_the_report_and_the_exports(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "root")
    course = root / "courses"
    release([ASSIGNMENT], course)
    write_submission(tmp_path / "subs", "anna", course)
    proc = run_lce(root, "courses", "grade", ASSIGNMENT, str(tmp_path / "subs"), "--no-sandbox",
                   "--timeout", str(TIMEOUT))
    assert "NOT SANDBOXED (--no-sandbox)" in proc.stdout
    assert "containment: NOT SANDBOXED" in proc.stdout
    _, rows = read_csv(course / "exports" / f"{ASSIGNMENT}-integrity.csv")
    assert [(r["student"], r["problem"]) for r in rows] == [("anna", NOT_SANDBOXED)]
    _, grades = read_csv(course / "exports" / f"{ASSIGNMENT}-grades.csv")
    assert [(r["student"], float(r["score"]), r["sandboxed"]) for r in grades] == [("anna", 11.0, "False")]
    _, tests = read_csv(course / "exports" / f"{ASSIGNMENT}-tests.csv")
    assert len(tests) == 3 and {r["sandboxed"] for r in tests} == {"False"}
    feedback = course / "feedback" / "anna" / ASSIGNMENT / "iterating-under-uncertainty.html"
    written = feedback.read_text(encoding="utf-8")  # rendered in the grading worker
    run_lce(root, "courses", "feedback", ASSIGNMENT, "--student", "anna")  # and again from the grading record
    for page in (written, feedback.read_text(encoding="utf-8")):
        assert f'{pair("fb_not_sandboxed")[0]} / <span lang="en">{pair("fb_not_sandboxed")[1]}</span>' in page
    run_lce(root, "courses", "export", ASSIGNMENT)  # the exports written again say it too
    _, grades = read_csv(course / "exports" / f"{ASSIGNMENT}-grades.csv")
    assert [r["sandboxed"] for r in grades] == ["False"]


def test_a_crashed_worker_takes_no_other_learner_along(tmp_path: Path) -> None:
    # without the sandbox a notebook can kill its grading worker; the learners waiting in that worker are graded
    # again, each in a fresh worker of its own, and only the culprit is not graded
    root = copy_course(tmp_path / "root")
    course = root / "courses"
    release([ASSIGNMENT], course)
    subs = tmp_path / "subs"
    write_submission(subs, "a-honest", course)
    write_submission(subs, "b-kills-worker", course, code="import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    write_submission(subs, "c-honest", course, kind="demo-partial")
    report = grade(ASSIGNMENT, subs, course, timeout=TIMEOUT, workers=1, sandbox=False)
    assert {r.student: r.error for r in report.results} == {
        "a-honest": "", "b-kills-worker": "the grading worker process crashed twice while grading this submission",
        "c-honest": ""}
    assert {r["student"]: float(r["score"]) for r in collect_rows(ASSIGNMENT, course)[0]} == {
        "a-honest": 11.0, "b-kills-worker": 0.0, "c-honest": 7.0}


def test_without_a_cgroup_the_per_process_fallback_holds_and_is_stated(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "root")
    course = root / "courses"
    release([ASSIGNMENT], course)
    hog = "try:\n    bytearray(2 * 1024 ** 3)\nexcept MemoryError:\n    print('PROBE hog: MemoryError')"
    write_submission(tmp_path / "subs", "anna", course, code=hog)
    collect(ASSIGNMENT, tmp_path / "subs", course)
    containment = Containment(bwrap_path(), None, "not allowed here", MEMORY_MB, 120)
    assert containment.describe().endswith(
        f"no cgroup (not allowed here): fallback {MEMORY_MB} MB address space per process (RLIMIT_AS), no limit on "
        "the number of processes; 120 s per submission")
    [result] = autograde_parallel(ASSIGNMENT, ["anna"], course, timeout=TIMEOUT, containment=containment)
    assert result.ok and result.grades["notebooks"]["iterating-under-uncertainty"]["grades"]["test_scenarios"] == \
        [4.0, False]
    assert probe_lines(first_answer_output(course, "anna")) == {"hog": "MemoryError"}


def test_missing_bwrap_is_a_clear_error_and_nothing_is_graded(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "root")
    course = root / "courses"
    release([ASSIGNMENT], course)
    write_submission(tmp_path / "subs", "anna", course)
    empty = tmp_path / "no-programs"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "JUPYTER_PATH")}
    env.update(PATH=str(empty), LCE_ROOT=str(root))
    proc = subprocess.run([LCE, "courses", "grade", ASSIGNMENT, str(tmp_path / "subs")], capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "bubblewrap (`bwrap`) is not installed" in proc.stderr and "--no-sandbox" in proc.stderr
    assert "bubblewrap (`bwrap`) saknas" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (course / "submitted").exists() and not (course / "exports").exists()


V2 = """
import json, sys
from lce_utils.courses.sandbox import make_cgroups
group, why = make_cgroups(sys.argv[1], versions=(2,))
out = {"why": why, "version": group.version if group else None}
if group:
    kernel = group.child("k")
    kernel.limit(64, 8)
    out["limits"] = [open(kernel.dirs["unified"] + f"/{name}").read().strip() for name in ("memory.max", "pids.max")]
    group.kill()
print(json.dumps(out))
"""


def test_cgroup_v2_for_real_or_the_reason_why_not() -> None:
    """The cgroup v2 path on this host's real cgroup2 file system (in a process of its own: it may move itself one
    level down): with memory and pids available, a limited cgroup; on a v1 or hybrid host (this project's machines:
    cgroup2 holds no memory controller there) the reason, and nothing left behind."""
    import json

    name = f"lce-v2-{TOKEN}"
    proc = subprocess.run([sys.executable, "-c", V2, name], capture_output=True, text=True, timeout=60, check=True,
                          cwd=ROOT)
    out = json.loads(proc.stdout)
    mounts, own = _mounts(), _own_cgroups()
    if "unified" not in mounts:
        assert out == {"why": "no cgroup file system with memory and pids controllers is mounted", "version": None}
        return
    mine = _folder(mounts["unified"], own["unified"])
    available = (mine / "cgroup.controllers").read_text().split()
    if {"memory", "pids"} <= set(available):
        assert out == {"why": "", "version": 2, "limits": [str(64 * 1024 * 1024), "8"]}
    else:
        assert out == {"version": None, "why": (
            f"cgroup v2: the memory and pids controllers are not available to {mine} (it has: "
            f"{' '.join(available) or 'none'}); they are bound to cgroup v1 or not delegated")}
    assert not (mine / name).exists()
