"""Build the report site: plan from content hashes, run what changed (in parallel), publish atomically."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lce_utils.errors import LCEError, ParameterError, UsageError
from lce_utils.messages import both
from lce_utils.paths import KNOWLEDGE, ROOT, SITE
from lce_utils.progress import progress
from lce_utils.reports import manifest as M
from lce_utils.reports import params as P
from lce_utils.reports.config import ReportSpec, load_config, read_contact
from lce_utils.staging import swap_symlink

CONFIG = KNOWLEDGE / "reports.yaml"
DEFAULT_K = 5
DISCLOSURE_SUFFIX = ".disclosure.json"


@dataclass
class BuildResult:
    """What a build did: where the site is, and each report's entry as listed on the index."""

    site: Path
    reports: list[dict[str, Any]]
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)

    def ids(self, status: str) -> list[str]:
        """Report ids with the given status (ok, stale, failed, not-built)."""
        return [r["id"] for r in self.reports if r["status"] == status]

    @property
    def errors(self) -> list[str]:
        """Reports whose notebook failed in this build or an earlier one with the same inputs."""
        return [r["id"] for r in self.reports if r.get("failed_key")]

    def summary(self) -> str:
        """One line: counts by status and the index path."""
        kept = len(self.ids("ok")) - len(self.ran) - len(self.reused)
        parts = [f"{len(self.ids('ok'))} up to date ({len(self.ran)} built, {len(self.reused)} unchanged"
                 + (f", {kept} not selected" if kept else "") + ")"]
        for status in ("stale", "failed", "not-built"):
            if self.ids(status):
                parts.append(f"{len(self.ids(status))} {status} ({', '.join(self.ids(status))})")
        return f"report site {self.site / 'index.html'}: " + "; ".join(parts)


def now() -> str:
    """The current UTC time as ISO 8601 (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def select(specs: list[ReportSpec], only: list[str] | None) -> set[str]:
    """The ids --only names: exact ids, or an entry's id covering its parameter sets (course-results-*)."""
    if not only:
        return {s.id for s in specs}
    chosen: set[str] = set()
    for wanted in only:
        hits = {s.id for s in specs if s.id == wanted or s.id.startswith(wanted + "-")}
        if not hits:
            raise UsageError(f"--only {wanted}: no such report (known: {', '.join(s.id for s in specs)})")
        chosen |= hits
    return chosen


def check_parameters(specs: list[ReportSpec]) -> None:
    """Before anything runs: every parameter a plain identifier the template declares, every value data."""
    for spec in specs:
        declared = P.declared_parameters(spec.template)
        for name, value in spec.resolved.items():
            P.check_name(name, f"report {spec.id!r}")
            P.check_value(value, f"report {spec.id!r}: parameter {name!r}")
            if name not in declared:
                raise ParameterError(f"report {spec.id!r}: parameter {name!r} is not in the parameters cell of "
                                     f"{spec.template.name} (declared: {', '.join(sorted(declared))})")


def run_report(spec: ReportSpec, root: str, built_at: str, contact: str = "") -> dict[str, Any]:
    """Execute one report and render its page; never raises (a failure comes back as its first line)."""
    import nbformat

    from lce_utils.offline_html import notebook_to_html
    from lce_utils.reports import execute as X
    from lce_utils.reports import render, sanitize

    start, cpu_start = time.perf_counter(), _cpu()
    replacements = X.path_replacements(Path(root), spec.template.parent, ROOT)
    try:
        nb = X.run_template(spec.template, spec.resolved, cwd=spec.template.parent, timeout=spec.timeout)
        summary = X.summary_of(nb) or spec.description
        disclosure = disclosure_of(nb, k=_k(spec))
        clean = X.clean_for_publishing(nb, report_id=spec.id, public_params=spec.public_parameters(),
                                       replacements=replacements)
        page_nb = X.clean_for_publishing(nb, report_id=spec.id, public_params=(), replacements=replacements,
                                         parameter_note=False)  # the page shows the parameters as a table
        for cell in page_nb.cells:  # the summary is data for the index, shown on the page as text
            for output in cell.get("outputs", []):
                output.get("data", {}).pop(X.SUMMARY_MIME, None)
        for notebook in (page_nb, clean):  # the disclosure records go to <id>.disclosure.json
            _drop_disclosures(notebook)
        body = sanitize.publishable(notebook_to_html(page_nb, exclude_input=True, title=spec.title["sv"], lang="sv"))
        k = _k(spec)
        html = render.report_page(report_id=spec.id, title=spec.title, built_at=built_at, body=body, k=k,
                                  demo=spec.data == "demo", contact=contact)
        return {"id": spec.id, "ok": True, "html": html, "notebook": nbformat.writes(clean), "summary": summary,
                "disclosure": disclosure, "seconds": round(time.perf_counter() - start, 2),
                "cpu": round(_cpu() - cpu_start, 2)}
    except LCEError as exc:
        reason = str(exc)
    except Exception as exc:  # a report's failure must not stop the others; its first line is shown
        reason = f"{type(exc).__name__}: {exc}"
    reason = X.scrub_text(X.first_line(reason), replacements) or "failed without a message"
    return {"id": spec.id, "ok": False, "error": reason, "seconds": round(time.perf_counter() - start, 2),
            "cpu": round(_cpu() - cpu_start, 2)}


def _cpu() -> float:
    """CPU seconds of this process and its ended children (a report's kernel is one once it has shut down): what
    a report costs, unlike its wall time, does not depend on what else the machine runs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _k(spec: ReportSpec) -> int:
    return int(spec.resolved.get("k", DEFAULT_K)) if isinstance(spec.resolved.get("k"), int) else DEFAULT_K


def disclosure_of(nb: Any, k: int = DEFAULT_K) -> dict[str, Any]:
    """The tables a report recorded (lce_utils.reports.disclosure), as an lce-disclosure/1 document."""
    from lce_utils.privacy_audit import FORMAT
    from lce_utils.reports.disclosure import DISCLOSURE_MIME

    tables = [output["data"][DISCLOSURE_MIME] for cell in nb.cells for output in cell.get("outputs", [])
              if DISCLOSURE_MIME in output.get("data", {})]
    return {"format": FORMAT, "k": k, "tables": tables}


def _drop_disclosures(nb: Any) -> None:
    from lce_utils.reports.disclosure import DISCLOSURE_MIME

    for cell in nb.cells:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if DISCLOSURE_MIME not in o.get("data", {})]


def _run_all(specs: list[ReportSpec], root: Path, jobs: int, built_at: str, contact: str = ""
             ) -> dict[str, dict[str, Any]]:
    if not specs:
        return {}
    if jobs <= 1 or len(specs) == 1:
        return {s.id: r for s in progress(specs, desc="reports", unit="report")
                for r in [run_report(s, str(root), built_at, contact)]}
    results: dict[str, dict[str, Any]] = {}
    context = multiprocessing.get_context("forkserver")  # clean workers, whatever threads the caller runs
    # imported once in the fork server, so that the workers forked from it start warm
    context.set_forkserver_preload(["papermill", "nbconvert", "lce_utils.offline_html", "lce_utils.reports.execute",
                                    "lce_utils.reports.sanitize", "lce_utils.reports.render", "lce_utils.reports.build",
                                    "lce_utils.reports.disclosure", "lce_utils.privacy_audit", "psutil"])
    with ProcessPoolExecutor(max_workers=min(jobs, len(specs)), mp_context=context, initializer=_watch_parent,
                             initargs=(os.getpid(),)) as pool:
        futures: list[Future] = [pool.submit(run_report, s, str(root), built_at, contact) for s in specs]
        for future in progress(_as_completed(futures), desc="reports", total=len(futures), unit="report"):
            result = future.result()
            results[result["id"]] = result
    return results


def _watch_parent(build_pid: int) -> None:
    """In each worker: end the worker and its kernels as soon as the build process is gone (even SIGKILLed).

    A worker of the pool is a child of the fork server, not of the build, so it would otherwise run its report
    to the end and wait for more; its kernels end themselves once their parent (the worker) has gone."""
    import threading

    import psutil

    try:
        build = psutil.Process(build_pid)
    except psutil.NoSuchProcess:
        os._exit(1)

    def watch() -> None:
        while True:
            try:
                if not build.is_running() or build.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.Error:
                break
            time.sleep(0.2)
        for child in psutil.Process().children(recursive=True):
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        os._exit(1)

    threading.Thread(target=watch, name="lce-watch-build", daemon=True).start()


def _as_completed(futures: list[Future]):
    from concurrent.futures import as_completed
    return as_completed(futures)


def _carry(old_site: Path, entry: dict[str, Any], staging: Path) -> bool:
    """Copy a report's last good page and notebook into the staging site; False if they are gone."""
    page, notebook = entry.get("page"), entry.get("notebook")
    if not page or not notebook:
        return False
    files = [page, notebook]
    if not all((old_site / f).is_file() for f in files):
        return False
    if entry.get("disclosure") and (old_site / entry["disclosure"]).is_file():
        files.append(entry["disclosure"])
    for name in files:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(old_site / name, staging / name)
    return True


_BANNER = re.compile(r"<!--lce-stale-->.*?<!--/lce-stale-->", re.S)


def mark_stale(page: Path, since: str | None) -> None:
    """Put (or remove, since=None) a bilingual notice on a carried-over page: not updated since that date.

    The reason stays in the build log: error text never reaches a reader."""
    text = _BANNER.sub("", page.read_text(encoding="utf-8"))
    if since is not None:
        day = html.escape(since[:10])
        banner = ('<!--lce-stale--><div class="lce-note" role="status"><p>Inte uppdaterad sedan '
                  f'<time datetime="{html.escape(since)}">{day}</time>. <span lang="en">Not updated since '
                  f'<time datetime="{html.escape(since)}">{day}</time>.</span></p></div><!--/lce-stale-->')
        text = text.replace('<main id="content">', '<main id="content">' + banner, 1)
    page.write_text(text, encoding="utf-8")


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / M.MANIFEST).is_file())):
        raise UsageError(f"{out} exists and is not a report site (no {M.MANIFEST}); choose a new or empty folder")


def build_site(config: Path = CONFIG, *, root: Path = ROOT, out: Path = SITE, jobs: int = 1,
               only: list[str] | None = None, force: bool = False, allow_mixed: bool = False) -> BuildResult:
    """Build (or update) the site at out from config; reports run with papermill only when their hash changed."""
    out = Path(out).absolute().parent.resolve() / Path(out).name  # out itself may be the site's symlink
    root = Path(root).resolve()
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    specs = load_config(Path(config), root)
    kinds = {s.id: s.data for s in specs}
    if len(set(kinds.values())) > 1 and not allow_mixed:
        demo = sorted(i for i, kind in kinds.items() if kind == "demo")
        raise UsageError(f"{Path(config).name} mixes demo reports ({', '.join(demo)}) with real ones: a reader "
                         "could take demo figures for the programme's; build them as separate sites, or pass "
                         "--allow-mixed-data (every demo page is then marked)")
    contact = read_contact(Path(config))
    chosen = select(specs, only)
    check_parameters(specs)
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(str(out).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"lce-reports-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build of a site at a time
        live = out.parent / os.readlink(out) if out.is_symlink() else None
        for leftover in [*out.parent.glob(f".{out.name}.building-*"), *out.parent.glob(f".{out.name}.old-*"),
                         *out.parent.glob(f".{out.name}.v-*")]:
            if leftover != live:
                shutil.rmtree(leftover, ignore_errors=True)  # from a build that was killed
        return _build_locked(specs, chosen, root, out, jobs, force, contact, config=Path(config))


def _build_locked(specs: list[ReportSpec], chosen: set[str], root: Path, out: Path, jobs: int,
                  force: bool, contact: str, config: Path | None = None) -> BuildResult:
    old = M.read_manifest(out).get("reports", {}) if out.is_dir() else {}
    machinery = M.code_hash()
    built_at = now()
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (staging / "assets").mkdir()
        (staging / "notebooks").mkdir()
        from lce_utils.reports import render
        shutil.copy2(render.CSS, staging / "assets" / "site.css")
        shutil.copy2(render.EMBLEM, staging / "assets" / "eu-emblem.svg")
        entries: dict[str, dict[str, Any]] = {}
        to_run: list[ReportSpec] = []
        keys: dict[str, str] = {}
        result = BuildResult(out, [])
        for spec in specs:
            prev = dict(old.get(spec.id, {}))
            entry = {"id": spec.id, "title": spec.title, "status": "not-built", "built_at": prev.get("built_at"),
                     "summary": prev.get("summary") or spec.description, "reason": None, "page": None,
                     "notebook": None, "disclosure": None, "key": prev.get("key"), "failed_key": None,
                     "parameters": spec.public_parameters(), "inputs": [i.label() for i in spec.inputs],
                     "seconds": prev.get("seconds"), "cpu": prev.get("cpu")}
            has_old_page = prev.get("status") in ("ok", "stale") and _carry(out, prev, staging)
            if has_old_page:
                entry.update(page=prev["page"], notebook=prev["notebook"], disclosure=prev.get("disclosure"))
            missing = [spec.problem] if spec.problem else M.missing_inputs(spec, root)
            if spec.id not in chosen:
                entry.update({k: prev.get(k) for k in ("status", "reason", "failed_key")} if prev else
                             {"reason": both("r.not_selected")})
                entry["status"] = entry["status"] or "not-built"
                if entry["status"] in ("ok", "stale") and not has_old_page:
                    entry.update(status="not-built", reason=both("r.previous_page_missing"))
            elif missing:
                reason = f"{both('r.missing_input')}: {', '.join(missing)}"
                entry.update(status="stale" if has_old_page else "not-built", reason=reason)
            else:
                keys[spec.id] = key = M.report_key(spec, root, machinery)
                if not force and has_old_page and prev.get("key") == key and prev.get("status") == "ok":
                    entry["status"] = "ok"
                    result.reused.append(spec.id)
                elif not force and prev.get("failed_key") == key:
                    entry.update(status="stale" if has_old_page else "failed", reason=prev.get("reason"),
                                 failed_key=key)
                else:
                    to_run.append(spec)
            entries[spec.id] = entry
        # longest first keeps both workers busy to the end: by the last build's CPU time (its wall time depends on
        # the machine's load), else its wall time
        to_run.sort(key=lambda s: -float(old.get(s.id, {}).get("cpu") or old.get(s.id, {}).get("seconds") or 0))
        demo = any(s.data == "demo" for s in specs)
        others = functools.partial(_other_pages, staging, config, root, built_at, contact, demo)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lce-site-pages") if jobs > 1 else \
                contextlib.nullcontext() as side:
            # with more than one job the pages that need no report are written while the workers run (the build
            # process waits on them anyway): with one job, one thing at a time
            pending = side.submit(others) if side is not None else None
            ran = _run_all(to_run, root, jobs, built_at, contact)
            cases = pending.result() if pending is not None else others()
        for rid, res in ran.items():
            entry = entries[rid]
            entry.update(seconds=res["seconds"], cpu=res["cpu"])
            if res["ok"]:
                page, notebook = f"{rid}.html", f"notebooks/{rid}.ipynb"
                (staging / page).write_text(res["html"], encoding="utf-8")
                (staging / notebook).write_text(res["notebook"], encoding="utf-8")
                disclosure = f"{rid}{DISCLOSURE_SUFFIX}"
                (staging / disclosure).write_text(json.dumps(res["disclosure"], ensure_ascii=False, indent=1),
                                                  encoding="utf-8")
                entry.update(status="ok", built_at=built_at, summary=res["summary"], page=page, notebook=notebook,
                             disclosure=disclosure, key=keys[rid], reason=None, failed_key=None)
                result.ran.append(rid)
            else:
                stale = entry["page"] is not None
                entry.update(status="stale" if stale else "failed", reason=res["error"], failed_key=keys[rid])
        for entry in entries.values():
            if entry["page"] and (staging / entry["page"]).is_file():
                mark_stale(staging / entry["page"], entry["built_at"] or "" if entry["status"] == "stale" else None)
        result.reports = [entries[s.id] for s in specs]
        (staging / "index.html").write_text(render.index_page(result.reports, updated=built_at, demo=demo,
                                                              contact=contact, cases=cases), encoding="utf-8")
        M.write_manifest(staging, {"updated": built_at, "reports": entries, "cases": cases})
        # search over every page written above, Swedish and English apart (lce_utils.reports.search); the
        # disclosure audit reads only the *.disclosure.json files, so with more than one job the two run together
        from lce_utils.reports import search
        if jobs > 1:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lce-search-index") as side:
                indexed = side.submit(search.index_site, staging)  # mostly the Pagefind binary: no GIL held
                audit_site(staging)
                indexed.result()
        else:
            search.index_site(staging)
            audit_site(staging)
        swap_symlink(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _other_pages(staging: Path, config: Path | None, root: Path, built_at: str, contact: str, demo: bool
                 ) -> list[dict[str, Any]]:
    """The pages that need no report (published cases, accessibility statement, directory, sector benchmark, search
    page); the cases, for the index and the manifest."""
    from lce_utils.knowledge import benchmark, case_pages, directory
    from lce_utils.reports import render, search

    manifest = _manifest_yaml(config)
    # published cases, from the case store the manifest names (a withdrawn one is gone from this build)
    cases = case_pages.write_pages(staging, manifest, root, updated=built_at, contact=contact, demo=demo)
    (staging / render.ACCESSIBILITY_PAGE).write_text(
        render.accessibility_page(updated=built_at, demo=demo, contact=contact), encoding="utf-8")
    # the network directory, from the stores the manifest names, on every build (a revocation or an erasure takes
    # the person off the site at the next build)
    directory.write_page(staging, manifest, root, updated=built_at, contact=contact, demo=demo)
    # the sector benchmark of the institutions that share their lab runs, from the store the manifest names
    benchmark.write_page(staging, manifest, updated=built_at, contact=contact, demo=demo, var=Path(root) / "var")
    (staging / search.SEARCH_PAGE).write_text(search.search_page(updated=built_at, demo=demo, contact=contact),
                                              encoding="utf-8")
    return cases


def _manifest_yaml(config: Path | None) -> dict[str, Any]:
    """The manifest's top-level keys (for the parts of the site that are not reports, e.g. `directory:`)."""
    import yaml

    if config is None or not config.is_file():
        return {}
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    return raw if isinstance(raw, dict) else {}


def audit_site(site: Path, k: int = DEFAULT_K) -> None:
    """Refuse to publish a site whose tables let a reader narrow down a small group (lce privacy audit)."""
    from lce_utils.privacy_audit import audit_path

    result = audit_path(site, k=k)
    if not result.ok:
        raise LCEError("the site was not published: the disclosure audit found "
                       + "; ".join(f.message for f in result.findings[:5])
                       + (f" (and {len(result.findings) - 5} more)" if len(result.findings) > 5 else ""))


def list_reports(config: Path = CONFIG, *, root: Path = ROOT, out: Path = SITE) -> list[dict[str, Any]]:
    """Each configured report with its inputs' state and its status in the built site (for `lce reports list`)."""
    specs = load_config(Path(config), Path(root).resolve())
    built = M.read_manifest(Path(out)).get("reports", {})
    rows = []
    for spec in specs:
        missing = [spec.problem] if spec.problem else M.missing_inputs(spec, Path(root).resolve())
        entry = built.get(spec.id, {})
        rows.append({"id": spec.id, "title": spec.title["en"], "template": spec.template.name,
                     "inputs": "missing: " + ", ".join(missing) if missing else "present",
                     "status": entry.get("status", "never built"), "built_at": entry.get("built_at") or "-"})
    return rows


def dumps(rows: list[dict[str, Any]]) -> str:
    """Rows as JSON (for --json)."""
    return json.dumps(rows, indent=1, ensure_ascii=False)
