"""Charts: static SVG, a text alternative, and numbers on the axes written the Swedish way like the text around them."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from lce_utils.charts import chart_svg, figure_html


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_axis_numbers_use_a_space_for_thousands_and_a_decimal_comma() -> None:
    visits = alt.Chart(pd.DataFrame({"month": ["jan", "feb"], "visits": [1200, 2600]})).mark_bar().encode(
        x="month:N", y="visits:Q")
    texts = _texts(chart_svg(visits))
    assert "2\u00a0500" in texts and "1\u00a0000" in texts and "2,500" not in texts
    shares = alt.Chart(pd.DataFrame({"group": ["a", "b"], "share": [0.25, 0.75]})).mark_bar().encode(
        x="group:N", y=alt.Y("share:Q", axis=alt.Axis(format=".2f")))
    texts = _texts(chart_svg(shares))
    assert "0,50" in texts and "0.50" not in texts


def test_month_names_on_a_time_axis_are_swedish() -> None:
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-05-01", "2024-10-01"]), "visits": [10, 20]})
    texts = _texts(chart_svg(alt.Chart(frame).mark_line().encode(x=alt.X("month:T", axis=alt.Axis(format="%B")),
                                                                   y="visits:Q")))
    assert "Maj" in texts and "Oktober" in texts and "October" not in texts


def test_a_chart_without_a_text_alternative_is_refused() -> None:
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    with pytest.raises(ValueError, match="text alternative"):
        figure_html(chart, "  ")
    assert 'role="img" aria-label="Besök per månad / Visits by month"' in figure_html(
        chart, "Besök per månad / Visits by month")
