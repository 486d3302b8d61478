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
from lce_utils.messages import pair, t
from lce_utils.privacy import DEFAULT_K, HIDDEN_LABEL, HIDDEN_TEXT
from lce_utils.reports.execute import SUMMARY_MIME

# A text shown in both languages: a key of the message catalogue (lce_utils.messages), or a (Swedish, English)
# pair that comes with the data (an assignment's title from course.yaml, a table's title from the register).
Text = str | tuple[str, str]


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def texts(text: Text, **params: object) -> tuple[str, str]:
    """The Swedish and the English text: the catalogue's for a key (params filled in), else the pair itself."""
    return text if isinstance(text, tuple) else pair(text, **params)


def around(key: str, inner: Text, **params: object) -> tuple[str, str]:
    """The message key in each language with {caption} filled in by inner in that language."""
    sv, en = texts(inner)
    return t(key, "sv", caption=sv, **params), t(key, "en", caption=en, **params)


def _both_html(text: Text, **params: object) -> str:
    sv, en = texts(text, **params)
    return f'{_esc(sv)} <span lang="en">/ {_esc(en)}</span>'


def bilingual(text: Text, tag: str = "p", cls: str | None = None, **params: object) -> str:
    """Swedish then English text in one element, the English part marked lang="en" (both escaped)."""
    attr = f' class="{_esc(cls)}"' if cls else ""
    return f"<{tag}{attr}>{_both_html(text, **params)}</{tag}>"


def cell_text(value: Any, *, count: bool = False, k: int = DEFAULT_K) -> str:
    """A value as a table shows it: "prickad / suppressed" for a suppressed count (it may be any size, so never
    '<k'), '–' for a missing value, numbers Swedish-style."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    if missing:
        return (f'<span class="hidden-count">{HIDDEN_LABEL["sv"]} <span lang="en">/ {HIDDEN_LABEL["en"]}</span>'
                "</span>") if count else "–"
    if isinstance(value, (bool, np.bool_)):
        return " / ".join(pair("yes" if value else "no"))
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer()
                                                and (count or abs(float(value)) >= 2)):
        # cast: numbers.Real's stub lacks __int__, which every Real met here has (int, float, NumPy, Fraction)
        return f"{int(cast(SupportsInt, value)):,}".replace(",", "\u00a0")
    if isinstance(value, numbers.Real):
        value = float(value)
        decimals = 0 if value.is_integer() and abs(value) >= 100 else 1 if abs(value) >= 10 else 2
        return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return _esc(value)


def table_html(frame: pd.DataFrame, caption: Text, *, count_columns: Sequence[str] = (),
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
        rows.append(f'<tr><td colspan="{max(len(frame.columns), 1)}">{_both_html("r.no_rows")}</td></tr>')
    return (f'<table class="lce-table"><caption>{_both_html(caption)}</caption><thead><tr>{head}</tr></thead>'
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


def download_link(csv_text: str, caption: Text) -> str:
    """A link that downloads csv_text as a file (an inline data URL: the page stays one file and works offline)."""
    data = base64.b64encode(("\ufeff" + csv_text).encode("utf-8")).decode("ascii")  # BOM: Excel reads UTF-8
    name = re.sub(r"[^a-z0-9]+", "-", texts(caption)[1].lower()).strip("-") or "table"
    return (f'<p class="download"><a href="data:text/csv;charset=utf-8;base64,{data}" download="{_esc(name)}.csv">'
            f"{_both_html(around('r.download_table', caption))}</a></p>")


def show_table(frame: pd.DataFrame, caption: Text, **kwargs: Any) -> None:
    """Display table_html in the notebook; a table of more than FOLD_ROWS rows folded behind its summary, with the
    table as a CSV download (the rows shown only: they are the ones disclosure control protected together)."""
    table = table_html(frame, caption, **kwargs)
    if len(frame) > FOLD_ROWS:
        csv_text = table_csv(frame, count_columns=kwargs.get("count_columns", ()), labels=kwargs.get("labels"))
        table = (f"<details><summary>{_both_html(around('r.folded_table', caption, n=len(frame)))}</summary>"
                 f"{table}</details>" + download_link(csv_text, caption))
    display(HTML(table))


def show_chart(chart: Any, alt: Text, **params: object) -> None:
    """A static SVG chart with a bilingual text alternative and caption (lce_utils.charts)."""
    display(HTML(figure_html(chart, " / ".join(texts(alt, **params)))))


def note(text: Text, **params: object) -> None:
    """A bilingual note (for example: this input is missing, run `lce run` first)."""
    display(HTML(f'<div class="lce-note" role="note">{bilingual(texts(text, **params))}</div>'))


def missing(what: Text, where: str = "") -> None:
    """Say, in both languages, that figures are not available yet (where, a file name, is for the build log only)."""
    note(around("r.not_available", what))


def bullets(items: Sequence[Text]) -> None:
    """A bulleted list, each item in Swedish then English (escaped)."""
    display(HTML("<ul>" + "".join(f"<li>{bilingual(item, tag='span')}</li>" for item in items) + "</ul>"))


def key_figures(figures: Sequence[tuple[Text, str]]) -> None:
    """Key figures as a definition list: (label, value already formatted)."""
    items = "".join(f"<div><dt>{_both_html(label)}</dt><dd>{_esc(value)}</dd></div>" for label, value in figures)
    display(HTML(f'<dl class="kpis">{items}</dl>'))


def summary(text: Text, **params: object) -> None:
    """The report's one-line summary: shown on the page and listed on the site's index."""
    sv, en = texts(text, **params)
    display({"text/html": bilingual((sv, en), cls="lce-summary"), "text/plain": f"{sv} / {en}",
             SUMMARY_MIME: {"sv": sv, "en": en}}, raw=True)


def fmt(value: Any, *, count: bool = False, k: int = DEFAULT_K, suffix: str = "") -> str:
    """A single figure as text ("prickad / suppressed" for a suppressed count, '–' for none)."""
    missing_value = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    if missing_value:
        return f"{HIDDEN_LABEL['sv']} / {HIDDEN_LABEL['en']}" if count else "–"
    return html.unescape(cell_text(value, count=count, k=k)) + suffix
