"""Knowledge reports without kernels: parameters, configuration, sanitising, aggregates, cleaning."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from lce_utils.errors import DataError, NotebookError, ParameterError, UsageError
from lce_utils.paths import ROOT
from lce_utils.reports import aggregate, data, display, execute, params, sanitize
from lce_utils.reports.build import build_site
from lce_utils.reports.config import load_config
from tests.reports.samples import XSS

TEMPLATE = {"cells": [
    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "# Parameters\nname = 'x'\nk = 5",
     "outputs": [], "execution_count": None, "id": "p"},
    {"cell_type": "code", "metadata": {}, "source": "print(name)", "outputs": [], "execution_count": None, "id": "b"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


def make_config(tmp_path: Path, body: str) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "t.ipynb").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    path = tmp_path / "reports.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def one_report(tmp_path: Path, parameters: str) -> Path:
    """The configuration of one report r of the template t.ipynb with these parameters (YAML flow mapping)."""
    return make_config(tmp_path, f"""\
        reports:
          - id: r
            title: {{sv: T, en: T}}
            template: t.ipynb
            parameters: {parameters}
        """)


@pytest.mark.parametrize("name", ["x=1\nimport os", "x y", "1x", "class", "__import__", "", "a.b", "é"])
def test_parameter_names_must_be_plain_identifiers(name):
    with pytest.raises(ParameterError, match="not a plain identifier"):
        params.check_name(name, "report r")


def test_parameter_name_with_code_is_refused_before_anything_runs(tmp_path):
    config = one_report(tmp_path, '{"x=1\\nimport os": 1}')
    out = tmp_path / "site"
    with pytest.raises(ParameterError, match="not a plain identifier"):
        build_site(config, root=tmp_path, out=out)
    assert not out.exists(), "nothing may be written when a parameter is refused"


def test_undeclared_parameter_and_code_like_values(tmp_path):
    config = one_report(tmp_path, "{other: 1}")
    with pytest.raises(ParameterError, match="not in the parameters cell"):
        build_site(config, root=tmp_path, out=tmp_path / "site")
    with pytest.raises(ParameterError, match="not allowed"):
        params.check_value(object(), "p")
    with pytest.raises(ParameterError, match="not allowed"):
        params.check_value(__import__("datetime").date(2025, 1, 1), "p")


def test_injected_values_stay_literals():
    """A value that looks like code is written by papermill as a string literal, checked with ast."""
    hostile = "\"; import os; os.system('id'); x = \""
    nb = execute.parameterize(ROOT / "knowledge" / "templates" / "course-results.ipynb",
                              {"assignment": hostile, "k": 5})
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.tags][0]
    params.verify_injected_source(injected.source, {"assignment": hostile, "k": 5})
    with pytest.raises(ParameterError, match="not `name = value`"):
        params.verify_injected_source("k = 5\nimport os", {"k": 5})
    with pytest.raises(ParameterError, match="not a plain literal"):
        params.verify_injected_source("k = len('x')", {"k": 1})
    with pytest.raises(ParameterError, match="differs"):
        params.verify_injected_source("k = 6", {"k": 5})


def test_public_values_hide_root_and_passwords():
    assert params.public_value("{root}/var/labs/sample") == "var/labs/sample"
    assert params.public_value("postgresql://lce:s3cret@db/lce") == "postgresql://lce:***@db/lce"
    assert params.public_value("sqlite:///{root}/var/m.db") == "sqlite:///var/m.db"


def test_config_expands_parameter_sets_and_runs(tmp_path):
    config = make_config(tmp_path, """\
        defaults: {parameters: {k: 5}}
        reports:
          - id: per-set
            title: {sv: Svensk, en: English}
            template: t.ipynb
            parameter_sets:
              - {id: a, title: {sv: A, en: A}, parameters: {name: alpha}}
              - {id: b, parameters: {name: beta}}
            inputs: ["data/{name}.csv"]
          - id: per-run
            title: {sv: Labb, en: Lab}
            template: t.ipynb
            for_each: {glob: "runs/*/metrics.json", name: run}
            parameters: {name: "{root}/runs/{run}"}
            inputs: ["runs/{run}/metrics.json"]
        """)
    for run in ("one", "Two"):
        (tmp_path / "runs" / run).mkdir(parents=True)
        (tmp_path / "runs" / run / "metrics.json").write_text("{}")
    specs = {s.id: s for s in load_config(config, tmp_path)}
    assert sorted(specs) == ["per-run-one", "per-run-two", "per-set-a", "per-set-b"]
    assert specs["per-set-a"].resolved == {"k": 5, "name": "alpha"}
    assert specs["per-set-a"].title == {"sv": "Svensk: A", "en": "English: A"}
    assert specs["per-set-b"].inputs[0].value == "data/beta.csv"
    assert specs["per-run-two"].resolved["name"] == f"{tmp_path}/runs/Two"
    assert ("name", "runs/Two") in specs["per-run-two"].public_parameters()


@pytest.mark.parametrize("body, message", [
    ("reports: [{id: Bad_Id, title: T, template: t.ipynb}]", "lower-case"),
    ("reports: [{id: r, title: {sv: T}, template: t.ipynb}]", "Swedish and English"),
    ("reports: [{id: r, title: T, template: missing.ipynb}]", "not found"),
    ("reports: [{id: r, title: T, template: t.ipynb, colour: red}]", "unknown keys"),
    ("reports: [{id: r, title: T, template: t.ipynb}, {id: r, title: T, template: t.ipynb}]", "used twice"),
    ("reports: {id: r}", "top-level 'reports:' list"),
    ("reports: [{id: r, title: T, template: t.ipynb, inputs: [{path: a, database: b}]}]", "exactly one"),
])
def test_config_errors_name_the_entry(tmp_path, body, message):
    with pytest.raises(DataError, match=message):
        load_config(make_config(tmp_path, body), tmp_path)


def test_unknown_only_id_is_a_usage_error(tmp_path):
    config = make_config(tmp_path, "reports: [{id: r, title: T, template: t.ipynb}]\n")
    with pytest.raises(UsageError, match="no such report"):
        build_site(config, root=tmp_path, out=tmp_path / "site", only=["nope"])


def test_out_folder_that_is_not_a_site_is_refused(tmp_path):
    config = make_config(tmp_path, "reports: [{id: r, title: T, template: t.ipynb}]\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not a report site"):
        build_site(config, root=tmp_path, out=tmp_path / "docs")
    assert (tmp_path / "docs" / "keep.txt").read_text() == "mine"


def test_sanitiser_keeps_charts_and_drops_scripts():
    dirty = (f'<main><p onclick="x()">{XSS}</p><script>alert(1)</script><style>p{{}}</style>'
             '<a href="javascript:alert(1)">bad</a><a href="other.html">ok</a>'
             '<svg viewBox="0 0 10 10" role="img" aria-label="chart"><g><rect width="1" height="2" '
             'onload="alert(1)"></rect><text>label</text></g></svg>'
             '<img src="https://cdn.example.org/x.png"><img src="data:image/png;base64,AAAA"></main>')
    clean = sanitize.publishable(dirty)
    for bad in ("onclick", "onerror", "onload", "<script", "<style", "javascript:", "https://", "alert(1)</"):
        assert bad not in clean
    assert '<a href="other.html">ok</a>' in clean
    assert '<svg viewBox="0 0 10 10" role="img" aria-label="chart">' in clean and "<text>label</text>" in clean
    assert '<img alt="Figur / Figure" src="data:image/png;base64,AAAA">' in clean
    assert clean.count("<img") == 1


def test_tables_escape_values_and_show_suppressed_counts():
    frame = pd.DataFrame({"event": [XSS, "Konsert"], "visitors": pd.array([None, 12], dtype="Int64")})
    html = display.table_html(frame, ("Evenemang", "Events"), count_columns=["visitors"])
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "prickad <span lang=\"en\">/ suppressed</span>" in html and "&lt;5" not in html
    assert '<caption>Evenemang <span lang="en">/ Events</span></caption>' in html


def grades_frame(learners: int, seed: int = 0) -> pd.DataFrame:
    rows = []
    for n in range(learners):
        for nb in ("a", "b"):
            rows.append({"student": f"s{n}", "assignment": "x", "notebook": nb, "score": (n * 7 + seed) % 11,
                         "max_score": 10, "needs_manual_grading": n == 0})
    return pd.DataFrame(rows)


def test_score_distribution_suppresses_small_bands():
    dist = aggregate.score_distribution(grades_frame(12), k=5)
    raw = aggregate.learner_scores(grades_frame(12))["percent"]
    assert dist["learners"].sum(skipna=True) <= 12
    for _, row in dist.iterrows():
        assert pd.isna(row["learners"]) or row["learners"] >= 5 or row["learners"] == 0
    assert len(raw) == 12
    summary = aggregate.score_summary(grades_frame(3), k=5)
    assert summary["learners"] is None and summary["median_percent"] is None


def test_hardest_tests_orders_by_failed_share_and_suppresses():
    rows = []
    for n in range(10):
        rows.append({"student": f"s{n}", "notebook": "nb", "test": "easy", "passed": n != 0})
        rows.append({"student": f"s{n}", "notebook": "nb", "test": "hard", "passed": n < 2})
    table = aggregate.hardest_tests(pd.DataFrame(rows), k=5)
    assert list(table["test"]) == ["hard", "easy"]
    # 8 of 10 failed would give away the 2 who passed (issue 15): failed is suppressed, the 10 who tried shown
    assert table["learners"].tolist() == [10, 10]
    assert table["failed"].isna().tolist() == [True, True] and table["failed_share"].isna().tolist() == [True, True]
    many = aggregate.hardest_tests(pd.DataFrame([{**r, "passed": r["passed"] or r["student"] in ("s2", "s3", "s4")}
                                                 for r in rows]), k=5)
    assert many.loc[0, "failed"] == 5 and many.loc[0, "failed_share"] == 0.5  # 5 failed, 5 passed: both shown


def test_csv_errors_name_file_row_and_column(tmp_path):
    path = tmp_path / "x-grades.csv"
    path.write_text("student,assignment,notebook,score,max_score,needs_manual_grading\n"
                    "s1,x,a,5,10,false\ns2,x,a,five,10,false\n")
    with pytest.raises(DataError, match=r"x-grades.csv: row 3, column 'score': expected a number, got 'five'"):
        data.course_grades(tmp_path, "x")
    path.write_text("student,score\ns1,1\n")
    with pytest.raises(DataError, match="missing column"):
        data.course_grades(tmp_path, "x")
    assert data.course_grades(tmp_path, "absent") is None


def test_publishing_removes_papermill_metadata_injected_cell_and_paths(tmp_path):
    nb = nbformat.from_dict(json.loads(json.dumps(TEMPLATE)))
    nb.metadata["papermill"] = {"input_path": str(tmp_path / "t.ipynb"), "parameters": {"name": "secret"}}
    injected = nbformat.v4.new_code_cell(f"name = '{tmp_path}/secret'", metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(1, injected)
    nb.cells[2].metadata["papermill"] = {"status": "completed"}
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text=f"reading {tmp_path}/data.csv\n")]
    clean = execute.clean_for_publishing(nb, report_id="r", public_params=[("name", "data")],
                                         replacements=execute.path_replacements(tmp_path))
    text = nbformat.writes(clean)
    assert str(tmp_path) not in text and "papermill" not in text and "injected-parameters" not in text
    assert "reading ./data.csv" in text and "Parameters of this report" in text


def test_incomplete_notebooks_fail():
    nb = nbformat.from_dict(json.loads(json.dumps(TEMPLATE)))
    nb.cells[0].execution_count = 1
    with pytest.raises(NotebookError, match="cell 2 did not run"):
        execute.check_complete(nb, "t.ipynb")
    nb.cells[1].execution_count = 2
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename="SystemExit", evalue="0", traceback=[])]
    with pytest.raises(NotebookError, match="SystemExit"):
        execute.check_complete(nb, "t.ipynb")


def test_one_hidden_cell_cannot_be_recovered_by_subtraction():
    """Learners 12 in total, bands 5, 5, 2, 0: hiding only the 2 would give it away (12 - 5 - 5 - 0)."""
    grades = pd.DataFrame({"student": [f"s{n}" for n in range(12)], "notebook": "a",
                           "score": [1] * 5 + [6] * 5 + [8] * 2, "max_score": 10, "needs_manual_grading": False})
    dist = aggregate.score_distribution(grades, k=5)
    assert dist["learners"].isna().sum() == 2, dist
    assert list(dist["learners"].fillna(-1)) == [-1, 5, -1, 0]
    breakdown = pd.DataFrame({"group": ["a", "b", "c"], "visits": [40, 30, 2]})
    protected = aggregate.protect(breakdown, k=5)
    assert protected["visits"].isna().tolist() == [True, False, True]  # the keyed order, not the smallest


def test_a_build_that_breaks_leaves_the_old_site_whole(tmp_path, monkeypatch):
    config = make_config(tmp_path, "reports: [{id: r, title: T, template: t.ipynb, inputs: [absent.csv]}]\n")
    out = tmp_path / "site"
    build_site(config, root=tmp_path, out=out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert b"Inte publicerad \xc3\xa4nnu" in before[Path("index.html")]
    (tmp_path / ".site.building-leftover").mkdir()  # from a build that was killed

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("lce_utils.reports.render.index_page", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_site(config, root=tmp_path, out=out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    # only the live version remains beside the symlink that names it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [os.readlink(out)]


def test_cli_lists_reports_and_their_inputs(tmp_path, capsys):
    from lce_utils.cli import main

    assert main(["reports", "list", "--json", "--root", str(tmp_path), "--out", str(tmp_path / "site")]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["course-results-adaptive-mindset"]["inputs"] == \
        "missing: courses/exports/adaptive-mindset-grades.csv"
    assert rows["engagement-findings"]["inputs"] == "missing: no input matches var/labs/*/metrics.json"
    assert {row["status"] for row in rows.values()} == {"never built"}
    assert main(["reports", "build", "--jobs", "0", "--root", str(tmp_path), "--out", str(tmp_path / "s")]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["reports", "build", "--help"])
    assert exit_info.value.code == 0 and "--only" in capsys.readouterr().out


def test_sample_course_exports_follow_the_courses_writer(tmp_path):
    """The generated exports have the exact header and value types of lce_utils.courses.export."""
    from lce_utils.courses import export
    from tests.reports import samples

    # one owner: the reports read the columns the courses' writer defines
    assert data.GRADE_COLUMNS is export.GRADE_COLUMNS and data.TEST_COLUMNS is export.TEST_COLUMNS
    folder = samples.write_course_exports(tmp_path, learners=6)
    grades = (folder / "adaptive-mindset-grades.csv").read_text(encoding="utf-8").splitlines()
    tests = (folder / "adaptive-mindset-tests.csv").read_text(encoding="utf-8").splitlines()
    assert grades[0] == ",".join(export.GRADE_COLUMNS) and tests[0] == ",".join(export.TEST_COLUMNS)
    score, max_score, manual, contained = grades[1].split(",")[3:]
    assert float(score) >= 0 and max_score == "10.0" and manual in {"True", "False"} and contained == "True"
    assert {line.split(",")[6] for line in tests[1:]} == {"True", "False"}
    assert len(data.course_grades(folder, "adaptive-mindset")) == 12
    assert data.course_tests(folder, "adaptive-mindset")["passed"].dtype == bool


def test_lab_run_refuses_keys_the_labs_do_not_write(tmp_path):
    metrics = {key: None for key in data.METRIC_KEYS}
    metrics.update(visits_by_gender={"woman": 9, "man": 7, "other": None, "unknown": 0},
                   visits_by_age_band={band: 6 for band in data.AGE_BANDS}, visits_by_month={})
    (tmp_path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert data.lab_run(tmp_path).metrics["visits_by_gender"]["woman"] == 9
    metrics["visits_by_gender"] = {"kvinna": 9, "annat": None}
    (tmp_path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    with pytest.raises(DataError, match=r"visits_by_gender has unexpected key\(s\) \['annat', 'kvinna'\]; "
                                        r"expected keys \['woman', 'man', 'other', 'unknown'\]"):
        data.lab_run(tmp_path)
    metrics["visits_by_gender"] = {"woman": 9}
    metrics["visits_by_age_band"] = {"18-34": 9}
    (tmp_path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    with pytest.raises(DataError, match=r"visits_by_age_band has unexpected key\(s\) \['18-34'\]"):
        data.lab_run(tmp_path)


def test_protect_blanks_shares_of_a_hidden_count():
    """The labs' representation index: hiding an audience count hides its share and index on the same row."""
    table = pd.DataFrame({"gender": ["woman", "woman", "man"], "age_band": ["16-25", "26-35", "16-25"],
                          "audience": [40, 9, 3], "audience_share": [0.77, 0.17, 0.06],
                          "population": [76710, 95711, 80000], "representation_index": [111.8, 106.2, 40.1]})
    out = aggregate.protect(table, k=5)
    assert out["audience"].isna().tolist() == [True, False, True]
    assert out["audience_share"].isna().tolist() == [True, False, True]
    assert out["representation_index"].isna().tolist() == [True, False, True]
    assert out["population"].tolist() == [76710, 95711, 80000]


def test_report_headings_start_at_h2_whatever_level_the_template_uses():
    """The page title is the one h1; a template's first heading level becomes h2 (axe: heading-order)."""
    assert sanitize.demote_headings("<h2 id=a>x</h2><p>t</p><h3>y</h3>") == "<h2 id=a>x</h2><p>t</p><h3>y</h3>"
    assert sanitize.demote_headings("<h1>t</h1><h2>u</h2>") == "<h2>t</h2><h3>u</h3>"
    assert sanitize.demote_headings("<p>none</p>") == "<p>none</p>"


def test_notebook_and_test_ids_read_as_words():
    """No file names or slugs on pages: an assignment's notebook and test ids as readers see them."""
    from lce_utils.reports import sections

    assert sections._part_name("adaptive-mindset-part2") == "Del 2 / Part 2"
    assert sections._part_name("iterating-under-uncertainty") == "Iterating under uncertainty"
    assert sections._test_name("test_response_rate") == "Test response rate"


def _grades_csv(folder, sandboxed_values):
    """A grades export of three learners, with the given `sandboxed` values (None: an export without the column)."""
    head = "student,assignment,notebook,score,max_score,needs_manual_grading"
    rows = [f"s{i},a,nb,{5 * i},10,False" for i in range(3)]
    if sandboxed_values is not None:
        head += ",sandboxed"
        rows = [f"{row},{value}" for row, value in zip(rows, sandboxed_values)]
    (folder / "a-grades.csv").write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")


def test_course_results_say_when_grades_were_made_without_the_sandbox(tmp_path, monkeypatch):
    from lce_utils.reports import sections

    notes = []
    monkeypatch.setattr(sections.show, "note", lambda text, **params: notes.append(sections.show.texts(text, **params)))
    _grades_csv(tmp_path, ["True", "False", ""])
    grades = data.course_grades(tmp_path, "a")
    assert list(grades["sandboxed"]) == [True, False, None]
    assert sections.grading_notice(grades) is True
    assert "--no-sandbox" in notes[0][0] and "sandlåda" in notes[0][0] and "sandbox" in notes[0][1]
    _grades_csv(tmp_path, ["True", "True", ""])
    assert sections.grading_notice(data.course_grades(tmp_path, "a")) is False
    _grades_csv(tmp_path, None)  # an export written before the column existed still reads
    assert list(data.course_grades(tmp_path, "a")["sandboxed"]) == [None, None, None]
    assert sections.grading_notice(data.course_grades(tmp_path, "a")) is False and len(notes) == 1
    _grades_csv(tmp_path, ["True", "maybe", ""])
    with pytest.raises(DataError, match=r"a-grades.csv: row 3, column 'sandboxed': expected true, false or empty"):
        data.course_grades(tmp_path, "a")
