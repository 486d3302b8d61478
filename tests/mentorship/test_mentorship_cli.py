"""`lce mentorship ...` through the real CLI: demo seeding (idempotent), data rights, errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lce_utils.mentorship import list_applications, outcome_tables

LCE = [str(Path(sys.executable).parent / "lce")]


def lce(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(LCE + list(args), capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_mentorship_demo_is_idempotent_and_feeds_the_reports(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = lce("mentorship", "demo", "--db", url)
    assert first.returncode == 0, first.stderr
    assert "90 applications" in first.stdout and "fictitious" in first.stdout
    second = lce("mentorship", "demo", "--db", url)
    assert second.stdout == first.stdout
    assert len(list_applications(url)) == 90
    tables = outcome_tables(url)
    assert int(tables["feedback_summary"]["responses"][0]) > 5
    assert tables["sessions_by_month"]["sessions"].notna().any()


def run_cli(capsys, *args: str) -> subprocess.CompletedProcess:
    """The CLI's main() in this process (faster than a subprocess; the same code path)."""
    from lce_utils.cli import main

    rc = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, rc, out, err)


def test_mentorship_cli_data_rights(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    lce = lambda *a: run_cli(capsys, *a)  # noqa: E731
    assert lce("mentorship", "demo", "--db", url, "--size", "12").returncode == 0
    person = list_applications(url)[0].person.email
    out = lce("mentorship", "export-person", person, "--db", url)
    assert out.returncode == 0 and json.loads(out.stdout)["person"]["email"] == person
    refused = lce("mentorship", "erase-person", person, "--db", url)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    erased = lce("mentorship", "erase-person", person, "--yes", "--db", url)
    assert erased.returncode == 0 and "erased" in erased.stdout
    missing = lce("mentorship", "export-person", person, "--db", url)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    assert lce("mentorship", "match", "--db", url).returncode == 0
    exported = lce("mentorship", "export-matches", "--db", url, "--out", str(tmp_path / "x"))
    assert exported.returncode == 0 and (tmp_path / "x" / "matches.xlsx").exists()
    assert lce("mentorship", "purge", "--days", "0", "--db", url).returncode == 0
    assert list_applications(url) == []


@pytest.mark.parametrize("command", ["serve", "demo", "match", "export-matches", "export-person", "erase-person",
                                     "purge", "migrate"])
def test_mentorship_cli_help(command, capsys):
    from lce_utils.cli import main

    with pytest.raises(SystemExit) as info:
        main(["mentorship", command, "--help"])
    assert info.value.code == 0 and "usage: lce mentorship " + command in capsys.readouterr().out


@pytest.mark.slow
def test_mentorship_run_step_writes_only_the_demo_db(monkeypatch, tmp_path):
    from lce_utils.mentorship import cli, demo

    monkeypatch.setattr(demo, "VAR", tmp_path)
    monkeypatch.setenv("LCE_MENTORSHIP_DB", f"sqlite:///{tmp_path / 'real.db'}")
    summary = cli.run_step(None)
    assert "mentorship-demo.db" in summary and "\n" not in summary
    assert (tmp_path / "mentorship-demo.db").exists() and not (tmp_path / "real.db").exists()
