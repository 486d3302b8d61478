"""Who may reach what on the served apps (mentorship, programme): decided by the file a request runs, never by how
its URL is spelt.

Default deny: an anonymous visitor may open only the public apps' notebooks (after percent-decoding, normalising
and resolving symlinks, the request must name exactly one of those files), the static assets, and the kernels
started for those notebooks. Everything else (the coordinator, the file tree, contents, any other notebook, any
other spelling) needs the staff's token (the coordinator's, the programme staff's) or its cookie."""

from __future__ import annotations

import hmac
import os
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lce_utils.errors import UsageError
from lce_utils.messages import both

MIN_TOKEN_LENGTH = 24
PUBLIC_NOTEBOOKS = ("signup/index.ipynb", "followup/index.ipynb", "feedback/index.ipynb")
# Assets shared by every page; none of them is served from the apps' folder.
STATIC_PREFIXES = ("/voila/static/", "/voila/templates/", "/voila/labextensions/", "/voila/api/themes/",
                   "/static/")
OPEN_PATHS = ("/lce/health",)
NOTEBOOK_PREFIX = "/voila/render/"
# Every route that acts on one kernel (the kernel id is a path segment, as Voilà's routes spell it).
KERNEL_ROUTE = re.compile(r"^/(?:api/kernels|voila/query|voila/api/shutdown|voila/execution)/"
                          r"(?P<kid>\w+-\w+-\w+-\w+-\w+)(?:/channels)?/?$")
_TOKEN_IN_TEXT = re.compile(r"(?i)(token(?:=|%3D|%253D)|authorization:\s*(?:token|bearer)\s+)[^&\s\"']*")


@dataclass(frozen=True)
class AccessPolicy:
    """The public notebooks of one served folder, resolved once; decides what an anonymous visitor may reach."""

    root: Path
    public: tuple[str, ...] = PUBLIC_NOTEBOOKS
    files: frozenset[Path] = field(init=False)
    folders: frozenset[Path] = field(init=False)

    def __post_init__(self) -> None:
        root = Path(os.path.realpath(self.root))
        object.__setattr__(self, "root", root)
        files = set()
        for rel in self.public:
            real = Path(os.path.realpath(root / rel))
            # a public entry that is a link to somewhere else (e.g. the coordinator) stays private
            if real.parent == root / Path(rel).parent and real.is_file():
                files.add(real)
        object.__setattr__(self, "files", frozenset(files))
        object.__setattr__(self, "folders", frozenset(f.parent for f in files))

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path under the served folder names, as Tornado decodes it and the OS resolves it
        (None when no file can have that name, e.g. it holds a NUL byte)."""
        try:
            return Path(os.path.realpath(os.path.join(self.root, unquote(url_path).lstrip("/"))))
        except (ValueError, OSError):
            return None

    def is_public_notebook(self, url_path: str) -> bool:
        """Whether this (decoded, normalised, symlink-resolved) path is one of the public notebooks."""
        return self.resolve(url_path) in self.files

    def kernel_folder_is_public(self, folder: str | None) -> bool:
        """Whether a kernel's working folder (as the kernel manager recorded it, resolved) is a public app's."""
        return folder is not None and self.resolve(folder) in self.folders

    def anonymous_may(self, path: str, kernel_folder) -> bool:
        """Whether a visitor without the token may reach the raw request path `path`.

        `kernel_folder(kernel_id)` gives the folder a live kernel was started in (None if unknown)."""
        if path in OPEN_PATHS or path.startswith(STATIC_PREFIXES):
            return True
        if path.startswith(NOTEBOOK_PREFIX):
            return self.is_public_notebook(path[len(NOTEBOOK_PREFIX):])
        found = KERNEL_ROUTE.match(path)
        if found:
            return self.kernel_folder_is_public(kernel_folder(unquote(found.group("kid"))))
        return False


def check_token(token: str, env: str = "LCE_MENTORSHIP_TOKEN") -> str:
    """The staff's token if it is long enough; otherwise a clear bilingual start-up error (env: its variable)."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(both("token_too_short", length=len(token), minimum=MIN_TOKEN_LENGTH, env=env)
                         + ': python -c "import secrets; print(secrets.token_urlsafe(32))"')
    return token


def tokens_match(given: str | None, expected: str | None) -> bool:
    """Compare a presented token with the real one in constant time (no early exit on the first difference)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def redact(text: str) -> str:
    """Text with every token value (query parameter, encoded or in an Authorization header) replaced."""
    return _TOKEN_IN_TEXT.sub(lambda m: m.group(1) + "[redacted]", text)


def client_address(remote_ip: str, headers, trusted_proxies: frozenset[str]) -> str:
    """The visitor's address for per-client limits: behind a trusted reverse proxy, the address it appended to
    X-Forwarded-For (or X-Real-IP); otherwise the connection's own (headers from anyone else are ignored)."""
    if remote_ip in trusted_proxies:
        forwarded = [part.strip() for part in headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
        if headers.get("X-Real-IP", "").strip():
            return headers["X-Real-IP"].strip()
    return remote_ip


class GuessLimit:
    """Wrong tokens per client address: after `limit` of them within `window` seconds, every token from that
    address (the right one too) is refused until the oldest has left the window."""

    def __init__(self, limit: int = 10, window: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._wrong: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        times = self._wrong.setdefault(client, deque())
        while times and self.clock() - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        """Whether this address has guessed too often lately."""
        return len(self._recent(client)) >= self.limit

    def failed(self, client: str) -> None:
        """Count one wrong token from this address."""
        self._recent(client).append(self.clock())
