"""lce_utils.staging: files and folders are replaced whole or not at all, and nothing is left beside them."""

from __future__ import annotations

import os

import pytest

from lce_utils import staging
from lce_utils.errors import LCEError
from lce_utils.staging import atomic_write, atomic_write_bytes, atomic_write_text, staged_folder


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path):
    path = tmp_path / "sub" / "table.csv"
    assert atomic_write_text(path, "a;b\n1;2\n") == path and path.read_text(encoding="utf-8") == "a;b\n1;2\n"
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new"

    def broken(tmp):
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("half a fi")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, broken)
    assert path.read_bytes() == b"new" and _names(path.parent) == ["table.csv"]


@pytest.mark.parametrize("exchange", [True, False], ids=["rename-exchange", "two-renames"])
def test_staged_folder_replaces_the_folder_and_leaves_nothing_beside_it(tmp_path, monkeypatch, exchange):
    if not exchange:  # a system without renameat2: the older way gives the same result
        monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    out = tmp_path / "run"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    with staged_folder(out) as work:
        assert work.parent == tmp_path and work.name.startswith(".run-incomplete-") and not list(work.iterdir())
        (work / "new.txt").write_text("new", encoding="utf-8")
        assert _names(out) == ["old.txt"]  # readers see the old run until the new one is complete
    assert _names(out) == ["new.txt"] and _names(tmp_path) == ["run"]


def test_rename_exchange_is_used_where_the_system_has_it(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").touch()
    if not staging._exchange(a, b):
        pytest.skip("this file system has no renameat2 RENAME_EXCHANGE")
    assert _names(a) == [] and _names(b) == ["x"]


def test_a_failed_block_leaves_the_old_folder_alone(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="broken"), staged_folder(out) as work:
        (work / "metrics.json").write_text('{"visits": 1}', encoding="utf-8")
        raise ValueError("broken")
    assert (out / "metrics.json").read_text(encoding="utf-8") == "{}" and _names(tmp_path) == ["run"]
    with pytest.raises(ValueError), staged_folder(tmp_path / "new") as work:
        raise ValueError("broken")
    assert _names(tmp_path) == ["run"]


def test_a_file_where_the_folder_goes_is_refused(tmp_path):
    (tmp_path / "run").write_text("not a folder", encoding="utf-8")
    with pytest.raises(LCEError, match="exists and is not a folder"), staged_folder(tmp_path / "run"):
        pass
    assert _names(tmp_path) == ["run"]


def test_replace_false_keeps_what_another_process_finished_first(tmp_path):
    out = tmp_path / "cache"
    with staged_folder(out, replace=False) as work:
        (work / "meta.json").write_text("mine", encoding="utf-8")
        out.mkdir()  # another process finished while this one worked
        (out / "meta.json").write_text("theirs", encoding="utf-8")
    assert (out / "meta.json").read_text(encoding="utf-8") == "theirs" and _names(tmp_path) == ["cache"]


def test_a_symlinked_folder_is_switched_in_one_rename(tmp_path):
    """A folder served through a symlink (the report site's way): the link moves to the new version."""
    first = tmp_path / ".site.v-1"
    first.mkdir()
    (first / "index.html").write_text("old", encoding="utf-8")
    out = tmp_path / "site"
    os.symlink(first.name, out)
    with staged_folder(out) as work:
        (work / "index.html").write_text("new", encoding="utf-8")
    assert out.is_symlink() and (out / "index.html").read_text(encoding="utf-8") == "new"
    assert not first.exists() and len(_names(tmp_path)) == 2  # the link and the version it points to


def test_a_written_file_gets_the_mode_asked_for(tmp_path):
    """Files for everyone as open() makes them (the umask applies); personal data for its owner only."""
    umask = os.umask(0o022)
    try:
        shared = atomic_write_text(tmp_path / "shared.json", "{}")
        private = atomic_write_text(tmp_path / "matches.csv", "a\n", mode=0o600)
    finally:
        os.umask(umask)
    assert (shared.stat().st_mode & 0o777, private.stat().st_mode & 0o777) == (0o644, 0o600)
