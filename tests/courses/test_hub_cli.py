"""`lce hub` (setup --dry-run, check), deploy/hub/install.sh as far as it runs safely here, each documented
authenticator choice as JupyterHub itself loads it, and a course's PostgreSQL gradebook named in hub.yaml."""

from __future__ import annotations

import json
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lce_utils.courses.hub import AUTHENTICATORS, course_nbgrader_config, load_settings
from lce_utils.errors import DataError
from lce_utils.paths import ROOT
from tests.courses.test_hub_config import SETTINGS

LCE = str(Path(sys.executable).parent / "lce")
INSTALL = ROOT / "deploy" / "hub" / "install.sh"
NEW_USER = "lcehubdryrun"  # must not exist: the dry run says it would create it, and must not


def _settings(tmp_path: Path, **hub: object) -> Path:
    data = json.loads(json.dumps(SETTINGS))
    data["hub"].update(state_dir=str(tmp_path / "state"), config_dir=str(tmp_path / "jupyter"), **hub)
    data["exchange"] = str(tmp_path / "exchange")
    data["courses"][0].update(directory=str(tmp_path / "course"), learners=[NEW_USER, "root"])
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _lce(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LCE, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_setup_dry_run_says_what_it_would_do_and_changes_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        pwd.getpwnam(NEW_USER)
    out = _lce("hub", "setup", str(_settings(tmp_path)), "--dry-run")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert f"would create Unix user {NEW_USER} (home 0700)" in lines
    assert "would close the home of Unix user root (0700)" in lines
    assert f"would make exchange {tmp_path / 'exchange'} (root-owned, mode 1777)" in lines
    assert any(line.startswith(f"would set up course lce-2027: {tmp_path / 'course'}") for line in lines)
    with pytest.raises(KeyError):
        pwd.getpwnam(NEW_USER)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.yaml"]  # no exchange, course, state or config


@pytest.mark.slow
def test_setup_names_a_bad_settings_file_in_one_line(tmp_path: Path) -> None:
    path = _settings(tmp_path, port=70000)
    out = _lce("hub", "setup", str(path), "--dry-run")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip() == f"lce: error: {path}: hub.port: expected a port number (1-65535), got 70000"
    assert _lce("hub").returncode == 2  # a subcommand is required


@pytest.mark.slow
def test_check_shows_the_hub_it_would_run(tmp_path: Path) -> None:
    out = _lce("hub", "check", str(_settings(tmp_path)))
    assert out.returncode == 0, out.stderr
    assert "authenticator: native (nativeauthenticator.NativeAuthenticator): installed" in out.stdout
    assert f"group nbgrader-lce-2027: {NEW_USER}, root" in out.stdout
    assert "service lce-2027: http://127.0.0.1:9001 as g" in out.stdout
    assert f"course lce-2027: gradebook sqlite:///{tmp_path / 'course' / 'gradebook.db'}" in out.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.yaml"]  # built in a scratch folder


def test_install_script_parses_and_its_dry_run_prints_every_step(tmp_path: Path) -> None:
    assert subprocess.run(["bash", "-n", str(INSTALL)], capture_output=True).returncode == 0
    if shutil.which("shellcheck"):  # not in this machine's packages; CI images may have it
        check = subprocess.run(["shellcheck", str(INSTALL)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
    settings = _settings(tmp_path)
    touched = [Path("/opt/lce"), Path("/srv/lce-hub"), Path("/etc/systemd/system/lce-hub.service")]
    before = [p.exists() for p in touched]
    out = subprocess.run(["bash", str(INSTALL), "--dry-run", str(settings)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    steps = [line for line in out.stdout.splitlines() if line.startswith("==> ")]
    assert [s.split(".")[0] for s in steps] == ["==> 1", "==> 2", "==> 3", "==> 4", "==> 5"]
    commands = [line for line in out.stdout.splitlines() if line.startswith("+ ")]
    assert f"+ /opt/lce/venv/bin/lce hub setup {settings} --course-source /opt/lce/src/courses" in commands
    assert "+ systemctl enable --now lce-hub" in commands
    assert [p.exists() for p in touched] == before  # nothing installed, made or removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hub.yaml"]
    missing = subprocess.run(["bash", str(INSTALL), "--dry-run", str(tmp_path / "nope.yaml")], capture_output=True,
                             text=True, timeout=60)
    assert missing.returncode == 2 and "no settings file" in missing.stderr


@pytest.mark.slow
def test_each_authenticator_choice_is_what_jupyterhub_loads(tmp_path: Path) -> None:
    """JupyterHub reads deploy/hub/jupyterhub_config.py for every documented choice and resolves the class; one
    whose package is not in LCE's pinned environment (OAuth, LTI) fails to import, as deploy/hub/README.md says."""
    paths = {}
    for choice in AUTHENTICATORS:
        folder = tmp_path / choice
        folder.mkdir()
        paths[choice] = str(_settings(folder, authenticator=choice))
    code = f"""
import json, os
from jupyterhub.app import JupyterHub
from jupyterhub.auth import Authenticator
from traitlets.utils.importstring import import_item
from traitlets.config.loader import PyFileConfigLoader
out = {{}}
for choice, path in {paths!r}.items():
    os.environ["LCE_HUB_SETTINGS"] = path
    config = PyFileConfigLoader("jupyterhub_config.py", path={str(ROOT / 'deploy' / 'hub')!r}).load_config()
    app = JupyterHub()
    try:  # as the hub starts: resolving the class imports it, and JupyterHub exits when it cannot
        app.load_config_file({str(ROOT / 'deploy' / 'hub' / 'jupyterhub_config.py')!r})
        cls = app.authenticator_class
        same = cls is import_item(config.JupyterHub.authenticator_class) and issubclass(cls, Authenticator)
        name = "resolved" if same else repr(cls)
    except BaseException as exc:
        name = "unavailable: " + type(exc).__name__
    out[choice] = [config.JupyterHub.authenticator_class, name,
                   sorted(config.Authenticator.get("allowed_users", [])),
                   config.get("NativeAuthenticator", {{}}).get("open_signup")]
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    import importlib.util

    for choice, (cls, _package) in AUTHENTICATORS.items():
        configured, resolved, allowed, open_signup = loaded[choice]
        assert configured == cls, choice
        if importlib.util.find_spec(cls.split(".")[0]) is not None:
            assert resolved == "resolved", (choice, resolved)
        else:
            assert resolved.startswith("unavailable"), (choice, resolved)
        if choice == "native":
            assert open_signup is False and allowed == []  # an admin approves sign-ups
        else:
            assert allowed == sorted(["boss", "teacher", NEW_USER, "root"]), choice
    # what the pinned environment holds today: NativeAuthenticator and JupyterHub's own, not OAuth or LTI
    assert loaded["native"][1] == loaded["pam"][1] == loaded["dummy"][1] == "resolved"


@pytest.mark.slow
def test_a_course_gradebook_url_goes_into_its_nbgrader_config(tmp_path: Path) -> None:
    path = _settings(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["courses"][0]["gradebook"] = "postgresql+psycopg:///lce_2027"
    path.write_text(yaml.safe_dump(data))
    settings = load_settings(path)
    text = course_nbgrader_config(settings, settings.courses[0])
    assert "c.CourseDirectory.db_url = 'postgresql+psycopg:///lce_2027'\n" in text
    out = _lce("hub", "check", str(path))
    assert "course lce-2027: gradebook postgresql+psycopg:///lce_2027" in out.stdout
    without = load_settings(_settings(tmp_path))
    assert "db_url" not in course_nbgrader_config(without, without.courses[0])


@pytest.mark.parametrize("url, expected", [
    ("postgresql+psycopg2://u@/lce", "write postgresql+psycopg://"),
    ("postgresql+psycopg://u:secret@db/lce", "the URL holds a password"),
    ("mysql://u@db/lce", "expected a database URL"),
    ("not a url", "expected a database URL"),
])
def test_bad_gradebook_urls_are_named(tmp_path: Path, url: str, expected: str) -> None:
    path = _settings(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["courses"][0]["gradebook"] = url
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(DataError) as info:
        load_settings(path)
    assert f"{path}: courses[1].gradebook: " in str(info.value) and expected in str(info.value)


def test_load_test_size_comes_from_the_environment() -> None:
    from benchmarks.bench_hub_exchange import learner_count

    assert learner_count({}) == 230 and learner_count({"LCE_BENCH_QUICK": "1"}) == 16
    assert learner_count({"LCE_BENCH_LEARNERS": "40", "LCE_BENCH_QUICK": "1"}) == 40
    for bad in ("0", "1000", "many", "-3"):
        with pytest.raises(SystemExit, match="LCE_BENCH_LEARNERS: expected a whole number from 1 to 999"):
            learner_count({"LCE_BENCH_LEARNERS": bad})
