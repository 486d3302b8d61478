"""The one settings object: every LCE_* variable the code uses is defined in lce_utils.settings, read only there,
documented in the README's table, and a wrong value names its variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lce_utils import paths, settings
from lce_utils.errors import DataError
from lce_utils.paths import ROOT

NAME = re.compile(r"\bLCE_[A-Z0-9_]*[A-Z0-9]\b")
SOURCES = [p for folder in ("lce_utils", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
# the only modules that may read a setting from the environment: the settings, and paths (LCE_ROOT, at import,
# before anything else can be imported)
READERS = {ROOT / "lce_utils" / "settings.py", ROOT / "lce_utils" / "paths.py"}
DEFINED = {s.name for s in settings.ALL}


def test_every_name_the_code_uses_is_defined():
    # (the benchmarks' own knobs, LCE_BENCH_*, are documented in benchmarks/ and are not settings of LCE)
    used = {name for path in SOURCES if "benchmarks" not in path.parts
            for name in NAME.findall(path.read_text(encoding="utf-8"))}
    unknown = sorted(name for name in used - DEFINED - set(settings.INTERNAL) if not name.endswith("_"))
    assert unknown == [], f"LCE_* names used but not defined in lce_utils/settings.py: {unknown}"


# a read of a variable by its name (writing one for a child process is not a read), and a module's own constant
# holding a setting's name (those read it indirectly: `os.environ.get(ENV_VAR)`)
READ = re.compile(r"""(?:environ\.get|getenv|env\.get)\(\s*["'](LCE_\w+)"""
                  r"""|environ\[\s*["'](LCE_\w+)["']\s*\](?!\s*=[^=])""")
CONSTANT = re.compile(r"""^\s*[A-Z_]+\s*=\s*["'](LCE_\w+)["']""")


def test_settings_are_read_only_through_the_settings_module():
    readers = []
    for path in SOURCES:
        if path in READERS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            names = {n for match in READ.findall(line) for n in match if n} | set(CONSTANT.findall(line))
            if names & DEFINED:
                readers.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert readers == []


def test_the_readme_table_is_the_settings_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.table() in readme, "README's settings table is stale: paste `lce settings --markdown`"


def test_each_setting_is_documented_once_with_a_part_and_help():
    names = [s.name for s in settings.ALL]
    assert len(names) == len(set(names))
    assert all(s.help.strip() and s.part for s in settings.ALL)
    assert not DEFINED & set(settings.INTERNAL)


def test_defaults_follow_var_and_relative_paths_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("LCE_MENTORSHIP_DB", raising=False)
    monkeypatch.delenv("LCE_LABS_CACHE", raising=False)
    monkeypatch.setattr(paths, "VAR", tmp_path / "var")
    assert settings.MENTORSHIP_DB() == f"sqlite:///{tmp_path / 'var' / 'mentorship.db'}"
    assert settings.LABS_CACHE() == tmp_path / "var" / "labs" / "cache"
    monkeypatch.setenv("LCE_LABS_CACHE", "cache/here")
    assert settings.LABS_CACHE() == ROOT / "cache" / "here"
    assert settings.LABS_CACHE({"LCE_LABS_CACHE": "/abs"}) == Path("/abs")


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("LCE_MENTORSHIP_RETENTION_DAYS", "ten", "whole number of days"),
    ("LCE_PROGRAMME_RETENTION_YEARS", "-1", "whole number of years"),
    ("LCE_SMTP_SECURITY", "tls", "starttls, ssl, none"),
    ("LCE_MENTORSHIP_ALLOW_HOSTED", "maybe", "1 or 0"),
    ("LCE_PROGRAMME_LAST_PAYMENT", "31/12/2027", "YYYY-MM-DD"),
])
def test_a_wrong_value_names_its_variable_and_what_was_expected(name, value, expected):
    with pytest.raises(DataError) as caught:
        settings.by_name(name)({name: value})
    # Swedish first, then " / " and the English text naming what was expected.
    sv, en = str(caught.value).split(" / ", 1)
    assert sv.startswith(f"{name}: ") and en.startswith("expected") and expected in en


def test_typed_values():
    assert settings.MENTORSHIP_RETENTION_DAYS({}) == 365
    assert settings.MENTORSHIP_RETENTION_DAYS({"LCE_MENTORSHIP_RETENTION_DAYS": " 10 "}) == 10
    assert settings.MENTORSHIP_ALLOW_HOSTED({"LCE_MENTORSHIP_ALLOW_HOSTED": "Yes"}) is True
    assert settings.MENTORSHIP_TRUSTED_PROXIES({"LCE_MENTORSHIP_TRUSTED_PROXIES": "127.0.0.1, ::1,"}) == \
        frozenset({"127.0.0.1", "::1"})
    assert settings.PROGRAMME_LAST_PAYMENT({"LCE_PROGRAMME_LAST_PAYMENT": "2027-06-30"}).year == 2027
    assert settings.PRIVACY_KEY({}) is None


def test_lce_settings_shows_values_but_never_secrets(monkeypatch, capsys):
    from lce_utils.cli import main

    monkeypatch.setenv("LCE_PROGRAMME_KEY", "a-secret-that-must-not-be-printed")
    monkeypatch.setenv("LCE_MENTORSHIP_RETENTION_DAYS", "ten")
    monkeypatch.setenv("LCE_KNOWLEDGE_DB", "sqlite:////srv/lce/knowledge.db")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "a-secret-that-must-not-be-printed" not in out
    assert re.search(r"LCE_PROGRAMME_KEY\s+\(set\)", out)
    assert re.search(r"LCE_KNOWLEDGE_DB\s+sqlite:////srv/lce/knowledge.db", out)
    assert re.search(r"LCE_MENTORSHIP_RETENTION_DAYS\s+ERROR: LCE_MENTORSHIP_RETENTION_DAYS: .* / expected", out)
    assert main(["settings", "--markdown"]) == 0
    assert capsys.readouterr().out.strip() == settings.table()
