"""Pseudonymising visitor_id with a keyed hash: the key stays in var/ (or the environment), never in an output."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from lce_utils import settings
from lce_utils.messages import both

KEY_ENV = settings.LABS_PSEUDONYM_KEY.name


def _key_file() -> Path:
    return settings.LABS_KEY_FILE()


def pseudonym_key() -> str:
    """The secret key: $LCE_LABS_PSEUDONYM_KEY, else var/labs/pseudonym.key (created once, mode 0600)."""
    key = settings.LABS_PSEUDONYM_KEY()
    if key:
        return key
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


def export_key(target: str | Path) -> Path:
    """Write the key to target (mode 0600), for another machine to import; refuses to overwrite a file."""
    from lce_utils.errors import ParameterError
    target = Path(target)
    key = pseudonym_key()
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ParameterError(both("labs_err_key_exists", path=target)) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return target


def import_key(source: str | Path, force: bool = False) -> str:
    """Make the key in source this machine's key (var/labs/pseudonym.key); its fingerprint is returned.

    A different key already in place is replaced only with force: runs made with it would no longer share
    pseudonyms with new ones."""
    from lce_utils.errors import ParameterError
    source = Path(source)
    try:
        key = source.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(both("labs_err_key_file", file=source, detail=exc)) from None
    if len(key) < 32 or any(c.isspace() for c in key):
        raise ParameterError(both("labs_err_not_a_key", file=source))
    if settings.LABS_PSEUDONYM_KEY.is_set():
        raise ParameterError(both("labs_err_key_variable", variable=KEY_ENV))
    path = _key_file()
    if path.exists() and path.read_text().strip() != key and not force:
        raise ParameterError(both("labs_err_other_key", path=path, fingerprint=key_fingerprint()))
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.with_name(f".{path.name}.new")
    work.unlink(missing_ok=True)
    fd = os.open(work, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    work.replace(path)
    return key_fingerprint()
