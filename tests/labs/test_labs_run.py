"""The CLI, a lab run's output folder, its atomicity, the sample generator and the `lce run` step."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import lce_utils.paths
from lce_utils.cli import main
from lce_utils.engagement import metrics as mx
from lce_utils.engagement import schema
from lce_utils.engagement.run import NOTEBOOKS, inject_parameters, run_labs
from lce_utils.engagement.sample import generate, write_sample
from lce_utils.errors import DataError
from lce_utils.offline_html import remote_loads

METRIC_KEYS = set(schema.METRIC_KEYS)  # the owner's list (lce_utils.engagement.schema)
TABLES = set(mx.TABLES)  # the owner's list: every table the labs write must be written and documented


@pytest.fixture
def sample(tmp_path):
    return write_sample(tmp_path / "sample", rows=3000, seed=7)


def test_sample_is_seeded_and_exact_in_size(tmp_path):
    visits, events = generate(2500, seed=3)
    again, _ = generate(2500, seed=3)
    other, _ = generate(2500, seed=4)
    assert visits.num_rows == 2500 and visits.equals(again) and not visits.equals(other)
    assert set(visits.column_names) == {"Datum", "Kundnummer", "Evenemang", "Biljettyp", "Pris (kr)", "Kanal",
                                        "Postnummer", "Födelseår", "Kön"}
    tickets = visits.to_pandas().groupby(["Evenemang", "Datum"]).size()
    capacity = events.to_pandas().set_index(["Evenemang", "Start"])["Kapacitet"]
    assert (tickets <= capacity.reindex(tickets.index)).all()  # never more tickets than seats
    files = write_sample(tmp_path / "p", rows=100, fmt="parquet")
    assert files.visits.name == "visits.parquet" and pd.read_parquet(files.visits).shape[0] == 100


@pytest.mark.slow
def test_cli_sample_check_and_help(tmp_path, capsys):
    assert main(["labs", "sample", "--rows", "500", "--out", str(tmp_path / "s")]) == 0
    assert "Wrote 500 tickets" in capsys.readouterr().out
    assert main(["labs", "check", "--data", str(tmp_path / "s" / "visits.csv")]) == 0
    out = capsys.readouterr().out
    assert "timestamp    <- Datum" in out and "row 502: timestamp is not a valid date" in out
    assert "row 504: summary line" in out and "OK: the file can be analysed" in out
    with pytest.raises(SystemExit) as exit_:
        main(["labs", "run", "--help"])
    assert exit_.value.code == 0
    with pytest.raises(SystemExit) as exit_:
        main(["labs", "sample", "--rows", "0", "--out", str(tmp_path / "x")])
    assert exit_.value.code == 2


def test_cli_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("Kund;Pris\n1;2\n", encoding="utf-8")
    assert main(["labs", "check", "--data", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("lce: error: bad.csv: nödvändiga kolumner saknas: timestamp") and "\n" not in err
    assert "/ required column(s) timestamp not found" in err


@pytest.mark.slow
def test_run_writes_the_agreed_folder(sample, tmp_path):
    out = tmp_path / "out"
    result = run_labs(sample.visits, out, events=sample.events, institution="Testhuset", notebooks=False)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics) == METRIC_KEYS and metrics == result.metrics
    assert metrics["visits"] == 3000 and metrics["rows_rejected"] == 3 and metrics["rows_read"] == 3003
    assert TABLES <= {p.stem for p in (out / "tables").glob("*.csv")}
    assert list(pd.read_csv(out / "tables" / "visitors_by_month.csv").columns) == ["month", "new_visitors",
                                                                                   "returning_visitors"]
    rejects = pd.read_csv(out / "rejects.csv")
    assert list(rejects["reason"]) == ["timestamp is not a valid date", "price is not a number", "summary line"]
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["institution"] == "Testhuset" and run["period"]["start"] == metrics["period_start"]
    assert run["input_sha256"] == hashlib.sha256(sample.visits.read_bytes()).hexdigest()
    assert str(tmp_path) not in (out / "run.json").read_text(encoding="utf-8")
    for table in (out / "tables").glob("*.csv"):  # published form: no count about people below 5
        frame = pd.read_csv(table)
        for column in ("tickets", "visits", "new_visitors", "returning_visitors", "audience", "unique_visitors"):
            if column in frame:
                assert not ((frame[column] > 0) & (frame[column] < 5)).any(), (table.name, column)
    assert not list(tmp_path.glob(".out-*"))


def test_failed_run_leaves_the_previous_output_alone(sample, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "metrics.json").write_text("{}", encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_text("Datum;Pris\nigår;10\n2024-01-01;10\n", encoding="utf-8")
    with pytest.raises(DataError, match="1 of 2 rows"):
        run_labs(broken, out, notebooks=False)
    assert (out / "metrics.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv", "cache", "out", "sample"]


def test_inject_parameters_follows_the_parameters_cell():
    nb = nbformat.read(lce_utils.paths.LABS / f"{NOTEBOOKS[0]}.ipynb", as_version=4)
    injected = inject_parameters(nb, {"prepared_dir": "x", "k": 7})
    index = next(i for i, c in enumerate(injected.cells) if "parameters" in c.metadata.get("tags", []))
    cell = injected.cells[index + 1]
    assert cell.metadata["tags"] == ["injected-parameters"]  # papermill's cell, read by reports and labs alike
    namespace: dict = {}
    exec(cell.source, namespace)
    assert (namespace["prepared_dir"], namespace["k"]) == ("x", 7)
    assert len(injected.cells) == len(nb.cells) + 1 and "injected-parameters" not in str(nb.cells)


@pytest.mark.slow
def test_run_step_runs_the_sample_with_notebooks_and_offline_html(tmp_path, monkeypatch):
    """`lce run`'s labs step, executing the four notebooks on the shared validated data."""
    from lce_utils.engagement import cli
    monkeypatch.setattr(lce_utils.paths, "VAR", tmp_path / "var")
    summary = cli.run_step(argparse.Namespace(debug=False))
    out = tmp_path / "var" / "labs" / "sample"
    assert summary.startswith("20000 visits, 3 rows rejected") and str(out) in summary
    assert (tmp_path / "var" / "labs" / "sample-data" / "visits.csv").exists()
    for name in NOTEBOOKS:
        nb = nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert outputs and not [o for o in outputs if o.output_type == "error"]
        html = (out / "html" / f"{name}.html").read_text(encoding="utf-8")
        assert remote_loads(html) == [] and 'role="img"' in html and "Förslag / Suggestions" in html
    assert "representationsindex" in (out / "html" / "02-priority-groups.html").read_text(encoding="utf-8").lower()
    key = (tmp_path / "var" / "labs" / "pseudonym.key")
    secret = key.read_text() if key.exists() else "run-test"
    for path in Path(out).rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(encoding="utf-8", errors="ignore")


def test_mapping_example_and_readme_document_the_tables():
    from lce_utils.engagement.mapping import load_mapping
    mapping = load_mapping(lce_utils.paths.LABS / "mapping-example.yaml")
    assert mapping.columns["timestamp"] == "Föreställningsdatum" and mapping.values["gender"]["K"] == "woman"
    assert mapping.events_columns["capacity"] == "Antal platser"
    readme = (lce_utils.paths.LABS / "README.md").read_text(encoding="utf-8")
    for name in TABLES | METRIC_KEYS:
        assert f"`{name}" in readme, name
