"""Shared helpers for the mentorship tests: valid applications, a throwaway PostgreSQL server."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DOMAIN = "example" + ".org"


def email(local: str) -> str:
    """A test e-mail address, built at run time (no address is written in a committed file)."""
    return f"{local}@{DOMAIN}"


def application(i: int = 0, **changes) -> dict:
    """A valid application; changes override fields."""
    data = {
        "name": f"Testperson {i}", "email": email(f"person{i}"), "organisation": None, "role": "mentee",
        "field": "music", "skills_offered": [], "skills_wanted": ["mixing", "grant writing"],
        "goals": "Learn to fund and record an album", "languages": ["sv", "en"], "availability": ["evenings"],
        "municipality": "Malmö", "consent_purpose": True, "consent_contact": False,
    }
    data.update(changes)
    return data


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """initdb + pg_ctl in a temp folder on a free port (as the postgres user when running as root)."""

    def __init__(self) -> None:
        from tests.servers import free_port

        bindir = _pg_bin()
        if bindir is None:
            message = "PostgreSQL server binaries (initdb, pg_ctl) are missing: apt-get install postgresql"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lce-pg-"))
        self.data = self.dir / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o700)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run([str(bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--no-sync"])
        self._run([str(bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                   "-o", f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off -c max_connections=200",
                   "start"])

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(self.as_user + argv, capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise RuntimeError(f"{argv[0]} failed: {result.stdout}{result.stderr}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            time.sleep(0.2)
            shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def mentorship_server(folder: Path, token: str, *options: str, rendered: int = 0) -> Iterator[tuple[str, str]]:
    """`lce mentorship serve` on a free port with its own store in folder (and options); yields (base URL, store
    URL) once it answers, and once `rendered` sign-up forms of its preheated pool are rendered."""
    from tests.servers import free_port, running_server

    url = f"sqlite:///{folder / 'mentorship.db'}"
    port = free_port()
    argv = [str(Path(sys.executable).parent / "lce"), "mentorship", "serve", "--port", str(port), "--token", token,
            *options]
    env = {"LCE_MENTORSHIP_DB": url, "LCE_MENTORSHIP_EXPORTS": str(folder / "exports")}
    with running_server(argv, port, "/lce/health", env=env, timeout=120, log=folder / "voila.log") as base:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait for the preheated pool, its forms rendered
            with urllib.request.urlopen(base + "/lce/health", timeout=10) as resp:
                if json.load(resp)["rendered"].get("signup/index.ipynb", 0) >= rendered:
                    break
            time.sleep(0.5)
        yield base, url
