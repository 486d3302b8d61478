"""One download of everything a lesson made: a zip of the notebook and the files beside it, offered as a link.

The footer of every released lesson (courses/footer.ipynb) calls `download_link()`. The zip holds the lesson's
notebook and every other file in the lesson's folder and below (a sound lesson's WAV files, a saved chart), but no
other notebook (other lessons), no hidden file or folder (.ipynb_checkpoints, .git), nothing reached through a link
and no earlier download. JupyterLab serves the zip through its /files/ handler, so the link is relative to the
notebook. When nbgrader grades or validates the notebook (NBGRADER_EXECUTION is set) nothing is written."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from lce_utils.courses.selfcheck import (
    NOT_A_LESSON,
    is_lesson,
    notebook_language,
    pick,
    this_notebook,
    unsaved_warning,
)
from lce_utils.messages import pair
from lce_utils.staging import atomic_write

MAX_BYTES = 200 * 1024 * 1024     # at most this much goes into one download (Binder's disk is small)
SUFFIX = ".zip"                    # the download sits beside the notebook as <notebook name>.zip
SKIPPED_DIRS = {"__pycache__", "feedback"}


class TooBig(Exception):
    """The lesson's files together exceed the download's size limit."""

    def __init__(self, total: int, largest: list[tuple[str, int]], limit: int, language: str | None = None) -> None:
        self.total, self.largest, self.limit = total, largest, limit
        names = ", ".join(f"{name} ({size / 1e6:.0f} MB)" for name, size in largest)
        super().__init__(pick(language, *pair("save_too_big", total=f"{total / 1e6:.0f}", limit=f"{limit / 1e6:.0f}",
                                              names=names)))


@dataclass
class Download:
    """A written zip: where it is and what it holds (paths relative to the lesson folder)."""

    path: Path
    members: list[str] = field(default_factory=list)
    size: int = 0


def grading() -> bool:
    """True while nbgrader executes the notebook (autograde or validate): then the footer does nothing."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def download_name(notebook: Path) -> str:
    """The zip's file name: the notebook's name with .zip for .ipynb."""
    return notebook.name.removesuffix(".ipynb") + SUFFIX


def lesson_files(notebook: Path) -> list[Path]:
    """The notebook and the files of its folder that go into its download, sorted, all inside the folder."""
    folder = notebook.parent.resolve()
    found = [notebook.resolve()]
    for dirpath, dirnames, filenames in os.walk(folder):  # os.walk does not follow links to folders
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIPPED_DIRS
                             and not os.path.islink(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or name.endswith((".ipynb", SUFFIX)) or path.is_symlink() or not path.is_file():
                continue
            if path.resolve().is_relative_to(folder):
                found.append(path.resolve())
    return found


def make_download(notebook: str | Path, limit: int = MAX_BYTES, language: str | None = None) -> Download:
    """Write <notebook>.zip beside the notebook with the lesson's files; TooBig (nothing written) over limit."""
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(pick(language, *pair("save_no_notebook", name=notebook.name)))
    folder = notebook.parent
    files = lesson_files(notebook)
    sizes = {path: path.stat().st_size for path in files}
    total = sum(sizes.values())
    if total > limit:
        largest = sorted(sizes.items(), key=lambda item: -item[1])[:3]
        raise TooBig(total, [(p.relative_to(folder).as_posix(), s) for p, s in largest], limit, language)
    target = folder / download_name(notebook)
    members = [path.relative_to(folder).as_posix() for path in files]

    def write(partial: str) -> None:  # hidden while written: never half a zip behind the link
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, member in zip(files, members):
                # sounds and images are compressed already: store them as they are
                kind = zipfile.ZIP_DEFLATED if path.suffix.lower() in (".ipynb", ".csv", ".txt", ".md", ".json",
                                                                         ".py", ".svg", ".html") else zipfile.ZIP_STORED
                archive.write(path, member, compress_type=kind)

    atomic_write(target, write)
    return Download(target, members, target.stat().st_size)


def link_html(download: Download, language: str | None = None) -> str:
    """The HTML shown under the footer cell: a relative link JupyterLab turns into a /files/ download."""
    name = escape(download.path.name)
    count = len(download.members)
    label = pick(language, *pair("save_link", name=name)).replace("\n", " / ")
    note = pick(language, *pair("save_link_note", count=count, size=f"{download.size / 1e6:.1f}"))
    return (f'<p><a href="{name}" download="{name}" style="font-weight:bold">{label}</a> '
            f'<span>({escape(note)})</span></p>')


def download_link(notebook: str | Path | None = None) -> object:
    """What the footer's save-work cell shows: the download link, or a plain message; nothing while grading."""
    if grading():
        return None
    from IPython.display import HTML

    try:
        path = Path(notebook).resolve() if notebook else this_notebook()
        if path.is_file() and not is_lesson(path):   # e.g. courses/footer.ipynb itself: never zip courses/
            return HTML(f"<p>{escape(NOT_A_LESSON)}</p>")
        language = notebook_language(path)
        download = make_download(path, language=language)
    except (TooBig, FileNotFoundError, LookupError) as exc:
        return HTML(f"<p><strong>{escape(str(exc))}</strong></p>")
    warning = unsaved_warning(path, language=language)
    return HTML((f"<p>{escape(warning)}</p>" if warning else "") + link_html(download, language))
