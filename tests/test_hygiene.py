"""What git holds: notebooks without outputs, no big files, no generated folders, no personal data."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from lce_utils.paths import GENERATED_DIRS, ROOT

MAX_BYTES = 2 * 1024 * 1024
# An e-mail address; and a Swedish personal identity number (YYYYMMDD-NNNN, YYMMDD-NNNN or without the dash).
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PERSONNUMMER = re.compile(r"(?<![\d.-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[-+]?\d{4}(?![\d.])")
# Placeholder domains (RFC 2606 and its Swedish usage in form hints) are not personal data.
ALLOWED_EMAIL = re.compile(r"@(?:example\.(?:org|com|net)|exempel\.se|users\.noreply\.github\.com)$")
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".txt", ".csv", ".tsv", ".yaml", ".yml", ".json", ".toml", ".cfg", ".ini",
                 ".html", ".j2", ".css", ".js", ".sh", ""}


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in out.decode().split("\0") if name and (ROOT / name).exists()]


@pytest.fixture(scope="module")
def files() -> list[Path]:
    tracked = tracked_files()
    if not tracked:
        pytest.fail("git ls-files lists nothing: the hygiene checks need a git checkout")
    return tracked


def test_notebooks_have_no_outputs(files):
    dirty = []
    for path in files:
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            if any(c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
                   for c in nb.get("cells", [])):
                dirty.append(str(path.relative_to(ROOT)))
    assert not dirty, f"notebooks committed with outputs (clear them): {dirty}"


def test_no_big_files(files):
    big = [f"{p.relative_to(ROOT)} ({p.stat().st_size // 1024} KiB)" for p in files if p.stat().st_size > MAX_BYTES]
    assert not big, f"files over 2 MiB in git (generate large data instead): {big}"


def test_generated_folders_are_not_committed(files):
    generated = [str(p.relative_to(ROOT)) for p in files
                 if any(p.is_relative_to(ROOT / d) for d in GENERATED_DIRS)
                 or p.suffix in {".db", ".sqlite", ".sqlite3"}]
    assert not generated, f"generated files or databases in git: {generated}"


def test_generated_folders_are_ignored():
    probes = [f"{d}/probe.txt" for d in GENERATED_DIRS] + ["var/mentorship.db", "courses/gradebook.db", "x.sqlite"]
    out = subprocess.run(["git", "check-ignore", "--no-index", *probes], cwd=ROOT, capture_output=True, text=True)
    ignored = set(out.stdout.split())
    missing = [p for p in probes if p not in ignored]
    assert not missing, f".gitignore does not ignore: {missing}"


def test_no_personal_data(files):
    found = []
    for path in files:
        if path.suffix not in TEXT_SUFFIXES or path.name in {"package-lock.json", "requirements.txt"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in EMAIL.finditer(text):
            if not ALLOWED_EMAIL.search(match.group()):
                found.append(f"{path.relative_to(ROOT)}: e-mail address {match.group()!r}")
        for match in PERSONNUMMER.finditer(text):
            found.append(f"{path.relative_to(ROOT)}: personal identity number-like {match.group()!r}")
    assert not found, "personal data in committed files:\n" + "\n".join(found[:20])


def test_personal_data_patterns_catch_examples():
    """The patterns above find what they must (so that the hygiene test can fail)."""
    assert EMAIL.search("kontakt: " + "anna.svensson" + "@" + "malmo.se")
    assert PERSONNUMMER.search("pnr " + "19811218" + "-9876")
    assert PERSONNUMMER.search("pnr " + "811218" + "9876")
    assert not PERSONNUMMER.search("price 2024-03-01 12.50")
