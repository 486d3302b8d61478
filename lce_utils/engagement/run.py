"""A lab run: validate once, write metrics.json, the tables, rejects.csv, findings.json and run.json, execute the four
notebooks on the shared validated data (lce_utils.notebooks) and render them as offline HTML; all into a staged
folder that takes the output's place when complete (lce_utils.staging)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from lce_utils.engagement import findings
from lce_utils.engagement.combine import Inputs, describe
from lce_utils.engagement.lab import Lab, open_lab
from lce_utils.engagement.load import DEFAULT_MAX_REJECT_SHARE
from lce_utils.engagement.schema import FINDINGS_FILE
from lce_utils.messages import both
from lce_utils.privacy import DEFAULT_K
from lce_utils.staging import staged_folder

NOTEBOOKS = ("01-audience-overview", "02-priority-groups", "03-programming-and-occupancy",
             "04-loyalty-and-retention")
TITLES = {name: both(f"labs_title_{name}") for name in NOTEBOOKS}


@dataclass
class RunResult:
    """What a run wrote."""

    out: Path
    metrics: dict[str, Any]
    notebooks: list[str]

    def summary(self) -> str:
        m = self.metrics
        return (f"{m['visits']} visits, {m['rows_rejected']} rows rejected, period {m['period_start']} – "
                f"{m['period_end']}, {len(self.notebooks)} notebooks → {self.out}")


def labs_dir() -> Path:
    from lce_utils.paths import LABS
    return LABS


def inject_parameters(nb: nbformat.NotebookNode, params: dict[str, Any]) -> nbformat.NotebookNode:
    """The notebook with papermill's cell setting params after the one tagged `parameters`."""
    from lce_utils.notebooks import parameterise
    return parameterise(nb, params)


def without_sample_notes(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without its cells tagged `sample-only` (how to run it on one's own data: not for a report
    on an institution's own data)."""
    nb.cells = [c for c in nb.cells if "sample-only" not in c.get("metadata", {}).get("tags", [])]
    return nb


def write_outputs(lab: Lab, out: Path, notebooks: tuple[str, ...] = NOTEBOOKS, run_name: str | None = None) -> None:
    """metrics.json, tables/*.csv, rejects.csv, findings.json, run.json and disclosure.json (cells named
    lab/<run_name>/...)."""
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(lab.metrics, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    for name, frame in lab.tables.items():
        frame.to_csv(out / "tables" / f"{name}.csv", index=False)
    shutil.copyfile(lab.prepared.rejects_path, out / "rejects.csv")
    # read by `lce privacy audit` (lce_utils.privacy_audit: files named *.disclosure.json)
    record = {"format": "lce-disclosure/1", "k": lab.k,
              "tables": [lab.published.disclosure_record(run_name or out.name)]}
    (out / "lab.disclosure.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    document = findings.document(lab.metrics, lab.tables, lab.has_population, lab.k)
    (out / FINDINGS_FILE).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    info = lab.run_info()
    info["created_utc"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    info["notebooks"] = list(notebooks)
    (out / "run.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run_labs(data: Inputs, out: str | Path, *, events: str | Path | None = None,
             mapping: str | Path | None = None, institution: str | None = None,
             period_start: str | None = None, period_end: str | None = None, k: int = DEFAULT_K,
             max_reject_share: float = DEFAULT_MAX_REJECT_SHARE, notebooks: bool = True,
             timeout: int = 300, sample: bool = False) -> RunResult:
    """The whole lab run into out; on any failure nothing is left that looks complete.

    sample keeps the notes on running the labs on one's own data (the sample institution's run only)."""
    from lce_utils.notebooks import run_notebook
    from lce_utils.offline_html import notebook_to_html
    from lce_utils.progress import step

    out = Path(out)
    lab = open_lab(data, events, mapping, institution=institution or "Institution",
                   period_start=period_start, period_end=period_end, k=k, max_reject_share=max_reject_share)
    try:
        with staged_folder(out) as work:
            write_outputs(lab, work, NOTEBOOKS if notebooks else (), run_name=out.name)
            done = []
            if notebooks:
                (work / "notebooks").mkdir()
                (work / "html").mkdir()
                params = {"prepared_dir": _relative(lab.prepared.dir, labs_dir()), "institution": lab.institution,
                          "period_start": period_start, "period_end": period_end, "k": int(k)}
                for name in NOTEBOOKS:
                    step(f"labs: executing {name}")
                    nb = nbformat.read(labs_dir() / f"{name}.ipynb", as_version=4)
                    if not sample:
                        nb = without_sample_notes(nb)
                    # errors name the lab and the user's file, not the temporary folder
                    executed = run_notebook(nb, params, name=f"lab {name} on {describe(data)}", cwd=labs_dir(),
                                            timeout=timeout, save_to=work / "notebooks" / f"{name}.ipynb")
                    html = notebook_to_html(executed, exclude_input=True,
                                            title=f"{TITLES[name]} – {lab.institution}", lang="sv")
                    (work / "html" / f"{name}.html").write_text(html, encoding="utf-8")
                    done.append(name)
    finally:
        lab.con.close()
    return RunResult(out=out, metrics=lab.metrics, notebooks=done)


def _relative(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path, start)
    except ValueError:  # another drive
        return str(path)
