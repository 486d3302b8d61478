"""Fixtures every engagement-lab test shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest, tmp_path, monkeypatch):
    """A lab cache of the test's own and a pseudonymisation key named after the test module (e.g. 'metrics-test'),
    so that no test reads or writes the machine's var/labs."""
    monkeypatch.setenv("LCE_LABS_CACHE", str(tmp_path / "cache"))
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_labs_")
    monkeypatch.setenv("LCE_LABS_PSEUDONYM_KEY", f"{module}-test")


@pytest.fixture
def write_export(tmp_path) -> Callable[[str, str], tuple[Path, Path]]:
    """Writes a visits export and its events file, given as text, into the test's folder; returns their paths."""
    def write(visits: str, events: str) -> tuple[Path, Path]:
        (tmp_path / "visits.csv").write_text(visits, encoding="utf-8")
        (tmp_path / "events.csv").write_text(events, encoding="utf-8")
        return tmp_path / "visits.csv", tmp_path / "events.csv"
    return write
