"""Courses on a shared JupyterHub: the settings file (deploy/hub/hub.yaml) and the hub configuration made from it.

deploy/hub/jupyterhub_config.py calls `configure(c, settings)`; `write_jupyter_config` writes the nbgrader and
Jupyter server settings that learners' servers and each course's formgrader service read (JUPYTER_CONFIG_PATH)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lce_utils.cli import command_group
from lce_utils.errors import DataError
from lce_utils.messages import both

NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # a portable Unix user name (useradd's default rule)
COURSE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# JupyterHub >= 4.1 forbids framing any server; the formgrader panel is an iframe of the same site
FRAME_HEADERS = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
FORMGRADER_EXTENSION = "nbgrader.server_extensions.formgrader"
AUTHENTICATORS = {
    # name in hub.yaml -> (authenticator class, the PyPI package the server needs besides LCE's environment)
    "native": ("nativeauthenticator.NativeAuthenticator", "jupyterhub-nativeauthenticator==1.3.0"),
    "oauth-microsoft": ("oauthenticator.azuread.AzureAdOAuthenticator", "oauthenticator==17.4.0"),
    "oauth-google": ("oauthenticator.google.GoogleOAuthenticator", "oauthenticator==17.4.0"),
    "lti13": ("ltiauthenticator.lti13.auth.LTI13Authenticator", "jupyterhub-ltiauthenticator==1.6.3"),
    "pam": ("jupyterhub.auth.PAMAuthenticator", ""),
    "dummy": ("jupyterhub.auth.DummyAuthenticator", ""),  # any password or the shared one: tests only
}


@dataclass(frozen=True)
class HubCourse:
    """One course on the hub: its folder, the Unix user its formgrader runs as, its graders and learners."""

    id: str
    directory: Path
    service_user: str
    service_port: int
    graders: tuple[str, ...]
    learners: tuple[str, ...]
    gradebook: str | None = None  # nbgrader's CourseDirectory.db_url; None: gradebook.db (SQLite) in the folder

    @property
    def learner_group(self) -> str:
        """nbgrader's group for the course's learners (the assignment list shows the course to them)."""
        return f"nbgrader-{self.id}"

    @property
    def grader_group(self) -> str:
        """nbgrader's group for those who may open the course's formgrader."""
        return f"formgrade-{self.id}"


@dataclass(frozen=True)
class HubSettings:
    """hub.yaml: where the hub listens, how people sign in, the learners' environment, exchange and courses."""

    path: Path
    ip: str = "0.0.0.0"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    state_dir: Path = Path("/srv/lce-hub/state")
    config_dir: Path = Path("/srv/lce-hub/jupyter")
    python: Path = Path("/opt/lce/venv/bin/python")
    proxy: Path | None = None
    exchange: Path = Path("/srv/nbgrader/exchange")
    authenticator: str = "native"
    admin_users: tuple[str, ...] = ()
    idle_timeout: int = 3600
    cull_every: int = 300
    courses: tuple[HubCourse, ...] = field(default_factory=tuple)

    def everyone(self) -> list[str]:
        """Every hub user the settings name: admins, graders and learners."""
        names = list(self.admin_users)
        for course in self.courses:
            names += list(course.graders) + list(course.learners)
        return sorted(set(names))


def _names(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and NAME.match(v) for v in value):
        raise DataError(f"{path}: {where}: expected a list of Unix user names (lower-case letters, digits, '_' "
                        f"and '-', at most 32, not starting with a digit), got {value!r}")
    return tuple(value)


def _port(path: Path, where: str, value: Any) -> int:
    if not isinstance(value, int) or not 0 < value < 65536:
        raise DataError(f"{path}: {where}: expected a port number (1-65535), got {value!r}")
    return value


def _gradebook(path: Path, where: str, value: Any) -> str | None:
    """A PostgreSQL (or SQLite) URL for the course's gradebook; no password in it (hub.yaml is in git)."""
    if value is None:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(str(value))
    except ArgumentError:
        url = None
    if url is None or url.get_backend_name() not in ("postgresql", "sqlite"):
        raise DataError(f"{path}: {where}: expected a database URL such as postgresql+psycopg:///lce_2027 "
                        f"(PostgreSQL on this server, signed in as the course account), got {value!r}")
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        raise DataError(f"{path}: {where}: write postgresql+psycopg://... (psycopg 3 is in LCE's environment; the "
                        f"driver {url.get_driver_name()!r} that {value!r} asks for is not)")
    if url.password:
        raise DataError(f"{path}: {where}: the URL holds a password; connect through the local socket as the "
                        "course account (postgresql+psycopg:///DATABASE) or put the password in ~/.pgpass")
    return str(value)


def load_settings(path: str | Path) -> HubSettings:
    """Read and check hub.yaml; every error names the file and the field."""
    path = Path(path).resolve()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: not a readable YAML file ({exc})") from exc
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a mapping with 'hub', 'environment', 'exchange' and 'courses'")
    hub = data.get("hub") or {}
    auth = hub.get("authenticator", "native")
    if auth not in AUTHENTICATORS:
        raise DataError(f"{path}: hub.authenticator: expected one of {', '.join(AUTHENTICATORS)}, got {auth!r}")
    courses, seen = [], set()
    for i, item in enumerate(data.get("courses") or [], start=1):
        where = f"courses[{i}]"
        if not isinstance(item, dict) or not COURSE.match(str(item.get("id", ""))):
            raise DataError(f"{path}: {where}: expected an 'id' of letters, digits, '_' and '-' (at most 64)")
        if item["id"] in seen:
            raise DataError(f"{path}: {where}: course {item['id']!r} is listed twice")
        seen.add(item["id"])
        for key in ("directory", "service_user", "service_port"):
            if key not in item:
                raise DataError(f"{path}: {where} ({item['id']}): '{key}' is missing")
        service_user = _names(path, f"{where}.service_user", [item["service_user"]])[0]
        courses.append(HubCourse(item["id"], Path(item["directory"]), service_user,
                                 _port(path, f"{where}.service_port", item["service_port"]),
                                 _names(path, f"{where}.graders", item.get("graders")),
                                 _names(path, f"{where}.learners", item.get("learners")),
                                 _gradebook(path, f"{where}.gradebook", item.get("gradebook"))))
    env = data.get("environment") or {}
    return HubSettings(
        path=path, ip=str(hub.get("ip", "0.0.0.0")), port=_port(path, "hub.port", hub.get("port", 8000)),
        hub_port=_port(path, "hub.hub_port", hub.get("hub_port", 8081)),
        proxy_api_port=_port(path, "hub.proxy_api_port", hub.get("proxy_api_port", 8001)),
        state_dir=Path(hub.get("state_dir", "/srv/lce-hub/state")),
        config_dir=Path(hub.get("config_dir", "/srv/lce-hub/jupyter")),
        python=Path(env.get("python", "/opt/lce/venv/bin/python")),
        proxy=Path(env["proxy"]) if env.get("proxy") else None,
        exchange=Path(data.get("exchange", "/srv/nbgrader/exchange")), authenticator=auth,
        admin_users=_names(path, "hub.admin_users", hub.get("admin_users")),
        idle_timeout=int(hub.get("idle_timeout", 3600)), cull_every=int(hub.get("cull_every", 300)),
        courses=tuple(courses))


def default_proxy() -> Path:
    """configurable-http-proxy from the repository's npm dependencies (`npm ci`)."""
    from lce_utils.paths import ROOT

    return ROOT / "node_modules" / ".bin" / "configurable-http-proxy"


def learner_nbgrader_config(settings: HubSettings) -> str:
    """nbgrader_config.py for every learner's server: the shared exchange, courses from the hub's groups."""
    return (
        "# Written by lce_utils.courses.hub (deploy/hub/): the exchange every course on this hub shares.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(settings.exchange)!r}\n"
        "# one folder per course in each learner's home: <course>/<assignment>/\n"
        "c.Exchange.path_includes_course = True\n"
        "# the courses a learner sees are the hub groups nbgrader-<course> and formgrade-<course>\n"
        "c.Authenticator.plugin_class = 'nbgrader.auth.JupyterHubAuthPlugin'\n")


def course_nbgrader_config(settings: HubSettings, course: HubCourse) -> str:
    """The lines a course folder's nbgrader_config.py needs on the hub (course id, exchange).

    No hub auth plugin here: only learners' fetch, submit and list ask the hub, and `lce courses` commands run
    from a shell, outside any hub server. A course with a `gradebook` URL in hub.yaml gets it as nbgrader's
    CourseDirectory.db_url: the one place both the formgrader and LCE's grader read it from."""
    text = (
        f"c.CourseDirectory.course_id = {course.id!r}\n"
        f"c.Exchange.root = {str(settings.exchange)!r}\n"
        "c.Exchange.path_includes_course = True\n")
    if course.gradebook:  # read by the formgrader and by `lce courses` alike (lce_utils.courses.config.db_url)
        text += f"c.CourseDirectory.db_url = {course.gradebook!r}\n"
    return text


def write_jupyter_config(settings: HubSettings) -> tuple[Path, Path]:
    """Write the learners' and the formgraders' Jupyter config folders; returns (learners', formgraders')."""
    learners = settings.config_dir / "learners"
    graders = settings.config_dir / "formgrader"
    for folder in (learners, graders):
        (folder / "labconfig").mkdir(parents=True, exist_ok=True)
        (folder / "nbgrader_config.py").write_text(learner_nbgrader_config(settings), encoding="utf-8")
        server: dict[str, dict[str, Any]] = {"ServerApp": {"tornado_settings": FRAME_HEADERS}}
        if folder is graders:
            server["ServerApp"]["jpserver_extensions"] = {FORMGRADER_EXTENSION: True}
        (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1), encoding="utf-8")
    # LCE's environment turns the formgrader off for learners (binder/configure-jupyter); the services turn it on
    page = {"disabledExtensions": {"@jupyter/nbgrader:formgrader": False, "@jupyter/nbgrader:create-assignment":
                                   False}}
    (graders / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1), encoding="utf-8")
    for path in [settings.config_dir, learners, graders, *learners.rglob("*"), *graders.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # read by every learner's server, written by root only
    return learners, graders


def _service(settings: HubSettings, course: HubCourse, grader_config: Path) -> dict[str, Any]:
    """The course's formgrader: a Jupyter server run by the hub as the course's own Unix user, in its folder."""
    return {
        "name": course.id,
        "url": f"http://127.0.0.1:{course.service_port}",
        "command": [str(settings.python), "-m", "jupyterhub.singleuser", f"--ServerApp.root_dir={course.directory}"],
        "user": course.service_user,
        "cwd": str(course.directory),
        "environment": {"JUPYTER_CONFIG_PATH": str(grader_config), "JUPYTERHUB_DEFAULT_URL": "/lab",
                        "PATH": f"{settings.python.parent}:/usr/local/bin:/usr/bin:/bin"},
        "oauth_no_confirm": True,
        "timeout": 300,  # a Jupyter server may take longer than the default 30 s on a busy machine; the hub exits then
    }


def configure(c: Any, settings: HubSettings) -> None:
    """Set JupyterHub's configuration object c from hub.yaml (called by deploy/hub/jupyterhub_config.py)."""
    learners_config, grader_config = write_jupyter_config(settings)
    settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [str(settings.proxy or default_proxy())]
    c.JupyterHub.cookie_secret_file = str(settings.state_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.db_url = f"sqlite:///{settings.state_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.pid_file = str(settings.state_dir / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(settings.state_dir / "jupyterhub-proxy.pid")

    # who may sign in, and how (docs: deploy/hub/README.md)
    c.JupyterHub.authenticator_class = AUTHENTICATORS[settings.authenticator][0]
    c.Authenticator.admin_users = set(settings.admin_users)
    if settings.authenticator == "native":
        c.NativeAuthenticator.open_signup = False  # an admin approves each sign-up at /hub/authorize
    else:
        c.Authenticator.allowed_users = set(settings.everyone())

    # one Unix user per learner: nbgrader's filesystem exchange relies on file ownership
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    c.LocalProcessSpawner.shell_cmd = []
    c.Spawner.cmd = [str(settings.python), "-m", "jupyterhub.singleuser"]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.environment = {"JUPYTER_CONFIG_PATH": str(learners_config),
                             "PATH": f"{settings.python.parent}:/usr/local/bin:/usr/bin:/bin"}
    c.Spawner.start_timeout = 300  # a deadline hour on a busy server: slow starts, not failures
    c.Spawner.http_timeout = 300

    # groups per course, as nbgrader's JupyterHub auth plugin reads them
    groups: dict[str, list[str]] = {}
    for course in settings.courses:
        groups[course.learner_group] = sorted(course.learners)
        groups[course.grader_group] = sorted(course.graders)
    c.JupyterHub.load_groups = groups

    services: list[dict[str, Any]] = [_service(settings, course, grader_config) for course in settings.courses]
    # idle servers stop after idle_timeout; work is kept: notebooks live in each learner's home folder, JupyterLab
    # saves every 2 minutes (its default), and the culler never deletes users or named servers
    services.append({"name": "idle-culler", "command": [
        sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={settings.idle_timeout}",
        f"--cull-every={settings.cull_every}", "--cull-users=false", "--remove-named-servers=false"]})
    c.JupyterHub.services = services
    roles: list[dict[str, Any]] = [
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
        # a server's token reads its own user's groups: nbgrader lists the user's courses from them
        {"name": "server", "scopes": ["users:activity!user", "access:servers!server", "read:users:name!user",
                                      "read:users:groups!user"]},
    ]
    for course in settings.courses:
        roles.append({"name": f"formgrade-{course.id}", "groups": [course.grader_group],
                      "scopes": [f"access:services!service={course.id}"]})
        # the formgrader checks a learner's course membership when it collects
        roles.append({"name": f"service-{course.id}", "services": [course.id],
                      "scopes": ["list:users", "read:users:name", "read:users:groups", "read:groups"]})
    c.JupyterHub.load_roles = roles


# ------------------------------------------------------------------------------------------ set-up as root
def ensure_unix_user(name: str) -> bool:
    """Create the Unix user with a private home folder unless it exists; True when it was created.

    Debian's useradd makes homes readable by everyone (0755): a learner could read another's notebooks there, so
    every home this makes or finds is closed to others (0700)."""
    import pwd

    created = False
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", name], check=True,
                       capture_output=True)
        entry, created = pwd.getpwnam(name), True
    home = Path(entry.pw_dir)
    if home.is_dir() and home != Path("/"):
        home.chmod(0o700)
    return created


def setup_exchange(exchange: Path) -> None:
    """The shared exchange: root-owned, every user may make entries (1777: no one removes another's)."""
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    exchange.chmod(0o1777)


def setup_course(settings: HubSettings, course: HubCourse, source: Path | None = None) -> None:
    """The course folder owned by the course's Unix user, with an nbgrader_config.py that knows the hub."""
    import pwd

    owner = pwd.getpwnam(course.service_user)
    course.directory.mkdir(parents=True, exist_ok=True)
    if source is not None and not (course.directory / "source").exists():
        shutil.copytree(source / "source", course.directory / "source")
        for name in ("course.yaml",):
            if (source / name).exists():
                shutil.copy2(source / name, course.directory / name)
    config = course.directory / "nbgrader_config.py"
    base = (source / "nbgrader_config.py").read_text(encoding="utf-8") if source and \
        (source / "nbgrader_config.py").exists() else "c = get_config()  # noqa: F821\n"
    marker = "# --- JupyterHub (written by lce_utils.courses.hub) ---\n"
    text = config.read_text(encoding="utf-8") if config.exists() else base
    text = text.split(marker)[0].rstrip("\n") + "\n\n" + marker
    lines = [line for line in course_nbgrader_config(settings, course).splitlines()
             if not line.startswith("c.CourseDirectory.course_id") or "course_id" not in text.split(marker)[0]]
    text += "\n".join(lines) + "\n"
    if "c.CourseDirectory.course_id" in text.split(marker)[0]:  # the course's own id must be the hub's
        text = re.sub(r"^c\.CourseDirectory\.course_id = .*$", f"c.CourseDirectory.course_id = {course.id!r}",
                      text, count=1, flags=re.M)
    config.write_text(text, encoding="utf-8")
    for path in [course.directory, *course.directory.rglob("*")]:
        os.chown(path, owner.pw_uid, owner.pw_gid, follow_symlinks=False)
    course.directory.chmod(0o750)


def linked_environment(source_venv: Path, target: Path, python: str = "/usr/bin/python3.11") -> Path:
    """A virtual environment at target made from python whose packages, data and config ARE source_venv's.

    For a machine whose checkout's .venv was made from a Python under a private home (pyenv under /root): other
    Unix users cannot run that interpreter, but can run the system's Python of the same minor version with the
    very same installed packages. Returns target's python."""
    if not (target / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", "--without-pip", str(target)], check=True, capture_output=True)
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        site = target / "lib" / version / "site-packages"
        shutil.rmtree(site)
        site.symlink_to(source_venv / "lib" / version / "site-packages")
        for name in ("share", "etc"):
            if (source_venv / name).exists() and not (target / name).exists():
                (target / name).symlink_to(source_venv / name)
        for script in sorted((source_venv / "bin").iterdir()):  # alembic, jupyter, nbgrader... for this python
            if script.is_file() and not script.is_symlink() and not (target / "bin" / script.name).exists():
                head, _, rest = script.read_bytes().partition(b"\n")
                if head.startswith(b"#!") and b"python" in head:
                    (target / "bin" / script.name).write_bytes(f"#!{target}/bin/python".encode() + b"\n" + rest)
                    (target / "bin" / script.name).chmod(0o755)
        for path in [target, *target.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    return target / "bin" / "python"


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def setup(settings: HubSettings, course_source: Path | None = None, *, dry_run: bool = False) -> list[str]:
    """As root: Unix users for everyone in hub.yaml (private homes), the exchange, each course's folder.

    dry_run: change nothing, return what would be done (no root needed)."""
    done = []
    for name in sorted({*settings.everyone(), *(c.service_user for c in settings.courses)}):
        if dry_run:
            done.append(f"would close the home of Unix user {name} (0700)" if _user_exists(name)
                        else f"would create Unix user {name} (home 0700)")
        elif ensure_unix_user(name):
            done.append(f"created Unix user {name}")
    if not dry_run:
        setup_exchange(settings.exchange)
    done.append(f"{'would make ' if dry_run else ''}exchange {settings.exchange} (root-owned, mode 1777)")
    for course in settings.courses:
        if not dry_run:
            setup_course(settings, course, course_source)
        gradebook = course.gradebook or f"sqlite:///{course.directory / 'gradebook.db'}"
        done.append(f"{'would set up ' if dry_run else ''}course {course.id}: {course.directory} (owned by "
                    f"{course.service_user}, gradebook {gradebook})")
    if not dry_run:
        write_jupyter_config(settings)
    done.append(f"{'would write ' if dry_run else ''}Jupyter config for learners and formgraders in "
                f"{settings.config_dir}")
    return done


def check(settings: HubSettings) -> list[str]:
    """What JupyterHub would run from these settings, built into a scratch folder (nothing on the machine
    changes): the authenticator and whether its package is installed, groups, services and gradebooks."""
    import dataclasses
    import importlib.util
    import tempfile

    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="lce-hub-check-") as scratch:
        c = Config()
        configure(c, dataclasses.replace(settings, state_dir=Path(scratch) / "state",
                                         config_dir=Path(scratch) / "jupyter"))
    cls = c.JupyterHub.authenticator_class
    package = AUTHENTICATORS[settings.authenticator][1]
    installed = importlib.util.find_spec(cls.split(".")[0]) is not None
    lines = [f"settings: {settings.path}",
             f"authenticator: {settings.authenticator} ({cls}): "
             + ("installed" if installed else f"{both('hub_not_installed')}: pip install {package}")]
    lines.append(f"hub: {c.JupyterHub.bind_url}; learners' Python {settings.python}; exchange {settings.exchange}")
    for name, members in sorted(c.JupyterHub.load_groups.items()):
        lines.append(f"group {name}: {', '.join(members) or '(nobody yet)'}")
    for service in c.JupyterHub.services:
        lines.append(f"service {service['name']}" + (f": {service['url']} as {service['user']}"
                                                     if "user" in service else ""))
    for course in settings.courses:
        lines.append(f"course {course.id}: gradebook "
                     f"{course.gradebook or 'sqlite:///' + str(course.directory / 'gradebook.db')}")
    return lines


def _cmd_setup(args: Any) -> int:
    from lce_utils.errors import UsageError

    if not args.dry_run and os.geteuid() != 0:
        raise UsageError(both("err_hub_root"))
    settings = load_settings(args.settings)
    for line in setup(settings, Path(args.course_source) if args.course_source else None, dry_run=args.dry_run):
        print(line)
    return 0


def _cmd_check(args: Any) -> int:
    print("\n".join(check(load_settings(args.settings))))
    return 0


def register(subparsers: Any) -> None:
    """Add `lce hub setup` and `lce hub check` (deploy/hub/README.md)."""
    sub = command_group(subparsers, "hub", help="set up courses on a shared JupyterHub (deploy/hub/)",
                        description="LCE's courses on one JupyterHub server: Unix users, the nbgrader "
                                    "exchange and course folders from hub.yaml (deploy/hub/README.md).",
                        dest="hub_command", metavar="SUBCOMMAND")
    p = sub.add_parser("setup", help="create the users, exchange and course folders hub.yaml names (as root)",
                       description="As root: a Unix user with a private home for every learner, grader and "
                       "course account, the exchange, each course folder with its nbgrader_config.py, and the "
                       "learners' and formgraders' Jupyter settings. Run it again when learners are added.")
    p.add_argument("settings", metavar="HUB_YAML", help="the hub's settings (deploy/hub/hub.yaml)")
    p.add_argument("--course-source", metavar="DIR", help="an nbgrader course folder whose source/, course.yaml "
                   "and nbgrader_config.py each new course folder starts from (e.g. courses/ of the checkout)")
    p.add_argument("--dry-run", action="store_true", help="print what would be done, change nothing")
    p.set_defaults(func=_cmd_setup)
    p = sub.add_parser("check", help="check hub.yaml and show what the hub would run",
                       description="Builds the JupyterHub configuration from hub.yaml in a scratch folder and "
                       "prints the authenticator (and whether its package is installed), groups, services and "
                       "each course's gradebook. Changes nothing.")
    p.add_argument("settings", metavar="HUB_YAML", help="the hub's settings (deploy/hub/hub.yaml)")
    p.set_defaults(func=_cmd_check)


