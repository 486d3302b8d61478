"""Long tables on report pages: folded behind a summary, with the same (protected) rows as a CSV download that
survives the page sanitiser and opens in a Swedish spreadsheet (issue 15 item 3)."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest

from lce_utils.reports import display
from lce_utils.reports.sanitize import clean_fragment


def _shown(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, **kwargs) -> str:
    out: list[str] = []
    monkeypatch.setattr(display, "display", lambda obj: out.append(obj.data))
    display.show_table(frame, "r.cap_visits_by_month", **kwargs)
    return out[0]


def test_a_long_table_is_folded_with_its_rows_as_a_csv_download(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"month": [f"2024-{m:02d}" for m in range(1, 13)],
                          "visits": [120, None, 7, 310, 55, 60, 61, 62, 63, 64, 65, 1066],
                          "share": [0.125, None, 0.5, 0.25, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]})
    html = clean_fragment(_shown(frame, monkeypatch, count_columns=["visits"],
                                 labels={"month": "Månad", "visits": "Besök"}))
    assert html.startswith("<details><summary>Besök per månad: 12 rader")
    link = re.search(r'<a href="data:text/csv;charset=utf-8;base64,([^"]+)" download="visits-by-month.csv">', html)
    assert link, "the sanitiser must keep the CSV download link"
    text = base64.b64decode(link.group(1)).decode("utf-8")
    assert text.startswith("\ufeffMånad;Besök;share\r\n")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[1:4] == ["2024-01;120;0,125", "2024-02;prickad/suppressed;", "2024-03;7;0,5"]
    assert lines[12] == "2024-12;1066;0,1" and lines[13] == ""


def test_a_short_table_is_shown_whole_without_a_download(monkeypatch: pytest.MonkeyPatch) -> None:
    html = _shown(pd.DataFrame({"gender": ["woman", "man"], "visits": [10, 12]}), monkeypatch,
                  count_columns=["visits"])
    assert "<details>" not in html and "download=" not in html


@pytest.mark.parametrize("href", ["data:text/html;base64,PHNjcmlwdD4=", "data:text/csv;charset=utf-8,<script>",
                                  "javascript:alert(1)", "data:text/csv;base64,YQ=="])
def test_the_sanitiser_keeps_only_a_plain_csv_data_link(href: str) -> None:
    cleaned = clean_fragment(f'<a href="{href}" download="x.csv">x</a>')
    assert "href" not in cleaned


def test_a_handler_smuggled_beside_a_csv_link_is_dropped() -> None:
    cleaned = clean_fragment('<a href="data:text/csv;charset=utf-8;base64,YQ=="onclick="x()" download="x.csv">x</a>')
    assert "onclick" not in cleaned and 'href="data:text/csv;charset=utf-8;base64,YQ=="' in cleaned
