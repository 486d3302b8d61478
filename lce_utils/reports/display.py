"""What report templates show: escaped tables, bilingual notes and charts, and the index summary."""

from __future__ import annotations

import base64
import html
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any, SupportsInt, cast

import numpy as np
import pandas as pd
from IPython.display import HTML, display

from lce_utils.charts import figure_html
from lce_utils.privacy import DEFAULT_K, HIDDEN_LABEL, HIDDEN_TEXT
from lce_utils.reports.execute import SUMMARY_MIME


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def bilingual(sv: str, en: str, tag: str = "p", cls: str | None = None) -> str:
    """Swedish then English text in one element, the English part marked lang="en" (both escaped)."""
    attr = f' class="{_esc(cls)}"' if cls else ""
    return f'<{tag}{attr}>{_esc(sv)} <span lang="en">/ {_esc(en)}</span></{tag}>'


def cell_text(value: Any, *, count: bool = False, k: int = DEFAULT_K) -> str:
    """A value as a table shows it: "prickad / suppressed" for a suppressed count (it may be any size, so never
    '<k'), '–' for a missing value, numbers Swedish-style."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    if missing:
        return (f'<span class="hidden-count">{HIDDEN_LABEL["sv"]} <span lang="en">/ {HIDDEN_LABEL["en"]}</span>'
                "</span>") if count else "–"
    if isinstance(value, (bool, np.bool_)):
        return "ja / yes" if value else "nej / no"
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer()
                                                and (count or abs(float(value)) >= 2)):
        # cast: numbers.Real's stub lacks __int__, which every Real met here has (int, float, NumPy, Fraction)
        return f"{int(cast(SupportsInt, value)):,}".replace(",", "\u00a0")
    if isinstance(value, numbers.Real):
        value = float(value)
        decimals = 0 if value.is_integer() and abs(value) >= 100 else 1 if abs(value) >= 10 else 2
        return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return _esc(value)


def table_html(frame: pd.DataFrame, caption_sv: str, caption_en: str, *, count_columns: Sequence[str] = (),
               labels: Mapping[str, str] | None = None, k: int = DEFAULT_K) -> str:
    """A captioned HTML table of frame: every value escaped, suppressed counts shown as '<k'."""
    labels = labels or {}
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if pd.api.types.is_numeric_dtype(frame[c]) else ""}>'
                   f"{_esc(labels.get(str(c), str(c)))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record):
            numeric = pd.api.types.is_numeric_dtype(frame[column]) or column in count_columns
            text = cell_text(value, count=column in count_columns, k=k)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{max(len(frame.columns), 1)}">Inga rader <span lang="en">/ No rows'
                    "</span></td></tr>")
    caption = f'{_esc(caption_sv)} <span lang="en">/ {_esc(caption_en)}</span>'
    return (f'<table class="lce-table"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


FOLD_ROWS = 8  # a longer table is folded behind a one-line summary, so that a page is not metres of tables


def table_csv(frame: pd.DataFrame, *, count_columns: Sequence[str] = (), labels: Mapping[str, str] | None = None
              ) -> str:
    """The table as a reader's spreadsheet opens it in Sweden: ';'-separated, decimal comma, hidden counts as
    'prickad/suppressed' (never a number), column labels as on the page."""
    labels = labels or {}
    out = frame.copy()
    for column in count_columns:
        if column in out:
            out[column] = [HIDDEN_TEXT if _is_missing(v) else int(v) for v in out[column]]
    out.columns = [labels.get(str(c), str(c)) for c in out.columns]
    return out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def download_link(csv_text: str, caption_sv: str, caption_en: str) -> str:
    """A link that downloads csv_text as a file (an inline data URL: the page stays one file and works offline)."""
    data = base64.b64encode(("\ufeff" + csv_text).encode("utf-8")).decode("ascii")  # BOM: Excel reads UTF-8
    name = re.sub(r"[^a-z0-9]+", "-", caption_en.lower()).strip("-") or "table"
    return (f'<p class="download"><a href="data:text/csv;charset=utf-8;base64,{data}" download="{_esc(name)}.csv">'
            f"Ladda ner tabellen {_esc(caption_sv)} (CSV) <span lang=\"en\">/ Download the table {_esc(caption_en)} "
            "(CSV)</span></a></p>")


def show_table(frame: pd.DataFrame, caption_sv: str, caption_en: str, **kwargs: Any) -> None:
    """Display table_html in the notebook; a table of more than FOLD_ROWS rows folded behind its summary, with the
    table as a CSV download (the rows shown only: they are the ones disclosure control protected together)."""
    table = table_html(frame, caption_sv, caption_en, **kwargs)
    if len(frame) > FOLD_ROWS:
        csv_text = table_csv(frame, count_columns=kwargs.get("count_columns", ()), labels=kwargs.get("labels"))
        table = (f"<details><summary>{_esc(caption_sv)}: {len(frame)} rader, visa tabellen <span lang=\"en\">/ "
                 f"{_esc(caption_en)}: {len(frame)} rows, show the table</span></summary>{table}</details>"
                 + download_link(csv_text, caption_sv, caption_en))
    display(HTML(table))


def show_chart(chart: Any, alt_sv: str, alt_en: str) -> None:
    """A static SVG chart with a bilingual text alternative and caption (lce_utils.charts)."""
    display(HTML(figure_html(chart, f"{alt_sv} / {alt_en}")))


def note(sv: str, en: str) -> None:
    """A bilingual note (for example: this input is missing, run `lce run` first)."""
    display(HTML(f'<div class="lce-note" role="note">{bilingual(sv, en)}</div>'))


def missing(what_sv: str, what_en: str, where: str = "") -> None:
    """Say, in both languages, that figures are not available yet (where, a file name, is for the build log only)."""
    note(f"{what_sv} finns inte ännu.", f"{what_en}: not available yet.")


def bullets(items: Sequence[tuple[str, str]]) -> None:
    """A bulleted list, each item in Swedish then English (escaped)."""
    display(HTML("<ul>" + "".join(f"<li>{bilingual(sv, en, tag='span')}</li>" for sv, en in items) + "</ul>"))


def key_figures(figures: Sequence[tuple[str, str, str]]) -> None:
    """Key figures as a definition list: (Swedish label, English label, value already formatted)."""
    items = "".join(f'<div><dt>{_esc(sv)} <span lang="en">/ {_esc(en)}</span></dt><dd>{_esc(value)}</dd></div>'
                    for sv, en, value in figures)
    display(HTML(f'<dl class="kpis">{items}</dl>'))


def summary(sv: str, en: str) -> None:
    """The report's one-line summary: shown on the page and listed on the site's index."""
    display({"text/html": bilingual(sv, en, cls="lce-summary"), "text/plain": f"{sv} / {en}",
             SUMMARY_MIME: {"sv": sv, "en": en}}, raw=True)


def fmt(value: Any, *, count: bool = False, k: int = DEFAULT_K, suffix: str = "") -> str:
    """A single figure as text ("prickad / suppressed" for a suppressed count, '–' for none)."""
    missing_value = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    if missing_value:
        return f"{HIDDEN_LABEL['sv']} / {HIDDEN_LABEL['en']}" if count else "–"
    return html.unescape(cell_text(value, count=count, k=k)) + suffix
