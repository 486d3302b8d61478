"""Notebook to HTML that works offline: nothing is loaded from a CDN (no require.js, MathJax, widgets)."""

from __future__ import annotations

import copy
import html as html_module
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

TEMPLATES = Path(__file__).parent / "templates"
_REMOTE_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
# Inside a style or script: url(), @import, src= that reach another host.
_REMOTE_IN_CODE = re.compile(
    r"""(?:\bsrc\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)
# Attributes that make a browser fetch their URL (href only on these tags: a link <a href> is not a load).
_LOADING_ATTRS = {"src", "srcset", "poster", "data", "background", "formaction", "xlink:href"}
_HREF_LOADS = {"link", "image", "use", "feimage", "base", "script"}


class _RemoteFinder(HTMLParser):
    """Collects what would be fetched from the network: attributes of elements, code in <style> and <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._code_tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            loads = name in _LOADING_ATTRS or (name == "href" and tag in _HREF_LOADS)
            if loads and any(_REMOTE_URL.match(part) for part in value.split(",")):
                self.found.append(f"<{tag} {name}={value[:80]!r}>")
            elif name == "style" and _REMOTE_IN_CODE.search(value):
                self.found.append(f"<{tag} style={value[:80]!r}>")
            elif tag == "meta" and name == "content" and re.search(r"url\s*=\s*(?:https?:)?//", value, re.I):
                self.found.append(f"<meta content={value[:80]!r}>")
        if tag in ("style", "script"):
            self._code_tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._code_tag:
            self._code_tag = None

    def handle_data(self, data: str) -> None:
        if self._code_tag:
            self.found += [data[max(0, m.start() - 40): m.end() + 60] for m in _REMOTE_IN_CODE.finditer(data)]


def remote_loads(html: str) -> list[str]:
    """The places in html that would make a browser fetch something from the network (text that merely mentions
    a URL, e.g. `src=https://` in a printed output, is not one)."""
    finder = _RemoteFinder()
    finder.feed(html)
    finder.close()
    return finder.found


NO_ALT = "No description has been provided for this image"  # nbconvert's words for an image without alt text
_START_TAG = re.compile(r"""<(div|img)\b((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)(\s*/?)>""",
                        re.IGNORECASE)
_ATTR = r"""(\s{name}\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)"""
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}


def _accessible_tag(match: re.Match[str]) -> str:
    tag, attrs, end = match.group(1), match.group(2), match.group(3)
    if tag.lower() == "img":
        if not re.search(_ATTR.format(name="alt"), attrs, re.IGNORECASE):
            attrs += f' alt="{NO_ALT}"'
    else:
        found = re.search(_ATTR.format(name="class"), attrs, re.IGNORECASE)
        if not found or not _FOCUSABLE & set(found.group(2).strip("\"'").split()):
            return match.group(0)
        tabindex = re.compile(_ATTR.format(name="tabindex"), re.IGNORECASE)
        attrs = tabindex.sub(r'\1"0"', attrs, count=1) if tabindex.search(attrs) else attrs + ' tabindex="0"'
    return f"<{tag}{attrs}{end}>"


# A character reference, named or numeric (nbconvert writes headings' non-ASCII letters as &#246;).
_CHAR_REF = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _as_character(match: re.Match[str]) -> str:
    """The character a reference stands for, as BeautifulSoup's serialisation wrote it: the page's text is then
    the text (a check that a name is absent from a page must not pass because it is written as references).
    Markup characters stay references."""
    character = html_module.unescape(match.group(0))
    return match.group(0) if len(character) != 1 or character in "<>&\"'" else character


class OfflineHTMLExporter(HTMLExporter):
    """HTMLExporter that marks images without alt text and makes inputs and outputs focusable, as nbconvert's does,
    with one regular expression over the start tags instead of a BeautifulSoup parse and re-serialisation of the
    whole page: that pass was about 40 % of the CPU of rendering a learner's feedback page."""

    def from_notebook_node(  # type: ignore[override] # a str, as nbconvert's HTMLExporter returns
            self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None,
            **kw: Any) -> tuple[str, dict[str, Any]]:
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", self.filters.get("highlight_code",
                                                                Highlight2HTML(pygments_lexer=lexer, parent=self)))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _CHAR_REF.sub(_as_character, _START_TAG.sub(_accessible_tag, html)), resources


def _drop_live_widgets(nb: nbformat.NotebookNode) -> None:
    """A static page has no widget manager: keep each widget's static fallback (text/html, text/plain)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            data.pop("application/vnd.jupyter.widget-view+json", None)


def offline_exporter(*, exclude_input: bool = False, lang: str = "en",
                     exporter_class: type[HTMLExporter] = OfflineHTMLExporter) -> HTMLExporter:
    """The HTML exporter render_notebook uses: LCE's offline template, no prompts."""
    return exporter_class(template_name="lce_offline", extra_template_basedirs=[str(TEMPLATES)],
                          exclude_input=exclude_input, exclude_input_prompt=True,
                          exclude_output_prompt=True, language_code=lang,
                          # the notebook is validated once, after all preprocessors, not after each of them
                          optimistic_validation=True)


def render_notebook(nb: nbformat.NotebookNode | str | Path, *, exclude_input: bool = False,
                    title: str | None = None, lang: str = "en",
                    exporter_class: type[HTMLExporter] = OfflineHTMLExporter,
                    exporter: HTMLExporter | None = None) -> str:
    """nbconvert's HTML of a notebook with LCE's offline template, unchecked: the cells' own HTML is as they left
    it (sanitise it, as lce_utils.reports.sanitize does, before anyone opens it). exporter_class: an HTMLExporter
    subclass (feedback pages mark math with lce_utils.courses.mathml's). exporter: one made by offline_exporter()
    to use instead of a new one (it keeps its compiled templates; one thread at a time)."""
    nb = nbformat.read(str(nb), as_version=4) if not isinstance(nb, nbformat.NotebookNode) else copy.deepcopy(nb)
    _drop_live_widgets(nb)
    if exporter is None:
        exporter = offline_exporter(exclude_input=exclude_input, lang=lang, exporter_class=exporter_class)
    resources = {"metadata": {"name": title}} if title else None
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return html


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, exclude_input: bool = False,
                     title: str | None = None, lang: str = "en") -> str:
    """Render a notebook as one self-contained HTML page that loads nothing from the network.

    exclude_input hides code cells (published reports); raises ValueError if a remote load slipped in."""
    html = render_notebook(nb, exclude_input=exclude_input, title=title, lang=lang)
    found = remote_loads(html)
    if found:
        raise ValueError(f"rendered HTML would load from the network: {found[0]!r}")
    return html
