"""Any size from one row up: every lab section renders, suppressed values show as "prickad", `lce labs check` predicts
`lce labs run`, and errors name the user's file rather than a temporary folder."""

from __future__ import annotations

import ast
import json
import shutil

import nbformat
import numpy as np
import pandas as pd
import pytest

import lce_utils.paths
from lce_utils.cli import main
from lce_utils.engagement import open_lab, story
from lce_utils.engagement.run import NOTEBOOKS, run_labs
from lce_utils.engagement.sample import write_sample
from lce_utils.errors import NotebookError
from lce_utils.privacy import format_count, suppress_count

HEADER = "Datum;Kundnummer;Evenemang;Biljettyp;Pris;Kanal;Postnummer;Födelseår;Kön\n"


def test_suppress_count_takes_every_missing_value():
    for missing in (None, float("nan"), np.nan, pd.NA, pd.NaT):
        assert suppress_count(missing) is None
        assert format_count(missing) == "prickad/suppressed"
    assert suppress_count(pd.array([3], dtype="Int64")[0]) is None
    assert suppress_count(np.int64(7)) == 7


def svg_texts(html: str) -> list[str]:
    import re
    return re.findall(r"<text[^>]*>([^<]*)</text>", html)


@pytest.mark.slow
def test_one_row_renders_every_section_with_hidden_counts_marked(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(HEADER + "2024-05-04 19:00;K1;Hamlet;Ordinarie;200;Webb;21119;1980;Kvinna\n", encoding="utf-8")
    lab = open_lab(path)
    assert story.dry_run(lab) == []
    assert lab.metrics["visits_by_gender"] == {"woman": None, "man": 0, "other": 0, "unknown": 0}
    gender = svg_texts(story.chart_gender(lab).data)
    assert gender.count("prickad") == 1  # the one hidden bar is marked, the zeros are not
    assert svg_texts(story.chart_visits_by_month(lab).data).count("prickad") == 1


@pytest.mark.slow
def test_sample_of_400_rows_renders_every_section(tmp_path):
    files = write_sample(tmp_path / "s", rows=400, seed=2024)
    lab = open_lab(files.visits, files.events)
    assert story.dry_run(lab) == []
    reach = lab.table("reach_by_area")
    hidden = int(reach["visits"].isna().sum())
    assert hidden > 0  # the case that used to break the chart: suppressed areas in the table
    shown = min(15, len(reach))
    assert svg_texts(story.chart_reach(lab).data).count("prickad") == int(reach.head(15)["visits"].isna().sum())
    assert shown == 15
    # Every gender and age group hidden in the representation table is marked, none is dropped.
    index = lab.table("representation_index")
    hidden_groups = int(pd.to_numeric(index["representation_index"], errors="coerce").isna().sum())
    assert hidden_groups > 0
    assert svg_texts(story.representation(lab).data).count("prickad") == hidden_groups


@pytest.mark.slow
def test_sample_of_1000_rows_with_its_events_renders_every_section(tmp_path):
    files = write_sample(tmp_path / "s", rows=1000, seed=2024)  # `lce labs sample --rows 1000`
    assert story.dry_run(open_lab(files.visits, files.events)) == []


@pytest.mark.slow
def test_month_with_few_new_visitors_is_marked(tmp_path):
    # January: visitors A..F new (6); February: A..F return (6) and G, H, I are new (3, hidden).
    rows = [f"2024-01-1{i} 19:00;{c};Hamlet;Ordinarie;100;Webb;21119;1980;Kvinna" for i, c in enumerate("ABCDEF")]
    rows += [f"2024-02-1{i} 19:00;{c};Hamlet;Ordinarie;100;Webb;21119;1980;Man" for i, c in enumerate("ABCDEFGHI")]
    path = tmp_path / "few.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    lab = open_lab(path)
    table = lab.table("visitors_by_month")
    assert table["month"].tolist() == ["2024-01", "2024-02"]
    # January's 6 is hidden too: unique visitors 9 minus 6 would give February's 3 back
    assert lab.metrics["unique_visitors"] == 9 and table["new_visitors"].isna().tolist() == [True, True]
    assert table["returning_visitors"].tolist() == [0, 6]
    html = story.chart_new_returning(lab).data
    assert svg_texts(html).count("prickad") == 2 and "prickad/suppressed nya" in html
    assert story.dry_run(lab) == []


def test_dry_run_covers_exactly_what_the_notebooks_call():
    for name in NOTEBOOKS:
        nb = nbformat.read(lce_utils.paths.LABS / f"{name}.ipynb", as_version=4)
        calls = []
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "story"
                        and node.func.attr not in ("show_suggestions", "dry_run")):
                    calls.append((node.lineno, node.col_offset, node.func.attr,
                                  tuple(a.value for a in node.args[1:] if isinstance(a, ast.Constant))))
        called = [(c[2], c[3]) for c in calls]
        assert sorted(called) == sorted(story.LAB_SECTIONS[name]), name


@pytest.mark.slow
def test_debug_flag_anywhere_on_the_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("Kund;Pris\n1;2\n", encoding="utf-8")
    for argv in (["--debug", "labs", "check", "--data", str(bad)], ["labs", "check", "--data", str(bad), "--debug"],
                 ["labs", "--debug", "check", "--data", str(bad)]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "Traceback" in err and "lce: error: bad.csv: nödvändiga kolumner saknas: timestamp" in err, argv
    assert main(["labs", "check", "--data", str(bad)]) == 1
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
def test_cli_run_on_a_400_row_venue_export_writes_every_output(tmp_path, capsys):
    files = write_sample(tmp_path / "venue", rows=400, seed=11)
    assert main(["labs", "check", "--data", str(files.visits), "--events", str(files.events)]) == 0
    checked = capsys.readouterr().out
    assert "OK: the file can be analysed" in checked
    performances = len(pd.read_csv(files.events, sep=";"))
    assert f"Events: {performances} performances (event <- Evenemang, " in checked
    out = tmp_path / "out"
    assert main(["labs", "run", "--data", str(files.visits), "--events", str(files.events), "--out", str(out),
                 "--institution", "Lilla scenen"]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    raw = pd.read_csv(files.visits, sep=";", dtype=str)
    good = raw[pd.to_datetime(raw["Datum"], errors="coerce").notna()
               & pd.to_numeric(raw["Pris (kr)"].str.replace(",", "."), errors="coerce").notna()]
    assert metrics["visits"] == len(good) == 400 and metrics["rows_read"] == len(raw) == 403
    for name in NOTEBOOKS:
        assert (out / "html" / f"{name}.html").stat().st_size > 0
        assert (out / "notebooks" / f"{name}.ipynb").exists()


@pytest.mark.slow
def test_a_failing_lab_names_the_lab_and_the_users_file(tmp_path, monkeypatch):
    labs = tmp_path / "labs"
    shutil.copytree(lce_utils.paths.LABS, labs)
    nb = nbformat.read(labs / f"{NOTEBOOKS[1]}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('a lab that breaks')"))
    nbformat.write(nb, labs / f"{NOTEBOOKS[1]}.ipynb")
    monkeypatch.setattr(lce_utils.paths, "LABS", labs)
    files = write_sample(tmp_path / "venue", rows=400, seed=11)
    with pytest.raises(NotebookError) as err:
        run_labs(files.visits, tmp_path / "out", events=files.events)
    message = str(err.value)
    assert message.startswith(f"lab {NOTEBOOKS[1]} on visits.csv: cell ")
    assert "a lab that breaks" in message and "incomplete" not in message and str(tmp_path) not in message
    assert not (tmp_path / "out").exists()
