"""Pseudonymising visitor_id with a keyed hash: the key stays in var/ (or the environment), never in an output."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

KEY_ENV = "LCE_LABS_PSEUDONYM_KEY"


def _key_file() -> Path:
    from lce_utils.paths import VAR
    return Path(os.environ.get("LCE_LABS_KEY_FILE", VAR / "labs" / "pseudonym.key"))


def pseudonym_key() -> str:
    """The secret key: $LCE_LABS_PSEUDONYM_KEY, else var/labs/pseudonym.key (created once, mode 0600)."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV]
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created concurrently
            fd = None
        if fd is not None:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def key_fingerprint() -> str:
    """A short one-way tag of the key (part of the cache key, so a new key re-pseudonymises)."""
    return hashlib.sha256(("lce-key-fingerprint:" + pseudonym_key()).encode()).hexdigest()[:12]


def pseudonymise(value: str, key: str | None = None) -> int:
    """The pseudonym of one visitor_id, as the DuckDB loader computes it: the first 60 bits of SHA-256(key + id)."""
    digest = hashlib.sha256(((key if key is not None else pseudonym_key()) + value.strip()).encode()).hexdigest()
    return int(digest[:15], 16)
