"""Fixtures every knowledge test shares (cases, benchmark, network directory; the feedback tests are elsewhere)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="package")
def _isolated_labs(tmp_path_factory: pytest.TempPathFactory):
    """The lab runs these tests write (the benchmark's institutions, a case's figures) use a labs cache and a
    pseudonymisation key of their own, so that no test reads or writes the machine's var/labs; set for the whole
    package because the runs are module fixtures, made before any test's own monkeypatch."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LCE_LABS_CACHE", str(tmp_path_factory.mktemp("labs-cache")))
        patch.setenv("LCE_LABS_PSEUDONYM_KEY", "knowledge-test")
        yield
