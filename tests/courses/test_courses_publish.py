"""`lce courses publish OUT`: the learners' repository holds the released notebooks, the labs, the sign-up, the
package and the environment, runs as it is, and holds no solution, hidden test, model answer or grading material,
in its files or in its git history."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lce_utils.cli import main
from lce_utils.paths import ROOT

BIN = Path(sys.executable).parent
ASSIGNMENTS = {"adaptive-mindset": "iterating-under-uncertainty",
               "digital-tools-for-artistic-processes": "images-sound-and-text",
               "creative-entrepreneurship": "pricing-vat-and-budgets"}

pytestmark = pytest.mark.slow


def lce(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "JUPYTER_PATH")}
    env.update(PATH="/usr/bin:/bin", LCE_ROOT=str(checkout))
    proc = subprocess.run([str(BIN / "lce"), *args], capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, f"lce {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A new git repository for the learners, published into twice from a still copy of this checkout (files only:
    the second publish must change nothing)."""
    base = tmp_path_factory.mktemp("learners")
    checkout = base / "instructors"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "var", "_site", "__pycache__", "release", "submitted", "autograded",
        "feedback", "exports", "gradebook.db", "output", "results", ".lce-cache"))
    out = base / "learn-create-engage"
    out.mkdir()
    git(out, "init", "--quiet")
    first = lce(checkout, "courses", "publish", str(out))
    second = lce(checkout, "courses", "publish", str(out), "--message", "second publish")
    return {"out": out, "checkout": checkout, "first": first.stdout, "second": second.stdout}


def answer_lines(checkout: Path, min_length: int = 10) -> dict[str, str]:
    """Every line of every source notebook's solutions, model answers and hidden tests, mapped to its notebook.

    Lines that also stand outside those regions (so learners see them anyway) or in LCE's own package code (e.g.
    `except ValueError:`) are not answers; they are left out."""
    package_code = "\n".join(p.read_text(encoding="utf-8") for p in (checkout / "lce_utils").rglob("*.py")
                             if p.name != "demo.py")
    region = re.compile(r"BEGIN (SOLUTION|HIDDEN TESTS)[^\n]*\n(.*?)\n[^\n]*END \1", flags=re.DOTALL)
    found = {}
    for source_path in sorted((checkout / "courses" / "source").glob("*/*.ipynb")):
        source = nbformat.read(source_path, as_version=4)
        text = "\n".join(c.source for c in source.cells)
        regions = region.findall(text)
        assert len(regions) >= 4, source_path  # every lesson has solutions and hidden tests for the regex to find
        public = region.sub("", text)
        for _, body in regions:
            for line in body.splitlines():
                line = line.strip()
                if len(line) >= min_length and not line.startswith("#") and line not in public \
                        and line not in package_code:
                    found[line] = source_path.name
    return found


def test_the_learners_repository_holds_what_learners_need(published: dict) -> None:
    out = published["out"]
    for assignment, notebook in ASSIGNMENTS.items():
        assert (out / "courses" / "release" / assignment / f"{notebook}.ipynb").exists()
        assert f"courses/release/{assignment}/{notebook}.ipynb" in published["first"]
    assert (out / "courses" / "release" / "creative-entrepreneurship" / "cashflow-2025.csv").exists()
    for path in ("index.ipynb", "README.md", "LICENSE", "LICENSE-CONTENT.md", "pyproject.toml", "binder/postBuild",
                 "binder/requirements.txt", "mentorship/signup/index.ipynb", "lce_utils/courses/validate.py",
                 "engagement_labs/01-audience-overview.ipynb", "engagement_labs/README.md"):
        assert (out / path).is_file(), path
    assert os.access(out / "binder" / "postBuild", os.X_OK)
    for path in ("courses/source", "courses/gradebook.db", "courses/nbgrader_config.py", "lce_utils/courses/demo.py",
                 "lce_utils/courses/demo_expected.yaml", "lce_utils/courses/demo_expected", "tests", "benchmarks",
                 "mentorship/coordinator", "var"):
        assert not (out / path).exists(), path
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/v2/gh/lce-skane/learn-create-engage/HEAD?urlpath=lab%2Ftree%2Findex.ipynb" in readme
    assert "[iterating-under-uncertainty](courses/release/adaptive-mindset/iterating-under-uncertainty.ipynb)" in readme
    # the landing notebook's links all resolve in the learners' repository (the coordinator's app is not there)
    landing = nbformat.read(out / "index.ipynb", as_version=4)
    text = "\n".join(c.source for c in landing.cells if c.cell_type == "markdown")
    links = [link for link in re.findall(r"\]\(([^)#]+)\)", text) if "://" not in link]
    assert len(links) >= 9 and all((out / link).exists() for link in links), links
    assert "mentorship/signup/index.ipynb" in links and "mentorship/coordinator/index.ipynb" not in text
    assert "Knowledge reports" not in text  # tagged instructors-only: the report site is built in this checkout
    mine = nbformat.read(ROOT / "index.ipynb", as_version=4).cells
    assert len(landing.cells) == len([c for c in mine if "instructors-only" not in c.metadata.get("tags", [])]) \
        == len(mine) - 3
    # no command the learners' repository cannot run (it has no Makefile); how to open the apps, in both languages
    assert not (out / "Makefile").exists() and "make " not in text
    assert "press the Voilà button in its toolbar to see it as an app" in text
    assert "tryck på Voilà-knappen i\nverktygsfältet för att se den som app" in text


def test_a_landing_notebook_that_names_a_make_command_is_not_published(tmp_path: Path) -> None:
    from lce_utils.courses.publish import landing_problems

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Run `make mentorship` / Kör `make mentorship`"),
                                         nbformat.v4.new_code_cell("print('`make run`')")])
    assert landing_problems(nb, tmp_path) == [
        "index.ipynb: tells learners to run `make mentorship` but the learners' repository has no Makefile (tag "
        "that cell instructors-only)"] * 2
    (tmp_path / "Makefile").write_text("mentorship:\n")
    assert landing_problems(nb, tmp_path) == []


def test_no_solution_hidden_test_or_model_answer_in_any_file_or_commit(published: dict) -> None:
    out = published["out"]
    answers = answer_lines(published["checkout"])
    assert len(answers) >= 120
    assert any("Model answer" in line for line in answers)  # the written answers' model texts are among them
    history = git(out, "log", "-p", "--all")
    texts = {p.relative_to(out).as_posix(): p.read_bytes().decode("utf-8", errors="replace")
             for p in out.rglob("*") if p.is_file() and ".git" not in p.relative_to(out).parts}
    texts["git log -p --all"] = history
    assert len(texts) > 100
    marker = re.compile(r"(?:#|=)\s*BEGIN (?:SOLUTION|HIDDEN TESTS|MARK SCHEME)")
    for name, text in texts.items():
        assert not marker.search(text), f"{name} holds a solution or hidden-test marker"
        for line, notebook in answers.items():
            for form in (line, json.dumps(line)[1:-1], json.dumps(line, ensure_ascii=False)[1:-1]):
                assert form not in text, f"{name} holds {line!r} from the solutions of {notebook}"
    for name in texts:
        assert not re.search(r"(^|/)(source|submitted|autograded|feedback|exports)/|gradebook|\.db$|demo_expected",
                             name), name


def test_git_history_has_one_commit_and_a_second_publish_changes_nothing(published: dict) -> None:
    out = published["out"]
    assert git(out, "status", "--porcelain") == ""
    log = git(out, "log", "--format=%s").splitlines()
    assert log == ["Learners' materials published from the instructors' repository"]
    assert "committed " in published["first"]
    assert "no change since the last publish" in published["second"]


def test_the_published_package_imports_and_leaves_out_the_demo(published: dict) -> None:
    out = published["out"]
    code = """
import importlib, pkgutil, lce_utils
names = [m.name for m in pkgutil.walk_packages(lce_utils.__path__, "lce_utils.") if ".migrations." not in m.name]
for name in names:
    importlib.import_module(name)
print(lce_utils.__file__, len(names))
from lce_utils.cli import main
for args in (["courses", "demo"], ["courses", "release"]):
    print("exit", main(args))
"""
    env = {**os.environ, "PYTHONPATH": str(out)}
    env.pop("LCE_ROOT", None)
    proc = subprocess.run([sys.executable, "-c", code], cwd=out, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    first, *exits = proc.stdout.splitlines()
    path, count = first.split()
    assert Path(path) == out / "lce_utils" / "__init__.py" and int(count) >= 40
    assert exits == ["exit 2", "exit 2"]
    assert "the demo submissions are in the instructors' repository only" in proc.stderr
    assert "no source/ folder with the course's source notebooks; the learners' repository" in proc.stderr


def test_a_released_notebook_runs_from_the_learners_repository(published: dict,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = published["out"]
    monkeypatch.setenv("PYTHONPATH", str(out))  # the kernel imports the published lce_utils
    monkeypatch.setenv("LCE_TEST", "1")
    path = out / "courses" / "release" / "digital-tools-for-artistic-processes" / "images-sound-and-text.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import lce_utils.courses.media as m; print(m.__file__)"))
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert nb.cells[-1].outputs[0]["text"].strip() == str(out / "lce_utils" / "courses" / "media.py")
    for cell in nb.cells:
        errors = [o["ename"] for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        meta = cell.metadata.get("nbgrader", {})
        if errors:  # only the unanswered exercises and their checks fail
            assert meta.get("solution") or meta.get("grade"), (cell.source[:80], errors)


def test_binder_build_of_the_learners_repository_does_not_release(published: dict, tmp_path: Path) -> None:
    """postBuild's release step, run as it is: skipped without courses/source, run (here: `lce` absent) with it."""
    post = (published["out"] / "binder" / "postBuild").read_text(encoding="utf-8")
    block = re.search(r"^if \[ -d courses/source \]; then\n.*?^fi$", post, flags=re.DOTALL | re.MULTILINE)
    assert block and "lce courses release" in block.group(0)
    assert post.count("lce courses release") == 1
    env = {"PATH": "/usr/bin:/bin"}  # no `lce` on PATH: running the release would fail with 127
    skipped = subprocess.run(["bash", "-euo", "pipefail", "-c", block.group(0)], cwd=published["out"], env=env)
    assert skipped.returncode == 0
    (tmp_path / "courses" / "source").mkdir(parents=True)
    ran = subprocess.run(["bash", "-euo", "pipefail", "-c", block.group(0)], cwd=tmp_path, env=env,
                         capture_output=True)
    assert ran.returncode == 127


def test_publish_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("someone's own files")
    assert main(["courses", "publish", str(tmp_path)]) == 2
    assert "not empty and not written by `lce courses publish`" in capsys.readouterr().err
    assert main(["courses", "publish", str(ROOT / "courses")]) == 2
    assert "must be outside this checkout" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").exists() and (ROOT / "courses" / "source").is_dir()


def test_only_files_git_tracks_are_candidates(tmp_path: Path) -> None:
    """An institution's export dropped beside the labs, or a database, never reaches the learners."""
    from lce_utils.courses.publish import candidate_files

    files = {"engagement_labs/01-audience-overview.ipynb": "{}", "engagement_labs/visits-2025.csv": "id\n1\n",
             "lce_utils/__init__.py": "", "lce_utils/courses/demo.py": "ANSWER = 1\n", "mentorship/signup/app.db": "",
             "lce_utils/__pycache__/x.pyc": "", "tests/test_x.py": "", "index.ipynb": "{}"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--force", "--", *[n for n in files if n != "engagement_labs/visits-2025.csv"])
    assert candidate_files(tmp_path) == ["engagement_labs/01-audience-overview.ipynb", "index.ipynb",
                                         "lce_utils/__init__.py"]


def test_a_solution_line_anywhere_stops_the_publish(published: dict, tmp_path: Path) -> None:
    """A hidden-test line pasted into a lab notebook (JSON-escaped there) is found, and OUT is left as it was."""
    from lce_utils.courses.publish import publish
    from lce_utils.courses.release import secret_lines
    from lce_utils.errors import LCEError

    checkout = tmp_path / "instructors"
    shutil.copytree(published["checkout"], checkout)
    source = checkout / "courses" / "source" / "adaptive-mindset" / "iterating-under-uncertainty.ipynb"
    line = sorted(s for s in secret_lines(nbformat.read(source, as_version=4)) if '"' in s)[0]
    lab = checkout / "engagement_labs" / "02-priority-groups.ipynb"
    nb = nbformat.read(lab, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"A note:\n{line}"))
    nbformat.write(nb, lab)
    out = tmp_path / "out"
    with pytest.raises(LCEError, match=re.escape(f"not published: engagement_labs/02-priority-groups.ipynb: holds "
                                                 f"solution or hidden-test text {line[:60]!r}")):
        publish(out, checkout=checkout)
    assert list(out.iterdir()) == []
