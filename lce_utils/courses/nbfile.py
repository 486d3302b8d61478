"""Reading the notebooks grading has already checked or written (submitted, released and autograded ones).

nbformat.read validates every notebook against the whole schema and only logs what it finds; after grading, the
tampering checks and the exports read each learner's notebooks again, and the validation was about half of their
time. read_checked() reads and converts exactly as nbformat.read does, without that pass."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import nbformat
from nbformat import reader


def read_checked(path: str | Path) -> nbformat.NotebookNode:
    """The notebook at path as nbformat version 4, as nbformat.read(path, as_version=4) gives it, unvalidated.

    Raises what nbformat.read raises for a file that is no notebook (unreadable JSON, no or unknown version)."""
    with open(path, encoding="utf-8") as handle:
        return nbformat.convert(reader.read(handle), 4)


def read_release(path: Path) -> nbformat.NotebookNode:
    """A released notebook, read once per version of the file (the checks compare every learner's copy with it).
    The caller must not change it."""
    stat = path.stat()
    return _read_release(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _read_release(path: str, mtime_ns: int, size: int) -> nbformat.NotebookNode:
    return read_checked(path)
