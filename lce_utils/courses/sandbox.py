"""A sandbox per submission: each grading kernel runs in bubblewrap inside its own cgroup.

The kernel sees a private copy of the learner's handed-in files (on a size-limited tmpfs) as its working folder, plus
read-only the Python environment and the system files it needs; nothing of the course (source, release, other
learners, gradebook, config, exports), var/, the repository or the home folder. It has no network (own network
namespace), its own PID namespace (everything it starts ends with it), a private /tmp, and runs as an unprivileged
user with no capabilities. It talks to the grading worker over Unix sockets (Jupyter's `ipc` transport) in a folder
bound into the sandbox (on /dev/shm: what the notebook writes there counts against its memory). Memory and the
number of processes are limited over the whole sandbox by a cgroup (v1 or v2) where one can be made; where not, each
process keeps RLIMIT_AS only, and that is said in the output.

The worker's kernel manager starts `python -m lce_utils.courses.sandbox CONNECTION_FILE` (see kernelspec()); that
launcher assembles the working folder, joins the cgroup and replaces itself with bwrap (or, with --no-sandbox, with
the kernel itself, still inside the cgroup)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lce_utils.errors import LCEError

SETTINGS_ENV = "LCE_SANDBOX"      # JSON settings the worker hands to each kernel launcher
MAX_PROCESSES = 128               # tasks (processes and threads) per sandbox
TMPFS_MB = 512                    # size of the sandbox's working folder and of its /tmp
WORKDIR = "/submission"           # the kernel's working folder inside the sandbox
HANDED_IN = "/handed-in"          # read-only view of the assembled files, copied into WORKDIR at start
CONNECTION = "/run/lce/kernel.json"
IPC_DIR = "/run/lce/ipc"          # where the worker's socket folder appears inside the sandbox
SANDBOX_UID = 65534               # 'nobody' inside the sandbox's user namespace
# Instructor-only files in lce_utils (the demo answers; `lce courses publish` leaves them out too): hidden in there.
MASKED = ("courses/demo.py", "courses/demo_expected.yaml", "courses/demo_expected")
# System files a Python kernel needs; never /etc as a whole (host root's files appear as the sandbox user's own).
# /etc/passwd and /etc/group are the sandbox's own (the host's would name every user of the machine).
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf", "mime.types",
             "fonts", "ssl/certs", "alternatives", "matplotlibrc"]
USERS = {"passwd": f"nobody:x:{SANDBOX_UID}:{SANDBOX_UID}:nobody:/tmp:/usr/sbin/nologin\n",
         "group": f"nogroup:x:{SANDBOX_UID}:\n"}


class SandboxError(LCEError):
    """Grading cannot be contained as asked (no bubblewrap, no user namespaces)."""


def bwrap_path() -> str:
    """The bwrap program, after checking it can make a sandbox here; a clear error otherwise."""
    import subprocess  # here, not at the top: the kernel launcher (this module, once per kernel) never needs it

    from lce_utils.messages import both

    found = shutil.which("bwrap")
    if not found:
        raise SandboxError(both("err_no_bwrap"))
    proc = subprocess.run([found, "--unshare-all", "--die-with-parent", "--uid", str(SANDBOX_UID), "--ro-bind",
                           "/usr", "/usr", *_root_links(), "--", "/usr/bin/true"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SandboxError(both("err_bwrap_fails", found=found, error=proc.stderr.strip()[:200]))
    return found


def _root_links() -> list[str]:
    """bwrap arguments for /bin, /lib, /lib64, /sbin: symlinks where the host has merged /usr, else read-only."""
    args = []
    for name in ("/bin", "/lib", "/lib64", "/sbin"):
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    return args


# ---------------------------------------------------------------------------------------------------------- cgroups

@dataclass
class Cgroups:
    """Where this batch's cgroups live: one folder per hierarchy (v1 memory + pids, or v2 unified)."""

    version: int
    dirs: dict[str, str] = field(default_factory=dict)   # controller ('memory', 'pids', 'unified') -> folder

    def child(self, name: str) -> Cgroups:
        """The same cgroups one level down (created)."""
        dirs = {}
        for key, folder in self.dirs.items():
            path = Path(folder) / name
            path.mkdir(exist_ok=True)
            if self.version == 2:
                _enable_v2_controllers(path)
            dirs[key] = str(path)
        return Cgroups(self.version, dirs)

    def limit(self, memory_mb: int, processes: int) -> None:
        """Cap memory (bytes held by every process together) and tasks of this cgroup."""
        limit = str(int(memory_mb) * 1024 * 1024)
        if self.version == 1:
            Path(self.dirs["memory"], "memory.limit_in_bytes").write_text(limit)
            try:  # with swap, RAM + swap together; absent without swap accounting
                Path(self.dirs["memory"], "memory.memsw.limit_in_bytes").write_text(limit)
            except OSError:
                pass
            Path(self.dirs["pids"], "pids.max").write_text(str(processes))
        else:
            Path(self.dirs["unified"], "memory.max").write_text(limit)
            try:
                Path(self.dirs["unified"], "memory.swap.max").write_text("0")
            except OSError:
                pass
            Path(self.dirs["unified"], "pids.max").write_text(str(processes))

    def join(self, pid: int) -> None:
        """Move process pid (and its future children) into this cgroup."""
        for folder in self.dirs.values():
            Path(folder, "cgroup.procs").write_text(str(pid))

    def oom_kills(self) -> int:
        """How many processes the kernel killed here for lack of memory (summed over leaf cgroups)."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        return _events(self.dirs.get("memory") or self.dirs.get("unified", ""), name, "oom_kill")

    def process_limit_hits(self) -> int:
        """How often a process or thread could not start here because the number of tasks was at its limit."""
        return _events(self.dirs.get("pids") or self.dirs.get("unified", ""), "pids.events", "max")  # v1 and v2

    def pids(self) -> set[int]:
        """Every process in this cgroup and below."""
        found: set[int] = set()
        for top in self.dirs.values():
            for folder in _tree(top):
                try:
                    found |= {int(p) for p in Path(folder, "cgroup.procs").read_text().split()}
                except OSError:
                    pass
        return found

    def kill(self, remove: bool = True) -> None:
        """Kill every process in this cgroup and below; remove the cgroups below (and this one if remove)."""
        if self.version == 2:
            for folder in _tree(self.dirs["unified"]):
                try:
                    Path(folder, "cgroup.kill").write_text("1")
                except OSError:
                    pass
        for _ in range(200):  # a fork bomb forks between reading the list and the kills; the pids limit bounds it
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.02)
        for top in self.dirs.values():
            for folder in sorted(_tree(top), key=lambda p: -p.count("/")):
                if folder == top and not remove:
                    continue
                for _ in range(50):  # a killed process leaves its cgroup a moment after it is reaped
                    try:
                        os.rmdir(folder)
                        break
                    except FileNotFoundError:
                        break
                    except OSError:
                        time.sleep(0.02)


def _events(top: str, name: str, wanted: str) -> int:
    """The counter `wanted` of the 'key value' lines of file name, summed over the cgroups from top down."""
    total = 0
    for folder in _tree(top):
        try:
            for line in Path(folder, name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == wanted:
                    total += int(value)
        except OSError:
            pass
    return total


def _tree(top: str) -> list[str]:
    if not top or not os.path.isdir(top):
        return []
    return [top] + [os.path.join(d, sub) for d, subs, _ in os.walk(top) for sub in subs]


def _enable_v2_controllers(path: Path) -> None:
    try:
        Path(path.parent, "cgroup.subtree_control").write_text("+memory +pids")
    except OSError:
        pass


def _own_cgroups() -> dict[str, str]:
    """hierarchy key -> this process's cgroup path, from /proc/self/cgroup."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(","):
            own[name or "unified"] = path
    return own


def _mounts() -> dict[str, tuple[str, str]]:
    """hierarchy key -> (mount point, cgroup shown there) of the cgroup file systems (mountinfo's root field: a
    container may see a subtree mounted as its /sys/fs/cgroup)."""
    found: dict[str, tuple[str, str]] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fstype, _, options = right.split(" ", 2)
        root, point = left.split()[3:5]
        if fstype == "cgroup2":
            found.setdefault("unified", (point, root))
        elif fstype == "cgroup":
            for opt in options.split(",") + options.split()[-1].split(","):
                if opt in ("memory", "pids"):
                    found.setdefault(opt, (point, root))
    return found


def _folder(mount: tuple[str, str], own: str) -> Path:
    """Where cgroup own (as /proc/self/cgroup names it) is in the file system mounted as mount."""
    point, root = mount
    relative = os.path.relpath(own, root) if root != "/" else own.lstrip("/")
    if relative.startswith(".."):
        raise OSError(f"this process's cgroup {own} is outside the mounted {root}")
    return Path(point) / relative if relative != "." else Path(point)


def _checked(group: Cgroups) -> Cgroups:
    """group, once a child with limits could be made and removed in it (OSError where not)."""
    probe = group.child("probe")
    probe.limit(64, 8)
    probe.kill()
    return group


def make_cgroups(name: str, versions: tuple[int, ...] = (1, 2)) -> tuple[Cgroups | None, str]:
    """A new cgroup below this process's own (v1 memory + pids, else v2; versions: which to try), or None and the
    reason why not."""
    try:
        own, mounts = _own_cgroups(), _mounts()
    except OSError as exc:
        return None, f"cannot read this process's cgroups ({exc})"
    reasons = []
    if 1 in versions and "memory" in mounts and "pids" in mounts and "memory" in own and "pids" in own:
        dirs = {}
        try:
            for key in ("memory", "pids"):
                path = _folder(mounts[key], own[key]) / name
                path.mkdir()
                dirs[key] = str(path)
            return _checked(Cgroups(1, dirs)), ""
        except OSError as exc:
            reasons.append(f"cgroup v1: {exc}")
            Cgroups(1, dirs).kill()
    if 2 in versions and "unified" in mounts and "unified" in own:
        path = Path("/nonexistent")
        try:
            mine = _folder(mounts["unified"], own["unified"])
            available = Path(mine, "cgroup.controllers").read_text().split()
            if not {"memory", "pids"} <= set(available):
                raise OSError(f"the memory and pids controllers are not available to {mine} (it has: "
                              f"{' '.join(available) or 'none'}); they are bound to cgroup v1 or not delegated")
            path = mine / name
            path.mkdir()
            if not {"memory", "pids"} <= set(Path(mine, "cgroup.subtree_control").read_text().split()):
                # cgroup v2 lets a non-root cgroup hand controllers down only while it holds no process itself
                # (the "no internal processes" rule; e.g. a delegated `systemd-run --scope -p Delegate=yes`): this
                # process moves one level down first (that leaf stays until the machine removes empty cgroups)
                leaf = mine / f"lce-main-{os.getpid()}"
                leaf.mkdir(exist_ok=True)
                Path(leaf, "cgroup.procs").write_text(str(os.getpid()))
                _enable_v2_controllers(path)
            return _checked(Cgroups(2, {"unified": str(path)})), ""
        except OSError as exc:
            reasons.append(f"cgroup v2: {exc}")
            Cgroups(2, {"unified": str(path)}).kill()
    return None, "; ".join(reasons) or "no cgroup file system with memory and pids controllers is mounted"


# ------------------------------------------------------------------------------------------------------ containment

@dataclass
class Containment:
    """How one grading run contains learners' code: the sandbox (or none), the cgroup (or why none), the limits."""

    bwrap: str | None
    cgroups: Cgroups | None
    cgroup_problem: str
    memory_mb: int
    time_limit: int
    processes: int = MAX_PROCESSES

    @classmethod
    def prepare(cls, sandbox: bool, memory_mb: int, time_limit: int) -> Containment:
        """Check bubblewrap (unless sandbox is False) and make this run's cgroup where one can be made."""
        bwrap = bwrap_path() if sandbox else None
        cgroups, problem = make_cgroups(f"lce-grading-{os.getpid()}-{time.monotonic_ns() % 10**9}")
        return cls(bwrap, cgroups, problem, memory_mb, time_limit)

    @property
    def sandboxed(self) -> bool:
        """True when every kernel runs in bubblewrap."""
        return self.bwrap is not None

    def describe(self) -> str:
        """One line for the grade report and the exports."""
        where = ("bubblewrap sandbox per submission (no network, no course files, own processes)" if self.sandboxed
                 else "NOT SANDBOXED (--no-sandbox): learners' code ran as this user with the course in reach")
        if self.cgroups:
            limits = (f"cgroup v{self.cgroups.version}: {self.memory_mb} MB memory and {self.processes} processes "
                      "for all of a submission's processes together")
        else:
            limits = (f"no cgroup ({self.cgroup_problem}): fallback {self.memory_mb} MB address space per process "
                      "(RLIMIT_AS), no limit on the number of processes")
        return f"{where}; {limits}; {self.time_limit} s per submission"

    def close(self) -> None:
        """Kill whatever is left in this run's cgroup and remove it."""
        if self.cgroups:
            self.cgroups.kill()


# --------------------------------------------------------------------------------------------------------- settings

@dataclass
class SandboxSettings:
    """What a kernel launcher needs: how to contain the kernel and which files the learner handed in."""

    bwrap: str | None                  # None: --no-sandbox (kernel runs unconfined, cgroup limits still apply)
    memory_mb: int
    box_dir: str                       # where the launcher assembles each kernel's working folder
    handed_in: str = ""                # the learner's submitted folder (their notebooks and files)
    cgroups: dict | None = None        # {'version': 1|2, 'dirs': {...}} of this worker's cgroup
    processes: int = MAX_PROCESSES

    def to_env(self) -> str:
        """The settings as the JSON the launcher reads from its environment."""
        return json.dumps(self.__dict__)


def kernelspec() -> dict:
    """argv and interrupt mode of the grading kernelspec: this module's launcher, interrupted by message."""
    return {"argv": [sys.executable, "-m", "lce_utils.courses.sandbox", "{connection_file}"],
            "interrupt_mode": "message"}


def python_dirs() -> list[str]:
    """Folders the kernel's Python needs read-only: the environment, the base interpreter, lce_utils' code."""
    import site

    import lce_utils

    dirs = {sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent),
            str(Path(lce_utils.__file__).resolve().parent)}
    # where the packages really are: an environment may link its site-packages to another's (deploy/hub/ does)
    dirs |= {str(Path(p).resolve()) for p in site.getsitepackages() if Path(p).is_dir()}
    # drop folders inside another one listed
    return sorted(d for d in dirs if not any(d != o and d.startswith(o + os.sep) for o in dirs))


def bwrap_argv(settings: SandboxSettings, box: Path, connection_file: str, ipc_dir: str) -> list[str]:
    """The bwrap command line that starts the kernel in its sandbox (box holds the handed-in files in work/ and the
    sandbox's user files; connection_file as the kernel must see it, with its sockets in IPC_DIR, where the
    worker's ipc_dir is bound)."""
    argv = [settings.bwrap or "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "grading", "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr", *_root_links(), "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMPFS_MB * 1024 * 1024), "--tmpfs", "/tmp",
            "--size", str(TMPFS_MB * 1024 * 1024), "--tmpfs", WORKDIR,
            "--ro-bind", str(box / "work"), HANDED_IN, "--ro-bind", connection_file, CONNECTION,
            "--bind", ipc_dir, IPC_DIR]
    for name in ETC_FILES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for name, text in USERS.items():
        (box / name).write_text(text, encoding="utf-8")
        argv += ["--ro-bind", str(box / name), f"/etc/{name}"]
    for folder in python_dirs():
        argv += ["--ro-bind", folder, folder]
    package = Path(__file__).resolve().parent.parent
    (box / "masked").mkdir(exist_ok=True)
    for name in MASKED:  # a file reads as empty, a folder as an empty folder
        if (package / name).exists():
            hidden = box / "masked" if (package / name).is_dir() else Path("/dev/null")
            argv += ["--ro-bind", str(hidden), str(package / name)]
    python = str(Path(sys.prefix) / "bin" / "python")
    env = {"PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib", "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1",
           "LCE_KERNEL_MEMORY_MB": str(settings.memory_mb), "LCE_HANDED_IN": HANDED_IN,
           "JUPYTER_RUNTIME_DIR": os.path.dirname(CONNECTION),
           "JPY_PARENT_PID": "1"}  # the kernel manager is outside: no parent polling, no how-to-connect banner
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MALLOC_ARENA_MAX",
                 "NBGRADER_EXECUTION"):
        if name in os.environ:
            env[name] = os.environ[name]
    argv += ["--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--chdir", WORKDIR, "--", python, "-m", "lce_utils.courses.sandbox_kernel", "-f", CONNECTION,
             "--IPKernelApp.log_level=ERROR"]
    return argv


def assemble(cwd: Path, handed_in: str, dest: Path) -> Path:
    """The kernel's working folder: the learner's handed-in files, and the course's non-notebook files that
    nbgrader put beside the notebook (data files). Never the notebook nbgrader runs (it holds hidden tests)."""
    dest.mkdir(parents=True)
    if handed_in and Path(handed_in).is_dir():
        shutil.copytree(handed_in, dest, dirs_exist_ok=True, symlinks=False)
    for path in cwd.iterdir() if cwd.is_dir() else []:
        if path.suffix == ".ipynb" or path.name.startswith("."):
            continue
        target = dest / path.name
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True, symlinks=False)
        elif path.is_file():
            shutil.copy2(path, target)
    return dest


def launch(connection_file: str) -> None:
    """Kernel launcher (run by the worker's kernel manager): join the cgroup, then exec bwrap or the kernel."""
    settings = SandboxSettings(**json.loads(os.environ[SETTINGS_ENV]))
    info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    if info.get("transport") != "ipc":
        raise SystemExit("lce sandbox: the grading kernel must use the ipc transport (no network in the sandbox)")
    box = Path(tempfile.mkdtemp(prefix="box-", dir=settings.box_dir))
    work = assemble(Path.cwd(), settings.handed_in, box / "work")
    if settings.cgroups:
        group = Cgroups(settings.cgroups["version"], settings.cgroups["dirs"]).child(f"k-{os.getpid()}")
        group.limit(settings.memory_mb, settings.processes)
        group.join(os.getpid())
    if settings.bwrap:
        inside = box / "kernel.json"  # the same sockets, named by where the sandbox sees them
        inside.write_text(json.dumps({**info, "ip": f"{IPC_DIR}/{os.path.basename(info['ip'])}"}), encoding="utf-8")
        argv = bwrap_argv(settings, box, str(inside), os.path.dirname(info["ip"]))
        os.execv(argv[0], argv)
    # --no-sandbox: the kernel runs as this user, in a copy of the files; the cgroup (if any) still limits it
    os.chdir(work)
    os.environ["LCE_KERNEL_MEMORY_MB"] = str(settings.memory_mb)
    os.execv(sys.executable, [sys.executable, "-m", "lce_utils.courses.sandbox_kernel", "-f", connection_file,
                              "--IPKernelApp.log_level=ERROR"])


if __name__ == "__main__":
    launch(sys.argv[1])
