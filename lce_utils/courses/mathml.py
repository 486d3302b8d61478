"""LaTeX math in feedback pages as MathML, which browsers draw themselves: no MathJax, nothing fetched.

nbconvert leaves the math its markdown parser finds (`$$…$$`, `$…$`, `\\begin{…}…\\end{…}`) as text for MathJax,
which loads from a CDN. MathMLExporter marks each formula where that parser found it (so `\\$5` stays a price), and
typeset() turns the marks, and the text/latex outputs, into MathML (latex2mathml, pure Python) after the page is
sanitised, itself reduced to a MathML allowlist: the LaTeX is the learner's, and `\\href{javascript:…}` and the
like leave nothing behind. LaTeX that cannot be converted stays as the learner wrote it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import nh3
from bleach.sanitizer import INVISIBLE_CHARACTERS_RE, INVISIBLE_REPLACEMENT_CHAR
from jinja2 import pass_context
from latex2mathml.converter import convert
from nbconvert.filters import clean_html
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from lce_utils.offline_html import OfflineHTMLExporter

MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac",
               "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
               "mphantom", "menclose", "merror", "semantics", "annotation"}
MATHML_ATTRS = {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "width",
                "height", "depth", "accent", "accentunder", "columnalign", "columnspacing", "rowspacing",
                "linethickness", "minsize", "maxsize", "movablelimits", "symmetric", "largeop", "form",
                "notation", "scriptlevel", "displaystyle", "encoding"}
# What MathMLExporter leaves where its parser found math (kept by the sanitiser: a span with a class).
_MARKED = re.compile(r'<span class="lce-math-(?P<kind>block|inline)">(?P<latex>[^<]*)</span>')
# A text/latex output: nbconvert writes its LaTeX, delimiters and all, escaped into this div.
_LATEX_OUTPUT = re.compile(r'(<div class="jp-RenderedLatex[^"]*"[^>]*>)(?P<latex>[^<]*)(</div>)')
_DELIMITED = re.compile(r"(?<!\\)\$\$(?P<block>.+?)(?<!\\)\$\$|(?<![$\\])\$(?P<inline>[^$]+?)(?<![$\\])\$", re.S)
_DECIMAL_COMMA = re.compile(r"<mn>(\d+)</mn><mrow><mo>,</mo></mrow><mn>(\d+)</mn>")
MAX_FORMULA = 4000  # characters of LaTeX per formula: longer ones stay text (conversion time grows with length)
MARKDOWN_CACHE_SIZE = 1024  # markdown (and code) cells an exporter keeps rendered (a course's lessons have fewer)
MARKDOWN_CACHE_CHARS = 16000  # longer cells are not kept: a learner's notebook of huge cells cannot fill memory


def formula(latex: str, display: bool) -> str | None:
    """Sanitised MathML of one formula, or None when it is not LaTeX that can be converted."""
    if not latex.strip() or len(latex) > MAX_FORMULA:
        return None
    try:
        markup = convert(latex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds on malformed input: keep the text as the learner wrote it
        return None
    clean = nh3.clean(markup, tags=MATHML_TAGS, attributes={"*": MATHML_ATTRS}, link_rel=None)
    # Swedish writes a decimal comma, in LaTeX `0{,}75`: one number, not a separator with space after it
    clean = _DECIMAL_COMMA.sub(r"<mn>\g<1>,\g<2></mn>", clean)
    return clean if clean.startswith("<math") else None


class _MarkingRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math marked for typeset() instead of left for MathJax."""

    def block_math(self, body: str) -> str:
        return f'<span class="lce-math-block">{self.escape_html(body)}</span>'

    def inline_math(self, body: str) -> str:
        return f'<span class="lce-math-inline">{self.escape_html(body)}</span>'

    def latex_environment(self, name: str, body: str) -> str:
        return self.block_math(f"\\begin{{{name}}}{body}\\end{{{name}}}")


class _Highlighted(str):
    """Pygments' HTML of a code cell's source: the source's text escaped, in spans with classes."""


def _clean_html(element: Any) -> str:
    """nbconvert's clean_html (bleach), except on Pygments' markup of a code cell's source: the template passes every
    code cell through it, and bleach re-parsing markup Pygments wrote itself was a third of a feedback page's CPU.
    What else the template cleans (raw cells, SVG) still is, and every page as a whole goes through
    lce_utils.reports.sanitize's allowlist afterwards (feedback.feedback_page), as before. Control characters in the
    source become '?' as bleach makes them: the page is the same as before."""
    if type(element) is _Highlighted:
        return INVISIBLE_CHARACTERS_RE.sub(INVISIBLE_REPLACEMENT_CHAR, element)
    return clean_html(element)


class MathMLExporter(OfflineHTMLExporter):
    """nbconvert's HTMLExporter whose markdown marks math where its parser finds it (see typeset())."""

    def default_filters(self) -> Any:
        """nbconvert's filters, clean_html skipping Pygments' own markup (_clean_html)."""
        yield from super().default_filters()
        yield ("clean_html", _clean_html)

    def register_filter(self, name: str, jinja_filter: Any) -> Any:
        """Register a filter; highlight_code's HTML (made afresh for each notebook) is marked as Pygments'."""
        if name == "highlight_code" and callable(jinja_filter) and not isinstance(jinja_filter, (str, type)):
            highlight = jinja_filter

            def marked(source: str, language: str | None = None, metadata: Any = None) -> _Highlighted:
                """Highlighted source. Most code cells are the lesson's own, the same on every learner's page: their
                HTML is made once per exporter (it depends only on what the key holds)."""
                key = None
                if (isinstance(highlight, Highlight2HTML) and isinstance(source, str)
                        and len(source) <= MARKDOWN_CACHE_CHARS and (metadata is None or isinstance(metadata, dict))):
                    magics = metadata.get("magics_language") if metadata else None
                    key = (source, language, str(magics), highlight.pygments_lexer,
                           repr(highlight.extra_formatter_options))
                return self._kept("_lce_highlighted", key, lambda: _Highlighted(
                    highlight(source, language=language, metadata=metadata)))

            return super().register_filter(name, marked)
        return super().register_filter(name, jinja_filter)

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        """Markdown to HTML as nbconvert renders it, math marked.

        A cell without attachments, whose images are not embedded, renders the same on every learner's page (the
        lessons' own text, most of a page): such cells are rendered once per exporter and text."""
        attachments = context.get("cell", {}).get("attachments", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        key = None
        if not attachments and not self.embed_images and len(source) <= MARKDOWN_CACHE_CHARS:
            key = (source, path, self.anchor_link_text, self.exclude_anchor_links, repr(self.lexer_options))

        def render() -> str:
            renderer = _MarkingRenderer(
                escape=False, attachments=attachments, embed_images=self.embed_images, path=path,
                anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links,
                **self.lexer_options)
            return MarkdownWithMath(renderer=renderer).render(source)

        return self._kept("_lce_markdown", key, render)

    def _kept(self, cache_name: str, key: tuple | None, make: Callable[[], str]) -> Any:
        """make()'s result, kept by this exporter under key in its cache cache_name (None: made, not kept)."""
        cache: dict[tuple, str] = self.__dict__.setdefault(cache_name, {})
        if key is not None and key in cache:
            return cache[key]
        made = make()
        if key is not None:
            if len(cache) >= MARKDOWN_CACHE_SIZE:
                cache.clear()
            cache[key] = made
        return made


def _marked(match: re.Match) -> str:
    display = match.group("kind") == "block"
    delimiter = "$$" if display else "$"
    return formula(html.unescape(match.group("latex")), display) or f"{delimiter}{match.group('latex')}{delimiter}"


def _latex_output(match: re.Match) -> str:
    def one(found: re.Match) -> str:
        display = found.group("block") is not None
        latex = html.unescape(found.group("block") if display else found.group("inline"))
        return formula(latex, display) or found.group(0)
    return match.group(1) + _DELIMITED.sub(one, match.group("latex")) + match.group(3)


def typeset(fragment: str) -> str:
    """Sanitised HTML of MathMLExporter with its marked formulas and text/latex outputs as MathML."""
    return _LATEX_OUTPUT.sub(_latex_output, _MARKED.sub(_marked, fragment))
