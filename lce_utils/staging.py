"""Write files and folders so that a reader never sees half of one: the one LCE way.

- `atomic_write(path, write)` / `atomic_write_text` / `atomic_write_bytes`: a file is written beside its target
  under a hidden temporary name, then renamed over it (os.replace is atomic on one file system).
- `staged_folder(out)`: a context manager yielding an empty hidden folder beside out; when the block ends without
  an error the folder takes out's place (`swap_folder`), otherwise it is removed and out is left as it was.
- `swap_folder(work, out)`: a real folder is exchanged in one renameat2(RENAME_EXCHANGE) where Linux offers it
  (otherwise the old folder is moved aside for the moment between two renames); a folder reached through a
  symlink gets the symlink switch (`swap_symlink`).
- `swap_symlink(staging, out)`: out is a symlink to the current version folder, replaced in one rename; readers see
  the old version or the new one (the report site's way: a web server may be serving out).
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lce_utils.errors import LCEError

INCOMPLETE = "-incomplete-"  # hidden work folders are named .<name>-incomplete-<random>
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def atomic_write(path: str | Path, write: Callable[[str], object], *, mode: int = 0o666) -> Path:
    """write(temporary name) fills a hidden file beside path that then replaces path; on any error the temporary
    file is removed and path is left as it was. mode as for os.open (the umask applies): 0o600 for personal data."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = str(path.with_name(f".{path.name}.{secrets.token_hex(6)}.part"))
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
            break
        except FileExistsError:  # another writer's name: draw again
            continue
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8", *, mode: int = 0o666) -> Path:
    """path holds text, written whole or not at all."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding=encoding), mode=mode)


def atomic_write_bytes(path: str | Path, data: bytes, *, mode: int = 0o666) -> Path:
    """path holds data, written whole or not at all."""
    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(data), mode=mode)


@contextmanager
def staged_folder(out: str | Path, *, replace: bool = True) -> Iterator[Path]:
    """An empty hidden folder beside out to fill; it becomes out when the block ends without an error.

    replace=False keeps an out that exists by then (another process finished the same work first: use theirs)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise LCEError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}{INCOMPLETE}", dir=out.parent))
    try:
        yield work
        if not replace and out.exists():
            shutil.rmtree(work, ignore_errors=True)
        elif not replace:
            try:
                work.rename(out)
            except OSError:  # out appeared in the meantime
                shutil.rmtree(work, ignore_errors=True)
        else:
            swap_folder(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def swap_folder(work: Path, out: Path) -> None:
    """work takes out's place; the folder that was at out is removed once nothing points to it."""
    if out.is_symlink():
        swap_symlink(work, out)
        return
    if not out.exists():
        work.rename(out)
        return
    if not out.is_dir():
        raise LCEError(f"{out} exists and is not a folder")
    if _exchange(work, out):
        shutil.rmtree(work, ignore_errors=True)  # work now holds the old folder
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    out.rename(old)
    work.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def swap_symlink(staging: Path, out: Path) -> None:
    """Publish staging at out without a moment with nothing there: out is a symlink to the current version folder
    (.<name>.v-<ns>), replaced in one rename (a real folder at out from before is moved aside first, once)."""
    os.chmod(staging, 0o755)
    version = out.with_name(f".{out.name}.v-{time.time_ns()}")
    os.rename(staging, version)
    previous = out.parent / os.readlink(out) if out.is_symlink() else None
    if out.exists() and not out.is_symlink():  # a real folder from before symlinks: one short gap, this once
        retired = out.with_name(f".{out.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(out, retired)
        previous = retired
    link = out.with_name(f".{out.name}.link-{os.getpid()}-{time.monotonic_ns()}")
    os.symlink(version.name, link)
    os.replace(link, out)  # atomic: readers see the old version or the new one
    if previous is not None and previous != version:
        shutil.rmtree(previous, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # the C library this process runs on
    except (OSError, AttributeError):  # not glibc 2.28+ or not Linux
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False  # a file system without exchange: the two-rename way
    raise OSError(code, os.strerror(code), str(b))
