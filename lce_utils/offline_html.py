"""Notebook to HTML that works offline: nothing is loaded from a CDN (no require.js, MathJax, widgets)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).parent / "templates"
# Anything the browser would fetch from another host: src=, href= of a stylesheet/script, url(), @import.
_REMOTE = re.compile(
    r"""(?:\bsrc\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def remote_loads(html: str) -> list[str]:
    """The places in html that would make a browser fetch something from the network."""
    return [html[max(0, m.start() - 40): m.end() + 60] for m in _REMOTE.finditer(html)]


def _drop_live_widgets(nb: nbformat.NotebookNode) -> None:
    """A static page has no widget manager: keep each widget's static fallback (text/html, text/plain)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            data.pop("application/vnd.jupyter.widget-view+json", None)


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, exclude_input: bool = False,
                     title: str | None = None, lang: str = "en") -> str:
    """Render a notebook as one self-contained HTML page that loads nothing from the network.

    exclude_input hides code cells (published reports); raises ValueError if a remote load slipped in."""
    nb = nbformat.read(str(nb), as_version=4) if not isinstance(nb, nbformat.NotebookNode) else copy.deepcopy(nb)
    _drop_live_widgets(nb)
    exporter = HTMLExporter(template_name="lce_offline", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=exclude_input, exclude_input_prompt=True,
                            exclude_output_prompt=True, language_code=lang)
    resources = {"metadata": {"name": title}} if title else None
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    found = remote_loads(html)
    if found:
        raise ValueError(f"rendered HTML would load from the network: {found[0]!r}")
    return html
