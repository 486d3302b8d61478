"""One database, however it is named: a relative SQLite URL means the same file from every folder (Voilà runs
each app with its own folder as the current one); the server and `make mentorship DEMO=1` say what they serve."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lce_utils.errors import DataError
from lce_utils.mentorship import list_applications
from lce_utils.mentorship.store import describe_url, normalise_url
from lce_utils.paths import MENTORSHIP_APPS, ROOT

SUBMIT = ("import sys; from tests.mentorship.test_mentorship_support import application; "
          "from lce_utils.mentorship import submit_application; submit_application(application(int(sys.argv[1])))")


@pytest.mark.slow
def test_relative_url_from_two_app_folders_is_one_file(tmp_path):
    root = tmp_path / "checkout"
    env = {**os.environ, "LCE_ROOT": str(root), "LCE_MENTORSHIP_DB": "sqlite:///var/mentorship-demo.db",
           "PYTHONPATH": str(ROOT)}
    # the two folders Voilà runs the sign-up and the coordinator in
    for k, folder in enumerate((MENTORSHIP_APPS / "signup", MENTORSHIP_APPS / "coordinator"), start=1):
        done = subprocess.run([sys.executable, "-c", SUBMIT, str(k)], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert not (folder / "var").exists(), "no database in the app's own folder"
    stored = list_applications(f"sqlite:///{root / 'var' / 'mentorship-demo.db'}")
    assert [a.person.name for a in stored] == ["Testperson 1", "Testperson 2"]


def test_normalise_url_forms(tmp_path):
    assert normalise_url("sqlite:///var/m.db", root=tmp_path) == f"sqlite:///{tmp_path}/var/m.db"
    assert normalise_url("sqlite:///var/m.db") == f"sqlite:///{ROOT}/var/m.db"
    assert normalise_url("sqlite:////srv/lce/m.db") == "sqlite:////srv/lce/m.db"
    assert normalise_url("sqlite:///var/m.db?timeout=5", root=tmp_path) == f"sqlite:///{tmp_path}/var/m.db?timeout=5"
    assert normalise_url("sqlite://") == "sqlite://" and normalise_url("sqlite:///:memory:") == "sqlite:///:memory:"
    assert normalise_url("postgresql://u:pw@db/lce") == "postgresql+psycopg://u:pw@db/lce"
    assert describe_url("postgresql://u:pw@db/lce") == "postgresql+psycopg://u:***@db/lce"
    assert describe_url("sqlite:///var/m.db") == f"SQLite {ROOT}/var/m.db"
    with pytest.raises(DataError, match=r"'var/m.db' is not a database URL; expected e.g. sqlite:///"):
        normalise_url("var/m.db")


@pytest.mark.slow
def test_serve_says_which_database(monkeypatch, tmp_path, capsys):
    from lce_utils.mentorship import cli, demo

    monkeypatch.setenv("LCE_MENTORSHIP_DB", "sqlite:///var/elsewhere.db")
    assert cli.served_database(None, demo=False) == f"sqlite:///{ROOT}/var/elsewhere.db"
    assert capsys.readouterr().out == f"database / databas: SQLite {ROOT}/var/elsewhere.db\n"
    monkeypatch.setattr(demo, "VAR", tmp_path)
    assert cli.served_database(None, demo=True) == f"sqlite:///{tmp_path}/mentorship-demo.db"
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"demo mentorship programme in {tmp_path}/mentorship-demo.db: 90 applications")
    assert out[1] == f"database / databas: SQLite {tmp_path}/mentorship-demo.db (demo programme, fictitious people)"
    assert not Path(ROOT / "var" / "elsewhere.db").exists(), "saying it opens nothing"


def test_make_mentorship_demo_serves_the_demo_database():
    # (under `make test` the parent make's MAKEFLAGS/MAKELEVEL would add "Leaving directory" lines)
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    dry = subprocess.run(["make", "-n", "--no-print-directory", "mentorship", "DEMO=1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, env=env)
    assert dry.returncode == 0 and dry.stdout.strip().splitlines()[-1].endswith("lce mentorship serve --port 8888 "
                                                                                "--demo")
    plain = subprocess.run(["make", "-n", "--no-print-directory", "mentorship"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60, env=env)
    assert plain.stdout.strip().splitlines()[-1].endswith("lce mentorship serve --port 8888")
