"""One findings engine (issue 16): the labs' notebooks and the report read the same findings, computed once by
lce_utils.engagement.findings and written into the run's findings.json."""

from __future__ import annotations

import json

import pandas as pd

from lce_utils.engagement import findings, open_lab, story
from lce_utils.engagement.run import run_labs
from lce_utils.engagement.schema import FINDINGS_FORMAT, FINDINGS_SECTIONS, METRIC_KEYS
from lce_utils.reports import data, display, sections

from .test_labs_metrics import EVENTS, VISITS

PCT = "\u00a0%"


def _shown(monkeypatch) -> list[str]:
    out: list[str] = []
    monkeypatch.setattr(display, "display", lambda obj: out.append(obj.data))
    return out


def test_a_run_writes_findings_json_and_the_report_shows_its_summary(write_export, tmp_path, monkeypatch):
    out = tmp_path / "run"
    run_labs(write_export(VISITS, EVENTS)[0], out, events=tmp_path / "events.csv", notebooks=False, k=1)
    written = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert written["format"] == FINDINGS_FORMAT and tuple(written["sections"]) == FINDINGS_SECTIONS
    summary = [findings.both_languages(f) for f in written["sections"]["summary"]]
    # months 2024-01: 3 visits (the most); A and B of A, B, C came on two dates; Teater 4 of 11 seats, Opera 3 of
    # 12; Webb 200 + 200 + 100 + 300 + 100 = 900 kr against Kassa's 300
    assert summary[:3] == [("Flest besök kom i 2024-01 (3).", "The busiest month was 2024-01 (3 visits)."),
                           (f"67{PCT} av besökarna kom tillbaka minst en gång.",
                            f"67{PCT} of visitors came back at least once."),
                           (f"Högst beläggning hade Teater (36{PCT}).", f"Teater had the highest occupancy (36{PCT}).")]
    assert summary[-1] == ("Mest intäkter kom via Webb.", "Most revenue came through Webb.")
    # the notebooks' lists are the same file's sections
    lab = open_lab(out.parent / "visits.csv", out.parent / "events.csv", k=1)
    try:
        assert story.suggestions_loyalty(lab) == [" / ".join(findings.both_languages(f))
                                                  for f in written["sections"]["loyalty"]]
    finally:
        lab.con.close()

    # the report shows what the run wrote, not findings of its own: change the file and the page follows
    written["sections"]["summary"] = [{"key": "labs_find_most_revenue", "params": {"channel": "Kassa"}}]
    (out / "findings.json").write_text(json.dumps(written), encoding="utf-8")
    shown = _shown(monkeypatch)
    sections.lab_findings(data.lab_run(out), k=1)
    assert len(shown) == 1 and "Mest intäkter kom via Kassa." in shown[0] and "Webb" not in shown[0]


def _metrics(**values) -> dict:
    metrics = dict.fromkeys(METRIC_KEYS)
    metrics.update({"visits_by_month": {}, "visits_by_gender": {}, "visits_by_age_band": {}, **values})
    return metrics


def test_one_representation_rule_for_notebooks_and_report():
    table = pd.DataFrame({"gender": ["woman", "man", "man", "woman", "man"],
                          "age_band": ["26-35", "0-15", "16-25", "16-25", "unknown"],
                          "representation_index": [300.0, 40.0, 75.0, 80.0, None]})
    found = findings.compute(_metrics(), {"representation_index": table}, True, 5)
    # under-represented: below 80, lowest first (80 itself is not); the unknown age is never compared
    assert [findings.render(f, "en") for f in found["priority"]] == [
        "Men aged 0-15 are under-represented (index 40): try programmes, prices or partnerships aimed at them.",
        "Men aged 16-25 are under-represented (index 75): try programmes, prices or partnerships aimed at them."]
    assert [findings.render(f) for f in found["summary"]] == [
        "Minst representerade jämfört med Skånes befolkning: män 0-15 år (index 40; 100 = som i befolkningen).",
        "Mest representerade jämfört med Skånes befolkning: kvinnor 26-35 år (index 300; 100 = som i "
        "befolkningen)."]


def test_a_run_from_before_findings_json_gets_them_from_the_same_engine(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps(_metrics(visits_by_month={"2024-01": 7, "2024-02": None},
                                                               returning_visitor_share=0.25)), encoding="utf-8")
    run = data.lab_run(tmp_path)
    assert [findings.render(f, "en") for f in run.findings["summary"]] == [
        "The busiest month was 2024-01 (7 visits).", f"25{PCT} of visitors came back at least once."]
