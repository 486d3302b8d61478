"""The sector benchmark (issue 17 item 2): hidden with two sharing institutions, shown with three, institutions named
only in their own report, ratios whose parts a run hid never computed, withdrawal honoured.

The runs are real lab runs (`run_labs`, metrics only) on seeded fictitious exports, with seeds whose runs publish
every age band (disclosure control hides some age bands in most 3 000-row samples). Hand-worked figures (from each
run's published metrics.json): under-26 share = (0-15 + 16-25) / visits of known age:
I1 (180 + 158) / (3000 - 571) = 0.1392, I2 (91 + 240) / (3000 - 523) = 0.1336, I3 (146 + 132) / (3000 - 557) = 0.1138;
visits per visitor I1 2.8, I2 3.0479, I3 3.1222; returning share I1 0.601, I2 0.5861, I3 0.5538; the 60-row I4
hides visits per visitor and three age bands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lce_utils.engagement.run import run_labs
from lce_utils.engagement.sample import write_sample
from lce_utils.errors import DataError
from lce_utils.knowledge import benchmark

pytestmark = pytest.mark.slow  # every test uses the module's four lab runs (seconds)

RUNS = {"I1": (10, 3000), "I2": (2, 3000), "I3": (12, 3000), "I4": (4, 60)}
NAMES = {"I1": "Konsthall Ett", "I2": "Teater Två", "I3": "Museum Tre", "I4": "Bibliotek Fyra"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("benchmark-runs")
    out = {}
    for key, (seed, rows) in RUNS.items():
        files = write_sample(base / f"data-{key}", rows=rows, seed=seed)
        run_labs(files.visits, base / key, events=files.events, institution=NAMES[key], notebooks=False)
        out[key] = base / key
    return out


def _share(runs: dict[str, Path], var: Path, *keys: str) -> None:
    for key in keys:
        benchmark.share(runs[key], NAMES[key], var=var)


def test_two_institutions_show_no_measure_and_three_show_each(runs: dict[str, Path], tmp_path: Path) -> None:
    _share(runs, tmp_path, "I1", "I2")
    two = benchmark.standings(benchmark.load(tmp_path))
    assert [s.shown for s in two] == [False, False, False, False]
    page = benchmark.page(benchmark.load(tmp_path), built_at="2026-12-02T10:00:00+00:00")
    assert page.count("visas när minst 3 institutioner delar") == 4
    assert "2,80" not in page and "13,9" not in page

    _share(runs, tmp_path, "I3")
    three = {s.metric.key: s for s in benchmark.standings(benchmark.load(tmp_path))}
    assert all(s.shown for s in three.values())
    assert three["visits_per_visitor"].values == [3.1222, 3.0479, 2.8]
    assert three["young_share"].values == [0.1392, 0.1336, 0.1138]
    assert three["returning_visitor_share"].values == [0.601, 0.5861, 0.5538]
    page = benchmark.page(benchmark.load(tmp_path), built_at="2026-12-02T10:00:00+00:00")
    assert "visas när minst" not in page
    # lowest, median, highest of the under-26 share, Swedish style
    assert "<td>11,4\u00a0%</td><td>13,4\u00a0%</td><td>13,9\u00a0%</td>" in page
    assert "<td>2,80</td><td>3,05</td><td>3,12</td>" in page


def test_public_page_names_nobody_and_each_report_names_only_its_own(runs: dict[str, Path], tmp_path: Path) -> None:
    _share(runs, tmp_path, "I1", "I2", "I3")
    shared = benchmark.load(tmp_path)
    public = benchmark.page(shared, built_at="2026-12-02T10:00:00+00:00")
    assert not any(name in public for name in NAMES.values())
    written = benchmark.write_reports(tmp_path / "out", built_at="2026-12-02T10:00:00+00:00", var=tmp_path)
    assert sorted(p.name for p in written) == ["konsthall-ett.html", "museum-tre.html", "teater-tva.html"]
    own = (tmp_path / "out" / "teater-tva.html").read_text(encoding="utf-8")
    assert "Teater Två" in own and "Konsthall Ett" not in own and "Museum Tre" not in own
    # Teater Två has the middle under-26 share (2 of 3) and the middle visits per visitor (2 of 3)
    assert "<td>13,4\u00a0%</td><td>2 av <span lang=\"en\">/ of</span> 3</td>" in own
    assert "<td>3,05</td><td>2 av <span lang=\"en\">/ of</span> 3</td>" in own
    assert (tmp_path / "out" / "assets" / "site.css").is_file()


def test_a_ratio_whose_parts_the_run_hid_is_not_computed(runs: dict[str, Path], tmp_path: Path) -> None:
    metrics = json.loads((runs["I4"] / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["visits_per_visitor"] is None and metrics["visits_by_age_band"]["0-15"] is None  # hidden by the run
    entry = benchmark.share(runs["I4"], NAMES["I4"], var=tmp_path)
    assert entry.values["visits_per_visitor"] is None
    assert entry.values["young_share"] is None and entry.values["older_share"] is None
    assert entry.values["returning_visitor_share"] == metrics["returning_visitor_share"]
    _share(runs, tmp_path, "I1", "I2")
    # three share, but only I1 and I2 have visits per visitor; I4's returning share makes that measure shown
    counts = {s.metric.key: (len(s.values), s.shown) for s in benchmark.standings(benchmark.load(tmp_path))}
    assert counts == {"visits_per_visitor": (2, False), "returning_visitor_share": (3, True),
                      "young_share": (2, False), "older_share": (2, False)}
    own = benchmark.page(benchmark.load(tmp_path), built_at="2026-12-02", own=benchmark.load(tmp_path)[0])
    assert "Bibliotek Fyra" in own and "ert värde är dolt i er körning" not in own  # its one shown value is known


def test_withdrawal_and_resharing(runs: dict[str, Path], tmp_path: Path) -> None:
    _share(runs, tmp_path, "I1", "I2", "I3")
    _share(runs, tmp_path, "I3")  # sharing again replaces, never duplicates
    assert len(benchmark.load(tmp_path)) == 3
    assert benchmark.unshare("Museum Tre", var=tmp_path) is True
    assert benchmark.unshare("Museum Tre", var=tmp_path) is False
    assert [s.shown for s in benchmark.standings(benchmark.load(tmp_path))] == [False] * 4


@pytest.mark.parametrize("k", [2, 0, None, "5"])
def test_a_run_published_with_a_lower_or_no_threshold_is_refused(runs: dict[str, Path], tmp_path: Path, k) -> None:
    info = json.loads((runs["I1"] / "run.json").read_text(encoding="utf-8"))
    low = tmp_path / "low-k"
    low.mkdir()
    (low / "metrics.json").write_bytes((runs["I1"] / "metrics.json").read_bytes())
    (low / "run.json").write_text(json.dumps({**info, "k": k}), encoding="utf-8")
    with pytest.raises(DataError, match=f"k={k}"):
        benchmark.share(low, "Lågt k", var=tmp_path)
    assert benchmark.load(tmp_path) == []


def test_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a lab run folder"):
        benchmark.share(tmp_path, "Någon", var=tmp_path)


def test_the_site_page_reads_the_store_the_manifest_names_and_passes_the_audit(runs: dict[str, Path],
                                                                              tmp_path: Path) -> None:
    from lce_utils.privacy_audit import audit_path

    for key in ("I1", "I2", "I3"):
        benchmark.share(runs[key], NAMES[key], var=tmp_path, demo=True)
    site = tmp_path / "site"
    site.mkdir()
    real = benchmark.write_page(site, {}, updated="2026-12-02", contact="lce@example.org", var=tmp_path)
    assert real == 0 and "visas när minst 3" in (site / benchmark.PAGE).read_text(encoding="utf-8")
    demo = benchmark.write_page(site, {"benchmark": {"store": "demo"}}, updated="2026-12-02",
                                contact="lce@example.org", demo=True, var=tmp_path)
    text = (site / benchmark.PAGE).read_text(encoding="utf-8")
    assert demo == 3 and "<td>2,80</td><td>3,05</td><td>3,12</td>" in text and "DEMO:" in text
    assert audit_path(site).ok
    with pytest.raises(DataError, match="benchmark.store"):
        benchmark.write_page(site, {"benchmark": {"store": "both"}}, updated="2026-12-02", contact="x", var=tmp_path)
