"""Charts as static SVG with a text alternative: offline, and readable without seeing them."""

from __future__ import annotations

import html
from typing import Final

import altair as alt
import vl_convert as vlc
from IPython.display import HTML

# Every page is Swedish first: numbers on axes and labels as in the text ("1 500", "0,25"), months in Swedish.
LOCALE: Final = "sv-SE"


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart rendered to SVG by vl-convert (no Vega scripts, no network), numbers and dates Swedish style."""
    return vlc.vegalite_to_svg(chart.to_json(), format_locale=LOCALE, time_format_locale=LOCALE)


def figure_html(chart: alt.TopLevelMixin, alt_text: str, caption: str | None = None) -> str:
    """A <figure> holding the chart's SVG, marked as an image described by alt_text, with the text shown below."""
    if not alt_text.strip():
        raise ValueError("a chart needs a text alternative that says what it shows")
    svg = chart_svg(chart)
    label = html.escape(alt_text, quote=True)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
    text = html.escape(caption or alt_text)
    return f'<figure class="lce-chart">{svg}<figcaption>{text}</figcaption></figure>'


def show_chart(chart: alt.TopLevelMixin, alt_text: str, caption: str | None = None) -> HTML:
    """Display a chart in a notebook as static SVG with its text alternative (what labs and reports call)."""
    return HTML(figure_html(chart, alt_text, caption))
