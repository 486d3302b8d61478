"""The shared foundation: CLI behaviour, offline HTML, charts with text alternatives, suppression."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from lce_utils.charts import figure_html
from lce_utils.cli import build_parser, main
from lce_utils.offline_html import notebook_to_html, remote_loads
from lce_utils.privacy import format_count, suppress_count, suppress_counts, suppress_frame, suppress_with_complement

LCE = Path(sys.executable).parent / "lce"


def run_lce(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # Without the venv on PATH: `.venv/bin/lce` must work unactivated.
    return subprocess.run([str(LCE), *args], capture_output=True, text=True, env=env or {"PATH": "/usr/bin:/bin"},
                          timeout=300)


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the CLI (`()`, `("labs",)`, `("labs", "run")`, ...)."""
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += command_paths(sub, prefix + (name,))
    return paths


@pytest.mark.slow
def test_help_everywhere(capsys):
    assert run_lce("--help").returncode == 0  # the installed script, without the venv on PATH
    paths = command_paths(build_parser())
    assert ("run",) in paths
    for path in paths:
        with pytest.raises(SystemExit) as exit_info:
            main([*path, "--help"])
        assert exit_info.value.code == 0, f"lce {' '.join(path)} --help exited {exit_info.value.code}"
        assert "usage: lce" in capsys.readouterr().out


@pytest.mark.slow
def test_usage_error_exits_2_with_one_line():
    result = run_lce("no-such-command")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("lce: error")]
    assert len(errors) == 1 and "invalid choice" in errors[0]
    assert "Traceback" not in result.stderr


def test_lce_error_is_one_line_and_debug_shows_traceback(monkeypatch, capsys):
    from lce_utils import cli
    from lce_utils.errors import DataError

    def fail(args):
        raise DataError("visits.csv, row 3, column 'price': expected a number, got 'gratis'")

    real = cli.build_parser

    def parser_with_failing_command(parts=None):
        parser = real(parts)
        sub = next(a for a in parser._actions if a.dest == "command")
        sub.add_parser("explode").set_defaults(func=fail)
        return parser

    monkeypatch.setattr(cli, "build_parser", parser_with_failing_command)
    assert main(["explode"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "lce: error: visits.csv, row 3, column 'price': expected a number, got 'gratis'"
    assert main(["--debug", "explode"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_offline_html_has_no_remote_loads():
    chart = alt.Chart(pd.DataFrame({"area": ["211", "212"], "visits": [120, 80]})).mark_bar().encode(
        x="area", y="visits")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Rapport\n\nMath $e^{i\\pi}$ and a widget follow."),
        nbformat.v4.new_code_cell("print('hidden input')"),
    ])
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": figure_html(chart, "Visits by area: 211 has 120, 212 has 80"),
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
    })]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                           "version_minor": 0}}
    html = notebook_to_html(nb, exclude_input=True, lang="sv")
    assert remote_loads(html) == []
    assert "cdnjs" not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "print('hidden input')" not in html
    svg = html[html.index("<svg"):html.index(">", html.index("<svg"))]
    assert 'role="img"' in svg and 'aria-label="Visits by area: 211 has 120, 212 has 80"' in svg
    assert '<html lang="sv">' in html


def test_remote_loads_are_detected():
    assert remote_loads('<script src="https://cdn.example.org/x.js"></script>')
    assert remote_loads('<link rel="stylesheet" href="//fonts.example.org/a.css">')
    assert remote_loads("<style>@import url('https://x.example.org/f.css');</style>")
    assert not remote_loads('<a href="https://scb.se">SCB</a>')  # a link is not a load


def test_chart_needs_text_alternative():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x")
    with pytest.raises(ValueError, match="text alternative"):
        figure_html(chart, "  ")
    assert "&lt;script&gt;" in figure_html(chart, "<script>alert(1)</script>")


def test_suppression():
    assert [suppress_count(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert suppress_count(3, k=3) == 3
    assert suppress_counts({"woman": 7, "other": 2}) == {"woman": 7, "other": None}
    # hidden reads the same whether small or hidden to protect another cell (which may be large)
    assert format_count(2) == "prickad/suppressed" and format_count(None) == "prickad/suppressed"
    assert format_count(12345) == "12\u00a0345" and "<" not in format_count(4)
    frame = pd.DataFrame({"group": ["a", "b"], "n": [10, 3], "share": [0.77, 0.23]})
    out = suppress_frame(frame, ["n"], dependent_columns=["share"])
    assert out["n"].tolist()[0] == 10 and pd.isna(out["n"].tolist()[1])
    assert out["share"].tolist()[0] == 0.77 and pd.isna(out["share"].tolist()[1])


@pytest.mark.parametrize("counts, expected", [
    ({"a": 12, "b": 7, "c": 0}, {"a": 12, "b": 7, "c": 0}),  # nothing small: nothing hidden
    ({"a": 12, "b": 7, "c": 3}, {"a": 12, "b": None, "c": None}),  # one small: one more in the keyed order
    ({"a": 12, "b": 0, "c": 3, "d": 9}, {"a": 12, "b": 0, "c": None, "d": None}),  # a zero is never the second
    ({"a": 8, "b": 8, "c": 2, "d": 20}, {"a": 8, "b": 8, "c": None, "d": None}),  # the keyed order, not the value
    ({"a": 8, "b": 2, "c": 4}, {"a": 8, "b": None, "c": None}),  # two small: already two hidden
    ({"a": 1, "b": 4, "c": 3}, {"a": None, "b": None, "c": None}),  # all small
    ({"a": 9, "b": None, "c": 6}, {"a": 9, "b": None, "c": 6}),  # already missing: the total is unknown too
    ({"a": 4, "b": 0}, {"a": None, "b": 0}),  # no positive cell left to hide
])
def test_suppression_with_complement(counts, expected):
    result = suppress_with_complement(counts, k=5)
    assert result == expected
    assert suppress_with_complement(result, k=5) == result  # applying it again changes nothing


def test_suppression_with_complement_on_a_frame():
    frame = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": [40, 30, 2, 30], "share": [0.39, 0.29, 0.02, 0.29]})
    out = suppress_with_complement(frame, "n", k=5, dependent_columns=["share"])
    assert out["n"].isna().tolist() == [True, False, True, False]
    assert out["share"].isna().tolist() == [True, False, True, False]
    assert out["n"].dtype == "Int64" and frame["n"].tolist() == [40, 30, 2, 30]  # the input is left alone
    assert suppress_with_complement(frame, "n", k=2)["n"].tolist() == [40, 30, 2, 30]
    with pytest.raises(ValueError, match="count_column"):
        suppress_with_complement(frame)


def test_landing_notebook_links_resolve():
    """Every relative link in index.ipynb names a file of the repository (student versions: their source)."""
    import re

    from lce_utils.paths import ROOT

    nb = nbformat.read(ROOT / "index.ipynb", as_version=4)
    links = re.findall(r"\]\(([^)#]+)\)", "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    local = [link for link in links if "://" not in link]
    assert len(local) >= 12, local
    # a released lesson's English version <notebook>.en.ipynb comes from the same source notebook
    missing = [link for link in local if not (ROOT / link.replace("courses/release/", "courses/source/", 1)
                                             .replace(".en.ipynb", ".ipynb")).exists()]
    assert not missing, f"index.ipynb links to missing files: {missing}"


@pytest.mark.slow
def test_notebook_failure_names_notebook_and_cell(tmp_path):
    from lce_utils.errors import NotebookError
    from lce_utils.notebooks import execute_notebook

    path = tmp_path / "lab.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                                   nbformat.v4.new_code_cell("# totals\nx / 0")]), path)
    with pytest.raises(NotebookError) as error:
        execute_notebook(path, timeout=60)
    assert str(error.value) == f"{path}: cell 2 ('# totals') failed: ZeroDivisionError: division by zero"
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import time\ntime.sleep(30)")])))
    with pytest.raises(NotebookError, match=r"cell 1 \('import time'\) ran longer than 2 s"):
        execute_notebook(path, timeout=2)
