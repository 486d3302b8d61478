"""Fixtures the mentorship tests share."""

from __future__ import annotations

import pytest

from tests.mentorship.test_mentorship_browser import TOKEN
from tests.mentorship.test_mentorship_support import mentorship_server


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """The mentorship Voila server on a free port with its own store (one per test module); yields (base URL,
    store URL)."""
    # (all visitors here come from 127.0.0.1: the per-client limit is raised to the cap)
    with mentorship_server(tmp_path_factory.mktemp("mentorship-voila"), TOKEN, "--pool", "3", "--max-kernels", "40",
                           "--live-per-client", "40", rendered=3) as served:
        yield served
