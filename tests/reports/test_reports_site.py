"""The knowledge report site built for real: papermill kernels, the `lce reports build` CLI, Chromium and axe-core."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from lce_utils.offline_html import remote_loads
from lce_utils.paths import ROOT
from lce_utils.reports.build import CONFIG, build_site
from lce_utils.reports.manifest import read_manifest
from tests.reports import samples

pytestmark = pytest.mark.slow  # the module's fixture builds the sample site (tens of seconds)

MAX_PAGE_BYTES = 1_500_000
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
try:
    import lce_utils.mentorship  # noqa: F401
    HAVE_MENTORSHIP = True
except ImportError:
    HAVE_MENTORSHIP = False
EXPECTED = ["programme-progress", "course-results-adaptive-mindset", "course-results-digital-tools",
            "course-results-creative-entrepreneurship", "engagement-findings-sample", "mentorship-outcomes",
            "lesson-feedback"]


@dataclass
class Site:
    root: Path
    out: Path
    stdout: str


def lce(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lce_utils.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """The sample site (with a hostile institution and event name), built by the CLI with two jobs."""
    root = tmp_path_factory.mktemp("reports-root")
    samples.write_all(root, hostile_text=True)
    out = tmp_path_factory.mktemp("reports-out") / "_site"
    proc = lce("reports", "build", "--root", root, "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Site(root, out, proc.stdout)


def statuses(out: Path) -> dict[str, str]:
    return {rid: entry["status"] for rid, entry in read_manifest(out)["reports"].items()}


def test_sample_site_builds(site):
    assert f"report site {site.out / 'index.html'}" in site.stdout
    expected = {rid: "ok" for rid in EXPECTED}
    if not HAVE_MENTORSHIP:
        expected["mentorship-outcomes"] = "not-built"
    assert statuses(site.out) == expected
    for rid, status in expected.items():
        assert (site.out / f"{rid}.html").is_file() == (status == "ok")
        assert (site.out / "notebooks" / f"{rid}.ipynb").is_file() == (status == "ok")
    index = (site.out / "index.html").read_text(encoding="utf-8")
    assert "Kursresultat: Adaptivt förhållningssätt" in index and "Course results: Adaptive mindset" in index


def test_published_files_hold_no_local_paths_papermill_metadata_or_remote_loads(site):
    for path in site.out.rglob("*"):
        if not path.is_file() or "pagefind" in path.relative_to(site.out).parts:
            continue  # the search bundles (compressed index, Pagefind's script): tests/reports/test_site_search.py
        text = path.read_text(encoding="utf-8")
        for local in (str(site.root), str(ROOT), "/tmp/"):
            assert local not in text, f"{path.name} mentions {local}"
        if path.suffix == ".html":
            assert remote_loads(text) == [], path.name
            assert len(text.encode()) < MAX_PAGE_BYTES, path.name
            # the search page alone runs a script, the site's own (search is an enhancement)
            scripts = re.findall(r"<script[^>]*>", text)
            assert scripts == (['<script type="module" src="assets/search.js">'] if path.name == "sok.html" else []), \
                path.name
        if path.suffix == ".ipynb":
            nb = json.loads(text)
            assert "papermill" not in json.dumps(nb["metadata"]) and "papermill" not in text, path.name
            assert not any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"]), path.name
            assert all(c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"), path.name


def visible_text(html: str) -> str:
    """A page's text as a reader sees it (tags, and so link targets, removed)."""
    import re
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_are_for_readers_marked_demo_and_funded(site):
    pages = {p.name: p.read_text(encoding="utf-8") for p in site.out.glob("*.html")}
    # (+ index, accessibility statement, the network directory, the cases, the benchmark and the search page)
    assert "tillganglighet.html" in pages and len(pages) == len(EXPECTED) + 6 - (not HAVE_MENTORSHIP)
    for name, page in pages.items():
        text = visible_text(page)
        for internal in ("Parametrar", "Parameters", "sqlite", "courses/exports", "mentorship-demo", ".csv",
                         "metrics.json", "adaptive-mindset", "digital-tools-for", "Traceback", "&lt;5"):
            assert internal not in text, f"{name} shows {internal!r}"
        assert "<title>DEMO: " in page and "påhittade exempeldata" in text and "fictitious sample data" in text, name
        assert "Medfinansieras av Europeiska unionen" in text and "Co-funded by the European Union" in text, name
        assert '<img src="assets/eu-emblem.svg"' in page and "mailto:lce-demo@example.org" in page, name
    assert (site.out / "assets" / "eu-emblem.svg").read_bytes() == (ROOT / "lce_utils" / "reports" / "templates" /
                                                                   "eu-emblem.svg").read_bytes()
    statement = visible_text(pages["tillganglighet.html"])
    for part in ("Det som inte är tillgängligt", "Rapportera ett problem", "Myndigheten för digital förvaltning",
                 "2018:1937", "Report a problem"):
        assert part in statement
    assert "Kursresultat: Adaptivt förhållningssätt" in pages["course-results-adaptive-mindset.html"]
    programme = visible_text(pages["programme-progress.html"])
    assert "Digitala verktyg för konstnärliga processer" in programme and "Uppgift / Assignment" in pages[
        "programme-progress.html"]
    # a suppressed value is written into the chart where its bar would be, never left as an empty gap
    assert ">prickad</text>" in pages["programme-progress.html"]
    lab = pages["engagement-findings-sample.html"]
    assert "<details><summary>" in lab  # long tables are folded behind their summary line
    assert "Andel (%) / Share (%)" in lab  # shares as percentages, like every other share
    assert "prickad" in lab and "suppressed" in lab  # the real lab run has suppressed (null) months and cohorts
    assert "Inlästa rader" not in lab
    assert "Kvinnor / Women" in lab and "76+" in lab and "Okänd ålder / Unknown age" in lab
    assert "Minst representerade jämfört med Skånes befolkning" in lab and "least represented group" in lab
    assert "Högst beläggning hade" in lab and "had the highest occupancy" in lab
    assert "&lt;img src=x onerror=alert(1)&gt;" in lab and "<img src=x" not in lab


def test_built_site_passes_the_disclosure_audit(site):
    """`lce privacy audit` over the whole site: pages linked through shared cells, every hidden cell wide enough."""
    proc = lce("privacy", "audit", site.out, "--verbose")
    assert proc.returncode == 0 and ", 0 findings" in proc.stdout, proc.stdout + proc.stderr
    files = {p.name: json.loads(p.read_text()) for p in site.out.glob("*.disclosure.json")}
    assert len(files) == len(EXPECTED) - (not HAVE_MENTORSHIP)
    cells = {name: {c for t in doc["tables"] for c in t["cells"]} for name, doc in files.items()}
    # the programme page shows the score bands the course pages show: the same cells, audited together
    shared = cells["programme-progress.disclosure.json"] & cells["course-results-adaptive-mindset.disclosure.json"]
    assert "course/adaptive-mindset/band/0–49 %" in shared
    relations = [r for doc in files.values() for t in doc["tables"] for r in t["relations"]]
    assert {"total": "course/adaptive-mindset/learners", "parts": ["course/adaptive-mindset/manual",
                                                                   "course/adaptive-mindset/not-manual"]} in relations
    # the demo register's tables (samples.write_all writes it): every breakdown adds up to the one total
    assert {"programme/participants", "programme/gender/woman", "programme/exit/employed"} <= \
        cells["programme-progress.disclosure.json"]
    assert sum(r["total"] == "programme/participants" for r in relations) == 5


def test_unchanged_rebuild_runs_nothing(site):
    result = build_site(CONFIG, root=site.root, out=site.out, jobs=1)
    assert result.ran == []
    assert sorted(result.reused) == sorted(r for r, s in statuses(site.out).items() if s == "ok")


def test_changed_input_runs_only_that_report(site):
    before = (site.out / "engagement-findings-sample.html").read_bytes()
    # the labs run again on the same sample export, now with a period: every output of the run changes
    samples.write_lab_run(site.root, hostile_text=True, period_start="2024-01-01")
    result = build_site(CONFIG, root=site.root, out=site.out, jobs=1)
    assert result.ran == ["engagement-findings-sample"]
    after = (site.out / "engagement-findings-sample.html").read_text(encoding="utf-8")
    assert "2023-" in before.decode() and "2024-01-" in after and "2023-" not in after


def test_missing_inputs_are_listed_as_not_built(tmp_path):
    result = build_site(CONFIG, root=tmp_path, out=tmp_path / "site", jobs=1)
    assert result.ran == [] and result.errors == []
    assert {r["status"] for r in result.reports} == {"not-built"}
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count("Inte publicerad ännu") == len(result.reports)
    # why is for the build log and `lce reports list`, not for readers
    reasons = {r["id"]: r["reason"] for r in result.reports}
    assert reasons["course-results-adaptive-mindset"] == \
        "saknar indata / missing input: courses/exports/adaptive-mindset-grades.csv"
    assert "courses/exports" not in index and "metrics.json" not in index and "saknar indata" not in index


TINY = {"cells": [
    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "word = 'x'", "outputs": [],
     "execution_count": None, "id": "p"},
    {"cell_type": "code", "metadata": {}, "source": "print('The word is', word)", "outputs": [],
     "execution_count": None, "id": "a"},
    {"cell_type": "code", "metadata": {}, "source": "print('last cell ran')", "outputs": [],
     "execution_count": None, "id": "z"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


def test_failing_template_keeps_the_last_good_page(tmp_path):
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "tiny.ipynb"
    template.write_text(json.dumps(TINY))
    config = tmp_path / "reports.yaml"
    config.write_text("reports:\n  - {id: tiny, title: {sv: Liten, en: Tiny}, template: tiny.ipynb, "
                      "parameters: {word: hello}}\n")
    out = tmp_path / "site"
    assert build_site(config, root=tmp_path, out=out).ran == ["tiny"]
    good = (out / "tiny.html").read_bytes()
    assert b"The word is hello" in good and b"last cell ran" in good

    for body, error in [("import sys\nsys.exit(0)", "SystemExit"), ("raise ValueError('boom\\nsecond line')",
                                                                      "ValueError: boom")]:
        broken = json.loads(json.dumps(TINY))
        broken["cells"].insert(2, {"cell_type": "code", "metadata": {}, "source": body, "outputs": [],
                                   "execution_count": None, "id": "x"})
        template.write_text(json.dumps(broken))
        if error == "SystemExit":
            result = build_site(config, root=tmp_path, out=out)
            assert result.errors == ["tiny"] and result.ran == []
        else:  # through the CLI: exit status 1, the error's first line printed
            proc = lce("reports", "build", "--config", config, "--root", tmp_path, "--out", out)
            assert proc.returncode == 1 and error in proc.stdout, proc.stdout + proc.stderr
        kept = (out / "tiny.html").read_text(encoding="utf-8")
        assert kept.replace(kept[kept.index("<!--lce-stale-->"):kept.index("<!--/lce-stale-->") + 17], "") \
            == good.decode(), "the last good page must stay in place (with a stale banner)"
        entry = read_manifest(out)["reports"]["tiny"]
        assert f"Inte uppdaterad sedan <time datetime=\"{entry['built_at']}\">" in kept and "Not updated since" in kept
        assert error not in kept and "Error" not in kept  # the error goes to the build log only
        assert entry["status"] == "stale" and error in entry["reason"] and "second line" not in entry["reason"]
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "Inte uppdaterad sedan" in index and "Not updated since" in index and error not in index
    assert not list(tmp_path.glob(".site.building-*")) and not list(tmp_path.glob(".site.old-*"))
    template.write_text(json.dumps(TINY))  # fixed again: a fresh page without the banner
    assert build_site(config, root=tmp_path, out=out).ran == ["tiny"]
    assert "lce-stale" not in (out / "tiny.html").read_text(encoding="utf-8")


def test_mixing_demo_and_real_reports_needs_a_flag(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tiny.ipynb").write_text(json.dumps(TINY))
    config = tmp_path / "reports.yaml"
    config.write_text("data: real\ncontact: feedback@example.org\nreports:\n"
                      "  - {id: real-one, title: {sv: Riktig, en: Real}, template: tiny.ipynb}\n"
                      "  - {id: demo-one, title: {sv: Exempel, en: Example}, template: tiny.ipynb, data: demo}\n")
    proc = lce("reports", "build", "--config", config, "--root", tmp_path, "--out", tmp_path / "site")
    assert proc.returncode == 2 and "mixes demo reports (demo-one) with real ones" in proc.stderr, proc.stderr
    assert not (tmp_path / "site").exists()
    result = build_site(config, root=tmp_path, out=tmp_path / "site", allow_mixed=True)
    assert sorted(result.ran) == ["demo-one", "real-one"]
    demo = (tmp_path / "site" / "demo-one.html").read_text(encoding="utf-8")
    real = (tmp_path / "site" / "real-one.html").read_text(encoding="utf-8")
    assert "<title>DEMO: Exempel / Example" in demo and "påhittade exempeldata" in demo
    assert "<title>Riktig / Real" in real and "påhittade exempeldata" not in real
    assert "<title>DEMO: " in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "mailto:feedback@example.org" in real


def _marked(mark: str) -> list[int]:
    """Processes whose environment carries the marker (the build and everything it started, reparented or not)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"LCE_TEST_MARK={mark}".encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _wait_for(condition, timeout: float, what: str) -> None:
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def test_killed_build_leaves_no_worker_or_kernel_running(site, tmp_path):
    """SIGKILL mid-build: the pool's workers (children of the fork server, not of the build) and their kernels end."""
    import os
    import signal
    import uuid

    mark = uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, "-m", "lce_utils.cli", "reports", "build", "--root", str(site.root),
                             "--out", str(tmp_path / "site"), "--jobs", "2"], cwd=ROOT,
                            env={**os.environ, "LCE_TEST_MARK": mark}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        def kernels_running() -> bool:
            assert proc.poll() is None, "the build ended before any kernel started"
            return any(b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in _marked(mark)
                       if Path(f"/proc/{pid}/cmdline").exists())
        _wait_for(kernels_running, 300, "the build's kernels to start")
        assert len(_marked(mark)) >= 4  # build, fork server, workers, kernels
        proc.kill()
        proc.wait()
        _wait_for(lambda: _marked(mark) == [], 60, "every worker and kernel to end")
    finally:
        for pid in _marked(mark):  # only what this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    assert not (tmp_path / "site").exists()  # nothing half-built was published


def test_site_is_swapped_in_one_step(tmp_path):
    """The site is a symlink replaced atomically: a reader never finds it missing, the old version is removed."""
    import os
    import threading

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tiny.ipynb").write_text(json.dumps(TINY))
    config = tmp_path / "reports.yaml"
    config.write_text("reports:\n  - {id: tiny, title: {sv: Liten, en: Tiny}, template: tiny.ipynb}\n")
    out = tmp_path / "site"
    out.mkdir()  # a site folder from before symlinks is replaced too
    build_site(config, root=tmp_path, out=out)
    assert out.is_symlink() and (out / "index.html").is_file()
    first = os.readlink(out)
    missing: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                (out / "index.html").read_bytes()
            except OSError as exc:
                missing.append(str(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(2):
            build_site(config, root=tmp_path, out=out, force=True)
    finally:
        stop.set()
        reader.join()
    assert missing == []
    assert os.readlink(out) != first and not (tmp_path / first).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [os.readlink(out)]


# -- in the browser ------------------------------------------------------------------------------------------

def page_urls(site: Site, base: str) -> list[str]:
    return [f"{base}/index.html"] + [f"{base}/{p.name}" for p in sorted(site.out.glob("*.html"))
                                     if p.name != "index.html"]


def axe_violations(page) -> list[str]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("moderate", "serious", "critical")]


@pytest.mark.browser
def test_every_page_opens_cleanly_offline_and_accessibly(page, site, served):
    urls = page_urls(site, served)
    assert len(urls) >= 2
    for url in urls:
        response = page.goto(url)
        assert response.ok, url
        assert page.get_attribute("html", "lang") == "sv", url
        assert page.locator('[lang="en"]').count() > 0, url
        assert axe_violations(page) == [], url
    assert page.watch.console_errors == []
    assert page.watch.page_errors == []
    assert page.watch.external_requests == []


@pytest.mark.browser
def test_hostile_data_value_arrives_as_text(page, site, served):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{served}/engagement-findings-sample.html")
    page.wait_for_load_state("load")
    assert page.get_by_text(samples.XSS, exact=True).first.is_visible()
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []
    assert page.watch.console_errors == []


@pytest.mark.browser
def test_links_work_from_the_keyboard(page, site, served):
    page.goto(f"{served}/index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    links = []
    for _ in range(7):
        page.keyboard.press("Tab")
        links.append(page.evaluate("document.activeElement.getAttribute('href')"))
    assert links == ["index.html", "katalog.html", "fall.html", "jamforelse.html", "tillganglighet.html", "sok.html",
                     "programme-progress.html"]
    page.keyboard.press("Enter")
    page.wait_for_url("**/programme-progress.html")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "index.html"
    page.keyboard.press("Enter")
    page.wait_for_url("**/index.html")
    assert page.watch.external_requests == []


@pytest.mark.browser
def test_axe_check_can_fail(page):
    """The accessibility check above is real: it reports a page with an unlabelled image and no language."""
    page.set_content('<html><body><img src="data:image/png;base64,iVBORw0KGgo="></body></html>')
    found = axe_violations(page)
    assert any(v.startswith("image-alt") for v in found), found


def test_engagement_report_reads_a_real_lab_run(tmp_path):
    """The engagement labs' own sample and run (their CLI) feed the engagement report."""
    data = tmp_path / "sample-data"
    assert lce("labs", "sample", "--rows", "3000", "--out", data).returncode == 0
    run = tmp_path / "var" / "labs" / "sample"
    proc = lce("labs", "run", "--data", data / "visits.csv", "--events", data / "events.csv", "--out", run,
               "--institution", "Testhuset", "--no-notebooks")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = build_site(CONFIG, root=tmp_path, out=tmp_path / "site", jobs=1, only=["engagement-findings"])
    assert result.ran == ["engagement-findings-sample"], result.summary()
    page = (tmp_path / "site" / "engagement-findings-sample.html").read_text(encoding="utf-8")
    assert "Testhuset" in page and "Beläggning per konstform" in page
    assert "rejects" not in page and str(tmp_path) not in page
