"""Run a report template with papermill and clean the result for publishing."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from lce_utils.errors import NotebookError, ParameterError
from lce_utils.messages import both
from lce_utils.reports import params as P

SUMMARY_MIME = "application/vnd.lce.summary+json"
INJECTED_TAG = "injected-parameters"
_KEEP_NB_METADATA = ("kernelspec", "language_info")


def parameterize(template: Path, parameters: Mapping[str, Any]) -> nbformat.NotebookNode:
    """The template with papermill's parameter cell injected, checked to hold nothing but literals."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(template))
    declared = P.declared_parameters(template)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError(f"{template.name}: parameters {unknown} are not in its parameters cell "
                             f"(declared: {sorted(declared)})")
    for name, value in parameters.items():
        P.check_name(name, template.name)
        P.check_value(value, f"{template.name}: parameter {name!r}")
    nb = parameterize_notebook(nb, dict(parameters), kernel_name="python3", language="python")
    injected = [c for c in nb.cells if INJECTED_TAG in c.metadata.get("tags", [])]
    if parameters:
        if len(injected) != 1:
            raise ParameterError(f"{template.name}: papermill did not inject one parameters cell")
        P.verify_injected_source(injected[0].source, parameters)
    return nb


def run_template(template: Path, parameters: Mapping[str, Any], *, cwd: Path, timeout: int,
                 env: Mapping[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute the template with the parameters; raise NotebookError unless every code cell ran."""
    from lce_utils.notebooks import run_notebook  # the one way to run a notebook (errors name template and cell)

    out = run_notebook(parameterize(template, parameters), name=template.name, cwd=cwd, timeout=timeout, env=env,
                       log_level="CRITICAL", quote_source=False)
    check_complete(out, template.name)
    return out


def first_line(text: str) -> str:
    """The first non-empty line of text."""
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def check_complete(nb: nbformat.NotebookNode, name: str) -> None:
    """Fail unless every code cell executed and none left an error (sys.exit stops a run silently)."""
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        status = cell.metadata.get("papermill", {}).get("status")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            raise NotebookError(f"{name}: cell {index} stopped with {errors[0].get('ename')}: "
                                f"{first_line(errors[0].get('evalue', ''))}")
        if cell.get("execution_count") is None or status not in (None, "completed"):
            raise NotebookError(f"{name}: cell {index} did not run (the notebook stopped early)")


def summary_of(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The one-line summary a template published with lce_utils.reports.display.summary ({} if none)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(SUMMARY_MIME)
            if isinstance(data, dict) and isinstance(data.get("sv"), str) and isinstance(data.get("en"), str):
                return {"sv": data["sv"][:300], "en": data["en"][:300]}
    return {}


def scrub_text(text: str, replacements: Sequence[tuple[str, str]]) -> str:
    """Replace local folder names in text (longest first) so that no local path is published."""
    for old, new in replacements:
        if old:
            text = text.replace(old, new)
    return text


def path_replacements(*roots: Path) -> list[tuple[str, str]]:
    """(local path, shown as) pairs for the data root, the templates folder and the home folder."""
    pairs = []
    for root in roots:
        pairs.append((str(root.resolve()), "."))
        pairs.append((str(root), "."))
    home = os.path.expanduser("~")
    if home not in ("/", ""):
        pairs.append((home, "~"))
    return sorted(set(pairs), key=lambda p: -len(p[0]))


def _scrub(value: Any, replacements: Sequence[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return scrub_text(value, replacements)
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    if isinstance(value, dict):
        return type(value)({k: _scrub(v, replacements) for k, v in value.items()})
    return value


def clean_for_publishing(nb: nbformat.NotebookNode, *, report_id: str,
                         public_params: Sequence[tuple[str, str]],
                         replacements: Sequence[tuple[str, str]], parameter_note: bool = True
                         ) -> nbformat.NotebookNode:
    """A copy without papermill's injected cell and metadata, execution timings or local paths.

    With parameter_note the injected cell becomes a markdown table of the published (redacted) values."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.NotebookNode({k: nb.metadata[k] for k in _KEEP_NB_METADATA if k in nb.metadata})
    nb.metadata["lce"] = {"report": report_id}
    cells = []
    for cell in nb.cells:
        if INJECTED_TAG in cell.metadata.get("tags", []):
            if not parameter_note:
                continue
            rows = "\n".join(f"| `{name}` | {_md_escape(value)} |" for name, value in public_params)
            cells.append(nbformat.v4.new_markdown_cell(
                f"**{both('r.parameters')}**\n\n| {both('r.parameter_name')} | {both('r.parameter_value')} |\n"
                "|---|---|\n" + rows, id=cell.get("id")))
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("papermill", None)
            if "data" in output:
                output["data"].pop("application/vnd.jupyter.widget-view+json", None)
        cells.append(cell)
    nb.cells = cells
    return _scrub(nb, replacements)


def _md_escape(value: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", value)
