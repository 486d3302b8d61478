"""deploy/hub/: hub.yaml is checked field by field, and the JupyterHub configuration made from it is what nbgrader
on a hub needs (groups per course, the formgrader service, frame-ancestors, idle culling that keeps work)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

from lce_utils.courses.hub import configure, load_settings
from lce_utils.errors import DataError
from lce_utils.paths import ROOT

SETTINGS = {
    "hub": {"ip": "127.0.0.1", "port": 8000, "authenticator": "native", "admin_users": ["boss"]},
    "environment": {"python": "/opt/lce/venv/bin/python", "proxy": "/opt/chp"},
    "exchange": "/srv/nbgrader/exchange",
    "courses": [{"id": "lce-2027", "directory": "/home/g/lce-2027", "service_user": "g", "service_port": 9001,
                 "graders": ["teacher"], "learners": ["ann", "bo"]}],
}


def _write(tmp_path: Path, data: dict) -> Path:
    data = json.loads(json.dumps(data))
    data.setdefault("hub", {}).update(state_dir=str(tmp_path / "state"), config_dir=str(tmp_path / "jupyter"))
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_configuration_for_nbgrader_on_a_hub(tmp_path):
    c = Config()
    configure(c, load_settings(_write(tmp_path, SETTINGS)))
    assert c.JupyterHub.load_groups == {"nbgrader-lce-2027": ["ann", "bo"], "formgrade-lce-2027": ["teacher"]}
    assert c.JupyterHub.authenticator_class == "nativeauthenticator.NativeAuthenticator"
    assert c.NativeAuthenticator.open_signup is False and c.Authenticator.admin_users == {"boss"}
    assert c.JupyterHub.spawner_class == "jupyterhub.spawner.LocalProcessSpawner"
    assert c.Spawner.cmd == ["/opt/lce/venv/bin/python", "-m", "jupyterhub.singleuser"]
    service, culler = c.JupyterHub.services
    assert service["name"] == "lce-2027" and service["user"] == "g" and service["url"] == "http://127.0.0.1:9001"
    assert service["cwd"] == "/home/g/lce-2027"
    assert "--timeout=3600" in culler["command"] and "--cull-users=false" in culler["command"]
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["formgrade-lce-2027"]["groups"] == ["formgrade-lce-2027"]
    assert roles["formgrade-lce-2027"]["scopes"] == ["access:services!service=lce-2027"]
    assert "read:users:groups!user" in roles["server"]["scopes"]  # nbgrader lists a learner's courses from groups
    # learners' and formgraders' servers: the shared exchange, framing by the hub's own pages only
    learners = Path(c.Spawner.environment["JUPYTER_CONFIG_PATH"])
    grader = Path(service["environment"]["JUPYTER_CONFIG_PATH"])
    for folder in (learners, grader):
        server = json.loads((folder / "jupyter_server_config.json").read_text())
        assert server["ServerApp"]["tornado_settings"]["headers"] == {
            "Content-Security-Policy": "frame-ancestors 'self'"}
        text = (folder / "nbgrader_config.py").read_text()
        assert "c.Exchange.root = '/srv/nbgrader/exchange'" in text and "path_includes_course = True" in text
    assert json.loads((grader / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": True}
    assert "jpserver_extensions" not in json.loads((learners / "jupyter_server_config.json").read_text())["ServerApp"]


def test_the_repositorys_example_settings_load():
    settings = load_settings(ROOT / "deploy" / "hub" / "hub.yaml")
    assert [c.id for c in settings.courses] == ["lce-2027"] and settings.authenticator == "native"


@pytest.mark.slow
def test_jupyterhub_reads_the_config_file(tmp_path):
    """JupyterHub itself loads deploy/hub/jupyterhub_config.py with the settings (no server started)."""
    code = ("from jupyterhub.app import JupyterHub; app = JupyterHub(); "
            f"app.load_config_file({str(ROOT / 'deploy' / 'hub' / 'jupyterhub_config.py')!r}); "
            "print(sorted(app.config.JupyterHub.load_groups))")
    env = {"LCE_HUB_SETTINGS": str(_write(tmp_path, SETTINGS)), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['formgrade-lce-2027', 'nbgrader-lce-2027']"


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["hub"].update(authenticator="ldap"), "hub.authenticator: expected one of native"),
    (lambda d: d["hub"].update(port=70000), "hub.port: expected a port number"),
    (lambda d: d["courses"][0].update(learners=["Ann Andersson"]), "courses[1].learners: expected a list of Unix"),
    (lambda d: d["courses"][0].pop("service_user"), "courses[1] (lce-2027): 'service_user' is missing"),
    (lambda d: d["courses"].append(dict(d["courses"][0])), "courses[2]: course 'lce-2027' is listed twice"),
    (lambda d: d["courses"][0].update(id="a b"), "courses[1]: expected an 'id'"),
])
def test_bad_settings_name_the_field(tmp_path, change, expected):
    data = json.loads(json.dumps(SETTINGS))
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(DataError) as info:
        load_settings(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_zero_to_jupyterhub_values_are_valid_yaml_without_repeated_keys():
    """A repeated key silently drops settings in YAML; the values file has none and keeps the hub's essentials."""
    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        assert len(keys) == len(set(keys)), f"repeated keys in z2jh-values.yaml: {keys}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    values = yaml.load((ROOT / "deploy" / "hub" / "z2jh-values.yaml").read_text(), Loader=Strict)
    assert values["cull"]["users"] is False and values["cull"]["timeout"] == 3600
    assert "frame-ancestors 'self'" in values["singleuser"]["extraFiles"]["server-config"]["stringData"]
    assert "read:users:groups!user" in values["hub"]["loadRoles"]["server"]["scopes"]
