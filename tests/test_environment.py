"""One pinned environment: pyproject's dependencies, binder/ pins, and what is installed agree."""

from __future__ import annotations

import os
import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from lce_utils.paths import ROOT

BINDER = ROOT / "binder"
PIN = re.compile(r"^([A-Za-z0-9_.\[\],-]+)==([^\s;#]+)")


def pins() -> dict[str, str]:
    found = {}
    for number, line in enumerate((BINDER / "requirements.txt").read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        assert match, f"binder/requirements.txt line {number} is not an exact pin: {line!r}"
        found[canonicalize_name(match.group(1).split("[")[0])] = match.group(2)
    return found


def test_runtime_is_python_311():
    # repo2docker reads binder/runtime.txt as `python-X.Y`.
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    pinned = pins()
    missing = [str(r) for r in declared if canonicalize_name(r.name) not in pinned]
    assert not missing, f"in pyproject.toml but not pinned in binder/requirements.txt (run `make lock`): {missing}"
    unsatisfied = [f"{r.name}=={pinned[canonicalize_name(r.name)]} vs {r}" for r in declared
                   if not r.specifier.contains(pinned[canonicalize_name(r.name)], prereleases=True)]
    assert not unsatisfied, f"pins outside pyproject's bounds: {unsatisfied}"
    wrong = []
    for name, pin in pinned.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name} not installed")
            continue
        if installed != pin:
            wrong.append(f"{name} {installed} installed, {pin} pinned")
    assert not wrong, f"the environment differs from binder/requirements.txt: {wrong}"


def test_postbuild_installs_package_and_learner_extensions():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "repo2docker runs binder/postBuild only when it is executable"
    text = post.read_text()
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert "pip install --no-deps" in text and "-e ." in text
    assert "binder/configure-jupyter" in text and "lce courses release" in text
    commands = [line for line in (BINDER / "configure-jupyter").read_text().splitlines() if line.startswith("jupyter")]
    disabled = " ".join(commands)
    assert "@jupyter/nbgrader:formgrader" in disabled and "nbgrader.server_extensions.formgrader" in disabled
    assert "@jupyter/nbgrader:validate-assignment" in disabled  # lessons have LCE's Check my work instead
    assert "assignment-list" not in disabled  # learners keep it


def test_learner_extensions_state_in_this_environment():
    """The set-up ran configure-jupyter here too: formgrader and validate off, assignment list on."""
    import json
    import sys

    config = Path(sys.prefix) / "etc/jupyter/labconfig/page_config.json"
    disabled = json.loads(config.read_text()).get("disabledExtensions", {})
    assert disabled.get("@jupyter/nbgrader:formgrader") and disabled.get("@jupyter/nbgrader:create-assignment")
    assert not disabled.get("@jupyter/nbgrader:assignment-list")
    assert disabled.get("@jupyter/nbgrader:validate-assignment")


def test_only_binder_files_repo2docker_should_see():
    # repo2docker uses binder/ exclusively when it exists; an environment.yml or Dockerfile would take over.
    for name in ("environment.yml", "Dockerfile", "Pipfile", "setup.py", "install.R", "apt.txt"):
        assert not (BINDER / name).exists(), f"binder/{name} would change how repo2docker builds"


def test_readme_binder_links():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"https://mybinder\.org/v2/gh/[^/\s]+/[^/\s]+/HEAD\?urlpath=lab(?:%2F|/)tree(?:%2F|/)index\.ipynb",
                     readme), "README lacks the Binder badge opening JupyterLab at index.ipynb"
    assert re.search(r"urlpath=voila(?:%2F|/)render(?:%2F|/)mentorship(?:%2F|/)signup(?:%2F|/)index\.ipynb", readme), \
        "README lacks the Binder link opening the mentorship sign-up in Voila"
