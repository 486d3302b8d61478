"""The lesson footer's one download: exactly the lesson's files, nothing outside its folder, bounded, plain words."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lce_utils.courses.savework import TooBig, download_link, link_html, make_download
from lce_utils.courses.selfcheck import this_notebook, unsaved_warning


def _notebook(path: Path, *sources: str, language: str | None = None) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["lce"] = {"lesson": 2, "language": language} if language else {"lesson": 1}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    """A lesson folder as a learner leaves it: sounds made, checkpoints, another lesson, links out of the folder."""
    folder = tmp_path / "digital-tools"
    (folder / "my-sounds").mkdir(parents=True)
    notebook = _notebook(folder / "sound.ipynb", "tone = 440", language="sv")
    _notebook(folder / "images.ipynb", "other = 1")
    _notebook(folder / "sound.en.ipynb", "tone = 440", language="en")
    (folder / "my-sounds" / "tone.wav").write_bytes(b"RIFF" + bytes(2000))
    (folder / "my-sounds" / "chord.wav").write_bytes(b"RIFF" + bytes(3000))
    (folder / "cashflow.csv").write_text("month,amount\n1,100\n", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    _notebook(folder / ".ipynb_checkpoints" / "sound-checkpoint.ipynb", "old")
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (folder / "my-sounds" / ".DS_Store").write_bytes(b"\0")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not the lesson's", encoding="utf-8")
    (folder / "link-to-file.txt").symlink_to(outside / "secret.txt")
    (folder / "link-to-folder").symlink_to(outside, target_is_directory=True)
    (folder / "images.zip").write_bytes(b"an earlier download")
    return notebook


def test_the_zip_holds_the_notebook_and_the_files_the_lesson_made_and_nothing_else(lesson: Path) -> None:
    download = make_download(lesson)
    assert download.path == lesson.parent / "sound.zip"
    expected = ["sound.ipynb", "cashflow.csv", "my-sounds/chord.wav", "my-sounds/tone.wav"]
    assert download.members == expected
    with zipfile.ZipFile(download.path) as archive:
        assert archive.namelist() == expected
        assert archive.read("my-sounds/tone.wav") == b"RIFF" + bytes(2000)
        assert archive.read("sound.ipynb") == lesson.read_bytes()
    assert download.size == download.path.stat().st_size
    # a second run replaces the zip and never packs it into itself; no partial file is left behind
    again = make_download(lesson)
    assert again.members == expected
    assert sorted(p.name for p in lesson.parent.iterdir() if p.name.endswith((".zip", ".partial"))) == \
        ["images.zip", "sound.zip"]


def test_a_download_over_the_limit_is_refused_with_a_plain_message_and_writes_nothing(lesson: Path) -> None:
    with pytest.raises(TooBig) as info:
        make_download(lesson, limit=4000, language="sv")
    assert info.value.total == lesson.stat().st_size + 2004 + 3004 + 19
    assert [name for name, _ in info.value.largest] == ["my-sounds/chord.wav", "my-sounds/tone.wav", "sound.ipynb"]
    message = str(info.value)
    assert message.startswith("Filerna i lektionens mapp är tillsammans 0 MB")
    assert "Ladda ner dem var för sig" in message
    assert "Download" not in message
    assert not (lesson.parent / "sound.zip").exists()
    with pytest.raises(TooBig) as info:
        make_download(lesson, limit=4000, language="en")
    assert str(info.value).startswith("The files in the lesson's folder add up to")


def test_the_link_is_relative_so_jupyterlab_serves_it_through_files(lesson: Path) -> None:
    html = link_html(make_download(lesson), "sv")
    assert html.startswith('<p><a href="sound.zip" download="sound.zip"')
    assert "Ladda ner sound.zip" in html and "4 filer" in html


def test_nothing_is_written_while_nbgrader_runs_the_notebook(lesson: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert download_link(lesson) is None
    assert not (lesson.parent / "sound.zip").exists()
    monkeypatch.delenv("NBGRADER_EXECUTION")
    shown = download_link(lesson)
    assert 'href="sound.zip"' in shown.data and "Ladda ner" in shown.data   # the Swedish version's metadata
    assert (lesson.parent / "sound.zip").exists()
    missing = download_link(lesson.parent / "gone.ipynb")
    assert "Cannot find the notebook gone.ipynb" in missing.data and "<strong>" in missing.data
    # the footer template itself (run by the notebook tests in courses/) is no lesson: nothing is packed
    footer = lesson.parent.parent / "footer.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("download_link()")]), footer)
    assert "This cell works in a lesson" in download_link(footer).data
    assert not list(lesson.parent.parent.glob("*.zip"))


def test_the_notebook_is_found_from_the_kernel_session_or_from_what_the_kernel_ran(lesson: Path) -> None:
    session = SimpleNamespace(user_ns={"__session__": str(lesson)})
    assert this_notebook(session, lesson.parent) == lesson
    renamed = SimpleNamespace(user_ns={"__session__": str(lesson.parent / "renamed.ipynb")},
                              history_manager=SimpleNamespace(input_hist_raw=["", "other = 1", "check()"]))
    env = os.environ.pop("JPY_SESSION_NAME", None)
    try:
        assert this_notebook(renamed, lesson.parent) == lesson.parent / "images.ipynb"
        unknown = SimpleNamespace(user_ns={}, history_manager=SimpleNamespace(input_hist_raw=["", "print(1)"]))
        with pytest.raises(LookupError, match="I cannot tell which notebook this is"):
            this_notebook(unknown, lesson.parent)
    finally:
        if env is not None:
            os.environ["JPY_SESSION_NAME"] = env


def test_cells_run_but_not_saved_are_pointed_out(lesson: Path) -> None:
    assert unsaved_warning(lesson, ["tone = 440", "download_link()"]) == ""
    warning = unsaved_warning(lesson, ["tone = 440", "tone = 880", "download_link()"])
    assert warning.startswith("Obs: notebooken verkar ha ändringar som inte är sparade")
    assert unsaved_warning(lesson, ["tone = 880", "tone = 440  ", "download_link()"]) == ""   # edited, then saved


def test_the_footer_imports_nothing_heavy_for_graded_notebooks() -> None:
    # every graded notebook runs the footer: under a learner's profile hook, importing nbformat took 57 s here
    import subprocess
    import sys

    code = ("import sys\nimport lce_utils.courses.savework, lce_utils.courses.selfcheck\n"
            "print(sorted(m for m in ('nbformat', 'nbgrader', 'traitlets', 'yaml', 'IPython', 'jsonschema') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
