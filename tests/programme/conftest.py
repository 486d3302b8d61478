"""Fixtures every programme-register test shares."""

from __future__ import annotations

import pytest

from tests.mentorship.test_mentorship_store import postgres  # noqa: F401 - the PostgreSQL server fixture


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    """The register's key in the test's own folder, and no setting of the machine's that changes the rules."""
    monkeypatch.setenv("LCE_PROGRAMME_KEY_FILE", str(tmp_path / "programme.key"))
    for name in ("LCE_PROGRAMME_KEY", "LCE_PROGRAMME_LAST_PAYMENT", "LCE_PROGRAMME_RETENTION_YEARS"):
        monkeypatch.delenv(name, raising=False)


# (the PostgreSQL variant starts a server and makes a database: slow; the SQLite one is the quick check)
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow])])
def url(request, tmp_path) -> str:
    """A new register: SQLite in the test's folder, or a database of its own on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'programme.db'}"
    return request.getfixturevalue("postgres").new_database()
