"""Fixtures every engagement-lab test shares."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest, tmp_path, monkeypatch):
    """A lab cache of the test's own and a pseudonymisation key named after the test module (e.g. 'metrics-test'),
    so that no test reads or writes the machine's var/labs."""
    monkeypatch.setenv("LCE_LABS_CACHE", str(tmp_path / "cache"))
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_labs_")
    monkeypatch.setenv("LCE_LABS_PSEUDONYM_KEY", f"{module}-test")
