"""Small-cell suppression: the one function labs, reports and the mentorship aggregates use.

A count about people below k is not published: it becomes None (null in JSON) and shows as "<k".
A breakdown whose total is published too also needs secondary suppression (suppress_with_complement)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

DEFAULT_K = 5


def suppress_count(value: Any, k: int = DEFAULT_K) -> int | None:
    """A count of people as published: None when 0 < value < k (0 is published; it identifies no one).

    A missing value (None, NaN, pd.NA, NaT: already suppressed upstream) stays missing."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    n = int(value)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return None if 0 < n < k else n


def suppress_counts(counts: Mapping[str, Any], k: int = DEFAULT_K) -> dict[str, int | None]:
    """suppress_count applied to each value of a breakdown."""
    return {key: suppress_count(value, k) for key, value in counts.items()}


def suppress_frame(frame: pd.DataFrame, count_columns: list[str], k: int = DEFAULT_K,
                   dependent_columns: list[str] | None = None) -> pd.DataFrame:
    """A copy of frame where each count below k is missing (<NA>).

    Values derived from a suppressed count (shares, means, scores) are listed in dependent_columns and
    are blanked on the same rows, so that a small group cannot be read back from them."""
    out = frame.copy()
    small = pd.Series(False, index=out.index)
    for column in count_columns:
        counts = pd.to_numeric(out[column], errors="coerce")
        hidden = (counts > 0) & (counts < k)
        small |= hidden
        out[column] = counts.astype("Int64").mask(hidden)
    for column in dependent_columns or []:
        out[column] = out[column].astype("object").mask(small)
    return out


def suppress_with_complement(data: pd.DataFrame | Mapping[str, Any], count_column: str | None = None,
                             k: int = DEFAULT_K, dependent_columns: list[str] | None = None
                             ) -> pd.DataFrame | dict[str, int | None]:
    """Suppress counts below k and, when exactly one cell is hidden, also the smallest other positive count.

    For a breakdown whose categories sum to a published total: with a single hidden cell, the total minus the
    shown cells would give it back. Missing values count as already hidden; ties go to the first in order; zeros
    are never the second cell (a zero identifies no one). A mapping gives a dict (None = hidden); a frame gives
    a copy whose count_column is Int64 with <NA>, blanking dependent_columns on every hidden row."""
    if isinstance(data, pd.DataFrame):
        if count_column is None:
            raise ValueError("count_column is required for a DataFrame")
        frame, column = data, count_column
    else:
        frame, column = pd.DataFrame({"value": pd.Series(list(data.values()), dtype="object")}), "value"
    out = suppress_frame(frame, [column], k, dependent_columns)
    counts = out[column]
    hidden = counts.isna()
    if int(hidden.sum()) == 1:
        positive = counts[~hidden & (counts > 0)]
        if not positive.empty:
            second = out.index == positive.idxmin()  # idxmin: the first of equal smallest counts
            out[column] = counts.mask(second)
            for dependent in dependent_columns or []:
                out[dependent] = out[dependent].astype("object").mask(second)
    if isinstance(data, pd.DataFrame):
        return out
    return {key: None if pd.isna(value) else int(value) for key, value in zip(data.keys(), out[column])}


def format_count(value: Any, k: int = DEFAULT_K) -> str:
    """How a published count reads in notebooks and reports: '<5' for a suppressed one."""
    shown = suppress_count(value, k)
    if shown is None:
        return f"<{k}"
    return f"{shown:,}".replace(",", "\u00a0")
