"""Fixtures the report-site tests share."""

from __future__ import annotations

import sys

import pytest

from tests.servers import free_port, running_server


@pytest.fixture(scope="module")
def served(site):
    """The module's built site (its `site` fixture: the folder, or a record whose .out is the folder) served over
    HTTP on a free port of 127.0.0.1; yields the base URL."""
    folder = getattr(site, "out", site)
    port = free_port()
    argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(folder), str(port)]
    with running_server(argv, port, "/index.html") as base:
        yield base
