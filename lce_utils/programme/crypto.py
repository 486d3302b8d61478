"""Encryption at rest for the register: personnummer and special-category values (GDPR art. 9) are stored as
Fernet tokens (AES-128-CBC with HMAC-SHA256), and a personnummer is found again through a keyed hash. The key
never lives in the database: LCE_PROGRAMME_KEY holds it, or the file LCE_PROGRAMME_KEY_FILE (default
var/programme.key, created with mode 0600 on first use)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from lce_utils import settings
from lce_utils.errors import DataError

KEY_ENV = settings.PROGRAMME_KEY.name


def key_file() -> Path:
    """Where the key is kept when LCE_PROGRAMME_KEY is not set."""
    return settings.PROGRAMME_KEY_FILE()


def _read_or_create(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
    return key


@dataclass(frozen=True)
class Cipher:
    """Encrypts, decrypts and hashes values with one key."""
    key: bytes

    @classmethod
    def load(cls) -> Cipher:
        """The register's cipher, from LCE_PROGRAMME_KEY or the key file."""
        raw = (settings.PROGRAMME_KEY() or "").encode() or _read_or_create(key_file())
        try:
            Fernet(raw)
        except ValueError:
            raise DataError(f"{KEY_ENV} or {key_file()}: not a Fernet key (32 url-safe base64 bytes) / ingen "
                            "giltig nyckel") from None
        return cls(raw)

    def encrypt(self, value: str | None) -> str | None:
        """value as a token (None stays None)."""
        return None if value is None else Fernet(self.key).encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        """The value of a token (None stays None); DataError when the key does not fit."""
        if token is None:
            return None
        try:
            return Fernet(self.key).decrypt(token.encode()).decode()
        except InvalidToken:
            raise DataError("programme register: a value cannot be decrypted with this key (was "
                            f"{KEY_ENV} or {key_file()} changed?) / fel nyckel") from None

    def fingerprint(self) -> str:
        """Names this key without revealing it (stored in the register to notice a wrong or new key)."""
        return self.lookup("lce-programme-key-fingerprint")[:32]

    def lookup(self, value: str) -> str:
        """A keyed hash of value, the same for the same value: finds a person without storing the number."""
        secret = hashlib.sha256(b"lce-programme-lookup:" + base64.urlsafe_b64decode(self.key)).digest()
        return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
