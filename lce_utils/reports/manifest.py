"""Content hashes of what a report depends on, and the site's manifest of what was built from what."""

from __future__ import annotations

import glob
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lce_utils.reports.config import InputSpec, ReportSpec

MANIFEST = "manifest.json"
PACKAGE = Path(__file__).parent


def _hash_file(path: Path, digest: hashlib._Hash) -> None:
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL (None for other databases)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    return None


def input_paths(spec: InputSpec, root: Path) -> list[Path]:
    """The existing files an input names (a folder's files recursively); empty when it is missing."""
    if spec.kind == "database":
        path = sqlite_path(spec.value)
        if path is None:
            return []
        # an empty -wal holds nothing: it is there while any process (the site's directory page, a server) has
        # the database open, and must not make a report run again
        wal = Path(f"{path}-wal")
        return [p for p in (path, wal) if p.is_file() and (p == path or p.stat().st_size > 0)]
    found = []
    for match in sorted(glob.glob(str(root / spec.value))):
        p = Path(match)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.is_file())
        elif p.is_file():
            found.append(p)
    return found


def missing_inputs(spec: ReportSpec, root: Path) -> list[str]:
    """Labels of the required inputs that do not exist (or, if every input is optional, all when none exists)."""
    present = {id(i): bool(input_paths(i, root)) or (i.kind == "database" and sqlite_path(i.value) is None)
               for i in spec.inputs}
    missing = [i.label() for i in spec.inputs if i.required and not present[id(i)]]
    if not missing and spec.inputs and not any(present.values()):
        missing = [i.label() for i in spec.inputs]
    return missing


def code_hash() -> str:
    """A hash of the report machinery: this package, its page templates and the shared helpers it renders with."""
    digest = hashlib.sha256()
    shared = PACKAGE.parent
    files = [p for p in sorted(PACKAGE.rglob("*")) if p.is_file() and p.suffix in {".py", ".j2", ".css", ".svg"}]
    files += [shared / name for name in ("charts.py", "privacy.py", "privacy_audit.py", "offline_html.py")]
    files += sorted((shared / "templates").rglob("*.j2"))
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(shared).as_posix().encode())
            _hash_file(path, digest)
    return digest.hexdigest()


def report_key(spec: ReportSpec, root: Path, machinery: str) -> str:
    """The content hash that decides whether a report must run again: template, parameters, inputs, code."""
    digest = hashlib.sha256()
    digest.update(machinery.encode())
    _hash_file(spec.template, digest)
    digest.update(json.dumps(spec.resolved, sort_keys=True).encode())
    for item in spec.inputs:
        digest.update(f"\0{item.kind}:{item.value}".encode())
        paths = input_paths(item, root)
        if item.kind == "database" and sqlite_path(item.value) is None:
            digest.update(os.urandom(16))  # a server database cannot be hashed: always run
        for path in paths:
            digest.update(f"\0{path.relative_to(root) if path.is_relative_to(root) else path.name}".encode())
            _hash_file(path, digest)
    return digest.hexdigest()


def read_manifest(site: Path) -> dict[str, Any]:
    """The manifest of a built site ({} when there is none or it is unreadable)."""
    try:
        data = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("reports"), dict) else {}


def write_manifest(site: Path, data: dict[str, Any]) -> None:
    """Write the manifest into a (staging) site folder."""
    (site / MANIFEST).write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
